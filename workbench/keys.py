"""Secret keys kept under ``<home>/secrets/`` (folder mode 0700, files 0600), made on first use.

A key is written to a temporary file and hard-linked into place, so two kernels that need it
at the same moment agree on one key and neither ever reads half a file. Keys never go into the
case store, a bundle or a report.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from workbench.config import Settings
from workbench.config import settings as current_settings
from workbench.errors import InputError
from workbench.files import atomic_write

_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,40}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,60})?$")


def secrets_dir(cfg: Settings | None = None) -> Path:
    """``<home>/secrets``, created private."""
    folder = (cfg or current_settings()).home / "secrets"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def key_path(name: str, cfg: Settings | None = None) -> Path:
    """Where the key ``name`` (``kind`` or ``kind/scope``, e.g. ``pseudonyms/ESC-2026-000001``)
    lives; the name is checked before it becomes a path."""
    if not _NAME_RE.match(name) or ".." in name:
        raise InputError(f"{name!r} is not a key name", "use kind or kind/scope")
    path = secrets_dir(cfg).joinpath(*name.split("/")).with_suffix(".key")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def secret(name: str, cfg: Settings | None = None, *, adopt: Path | None = None) -> bytes:
    """The 32-byte secret ``name``, made on first use. ``adopt`` names an older file holding
    the same key (kept from an earlier layout), taken over when no key exists yet."""
    path = key_path(name, cfg)
    if not path.exists():
        if adopt is not None and adopt.is_file():
            atomic_write(path, adopt.read_text().strip(), if_exists="keep", mode=0o600)
        else:
            atomic_write(path, secrets.token_hex(32), if_exists="keep", mode=0o600)
    text = path.read_text().strip()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise InputError(f"the key {path} is damaged", "restore it from backup")
    return bytes.fromhex(text)
