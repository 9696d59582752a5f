"""The read-only guard and the walls behind it, on DuckDB and PostgreSQL.

* a refusal corpus is refused by the guard (both dialects) and, run through ``wb.sql`` on each
  engine, leaves one ``refused`` audit record per statement and the data untouched;
* legitimate complex SELECTs pass and run on both engines;
* with the guard bypassed on purpose, the database's own read-only mode still refuses writes;
* the time limit cancels a deliberately slow query in the database.
"""

from __future__ import annotations

import time

import pytest

from workbench.queries import guard
from workbench.queries import run as execute
from workbench.queries.guard import QueryRefused
from workbench.store import audit

REFUSED = [
    # DDL / DML
    "DROP TABLE users",
    "CREATE TABLE x AS SELECT * FROM users",
    "ALTER TABLE users ADD COLUMN x INT",
    "TRUNCATE users",
    "DELETE FROM users",
    "UPDATE users SET status = 'banned'",
    "INSERT INTO users (user_id) VALUES (1)",
    "WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d",
    "SELECT * INTO users_copy FROM users",
    "SELECT * FROM users FOR UPDATE",
    # stacked statements, hidden behind comments and string tricks
    "SELECT 1; DROP TABLE users",
    "SELECT 1 FROM users; DELETE FROM users;",
    "SELECT 1 -- harmless\n; DROP TABLE users",
    "SELECT 1 /* one */; /* two */ DELETE FROM users",
    "SELECT ';'; DROP TABLE users",
    "SELECT 'it''s'; DROP TABLE users --'",
    "SELECT '\\'; DROP TABLE users; --'",  # a backslash does not escape the quote
    "SELECT $$ a $$; DELETE FROM users",
    # engine commands
    "ATTACH 'evil.db' AS evil",
    "DETACH evil",
    "COPY users TO '/tmp/users.csv'",
    "COPY (SELECT * FROM users) TO '/tmp/users.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '/tmp/dump'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "CALL pragma_version()",
    "PRAGMA table_info('users')",
    "SET threads = 1",
    "SET statement_timeout = 0",
    "BEGIN",
    "VACUUM",
    "CHECKPOINT",
    "DESCRIBE users",
    "SHOW TABLES",
    "EXPLAIN DELETE FROM users",
    # functions reading files, URLs or server state, or running SQL from text
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_parquet('s3://bucket/x.parquet')",
    "SELECT * FROM read_json('https://example.com/x.json')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM 'data.csv'",
    'SELECT * FROM "/etc/passwd"',
    "SELECT * FROM glob('/*')",
    "SELECT * FROM query('DELETE FROM users')",
    "SELECT * FROM sqlite_scan('x.db', 'users')",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(a int)",
    "SELECT current_setting('data_directory')",
    "SELECT set_config('transaction_read_only', 'off', true)",
    "SELECT pg_sleep(10)",
    "SELECT getenv('HOME')",
    "SELECT query_to_xml('DELETE FROM users', true, true, '')",
    "SELECT nextval('some_seq')",
    "SELECT * FROM pg_catalog.pg_stat_activity",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM other_db.main.users",
    "SELECT * FROM secrets",
    # odd unicode and case
    "ＳＥＬＥＣＴ * FROM users",
    "SELECT\u200b * FROM users",
    "SELECT * FROM users\u037e DROP TABLE users",
    "sElEcT 1; dRoP tAbLe users",
    "SELECT * FROM users WHERE\u00a0user_id = 1",
    "SELECT 1\x00",
    "",
    "   ",
    "-- only a comment",
]

LEGIT = [
    "SELECT count(*) AS n FROM users",
    "select u.user_id, u.handle from users u where u.user_id in (select reported_user_id from reports) "
    "order by u.user_id limit 5",
    "WITH r AS (SELECT reported_user_id, count(*) AS n FROM reports GROUP BY reported_user_id) "
    "SELECT u.user_id, r.n, rank() OVER (ORDER BY r.n DESC, u.user_id) AS rk "
    "FROM users u JOIN r ON r.reported_user_id = u.user_id ORDER BY rk LIMIT 10",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT sum(i) AS s FROM n",
    "SELECT country, count(*) FILTER (WHERE verified) AS verified, count(*) AS total "
    "FROM users GROUP BY country HAVING count(*) > 0 ORDER BY country",
    "SELECT user_id, ts, lag(ts) OVER (PARTITION BY user_id ORDER BY ts) AS prev_ts "
    "FROM logins WHERE user_id = (SELECT min(user_id) FROM logins) ORDER BY ts LIMIT 20",
    "SELECT a.user_id FROM users a WHERE EXISTS (SELECT 1 FROM devices d WHERE d.user_id = a.user_id) "
    "UNION SELECT user_id FROM payments ORDER BY 1 LIMIT 10",
    "VALUES (1, 'a'), (2, 'b')",
    'SELECT json_extract_string(\'{"a": {"b": "x"}}\', \'$.a.b\') AS v',
    "SELECT 'a; DROP TABLE users' AS harmless, 'こんにちは' AS greeting, 'سلام' AS urdu",
    "SELECT * FROM main.users WHERE handle = 'it''s' LIMIT 1",
    "SELECT count(*) FROM generate_series(1, 10) AS g(x)",
    "EXPLAIN SELECT * FROM users WHERE user_id = 1",
    "SELECT lower(body) FROM messages /* a comment; with a semicolon */ LIMIT 3;",
]

# The one JSON function differs by engine; the rest runs unchanged on both.
LEGIT_PG = [
    s.replace(
        'json_extract_string(\'{"a": {"b": "x"}}\', \'$.a.b\')',
        "CAST('{\"a\": {\"b\": \"x\"}}' AS JSON) -> 'a' ->> 'b'",
    ).replace("main.users", "public.users")
    for s in LEGIT
]


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_guard_refuses_the_corpus_with_one_line_reasons(dialect):
    for statement in REFUSED:
        with pytest.raises(QueryRefused) as err:
            guard.check(statement, dialect)
        message = str(err.value)
        assert message.startswith("refused: ") and "\n" not in message, (statement, message)
        assert len(message) < 220


@pytest.mark.parametrize("dialect,corpus", [("duckdb", LEGIT), ("postgres", LEGIT_PG)])
def test_guard_accepts_legitimate_selects(dialect, corpus):
    for statement in corpus:
        checked = guard.check(statement, dialect)
        assert checked.kind in ("select", "explain")


def test_guard_names_specific_reasons():
    cases = {
        "SELECT 1; DROP TABLE users": "2 statements",
        "DROP TABLE users": "DROP is not allowed",
        "SELECT * FROM read_csv('x')": "read_csv() is not allowed",
        "SELECT * FROM 'x.csv'": "not a platform table",
        "ＳＥＬＥＣＴ 1": "non-ASCII character U+FF33",
        "WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d": "DELETE is not allowed",
        "COPY users TO 'x.csv'": "COPY is not allowed",
        "SELECT mystery_fn(1)": "not on the allow-list",
    }
    for statement, reason in cases.items():
        with pytest.raises(QueryRefused, match=None) as err:
            guard.check(statement, "duckdb")
        assert reason in str(err.value), (statement, str(err.value))


def _count_users() -> int:
    return int(execute.sql("SELECT count(*) AS n FROM users")["n"].iloc[0])


def _refusal_corpus_on_engine():
    before = _count_users()
    first = len(audit.records())
    for statement in REFUSED:
        with pytest.raises(QueryRefused):
            execute.sql(statement)
    recs = audit.records().iloc[first:]
    assert len(recs) == len(REFUSED)
    assert set(recs["outcome"]) == {"refused"}
    assert recs["reason"].str.startswith("refused: ").all()
    assert _count_users() == before
    assert audit.verify() is None


def _legit_on_engine(corpus):
    for statement in corpus:
        df = execute.sql(statement)
        assert df.attrs["provenance"]["row_count"] == len(df)


def test_refusal_corpus_and_legit_selects_on_duckdb(wb_env):
    _refusal_corpus_on_engine()
    _legit_on_engine(LEGIT)


@pytest.mark.postgres
def test_refusal_corpus_and_legit_selects_on_postgres(pg_env):
    _refusal_corpus_on_engine()
    _legit_on_engine(LEGIT_PG)


def _bypass_guard(monkeypatch):
    monkeypatch.setattr(
        guard, "check", lambda *a, **k: guard.Checked("select", frozenset(), frozenset())
    )


def test_duckdb_walls_behind_the_guard(wb_env, monkeypatch):
    before = _count_users()
    _bypass_guard(monkeypatch)
    # second check: DuckDB's own parser counts statements and their kind
    with pytest.raises(QueryRefused, match="the database sees"):
        execute.sql("DELETE FROM users")
    with pytest.raises(QueryRefused, match="the database sees 2 statements"):
        execute.sql("SELECT 1; DELETE FROM users")
    # last wall: the file is open read-only
    monkeypatch.setattr(execute, "_duckdb_check_statements", lambda *a, **k: None)
    for statement in (
        "DELETE FROM users",
        "CREATE TABLE x (a INT)",
        "INSERT INTO users SELECT * FROM users LIMIT 1",
        "UPDATE users SET status = 'banned'",
    ):
        with pytest.raises(QueryRefused, match="the database refused it"):
            execute.sql(statement)
    monkeypatch.undo()
    assert _count_users() == before
    recs = audit.records()
    assert list(recs["outcome"].iloc[-7:-1]) == ["refused"] * 6  # the last is the count above


@pytest.mark.postgres
def test_postgres_walls_behind_the_guard(pg_env, monkeypatch):
    before = _count_users()
    writes = (
        "DELETE FROM users",
        "CREATE TABLE x (a INT)",
        "UPDATE users SET status = 'banned'",
        "SELECT 1; DELETE FROM users",
    )
    _bypass_guard(monkeypatch)
    # second wall: results stream through a server-side cursor, which only a query can feed
    for statement in writes:
        with pytest.raises((QueryRefused, execute.QueryFailed)):
            execute.sql(statement)
    # last wall: the READ ONLY transaction (EXPLAIN runs on a plain cursor, so claim that kind)
    monkeypatch.setattr(
        guard, "check", lambda *a, **k: guard.Checked("explain", frozenset(), frozenset())
    )
    for statement in writes[:3] + ("SELECT set_config('transaction_read_only', 'off', true)",):
        with pytest.raises(QueryRefused, match="the database refused it"):
            execute.sql(statement)
    monkeypatch.undo()
    assert _count_users() == before


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
    # the engine is usable straight after the cancel
    assert _count_users() > 0


def test_time_limit_cancels_in_duckdb(wb_env):
    _time_limit("duckdb")


@pytest.mark.postgres
def test_time_limit_cancels_in_postgres(pg_env):
    _time_limit("postgres")
