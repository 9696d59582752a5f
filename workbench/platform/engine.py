"""Connections to the platform data, always read-only.

DuckDB files open with ``read_only=True`` (many kernels may read at once) and the session time
zone pinned to UTC. PostgreSQL sessions default to read-only transactions in UTC: the guard
refuses writes first, the database refuses them again.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine

from workbench.config import ENV_DATA_URL, Settings
from workbench.config import settings as current_settings
from workbench.engines import EngineCache, answering
from workbench.errors import SettingsError


def backend(url: URL) -> str:
    """``duckdb``, ``postgresql``, ``sqlite``, ... for a URL."""
    return url.get_backend_name()


def _open(url: URL) -> Engine:
    kind = backend(url)
    if kind == "duckdb":
        if url.database and url.database != ":memory:" and not Path(url.database).exists():
            raise SettingsError(
                ENV_DATA_URL,
                f"no platform data at {url.database}",
                "run `workbench demo generate` or set WORKBENCH_DATA_URL",
            )
        engine = create_engine(url, connect_args={"read_only": True}, pool_pre_ping=False)

        @event.listens_for(engine, "connect")
        def _duckdb_session(dbapi_conn, _record):  # config= cannot set TimeZone before ICU loads
            dbapi_conn.execute("SET TimeZone='UTC'")
    elif kind == "postgresql":
        engine = create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"options": "-c default_transaction_read_only=on -c TimeZone=UTC"},
        )
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return answering(engine, ENV_DATA_URL)


_engines = EngineCache(_open)


def platform_engine(settings: Settings | None = None) -> Engine:
    """The (cached) read-only engine for the platform data named by the settings."""
    return _engines.get((settings or current_settings()).data_url)


def dispose_all() -> None:
    """Close every cached platform engine (tests, and before the demo file is rebuilt)."""
    _engines.dispose_all()
