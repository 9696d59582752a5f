"""Signed bundles and a robust verify: forgeries fail, the recipient's openssl recipe works on a
real bundle, malformed and hostile zips are refused in one line within bounded memory."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from bundle_support import entries, rehash, write

from workbench import cases
from workbench.cli import main as cli
from workbench.evidence import items as evidence
from workbench.evidence.bundle import BundleRefused, create_bundle, verify_bundle


@pytest.fixture
def bundle(store_env, tmp_path) -> Path:
    cid = cases.create(category="scam_fraud", summary="gift cards", subjects=[11]).case_id
    df = pd.DataFrame({"message_id": [1, 2], "body": ["hi", "send a gift card"]})
    df.attrs["provenance"] = {"query": "messages_by_user", "sql": "SELECT 1", "case": cid}
    evidence.add_query_result(cid, df)
    evidence.add_note(cid, "Subject asked for gift cards.")
    return create_bundle(cid, "internal", tmp_path / "b.zip").path


def test_a_bundle_is_signed_with_the_home_key_made_private_on_first_use(bundle, store_env):
    key = store_env.home / "secrets" / "bundles.pem"
    assert key.is_file() and key.stat().st_mode & 0o077 == 0
    e = entries(bundle)
    m = json.loads(e["manifest.json"])
    assert m["signature"]["algorithm"] == "Ed25519" and len(e["manifest.sig"]) == 64
    assert m["signature"]["key_fingerprint"].startswith("sha256:")
    assert b"BEGIN PUBLIC KEY" in e["bundle-key.pem"] and b"PRIVATE" not in e["bundle-key.pem"]
    assert "openssl pkeyutl -verify -pubin -inkey bundle-key.pem -rawin" in e["README.txt"].decode()
    report = verify_bundle(bundle)
    assert report.ok and report.signed_by == m["signature"]["key_fingerprint"]


def test_edit_rehash_and_new_id_fails_even_where_the_store_does_not_know_it(bundle, tmp_path):
    """The forger edits a note, recomputes every hash, the root hash and the custody chain and
    gives the bundle a new id (so no case store record can catch it): the signature does."""
    e = entries(bundle)
    e["notes/E0002.md"] = b"Nothing happened."
    e = rehash(e, bundle_id="B-" + "0" * 16)
    report = verify_bundle(write(tmp_path / "forged.zip", e))
    assert not report.ok
    assert report.problems == [
        "manifest.json was edited after it was signed (the signature does not match)"
    ]


def test_unsigned_and_other_key_and_untrusted_fail_with_one_line(bundle, tmp_path, capsys):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from workbench.keys import fingerprint, public_pem

    e = entries(bundle)
    unsigned = {k: v for k, v in e.items() if k != "manifest.sig"}
    report = verify_bundle(write(tmp_path / "unsigned.zip", unsigned))
    assert report.problems == ["unsigned: the bundle carries no signature (manifest.sig)"]

    other = Ed25519PrivateKey.generate()
    resigned = {
        **e,
        "manifest.sig": other.sign(e["manifest.json"]),
        "bundle-key.pem": public_pem(other),
    }
    report = verify_bundle(write(tmp_path / "other.zip", resigned))
    assert report.problems == [
        f"signed by another key ({fingerprint(other)}), not by a trusted one"
    ]

    # the recipient trusts only the key they were given
    pem = tmp_path / "other.pem"
    pem.write_bytes(public_pem(other))
    assert verify_bundle(tmp_path / "other.zip", trust=[pem]).signed_by == fingerprint(other)
    assert not verify_bundle(bundle, trust=[pem]).ok
    assert cli(["bundle", "verify", str(bundle), "--trust", str(pem)]) == 1
    out = capsys.readouterr().out
    assert "signed by another key" in out
    theirs = tmp_path / "theirs.pem"
    theirs.write_bytes(e["bundle-key.pem"])
    assert cli(["bundle", "verify", str(bundle), "--trust", str(theirs)]) == 0


def test_the_recipient_recipe_works_with_openssl_alone(bundle, tmp_path):
    openssl = shutil.which("openssl")
    assert openssl, "openssl is missing: `make system-deps` installs it (the recipe needs it)"
    out = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(out)
    ok = subprocess.run(
        [openssl, "pkeyutl", "-verify", "-pubin", "-inkey", "bundle-key.pem", "-rawin"]
        + ["-in", "manifest.json", "-sigfile", "manifest.sig"],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "Signature Verified Successfully" in ok.stdout
    readme = (out / "README.txt").read_text()
    # the README's Python one-liner checks the files
    line = next(ln.strip() for ln in readme.splitlines() if ln.strip().startswith("python3 -c"))
    script = line.split("-c ", 1)[1].strip().strip('"')
    got = subprocess.run(
        [sys.executable, "-c", script], cwd=out, capture_output=True, text=True, check=True
    )
    assert "CHANGED" not in got.stdout and got.stdout.count("OK") >= 3
    manifest = (out / "manifest.json").read_bytes()
    (out / "manifest.json").write_bytes(manifest.replace(b"E0002", b"E0009"))
    bad = subprocess.run(
        [openssl, "pkeyutl", "-verify", "-pubin", "-inkey", "bundle-key.pem", "-rawin"]
        + ["-in", "manifest.json", "-sigfile", "manifest.sig"],
        cwd=out,
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0
    # the fingerprint line of the README gives the fingerprint in the manifest
    der = subprocess.run(
        [openssl, "pkey", "-pubin", "-in", "bundle-key.pem", "-outform", "DER"],
        cwd=out,
        capture_output=True,
        check=True,
    ).stdout
    fp = "sha256:" + hashlib.sha256(der[-32:]).hexdigest()
    assert fp in readme


# --------------------------------------------------------------------------- hostile zips

_BOMBS = textwrap.dedent(r"""
    import struct, sys, zipfile, zlib
    from pathlib import Path
    out = Path(sys.argv[1])

    def bomb(path, gib=1):
        # one entry of zeros streamed through deflate: ~1 MB on disk, GiBs inflated
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            with zf.open("manifest.json", "w", force_zip64=True) as fh:
                block = b"\0" * (1 << 20)
                for _ in range(gib * 1024):
                    fh.write(block)

    bomb(out / "bomb.zip", 3)
    with zipfile.ZipFile(out / "encrypted.zip", "w") as zf:
        zf.writestr("manifest.json", b"{}")
    data = bytearray((out / "encrypted.zip").read_bytes())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        i = data.find(sig)
        off = 6 if sig == b"PK\x03\x04" else 8
        data[i + off] |= 1
    (out / "encrypted.zip").write_bytes(bytes(data))
    with zipfile.ZipFile(out / "method.zip", "w") as zf:
        zf.writestr("manifest.json", b"{}")
    data = bytearray((out / "method.zip").read_bytes())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        i = data.find(sig)
        off = 8 if sig == b"PK\x03\x04" else 10
        data[i + off : i + off + 2] = struct.pack("<H", 99)
    (out / "method.zip").write_bytes(bytes(data))
    with zipfile.ZipFile(out / "paths.zip", "w") as zf:
        zf.writestr("../../etc/evil.txt", b"x")
    with zipfile.ZipFile(out / "huge_manifest.zip", "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.json", b"[" + b"1," * (40 << 20) + b"1]")
    with zipfile.ZipFile(out / "types.zip", "w") as zf:
        zf.writestr("manifest.json", b'{"bundle_id": 7, "items": "x"}')
        zf.writestr("custody.jsonl", b"")
    with zipfile.ZipFile(out / "types2.zip", "w") as zf:
        zf.writestr("manifest.json", json.dumps({"bundle_id": "B", "case_id": "ESC-2026-000001", "audience": "legal", "root_hash": "x", "documents": [], "items": [{"files": [{"path": "a", "sha256": "zz", "size": "big"}]}]}))
    with zipfile.ZipFile(out / "many.zip", "w") as zf:
        for n in range(20_001):
            zf.writestr(f"f{n}", b"")
""").replace("import struct,", "import json, struct,")

_MEASURE = textwrap.dedent("""
    import sys
    from workbench.errors import WorkbenchError
    from workbench.evidence.verify import verify_bundle
    import workbench.cli.evidence  # everything the command loads, before the baseline
    def rss():
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS:"))
    print("BASE", rss())
    try:
        verify_bundle(sys.argv[1])
        print("ACCEPTED")
    except WorkbenchError as exc:
        print("REFUSED", str(exc))
    # VmHWM, this process's own peak (ru_maxrss keeps the forking parent's across exec)
    with open("/proc/self/status") as fh:
        print("PEAK", next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:")))
""")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    subprocess.run([sys.executable, "-c", _BOMBS, str(folder)], check=True, timeout=600)
    return folder


HOSTILE = {
    "bomb.zip": "a zip bomb",
    "encrypted.zip": "is encrypted",
    "method.zip": "compression method 99",
    "paths.zip": "points outside the archive",
    "huge_manifest.zip": "manifest.json declares",
    "types.zip": "manifest.json is not a bundle manifest",
    "types2.zip": "manifest.json is not a bundle manifest",
    "many.zip": "20,001 entries",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_zips_are_refused_in_one_line_with_bounded_memory(store_env, hostile, name):
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(hostile / name)],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert lines[1].startswith("REFUSED") and HOSTILE[name] in lines[1], lines
    assert "Traceback" not in proc.stderr
    # KiB on Linux; the libraries the workbench loads (pandas, pyarrow, SQLAlchemy) are the
    # baseline: what verifying costs on top of them must stay under 200 MB
    base, peak = int(lines[0].split()[1]), int(lines[-1].split()[1])
    assert (peak - base) / 1024 < 200, (base, peak)


def test_cli_refuses_a_bomb_in_one_line(store_env, hostile, capsys):
    assert cli(["bundle", "verify", str(hostile / "encrypted.zip")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "encrypted" in err


def test_bundle_refused_is_an_input_error():
    from workbench.errors import InputError

    assert issubclass(BundleRefused, InputError)
