"""The engine is the second wall: with the guard switched off (a test-only hook), every item of
the adversarial corpus is still refused, on DuckDB and on PostgreSQL as the reader role; and the
platform engines refuse to run unlocked (DuckDB) or as a role that could write (PostgreSQL)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from adversarial import CORPUS, FAMILIES, filled
from sqlalchemy import create_engine, text

from workbench.errors import SettingsError
from workbench.platform import walls
from workbench.queries import guard
from workbench.queries import run as execute
from workbench.store import audit

#: On these the engine reads the rest of the line as a comment (\f and \v do not end one in
#: DuckDB or PostgreSQL): it runs the one harmless SELECT in front, and nothing else.
COMMENT_RUNS_ON = {
    "SELECT 1 -- c\f; DROP TABLE users",
    "SELECT 1 -- c\v; DROP TABLE users",
}


def guard_off(monkeypatch) -> None:
    """The test-only hook: the guard accepts anything and sends the text exactly as given."""

    def accept(sql_text, dialect=None, tables=None, *, max_value=None):
        return guard.Checked("select", frozenset(), frozenset(), sql_text, None)

    monkeypatch.setattr(guard, "check", accept)


def _where(settings) -> dict[str, str]:
    return {
        "db": str(Path(settings.platform_file).resolve()),
        "home": str(settings.home),
        "mark": str(settings.home / "written-by-a-query"),
    }


def _count_users() -> int:
    return int(execute.sql("SELECT count(*) AS n FROM users")["n"].iloc[0])


def _refused_by_engine(statement: str) -> str:
    """Run ``statement`` with the guard off; the engine's refusal (one line) or '' if it ran."""
    try:
        df = execute.sql(statement)
    except (guard.QueryRefused, execute.QueryFailed, execute.QueryTimeout) as exc:
        assert "\n" not in str(exc)
        return str(exc)
    assert statement in COMMENT_RUNS_ON, (statement, df)
    assert df.shape == (1, 1) and int(df.iloc[0, 0]) == 1
    return ""


def _corpus_on_engine(settings, monkeypatch) -> None:
    where = _where(settings)
    before = _count_users()
    first = len(audit.records())
    guard_off(monkeypatch)
    for _family, item in CORPUS:
        _refused_by_engine(filled(item, **where))
    monkeypatch.undo()
    recs = audit.records().iloc[first:]
    assert len(recs) == len(CORPUS)  # every attempt leaves one record
    assert (recs["outcome"] != "ok").sum() == len(CORPUS) - len(COMMENT_RUNS_ON)
    assert not Path(where["mark"]).exists()
    assert _count_users() == before  # nothing written, nothing shadowed
    assert execute.sql("SELECT lower('ABC') AS v")["v"].iloc[0] == "abc"  # no macro survived
    assert audit.verify() is None


def test_the_adversarial_corpus_covers_every_family():
    assert {
        "nested comments",
        "unterminated comments",
        "line ends",
        "dollar quotes",
        "EXPLAIN options",
        "unicode",
    } <= set(FAMILIES)
    assert sum(len(v) for v in FAMILIES.values()) >= 70


def test_duckdb_refuses_the_corpus_with_the_guard_off(wb_env, monkeypatch):
    _corpus_on_engine(wb_env, monkeypatch)
    assert not list(Path(wb_env.platform_file).resolve().parent.glob("platform.duckdb.wal*"))


def _nothing_written_in_postgres(owner_url: str) -> None:
    """No large object and no table ``x`` made (looked at as the platform's owner)."""
    owner = create_engine(owner_url)
    try:
        with owner.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_largeobject_metadata")).scalar() == 0
            assert not conn.execute(text("SELECT to_regclass('public.x')")).scalar()
    finally:
        owner.dispose()


@pytest.mark.postgres
def test_postgres_refuses_the_corpus_with_the_guard_off(pg_env, pg_platform_owner_url, monkeypatch):
    _corpus_on_engine(pg_env, monkeypatch)
    _nothing_written_in_postgres(pg_platform_owner_url)


def test_duckdb_lockdown_alone_refuses_files_settings_and_writes(wb_env, monkeypatch):
    """Guard and DuckDB's second reading both off: the locked, read-only connection still
    reads no file, writes nothing, keeps its settings, and hands no session state on."""
    where = _where(wb_env)
    before = _count_users()
    guard_off(monkeypatch)
    monkeypatch.setattr(walls, "duckdb_statement_problem", lambda raw, statement: "")
    must_refuse = [
        *FAMILIES["writes"],
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT size FROM read_blob('{db}')",
        "SELECT * FROM read_duckdb('{db}', table_name = 'users')",
        "SELECT * FROM glob('{home}/*')",
        "SELECT * FROM '{home}/ground_truth.json'",
        "COPY (SELECT 'garbage') TO '{db}.wal' (FORMAT csv)",
        "COPY (SELECT 1) TO '{mark}'",
        "EXPLAIN ANALYZE COPY (SELECT 1) TO '{mark}'",
        "SELECT * FROM enable_logging(storage = 'file', storage_path = '{home}/logs')",
        "SET GLOBAL disabled_filesystems = ''",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SET memory_limit = '100GB'",
        "SET threads = 64",
        "LOAD httpfs",
        "INSTALL httpfs",
        "ATTACH ':memory:' AS m",
        "SELECT * FROM duckdb_extensions()",
    ]
    for item in must_refuse:
        statement = filled(item, **where)
        with pytest.raises((guard.QueryRefused, execute.QueryFailed)):
            execute.sql(statement)
    # session state is accepted by a session, but the connection that ran it is dropped
    for item in FAMILIES["session state"][:6] + ["EXPLAIN ANALYZE SET search_path = 'temp'"]:
        try:
            execute.sql(item)
        except (guard.QueryRefused, execute.QueryFailed):
            pass
        assert _count_users() == before, item
        assert execute.sql("SELECT lower('ABC') AS v")["v"].iloc[0] == "abc", item
        assert execute.sql("SELECT current_setting('search_path') AS p")["p"].iloc[0] == ""
    locked = execute.sql(
        "SELECT current_setting('enable_external_access') AS ext, "
        "current_setting('lock_configuration') AS locked, current_setting('TimeZone') AS tz"
    ).iloc[0]
    assert (bool(locked["ext"]), bool(locked["locked"]), locked["tz"]) == (False, True, "UTC")
    monkeypatch.undo()
    assert not Path(where["mark"]).exists() and not (wb_env.home / "logs").exists()
    assert not list(Path(where["db"]).parent.glob("platform.duckdb.wal*"))


def test_duckdb_reads_every_statement_again_with_its_own_parser(wb_env, monkeypatch):
    """What the DuckDB wall says about texts sqlglot might have read differently."""
    guard_off(monkeypatch)
    cases = {
        "SELECT 1; DELETE FROM users": "the database sees 2 statements",
        "DELETE FROM users": "the database sees a DELETE statement",
        "EXPLAIN ANALYZE CREATE TEMP TABLE t AS SELECT 1": "EXPLAIN of something other",
        "SELECT * FROM read_text('/etc/passwd')": "read_text",
        "SELECT * FROM pragma_database_size()": "table function pragma_database_size",
        "SUMMARIZE users": "through SHOW_REF",
        "SELECT * FROM main.secrets": "not a platform table",
        "SELECT * FROM other.main.users": "not a platform table",
        "SELECT current_setting('secret_directory')": "current_setting",
    }
    for statement, reason in cases.items():
        with pytest.raises(guard.QueryRefused, match=reason):
            execute.sql(statement)
    ok = execute.sql("WITH u AS (SELECT user_id FROM users) SELECT count(*) AS n FROM u")
    assert int(ok["n"].iloc[0]) > 0


def test_the_issue_attack_is_refused_on_the_command_line(wb_env, capsys):
    from workbench.cli import main

    attack = (
        "/* /* */ EXPLAIN SELECT '*/ SELECT filename, content FROM read_text($$/etc/passwd$$) --'"
    )
    assert main(["sql", attack]) == 4
    err = capsys.readouterr().err
    assert "read_text() is not allowed" in err and "root:" not in err
    rec = audit.records().iloc[-1]
    assert rec["outcome"] == "refused"


def test_duckdb_connections_are_locked(wb_env):
    from workbench.platform.engine import platform_engine

    with platform_engine().connect() as conn:
        raw = conn.connection.dbapi_connection
        ext, locked, threads, memory, tz = raw.execute(
            "SELECT current_setting('enable_external_access'), "
            "current_setting('lock_configuration'), current_setting('threads'), "
            "current_setting('memory_limit'), current_setting('TimeZone')"
        ).fetchone()
    assert (ext, locked, tz) == (False, True, "UTC")
    assert int(threads) == wb_env.duckdb_threads and memory.endswith("MiB")  # 1GB = 953.6 MiB


@pytest.mark.postgres
def test_postgres_refuses_a_superuser_and_a_role_that_can_write(
    wb_env, pg_platform_owner_url, monkeypatch
):
    from workbench import config
    from workbench.platform.engine import dispose_all

    monkeypatch.setenv(config.ENV_DATA_URL, pg_platform_owner_url)
    config.settings(reload=True)
    dispose_all()
    with pytest.raises(SettingsError, match="refusing to read the platform as wb.*superuser"):
        execute.sql("SELECT 1 AS one")
    owner = create_engine(pg_platform_owner_url)
    with owner.begin() as conn:
        conn.execute(
            text(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wb_writer') "
                "THEN CREATE ROLE wb_writer LOGIN; END IF; END $$"
            )
        )
        conn.execute(text("GRANT CONNECT ON DATABASE platform TO wb_writer"))
        conn.execute(text("GRANT USAGE ON SCHEMA public TO wb_writer"))
        conn.execute(text("GRANT SELECT, UPDATE ON users TO wb_writer"))
        conn.execute(text("ALTER ROLE wb_writer SET statement_timeout = '30s'"))
    owner.dispose()
    writer = pg_platform_owner_url.replace("//wb@", "//wb_writer@")
    monkeypatch.setenv(config.ENV_DATA_URL, writer)
    config.settings(reload=True)
    dispose_all()
    with pytest.raises(SettingsError, match="can write to table users") as err:
        execute.sql("SELECT 1 AS one")
    assert "\n" not in str(err.value)
    dispose_all()


@pytest.mark.postgres
def test_postgres_sends_every_statement_alone(pg_env):
    """Even EXPLAIN (not a cursor) goes through the extended protocol: a second statement in
    the text is the server's syntax error, never run."""
    from workbench.platform.engine import platform_engine

    engine = platform_engine()
    with engine.connect() as conn:
        for statement in ("SELECT 1; SELECT 2", "EXPLAIN SELECT 1; SET statement_timeout = 0"):
            with pytest.raises(Exception, match="cannot insert multiple commands"):
                conn.execute(text(statement))
            conn.rollback()
        assert conn.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
        assert conn.execute(text("SHOW statement_timeout")).scalar() != "0"
        assert conn.execute(text("SELECT 'a%' LIKE 'a%%'")).scalar() in (True, False)


SLOW = {
    "duckdb": "SELECT sum(a.x * b.y) AS s FROM range(100000000) AS a(x), range(100000) AS b(y)",
    "postgres": "SELECT sum(a * b) AS s FROM generate_series(1, 100000000) AS a, "
    "generate_series(1, 100000) AS b",
}


def _time_limit(kind: str):
    t0 = time.monotonic()
    with pytest.raises(execute.QueryTimeout, match="time limit of 1 s"):
        execute.sql(SLOW[kind], timeout=1)
    assert time.monotonic() - t0 < 15
    assert audit.records()["outcome"].iloc[-1] == "timeout"
    assert _count_users() > 0  # the engine is usable straight after the cancel


def test_time_limit_cancels_in_duckdb(wb_env):
    _time_limit("duckdb")


@pytest.mark.postgres
def test_time_limit_cancels_in_postgres(pg_env):
    _time_limit("postgres")


def test_timeout_must_be_finite_and_positive(wb_env, capsys):
    from workbench.cli import main

    for bad in ("inf", "nan", "0", "-1"):
        assert main(["sql", "SELECT 1 AS one", "--timeout", bad]) == 2, bad
        err = capsys.readouterr().err
        assert "is not a finite positive number of seconds" in err and "Traceback" not in err
    assert main(["sql", "SELECT 1 AS one", "--timeout", "2.5"]) == 0


def test_no_stray_files_next_to_the_platform(wb_env):
    execute.sql("SELECT count(*) AS n FROM messages")
    folder = Path(wb_env.platform_file).resolve().parent
    assert not [p for p in os.listdir(folder) if p.startswith("platform.duckdb.")]


@pytest.mark.postgres
def test_demo_load_makes_a_role_that_can_only_read(pg_platform_url, pg_platform_owner_url):
    from workbench.demo.load import create_reader, reader_grants

    assert "workbench_reader@" in pg_platform_url
    reader = create_engine(pg_platform_url)
    try:
        with reader.connect() as conn:
            assert walls.role_problems(conn) == []
            assert conn.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "1min"
            assert conn.execute(text("SELECT count(*) FROM users")).scalar() > 0
    finally:
        reader.dispose()
    again = create_reader(pg_platform_owner_url)  # making it again changes nothing
    assert again == pg_platform_url
    grants = reader_grants("platform")
    assert any("GRANT SELECT ON" in g and '"users"' in g for g in grants)
    assert not any("INSERT" in g or "UPDATE" in g for g in grants)


@pytest.mark.postgres
def test_the_reader_role_alone_writes_nothing(pg_platform_url, pg_platform_owner_url):
    """The role is a wall of its own: no guard, no cursor, no extended protocol, read-only
    switched off for the session, and still every write is refused by the server."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(pg_platform_url).set(drivername="postgresql")
    writes = [
        "DELETE FROM users",
        "UPDATE users SET status = 'banned'",
        "INSERT INTO users SELECT * FROM users LIMIT 1",
        "CREATE TABLE x (a int)",
        "CREATE TEMP TABLE users AS SELECT 1 AS user_id",
        "TRUNCATE users",
        "SELECT lo_from_bytea(0, 'x')",
        "SELECT lo_create(0)",
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        "COPY users TO '/tmp/users.csv'",
    ]
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        conn.execute("SET default_transaction_read_only = off")  # the role may do this ...
        for statement in writes:
            with pytest.raises(psycopg.Error, match="permission denied|must be superuser"):
                conn.execute(statement)  # ... and still writes nothing
    _nothing_written_in_postgres(pg_platform_owner_url)
