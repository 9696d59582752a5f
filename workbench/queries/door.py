"""The one audited door to the platform data. Nothing else in the package opens the platform
engine (``tests/test_door.py`` walks the package to keep it so).

Every read goes through here, whatever asks for it: a library query or ad-hoc SQL
(:mod:`workbench.queries.run`), a profile, thread or photo (:mod:`workbench.content`), a
timeline, redaction's gathering of PII, a reply's context, a dashboard, a report. Each read:

1. checks the case it is for (it must exist: :func:`workbench.store.access.case_for_read`)
   and the limits (:mod:`workbench.queries.limits`);
2. passes the SQL through the guard (:mod:`workbench.queries.guard`), which returns the SQL to
   send, written back from the checked tree; a SQLAlchemy ``select`` of the platform schema
   (:func:`read`) is compiled to SQL with ``:name`` binds and checked the same way;
3. runs it on the read-only engine (:mod:`workbench.platform.engine`, the second wall), with
   every text and binary column cut to ``max_value`` in the database, fetching until
   ``max_rows`` rows or ``max_bytes`` bytes, and cancelling at the time limit: PostgreSQL in a
   ``READ ONLY`` transaction with ``statement_timeout`` and a server-side cursor; DuckDB with
   ``interrupt()`` from a timer thread;
4. appends one audit record: the act (``query.run``, ``content.profile``, ...), the query name,
   case, subjects, reason, SQL, parameters, row count and the result's SHA-256, and the
   outcome (ok, refused, failed, timeout). A read whose record cannot be written is withheld.

Reads that make up one act (a profile card reads the account, profile, photos and changes)
run inside :func:`act`: they leave one record for the act, not one each.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, NoReturn

import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from workbench.config import Settings, safe_url, settings
from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.platform.engine import platform_engine
from workbench.platform.walls import EngineRefused
from workbench.queries import deadlines, guard
from workbench.queries.digest import HASH_METHOD
from workbench.queries.limits import (
    Fetched,
    Limits,
    collect,
    cut_message,
    duckdb_kind,
    limits,
    postgres_kind,
    probe_sql,
    wrapped_sql,
)
from workbench.store import access, audit

#: The workbench's own reads of known shapes (a thread, a profile, PII to redact) keep values up
#: to this long, so a message is shown whole; ad-hoc and library queries keep
#: ``$WORKBENCH_MAX_VALUE``.
CONTENT_MAX_VALUE = 1_000_000


class ResultTruncated(UserWarning):
    """A result was cut (rows, bytes or one long value); the message says what and where."""


class QueryFailed(WorkbenchError):
    """The database could not run an accepted statement (bad column, type error, ...)."""

    exit_code = 5


class QueryTimeout(WorkbenchError):
    """The statement ran past the time limit and was cancelled in the database."""

    exit_code = 6


# --------------------------------------------------------------------------- acts


@dataclass
class _Act:
    """Reads that make up one act: one audit record when the act ends."""

    action: str
    case: str | None
    subjects: tuple[int, ...]
    reason: str | None
    engine: str | None = None
    rows: int = 0
    digests: list[str] = field(default_factory=list)
    cut: bool = False
    failed: int = 0
    started: float = field(default_factory=time.perf_counter)

    def about(self, subjects: Iterable[Any]) -> None:
        """Add platform users the act turned out to be about (the people in a thread, ...)."""
        self.subjects = tuple(sorted(set(self.subjects) | set(_ids(subjects))))


_act: ContextVar[_Act | None] = ContextVar("workbench_platform_act", default=None)


def _checked_case(case: Any, cfg: Settings | None = None) -> str | None:
    return None if case is None else access.case_for_read(case, cfg)


@contextmanager
def act(
    action: str,
    *,
    case: str | None = None,
    subjects: Iterable[Any] = (),
    reason: str | None = None,
) -> Iterator[_Act]:
    """Run the reads inside the block as one act: one audit record (``action``, case, subjects,
    reason, total rows, a hash over the reads' hashes). Acts nest into the outermost one. The
    block gets the act, whose ``about(ids)`` adds subjects found on the way."""
    outer = _act.get()
    if outer is not None:
        outer.about(subjects)
        yield outer
        return
    started = time.perf_counter()
    try:
        case_ok = _checked_case(case)
        why = audit.check_reason(reason)
    except WorkbenchError as exc:
        audit.record(action, outcome="refused", reason=str(exc), subjects=_ids(subjects))
        raise
    state = _Act(action, case_ok, _ids(subjects), why)
    token = _act.set(state)
    try:
        yield state
    except BaseException as exc:
        _act.reset(token)
        outcome = "timeout" if isinstance(exc, QueryTimeout) else "failed"
        if isinstance(exc, (guard.QueryRefused, EngineRefused, InputError)):
            outcome = "refused"
        elif isinstance(exc, NotFoundError):
            outcome = "ok"  # the reads ran and found nothing
        _record_act(state, outcome, str(exc) if isinstance(exc, WorkbenchError) else None)
        raise
    _act.reset(token)
    state.started = started
    _record_act(state, "ok", why)


def as_one_act(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a function whose reads make one act (a timeline view, an export in chunks):
    one audit record ``action`` for the case its ``case=`` (or ``req.case``) names."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            given = sig.bind_partial(*args, **kwargs).arguments
            case = given.get("case")
            if case is None and given.get("req") is not None:
                case = getattr(given["req"], "case", None)
            with act(action, case=case):
                return fn(*args, **kwargs)

        return inner

    return wrap


def _record_act(state: _Act, outcome: str, reason: str | None) -> None:
    digest = hashlib.sha256("\n".join(state.digests).encode()).hexdigest()
    details: dict[str, Any] = {"reads": len(state.digests)}
    if state.cut:
        details["cut"] = True
    if state.failed:
        details["failed_reads"] = state.failed
    _write(
        state.action,
        case=state.case,
        outcome=outcome,
        reason=reason,
        engine=state.engine,
        row_count=state.rows if outcome == "ok" else None,
        result_sha256=digest if outcome == "ok" else None,
        sql=None,
        duration_ms=(time.perf_counter() - state.started) * 1000,
        details=details,
        subjects=state.subjects,
    )


def _write(action: str, **fields: Any) -> dict[str, Any]:
    """Append the record; a failure to write it withholds the result."""
    try:
        return audit.record(action, **fields)
    except WorkbenchError:
        raise
    except Exception as exc:
        raise WorkbenchError(
            f"the audit log could not be written ({_one_line(exc)}); the result is withheld",
            "check WORKBENCH_CASES_URL",
        ) from None


def _ids(values: Iterable[Any] | None) -> tuple[int, ...]:
    out = set()
    for v in values or ():
        try:
            out.add(int(v))
        except (TypeError, ValueError):
            continue
    return tuple(sorted(out))


_SUBJECT_PARAM = re.compile(r"(user|subject|member|reporter|victim|target)", re.IGNORECASE)


def subjects_of(params: dict[str, Any]) -> tuple[int, ...]:
    """The platform users a read's parameters name (``user_id``, ``user_a``, ``ids`` of
    users, ...): what its audit record says it was about."""
    found: list[Any] = []
    for k, v in params.items():
        if not _SUBJECT_PARAM.search(k) or isinstance(v, bool):
            continue
        if isinstance(v, int):
            found.append(v)
        elif isinstance(v, (list, tuple)) and all(
            isinstance(x, int) and not isinstance(x, bool) for x in v
        ):
            found.extend(v)
    return _ids(found)


# --------------------------------------------------------------------------- running


def _one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).strip().splitlines() if ln.strip()]
    first = lines[0] if lines else type(orig).__name__
    return first if len(first) <= 200 else first[:200] + "…"


def _is_read_only_refusal(exc: BaseException) -> bool:
    """The database itself refused: a write in read-only mode, a second statement, a
    privilege it does not have, a file system that is switched off."""
    msg = str(getattr(exc, "orig", None) or exc).lower()
    return any(
        s in msg
        for s in (
            "read-only",
            "read only",
            "multiple commands",
            "read-write mode",
            "permission denied",
            "permission error",
            "has been disabled",
            "disabled by configuration",
            "configuration has been locked",
            "must be superuser",
            "must be owner",
        )
    )


def _hint(exc: BaseException, library: bool) -> str | None:
    """What to do about a query the database could not run: more memory, or (a library
    query) platform data that lacks what the library needs."""
    msg = _one_line(exc).lower()
    if "out of memory" in msg:
        return (
            "the query needs more memory than DuckDB may use (WORKBENCH_DUCKDB_MEMORY): "
            "narrow it, or raise the setting"
        )
    return _schema_hint(exc) if library else None


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


def statement(sql_text: str, params: dict[str, Any], arrays: set[str]) -> Any:
    """``sql_text`` as a SQLAlchemy ``text`` with list values (but ``arrays``) expanding."""
    stmt = text(sql_text)
    expanding: list[Any] = [
        bindparam(k, expanding=True)
        for k, v in params.items()
        if k not in arrays and isinstance(v, (list, tuple))
    ]
    return stmt.bindparams(*expanding) if expanding else stmt


def driver_params(params: dict[str, Any]) -> dict[str, Any]:
    """Bound values as the drivers take them (Python datetimes and lists)."""
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


@dataclass(frozen=True)
class _Shape:
    """What the probe learned about a result: names and how each column is cut."""

    names: list[str]
    kinds: list[str]

    @property
    def deep(self) -> list[int]:
        return [i for i, k in enumerate(self.kinds) if k == "deep"]

    @property
    def text(self) -> set[int]:
        return {i for i, k in enumerate(self.kinds) if k == "text"}


_shapes: dict[tuple, _Shape] = {}
_shapes_lock = threading.Lock()


def _shape_key(engine: Engine, sql_text: str, params: dict[str, Any]) -> tuple:
    kinds = tuple(sorted((k, type(v).__name__) for k, v in params.items()))
    return (engine.url.render_as_string(hide_password=False), sql_text, kinds)


def _remember(key: tuple, shape: _Shape) -> _Shape:
    with _shapes_lock:
        if len(_shapes) > 2000:
            _shapes.clear()
        _shapes[key] = shape
    return shape


def _pg_array_oids() -> set[int]:
    import psycopg

    return {t.array_oid for t in psycopg.postgres.types if getattr(t, "array_oid", 0)}


def _shape(conn, engine: Engine, checked: guard.Checked, stmt_for, params) -> _Shape | None:
    """The result's column names and kinds, from ``LIMIT 0`` of the query (cached)."""
    if checked.query is None or checked.kind != "select":
        return None
    key = _shape_key(engine, checked.sql, params)
    if key in _shapes:
        return _shapes[key]
    dialect = guard.sqlglot_dialect(engine.dialect.name)
    result = conn.execute(stmt_for(probe_sql(checked.query, dialect)), params)
    desc = result.cursor.description or []
    result.close()
    names = [str(d[0]) for d in desc]
    if engine.dialect.name == "duckdb":
        kinds = [duckdb_kind(d[1]) for d in desc]
    else:
        arrays = _pg_array_oids()
        kinds = [postgres_kind(int(d[1]), arrays) for d in desc]
    return _remember(key, _Shape(names, kinds))


_wraps: dict[tuple, str | None] = {}


def _wrapped(checked: guard.Checked, shape: _Shape, engine_dialect: str, max_value: int):
    """The query with its text and binary columns cut in the database (cached: writing SQL
    back from a tree costs milliseconds). ``max_value + 1`` characters come back, so the fetch
    sees (and says) that a value was cut."""
    key = (checked.sql, tuple(shape.kinds), engine_dialect, max_value)
    if key not in _wraps:
        assert checked.query is not None
        dialect = guard.sqlglot_dialect(engine_dialect)
        with _shapes_lock:
            if len(_wraps) > 2000:
                _wraps.clear()
            _wraps[key] = wrapped_sql(checked.query, shape.kinds, dialect, max_value + 1)
    return _wraps[key]


def _fetch(conn, engine, checked, stmt_for, params, lim: Limits) -> Fetched:
    shape = _shape(conn, engine, checked, stmt_for, params)
    sql_text = checked.sql
    if shape is not None and checked.query is not None:
        sql_text = _wrapped(checked, shape, engine.dialect.name, lim.max_value) or sql_text
    result = conn.execute(stmt_for(sql_text), params)
    try:
        columns = shape.names if shape else [str(c) for c in result.keys()]
        return collect(
            result.fetchmany,
            columns,
            lim,
            shape.deep if shape else None,
            shape.text if shape else None,
        )
    finally:
        result.close()  # the rest is never fetched


def _timed_out(lim: Limits) -> QueryTimeout:
    return QueryTimeout(
        f"cancelled after the time limit of {lim.timeout:g} s",
        "narrow the query, or give a larger timeout=",
    )


def _run_duckdb(engine: Engine, checked, stmt_for, params, lim: Limits) -> Fetched:
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        limit = deadlines.after(lim.timeout, raw.interrupt)
        try:
            return _fetch(conn, engine, checked, stmt_for, params, lim)
        except EngineRefused:
            raise
        except Exception:
            if limit.fired:
                raise _timed_out(lim) from None
            raise
        finally:
            limit.cancel()  # the pool rolls the connection back when it is returned


def _run_postgres(engine: Engine, checked, stmt_for, params, lim: Limits) -> Fetched:
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(lim.timeout * 1000))}")
            # A server-side cursor streams rows (nothing past the limits leaves the server) and,
            # as DECLARE over the extended protocol, takes one query only. EXPLAIN and the probe
            # go alone through the extended protocol (platform.walls.send_alone).
            if checked.kind != "explain":
                conn = conn.execution_options(stream_results=True, max_row_buffer=1000)
            try:
                return _fetch(conn, engine, checked, stmt_for, params, lim)
            except SQLAlchemyError as exc:
                if type(getattr(exc, "orig", None)).__name__ == "QueryCanceled":
                    raise _timed_out(lim) from None
                raise
        finally:
            trans.rollback()


def _run_other(engine: Engine, checked, stmt_for, params, lim: Limits) -> Fetched:
    with engine.connect() as conn:
        try:
            result = conn.execute(stmt_for(checked.sql), params)
            try:
                return collect(result.fetchmany, [str(c) for c in result.keys()], lim)
            finally:
                result.close()
        finally:
            conn.rollback()


Prepare = Callable[[Engine], tuple[str, dict[str, Any], set[str]]]


def run(
    *,
    action: str,
    prepare: Prepare,
    params: dict[str, Any] | None = None,
    query_name: str | None = None,
    sql_text: str | None = None,
    case: Any = None,
    subjects: Iterable[Any] | None = None,
    reason: str | None = None,
    max_rows: Any = None,
    timeout: Any = None,
    whole: bool = False,
    max_value: int | None = None,
    cfg: Settings | None = None,
) -> pd.DataFrame:
    """One read of the platform, audited: the shared path of every door.

    ``prepare(engine)`` returns ``(sql_text, bound_params, array_param_names)`` for the
    engine; ``params`` are the caller's values as given (shown in a refusal's record);
    ``subjects`` the platform users the read is about (default: found in the parameters);
    ``whole``: no row or byte limit (the workbench's own reads that must see every row, such
    as the PII redaction gathers; values are still capped); ``max_value`` a longer cap on one
    value than the settings' (the workbench's own reads); ``cfg`` the settings to read and
    record with (default: the process's)."""
    started = time.perf_counter()
    st = cfg or settings()
    engine_url = safe_url(st.data_url)
    inside = _act.get()
    shown_params = audit.jsonable(params or {})
    case_ok: str | None = None
    who: tuple[int, ...] = _ids(subjects) if subjects is not None else ()

    def refuse(
        exc: WorkbenchError, outcome: str = "refused", sql_shown: str | None = None
    ) -> NoReturn:
        if inside is not None:
            inside.failed += 1
            raise exc
        _write(
            action,
            case=case_ok,
            outcome=outcome,
            reason=str(exc),
            sql=sql_shown or sql_text,
            params=shown_params,
            duration_ms=(time.perf_counter() - started) * 1000,
            query_name=query_name,
            engine=engine_url,
            subjects=who,
            cfg=st,
        )
        raise exc

    try:
        if inside is None:
            case_ok = _checked_case(case, st)
            reason = audit.check_reason(reason)
        else:
            case_ok = inside.case
        lim = limits(st, max_rows, timeout)
        if whole:
            lim = replace(lim, max_rows=sys.maxsize, max_bytes=sys.maxsize)
        if max_value is not None:
            lim = replace(lim, max_value=max(lim.max_value, max_value))
    except WorkbenchError as exc:
        refuse(exc)
    try:
        engine = platform_engine(st)
    except WorkbenchError as exc:
        refuse(exc, "failed")
    dialect = guard.sqlglot_dialect(engine.dialect.name)
    final_sql: str | None = None
    try:
        final_sql, bound, arrays = prepare(engine)
        shown_params = audit.jsonable(bound)
        if subjects is None:
            who = subjects_of(bound)
        checked = guard.check(final_sql, dialect, max_value=lim.max_value + 1)
        binds = set(text(checked.sql)._bindparams) if checked.sql else set()
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
        refuse(exc, sql_shown=final_sql)
    sql_text = checked.sql
    executed_at = datetime.now(UTC)
    t0 = time.perf_counter()
    values = driver_params(bound)

    def stmt_for(sql: str) -> Any:
        return statement(sql, bound, arrays)

    runner = {"duckdb": _run_duckdb, "postgresql": _run_postgres}.get(
        engine.dialect.name, _run_other
    )
    try:
        fetched = runner(engine, checked, stmt_for, values, lim)
    except QueryTimeout as exc:
        refuse(exc, "timeout")
    except (guard.QueryRefused, EngineRefused) as exc:
        refuse(guard.QueryRefused(exc.reason))
    except Exception as exc:  # SQLAlchemy's and the drivers' own (DuckDB interrupt, ...)
        if _is_read_only_refusal(exc):
            refuse(guard.QueryRefused(f"the database refused it: {_one_line(exc)}"))
        refuse(
            QueryFailed(
                f"the database could not run it: {_one_line(exc)}",
                _hint(exc, bool(query_name)),
            ),
            "failed",
        )
    db_ms = (time.perf_counter() - t0) * 1000
    digest = fetched.rows.digest()  # == result_sha256(df), fed as the rows came
    df = fetched.rows.frame()
    duration_ms = (time.perf_counter() - started) * 1000
    note = cut_message(fetched, lim)
    if note:
        warnings.warn(note, ResultTruncated, stacklevel=3)
    details: dict[str, Any] | None = None
    if note:
        details = {"truncated": fetched.truncated, "max_rows": lim.max_rows}
        if fetched.over_bytes:
            details.update(over_bytes=True, max_bytes=lim.max_bytes)
        if fetched.cut_values:
            details.update(cut_values=fetched.cut_values, max_value=lim.max_value)
    rec: dict[str, Any] = {}
    if inside is not None:
        inside.about(who)
        inside.engine = engine_url
        inside.rows += len(df)
        inside.digests.append(digest)
        inside.cut = inside.cut or bool(note)
    else:
        rec = _write(
            action,
            case=case_ok,
            outcome="ok",
            sql=sql_text,
            params=shown_params,
            row_count=len(df),
            result_sha256=digest,
            duration_ms=duration_ms,
            details=details,
            query_name=query_name,
            engine=engine_url,
            subjects=who,
            reason=reason,
            cfg=st,
        )
    df.attrs["provenance"] = {
        "query": query_name,
        "kind": "library" if query_name else ("adhoc" if action == "sql.run" else action),
        "sql": sql_text,
        "params": shown_params,
        "engine": engine_url,
        "dialect": dialect,
        "row_count": int(len(df)),
        "result_sha256": digest,
        "hash_method": HASH_METHOD,
        "executed_at": audit.jsonable(executed_at),
        "analyst": st.analyst,
        "identity": rec.get("identity"),
        "case": case_ok,
        "subjects": list(who),
        "truncated": fetched.cut or bool(fetched.cut_values),
        "max_rows": lim.max_rows,
        "duration_ms": round(duration_ms, 3),
        "db_ms": round(db_ms, 3),
        "audit_seq": rec.get("seq"),
    }
    df.attrs["truncated"] = fetched.cut or bool(fetched.cut_values)
    return df


# --------------------------------------------------------------------------- built statements


def _compiled(stmt: Any, engine: Engine) -> tuple[str, dict[str, Any]]:
    """A SQLAlchemy select as SQL with ``:name`` binds for the engine's dialect."""
    named = type(engine.dialect)(paramstyle="named")  # type: ignore[call-arg]
    compiled = stmt.compile(dialect=named, compile_kwargs={"render_postcompile": True})
    return str(compiled), dict(compiled.params)


def platform_dialect(cfg: Settings | None = None) -> str:
    """The platform engine's dialect name (``duckdb``, ``postgresql``). Opening the engine
    also runs its lockdown, so a preheated kernel can do that before its first read; nothing
    is read, so nothing is audited."""
    return platform_engine(cfg or settings()).dialect.name


def read(
    stmt: Any,
    *,
    action: str,
    case: str | None = None,
    subjects: Iterable[Any] | None = None,
    reason: str | None = None,
    max_rows: int | None = None,
    whole: bool = False,
    cfg: Settings | None = None,
) -> pd.DataFrame:
    """The rows of a SQLAlchemy ``select`` of the platform schema, through the door (guard,
    limits, engine walls, one audit record ``action`` unless inside an :func:`act`);
    ``whole``: every row (see :func:`run`)."""

    def prepare(engine: Engine) -> tuple[str, dict[str, Any], set[str]]:
        sql_text, bound = _compiled(stmt, engine)
        return sql_text, bound, set()

    return run(
        action=action,
        prepare=prepare,
        case=case,
        subjects=subjects,
        reason=reason,
        max_rows=max_rows,
        whole=whole,
        max_value=CONTENT_MAX_VALUE,
        cfg=cfg,
    )
