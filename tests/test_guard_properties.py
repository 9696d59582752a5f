"""Property-based tests of the guard (Hypothesis): statements built from read-only SQL
fragments wrapped in comment and quote noise. Whatever the guard accepts, the engine runs as
exactly one read-only statement: DuckDB's own parser reads the text sent as one SELECT, the
engine's second reading agrees, it runs, and nothing is written."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from workbench.platform import walls
from workbench.platform.engine import platform_engine
from workbench.queries import guard
from workbench.queries import run as execute

FRAGMENTS = [
    "SELECT count(*) AS n FROM users",
    "SELECT user_id, handle FROM users WHERE user_id < 5 ORDER BY user_id",
    "SELECT {lit} AS a",
    "SELECT {lit} AS a, count(*) AS n FROM reports",
    "VALUES (1, {lit})",
    "WITH r AS (SELECT reported_user_id FROM reports) SELECT count(*) AS n FROM r",
    "SELECT country, count(*) AS n FROM users GROUP BY country ORDER BY country LIMIT 3",
    "SELECT u.user_id FROM users u WHERE u.handle = CAST({lit} AS TEXT) UNION SELECT 0 ORDER BY 1",
    "EXPLAIN SELECT * FROM users WHERE user_id = 1",
]

NOISE = [
    "; DROP TABLE users",
    "; DELETE FROM users",
    "*/ SELECT * FROM read_text('/etc/passwd') /*",
    "' ; DELETE FROM users --",
    "$$ ; $$",
    "$a$ ; $a$",
    "--",
    "/*",
    "*/",
    "/* nested /* */",
    "\r",
    "\n",
    "\t",
    "\f",
    "\v",
    "EXPLAIN ANALYZE ",
    "COMMIT; BEGIN READ WRITE; CREATE TABLE x (a int)",
    "SELECT * FROM glob('*')",
    "ＳＥＬＥＣＴ",
    "\u200b",
    "\u2028",
    "é",
    "'",
    '"',
    ";",
    "x",
    " ",
]

noise = st.lists(st.sampled_from(NOISE), max_size=5).map("".join)


@st.composite
def wrapped(draw) -> str:
    """A noise piece as a block comment, a line comment, a string or as it is."""
    body = draw(noise)
    kind = draw(st.sampled_from(["block", "line", "raw", "none", "none"]))
    if kind == "block":
        return f"/* {body} */"
    if kind == "line":
        return f"-- {body}\n"
    if kind == "raw":
        return body
    return ""


@st.composite
def literal(draw) -> str:
    body = draw(noise)
    kind = draw(st.sampled_from(["quote", "dollar", "tagged", "number"]))
    if kind == "quote":
        return "'" + body.replace("'", "''") + "'"
    if kind == "dollar" and "$$" not in body:
        return f"$${body}$$"
    if kind == "tagged" and "$q$" not in body:
        return f"$q${body}$q$"
    return "1"


@st.composite
def statements(draw) -> str:
    fragment = draw(st.sampled_from(FRAGMENTS)).replace("{lit}", draw(literal()))
    return (
        draw(wrapped())
        + " "
        + fragment
        + " "
        + draw(wrapped())
        + draw(st.sampled_from(["", ";", " ;  "]))
    )


def _one_read_only(raw, sql_text: str) -> None:
    import duckdb

    stmts = raw.extract_statements(sql_text)
    assert len(stmts) == 1, sql_text
    assert stmts[0].type in (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN)
    if stmts[0].type == duckdb.StatementType.EXPLAIN:
        assert sql_text.startswith("EXPLAIN ")
        inner = raw.extract_statements(sql_text[len("EXPLAIN ") :])
        assert len(inner) == 1 and inner[0].type == duckdb.StatementType.SELECT


class _Sent:
    """Every statement the platform engine is given, as sent."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)


PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(text=statements())
def test_whatever_the_guard_accepts_duckdb_runs_as_one_read_only_statement(wb_env, text):
    try:
        checked = guard.check(text.strip().rstrip(";").rstrip(), "duckdb")
    except guard.QueryRefused:
        return
    engine = platform_engine()
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        _one_read_only(raw, checked.sql)
        assert walls.duckdb_statement_problem(raw, checked.sql) == "", checked.sql
    sent = _Sent()
    event.listen(engine, "before_cursor_execute", sent)
    try:
        execute.sql(text)
    except execute.QueryFailed:
        pass  # one statement the database could not run (a type error): still just one
    finally:
        event.remove(engine, "before_cursor_execute", sent)
    assert sent.statements
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        for statement in sent.statements:
            _one_read_only(raw, statement)
    assert int(execute.sql("SELECT count(*) AS n FROM users")["n"].iloc[0]) > 0


@pytest.mark.postgres
@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=statements())
def test_whatever_the_guard_accepts_postgres_runs_as_one_read_only_statement(pg_env, text):
    try:
        guard.check(text.strip().rstrip(";").rstrip(), "postgres")
    except guard.QueryRefused:
        return
    engine = platform_engine()
    sent = _Sent()
    event.listen(engine, "before_cursor_execute", sent)
    try:
        execute.sql(text)
    except execute.QueryFailed:
        pass
    finally:
        event.remove(engine, "before_cursor_execute", sent)
    # each went alone through the extended protocol (test_guard_engines proves a second
    # statement is the server's syntax error there) inside a READ ONLY transaction
    assert [s for s in sent.statements if not s.startswith("SET ")]
    assert int(execute.sql("SELECT count(*) AS n FROM users")["n"].iloc[0]) > 0


def test_the_strategy_makes_both_accepted_and_refused_statements():
    """The property above is not vacuous: the generator reaches both sides of the guard."""
    from hypothesis import find

    find(statements(), lambda t: _accepted(t), settings=settings(database=None))
    find(statements(), lambda t: not _accepted(t), settings=settings(database=None))
    find(
        statements(),
        lambda t: _accepted(t) and ("DROP" in t or "read_text" in t),
        settings=settings(database=None, max_examples=5000),
    )


def _accepted(text: str) -> bool:
    try:
        guard.check(text.strip().rstrip(";").rstrip(), "duckdb")
    except guard.QueryRefused:
        return False
    return True
