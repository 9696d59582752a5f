"""Bundle signatures: the team's Ed25519 bundle key signs each bundle's ``manifest.json``.

The key (:func:`bundle_key`) is ``<home>/secrets/bundles.pem``, made on first use with mode
0600 (:func:`workbench.keys.signing_key`); ``WORKBENCH_BUNDLE_KEY`` names a team's shared key
file instead. A bundle carries ``manifest.sig`` (the raw 64-byte signature of the manifest's
bytes), ``bundle-key.pem`` (the public key) and, inside the signed manifest, the key's
fingerprint. A recipient checks it with OpenSSL 3 alone (see :data:`RECIPE`); trust comes from
comparing the fingerprint with the one the team published, not from the key in the zip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.config import settings
from workbench.keys import fingerprint, load_public_key, public_pem, signing_key, verify_signature

KEY_NAME = "bundles"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "bundle-key.pem"
ALGORITHM = "Ed25519"

RECIPE = """\
How to check this bundle without the workbench (OpenSSL 3.0 or later)

1. The signature: manifest.json is signed with the sender's Ed25519 bundle key.

     openssl pkeyutl -verify -pubin -inkey bundle-key.pem -rawin \\
         -in manifest.json -sigfile manifest.sig

   It prints "Signature Verified Successfully". (-rawin is needed for Ed25519.)

2. The key: compare its fingerprint with the one the sender gave you by another channel
   (this bundle says {fingerprint}).

     openssl pkey -pubin -in bundle-key.pem -outform DER | tail -c 32 | sha256sum

   prints the hex part of the fingerprint. Anyone can put a key of their own in a zip: only a
   fingerprint you got from the sender makes the signature theirs.

3. The files: every file of the bundle is listed in manifest.json with its sha256.

     sha256sum data/E0001.csv        # and so on; compare with "sha256" in manifest.json

   Or all at once, with Python 3:

     python3 -c "import json,hashlib;m=json.load(open('manifest.json'));[print('OK' if hashlib.sha256(open(f['path'],'rb').read()).hexdigest()==f['sha256'] else 'CHANGED',f['path']) for it in m['items'] for f in it['files']]"

With the workbench: workbench bundle verify THIS.zip --trust bundle-key-of-the-sender.pem
"""


def bundle_key() -> Any:
    """The team's bundle signing key (made on first use under the home, mode 0600)."""
    cfg = settings()
    return signing_key(KEY_NAME, cfg, path=cfg.bundle_key)


def home_public_key() -> Any | None:
    """The public half of this home's bundle key, if it has one (never made here)."""
    cfg = settings()
    path = cfg.bundle_key or (cfg.home / "secrets" / f"{KEY_NAME}.pem")
    if not Path(path).is_file():
        return None
    return bundle_key().public_key()


def sign(data: bytes) -> tuple[bytes, bytes, str]:
    """(signature, public key PEM, fingerprint) of ``data`` under the bundle key."""
    key = bundle_key()
    return key.sign(data), public_pem(key), fingerprint(key)


def load_trusted(path: Path | str) -> Any:
    """A public key to trust, from a PEM file (a private key file gives its public half)."""
    from workbench.errors import InputError, NotFoundError

    p = Path(path).expanduser()
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"no key file at {p}", "give the sender's public key (PEM)") from None
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror}") from None
    if b"PRIVATE KEY" in raw:
        return signing_key(KEY_NAME, path=p).public_key()
    return load_public_key(raw)


def load_trusted_pem(pem: bytes) -> Any:
    """A public key from PEM bytes (:class:`~workbench.errors.InputError` if it is none)."""
    return load_public_key(pem)


def check(public: Any, signature: bytes, data: bytes) -> bool:
    return len(signature) == 64 and verify_signature(public, signature, data)


__all__ = [
    "ALGORITHM",
    "PUBLIC_KEY",
    "RECIPE",
    "SIGNATURE",
    "bundle_key",
    "check",
    "fingerprint",
    "home_public_key",
    "load_trusted",
    "sign",
]
