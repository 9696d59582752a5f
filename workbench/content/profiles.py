"""Content under review: profiles with their change history, photos, message threads with a
language tag per message, and photo reuse across accounts (``wb.content``).

Everything reads the platform data through the audited door (:mod:`workbench.queries.door`):
each call is one audit record (``content.profile``, ``content.thread``, ...) naming the users it
was about and, when given, the case (``case=``, which must exist). It returns plain data
(dataclasses, DataFrames) that widgets render; nothing here draws. Special-category profile
fields (orientation, gender identity, health) are not read with the profile at all: a view asks
for them with :func:`special_fields`, which needs a reason, recorded with the read.

Photo reuse compares the 64-bit perceptual hashes computed at ingest (``photos.phash``) with an
in-memory :class:`~workbench.content.photo_reuse.PhotoIndex`, built once per platform data set and
rebuilt when the photos table changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import or_, select

from workbench.content.language import detect, find
from workbench.content.risk_terms import find_risky
from workbench.errors import InputError, NotFoundError
from workbench.ids import check_user_id
from workbench.platform import schema as S
from workbench.queries import door

SPECIAL_FIELDS = tuple(S.special_category_columns("profiles"))
_PROFILE_COLUMNS = [c for c in S.profiles.columns if c.name not in SPECIAL_FIELDS]


def read(stmt, action: str, *, case: str | None = None, subjects=None, **kw) -> pd.DataFrame:
    """A platform query's rows (a SQLAlchemy select of the platform schema), through the door:
    one audit record ``action`` (or part of the enclosing act)."""
    return door.read(stmt, action=action, case=case, subjects=subjects, **kw)


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: (None if _isna(v) else v) for k, v in r.items()} for r in df.to_dict("records")]


def _isna(v: object) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class ProfileCard:
    """What a profile card shows. ``special`` holds the special-category fields, apart."""

    user: dict
    profile: dict
    special: dict
    photos: pd.DataFrame = field(repr=False)
    changes: pd.DataFrame = field(repr=False)

    @property
    def user_id(self) -> int:
        return int(self.user["user_id"])


def user(user_id: object, *, case: str | None = None) -> dict:
    """The account row of ``user_id``; :class:`NotFoundError` if there is none."""
    uid = check_user_id(user_id)
    df = read(
        select(S.users).where(S.users.c.user_id == uid), "content.user", case=case, subjects=[uid]
    )
    if df.empty:
        raise NotFoundError(f"no platform user {uid}", "check the id against the users table")
    return _records(df)[0]


def users(user_ids: list[int], *, case: str | None = None) -> pd.DataFrame:
    """Account rows of several users (missing ids are simply absent)."""
    ids = [check_user_id(u) for u in user_ids]
    if not ids:
        return pd.DataFrame(columns=[c.name for c in S.users.columns])
    return read(
        select(S.users).where(S.users.c.user_id.in_(ids)), "content.users", case=case, subjects=ids
    )


def changes(user_id: object, *, case: str | None = None) -> pd.DataFrame:
    """The account's change history (email, phone, handle, bio, photo, ...), newest first."""
    uid = check_user_id(user_id)
    t = S.account_changes
    return read(
        select(t.c.change_id, t.c.ts, t.c.field, t.c.old_value, t.c.new_value)
        .where(t.c.user_id == uid)
        .order_by(t.c.ts.desc(), t.c.change_id.desc()),
        "content.changes",
        case=case,
        subjects=[uid],
    )


def profile(user_id: object, *, case: str | None = None) -> ProfileCard:
    """Profile card data of ``user_id``: account, profile fields, photos and change history
    (one audit record, ``content.profile``). ``special`` is empty: special-category fields
    come only from :func:`special_fields`, with a reason."""
    uid = check_user_id(user_id)
    with door.act("content.profile", case=case, subjects=[uid]):
        acct = user(uid)
        prof = _records(
            read(select(*_PROFILE_COLUMNS).where(S.profiles.c.user_id == uid), "content.profile")
        )
        fields = prof[0] if prof else {"user_id": uid}
        return ProfileCard(
            user=acct, profile=fields, special={}, photos=photos(uid), changes=changes(uid)
        )


def special_fields(user_id: object, *, reason: str, case: str | None = None) -> dict:
    """The special-category fields of ``user_id`` (orientation, gender identity, health), read
    only with a ``reason``, which is recorded with the read (``content.special``)."""
    uid = check_user_id(user_id)
    if not isinstance(reason, str) or not reason.strip():
        raise InputError(
            "showing special-category fields needs a reason",
            "say in a few words why you need to see them; it is recorded with the read",
        )
    cols = [S.profiles.c[n] for n in SPECIAL_FIELDS]
    df = read(
        select(*cols).where(S.profiles.c.user_id == uid),
        "content.special",
        case=case,
        subjects=[uid],
        reason=reason,
    )
    rows = _records(df)
    return rows[0] if rows else {k: None for k in SPECIAL_FIELDS}


def photos(
    user_id: object, *, include_removed: bool = True, case: str | None = None
) -> pd.DataFrame:
    """The user's profile photos, primary first then newest first."""
    uid = check_user_id(user_id)
    t = S.photos
    stmt = select(t).where(t.c.user_id == uid)
    if not include_removed:
        stmt = stmt.where(t.c.status == "active")
    return read(
        stmt.order_by(t.c.is_primary.desc(), t.c.uploaded_at.desc(), t.c.photo_id),
        "content.photos",
        case=case,
        subjects=[uid],
    )


def photo(photo_id: object, *, case: str | None = None) -> dict:
    """One photo row; :class:`NotFoundError` if there is none."""
    pid = check_user_id(photo_id, "photo id")
    df = read(select(S.photos).where(S.photos.c.photo_id == pid), "content.photo", case=case)
    if df.empty:
        raise NotFoundError(f"no photo {pid}", "check the id against the photos table")
    return _records(df)[0]


# --------------------------------------------------------------------------- messages


def conversations(user_id: object, *, case: str | None = None) -> pd.DataFrame:
    """The user's conversations: the other side, message count, first and last message."""
    uid = check_user_id(user_id)
    m = S.messages
    df = read(
        select(m.c.conversation_id, m.c.sender_id, m.c.recipient_id, m.c.sent_at).where(
            or_(m.c.sender_id == uid, m.c.recipient_id == uid)
        ),
        "content.conversations",
        case=case,
        subjects=[uid],
        whole=True,
    )
    if df.empty:
        return pd.DataFrame(
            columns=["conversation_id", "other_user_id", "messages", "first_at", "last_at"]
        )
    df["other_user_id"] = df["recipient_id"].where(df["sender_id"] == uid, df["sender_id"])
    out = (
        df.groupby("conversation_id")
        .agg(
            other_user_id=("other_user_id", "first"),
            messages=("sent_at", "size"),
            first_at=("sent_at", "min"),
            last_at=("sent_at", "max"),
        )
        .reset_index()
        .sort_values("last_at", ascending=False, ignore_index=True)
    )
    return out


def thread(conversation_id: object, *, limit: int = 5000, case: str | None = None) -> pd.DataFrame:
    """Both sides of a conversation, oldest first, each message tagged with its language,
    script, text direction and the risk categories of phrases in it."""
    cid = check_user_id(conversation_id, "conversation id")
    m = S.messages
    with door.act("content.thread", case=case) as act:
        df = read(
            select(m)
            .where(m.c.conversation_id == cid)
            .order_by(m.c.sent_at, m.c.message_id)
            .limit(limit),
            "content.thread",
        )
        act.about(pd.concat([df["sender_id"], df["recipient_id"]]).dropna().unique().tolist())
    if df.empty:
        raise NotFoundError(
            f"no conversation {cid}",
            "list a user's conversations with wb.content.conversations(user_id)",
        )
    return tag_messages(df)


def tag_messages(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``lang``, ``lang_confidence``, ``script``, ``direction`` and ``risk`` to messages."""
    df = df.copy()
    bodies = df["body"].astype(object).where(df["body"].notna(), None)
    det = [detect(b) if b else detect("") for b in bodies]
    df["lang"] = [d.lang for d in det]
    df["lang_confidence"] = [round(d.confidence, 3) for d in det]
    df["script"] = [d.script for d in det]
    df["direction"] = [d.direction for d in det]
    df["risk"] = [sorted({h.category for h in find_risky(b)}) if b else [] for b in bodies]
    return df


def search_thread(messages: pd.DataFrame, query: str) -> pd.DataFrame:
    """Messages whose body contains ``query`` (case-, width- and accent-insensitive, any script),
    with the ``spans`` where it occurs."""
    if not query or not query.strip():
        raise InputError("the search text is empty", "type a word or phrase to find")
    spans = [find(b, query) if isinstance(b, str) else [] for b in messages["body"]]
    out = messages.assign(spans=spans)
    return out[out["spans"].map(bool)].reset_index(drop=True)


def attachments(message_ids: list[int], *, case: str | None = None) -> pd.DataFrame:
    """Media sent in the given messages."""
    t = S.attachments
    ids = [int(i) for i in message_ids]
    if not ids:
        return pd.DataFrame(columns=[c.name for c in t.columns])
    return read(
        select(t).where(t.c.message_id.in_(ids)).order_by(t.c.message_id, t.c.attachment_id),
        "content.attachments",
        case=case,
        subjects=[],
    )


__all__ = [
    "ProfileCard",
    "user",
    "users",
    "profile",
    "special_fields",
    "changes",
    "photos",
    "photo",
    "conversations",
    "thread",
    "tag_messages",
    "search_thread",
    "attachments",
]
