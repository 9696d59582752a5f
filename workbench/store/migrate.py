"""Alembic migrations of the case store, run from Python (``workbench db upgrade``).

Each feature's tables arrive in their own migration branching from ``0001_base``, so the
store is upgraded to ``heads``. Concurrent first opens are serialised: a file lock for SQLite,
an advisory lock for PostgreSQL.
"""
from __future__ import annotations

import fcntl
from contextlib import contextmanager
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

_ADVISORY_KEY = 7_310_042  # arbitrary, fixed: "workbench migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("workbench.store") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


@contextmanager
def _migration_lock(engine: Engine):
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with open(f"{engine.url.database}.migrate-lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield
    elif engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_KEY})
    else:
        yield


def upgrade(engine: Engine, target: str = "heads") -> list[str]:
    """Upgrade the store to ``target``; returns the revisions applied."""
    with _migration_lock(engine):
        before = current(engine)
        command.upgrade(alembic_config(engine), target)
        after = current(engine)
    return sorted(after - before)


def ensure_current(engine: Engine) -> None:
    """Upgrade if this code knows migrations the store has not had yet."""
    if not heads() <= current(engine):
        upgrade(engine)
