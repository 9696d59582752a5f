"""The ways in and out around evidence: `evidence add` takes regular files only, media types come
from the bytes, lineage decides columns under any alias, the exit scanner refuses what a
redaction missed (naming the part, never the value), every evidence kind bundles for every
audience (a property test of random mixes), and platform text is escaped in figures."""

from __future__ import annotations

import io
import json
import os
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import cases
from workbench.cli import main as cli
from workbench.errors import InputError, NotFoundError
from workbench.evidence import items as evidence
from workbench.evidence.bundle import create_bundle, verify_bundle
from workbench.evidence.lineage import result_lineage
from workbench.evidence.protected import protected
from workbench.evidence.redaction import Person, Redactor, load_profile
from workbench.evidence.scanner import ExitScanner, LeakFound

AUDIENCES = ("internal", "legal", "law_enforcement", "external")


@pytest.fixture
def case_id(wb_env) -> str:
    return cases.create(category="scam_fraud", summary="gift cards", subjects=[11]).case_id


# --------------------------------------------------------------------------- evidence add


def test_evidence_add_takes_regular_files_only(case_id, wb_env, tmp_path, capsys):
    link = tmp_path / "innocent.png"
    link.symlink_to("/etc/shadow")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    secret = wb_env.home / "secrets" / "x.key"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text("k")
    for path, message in (
        (link, "is a symbolic link"),
        (fifo, "not a regular file"),
        (tmp_path, "not a regular file"),
        ("/proc/self/environ", "system or workbench-private"),
        ("/etc/passwd", "system or workbench-private"),
        ("/dev/null", "not a regular file"),
        (secret, "system or workbench-private"),
    ):
        with pytest.raises(InputError, match=message):
            evidence.add_file(case_id, path)
        assert cli(["evidence", "add", case_id, str(path)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    with pytest.raises(NotFoundError):
        evidence.add_file(case_id, tmp_path / "missing")
    assert evidence.list_items(case_id) == []


def test_evidence_add_has_a_size_cap(case_id, tmp_path, set_setting):
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2048)
    set_setting("WORKBENCH_EVIDENCE_MAX_BYTES", "1024")
    with pytest.raises(InputError, match="over the 1,024-byte cap"):
        evidence.add_file(case_id, big)


def test_the_media_type_comes_from_the_bytes_never_the_name(case_id, tmp_path):
    docx = tmp_path / "photo.jpg"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:t>secret</w:t>")
    docx.write_bytes(buf.getvalue())
    item = evidence.add_file(case_id, docx)
    assert item.media_type.endswith("wordprocessingml.document")
    res = create_bundle(case_id, "legal", tmp_path)
    with zipfile.ZipFile(res.path) as zf:
        assert not [n for n in zf.namelist() if n.startswith("files/")]
        manifest = json.loads(zf.read("manifest.json"))
    assert "cannot be redacted" in manifest["omitted"][0]["reason"]


# --------------------------------------------------------------------------- lineage


def test_lineage_sees_through_aliases_and_fails_closed():
    sql = (
        "SELECT r.reporter_id AS r, u.display_name AS contact, count(*) AS n, x.body "
        "FROM reports r JOIN users u ON u.user_id = r.reported_user_id, "
        "LATERAL (SELECT body FROM messages WHERE sender_id = u.user_id) x GROUP BY 1, 2, 4"
    )
    got = result_lineage(sql, ["r", "contact", "n", "body"])
    assert got[0] == {"reports.reporter_id"} and got[1] == {"users.display_name"}
    assert got[2] == frozenset() and got[3] is None  # LATERAL: unknown, so sensitive
    assert result_lineage("DELETE FROM users", ["x"]) == [None]
    assert result_lineage("SELECT email FROM users", ["other"]) == [None]


@pytest.mark.parametrize("audience", ["legal", "law_enforcement", "external"])
def test_columns_are_redacted_by_their_sources_not_their_names(audience):
    people = [
        Person(7, "reporter", {"name": {"Amelia Green"}}),
        Person(8, "other", {"name": {"Lucas Brown"}}),
    ]
    red = Redactor(load_profile(audience), b"k" * 32, people)
    df = pd.DataFrame(
        {"r": [7], "contact": ["Lucas Brown"], "g": ["planted-gender"], "w": [3], "q": ["x"]}
    )
    sources = [
        frozenset({"reports.reporter_id"}),
        frozenset({"users.display_name"}),
        frozenset({"profiles.gender_identity"}),
        frozenset(),
        None,
    ]
    out, applied = red.frame(df, sources)
    assert list(out.columns) == ["contact", "w", "q"]
    assert out["contact"][0] == red.label(8) and "Brown" not in str(out.values.tolist())
    reasons = {a["field"]: a["reason"] for a in applied}
    assert reasons["r"].startswith("reporter identity") and reasons["g"].startswith("special")
    assert reasons["q"] == "unknown lineage"


# --------------------------------------------------------------------------- the scanner


def test_the_scanner_names_part_and_item_never_the_value(case_id):
    people = [Person(2881, "reporter", {"name": {"Amelia Green"}, "phone": {"+447729316831"}})]
    scanner = ExitScanner(case_id, "external", people=people)
    for text in (
        "Reporter Person L (2881)",
        "ame\u200blia wrote",
        "call 0772_931_6831",
        "\u0410MELIA GREEN",
    ):
        with pytest.raises(LeakFound) as err:
            scanner.text("note", text, item="E0001")
        msg = str(err.value)
        assert "note of E0001" in msg and "reporter's" in msg
        assert "Amelia" not in msg and "2881" not in msg and "7729" not in msg
    scanner.text("note", "Person A asked for gift cards on 2026-10-01.", item="E0001")
    frame = pd.DataFrame({"reporter_id": [2881], "n": [2881]})
    with pytest.raises(LeakFound, match="column reporter_id"):
        scanner.frame("table", frame, item="E0002")
    ExitScanner(case_id, "internal", people=people).text("note", "Amelia Green 2881")


def test_protected_values_exclude_what_a_visible_person_shares():
    people = [
        Person(1, "subject", {"name": {"Amelia Brown"}}),
        Person(2, "reporter", {"name": {"Amelia Green"}}),
    ]
    prot = protected(people, hidden={2})
    assert prot.first("Amelia Brown wrote") is None  # the subject is shown to legal
    assert prot.first("Ms Green wrote") is not None


# --------------------------------------------------------------------------- every kind


def _collect(cid: str, kind: str, n: int, tmp_path) -> None:
    import plotly.graph_objects as go
    from PIL import Image

    if kind == "query":
        df = pd.DataFrame({"message_id": [n], "sender_id": [11], "body": [f"hi {n}"]})
        df.attrs["provenance"] = {"query": "messages_by_user", "sql": "SELECT 1", "case": cid}
        evidence.add_query_result(cid, df)
    elif kind == "timeline one":
        df = pd.DataFrame({"source": ["messages"], "actor": ["11"], "summary": [f"m{n}"]})
        df.attrs["provenance"] = [{"query": None, "sql": "SELECT 1", "params": {"s": [11]}}]
        evidence.add_timeline_excerpt(cid, df)
    elif kind == "timeline many":
        df = pd.DataFrame(
            {"source": ["messages"] * 2, "actor": ["11", "12"], "summary": ["a", "b"]}
        )
        df.attrs["provenance"] = [
            {"query": None, "sql": "SELECT 1", "params": {"user_id": 11}},
            {"query": None, "sql": "SELECT 2", "params": {"user_id": 12}},
        ]
        df.attrs["timeline"] = {"case": cid, "provenance": df.attrs["provenance"]}
        evidence.add_timeline_excerpt(cid, df)
    elif kind == "note":
        evidence.add_note(cid, f"note {n} about <b>member</b> 11")
    elif kind == "figure":
        evidence.add_figure(cid, go.Figure(go.Bar(x=[str(n)], y=[1])))
    elif kind == "photo":
        p = tmp_path / f"p{n}.png"
        Image.new("RGB", (8, 8), (n % 255, 0, 0)).save(p)
        evidence.add_content(cid, p, kind="photo")
    elif kind == "profile":
        evidence.add_content(cid, {"user_id": 11, "bio": f"bio {n}"}, kind="profile")
    elif kind == "file":
        p = tmp_path / f"f{n}.txt"
        p.write_text(f"text {n}")
        evidence.add_file(cid, p)


KINDS = ["query", "timeline one", "timeline many", "note", "figure", "photo", "profile", "file"]


@pytest.mark.slow
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mix=st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
def test_random_mixes_bundle_for_every_audience(wb_env, tmp_path_factory, mix):
    tmp = tmp_path_factory.mktemp("mix")
    cid = cases.create(category="scam_fraud", summary="mix", subjects=[11]).case_id
    for n, kind in enumerate(mix):
        _collect(cid, kind, n, tmp)
    for audience in AUDIENCES:
        res = create_bundle(cid, audience, tmp / f"{audience}.zip")
        report = verify_bundle(res.path)
        assert report.ok, (mix, audience, report.problems)
        assert res.items + res.omitted == len(mix)


# --------------------------------------------------------------------------- escaping


def test_platform_text_is_escaped_in_figures():
    from zoneinfo import ZoneInfo

    from workbench.timeline.figures import _customdata, esc

    df = pd.DataFrame(
        {
            "ts": pd.to_datetime(["2026-10-01T10:00Z"], utc=True),
            "lane": ["messages"],
            "kind": ["<b>sent</b>"],
            "actor": ["<i>1</i>"],
            "target": ["2"],
            "summary": ['<a href="https://evil.example">click</a>'],
            "severity": ["low"],
            "ref": ["m:1"],
            "subject": [1],
        }
    )

    class V:
        tz = ZoneInfo("UTC")
        lane_by = "source"

    row = _customdata(df, V())[0]
    assert "<a href" not in "".join(map(str, row)) and "&lt;a href=" in row[6]
    assert row[3] == "&lt;b&gt;sent&lt;/b&gt;" and esc("a & b") == "a &amp; b"
