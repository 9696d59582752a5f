"""Identifiers: case ids ``ESC-YYYY-NNNNNN`` and platform ids (users, photos, conversations).

A case id becomes a folder name, so it is checked strictly (ASCII only, exact shape) before
any path is built from it: ``../x``, empty strings and unicode look-alikes are refused.
Platform ids are positive 64-bit whole numbers, given as ints or ASCII digits.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.errors import InputError

CASE_ID_RE = re.compile(r"ESC-(\d{4})-(\d{6})")


def validate_case_id(value: object) -> str:
    """Return ``value`` if it is a well-formed case id, else raise :class:`InputError`."""
    if not isinstance(value, str) or not value:
        raise InputError("case id is empty", "case ids look like ESC-2026-000123")
    if not value.isascii() or not CASE_ID_RE.fullmatch(value):
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise InputError(f"{shown!r} is not a case id", "case ids look like ESC-2026-000123")
    return value


def case_folder(cases_dir: Path, case_id: str) -> Path:
    """The folder of a case under ``cases_dir``; the id is validated first."""
    folder = (cases_dir / validate_case_id(case_id)).resolve()
    if folder.parent != cases_dir.resolve():  # belt and braces: never escape the cases folder
        raise InputError(f"{case_id!r} does not name a folder inside {cases_dir}")
    return folder


def check_user_id(value: object, what: str = "platform user id") -> int:
    """``value`` as a positive 64-bit id, or :class:`InputError` saying it is not a ``what``."""
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int):
            uid = value
        elif hasattr(value, "item") and not isinstance(value, (str, bytes)):
            uid = int(value.item())  # numpy scalar
        else:
            text = str(value).strip()
            if not (text.isascii() and text.isdigit()):  # no look-alike digits, no signs
                raise ValueError
            uid = int(text)
    except (TypeError, ValueError):
        raise InputError(f"{shown} is not a {what}", "ids are whole numbers") from None
    if not 0 < uid < 2**63:
        raise InputError(f"{shown} is not a {what}", "ids are positive 64-bit numbers")
    return uid
