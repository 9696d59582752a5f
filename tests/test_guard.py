"""The read-only guard, on DuckDB and PostgreSQL.

* a refusal corpus and the adversarial corpus (``tests/adversarial.py``, by bypass family) are
  refused by the guard (both dialects) and, run through ``wb.sql`` on each engine, leave one
  ``refused`` audit record per statement and the data untouched;
* legitimate complex SELECTs pass and run on both engines;
* what is sent is SQL written back from the checked tree (comments gone, binds as ``:name``,
  value-growing functions capped); EXPLAIN is only ever a plain EXPLAIN of one query.

The walls behind the guard are ``tests/test_guard_engines.py``; the property-based tests are
``tests/test_guard_properties.py``.
"""

from __future__ import annotations

import pytest
from adversarial import CORPUS, filled

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


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_guard_refuses_the_adversarial_corpus(dialect):
    for family, item in CORPUS:
        statement = filled(item, db="/var/wb/platform.duckdb", home="/var/wb", mark="/tmp/m")
        with pytest.raises(QueryRefused) as err:
            guard.check(statement, dialect)
        assert "\n" not in str(err.value), (family, statement)


def test_the_issue_attack_is_read_as_the_database_reads_it():
    attack = (
        "/* /* */ EXPLAIN SELECT '*/ SELECT filename, content FROM read_text($$/etc/passwd$$) --'"
    )
    with pytest.raises(QueryRefused, match="read_text\\(\\) is not allowed"):
        guard.check(attack, "duckdb")
    harmless = "/* /* */ EXPLAIN SELECT '*/ SELECT 1 AS seen --'"
    checked = guard.check(harmless, "duckdb")
    assert checked.kind == "select" and checked.sql == "SELECT 1 AS seen"


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_what_is_sent_is_written_back_from_the_checked_tree(dialect):
    c = guard.check(
        "/* note */ SELECT handle -- trailing ; DROP TABLE users\n FROM users "
        "WHERE user_id IN :ids AND handle = :h /* ; */",
        dialect,
    )
    assert c.sql == "SELECT handle FROM users WHERE user_id IN :ids AND handle = :h"
    assert c.tables == {"users"} and c.query is not None
    e = guard.check("/* c */ EXPLAIN /* x */ SELECT * FROM users WHERE user_id = :u", dialect)
    assert (e.kind, e.sql) == ("explain", "EXPLAIN SELECT * FROM users WHERE user_id = :u")
    for positional in ("SELECT * FROM users WHERE user_id = ?", "SELECT $1"):
        with pytest.raises(QueryRefused, match="positional parameters"):
            guard.check(positional, dialect)


def test_explain_is_plain_or_refused():
    for statement, reason in {
        "EXPLAIN ANALYZE SELECT 1": "only a plain EXPLAIN",
        "EXPLAIN (ANALYZE) SELECT 1": "only a plain EXPLAIN",
        "EXPLAIN VERBOSE SELECT 1": "only a plain EXPLAIN",
        "EXPLAIN (SELECT 1)": "only a plain EXPLAIN",
        "EXPLAIN DESCRIBE users": "only explain one query",
        "EXPLAIN SELECT 1; SELECT 2": "2 statements",
        "EXPLAIN": "EXPLAIN needs a query",
    }.items():
        with pytest.raises(QueryRefused, match=reason):
            guard.check(statement, "postgres")


def test_value_growing_functions_are_capped_in_what_is_sent():
    import duckdb

    con = duckdb.connect()
    sent = guard.check(
        "SELECT length(repeat('xy', 1000000000)) AS a, length(lpad('a', 500000000, 'z')) AS b, "
        "repeat('ab', 2) AS c, repeat('ab', NULL) IS NULL AS d",
        "duckdb",
        max_value=1000,
    ).sql
    assert con.execute(sent).fetchone() == (1000, 1000, "abab", True)
    with pytest.raises(QueryRefused, match="repeat/lpad/rpad of a value made by"):
        guard.check("SELECT repeat(repeat('x', 9), 9)", "duckdb", max_value=1000)


def _count_users() -> int:
    return int(execute.sql("SELECT count(*) AS n FROM users")["n"].iloc[0])


def _refusal_corpus_on_engine():
    before = _count_users()
    first = len(audit.records())
    statements = REFUSED + [filled(i, db="/x", home="/x", mark="/x") for _, i in CORPUS]
    for statement in statements:
        with pytest.raises(QueryRefused):
            execute.sql(statement)
    recs = audit.records().iloc[first:]
    assert len(recs) == len(statements)
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
