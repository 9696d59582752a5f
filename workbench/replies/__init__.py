"""Replies to members and the public (``wb.replies``): drafts from templates
(:mod:`~workbench.replies.drafts`), the disclosure guard that must pass before a reply is saved
(:mod:`~workbench.replies.disclosure`) and saved replies (:mod:`~workbench.replies.saved`).
"""

from workbench.replies.disclosure import (
    TONE_ITEMS,
    CheckResult,
    DisclosureContext,
    DisclosureError,
    Finding,
    ToneReport,
    build_context,
    check,
    tone,
)
from workbench.replies.drafts import (
    CHANNELS,
    NEEDS_DECISION,
    PUBLIC_CHANNELS,
    SCENARIOS,
    Draft,
    check_channel,
    check_scenario,
    default_recipient,
    draft,
    limit,
    needs_decision,
    templates,
)
from workbench.replies.saved import SavedReply, replies, save_reply

__all__ = [
    "CHANNELS",
    "NEEDS_DECISION",
    "PUBLIC_CHANNELS",
    "SCENARIOS",
    "TONE_ITEMS",
    "check_channel",
    "check_scenario",
    "CheckResult",
    "DisclosureContext",
    "DisclosureError",
    "Draft",
    "Finding",
    "SavedReply",
    "ToneReport",
    "build_context",
    "check",
    "default_recipient",
    "draft",
    "limit",
    "needs_decision",
    "replies",
    "save_reply",
    "templates",
    "tone",
]
