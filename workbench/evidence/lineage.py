"""Column lineage of a query result: which platform columns each result column comes from.

``SELECT reporter_id AS r`` gives a column ``r`` that is still ``reports.reporter_id``, and
``display_name AS contact`` is still ``users.display_name``: redaction decides by these sources,
not by the result's column names. sqlglot's ``lineage`` does the work behind a wrapper that
fails closed:

* the query is qualified against the platform schema (stars, ``EXCLUDE``/``REPLACE`` and CTE
  stars expanded), projection *i* of the leftmost SELECT is aliased ``_wb_c{i}``, and results
  are matched to the result's columns **by position** (a result may repeat a name, and DuckDB
  names unnamed expressions its own way);
* a column whose sources cannot be resolved (a ``LATERAL`` placeholder, ``COLUMNS(...)``, a
  table function, an unknown table or column, a stale schema, a statement that is not a
  query, anything sqlglot fails on) is **unknown**: ``None``, and unknown counts as sensitive;
* an empty set means computed from no column at all (a literal, ``count(*)``, ``now()``).

Lineage covers the projection only: a column used in ``WHERE`` or ``JOIN ... ON`` alone does
not show in the result. Very wide selects are slow to trace (about 20 ms a column): beyond
:data:`MAX_COLUMNS` every column is unknown.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from workbench.platform import schema as platform_schema

MAX_COLUMNS = 200
Sources = frozenset[str] | None


@lru_cache(maxsize=1)
def platform_columns() -> dict[str, dict[str, str]]:
    """The platform schema as sqlglot wants it: ``{table: {column: type}}``."""
    return {t.name: {c.name: _sql_type(c.type) for c in t.columns} for t in platform_schema.TABLES}


def _sql_type(t: Any) -> str:
    name = type(t).__name__.upper()
    return {
        "BIGINTEGER": "BIGINT",
        "SMALLINTEGER": "SMALLINT",
        "INTEGER": "INT",
        "STRING": "TEXT",
        "TEXT": "TEXT",
        "DATETIME": "TIMESTAMPTZ",
        "BOOLEAN": "BOOLEAN",
        "NUMERIC": "DECIMAL",
    }.get(name, "TEXT")


def _errors() -> tuple[type[BaseException], ...]:
    from sqlglot.errors import SqlglotError

    return (
        SqlglotError,
        ValueError,
        KeyError,
        AttributeError,
        TypeError,
        IndexError,
        RecursionError,
    )


def _leftmost_select(q: Any) -> Any:
    from sqlglot import exp

    while isinstance(q, (exp.SetOperation, exp.Subquery)):
        q = q.this
    return q if isinstance(q, exp.Select) else None


def _node_sources(node: Any, known: set[str]) -> Sources:
    from sqlglot import exp

    cols: set[str] = set()
    for n in node.walk():
        e = n.expression
        if isinstance(e, (exp.Star, exp.Placeholder, exp.Columns)) or any(
            not isinstance(x.parent, exp.Count) for x in e.find_all(exp.Star, exp.Columns)
        ):
            return None  # an unexpanded star, COLUMNS(), an unresolved column ('?')
        if n.downstream:
            continue
        if isinstance(e, exp.Table):
            key = f"{e.name}.{n.name.split('.')[-1]}".lower()
            if key not in known:
                return None  # a table function, an unknown table or column
            cols.add(key)
        elif e.find(exp.Column):
            return None  # a column that never reached a table
    return frozenset(cols)


@lru_cache(maxsize=512)
def _cached(sql: str, columns: tuple[str, ...], dialect: str) -> tuple[Sources, ...]:
    return tuple(_trace(sql, list(columns), dialect))


def result_lineage(sql: str | None, columns: list[str], dialect: str = "duckdb") -> list[Sources]:
    """Per result position: the set of ``table.column`` it is computed from, or None (unknown)."""
    cols = [str(c) for c in columns]
    if not isinstance(sql, str) or not sql.strip() or len(cols) > MAX_COLUMNS:
        return [None] * len(cols)
    return list(_cached(sql, tuple(cols), _dialect(dialect)))


def _dialect(name: str | None) -> str:
    return {"postgresql": "postgres", "sqlite": "sqlite"}.get(str(name or "duckdb"), "duckdb")


def _trace(sql: str, columns: list[str], dialect: str) -> list[Sources]:
    unknown: list[Sources] = [None] * len(columns)
    try:
        from sqlglot import exp, parse_one
        from sqlglot.lineage import lineage
        from sqlglot.optimizer.qualify import qualify

        schema: dict[str, Any] = dict(platform_columns())
        known = {f"{t}.{c}".lower() for t, cs in schema.items() for c in cs}
        tree = parse_one(sql, dialect=dialect)
        if not isinstance(tree, exp.Query):
            return unknown
        q = qualify(
            tree, schema=schema, dialect=dialect, validate_qualify_columns=False, identify=False
        )
        first = _leftmost_select(q)
        if first is None or len(first.selects) != len(columns):
            return unknown  # a stale schema, an unexpanded star, ...
        original = []
        for i, sel in enumerate(first.selects):
            original.append(sel.alias_or_name)
            inner = sel.this if isinstance(sel, exp.Alias) else sel
            sel.replace(exp.alias_(inner.copy(), f"_wb_c{i}"))
        nodes = lineage(None, q, schema=schema, dialect=dialect)
    except _errors():
        return unknown
    out: list[Sources] = []
    for i, col in enumerate(columns):
        node = nodes.get(f"_wb_c{i}")
        if node is None:
            out.append(None)
            continue
        sel = first.selects[i].this
        named = isinstance(sel, exp.Column) or (original[i] and not original[i].startswith("_col_"))
        if named and original[i].lower() != col.lower():
            out.append(None)  # the result is not the query we traced
            continue
        try:
            out.append(_node_sources(node, known))
        except _errors():
            out.append(None)
    return out
