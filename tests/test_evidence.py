"""Evidence items: what is recorded, immutability in the store, corrections, custody, CLI."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC

import pandas as pd
import pytest
from sqlalchemy import text

from workbench import cases
from workbench.cli import main as cli
from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.evidence import items as evidence


def _users(n: int) -> list[int]:
    from workbench.platform.engine import platform_engine

    with platform_engine().connect() as conn:
        return [
            r[0]
            for r in conn.execute(text(f"SELECT user_id FROM users ORDER BY user_id LIMIT {n}"))
        ]


@pytest.fixture
def case_id(wb_env) -> str:
    subject, reporter = _users(2)
    return cases.create(
        category="scam_fraud", summary="gift-card scam", subjects=[subject], reporters=[reporter]
    ).case_id


def _result(case: str, rows: int = 3) -> pd.DataFrame:
    df = pd.DataFrame({"user_id": list(range(rows)), "body": [f"m{i}" for i in range(rows)]})
    df.attrs["provenance"] = {
        "query": "messages_by_user",
        "sql": "SELECT 1",
        "params": {"user_id": 1},
        "row_count": rows,
        "case": case,
        "executed_at": "2026-11-01T00:00:00+00:00",
    }
    return df


def test_each_kind_records_hash_size_type_collector_and_custody(case_id, wb_env, tmp_path):
    import plotly.graph_objects as go

    upload = tmp_path / "chat.txt"
    upload.write_bytes("hola 👋 مرحبا\n".encode())
    items = [
        evidence.add_query_result(case_id, _result(case_id), note="first contact"),
        evidence.add_content(case_id, [{"message_id": 1, "body": "hi"}], kind="messages"),
        evidence.add_content(case_id, {"user_id": 1, "bio": "x"}, kind="profile"),
        evidence.add_content(case_id, upload, kind="media"),
        evidence.add_timeline_excerpt(
            case_id,
            pd.DataFrame({"ts": pd.to_datetime(["2026-10-01"], utc=True), "event": ["login"]}),
        ),
        evidence.add_figure(case_id, go.Figure(go.Bar(x=[1], y=[2]))),
        evidence.add_note(case_id, "Subject asked for **gift cards**."),
        evidence.add_file(case_id, upload, note="sent by the reporter"),
    ]
    assert [i.kind for i in items] == [
        "query_result",
        "content",
        "content",
        "content",
        "timeline_excerpt",
        "figure",
        "note",
        "file",
    ]
    assert [i.label for i in items] == [f"E{n:04d}" for n in range(1, 9)]
    for item in items:
        stored = wb_env.cases_dir / case_id / "evidence" / item.sha256
        assert stored.is_file() and item.path == stored
        data = stored.read_bytes()
        assert hashlib.sha256(data).hexdigest() == item.sha256 and len(data) == item.size
        assert item.collected_by == "test.analyst"
        assert (
            item.collected_at.tzinfo is not None
            and item.collected_at.utcoffset().total_seconds() == 0
        )
        assert not os.access(stored, os.W_OK) or os.geteuid() == 0  # stored read-only
    assert items[0].media_type == evidence.PARQUET
    assert items[0].details["provenance"]["query"] == "messages_by_user"
    assert items[0].source == "query:messages_by_user"
    assert items[3].media_type == "text/plain" and items[7].source == "upload:chat.txt"
    assert items[5].media_type == evidence.PLOTLY_JSON
    assert items[3].sha256 == items[7].sha256  # content-addressed: stored once
    back = evidence.load_frame(items[0])
    assert back["body"].tolist() == ["m0", "m1", "m2"]

    chain = evidence.custody(case_id)
    assert [e.event for e in chain] == ["collected"] * 8
    assert [e.item_id for e in chain] == [i.id for i in items]
    assert chain[0].why == "first contact" and chain[0].details["sha256"] == items[0].sha256
    assert evidence.verify_custody(case_id) == []
    listed = evidence.items_frame(case_id)
    assert listed["item"].tolist() == [i.label for i in items]
    assert str(listed["collected_at"].dt.tz) == "UTC"


def test_items_and_custody_cannot_be_changed_in_the_store(case_id):
    from workbench.store import cases_engine

    item = evidence.add_note(case_id, "original")
    engine = cases_engine()
    for sql in (
        "UPDATE evidence_items SET sha256 = 'x' WHERE id = :i",
        "DELETE FROM evidence_items WHERE id = :i",
        "UPDATE evidence_custody SET what = 'x' WHERE item_id = :i",
        "DELETE FROM evidence_custody WHERE item_id = :i",
    ):
        with pytest.raises(Exception, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(sql), {"i": item.id})
    assert evidence.get_item(case_id, item.label).sha256 == item.sha256
    # No update path through the ORM either.
    from workbench.store import session

    with pytest.raises(WorkbenchError, match="append-only"):
        with session() as s:
            row = s.get(evidence.EvidenceItemRow, item.id)
            row.title = "changed"


def test_a_correction_supersedes_and_cannot_fork(case_id):
    old = evidence.add_note(case_id, "wrong time")
    new = evidence.add_note(case_id, "right time", supersedes=old.label)
    assert new.supersedes == old.id
    assert evidence.get_item(case_id, old.label).superseded_by == new.id
    assert [i.label for i in evidence.list_items(case_id, current_only=True)] == [new.label]
    assert len(evidence.list_items(case_id)) == 2
    with pytest.raises(InputError, match="already superseded"):
        evidence.add_note(case_id, "another", supersedes=old.label)
    with pytest.raises(NotFoundError):
        evidence.add_note(case_id, "x", supersedes="E0099")


def test_custody_tampering_in_the_store_is_found(case_id):
    from workbench.store import cases_engine

    for n in range(3):
        evidence.add_note(case_id, f"note {n}")
    with cases_engine().begin() as conn:  # an attacker with database access removes the guard
        conn.execute(text("DROP TRIGGER evidence_custody_no_update"))
        conn.execute(text("UPDATE evidence_custody SET actor = 'mallory' WHERE seq = 2"))
    problems = evidence.verify_custody(case_id)
    assert problems and "custody record 2 was edited" in problems[0]


def test_bad_input_is_refused_with_one_line(case_id, tmp_path):
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(InputError, match="no query provenance"):
        evidence.add_query_result(case_id, df)
    other = _result("ESC-2026-999999")
    with pytest.raises(InputError, match="run for case ESC-2026-999999"):
        evidence.add_query_result(case_id, other)
    with pytest.raises(NotFoundError, match="no file"):
        evidence.add_file(case_id, tmp_path / "missing.bin")
    with pytest.raises(NotFoundError, match="no case"):
        evidence.add_note("ESC-2026-999999", "x")
    with pytest.raises(InputError, match="not a case id"):
        evidence.add_note("../etc", "x")
    with pytest.raises(InputError, match="needs some text"):
        evidence.add_note(case_id, "   ")
    assert evidence.list_items(case_id) == []
    assert not list((tmp_path).glob(".incoming-*"))


def test_cli_add_and_list(case_id, tmp_path, capsys):
    f = tmp_path / "screenshot.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    assert cli(["evidence", "add", case_id, str(f), "--note", "from the reporter"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("E0001 ") and hashlib.sha256(f.read_bytes()).hexdigest() in out
    assert cli(["evidence", "list", case_id]) == 0
    out = capsys.readouterr().out
    assert "E0001" in out and "screenshot.png" in out and "test.analyst" in out
    assert cli(["evidence", "list", case_id, "--format", "json"]) == 0
    assert '"image\\/png"' in capsys.readouterr().out
    assert cli(["evidence", "add", case_id, str(tmp_path / "nope")]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error: no file") and len(err.strip().splitlines()) == 1
    assert cli(["evidence", "list", "ESC-2026-999999"]) == 3


@pytest.mark.postgres
def test_append_only_on_postgresql(wb_env, pg_url, monkeypatch):
    from workbench import config
    from workbench.store import cases_engine, dispose_all

    monkeypatch.setenv(config.ENV_CASES_URL, pg_url)
    dispose_all()
    config.settings(reload=True)
    try:
        subject = _users(1)[0]
        cid = cases.create(category="scam_fraud", summary="pg", subjects=[subject]).case_id
        item = evidence.add_note(cid, "on postgres")
        assert evidence.get_item(cid, "E0001").sha256 == item.sha256
        with pytest.raises(Exception, match="append-only"):
            with cases_engine().begin() as conn:
                conn.execute(text("UPDATE evidence_items SET title = 'x'"))
        assert evidence.verify_custody(cid) == []
        assert evidence.custody(cid)[0].at.tzinfo == UTC
    finally:
        dispose_all()


def test_people_named_in_tables_are_found_whatever_their_type(case_id):
    """Person-id columns (ints, floats from columns with NULLs), and a timeline excerpt's actor
    and target where the source's parties are users (messages), not an appeal's action id."""
    evidence.add_timeline_excerpt(
        case_id,
        pd.DataFrame(
            {
                "source": ["messages", "appeals", "logins"],
                "actor": ["501", None, None],
                "target": ["502", "77", "GB"],
                "summary": ["hi", "appeal", "login"],
            }
        ),
    )
    evidence.add_content(
        case_id, pd.DataFrame({"counterpart_id": [503.0, None], "message_id": [9001, 9002]})
    )
    assert evidence.people_in_tables(evidence.list_items(case_id)) == {501, 502, 503}
