"""Load a generated demo platform (``platform.duckdb``) into PostgreSQL, and make the role the
workbench reads it as.

The schema comes from :mod:`workbench.platform.schema` (tables, then the join ``INDEXES`` once
the data is in). Rows stream out of DuckDB as Arrow record batches, are written as CSV in memory
and fed to PostgreSQL's ``COPY ... FROM STDIN``: bounded memory, no row-by-row INSERTs.

:func:`create_reader` makes the login role the workbench must read with (it refuses anything
that could write: :mod:`workbench.platform.walls`): owning nothing, no superuser or other
special rights, no temporary tables, SELECT on the platform tables only, read-only transactions
and a statement timeout set on the role, and the large-object functions (which write even in a
read-only transaction) and other sessions' query texts taken away from PUBLIC.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from workbench.config import safe_url
from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.platform.schema import INDEXES, TABLES, metadata

BATCH_ROWS = 100_000
READER = "workbench_reader"
_ROLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: Role settings: the database refuses to write by default and stops long statements.
READER_SETTINGS = {
    "default_transaction_read_only": "on",
    "statement_timeout": "60s",
    "idle_in_transaction_session_timeout": "60s",
    "lock_timeout": "5s",
    "temp_file_limit": "1GB",
    "TimeZone": "UTC",
    "search_path": "public",
}

#: Taken from PUBLIC in the platform database (run as a superuser): large objects can be written
#: even in a read-only transaction; set_config turns read-only off for the session; the rest are
#: cross-session side channels.
HARDENING = (
    "REVOKE EXECUTE ON FUNCTION lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea), "
    "lo_put(oid, bigint, bytea), lo_open(oid, integer), lowrite(integer, bytea), lo_unlink(oid), "
    "lo_truncate(integer, integer), lo_truncate64(integer, bigint), lo_import(text), "
    "lo_export(oid, text) FROM PUBLIC",
    "REVOKE EXECUTE ON FUNCTION set_config(text, text, boolean) FROM PUBLIC",
    "REVOKE EXECUTE ON FUNCTION pg_notify(text, text) FROM PUBLIC",
    "REVOKE EXECUTE ON FUNCTION pg_terminate_backend(integer, bigint), "
    "pg_cancel_backend(integer) FROM PUBLIC",
    "REVOKE EXECUTE ON FUNCTION pg_advisory_lock(bigint), pg_advisory_lock(integer, integer), "
    "pg_advisory_xact_lock(bigint), pg_advisory_xact_lock(integer, integer), "
    "pg_try_advisory_lock(bigint), pg_try_advisory_lock(integer, integer), "
    "pg_advisory_lock_shared(bigint), pg_advisory_lock_shared(integer, integer), "
    "pg_try_advisory_xact_lock(bigint), pg_try_advisory_xact_lock(integer, integer) FROM PUBLIC",
    "REVOKE SELECT ON pg_catalog.pg_stat_activity FROM PUBLIC",
    "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_stat_get_activity(integer) FROM PUBLIC",
)


def _pg_url(url: str):
    try:
        u = make_url(url)
    except ArgumentError:
        raise InputError("--url is not a database URL", "use postgresql://user@host/db") from None
    if u.get_backend_name() != "postgresql":
        raise InputError(
            f"can only load into PostgreSQL, not {u.get_backend_name()}",
            "use postgresql://user@host/db",
        )
    if u.drivername in ("postgresql", "postgresql+psycopg2"):
        u = u.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    return u


def index_ddl() -> list[str]:
    """CREATE INDEX statements for ``INDEXES`` (plain DDL: the shared metadata is left alone)."""
    out = []
    for table, col_sets in INDEXES.items():
        for cols in col_sets:
            name = f"ix_{table}_{'_'.join(cols)}"
            out.append(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({", ".join(cols)})')
    return out


def load_into_postgres(
    source: Path, url: str, *, replace: bool = True, reader_role: str | None = None
) -> dict[str, int]:
    """Create the platform schema at ``url`` and bulk-load every table from ``source``.

    ``replace=True`` drops existing platform tables first; otherwise rows are appended to
    existing tables. ``reader_role`` names a role to make that may only read them
    (:func:`create_reader`). Returns the number of rows loaded per table."""
    source = Path(source)
    if not source.is_file():
        raise NotFoundError(f"no demo platform at {source}", "run `workbench demo generate` first")
    engine = create_engine(_pg_url(url))
    counts: dict[str, int] = {}
    try:
        with engine.begin() as conn:
            conn.execute(text("SET TimeZone = 'UTC'"))
            if replace:
                metadata.drop_all(conn, tables=TABLES)
            metadata.create_all(conn, tables=TABLES)
        src = duckdb.connect(str(source), read_only=True)
        try:
            src.execute("SET TimeZone = 'UTC'")
            raw = engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("SET TimeZone = 'UTC'")
                for table in TABLES:
                    cols = [c.name for c in table.columns]
                    col_sql = ", ".join(f'"{c}"' for c in cols)
                    reader = src.sql(f'SELECT {col_sql} FROM "{table.name}"').to_arrow_reader(
                        BATCH_ROWS
                    )
                    n = 0
                    with cur.copy(
                        f'COPY "{table.name}" ({col_sql}) FROM STDIN (FORMAT csv)'
                    ) as copy:
                        for batch in reader:
                            buf = io.BytesIO()
                            pacsv.write_csv(
                                pa.Table.from_batches([batch]),
                                buf,
                                pacsv.WriteOptions(include_header=False),
                            )
                            copy.write(buf.getvalue())
                            n += batch.num_rows
                    counts[table.name] = n
                raw.commit()
            finally:
                raw.close()
        finally:
            src.close()
        with engine.begin() as conn:
            for ddl in index_ddl():
                conn.execute(text(ddl))
            for table in TABLES:
                conn.execute(text(f'ANALYZE "{table.name}"'))
    except (DBAPIError, SQLAlchemyError, psycopg.Error) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
        raise WorkbenchError(f"loading into PostgreSQL failed: {reason}") from None
    finally:
        engine.dispose()
    if reader_role is not None:
        create_reader(url, reader_role)
    return counts


def reader_grants(database: str, role: str = READER, tables: list[str] | None = None) -> list[str]:
    """The SQL an operator runs (as the database owner) so ``role`` can only read the platform
    tables of ``database`` (``tables``, default all): what :func:`create_reader` runs after
    making the role."""
    names = ", ".join(f'public."{t}"' for t in (tables or [t.name for t in TABLES]))
    out = [
        f"ALTER ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT "
        "NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 50",
        *(f"ALTER ROLE {role} SET {k} = '{v}'" for k, v in READER_SETTINGS.items()),
        f'REVOKE TEMPORARY, CREATE ON DATABASE "{database}" FROM PUBLIC',
        f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT SELECT ON {names} TO {role}",
    ]
    return out + list(HARDENING)


def create_reader(url: str | URL, role: str = READER, *, password: str | None = None) -> str:
    """Make (or bring up to date) ``role``, the login role that may only read the platform
    tables at ``url`` (connected as their owner or a superuser). Returns the URL to read with
    (``WORKBENCH_DATA_URL``), the password hidden unless given."""
    if not _ROLE_RE.match(role):
        raise InputError(f"{role!r} is not a role name", "use lower-case letters, digits and _")
    u = _pg_url(str(url)) if isinstance(url, str) else url
    engine = create_engine(u)
    try:
        with engine.connect() as conn:
            conn.execute(
                text(
                    f"""DO $$ BEGIN
                        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                            CREATE ROLE {role} LOGIN;
                        END IF;
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                    END $$"""
                )
            )
            if password is not None:
                conn.execute(text(f"ALTER ROLE {role} PASSWORD :pw"), {"pw": password})
            present = [
                t.name
                for t in TABLES
                if conn.execute(
                    text("SELECT to_regclass(:t)"), {"t": f'public."{t.name}"'}
                ).scalar()
            ]
            if not present:
                raise InputError(f"{safe_url(u)} holds no platform tables", "load them first")
            for statement in reader_grants(str(u.database), role, present):
                conn.execute(text(statement))
            conn.commit()
    except (DBAPIError, SQLAlchemyError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
        raise WorkbenchError(
            f"making the reader role {role} failed: {reason}",
            "run it as the owner of the platform database or a superuser",
        ) from None
    finally:
        engine.dispose()
    return u.set(username=role, password=password).render_as_string(hide_password=False)
