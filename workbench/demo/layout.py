"""Physical layout of the demo platform in DuckDB: the tables, created from the schema, and each
big table stored in the order of the key investigations look it up by.

DuckDB keeps a min/max summary per row group of about 122,880 rows and skips every group whose
range cannot match a filter. Stored in ``user_id`` order, one account's rows sit in one or two
row groups, so ``WHERE user_id = :user_id`` reads those instead of a 6-million-row column. Keys
used second (``messages.recipient_id``, ``logins.ip``) still scan, which DuckDB does quickly
as long as the query gives it plain equality filters: see the notes in ``queries/README.md``.
PostgreSQL gets B-tree indexes instead (:data:`workbench.platform.schema.INDEXES`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql

from workbench.platform.schema import TABLES

# table -> the columns it is stored in order of (its most used lookup key first)
CLUSTER_BY: dict[str, tuple[str, ...]] = {
    "users": ("user_id",),
    "profiles": ("user_id",),
    "photos": ("user_id", "photo_id"),
    "messages": ("sender_id", "sent_at", "message_id"),
    "attachments": ("message_id",),
    "reports": ("reported_user_id", "created_at"),
    "logins": ("user_id", "ts"),
    "account_changes": ("user_id", "ts"),
    "devices": ("user_id",),
    "payments": ("user_id", "ts"),
    "moderation_actions": ("user_id",),
    "appeals": ("user_id",),
    "account_identifiers": ("user_id", "identifier_id"),
}


def create_table(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """CREATE TABLE for one platform table, from the SQLAlchemy metadata (the one definition).

    Types are rendered by the PostgreSQL compiler, whose names DuckDB also accepts."""
    dialect = postgresql.dialect()
    cols = [
        f'"{c.name}" {c.type.compile(dialect=dialect)}{"" if c.nullable else " NOT NULL"}'
        for c in table.columns
    ]
    con.execute(f'CREATE TABLE "{table.name}" ({", ".join(cols)})')


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """CREATE TABLE for every platform table."""
    for table in TABLES:
        create_table(con, table)


def write_clustered(
    con: duckdb.DuckDBPyConnection, target: Path, *, memory_limit: str = "1GB"
) -> None:
    """Copy every table of ``con`` into a new DuckDB file ``target``, each in its key order.

    A fresh file rather than a rewrite in place: DuckDB does not give back the space of a
    dropped table, so an in-place rewrite doubles the file. The sort spills to disk beyond
    ``memory_limit``. Tables are created from the schema, so column types and NOT NULL stay
    exactly as defined."""
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = true")  # the ORDER BY must survive the INSERT
    source = con.execute("SELECT current_database()").fetchone()[0]
    quoted = str(target).replace("'", "''")  # ATTACH takes no bound parameters
    con.execute(f"ATTACH '{quoted}' AS clustered")
    try:
        con.execute("USE clustered")
        for table in TABLES:
            keys = CLUSTER_BY.get(table.name, ())
            missing = [k for k in keys if k not in table.columns]
            if missing:  # a schema change must update the layout too, not silently skip it
                raise KeyError(f"layout: {table.name} has no column {missing[0]}")
            create_table(con, table)
            order = " ORDER BY " + ", ".join(f'"{k}"' for k in keys) if keys else ""
            con.execute(
                f'INSERT INTO "{table.name}" SELECT * FROM "{source}".main."{table.name}"{order}'
            )
        con.execute("CHECKPOINT clustered")
    finally:
        con.execute(f'USE "{source}"')
        con.execute("DETACH clustered")
