"""Content under review (``wb.content``): profiles and their change history, message threads
tagged with language and risky phrases, photos (:mod:`~workbench.content.profiles`), photo reuse across
accounts (:mod:`~workbench.content.photo_reuse`), media shown blurred until revealed
(:mod:`~workbench.content.media`), language detection and cross-script search
(:mod:`~workbench.content.language`), and the risk-term lists (:mod:`~workbench.content.risk_terms`).
"""

from workbench.content.photo_reuse import (
    DEFAULT_MAX_DISTANCE,
    photo_index,
    reused_by,
    similar_photos,
)
from workbench.content.profiles import (
    ProfileCard,
    attachments,
    changes,
    conversations,
    photo,
    photos,
    profile,
    search_thread,
    special_fields,
    tag_messages,
    thread,
    user,
    users,
)

__all__ = [
    "DEFAULT_MAX_DISTANCE",
    "ProfileCard",
    "attachments",
    "changes",
    "conversations",
    "photo",
    "photo_index",
    "photos",
    "profile",
    "reused_by",
    "search_thread",
    "similar_photos",
    "special_fields",
    "tag_messages",
    "thread",
    "user",
    "users",
]
