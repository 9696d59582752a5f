"""The audit log: append-only, hash-chained; verify names the first tampered record."""

from __future__ import annotations

import threading
from datetime import UTC

import pytest
from sqlalchemy import text

from workbench.cli import main
from workbench.queries import run as execute
from workbench.store import audit, cases_engine

CASE = "ESC-2026-000042"


def _five_records() -> None:
    audit.record(
        "query.run",
        case=CASE,
        query_name="user_overview",
        sql="SELECT 1",
        params={"user_id": 7},
        engine="duckdb:///x",
        row_count=1,
        result_sha256="a" * 64,
        duration_ms=1.25,
    )
    audit.record("bundle.create", case=CASE, details={"bundle_id": "B1", "items": 3})
    audit.record(
        "sql.run", outcome="refused", reason="refused: DROP is not allowed", sql="DROP TABLE users"
    )
    audit.record("content.reveal", case=CASE, analyst="someone.else", details={"item": "photo:9"})
    audit.record("timeline_annotation", case=CASE, details={"detail": "star x2"})


def _exec(sql: str, **params) -> None:
    """Tamper as someone with the database's admin rights would: drop the append-only
    triggers first, then change the table directly."""
    with cases_engine().begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log"))
        conn.execute(text(sql), params)


def _refused(sql: str) -> None:
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="append-only"):
        with cases_engine().begin() as conn:
            conn.execute(text(sql))


def test_the_log_refuses_updates_and_deletes(wb_env):
    _five_records()
    _refused("UPDATE audit_log SET analyst = 'nobody' WHERE seq = 2")
    _refused("DELETE FROM audit_log WHERE seq = 5")
    assert audit.verify() is None and len(audit.records()) == 5


def _verify_cli(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["audit", "verify", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_records_chain_and_read_back(wb_env, capsys):
    _five_records()
    recs = audit.records()
    assert list(recs["seq"]) == [1, 2, 3, 4, 5]
    assert recs["prev_hash"].iloc[0] == audit.GENESIS
    assert list(recs["prev_hash"].iloc[1:]) == list(recs["hash"].iloc[:-1])
    assert recs["analyst"].iloc[0] == "test.analyst"
    assert recs["analyst"].iloc[3] == "someone.else"  # alias who=
    assert list(audit.records(CASE)["seq"]) == [1, 2, 4, 5]
    assert audit.verify() is None
    code, out = _verify_cli(capsys)
    assert code == 0 and "5 records, chain intact" in out
    assert main(["audit", "show", "--case", CASE]) == 0
    shown = capsys.readouterr().out
    assert "bundle.create" in shown and "DROP TABLE" not in shown


def test_bad_input_is_refused_in_one_line(wb_env):
    with pytest.raises(Exception, match="is not a case id"):
        audit.record("query.run", case="../etc")
    with pytest.raises(Exception, match="outcome 'maybe' is unknown"):
        audit.record("query.run", outcome="maybe")
    assert len(audit.records()) == 0


def test_verify_catches_an_edit(wb_env, capsys):
    _five_records()
    _exec("UPDATE audit_log SET row_count = 999 WHERE seq = 1")
    bad = audit.verify()
    assert bad.seq == 1 and "edited" in bad.problem
    code, out = _verify_cli(capsys)
    assert code == 1 and "audit record 1" in out and "edited" in out


def test_verify_catches_a_rehashed_edit(wb_env):
    """An editor who recomputes the edited record's own hash still breaks the next link."""
    _five_records()
    table = audit.AuditRow.__table__
    with cases_engine().connect() as conn:
        row = conn.execute(table.select().where(table.c.seq == 3)).first()
    fields = audit._row_fields(row)
    fields["reason"] = "nothing happened"
    new_hash = audit.record_hash(fields)
    _exec("UPDATE audit_log SET reason = 'nothing happened', hash = :h WHERE seq = 3", h=new_hash)
    bad = audit.verify()
    assert bad.seq == 4 and "does not follow" in bad.problem


def test_verify_catches_a_delete(wb_env, capsys):
    _five_records()
    _exec("DELETE FROM audit_log WHERE seq = 3")
    bad = audit.verify()
    assert bad.seq == 4 and "missing" in bad.problem
    code, out = _verify_cli(capsys)
    assert code == 1 and "audit record 4" in out


def test_verify_catches_an_insert(wb_env):
    _five_records()
    # Make room after record 2 and slip in a forged record with a well-formed hash.
    _exec("UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3")
    _exec("UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103")
    prev = audit.records().set_index("seq").loc[2, "hash"]
    from datetime import datetime

    forged = {
        "seq": 3,
        "at": datetime(2026, 11, 1, tzinfo=UTC),
        "analyst": "x",
        "action": "query.run",
        "outcome": "ok",
        "prev_hash": prev,
    }
    forged["hash"] = audit.record_hash(forged)
    with cases_engine().begin() as conn:
        conn.execute(audit.AuditRow.__table__.insert().values(**forged))
    assert list(audit.records()["seq"]) == [1, 2, 3, 4, 5, 6]
    bad = audit.verify()
    assert bad.seq == 4  # the first genuine record after the forgery no longer fits


def test_verify_catches_a_reorder(wb_env, capsys):
    _five_records()
    _exec("UPDATE audit_log SET seq = 99 WHERE seq = 2")
    _exec("UPDATE audit_log SET seq = 2 WHERE seq = 3")
    _exec("UPDATE audit_log SET seq = 3 WHERE seq = 99")
    bad = audit.verify()
    assert bad.seq == 2
    code, out = _verify_cli(capsys)
    assert code == 1 and "audit record 2" in out


def test_verify_catches_a_cut_tail_against_a_noted_head(wb_env, capsys):
    _five_records()
    noted = audit.head()
    assert noted[0] == 5
    _exec("DELETE FROM audit_log WHERE seq >= 4")
    assert audit.verify() is None  # a shorter chain is still a chain...
    bad = audit.verify(noted)  # ...but not the one noted earlier
    assert bad.seq == 5 and "cut short" in bad.problem
    code, out = _verify_cli(capsys, "--head", f"{noted[0]}:{noted[1]}")
    assert code == 1 and "audit record 5" in out


def test_concurrent_appends_keep_one_chain(wb_env):
    def worker(i: int) -> None:
        for j in range(10):
            audit.record("query.run", details={"worker": i, "n": j})

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert list(audit.records()["seq"]) == list(range(1, 41))
    assert audit.verify() is None


def test_query_records_hold_counts_and_hashes_not_results(wb_env):
    df = execute.sql("SELECT user_id, email, handle FROM users ORDER BY user_id LIMIT 5", case=CASE)
    rec = audit.records().iloc[-1]
    assert rec["row_count"] == 5 and rec["result_sha256"] == df.attrs["provenance"]["result_sha256"]
    assert rec["outcome"] == "ok" and rec["case_id"] == CASE and rec["engine"].startswith("duckdb")
    stored = " ".join(str(v) for v in rec.values)
    for value in list(df["email"]) + list(df["handle"]):
        assert value not in stored


@pytest.mark.postgres
def test_audit_log_on_a_postgres_case_store(wb_env, pg_url, monkeypatch):
    from workbench import config
    from workbench.store import dispose_all

    monkeypatch.setenv(config.ENV_CASES_URL, pg_url)
    dispose_all()
    config.settings(reload=True)
    try:
        _five_records()
        assert audit.verify() is None
        _refused("UPDATE audit_log SET analyst = 'nobody' WHERE seq = 2")
        _refused("DELETE FROM audit_log WHERE seq = 2")
        _refused("TRUNCATE audit_log")
        _exec("UPDATE audit_log SET analyst = 'nobody' WHERE seq = 2")
        assert audit.verify().seq == 2
    finally:
        dispose_all()
