"""How commands print tables: ``--format table|csv|json``, one option for every command.

Results go to stdout; notes (a cut result, counts, provenance) go to stderr, so that
``workbench ... --format csv > out.csv`` writes only the data.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from workbench.errors import InputError

FORMATS = ("table", "csv", "json")


def format_option() -> Any:
    """The ``--format``/``-f`` option (table by default)."""
    return typer.Option("table", "--format", "-f", help="table, csv or json.")


def check_format(fmt: str) -> str:
    """``fmt`` if it is a known format, else a one-line error (before any work is done)."""
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r} is unknown", f"use one of {', '.join(FORMATS)}")
    return fmt


def emit(
    df: Any, fmt: str, *, empty: str | None = None, table: Callable[[Any], str] | None = None
) -> None:
    """Print a DataFrame as ``fmt``. ``empty``: the line a table shows when there are no rows;
    ``table``: how to lay the rows out as a table (default: pandas, 200 rows, 60-wide cells)."""
    import pandas as pd

    check_format(fmt)
    if fmt == "csv":
        df.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        sys.stdout.write(df.to_json(orient="records", date_format="iso", force_ascii=False) + "\n")
    elif df.empty and empty is not None:
        typer.echo(empty)
    elif table is not None:
        typer.echo(table(df))
    else:
        with pd.option_context(
            "display.max_rows",
            200,
            "display.max_columns",
            50,
            "display.width",
            200,
            "display.max_colwidth",
            60,
        ):
            typer.echo(df.to_string(index=False) if len(df.columns) else "(no columns)")
