"""Case identifiers: ``ESC-YYYY-NNNNNN``.

A case id becomes a folder name, so it is checked strictly (ASCII only, exact shape) before
any path is built from it: ``../x``, empty strings and unicode look-alikes are refused.
"""
from __future__ import annotations

import re
from pathlib import Path

from .errors import InputError

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
