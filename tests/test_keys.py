"""Secret and signing keys under <home>/secrets: private, made once, shared by racing first
users, and refused when damaged or readable by others."""

from __future__ import annotations

import os
import subprocess
import threading

import pytest

from workbench import keys
from workbench.errors import InputError


def test_secret_is_private_stable_and_per_name(store_env):
    a = keys.secret("pseudonyms/ESC-2026-000001")
    assert keys.secret("pseudonyms/ESC-2026-000001") == a != keys.secret("pseudonyms/dashboards")
    path = keys.key_path("pseudonyms/ESC-2026-000001")
    assert (
        path.stat().st_mode & 0o077 == 0
        and (store_env.home / "secrets").stat().st_mode & 0o077 == 0
    )


def test_racing_first_users_agree_on_one_key(store_env):
    got: list[bytes] = []
    threads = [threading.Thread(target=lambda: got.append(keys.secret("race"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1 and len(got) == 8


@pytest.mark.parametrize("name", ["../x", "a/../b", "", "A", "kind/scope/more", "kind/.."])
def test_key_names_cannot_escape(store_env, name):
    with pytest.raises(InputError):
        keys.key_path(name)


def test_a_damaged_secret_is_refused(store_env):
    keys.secret("broken")
    keys.key_path("broken").write_text("not hex")
    with pytest.raises(InputError, match="damaged"):
        keys.secret("broken")


def test_signing_key_signs_and_others_verify_with_openssl(store_env, tmp_path):
    key = keys.signing_key("bundles")
    assert keys.fingerprint(key) == keys.fingerprint(keys.signing_key("bundles"))
    data = b'{"manifest": true}\n'
    sig = key.sign(data)
    pub = keys.load_public_key(keys.public_pem(key))
    assert keys.verify_signature(pub, sig, data) and not keys.verify_signature(
        pub, sig, data + b" "
    )
    (tmp_path / "pub.pem").write_bytes(keys.public_pem(key))
    (tmp_path / "m.json").write_bytes(data)
    (tmp_path / "m.sig").write_bytes(sig)
    proc = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "pub.pem",
            "-rawin",
            "-in",
            "m.json",
            "-sigfile",
            "m.sig",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", "pub.pem", "-outform", "DER"],
        cwd=tmp_path,
        capture_output=True,
    ).stdout
    import hashlib

    assert keys.fingerprint(key) == "sha256:" + hashlib.sha256(der[-32:]).hexdigest()


def test_a_readable_signing_key_is_refused(store_env):
    keys.signing_key("audit")
    path = keys.key_path("audit").with_suffix(".pem")
    os.chmod(path, 0o644)
    with pytest.raises(InputError, match="can be read by others"):
        keys.signing_key("audit")
    with pytest.raises(InputError, match="no signing key"):
        keys.signing_key("team", path=store_env.home / "missing.pem")
