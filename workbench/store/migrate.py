"""Alembic migrations of the case store, run from Python (``workbench db upgrade``).

The history is one line, ``0001_base`` to the head. Stores made before it was one line carry
the heads of the old branches (each feature's tables branched from ``0001_base``); the first
upgrade runs whatever such a store lacks of the old branches, stamps it at the last old
revision and goes on from there, so nothing is lost.

Concurrent first opens are serialised: a file lock for SQLite, an advisory lock for PostgreSQL.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from workbench.errors import WorkbenchError

_ADVISORY_KEY = 7_310_042  # arbitrary, fixed: "workbench migrations"

#: The branched history before it became one line: revision -> the one it branched from.
_OLD_PARENTS = {
    "0001_base": None,
    "0002_audit": "0001_base",
    "0003_cases": "0001_base",
    "0004_content": "0001_base",
    "0005_timeline": "0001_base",
    "0006_evidence": "0001_base",
    "0007_audit_append_only": "0002_audit",
}
_LAST_OLD = "0007_audit_append_only"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("workbench.store") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision this code knows."""
    return _scripts().get_current_head() or ""


def heads() -> set[str]:
    return set(_scripts().get_heads())


def history() -> list[str]:
    """Every revision, oldest first."""
    return [r.revision for r in reversed(list(_scripts().walk_revisions()))]


def current(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
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


def _old_applied(rows: set[str]) -> set[str]:
    applied: set[str] = set()
    for row in rows:
        rev: str | None = row
        while rev is not None and rev not in applied:
            applied.add(rev)
            rev = _OLD_PARENTS[rev]
    return applied


def _run_one(conn: Connection, revision: str) -> None:
    module = _scripts().get_revision(revision).module
    ctx = MigrationContext.configure(conn, opts={"render_as_batch": conn.dialect.name == "sqlite"})
    with Operations.context(ctx):
        module.upgrade()


def _join_old_branches(engine: Engine) -> list[str]:
    """A store stamped with several heads of the old branched history: run the old revisions
    it lacks (each made its own tables, so order among them does not matter beyond the line's)
    and stamp it at the last old revision. Returns the revisions run."""
    rows = current(engine)
    if len(rows) <= 1 and not (rows - set(history())):
        return []
    unknown = rows - set(_OLD_PARENTS)
    if unknown:
        raise WorkbenchError(
            f"the case store is at revisions this code does not know: {', '.join(sorted(unknown))}",
            "upgrade the workbench",
        )
    applied = _old_applied(rows)
    missing = [r for r in history() if r in _OLD_PARENTS and r not in applied]
    with engine.connect() as conn:
        for rev in missing:
            _run_one(conn, rev)
        conn.commit()
    command.stamp(alembic_config(engine), _LAST_OLD, purge=True)
    return missing


#: What the group roles of a PostgreSQL store may do: analysts (and so leads and admins) use
#: every table as the workbench does, but only read the audit log and the schema version, and
#: append to the log through ``workbench_audit_append`` (which stamps who and when).
_GRANTS = """DO $$
DECLARE t text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'workbench_analyst')
       OR NOT pg_has_role(current_user,
                          (SELECT relowner FROM pg_class WHERE oid = 'audit_log'::regclass),
                          'USAGE') THEN
        RETURN;  -- no roles to grant to, or not the owner: an operator grants (README)
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO workbench_analyst', current_schema());
    FOR t IN SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()
    LOOP
        IF t IN ('audit_log', 'alembic_version') THEN
            EXECUTE 'REVOKE ALL ON ' || t || ' FROM workbench_analyst';
            EXECUTE 'GRANT SELECT ON ' || t || ' TO workbench_analyst';
        ELSE
            EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ' || t || ' TO workbench_analyst';
        END IF;
    END LOOP;
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO workbench_analyst',
                   current_schema());
    GRANT EXECUTE ON FUNCTION workbench_audit_append TO workbench_analyst;
END $$"""


def grant_roles(engine: Engine) -> None:
    """PostgreSQL: give the group roles what they may do on every table there is now (run
    after each upgrade, as the tables' owner; a no-op elsewhere)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.execute(text(_GRANTS))


def upgrade(engine: Engine, target: str = "head") -> list[str]:
    """Upgrade the store to ``target``; returns the revisions applied, oldest first."""
    with _migration_lock(engine):
        ran = _join_old_branches(engine)
        before = current(engine)
        command.upgrade(alembic_config(engine), target)
        after = current(engine)
        if head() in after:
            grant_roles(engine)
    line = history()
    start = line.index(max(before, key=line.index)) + 1 if before else 0
    end = line.index(max(after, key=line.index)) + 1 if after else 0
    return ran + line[start:end]


def ensure_current(engine: Engine) -> None:
    """Upgrade if this code knows migrations the store has not had yet."""
    if current(engine) != {head()}:
        upgrade(engine)
