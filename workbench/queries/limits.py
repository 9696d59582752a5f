"""What one read may bring back: rows, bytes in memory, the size of one value, and time.

* ``max_rows`` (``$WORKBENCH_MAX_ROWS``) and ``max_bytes`` (``$WORKBENCH_MAX_BYTES``, 256 MB):
  fetching stops at whichever comes first and the result says it was cut. Sizes are what the
  values take in Python's memory (``sys.getsizeof``, lists and maps counted deeply).
* ``max_value`` (``$WORKBENCH_MAX_VALUE``): no single text or binary value longer than this is
  kept. The database cuts them (the query is wrapped, from its checked tree, in a projection
  that takes the first ``max_value`` characters of every text and binary column: a stored
  100 MB value never crosses to Python whole), and the fetch cuts whatever is still longer.
* ``timeout`` (``$WORKBENCH_QUERY_TIMEOUT``): finite, positive seconds.

Memory inside DuckDB is bounded by ``memory_limit`` (``$WORKBENCH_DUCKDB_MEMORY``, 512 MB by
default, so a stored 1 GB value is refused by DuckDB rather than loaded, and a scan caches at
most that much); values that functions compute are capped by the guard (``repeat``, ``lpad``,
``rpad``). DuckDB buffers some 40,000 rows of a result ahead of the fetch whatever their size,
which is why the value cap is what bounds it (``benchmarks/limits.py``).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlglot.expressions as exp

from workbench.config import Settings
from workbench.errors import InputError
from workbench.queries.frames import ResultBuilder

#: DuckDB column types kept as they are (fixed size); text and BLOB are cut, the rest kept.
_DUCK_KEEP_PREFIXES = ("DECIMAL", "ENUM", "TIMESTAMP", "TIME", "INTERVAL")
_DUCK_TEXT = {"VARCHAR", "JSON"}
#: PostgreSQL type OIDs of text (text, varchar, bpchar, name) and bytea.
_PG_TEXT = {25, 1043, 1042, 19}
_PG_BYTEA = 17


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_bytes: int
    max_value: int
    timeout: float


def limits(settings: Settings, max_rows: Any = None, timeout: Any = None) -> Limits:
    """The limits of one read: the given ones checked, the settings' otherwise."""
    rows = settings.max_rows if max_rows is None else max_rows
    secs = settings.query_timeout if timeout is None else timeout
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise InputError(f"max_rows {rows!r} is not a positive whole number", "e.g. max_rows=1000")
    if (
        isinstance(secs, bool)
        or not isinstance(secs, (int, float))
        or not math.isfinite(secs)
        or not secs > 0
    ):
        raise InputError(
            f"timeout {secs!r} is not a finite positive number of seconds", "e.g. timeout=30"
        )
    return Limits(rows, settings.max_bytes, settings.max_value, float(secs))


# --------------------------------------------------------------------------- the SQL side


def duckdb_kind(type_name: object) -> str:
    """``text``, ``blob``, ``deep`` (lists, structs, maps: sized deeply on fetch) or ``keep``."""
    t = str(type_name).upper()
    if t in _DUCK_TEXT:
        return "text"
    if t == "BLOB":
        return "blob"
    if t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION")):
        return "deep"
    return "keep"


def postgres_kind(oid: int, array_oids: set[int]) -> str:
    if oid in _PG_TEXT:
        return "text"
    if oid == _PG_BYTEA:
        return "blob"
    if oid in array_oids or oid in (114, 3802):  # arrays, json, jsonb
        return "deep"
    return "keep"


def probe_sql(query: exp.Expression, dialect: str | None) -> str:
    """``SELECT * FROM (<query>) AS _q LIMIT 0``: the result's names and types at planning cost."""
    sub = exp.Subquery(this=query.copy(), alias=exp.TableAlias(this=exp.to_identifier("_q")))
    return exp.select("*").from_(sub).limit(0).sql(dialect=dialect, comments=False)


def wrapped_sql(
    query: exp.Expression, kinds: list[str], dialect: str | None, max_value: int
) -> str | None:
    """``query`` with every text and binary column cut to ``max_value`` inside the database;
    None when no column needs it. Built from the tree, never by pasting text; no LIMIT added
    (DuckDB would collect a large LIMIT in memory)."""
    if not any(k in ("text", "blob") for k in kinds):
        return None
    names = [exp.to_identifier(f"c{i}") for i in range(len(kinds))]
    sub = exp.Subquery(
        this=query.copy(), alias=exp.TableAlias(this=exp.to_identifier("_q"), columns=names)
    )
    n = exp.Literal.number(max_value)
    cols: list[exp.Expression] = []
    for name, kind in zip(names, kinds):
        col = exp.column(name.copy())
        if kind == "text":
            cols.append(exp.Left(this=exp.cast(col, "TEXT"), expression=n))
        elif kind == "blob" and dialect == "duckdb":  # b[1:n]
            cols.append(
                exp.Bracket(
                    this=col, expressions=[exp.Slice(this=exp.Literal.number(1), expression=n)]
                )
            )
        elif kind == "blob":
            cols.append(exp.Substring(this=col, start=exp.Literal.number(1), length=n))
        else:
            cols.append(col)
    return exp.select(*cols).from_(sub).sql(dialect=dialect, comments=False)


# --------------------------------------------------------------------------- the fetch side


@dataclass
class Fetched:
    """What a read brought back (in ``rows``, a :class:`ResultBuilder`), and what was cut."""

    rows: ResultBuilder
    truncated: bool = False  # more rows than max_rows
    over_bytes: bool = False  # the next row would have passed max_bytes
    cut_values: int = 0  # values longer than max_value that were cut here
    size: int = 0  # bytes in memory of the rows kept

    @property
    def columns(self) -> list[str]:
        return self.rows.columns

    @property
    def count(self) -> int:
        return self.rows.count

    @property
    def cut(self) -> bool:
        return self.truncated or self.over_bytes


def _deep_size(v: Any) -> int:
    if isinstance(v, (list, tuple)):
        return sys.getsizeof(v) + sum(_deep_size(x) for x in v)
    if isinstance(v, dict):
        return sys.getsizeof(v) + sum(_deep_size(k) + _deep_size(x) for k, x in v.items())
    return sys.getsizeof(v)


def _cut(v: Any, max_value: int) -> tuple[Any, bool]:
    if isinstance(v, (str, bytes, bytearray, memoryview)) and len(v) > max_value:
        return v[:max_value], True
    if isinstance(v, list) and len(v) > max_value:
        return v[:max_value], True
    return v, False


def collect(
    fetchmany: Callable[[int], Sequence[Any]],
    columns: list[str],
    lim: Limits,
    deep: list[int] | None = None,
    text: set[int] | None = None,
    batch: int = 1000,
) -> Fetched:
    """Rows from ``fetchmany`` until the result ends, ``max_rows`` rows are kept, or the next
    row would pass ``max_bytes``. ``deep``: positions of list/struct/map columns; ``text``:
    positions of text columns (kept in Arrow once the result is large)."""
    out = Fetched(ResultBuilder(columns, text))
    deep = deep or []
    cap = lim.max_value
    while True:
        chunk = fetchmany(min(batch, lim.max_rows + 1 - out.count))
        if not chunk:
            return out
        kept: list[tuple] = []
        for raw in chunk:
            row = tuple(raw)
            size = sum(map(sys.getsizeof, row))
            for i in deep:
                size += _deep_size(row[i]) - sys.getsizeof(row[i])
            if size > cap:  # some value may be longer than max_value: cut it
                cut = [_cut(v, cap) for v in row]
                if any(c for _, c in cut):
                    out.cut_values += sum(c for _, c in cut)
                    row = tuple(v for v, _ in cut)
                    size = sum(map(_deep_size, row))
            if out.count + len(kept) >= lim.max_rows:
                out.truncated = True
            elif out.size + size > lim.max_bytes:
                out.over_bytes = True
            if out.cut:
                out.rows.add(kept, out.size)
                return out
            kept.append(row)
            out.size += size
        out.rows.add(kept, out.size)


def cut_message(f: Fetched, lim: Limits) -> str | None:
    """The one line that tells the user what was cut, or None."""
    parts = []
    if f.truncated:
        parts.append(f"result cut at {lim.max_rows:,} rows (more rows matched)")
    elif f.over_bytes:
        parts.append(
            f"result cut at {f.count:,} rows: the next row would pass "
            f"{lim.max_bytes / 1e6:,.0f} MB in memory (WORKBENCH_MAX_BYTES)"
        )
    if f.cut_values:
        parts.append(
            f"{f.cut_values:,} value(s) cut to {lim.max_value:,} characters (WORKBENCH_MAX_VALUE)"
        )
    if not parts:
        return None
    if f.truncated:
        todo = "narrow the query or pass a larger max_rows="
    elif f.over_bytes:
        todo = "narrow the query (fewer or shorter columns)"
    else:
        todo = "select part of the value (substr) if you need more of it"
    return "; ".join(parts) + "; " + todo
