"""Safe viewing of media under review.

Specialists see graphic content all day, so images are blurred and greyscaled *on the server*
(Pillow) and only those bytes are sent to the browser: the clear image never leaves the kernel
until the specialist reveals that one item. Audio and video are not sent at all until revealed,
and then play muted. The blur preference is stored per analyst in the case store (default: on).

Every reveal is recorded against the case (who, when, which item): ``exposure(case_id)`` is the
wellness figure of how much a case made people look at.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from PIL import Image, ImageDraw, ImageFilter, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from workbench import cases
from workbench.config import settings as current_settings
from workbench.errors import InputError, NotFoundError
from workbench.ids import validate_case_id
from workbench.platform import schema as S
from workbench.queries import door
from workbench.store import audit
from workbench.store import session as store_session
from workbench.store.models import RevealRow, ViewerPrefRow
from workbench.times import utcnow

PREVIEW_SIZE = 320
KINDS = ("image", "audio", "video")


# --------------------------------------------------------------------------- items


@dataclass(frozen=True)
class MediaItem:
    """A piece of media: ``ref`` is ``photo:<id>`` or ``attachment:<id>``."""

    ref: str
    kind: str  # image, audio, video
    path: str | None  # relative to the media folder; None when never rendered
    media_type: str
    owner: int | None = None  # uploader / sender

    @property
    def label(self) -> str:
        return f"{self.kind} {self.ref}"


def item(ref: str | MediaItem, *, case: str | None = None) -> MediaItem:
    """The media item named by ``photo:<id>`` or ``attachment:<id>`` (a read of the platform:
    one ``media.item`` audit record naming its owner)."""
    if isinstance(ref, MediaItem):
        return ref
    kind, _, raw = str(ref).partition(":")
    if kind not in ("photo", "attachment") or not raw.isdigit():
        raise InputError(
            f"{str(ref)[:40]!r} is not a media reference", "use photo:<id> or attachment:<id>"
        )
    key = int(raw)
    with door.act("media.item", case=case) as act:
        if kind == "photo":
            df = door.read(
                select(S.photos.c.path, S.photos.c.user_id).where(S.photos.c.photo_id == key),
                action="media.item",
            )
            if df.empty:
                raise NotFoundError(f"no photo {key}")
            r = df.iloc[0]
            act.about([int(r.user_id)])
            return MediaItem(f"photo:{key}", "image", r.path, "image/jpeg", int(r.user_id))
        a, m = S.attachments, S.messages
        df = door.read(
            select(a.c.kind, a.c.path, a.c.media_type, m.c.sender_id)
            .join(m, m.c.message_id == a.c.message_id, isouter=True)
            .where(a.c.attachment_id == key),
            action="media.item",
        )
        if df.empty:
            raise NotFoundError(f"no attachment {key}")
        ar = df.iloc[0]
        sender = None if pd.isna(ar.sender_id) else int(ar.sender_id)
        act.about([sender] if sender is not None else [])
        return MediaItem(
            f"attachment:{key}",
            ar.kind if ar.kind in KINDS else "image",
            None if pd.isna(ar.path) else ar.path,
            ar.media_type,
            sender,
        )


def media_file(it: MediaItem) -> Path | None:
    """The file of ``it`` inside the media folder, or None if it was never rendered / is gone."""
    if not it.path:
        return None
    root = current_settings().media_dir.resolve()
    path = (root / it.path).resolve()
    if not path.is_relative_to(root):  # a stored path must never point outside the media folder
        raise InputError(
            f"media path of {it.ref} leaves the media folder", "the platform row is malformed"
        )
    return path if path.is_file() else None


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _placeholder(it: MediaItem, size: int, note: str) -> bytes:
    img = Image.new("L", (size, int(size * 0.75)), 200)
    ImageDraw.Draw(img).text((12, 12), f"{it.kind}\n{note}", fill=60)
    return _png(img)


def _open_image(it: MediaItem, size: int) -> Image.Image | None:
    path = media_file(it)
    if path is None:
        return None
    try:
        with Image.open(path) as opened:
            im = ImageOps.exif_transpose(opened)
            im.thumbnail((size, size))
            return im.convert("RGB")
    except (OSError, UnidentifiedImageError):
        return None


def blur_image(img: Image.Image) -> Image.Image:
    """Greyscale and blur hard enough that shapes stay but detail does not."""
    radius = max(6, max(img.size) // 14)
    return img.convert("L").filter(ImageFilter.GaussianBlur(radius))


def preview(ref: str | MediaItem, *, size: int = PREVIEW_SIZE) -> bytes:
    """Safe preview PNG: blurred greyscale for images, a neutral card for audio and video."""
    it = item(ref)
    if it.kind != "image":
        return _placeholder(it, size, "muted; reveal to play")
    img = _open_image(it, size)
    if img is None:
        return _placeholder(it, size, "no file")
    return _png(blur_image(img))


def clear_bytes(ref: str | MediaItem, *, size: int = PREVIEW_SIZE) -> tuple[bytes, str]:
    """The clear media and its media type (images downsized to ``size``). Callers that show it
    to a person must go through :func:`reveal`, which records the exposure."""
    it = item(ref)
    if it.kind == "image":
        img = _open_image(it, size)
        return (
            (_png(img), "image/png")
            if img is not None
            else (_placeholder(it, size, "no file"), "image/png")
        )
    path = media_file(it)
    if path is None:
        raise NotFoundError(f"the file of {it.ref} is not in the media folder")
    return path.read_bytes(), it.media_type


# --------------------------------------------------------------------------- preferences


@dataclass(frozen=True)
class ViewerPrefs:
    analyst: str
    blur: bool
    muted: bool = True  # audio and video always start muted


def preference(who: str | None = None) -> ViewerPrefs:
    """The analyst's viewer preference (blur on unless they turned it off)."""
    who = who or current_settings().analyst
    with store_session() as s:
        row = s.get(ViewerPrefRow, who)
        return ViewerPrefs(who, True if row is None else bool(row.blur))


def set_preference(*, blur: bool, who: str | None = None) -> ViewerPrefs:
    """Store whether media starts blurred for this analyst."""
    if not isinstance(blur, bool):
        raise InputError("blur must be True or False")
    who = who or current_settings().analyst
    with store_session() as s:
        row = s.get(ViewerPrefRow, who)
        if row is None:
            s.add(ViewerPrefRow(analyst=who, blur=blur, updated_at=utcnow()))
        else:
            row.blur, row.updated_at = blur, utcnow()
    return ViewerPrefs(who, blur)


# --------------------------------------------------------------------------- reveals


def reveal(
    case_id: str, ref: str | MediaItem, *, who: str | None = None, size: int = PREVIEW_SIZE
) -> tuple[bytes, str]:
    """Reveal one item for ``case_id``: records the exposure, returns the clear bytes and type."""
    validate_case_id(case_id)
    cases.get(case_id)  # NotFoundError for an unknown case
    it = item(ref, case=case_id)
    data = clear_bytes(it, size=size)
    who = who or current_settings().analyst
    with store_session() as s:
        s.add(RevealRow(case_id=case_id, item_ref=it.ref, kind=it.kind, who=who, at=utcnow()))
    audit.record(
        "media.reveal",
        case=case_id,
        details={"item": it.ref, "kind": it.kind},
        subjects=[it.owner] if it.owner is not None else None,
    )
    return data


@dataclass(frozen=True)
class Exposure:
    """How much media a case made people look at."""

    case_id: str
    reveals: int
    distinct_items: int
    by_kind: dict[str, int]
    by_analyst: dict[str, int]
    last_at: datetime | None


def exposure(case_id: str) -> Exposure:
    """The wellness exposure figure of a case: reveals, distinct items, by kind and analyst."""
    validate_case_id(case_id)
    with store_session() as s:
        rows = s.scalars(select(RevealRow).where(RevealRow.case_id == case_id)).all()
    return Exposure(
        case_id,
        len(rows),
        len({r.item_ref for r in rows}),
        dict(Counter(r.kind for r in rows)),
        dict(Counter(r.who for r in rows)),
        max((r.at for r in rows), default=None),
    )
