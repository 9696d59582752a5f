"""The engine as the second wall: a bug in the guard must still read nothing and write nothing.

DuckDB (the embedded platform file):

* opened ``read_only`` with external access, extension loading and spilling off, memory and
  threads bounded (:func:`duckdb_config`); then, on the first connection of the database
  instance, the local file system is switched off, the time zone pinned to UTC and the
  configuration locked (:func:`lock_duckdb`), so nothing in a session can turn any of it back
  on. The lock is checked, not assumed: a connection that is not locked is refused.
* every statement sent is read again by DuckDB's own parser (:func:`duckdb_statement_problem`):
  exactly one SELECT (or ``EXPLAIN`` of exactly one SELECT), reading only platform tables and
  the names its own ``WITH`` defines, calling no function :mod:`workbench.platform.policy`
  refuses and no table function but the row generators.
* a connection that ran anything else is thrown away when it goes back to the pool, so temp
  tables, macros, variables, prepared statements and ``search_path`` never reach the next read.

PostgreSQL (a replica): the role must be one that can only read (:func:`role_problems` lists
what is wrong with it: a superuser, membership of other roles, any write, create, temp or
large-object right, no ``statement_timeout``); every statement goes alone through the extended
protocol (:func:`send_alone`), so a second statement in the text is a syntax error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from workbench.config import Settings
from workbench.errors import WorkbenchError
from workbench.platform import policy
from workbench.platform.schema import metadata


class EngineRefused(WorkbenchError):
    """The engine's own reading of a statement refused it (exit code 4, as a guard refusal)."""

    exit_code = 4

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"refused: {reason}")


class LockdownFailed(WorkbenchError):
    """A platform connection could not be locked down; it is not used."""


# --------------------------------------------------------------------------- DuckDB


def duckdb_config(settings: Settings) -> dict[str, Any]:
    """What ``duckdb.connect(config=...)`` takes. Not here: the lock (it would block the time
    zone), the time zone (unknown before the database starts) and ``disabled_filesystems``
    (refused before the database starts): :func:`lock_duckdb` sets those."""
    return {
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_unsigned_extensions": False,
        "memory_limit": settings.duckdb_memory,
        "threads": settings.duckdb_threads,
        "temp_directory": "",  # no spilling: nothing is ever written next to the file
    }


def lock_duckdb(raw: Any) -> None:
    """Lock a new connection's database instance (once per instance) and check the lock."""
    import duckdb

    locked = raw.execute("SELECT current_setting('lock_configuration')").fetchone()[0]
    if not locked:  # the first connection of this database instance in this process
        try:
            raw.execute("SET GLOBAL disabled_filesystems = 'LocalFileSystem'")
            raw.execute("SET GLOBAL TimeZone = 'UTC'")
            raw.execute("SET GLOBAL lock_configuration = true")
        except duckdb.InvalidInputException:
            pass  # another thread locked it between our check and our SET
    raw.execute("PRAGMA disable_progress_bar")  # session-local, allowed under the lock
    tz, lock, ext = raw.execute(
        "SELECT current_setting('TimeZone'), current_setting('lock_configuration'), "
        "current_setting('enable_external_access')"
    ).fetchone()
    if (tz, lock, ext) != ("UTC", True, False):
        raise LockdownFailed(f"DuckDB lockdown failed: TimeZone={tz} lock={lock} external={ext}")
    path = raw.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]
    try:  # the database file is an allowed path: only a disabled file system refuses it
        raw.execute("SELECT * FROM glob(?)", [path]).fetchall()
    except duckdb.PermissionException as exc:
        if "LocalFileSystem has been disabled" not in str(exc):
            raise
    else:
        raise LockdownFailed("DuckDB lockdown failed: the local file system is still on")


_TABLE_REFS_OK = {"BASE_TABLE", "SUBQUERY", "JOIN", "TABLE_FUNCTION", "EXPRESSION_LIST", "EMPTY"}
_checked: dict[str, str] = {}
_kinds: dict[str, bool] = {}


def _walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _reading_problem(tree: dict, database: str) -> str:
    """What DuckDB's own parse tree of a query reads that the platform must not give."""
    ctes = {
        str(entry["key"]).lower()
        for node in _walk(tree)
        for entry in (node.get("cte_map") or {}).get("map", [])
    }
    platform = set(metadata.tables)
    for node in _walk(tree):
        kind = node.get("type")
        if "sample" in node and "class" not in node and not str(kind).endswith("_NODE"):
            # a table reference (query nodes carry "sample" too)
            if kind not in _TABLE_REFS_OK:
                return f"the database reads the query through {kind}; only tables may be read"
            if kind == "BASE_TABLE":
                name = str(node.get("table_name", ""))
                catalog = str(node.get("catalog_name") or "")
                schema = str(node.get("schema_name") or "")
                if catalog not in ("", database) or schema.lower() not in ("", "main"):
                    return (
                        f"the database sees table {schema or catalog}.{name}, not a platform table"
                    )
                if name.lower() not in platform and not (not schema and name.lower() in ctes):
                    shown = name if len(name) <= 40 else name[:40] + "…"
                    return f"the database sees table {shown!r}, which is not a platform table"
            if kind == "TABLE_FUNCTION":
                fn = str((node.get("function") or {}).get("function_name", "")).lower()
                if fn not in policy.TABLE_FUNCTIONS:
                    return f"the database sees table function {fn}(), which is not allowed"
        if node.get("class") == "FUNCTION":
            name = str(node.get("function_name", ""))
            if policy.denied(name):
                return f"the database sees a call of {name.lower()}(), which is not allowed"
    return ""


def duckdb_statement_problem(raw: Any, statement: str) -> str:
    """Empty when DuckDB's parser reads ``statement`` as one read-only query of the platform
    tables, else the reason. Cached by text: the same text always parses the same."""
    if statement in _checked:
        return _checked[statement]
    import duckdb

    def parsed(text: str) -> list:
        try:
            return list(raw.extract_statements(text))
        except duckdb.Error:
            return []

    stmts = parsed(statement)
    body = statement
    if not stmts:
        problem = "the database cannot read it as one statement"
    elif len(stmts) != 1:
        problem = f"the database sees {len(stmts)} statements; run exactly one"
    elif stmts[0].type == duckdb.StatementType.EXPLAIN:
        body = statement[len("EXPLAIN ") :] if statement.startswith("EXPLAIN ") else ""
        inner = parsed(body) if body else []
        problem = (
            ""
            if len(inner) == 1 and inner[0].type == duckdb.StatementType.SELECT
            else "the database sees EXPLAIN of something other than one query"
        )
    elif stmts[0].type != duckdb.StatementType.SELECT:
        problem = (
            f"the database sees a {stmts[0].type.name} statement; only read-only queries may run"
        )
    else:
        problem = ""
    if not problem:
        tree = json.loads(raw.execute("SELECT json_serialize_sql(?)", [body]).fetchone()[0])
        if tree.get("error"):
            problem = "the database cannot read it as one query"
        else:
            database = raw.execute("SELECT current_database()").fetchone()[0]
            problem = _reading_problem(tree, str(database))
    if len(_checked) > 1000:
        _checked.clear()
    _checked[statement] = problem
    return problem


def plain_query(raw: Any, statement: str) -> bool:
    """Whether DuckDB reads ``statement`` as exactly one SELECT, or ``EXPLAIN `` and one SELECT
    (cached). A connection that ran anything else is not given to another read."""
    if statement not in _kinds:
        import duckdb

        def one_select(text: str) -> bool:
            try:
                stmts = raw.extract_statements(text)
            except duckdb.Error:
                return False
            return len(stmts) == 1 and stmts[0].type == duckdb.StatementType.SELECT

        explain = statement.startswith("EXPLAIN ")
        if len(_kinds) > 1000:
            _kinds.clear()
        _kinds[statement] = one_select(statement[len("EXPLAIN ") :] if explain else statement)
    return _kinds[statement]


# --------------------------------------------------------------------------- PostgreSQL

#: Lists every problem with the connected role (one row each); empty for a read-only role.
ROLE_PROBLEMS_SQL = r"""
WITH me AS (SELECT * FROM pg_roles WHERE rolname = current_user)
SELECT problem FROM (
    SELECT 'the role is a superuser' AS problem FROM me WHERE rolsuper
    UNION ALL SELECT 'the role has CREATEROLE' FROM me WHERE rolcreaterole
    UNION ALL SELECT 'the role has CREATEDB' FROM me WHERE rolcreatedb
    UNION ALL SELECT 'the role has REPLICATION' FROM me WHERE rolreplication
    UNION ALL SELECT 'the role has BYPASSRLS' FROM me WHERE rolbypassrls
    UNION ALL
    SELECT 'the role is a member of ' || r.rolname
      FROM pg_roles r
     WHERE r.rolname <> current_user AND pg_has_role(current_user, r.oid, 'MEMBER')
    UNION ALL
    SELECT format('the role can write to table %s', c.oid::regclass)
      FROM pg_class c
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
       AND c.oid <> 'pg_catalog.pg_settings'::regclass
       AND (has_table_privilege(c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE,TRIGGER')
            OR has_any_column_privilege(c.oid, 'INSERT,UPDATE'))
    UNION ALL
    SELECT 'the role can use sequence ' || c.oid::regclass
      FROM pg_class c
     WHERE CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(c.oid, 'USAGE,UPDATE')
                ELSE false END
    UNION ALL
    SELECT 'the role owns ' || c.oid::regclass
      FROM pg_class c WHERE pg_has_role(current_user, c.relowner, 'MEMBER')
    UNION ALL
    SELECT 'the role owns schema ' || quote_ident(n.nspname)
      FROM pg_namespace n WHERE pg_has_role(current_user, n.nspowner, 'MEMBER')
    UNION ALL
    SELECT 'the role can CREATE in schema ' || quote_ident(n.nspname)
      FROM pg_namespace n
     WHERE has_schema_privilege(n.oid, 'CREATE')
       AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
    UNION ALL
    SELECT 'the role can create tables or temporary tables in database ' || quote_ident(d.datname)
      FROM pg_database d
     WHERE d.datname = current_database() AND has_database_privilege(d.oid, 'CREATE,TEMP')
    UNION ALL
    SELECT 'the role owns database ' || quote_ident(d.datname)
      FROM pg_database d WHERE pg_has_role(current_user, d.datdba, 'MEMBER')
    UNION ALL
    SELECT 'the role owns large object ' || m.oid FROM pg_largeobject_metadata m
     WHERE pg_has_role(current_user, m.lomowner, 'MEMBER')
    UNION ALL
    SELECT 'the role can execute ' || f::regprocedure::text
      FROM unnest(ARRAY['lo_create(oid)', 'lo_creat(integer)', 'lo_from_bytea(oid,bytea)',
                        'lo_put(oid,bigint,bytea)', 'lowrite(integer,bytea)', 'lo_unlink(oid)',
                        'lo_import(text)', 'lo_export(oid,text)', 'pg_read_file(text)',
                        'pg_read_binary_file(text)', 'pg_ls_dir(text)', 'pg_stat_file(text)']
                  ::regprocedure[]) AS f
     WHERE has_function_privilege(f, 'EXECUTE')
    UNION ALL
    SELECT 'the role owns function ' || p.oid::regprocedure
      FROM pg_proc p WHERE pg_has_role(current_user, p.proowner, 'MEMBER')
    UNION ALL
    SELECT 'default_transaction_read_only is off'
     WHERE current_setting('default_transaction_read_only')::bool IS NOT TRUE
    UNION ALL
    SELECT 'the role has no statement_timeout'
     WHERE current_setting('statement_timeout') IN ('0', '0ms')
) AS problems
WHERE problem = 'the role is a superuser' OR NOT (SELECT rolsuper FROM me)
ORDER BY 1
"""


def role_problems(conn: Any) -> list[str]:
    """What is wrong with the role of a PostgreSQL connection (SQLAlchemy) for reading the
    platform: empty when it can only read."""
    from sqlalchemy import text

    return [str(r[0]) for r in conn.execute(text(ROLE_PROBLEMS_SQL))]


def send_alone(cursor: Any, statement: str, parameters: Any) -> bool:
    """Run one statement through the extended protocol (a psycopg pipeline always uses
    PQsendQueryParams), so a second statement in the text is refused by the server. Server-side
    cursors are left alone: psycopg's DECLARE is sent that way already."""
    import psycopg

    if isinstance(cursor, psycopg.ServerCursor):
        return False
    with cursor.connection.pipeline():
        if parameters is None:
            cursor.execute(statement)  # no_parameters: SQLAlchemy did not double any '%'
        else:
            cursor.execute(statement, parameters)  # {} as-is: psycopg turns '%%' into '%'
    return True
