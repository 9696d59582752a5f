"""Bundles: contents, determinism, every kind of tampering found, atomic writing, CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from bundle_support import entries, rehash, write
from sqlalchemy import text

from workbench import cases
from workbench.cli import main as cli
from workbench.errors import InputError
from workbench.evidence import items as evidence
from workbench.evidence.bundle import create_bundle, verify_bundle


def _users(n: int) -> list[int]:
    from workbench.platform.engine import platform_engine

    with platform_engine().connect() as conn:
        return [
            r[0]
            for r in conn.execute(text(f"SELECT user_id FROM users ORDER BY user_id LIMIT {n}"))
        ]


@pytest.fixture
def case_id(wb_env, tmp_path) -> str:
    import plotly.graph_objects as go

    subject, reporter = _users(2)
    cid = cases.create(
        category="scam_fraud",
        summary="Gift-card scam <b>ring</b>",
        subjects=[subject],
        reporters=[reporter],
    ).case_id
    df = pd.DataFrame(
        {
            "message_id": [1, 2],
            "sender_id": [subject, subject],
            "body": ["こんにちは", "<script>alert(1)</script> مرحبا"],
            "sent_at": pd.to_datetime(["2026-10-01T10:00Z", "2026-10-02T11:30Z"]),
        }
    )
    df.attrs["provenance"] = {
        "query": "messages_by_user",
        "sql": "SELECT ...",
        "params": {"user_id": subject},
        "row_count": 2,
        "case": cid,
    }
    evidence.add_query_result(cid, df, note="first contact")
    evidence.add_note(cid, "Subject asked for gift cards.")
    evidence.add_figure(cid, go.Figure(go.Bar(x=["a"], y=[1])), title="messages per day")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + os.urandom(300_000))
    evidence.add_content(cid, photo, kind="photo")
    return cid


def test_bundle_holds_manifest_custody_index_data_and_media(case_id, tmp_path):
    res = create_bundle(case_id, "internal", tmp_path)
    assert res.path.parent == tmp_path and res.path.name.endswith(".zip")
    with zipfile.ZipFile(res.path) as zf:
        names = zf.namelist()
        assert names == [
            "data/E0001.csv",
            "data/E0001.parquet",
            "notes/E0002.md",
            "figures/E0003.json",
            "media/E0004.jpg",
            "index.html",
            "README.txt",
            "manifest.json",
            "manifest.sig",
            "bundle-key.pem",
            "custody.jsonl",
        ]
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
        assert zf.getinfo("media/E0004.jpg").compress_type == zipfile.ZIP_STORED
        assert zf.getinfo("data/E0001.csv").compress_type == zipfile.ZIP_DEFLATED
        m = json.loads(zf.read("manifest.json"))
        custody = [json.loads(line) for line in zf.read("custody.jsonl").decode().splitlines()]
        index = zf.read("index.html").decode()
        parquet = pd.read_parquet(zf.open("data/E0001.parquet"))
    for key in (
        "bundle_id",
        "case_id",
        "audience",
        "created_at",
        "created_by",
        "tool",
        "items",
        "root_hash",
    ):
        assert m[key], key
    assert (
        m["case_id"] == case_id
        and m["audience"] == "internal"
        and m["created_by"] == "test.analyst"
    )
    q = m["items"][0]
    assert q["type"] == "query_result" and q["source"] == "query:messages_by_user"
    assert q["query"]["name"] == "messages_by_user" and q["query"]["row_count"] == 2
    assert q["collected_by"] == "test.analyst" and q["collected_at"].endswith("+00:00")
    items = evidence.list_items(case_id)
    assert q["original"]["sha256"] == items[0].sha256
    # The parquet in an internal bundle is the collected payload itself; the CSV is derived.
    assert q["files"][1]["sha256"] == items[0].sha256 and not q["files"][1]["derived"]
    assert q["files"][0]["derived"] and q["files"][0]["parent"]["sha256"] == items[0].sha256
    assert parquet["body"].tolist() == ["こんにちは", "<script>alert(1)</script> مرحبا"]
    assert [c["event"] for c in custody] == ["collected"] * 4 + ["bundled", "exported"]
    assert custody[-2]["details"]["manifest_sha256"] == res.manifest_sha256
    assert custody[0]["prev"] == "0" * 64 and custody[1]["prev"] == custody[0]["hash"]
    # index.html: escaped, direction-aware, data as tables.
    assert "<script>alert(1)</script>" not in index and "&lt;script&gt;" in index
    assert 'dir="auto"' in index and "こんにちは" in index and "<table>" in index
    assert "Gift-card scam &lt;b&gt;ring&lt;/b&gt;" in index
    report = verify_bundle(res.path)
    assert report.ok, report.problems
    assert report.files_checked == 7 and report.custody_events == 6
    assert report.signed_by and report.signed_by == m["signature"]["key_fingerprint"]
    # The store's custody chain records the real handling, and verification too.
    events = [e.event for e in evidence.custody(case_id)]
    assert events[-3:] == ["bundled", "exported", "verified"]
    assert evidence.verify_custody(case_id) == []


def test_bundles_created_and_verified_are_in_the_audit_log(case_id, tmp_path):
    from workbench.store import audit

    res = create_bundle(case_id, "legal", tmp_path / "legal.zip")
    verify_bundle(res.path)
    bad = _rewrite(
        res.path, tmp_path / "bad.zip", lambda n, b: [] if n == "notes/E0002.md" else [(n, b)]
    )
    verify_bundle(bad)
    log = audit.records(case=case_id)
    rows = log[log["action"].str.startswith("bundle.")]
    assert rows["action"].tolist() == ["bundle.create", "bundle.verify", "bundle.verify"]
    assert rows["outcome"].tolist() == ["ok", "ok", "failed"]
    assert res.bundle_id in rows.iloc[0]["details"] and "legal" in rows.iloc[0]["details"]
    assert audit.verify() is None


@pytest.mark.parametrize("audience", ["internal", "external"])
def test_same_state_and_audience_give_identical_bytes(case_id, tmp_path, audience):
    a = create_bundle(case_id, audience, tmp_path / "a.zip")
    b = create_bundle(case_id, audience, tmp_path / "b.zip")  # after a's custody events: same state
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.bundle_id == b.bundle_id
    evidence.add_note(case_id, "one more")
    c = create_bundle(case_id, audience, tmp_path / "c.zip")
    assert c.bundle_id != a.bundle_id


def _rewrite(src: Path, dst: Path, change) -> Path:
    """Copy a zip entry by entry, letting ``change(name, data)`` return [(name, data), ...]."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            for name, data in change(info.filename, zin.read(info)):
                zout.writestr(name, data)
    return dst


def _flip_byte(src: Path, dst: Path, entry: str) -> Path:
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(entry)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x01
    dst.write_bytes(bytes(data))
    return dst


def _custody_edit(name, data):
    if name != "custody.jsonl":
        return [(name, data)]
    lines = data.decode().splitlines()
    lines[1] = lines[1].replace('"actor":"test.analyst"', '"actor":"mallory"')
    return [(name, "\n".join(lines) + "\n")]


def _custody_reorder(name, data):
    if name != "custody.jsonl":
        return [(name, data)]
    lines = data.decode().splitlines()
    lines[1], lines[2] = lines[2], lines[1]
    return [(name, "\n".join(lines) + "\n")]


def _manifest_edit(name, data):
    if name != "manifest.json":
        return [(name, data)]
    m = json.loads(data)
    m["items"][0]["source"] = "query:something_else"
    return [(name, json.dumps(m, sort_keys=True, indent=2))]


TAMPERING = {
    "flipped byte": (
        lambda s, d: _flip_byte(s, d, "media/E0004.jpg"),
        "changed file: media/E0004.jpg",
    ),
    "changed file": (
        lambda s, d: _rewrite(s, d, lambda n, b: [(n, b + b"\n" if n == "notes/E0002.md" else b)]),
        "changed file: notes/E0002.md",
    ),
    "removed file": (
        lambda s, d: _rewrite(s, d, lambda n, b: [] if n == "data/E0001.csv" else [(n, b)]),
        "missing file: data/E0001.csv",
    ),
    "added file": (
        lambda s, d: _rewrite(
            s,
            d,
            lambda n, b: [(n, b)] + ([("data/extra.csv", b"a\n1\n")] if n == "index.html" else []),
        ),
        "extra file: data/extra.csv",
    ),
    "renamed file": (
        lambda s, d: _rewrite(
            s, d, lambda n, b: [("notes/renamed.md" if n == "notes/E0002.md" else n, b)]
        ),
        "renamed file: notes/E0002.md -> notes/renamed.md",
    ),
    "edited manifest": (lambda s, d: _rewrite(s, d, _manifest_edit), "manifest.json was edited"),
    "edited custody line": (
        lambda s, d: _rewrite(s, d, _custody_edit),
        "custody.jsonl line 2 (collected) was edited",
    ),
    "reordered custody": (lambda s, d: _rewrite(s, d, _custody_reorder), "chain broken"),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_every_kind_of_tampering_is_named(case_id, tmp_path, kind, capsys):
    res = create_bundle(case_id, "internal", tmp_path / "good.zip")
    assert verify_bundle(res.path).ok
    make, expected = TAMPERING[kind]
    bad = make(res.path, tmp_path / "bad.zip")
    report = verify_bundle(bad)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems
    assert cli(["bundle", "verify", str(bad)]) == 1
    assert expected in capsys.readouterr().out


def test_a_consistently_rebuilt_manifest_is_caught_by_the_case_store(case_id, tmp_path):
    """Someone edits a file and recomputes manifest, root hash and the whole custody chain."""
    res = create_bundle(case_id, "internal", tmp_path / "good.zip")
    forged = entries(res.path)
    forged["notes/E0002.md"] = b"Nothing happened."
    bad = write(tmp_path / "forged.zip", rehash(forged))
    report = verify_bundle(bad)
    assert any("differs from the one recorded in the case store" in p for p in report.problems)


def test_cli_create_and_verify(case_id, tmp_path, capsys):
    out = tmp_path / "legal.zip"
    assert cli(["bundle", "create", case_id, "--audience", "legal", "--out", str(out)]) == 0
    assert out.is_file() and str(out) in capsys.readouterr().out
    assert cli(["bundle", "verify", str(out)]) == 0
    assert "OK" in capsys.readouterr().out
    assert cli(["bundle", "create", case_id, "--audience", "legal", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli(["bundle", "create", case_id, "--audience", "press", "--out", str(tmp_path)]) == 2
    assert "not an audience" in capsys.readouterr().err
    (tmp_path / "not.zip").write_text("hello")
    assert cli(["bundle", "verify", str(tmp_path / "not.zip")]) == 2


def test_a_changed_payload_is_refused_before_anything_is_written(case_id, tmp_path):
    item = evidence.list_items(case_id)[1]
    os.chmod(item.path, 0o644)
    item.path.write_text("edited behind the workbench's back")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Exception, match="changed on disk since it was collected"):
        create_bundle(case_id, "external", out / "x.zip")
    assert list(out.iterdir()) == []


def test_empty_case_and_bad_target_are_refused(wb_env, tmp_path):
    cid = cases.create(category="spam", summary="nothing yet").case_id
    with pytest.raises(InputError, match="no evidence"):
        create_bundle(cid, "internal", tmp_path)


_KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    from workbench.evidence.bundle import create_bundle

    def progress(done, total, label):
        print(done, total, label, flush=True)
        time.sleep(0.2)  # slow enough for the test to kill us mid-way

    create_bundle(sys.argv[1], "internal", sys.argv[2], progress=progress)
    print("DONE", flush=True)
""")


def test_a_killed_process_leaves_nothing_that_looks_complete(case_id, tmp_path, wb_env):
    big = tmp_path / "video.mp4"
    with open(big, "wb") as fh:
        for _ in range(24):
            fh.write(os.urandom(1 << 20))
    evidence.add_content(case_id, big, kind="media")
    outdir = tmp_path / "out"
    outdir.mkdir()
    target = outdir / "bundle.zip"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT, case_id, str(target)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    seen = 0
    for line in proc.stdout:
        if "E0005" in line:  # copying the big media item
            seen += 1
            if seen == 3:
                break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert seen == 3
    assert not target.exists()
    assert [p for p in outdir.iterdir() if p.suffix == ".zip"] == []
    leftovers = list(outdir.iterdir())
    assert all(p.name.startswith(".") and p.name.endswith(".part") for p in leftovers)
    # The same bundle written without interruption is complete and verifies.
    res = create_bundle(case_id, "internal", target)
    assert verify_bundle(res.path).ok
