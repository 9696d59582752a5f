"""Engines and sessions for the case store.

SQLite runs in WAL mode with a busy timeout and ``BEGIN IMMEDIATE`` transactions, so several
kernels and servers write safely: a writer waits for the lock instead of failing half-way.
The schema is brought up to date (Alembic ``heads``) the first time a process opens a store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from workbench.config import ENV_CASES_URL, Settings
from workbench.config import settings as current_settings
from workbench.engines import EngineCache, answering
from workbench.store.migrate import ensure_current


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _open(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    ensure_current(answering(engine, ENV_CASES_URL))
    return engine


_engines = EngineCache(_open)


def cases_engine(settings: Settings | None = None) -> Engine:
    """The (cached, migrated) engine for the case store named by the settings."""
    return _engines.get((settings or current_settings()).cases_url)


@contextmanager
def session(settings: Settings | None = None) -> Iterator[Session]:
    """A unit of work: commits when the block ends, rolls back if it raises."""
    maker = sessionmaker(bind=cases_engine(settings), expire_on_commit=False)
    with maker() as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise


def dispose_all() -> None:
    """Close every cached case-store engine (tests switch stores between runs)."""
    _engines.dispose_all()
