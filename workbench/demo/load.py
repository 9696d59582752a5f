"""Load a generated demo platform (``platform.duckdb``) into PostgreSQL.

The schema comes from :mod:`workbench.platform.schema` (tables, then the join ``INDEXES`` once
the data is in). Rows stream out of DuckDB as Arrow record batches, are written as CSV in memory
and fed to PostgreSQL's ``COPY ... FROM STDIN``: bounded memory, no row-by-row INSERTs.
"""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.platform.schema import INDEXES, TABLES, metadata

BATCH_ROWS = 100_000


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


def load_into_postgres(source: Path, url: str, *, replace: bool = True) -> dict[str, int]:
    """Create the platform schema at ``url`` and bulk-load every table from ``source``.

    ``replace=True`` drops existing platform tables first; otherwise rows are appended to
    existing tables. Returns the number of rows loaded per table."""
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
    return counts
