"""Running queries: guarded, bounded in size and time, audited, with provenance.

``wb.query(name, case=None, **params)`` runs a library query, ``wb.sql(text, case=None, **params)``
ad-hoc SQL. Both:

1. check the case id (when given) and the parameters (values are always bound, never pasted;
   lists expand into ``IN :ids``);
2. pass the statement through :mod:`workbench.queries.guard` (one read-only query, or a one-line refusal);
3. run it on the platform's read-only engine: PostgreSQL in a ``READ ONLY`` transaction with
   ``statement_timeout`` and a server-side cursor; DuckDB (opened ``read_only``) with its own
   parser counting statements first and ``interrupt()`` from a timer thread at the time limit;
4. fetch at most ``max_rows`` rows (``fetchmany``: a bigger result is never pulled whole) and warn
   with :class:`ResultTruncated` when the result was cut;
5. append an audit record (ok, refused, failed or timeout; results as row count + SHA-256 only);
6. return a DataFrame whose ``attrs["provenance"]`` says what ran, where, when, by whom, for which
   case, and the result's SHA-256 (:func:`result_sha256`).

Limits: ``max_rows`` (default ``$WORKBENCH_MAX_ROWS`` or 100,000) and ``timeout`` seconds (default
``$WORKBENCH_QUERY_TIMEOUT`` or 60), per call.

Result hash (``hash_method`` ``wb-rows-v1``): SHA-256 of UTF-8 lines joined by ``\\n``: first the
JSON array of column names, then one JSON array per row in result order (JSON with no spaces, not
ASCII-escaped, keys sorted). Values: missing (None/NaN/NaT/NA) -> ``null``; booleans; integers and
integral floats -> integers; other floats and decimals -> JSON numbers (as floats); aware times -> text
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC; dates -> ISO text; intervals -> ``"<seconds>s"``; bytes ->
hex; lists -> arrays. The same rows give the same hash after a Parquet round trip.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from workbench.config import safe_url, settings
from workbench.errors import InputError, WorkbenchError
from workbench.ids import validate_case_id
from workbench.platform.engine import platform_engine
from workbench.queries import guard, library
from workbench.store import audit

HASH_METHOD = "wb-rows-v1"


class ResultTruncated(UserWarning):
    """A result had more rows than the fetch limit; only the first ``max_rows`` were kept."""


class QueryFailed(WorkbenchError):
    """The database could not run an accepted statement (bad column, type error, ...)."""

    exit_code = 5


class QueryTimeout(WorkbenchError):
    """The statement ran past the time limit and was cancelled in the database."""

    exit_code = 6


# --- limits ---------------------------------------------------------------------------------


def _limits(max_rows: Any, timeout: Any) -> tuple[int, float]:
    rows = settings().max_rows if max_rows is None else max_rows
    secs = settings().query_timeout if timeout is None else timeout
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise InputError(f"max_rows {rows!r} is not a positive whole number", "e.g. max_rows=1000")
    if isinstance(secs, bool) or not isinstance(secs, (int, float)) or not secs > 0:
        raise InputError(f"timeout {secs!r} is not a positive number of seconds", "e.g. timeout=30")
    return rows, float(secs)


# --- result hash ----------------------------------------------------------------------------


def _canon(v: Any) -> Any:
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (bool, str)):
        return v
    if (
        hasattr(v, "item")
        and not isinstance(v, (pd.Timestamp, pd.Timedelta))
        and getattr(v, "ndim", 0) == 0
    ):
        v = v.item()  # numpy scalar -> Python
        if v is None or isinstance(v, (bool, str)):
            return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if isinstance(v, Decimal):  # as pandas holds it (coerce_float): a float
        return _canon(float(v))
    if isinstance(v, datetime):  # includes pd.Timestamp
        if v.tzinfo is None:
            return v.isoformat(timespec="microseconds")
        return v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, timedelta):
        return f"{v.total_seconds()}s"
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    if isinstance(v, dict):
        return {str(k): _canon(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)) or hasattr(v, "tolist"):
        return [_canon(x) for x in (v.tolist() if hasattr(v, "tolist") else v)]
    return str(v)


def _hash_rows(columns: list, rows: Any) -> str:
    h = hashlib.sha256()
    dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    h.update(dumps([str(c) for c in columns]).encode("utf-8"))
    for row in rows:
        h.update(b"\n")
        h.update(dumps([_canon(v) for v in row]).encode("utf-8"))
    return h.hexdigest()


def result_sha256(df: pd.DataFrame) -> str:
    """SHA-256 (hex) of a result, computed as described in this module's docstring."""
    plain = df.copy(deep=False)
    plain.attrs = {}  # pandas copies attrs on every column access; provenance is not hashed
    columns = [plain.iloc[:, i].tolist() for i in range(plain.shape[1])]
    return _hash_rows(list(df.columns), zip(*columns))


# --- running --------------------------------------------------------------------------------


@dataclass
class _Fetched:
    columns: list[str]
    rows: list[tuple]
    truncated: bool


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).strip().splitlines() if ln.strip()]
    first = lines[0] if lines else type(orig).__name__
    return first if len(first) <= 200 else first[:200] + "…"


def _is_read_only_refusal(exc: BaseException) -> bool:
    """The database itself refused: a write in read-only mode, or a second statement."""
    msg = str(getattr(exc, "orig", None) or exc).lower()
    return any(s in msg for s in ("read-only", "read only", "multiple commands", "read-write mode"))


def _schema_hint(exc: BaseException) -> str | None:
    """For a library query: a column or table it needs is missing, so the platform data is
    older than (or differs from) the schema the library is written for."""
    msg = _one_line(exc).lower()  # DuckDB: "Table with name x does not exist", "column x not
    # found"; PostgreSQL: 'relation "x" does not exist', 'column "x" does not exist'
    if any(w in msg for w in ("column", "table", "relation")) and (
        "not found" in msg or "does not exist" in msg
    ):
        return (
            "the platform data lacks something the query library needs (see queries/SCHEMA.md); "
            "for the demo, rebuild it with `workbench demo generate`"
        )
    return None


def _statement(sql_text: str, params: dict[str, Any], arrays: set[str]) -> Any:
    stmt = text(sql_text)
    expanding: list[Any] = [
        bindparam(k, expanding=True)
        for k, v in params.items()
        if k not in arrays and isinstance(v, (list, tuple))
    ]
    return stmt.bindparams(*expanding) if expanding else stmt


def _duckdb_check_statements(conn, cursor, statement, parameters, context, executemany):
    # The database's own parser must see exactly one SELECT/EXPLAIN: closes any gap between how
    # sqlglot and DuckDB split statements (comments, string quoting).
    problem = _duckdb_statement_problem(conn.connection.dbapi_connection, statement)
    if problem:
        raise guard.QueryRefused(problem)


_duckdb_checked: dict[str, str] = {}


def _duckdb_statement_problem(raw: Any, statement: str) -> str:
    """Empty when DuckDB parses ``statement`` as one SELECT/EXPLAIN, else the reason. Cached by text
    (parsing a long library query costs milliseconds; the same text always parses the same)."""
    if statement in _duckdb_checked:
        return _duckdb_checked[statement]
    import duckdb

    stmts = raw.extract_statements(statement)
    if len(stmts) != 1:
        problem = f"the database sees {len(stmts)} statements; run exactly one"
    elif stmts[0].type not in (duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN):
        problem = (
            f"the database sees a {stmts[0].type.name} statement; only read-only queries may run"
        )
    else:
        problem = ""
    if len(_duckdb_checked) > 1000:
        _duckdb_checked.clear()
    _duckdb_checked[statement] = problem
    return problem


def _fetch(result, max_rows: int) -> _Fetched:
    rows = result.fetchmany(max_rows + 1)
    truncated = len(rows) > max_rows
    cols = [str(c) for c in result.keys()]
    result.close()  # the rest is never fetched
    return _Fetched(cols, [tuple(r) for r in rows[:max_rows]], truncated)


def _run_duckdb(
    engine: Engine, stmt: Any, params: dict[str, Any], max_rows: int, timeout: float
) -> _Fetched:
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        lock = threading.Lock()
        state = {"running": True, "fired": False}

        def _cancel() -> None:
            with lock:
                if state["running"]:
                    state["fired"] = True
                    raw.interrupt()

        timer = threading.Timer(timeout, _cancel)
        timer.daemon = True
        event.listen(conn, "before_cursor_execute", _duckdb_check_statements)
        timer.start()
        try:
            result = conn.execute(stmt, params)
            return _fetch(result, max_rows)
        except guard.QueryRefused:
            raise
        except Exception:
            if state["fired"]:
                raise QueryTimeout(
                    f"cancelled after the time limit of {timeout:g} s",
                    "narrow the query, or give a larger timeout=",
                ) from None
            raise
        finally:
            with lock:
                state["running"] = False
            timer.cancel()
            event.remove(conn, "before_cursor_execute", _duckdb_check_statements)
            conn.rollback()


def _run_postgres(
    engine: Engine, stmt: Any, params: dict[str, Any], max_rows: int, timeout: float, kind: str
) -> _Fetched:
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(timeout * 1000))}")
            # A server-side cursor streams rows (nothing past max_rows leaves the server) and,
            # as a prepared statement, refuses a second statement on its own.
            opts = (
                {}
                if kind == "explain"
                else {"stream_results": True, "max_row_buffer": min(max_rows + 1, 5000)}
            )
            try:
                result = conn.execution_options(**opts).execute(stmt, params)
                return _fetch(result, max_rows)
            except SQLAlchemyError as exc:
                if type(getattr(exc, "orig", None)).__name__ == "QueryCanceled":
                    raise QueryTimeout(
                        f"cancelled after the time limit of {timeout:g} s",
                        "narrow the query, or give a larger timeout=",
                    ) from None
                raise
        finally:
            trans.rollback()


def _run_other(engine: Engine, stmt: Any, params: dict[str, Any], max_rows: int) -> _Fetched:
    with engine.connect() as conn:
        try:
            return _fetch(conn.execute(stmt, params), max_rows)
        finally:
            conn.rollback()


def _frame(f: _Fetched) -> pd.DataFrame:
    if f.rows:
        return pd.DataFrame.from_records(f.rows, columns=f.columns, coerce_float=True)
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in f.columns}, columns=f.columns)


def _driver_params(params: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in params.items():
        if isinstance(v, pd.Timestamp):
            v = v.to_pydatetime()
        elif hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
            v = v.tolist()
        elif isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out


def _run(
    *,
    action: str,
    name: str | None,
    sql_text: str | None,
    params: dict[str, Any],
    case: Any,
    max_rows: Any,
    timeout: Any,
    prepare,
) -> pd.DataFrame:
    """The shared path: check, guard, run, audit, provenance. ``prepare`` returns
    ``(sql_text, bound_params, array_param_names)`` for the engine's sqlglot dialect."""
    started = time.perf_counter()
    st = settings()
    engine_url = safe_url(st.data_url)
    audit_base: dict[str, Any] = {"query_name": name, "engine": engine_url}
    shown_params = audit.jsonable(params)

    def refuse(exc: WorkbenchError, outcome: str = "refused", sql_shown: str | None = None):
        audit.record(
            action,
            case=case_ok,
            outcome=outcome,
            reason=str(exc),
            sql=sql_shown or sql_text,
            params=shown_params,
            duration_ms=(time.perf_counter() - started) * 1000,
            **audit_base,
        )
        raise exc

    case_ok = None
    try:
        if case is not None:
            case_ok = validate_case_id(case)
        rows_limit, secs = _limits(max_rows, timeout)
    except WorkbenchError as exc:
        refuse(exc)
    try:
        engine = platform_engine(st)
    except WorkbenchError as exc:
        refuse(exc, "failed")
    dialect = guard.sqlglot_dialect(engine.dialect.name)
    try:
        final_sql, bound, arrays = prepare(dialect)
        shown_params = audit.jsonable(bound)
        checked = guard.check(final_sql, dialect)
        stmt = _statement(final_sql, bound, arrays)
        binds = set(stmt._bindparams) if hasattr(stmt, "_bindparams") else set()
        missing = sorted(binds - set(bound))
        if missing:
            raise InputError(
                f"the SQL uses :{missing[0]} but no value was given",
                f"pass {missing[0]}=... as a keyword argument",
            )
        extra = sorted(set(bound) - binds)
        if extra:
            raise InputError(
                f"parameter {extra[0]!r} is not used in the SQL",
                f"the SQL's parameters are: {', '.join(sorted(binds)) or 'none'}",
            )
    except WorkbenchError as exc:
        refuse(exc, sql_shown=locals().get("final_sql"))
    sql_text = final_sql
    executed_at = datetime.now(UTC)
    t0 = time.perf_counter()
    try:
        driver_params = _driver_params(bound)
        if engine.dialect.name == "duckdb":
            fetched = _run_duckdb(engine, stmt, driver_params, rows_limit, secs)
        elif engine.dialect.name == "postgresql":
            fetched = _run_postgres(engine, stmt, driver_params, rows_limit, secs, checked.kind)
        else:
            fetched = _run_other(engine, stmt, driver_params, rows_limit)
    except QueryTimeout as exc:
        refuse(exc, "timeout")
    except guard.QueryRefused as exc:
        refuse(exc)
    except Exception as exc:  # SQLAlchemy's and the drivers' own (DuckDB interrupt, ...)
        if _is_read_only_refusal(exc):
            refuse(guard.QueryRefused(f"the database refused it: {_one_line(exc)}"))
        refuse(
            QueryFailed(
                f"the database could not run it: {_one_line(exc)}",
                _schema_hint(exc) if name else None,
            ),
            "failed",
        )
    db_ms = (time.perf_counter() - t0) * 1000
    df = _frame(fetched)
    digest = _hash_rows(fetched.columns, fetched.rows)  # == result_sha256(df), without pandas
    duration_ms = (time.perf_counter() - started) * 1000
    if fetched.truncated:
        warnings.warn(
            f"result cut at {rows_limit:,} rows (more rows matched); narrow the query "
            "or pass a larger max_rows=",
            ResultTruncated,
            stacklevel=3,
        )
    try:
        rec = audit.record(
            action,
            case=case_ok,
            outcome="ok",
            sql=sql_text,
            params=shown_params,
            row_count=len(df),
            result_sha256=digest,
            duration_ms=duration_ms,
            details={"truncated": True, "max_rows": rows_limit} if fetched.truncated else None,
            at=executed_at,
            **audit_base,
        )
    except Exception as exc:
        raise WorkbenchError(
            f"the audit log could not be written ({_one_line(exc)}); the result is withheld",
            "check WORKBENCH_CASES_URL",
        ) from None
    df.attrs["provenance"] = {
        "query": name,
        "kind": "library" if name else "adhoc",
        "sql": sql_text,
        "params": shown_params,
        "engine": engine_url,
        "dialect": dialect,
        "row_count": int(len(df)),
        "result_sha256": digest,
        "hash_method": HASH_METHOD,
        "executed_at": audit.jsonable(executed_at),
        "analyst": st.analyst,
        "case": case_ok,
        "truncated": fetched.truncated,
        "max_rows": rows_limit,
        "duration_ms": round(duration_ms, 3),
        "db_ms": round(db_ms, 3),
        "audit_seq": rec["seq"],
    }
    df.attrs["truncated"] = fetched.truncated
    return df


def query(
    name: str,
    case: str | None = None,
    *,
    max_rows: int | None = None,
    timeout: float | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Run the library query ``name`` with ``params``; see the module docstring.

    >>> df = wb.query("logins_by_user", user_id=42, start="-30d", case="ESC-2026-000123")
    >>> df.attrs["provenance"]["result_sha256"]
    """

    def prepare(dialect: str | None):
        q = library.get(name)
        bound = q.bind(params)
        return q.render(dialect), bound, {p.name for p in q.params if p.array}

    return _run(
        action="query.run",
        name=str(name),
        sql_text=None,
        params=params,
        case=case,
        max_rows=max_rows,
        timeout=timeout,
        prepare=prepare,
    )


def sql(
    sql_text: str,
    case: str | None = None,
    *,
    max_rows: int | None = None,
    timeout: float | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Run ad-hoc SQL behind the same guard; values go in as ``:name`` binds via ``params``
    (lists expand: ``WHERE user_id IN :ids`` with ``ids=[1, 2]``)."""

    def prepare(dialect: str | None):
        if not isinstance(sql_text, str):
            raise InputError("the SQL must be text")
        return sql_text.strip().rstrip(";").rstrip(), dict(params), set()

    return _run(
        action="sql.run",
        name=None,
        sql_text=sql_text if isinstance(sql_text, str) else None,
        params=params,
        case=case,
        max_rows=max_rows,
        timeout=timeout,
        prepare=prepare,
    )


def render(name: str, dialect: str | None = None, **params: Any) -> tuple[str, dict[str, Any]]:
    """A library query's SQL for the platform's dialect (or ``dialect``) and its bound values,
    checked and converted, without running it."""
    q = library.get(name)
    if dialect is None:  # from the settings: no connection needed
        dialect = guard.sqlglot_dialect(settings().data_url.get_backend_name())
    return q.render(dialect), q.bind(params)
