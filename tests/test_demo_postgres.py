"""The demo platform loaded into PostgreSQL holds exactly what DuckDB holds, in the same schema."""

from __future__ import annotations

import duckdb
import pytest
from sqlalchemy import create_engine, inspect, text

from workbench.demo.digest import table_digests
from workbench.demo.load import load_into_postgres
from workbench.platform.schema import INDEXES, TABLES

pytestmark = pytest.mark.postgres


def _family(type_name: str) -> str:
    t = type_name.upper()
    for family, needles in (
        ("timestamptz", ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")),
        ("bool", ("BOOL",)),
        ("decimal", ("DECIMAL", "NUMERIC")),
        ("int", ("INT",)),
        ("text", ("CHAR", "TEXT", "STRING")),
    ):
        if any(n in t for n in needles):
            return family
    return t


def test_load_into_postgres_matches_duckdb(demo_home, pg_url):
    counts = load_into_postgres(demo_home / "platform.duckdb", pg_url)
    src = duckdb.connect(str(demo_home / "platform.duckdb"), read_only=True)
    src.execute("SET TimeZone = 'UTC'")
    engine = create_engine(pg_url)
    try:
        duck_counts = {
            t.name: src.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in TABLES
        }
        assert counts == duck_counts
        with engine.connect() as conn:
            pg_counts = {
                t.name: conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar()
                for t in TABLES
            }
            assert pg_counts == duck_counts
            pg = table_digests(lambda sql: conn.execute(text(sql)).fetchall())
        assert pg == table_digests(lambda sql: src.execute(sql).fetchall())

        insp = inspect(engine)
        for t in TABLES:
            pg_cols = [
                (
                    c["name"],
                    "timestamptz"
                    if getattr(c["type"], "timezone", False)
                    else _family(str(c["type"])),
                )
                for c in insp.get_columns(t.name)
            ]
            duck_cols = [
                (n, _family(ty))
                for n, ty in src.execute(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                    "ORDER BY ordinal_position",
                    [t.name],
                ).fetchall()
            ]
            assert pg_cols == duck_cols, t.name
            assert [c["name"] for c in insp.get_columns(t.name)] == [c.name for c in t.columns]
        have = {ix["name"] for t in INDEXES for ix in insp.get_indexes(t)}
        assert len(have) >= sum(len(v) for v in INDEXES.values())
        # loading again replaces, it does not append
        assert load_into_postgres(demo_home / "platform.duckdb", pg_url) == duck_counts
        with engine.connect() as conn:
            assert (
                conn.execute(text("SELECT count(*) FROM messages")).scalar()
                == duck_counts["messages"]
            )
    finally:
        src.close()
        engine.dispose()


def test_cli_load(demo_home, pg_url, capsys):
    from workbench.cli import main

    assert main(["demo", "load", "--url", pg_url, "--home", str(demo_home)]) == 0
    out = capsys.readouterr().out
    assert "loaded" in out and "@" not in out.split("into")[0]
