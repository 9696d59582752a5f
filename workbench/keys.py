"""Secret keys kept under ``<home>/secrets/`` (folder mode 0700, files 0600), made on first use:
32-byte secrets (:func:`secret`, for HMAC pseudonyms) and Ed25519 signing keys
(:func:`signing_key`, for audit checkpoints and bundles; ``cryptography``).

A key is written to a temporary file and hard-linked into place, so two kernels that need it
at the same moment agree on one key and neither ever reads half a file. Keys never go into the
case store, a bundle or a report.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

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


# --------------------------------------------------------------------------- signing keys


def signing_key(name: str, cfg: Settings | None = None, *, path: Path | None = None) -> Any:
    """The Ed25519 private key ``name`` (``<home>/secrets/<name>.pem``, PKCS#8, mode 0600),
    made on first use; or the key file at ``path`` (a team's key, which must exist and be
    private). Refuses a key file others can read."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path is None:
        path = key_path(name, cfg).with_suffix(".pem")
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            atomic_write(path, pem, if_exists="keep", mode=0o600)
    path = Path(path)
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        raise InputError(f"no signing key at {path}", "check the setting that names it") from None
    if mode & 0o077:
        raise InputError(
            f"the signing key {path} can be read by others (mode {mode:o})", f"chmod 600 {path}"
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise InputError(
            f"{path} is not an unencrypted PEM private key", "give an Ed25519 key in PKCS#8 PEM"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{path} is not an Ed25519 key", "give an Ed25519 key in PKCS#8 PEM")
    return key


def public_pem(key: Any) -> bytes:
    """The public half of a private key (or a public key) as SubjectPublicKeyInfo PEM."""
    from cryptography.hazmat.primitives import serialization

    pub = key.public_key() if hasattr(key, "private_bytes") else key
    return pub.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(pem: bytes) -> Any:
    """An Ed25519 public key from PEM; :class:`InputError` if it is not one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        pub = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise InputError("not a PEM public key", "give the Ed25519 public key in PEM") from None
    if not isinstance(pub, Ed25519PublicKey):
        raise InputError("not an Ed25519 public key", "give the Ed25519 public key in PEM")
    return pub


def fingerprint(key: Any) -> str:
    """``sha256:<hex>`` of the raw 32-byte public key (what ``openssl pkey -pubin -outform DER |
    tail -c 32 | sha256sum`` prints), for a private or public key."""
    import hashlib

    from cryptography.hazmat.primitives import serialization

    pub = key.public_key() if hasattr(key, "private_bytes") else key
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def verify_signature(public: Any, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` (64 raw bytes) is ``public``'s Ed25519 signature of ``data``."""
    from cryptography.exceptions import InvalidSignature

    try:
        public.verify(signature, data)
    except InvalidSignature:
        return False
    return True
