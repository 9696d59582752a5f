"""Content under review: profiles with their change history, photos, message threads with a
language tag per message, and photo reuse across accounts (``wb.content``).

Everything reads the platform data (read-only) and returns plain data (dataclasses, DataFrames)
that widgets render; nothing here draws. Special-category profile fields (orientation, gender
identity, health) are returned separately, so a view must ask for them on purpose.

Photo reuse compares the 64-bit perceptual hashes computed at ingest (``photos.phash``) with an
in-memory :class:`~workbench.content.photos.PhotoIndex`, built once per platform data set and
rebuilt when the photos table changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, or_, select

from workbench.content.language import detect, find
from workbench.content.photos import PhotoIndex
from workbench.content.risk_terms import find_risky
from workbench.errors import InputError, NotFoundError
from workbench.platform import schema as S
from workbench.platform.engine import platform_engine

#: Default Hamming radius for "the same photo": re-encodes and resizes land within a few bits,
#: light crops (~5% a side) and filters within about twelve; unrelated photos sit near 32.
DEFAULT_MAX_DISTANCE = 12

SPECIAL_FIELDS = tuple(S.special_category_columns("profiles"))


def _read(stmt) -> pd.DataFrame:
    with platform_engine().connect() as conn:
        return pd.read_sql(stmt, conn)


def _id(value: object, what: str = "platform user id") -> int:
    """A positive whole-number id, or :class:`InputError` naming ``what`` was expected."""
    shown = repr(value)[:40]
    if isinstance(value, bool):
        raise InputError(f"{shown} is not a {what}", "ids are whole numbers")
    try:
        uid = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise InputError(f"{shown} is not a {what}", "ids are whole numbers") from None
    if uid <= 0:
        raise InputError(f"{shown} is not a {what}", "ids are positive")
    return uid


_user_id = _id


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


def user(user_id: object) -> dict:
    """The account row of ``user_id``; :class:`NotFoundError` if there is none."""
    uid = _user_id(user_id)
    df = _read(select(S.users).where(S.users.c.user_id == uid))
    if df.empty:
        raise NotFoundError(f"no platform user {uid}", "check the id against the users table")
    return _records(df)[0]


def users(user_ids: list[int]) -> pd.DataFrame:
    """Account rows of several users (missing ids are simply absent)."""
    ids = [_user_id(u) for u in user_ids]
    if not ids:
        return pd.DataFrame(columns=[c.name for c in S.users.columns])
    return _read(select(S.users).where(S.users.c.user_id.in_(ids)))


def changes(user_id: object) -> pd.DataFrame:
    """The account's change history (email, phone, handle, bio, photo, ...), newest first."""
    uid = _user_id(user_id)
    t = S.account_changes
    return _read(
        select(t.c.change_id, t.c.ts, t.c.field, t.c.old_value, t.c.new_value)
        .where(t.c.user_id == uid)
        .order_by(t.c.ts.desc(), t.c.change_id.desc())
    )


def profile(user_id: object) -> ProfileCard:
    """Profile card data of ``user_id``: account, profile fields, photos and change history."""
    acct = user(user_id)
    uid = int(acct["user_id"])
    prof = _records(_read(select(S.profiles).where(S.profiles.c.user_id == uid)))
    fields = prof[0] if prof else {"user_id": uid}
    special = {k: fields.pop(k, None) for k in SPECIAL_FIELDS}
    return ProfileCard(
        user=acct, profile=fields, special=special, photos=photos(uid), changes=changes(uid)
    )


def photos(user_id: object, *, include_removed: bool = True) -> pd.DataFrame:
    """The user's profile photos, primary first then newest first."""
    uid = _user_id(user_id)
    t = S.photos
    stmt = select(t).where(t.c.user_id == uid)
    if not include_removed:
        stmt = stmt.where(t.c.status == "active")
    return _read(stmt.order_by(t.c.is_primary.desc(), t.c.uploaded_at.desc(), t.c.photo_id))


def photo(photo_id: object) -> dict:
    """One photo row; :class:`NotFoundError` if there is none."""
    pid = _id(photo_id, "photo id")
    df = _read(select(S.photos).where(S.photos.c.photo_id == pid))
    if df.empty:
        raise NotFoundError(f"no photo {pid}", "check the id against the photos table")
    return _records(df)[0]


# --------------------------------------------------------------------------- messages


def conversations(user_id: object) -> pd.DataFrame:
    """The user's conversations: the other side, message count, first and last message."""
    uid = _user_id(user_id)
    m = S.messages
    df = _read(
        select(m.c.conversation_id, m.c.sender_id, m.c.recipient_id, m.c.sent_at).where(
            or_(m.c.sender_id == uid, m.c.recipient_id == uid)
        )
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


def thread(conversation_id: object, *, limit: int = 5000) -> pd.DataFrame:
    """Both sides of a conversation, oldest first, each message tagged with its language,
    script, text direction and the risk categories of phrases in it."""
    cid = _id(conversation_id, "conversation id")
    m = S.messages
    df = _read(
        select(m)
        .where(m.c.conversation_id == cid)
        .order_by(m.c.sent_at, m.c.message_id)
        .limit(limit)
    )
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


def attachments(message_ids: list[int]) -> pd.DataFrame:
    """Media sent in the given messages."""
    t = S.attachments
    ids = [int(i) for i in message_ids]
    if not ids:
        return pd.DataFrame(columns=[c.name for c in t.columns])
    return _read(
        select(t).where(t.c.message_id.in_(ids)).order_by(t.c.message_id, t.c.attachment_id)
    )


# --------------------------------------------------------------------------- photo reuse

_index_lock = threading.Lock()
_index_cache: dict[str, tuple[tuple, PhotoIndex, pd.DataFrame]] = {}


def photo_index(refresh: bool = False) -> tuple[PhotoIndex, pd.DataFrame]:
    """The hash index over every photo with a hash, and the photo rows in index order."""
    engine = platform_engine()
    key = engine.url.render_as_string(hide_password=False)
    t = S.photos
    with engine.connect() as conn:
        stamp = tuple(
            conn.execute(
                select(func.count(), func.max(t.c.photo_id)).where(t.c.phash.is_not(None))
            ).one()
        )
    with _index_lock:
        cached = _index_cache.get(key)
        if cached and cached[0] == stamp and not refresh:
            return cached[1], cached[2]
        rows = _read(
            select(t.c.photo_id, t.c.user_id, t.c.phash, t.c.status, t.c.path)
            .where(t.c.phash.is_not(None))
            .order_by(t.c.photo_id)
        )
        index = PhotoIndex.from_hex(
            rows["phash"], rows["photo_id"].to_numpy(), rows["user_id"].to_numpy()
        )
        _index_cache[key] = (stamp, index, rows)
        return index, rows


SIMILAR_COLUMNS = [
    "query_photo_id",
    "query_user_id",
    "photo_id",
    "user_id",
    "distance",
    "status",
    "path",
]


def similar_photos(
    user_id: object | None = None,
    photo_id: object | None = None,
    *,
    max_distance: int = DEFAULT_MAX_DISTANCE,
    include_same_user: bool = False,
    phash: str | None = None,
) -> pd.DataFrame:
    """Photos on other accounts within ``max_distance`` bits of a user's photos, of one photo,
    or of a raw ``phash``: re-uploads, crops and re-encodes. Closest first."""
    given = [v is not None for v in (user_id, photo_id, phash)]
    if sum(given) != 1:
        raise InputError(
            "give exactly one of user_id, photo_id or phash",
            "e.g. similar_photos(user_id=123) or similar_photos(photo_id=456)",
        )
    if (
        isinstance(max_distance, bool)
        or not isinstance(max_distance, int)
        or not 0 <= max_distance <= 32
    ):
        raise InputError(
            f"max_distance {max_distance!r} is not a number of bits from 0 to 32",
            f"near-duplicates are usually within {DEFAULT_MAX_DISTANCE} bits",
        )
    queries: list[tuple[int | None, int | None, str]]
    if phash is not None:
        queries = [(None, None, phash)]
    elif photo_id is not None:
        p = photo(photo_id)
        if not p.get("phash"):
            raise InputError(
                f"photo {p['photo_id']} has no perceptual hash", "it was not hashed at ingest"
            )
        queries = [(int(p["photo_id"]), int(p["user_id"]), p["phash"])]
    else:
        uid = int(user(user_id)["user_id"])
        mine = photos(uid)
        queries = [
            (int(r.photo_id), uid, r.phash) for r in mine.itertuples() if isinstance(r.phash, str)
        ]
    index, rows = photo_index()
    out = []
    for qpid, quid, h in queries:
        pos, dist = index.positions(h, max_distance)
        for p, d in zip(pos.tolist(), dist.tolist()):
            pid, owner = int(index.ids[p]), int(index.owners[p])
            if pid == qpid or (not include_same_user and quid is not None and owner == quid):
                continue
            out.append((qpid, quid, pid, owner, int(d), rows["status"].iat[p], rows["path"].iat[p]))
    df = pd.DataFrame(out, columns=SIMILAR_COLUMNS)
    if not df.empty:
        df = (
            df.sort_values(["distance", "photo_id"])
            .drop_duplicates(["query_photo_id", "photo_id"])
            .reset_index(drop=True)
        )
    return df


def reused_by(user_id: object, *, max_distance: int = DEFAULT_MAX_DISTANCE) -> pd.DataFrame:
    """Accounts whose photos match ``user_id``'s: one row per account, closest match first."""
    df = similar_photos(user_id=user_id, max_distance=max_distance)
    if df.empty:
        return pd.DataFrame(columns=["user_id", "photos", "min_distance"])
    return (
        df.groupby("user_id")
        .agg(photos=("photo_id", "nunique"), min_distance=("distance", "min"))
        .reset_index()
        .sort_values(["min_distance", "user_id"], ignore_index=True)
    )


__all__ = [
    "ProfileCard",
    "DEFAULT_MAX_DISTANCE",
    "user",
    "users",
    "profile",
    "changes",
    "photos",
    "photo",
    "conversations",
    "thread",
    "tag_messages",
    "search_thread",
    "attachments",
    "photo_index",
    "similar_photos",
    "reused_by",
]
