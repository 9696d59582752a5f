"""Connections to the platform data, always read-only, with the engine as the second wall
(:mod:`workbench.platform.walls`).

* DuckDB files open ``read_only`` with external access off and the configuration locked; every
  statement is read again by DuckDB's parser before it runs; a connection that ran anything but
  one query is dropped when it is returned.
* PostgreSQL sessions default to read-only transactions in UTC, every statement goes alone
  through the extended protocol, and the engine is refused (one line) when its role could write
  anything it can see, create anything, or is a superuser: use a role made for reading
  (``workbench demo load`` makes one; README shows the GRANTs for a replica).

Only :mod:`workbench.queries.door` may call :func:`platform_engine`: every read goes through
that one audited door (a test walks the package to keep it so).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine

from workbench.config import ENV_DATA_URL, Settings, safe_url
from workbench.config import settings as current_settings
from workbench.engines import EngineCache, answering
from workbench.errors import SettingsError
from workbench.platform import walls


def backend(url: URL) -> str:
    """``duckdb``, ``postgresql``, ``sqlite``, ... for a URL."""
    return url.get_backend_name()


def _duckdb(url: URL, settings: Settings) -> Engine:
    if url.database and url.database != ":memory:" and not Path(url.database).exists():
        raise SettingsError(
            ENV_DATA_URL,
            f"no platform data at {url.database}",
            "run `workbench demo generate` or set WORKBENCH_DATA_URL",
        )
    engine = create_engine(
        url,
        connect_args={"read_only": True, "config": walls.duckdb_config(settings)},
        pool_pre_ping=False,
    )

    @event.listens_for(engine, "connect")
    def _lock(dbapi_conn, _record):
        walls.lock_duckdb(dbapi_conn)

    @event.listens_for(engine, "before_cursor_execute")
    def _second_reading(conn, cursor, statement, parameters, context, executemany):
        raw = conn.connection.dbapi_connection
        if not walls.plain_query(raw, statement):
            conn.connection.info["wb_dirty"] = True  # dropped at check-in, whatever happens
        problem = walls.duckdb_statement_problem(raw, statement)
        if problem:
            raise walls.EngineRefused(problem)

    @event.listens_for(engine, "checkin")
    def _drop_dirty(dbapi_conn, record):
        if record.info.pop("wb_dirty", False):
            record.invalidate()  # temp objects, variables, search_path: never reused

    return engine


def _postgres(url: URL) -> Engine:
    engine = create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"options": "-c default_transaction_read_only=on -c TimeZone=UTC"},
    )
    if engine.dialect.driver == "psycopg":
        event.listen(
            engine,
            "do_execute",
            lambda cursor, statement, parameters, context: walls.send_alone(
                cursor, statement, parameters
            ),
            retval=True,
        )
        event.listen(
            engine,
            "do_execute_no_params",
            lambda cursor, statement, context: walls.send_alone(cursor, statement, None),
            retval=True,
        )
    engine = answering(engine, ENV_DATA_URL)
    with engine.connect() as conn:
        problems = walls.role_problems(conn)
        conn.rollback()
    if problems:
        engine.dispose()
        role = url.username or "the connecting role"
        raise SettingsError(
            ENV_DATA_URL,
            f"refusing to read the platform as {role} at {safe_url(url)}: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
            "connect as a role that can only SELECT the platform tables (README: PostgreSQL)",
        )
    return engine


def _open(url: URL) -> Engine:
    kind = backend(url)
    if kind == "duckdb":
        return answering(_duckdb(url, current_settings()), ENV_DATA_URL)
    if kind == "postgresql":
        return _postgres(url)
    return answering(create_engine(url, pool_pre_ping=True), ENV_DATA_URL)


_engines = EngineCache(_open)


def platform_engine(settings: Settings | None = None) -> Engine:
    """The (cached) read-only engine for the platform data named by the settings. Call it only
    from :mod:`workbench.queries.door`."""
    return _engines.get((settings or current_settings()).data_url)


def dispose_all() -> None:
    """Close every cached platform engine (tests, and before the demo file is rebuilt)."""
    _engines.dispose_all()
