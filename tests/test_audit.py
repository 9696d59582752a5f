"""The audit log: append-only, hash-chained, stamped by the store (who, when, which number);
verify names the first tampered record, also against signed checkpoints outside the store."""

from __future__ import annotations

import json
import os
import pwd
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from workbench.cli import main
from workbench.queries import run as execute
from workbench.store import anchors, audit, cases_engine

CASE = "ESC-2026-000042"
ME = f"os:{pwd.getpwuid(os.geteuid()).pw_name}"


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
        subjects=[7],
    )
    audit.record("bundle.create", case=CASE, details={"bundle_id": "B1", "items": 3})
    audit.record(
        "sql.run", outcome="refused", reason="refused: DROP is not allowed", sql="DROP TABLE users"
    )
    audit.record("media.reveal", case=CASE, details={"item": "photo:9", "note": "ü ∑\n"})
    audit.record("timeline_annotation", case=CASE, details={"detail": "star x2"})


def _drop_triggers(conn) -> None:
    if conn.dialect.name == "sqlite":
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_chain"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    else:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_chain ON audit_log"))


def _exec(sql: str, **params) -> None:
    """Tamper as someone with the database's admin rights would: drop the triggers first, then
    change the table directly."""
    with cases_engine().begin() as conn:
        _drop_triggers(conn)
        conn.execute(text(sql), params)


def _refused(sql: str, match: str = "append-only") -> None:
    with pytest.raises(DBAPIError, match=match):
        with cases_engine().begin() as conn:
            conn.execute(text(sql))


def _rows() -> list[dict]:
    table = audit.AuditRow.__table__
    with cases_engine().connect() as conn:
        return [audit._row_fields(r) for r in conn.execute(table.select().order_by(table.c.seq))]


def _rewrite_all(change) -> None:
    """Rewrite the whole chain consistently (every hash recomputed), as an admin would to hide
    an edit: the chain verifies again, only a checkpoint can tell."""
    rows = _rows()
    prev = audit.GENESIS
    with cases_engine().begin() as conn:
        _drop_triggers(conn)
        for fields in rows:
            change(fields)
            fields["prev_hash"] = prev
            fields["hash"] = audit.record_hash(fields)
            prev = fields["hash"]
            conn.execute(
                text(
                    "UPDATE audit_log SET reason = :reason, prev_hash = :prev_hash, hash = :hash "
                    "WHERE seq = :seq"
                ),
                fields,
            )


def _verify_cli(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["audit", "verify", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


# --------------------------------------------------------------------------- who and when


def test_records_chain_and_are_stamped_by_the_store(wb_env, capsys):
    before = datetime.now(UTC)
    _five_records()
    recs = audit.records()
    assert list(recs["seq"]) == [1, 2, 3, 4, 5]
    assert recs["prev_hash"].iloc[0] == audit.GENESIS
    assert list(recs["prev_hash"].iloc[1:]) == list(recs["hash"].iloc[:-1])
    assert set(recs["identity"]) == {ME} and set(recs["analyst"]) == {"test.analyst"}
    assert recs["at"].is_monotonic_increasing and recs["at"].iloc[0] >= before
    assert recs["subjects"].iloc[0] == "[7]" and set(recs["hash_format"]) == {2}
    assert list(audit.records(CASE)["seq"]) == [1, 2, 4, 5]
    assert audit.verify() is None
    code, out = _verify_cli(capsys)
    assert code == 0 and "5 records, chain intact" in out
    assert main(["audit", "show", "--case", CASE]) == 0
    shown = capsys.readouterr().out
    assert "bundle.create" in shown and "DROP TABLE" not in shown and ME in shown


def test_the_caller_cannot_choose_who_or_when(wb_env):
    with pytest.raises(TypeError):
        audit.record("query.run", analyst="s.novak")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        audit.record("query.run", at=datetime(2020, 1, 1, tzinfo=UTC))  # type: ignore[call-arg]
    assert len(audit.records()) == 0


def test_workbench_analyst_is_only_a_display_name(wb_env, set_setting):
    set_setting("WORKBENCH_ANALYST", "someone-else")
    rec = audit.record("query.run")
    assert rec["analyst"] == "someone-else" and rec["identity"] == ME
    set_setting("JUPYTERHUB_USER", "a.okafor")
    rec = audit.record("query.run")
    assert rec["identity"] == f"hub:a.okafor ({ME})"
    assert audit.verify() is None


def test_bad_input_is_refused_in_one_line(wb_env):
    with pytest.raises(Exception, match="is not a case id"):
        audit.record("query.run", case="../etc")
    with pytest.raises(Exception, match="outcome 'maybe' is unknown"):
        audit.record("query.run", outcome="maybe")
    assert len(audit.records()) == 0


# --------------------------------------------------------------------------- the store refuses


def test_the_log_refuses_updates_deletes_and_insertions_out_of_line(wb_env):
    _five_records()
    _refused("UPDATE audit_log SET analyst = 'nobody' WHERE seq = 2")
    _refused("DELETE FROM audit_log WHERE seq = 5")
    last = _rows()[-1]
    good = {k: last[k] for k in ("analyst", "action", "outcome", "hash_format")}
    for seq, prev, at in (
        (9, last["hash"], datetime.now(UTC)),  # a gap
        (6, "f" * 64, datetime.now(UTC)),  # not the last hash
        (6, last["hash"], datetime(2020, 1, 1, tzinfo=UTC)),  # backdated
    ):
        row = {**good, "seq": seq, "prev_hash": prev, "at": at, "hash": "0" * 64}
        with pytest.raises(DBAPIError, match="only grows forward"):
            with cases_engine().begin() as conn:
                conn.execute(audit.AuditRow.__table__.insert().values(**row))
    assert audit.verify() is None and len(audit.records()) == 5


# --------------------------------------------------------------------------- verify finds it


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
    fields = _rows()[2]
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


def _forged(seq: int, at, prev_hash: str, analyst: str) -> dict:
    """A format-2 record with a well-formed hash, as someone with the file would write it."""
    forged = {
        "seq": seq,
        "at": at,
        "identity": ME,
        "analyst": analyst,
        "action": "query.run",
        "outcome": "ok",
        "prev_hash": prev_hash,
        "hash_format": 2,
    }
    forged["hash"] = audit.record_hash(forged)
    return forged


def test_verify_catches_an_insert(wb_env):
    _five_records()
    # Make room after record 2 and slip in a forged record with a well-formed hash.
    _exec("UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3")
    _exec("UPDATE audit_log SET seq = seq - 99 WHERE seq >= 103")
    prev = _rows()[1]
    forged = _forged(3, prev["at"], prev["hash"], "x")
    with cases_engine().begin() as conn:
        conn.execute(audit.AuditRow.__table__.insert().values(**forged))
    assert list(audit.records()["seq"]) == [1, 2, 3, 4, 5, 6]
    bad = audit.verify()
    assert bad.seq == 4  # the first genuine record after the forgery no longer fits


def test_verify_catches_a_backdated_insert(wb_env):
    """Triggers dropped, a record with a 2020 time appended with a good hash: the time going
    backwards names it."""
    _five_records()
    last = _rows()[-1]
    forged = _forged(6, datetime(2020, 1, 1, tzinfo=UTC), last["hash"], "s.novak")
    with cases_engine().begin() as conn:
        _drop_triggers(conn)
        conn.execute(audit.AuditRow.__table__.insert().values(**forged))
    bad = audit.verify()
    assert bad.seq == 6 and "backdated" in bad.problem


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


def test_records_from_before_the_identity_migration_still_verify(wb_env):
    """Rows written by the old code (format 1: JSON, no identity) keep verifying; the rows
    after them are format 2."""
    old = {
        "seq": 1,
        "at": datetime(2026, 11, 1, tzinfo=UTC),
        "analyst": "a.okafor",
        "action": "query.run",
        "outcome": "ok",
        "prev_hash": audit.GENESIS,
        "duration_ms": 1.5,
        "hash_format": 1,
    }
    old["hash"] = audit.record_hash(old)
    with cases_engine().begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_chain"))
        conn.execute(audit.AuditRow.__table__.insert().values(**old))
    audit.record("query.run")
    assert [r["hash_format"] for r in _rows()] == [1, 2] and audit.verify() is None


# --------------------------------------------------------------------------- checkpoints


def test_a_checkpoint_is_signed_and_kept_outside_the_store(wb_env, capsys):
    _five_records()
    assert main(["audit", "anchor"]) == 0
    assert "checkpoint: record 5" in capsys.readouterr().out
    path = anchors.anchor_file()
    assert path.parent == wb_env.home / "anchors"
    (line,) = path.read_text().splitlines()
    cp = json.loads(line)
    assert (cp["seq"], cp["hash"]) == audit.head() and cp["store"] == audit.store_id()
    key = wb_env.home / "secrets" / "audit-anchor.pem"
    assert key.stat().st_mode & 0o077 == 0
    assert anchors.anchor() is not None and len(path.read_text().splitlines()) == 1  # no repeat
    code, out = _verify_cli(capsys)
    assert code == 0 and "checked against 1 signed checkpoint(s)" in out


def test_a_rewrite_of_the_whole_chain_after_a_checkpoint_is_found(wb_env, capsys):
    _five_records()
    anchors.anchor()
    _rewrite_all(lambda f: f.update(reason="nothing to see") if f["seq"] == 3 else None)
    assert audit.verify() is None  # the chain alone looks intact
    bad, n = anchors.verify()
    assert n == 1 and bad.seq == 5 and "rewritten" in bad.problem
    code, out = _verify_cli(capsys)
    assert code == 1 and "audit record 5" in out and "checkpoint" in out


def test_a_deleted_tail_after_a_checkpoint_is_found(wb_env, capsys):
    _five_records()
    anchors.anchor()
    audit.record("query.run")
    anchors.anchor()
    _exec("DELETE FROM audit_log WHERE seq >= 5")
    assert audit.verify() is None
    bad, n = anchors.verify()
    assert n == 2 and bad.seq == 5 and "cut short after record 4" in bad.problem
    code, out = _verify_cli(capsys)
    assert code == 1 and "audit record 5" in out


def test_a_forged_or_edited_checkpoint_is_refused(wb_env, tmp_path, set_setting):
    _five_records()
    anchors.anchor()
    path = anchors.anchor_file()
    cp = json.loads(path.read_text())
    cp["seq"] = 4
    path.write_text(json.dumps(cp) + "\n")
    with pytest.raises(anchors.AnchorBroken, match="signature does not verify"):
        anchors.verify()
    path.write_text("not json\n")
    with pytest.raises(anchors.AnchorBroken, match="line 1 is not a checkpoint"):
        anchors.verify()
    # another key: its checkpoints are not the team's
    from workbench.keys import signing_key

    other = tmp_path / "other.pem"
    signing_key("x", path=None, cfg=wb_env)  # makes <home>/secrets/x.pem
    os.replace(wb_env.home / "secrets" / "x.pem", other)
    path.unlink()
    set_setting("WORKBENCH_ANCHOR_KEY", str(other))
    anchors.anchor()
    set_setting("WORKBENCH_ANCHOR_KEY", None)
    with pytest.raises(anchors.AnchorBroken, match="another key"):
        anchors.verify()


def test_a_team_key_and_a_public_key_from_the_settings(wb_env, tmp_path, set_setting):
    from workbench.keys import public_pem, signing_key

    key_file = tmp_path / "team" / "anchor.pem"
    key_file.parent.mkdir()
    key = signing_key("team-anchor", cfg=wb_env)
    os.replace(wb_env.home / "secrets" / "team-anchor.pem", key_file)
    (tmp_path / "anchor.pub").write_bytes(public_pem(key))
    set_setting("WORKBENCH_ANCHOR_KEY", str(key_file))
    set_setting("WORKBENCH_ANCHOR_DIR", str(tmp_path / "worm"))
    _five_records()
    anchors.anchor()
    assert list((tmp_path / "worm").glob("*.jsonl"))
    set_setting("WORKBENCH_ANCHOR_KEY", str(tmp_path / "missing.pem"))  # an analyst's view
    set_setting("WORKBENCH_ANCHOR_PUBLIC_KEY", str(tmp_path / "anchor.pub"))
    assert anchors.verify() == (None, 1)
    os.chmod(key_file, 0o644)
    set_setting("WORKBENCH_ANCHOR_KEY", str(key_file))
    with pytest.raises(Exception, match="can be read by others"):
        anchors.anchor(force=True)


def test_serve_and_the_batch_anchor_periodically_and_when_they_stop(wb_env):
    import time

    _five_records()
    with anchors.anchoring(every=0.2):
        assert len(anchors.checkpoints()) == 1  # at once
        audit.record("query.run")
        deadline = time.monotonic() + 10
        while len(anchors.checkpoints()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(anchors.checkpoints()) == 2  # while running
        audit.record("query.run")
    cps = anchors.checkpoints()
    assert cps[-1].seq == 7 == audit.head()[0]  # and when it stopped


def test_workbench_serve_anchors_when_it_starts_and_when_it_stops(wb_env, set_setting):
    import socket
    import sys

    from workbench.errors import WorkbenchError
    from workbench.serve import servers

    def free_port() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    _five_records()
    set_setting("WORKBENCH_ANCHOR_EVERY", "3600")  # only the checkpoints at start and stop
    lab, voila = free_port(), free_port()
    # stand-ins for the two servers: both answer HTTP; "JupyterLab" reads once, then exits
    reads = (
        "import http.server, threading\n"
        "from workbench.store import audit\n"
        "audit.record('query.run')\n"
        f"s = http.server.HTTPServer(('127.0.0.1', {lab}), http.server.BaseHTTPRequestHandler)\n"
        "threading.Timer(3, s.shutdown).start()\n"
        "s.serve_forever()\n"
    )
    waits = [sys.executable, "-m", "http.server", str(voila), "--bind", "127.0.0.1"]
    plan = servers.ServePlan(
        [sys.executable, "-c", reads],
        waits,
        f"http://127.0.0.1:{lab}/lab?x=1",
        f"http://127.0.0.1:{voila}",
        "t",
        dict(os.environ),
    )
    # the first server to exit ends serve (the other is stopped), and says which one stopped
    with pytest.raises(WorkbenchError, match="JupyterLab stopped"):
        servers.run(plan)
    assert [cp.seq for cp in anchors.checkpoints()] == [5, 6] and audit.head()[0] == 6


def test_a_stopped_service_writes_its_last_checkpoint(wb_env):
    """``systemctl stop`` sends SIGTERM: the block ends as on Ctrl-C and anchors the head."""
    import signal
    import subprocess
    import sys

    _five_records()
    service = (
        "import time\n"
        "from workbench.store import anchors, audit\n"
        "with anchors.anchoring(every=3600):\n"
        "    audit.record('query.run')\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(120)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", service], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert [cp.seq for cp in anchors.checkpoints()] == [5, 6] and audit.head()[0] == 6


def test_the_report_batch_anchors_when_it_starts_and_when_it_stops(wb_env, monkeypatch):
    from workbench.reports import batch

    _five_records()

    def pool(tasks, workers, progress):
        audit.record("report.run", case=CASE)
        return {t.case_id: t.case_id for t in tasks}

    monkeypatch.setattr(batch, "_run_pool", pool)
    assert batch.run_many([CASE], workers=1) == [CASE]
    assert [cp.seq for cp in anchors.checkpoints()] == [5, 6]


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
    df = execute.sql("SELECT user_id, email, handle FROM users ORDER BY user_id LIMIT 5")
    rec = audit.records().iloc[-1]
    assert rec["row_count"] == 5 and rec["result_sha256"] == df.attrs["provenance"]["result_sha256"]
    assert rec["outcome"] == "ok" and rec["engine"].startswith("duckdb")
    stored = " ".join(str(v) for v in rec.values)
    for value in list(df["email"]) + list(df["handle"]):
        assert value not in stored


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg_store(wb_env, pg_url, monkeypatch):
    from workbench import config
    from workbench.store import dispose_all

    monkeypatch.setenv(config.ENV_CASES_URL, pg_url)
    dispose_all()
    config.settings(reload=True)
    yield pg_url
    dispose_all()


def _as(monkeypatch, url: str) -> None:
    from workbench import config
    from workbench.store import dispose_all

    monkeypatch.setenv(config.ENV_CASES_URL, url)
    dispose_all()
    config.settings(reload=True)


@pytest.mark.postgres
def test_postgres_stamps_the_role_and_the_server_clock(pg_store, monkeypatch):
    _five_records()
    assert audit.verify() is None
    recs = audit.records()
    assert set(recs["identity"]) == {"pg:wb"} and recs["at"].is_monotonic_increasing
    _refused("UPDATE audit_log SET analyst = 'nobody' WHERE seq = 2")
    _refused("DELETE FROM audit_log WHERE seq = 2")
    _refused("TRUNCATE audit_log")
    # even the owner's own INSERT gets the store's number, time and identity
    with cases_engine().begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (seq, at, identity, analyst, action, outcome, prev_hash, "
                "hash) VALUES (77, '2020-01-01', 'pg:s.novak', 'x', 'query.run', 'ok', 'x', 'y')"
            )
        )
    last = _rows()[-1]
    assert last["seq"] == 6 and last["identity"] == "pg:wb" and last["at"].year >= 2026
    assert audit.verify() is None
    _exec("UPDATE audit_log SET analyst = 'nobody' WHERE seq = 2")
    assert audit.verify().seq == 2


@pytest.mark.postgres
def test_postgres_analysts_append_and_read_but_change_nothing(pg_store, monkeypatch):
    _five_records()  # the store's first use migrates it, which makes the group roles
    admin = create_engine(pg_store)
    with admin.begin() as conn:
        conn.execute(
            text(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'a_okafor') "
                "THEN CREATE ROLE a_okafor LOGIN IN ROLE workbench_analyst; END IF; END $$"
            )
        )
    admin.dispose()
    _as(monkeypatch, pg_store.replace("//wb@", "//a_okafor@"))
    monkeypatch.setenv("WORKBENCH_ANALYST", "someone-else")
    from workbench import config

    config.settings(reload=True)
    rec = audit.record("content.profile", subjects=[5])
    assert rec["identity"] == "pg:a_okafor" and rec["analyst"] == "someone-else"
    assert len(audit.records()) == 6 and audit.verify() is None
    for statement, why in (
        ("UPDATE audit_log SET analyst = 'x'", "permission denied"),
        ("DELETE FROM audit_log", "permission denied"),
        ("TRUNCATE audit_log", "permission denied"),
        (
            "INSERT INTO audit_log (seq, at, analyst, action, outcome, prev_hash, hash) "
            "VALUES (9, now(), 'a', 'b', 'ok', 'x', 'y')",
            "permission denied",
        ),
        ("DROP TRIGGER audit_log_chain ON audit_log", "must be owner"),
        ("ALTER TABLE audit_log DISABLE TRIGGER ALL", "must be owner"),
        (
            "CREATE TRIGGER t BEFORE INSERT ON audit_log EXECUTE FUNCTION audit_log_chain()",
            "denied|owner",
        ),
    ):
        _refused(statement, why)
    with cases_engine().connect() as conn:  # what the analyst group may do: nothing else
        privileges = conn.execute(
            text(
                "SELECT privilege_type FROM information_schema.role_table_grants "
                "WHERE table_name = 'audit_log' AND grantee = 'workbench_analyst'"
            )
        ).scalars()
        assert set(privileges) == {"SELECT"}
