"""The query library: parameterised investigation queries in ``queries/*.sql``.

Each file holds one query, its metadata in a YAML header written as ``--`` comment lines at the
top (format: ``queries/README.md``). Values are never pasted into SQL: every parameter is a bind
(``:user_id``), lists expand into ``IN :user_ids`` (or bind as one array with ``array: true``).

* :func:`list` the queries, :func:`get` one, :func:`params` its parameters;
* :func:`bind` checks and converts values (timestamps through :mod:`workbench.times`:
  ISO-8601 with a zone, ``-7d``/``-24h``/``now``, zone-less treated as UTC with a warning);
* :func:`render` the SQL for a dialect without running it (``workbench.queries.run`` runs it).

A query is written to run unchanged on DuckDB and PostgreSQL. One written in a single dialect
says so with ``dialect: duckdb`` (or ``postgres``) and is transpiled with sqlglot for the other.
"""

from __future__ import annotations

import builtins
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from workbench.config import ENV_QUERIES, settings
from workbench.errors import InputError, NotFoundError
from workbench.files import cached
from workbench.times import parse_interval, parse_timestamp, utcnow

SCALAR_TYPES = ("str", "int", "float", "bool", "timestamp", "interval")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_LIST_RE = re.compile(r"^list\[(\w+)\]$")
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def library_dir() -> Path:
    """The folder of ``.sql`` files: ``$WORKBENCH_QUERIES`` or the shipped ``queries/``."""
    return settings().resource("queries_dir")


@dataclass(frozen=True)
class Param:
    """One parameter of a query."""

    name: str
    type: str  # str, int, float, bool, timestamp, interval, or list[<one of those>]
    required: bool = True
    default: Any = None
    description: str = ""
    array: bool = False  # a list bound as one array value instead of expanded into IN (...)

    @property
    def is_list(self) -> bool:
        return self.type.startswith("list[")

    @property
    def base_type(self) -> str:
        m = _LIST_RE.match(self.type)
        return m.group(1) if m else self.type

    def coerce(self, value: Any, *, now: datetime | None = None) -> Any:
        """``value`` converted to this parameter's type; :class:`InputError` if it does not fit."""
        if self.is_list:
            if isinstance(value, str):
                items = [v.strip() for v in value.split(",") if v.strip()]
            elif isinstance(value, (builtins.list, tuple, set, frozenset)) or _is_array(value):
                items = builtins.list(value)
            else:
                items = [value]
            out = [self._scalar(v, now) for v in items]
            if not out:
                raise InputError(f"parameter {self.name!r} needs at least one value")
            return out
        return self._scalar(value, now)

    def _scalar(self, value: Any, now: datetime | None) -> Any:
        t, shown = self.base_type, _shown(value)
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item()  # numpy scalar
        try:
            if t == "int":
                if isinstance(value, bool):
                    raise ValueError
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError
                return int(value.strip()) if isinstance(value, str) else int(value)
            if t == "float":
                if isinstance(value, bool):
                    raise ValueError
                return float(value)
            if t == "bool":
                if isinstance(value, bool):
                    return value
                if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                    return value.strip().lower() in _TRUE
                if isinstance(value, int) and value in (0, 1):
                    return bool(value)
                raise ValueError
            if t == "str":
                if not isinstance(value, (str, int)) or isinstance(value, bool):
                    raise ValueError
                return unicodedata.normalize("NFC", str(value))
        except (TypeError, ValueError):
            raise InputError(
                f"parameter {self.name!r}: {shown} is not {_A[t]}", f"give {_A[t]}"
            ) from None
        if t == "timestamp":
            return parse_timestamp(value, now=now)
        if t == "interval":
            return parse_interval(value)
        raise InputError(f"parameter {self.name!r} has unknown type {self.type!r}")

    def describe(self) -> str:
        """``name (type, default -90d): description`` for listings."""
        extra = "required" if self.required else f"default {self.default!r}"
        return f"{self.name} ({self.type}, {extra}): {self.description}".rstrip(": ")


_A = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "str": "text",
    "timestamp": "a timestamp",
    "interval": "an interval",
}


def _is_array(value: Any) -> bool:
    return hasattr(value, "tolist") and not isinstance(value, (str, bytes))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


@dataclass(frozen=True)
class Query:
    """One library query: metadata from its header and its SQL."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    tags: tuple[str, ...]
    pii_columns: tuple[str, ...]
    sql: str
    path: Path
    dialect: str | None = None  # None: portable SQL (runs unchanged on DuckDB and PostgreSQL)
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise InputError(
            f"query {self.name!r} has no parameter {name!r}",
            f"its parameters are: {', '.join(p.name for p in self.params) or 'none'}",
        )

    def bind(
        self, values: dict[str, Any] | None = None, *, now: datetime | None = None, **kw: Any
    ) -> dict[str, Any]:
        """All parameters checked and converted, defaults filled in (relative times use ``now``)."""
        given = {**(values or {}), **kw}
        known = {p.name for p in self.params}
        unknown = sorted(set(given) - known)
        if unknown:
            raise InputError(
                f"query {self.name!r} has no parameter {unknown[0]!r}",
                f"its parameters are: {', '.join(sorted(known)) or 'none'}",
            )
        now = now or utcnow()
        out: dict[str, Any] = {}
        for p in self.params:
            if p.name in given and given[p.name] is not None:
                out[p.name] = p.coerce(given[p.name], now=now)
            elif p.required:
                raise InputError(
                    f"query {self.name!r} needs parameter {p.name!r}",
                    f"{p.name}: {p.description or p.type}",
                )
            elif p.default is None:
                out[p.name] = None
            else:
                out[p.name] = p.coerce(p.default, now=now)
        return out

    def render(self, dialect: str | None = None) -> str:
        """The SQL (with ``:name`` binds) for a sqlglot dialect, transpiled when needed."""
        return render_sql(self.sql, self.dialect, dialect)


def render_sql(sql_text: str, written_in: str | None, target: str | None) -> str:
    """``sql_text`` unchanged when portable or already in ``target``, else transpiled by sqlglot
    (``:name`` binds survive the trip)."""
    if written_in is None or target is None or written_in == target:
        return sql_text
    return _transpile(sql_text, written_in, target)


@lru_cache(maxsize=256)
def _transpile(sql_text: str, source: str, target: str) -> str:
    import sqlglot
    import sqlglot.expressions as exp

    tree = sqlglot.parse_one(sql_text, read=source)
    tree = tree.transform(
        lambda n: exp.var(f":{n.name}") if isinstance(n, exp.Placeholder) and n.name else n
    )
    if target == "postgres":
        tree = tree.transform(_postgres_bit_count)
    return tree.sql(dialect=target, pretty=True)


def _postgres_bit_count(node):
    """``bit_count(<integer>)`` as PostgreSQL has it: it counts the bits of bit strings only, and
    sqlglot passes DuckDB's integer form through unchanged (``bit_count(a # b)`` fails there)."""
    import sqlglot.expressions as exp

    arg = node.expressions[0] if isinstance(node, exp.Anonymous) and node.expressions else None
    already_bits = isinstance(arg, exp.Cast) and arg.to.this in (
        exp.DataType.Type.BIT,
        exp.DataType.Type.VARBINARY,
    )
    if (
        isinstance(node, exp.Anonymous)
        and node.name.lower() == "bit_count"
        and len(node.expressions) == 1
        and not already_bits
    ):
        return exp.Anonymous(
            this="bit_count",
            expressions=[
                exp.cast(node.expressions[0], exp.DataType.build("BIT(64)", dialect="postgres"))
            ],
        )
    return node


# --- loading --------------------------------------------------------------------------------


def _split_header(text: str) -> tuple[str, str]:
    lines = text.splitlines()
    header: builtins.list[str] = []
    i = 0
    while i < len(lines) and (lines[i].startswith("--") or not lines[i].strip()):
        if lines[i].startswith("--"):
            body = lines[i][2:]
            header.append(body[1:] if body.startswith(" ") else body)
        i += 1
    return "\n".join(header), "\n".join(lines[i:]).strip()


def _param(name: str, spec: Any, where: str) -> Param:
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, dict):
        raise InputError(f"{where}: parameter {name!r} must be a mapping or a type name")
    ptype = str(spec.get("type", "")).strip().lower().replace(" ", "")
    m = _LIST_RE.match(ptype)
    if ptype not in SCALAR_TYPES and not (m and m.group(1) in SCALAR_TYPES):
        raise InputError(
            f"{where}: parameter {name!r} has unknown type {ptype!r}",
            f"use one of {', '.join(SCALAR_TYPES)} or list[...] of them",
        )
    has_default = "default" in spec
    required = bool(spec.get("required", not has_default))
    p = Param(
        name=name,
        type=ptype,
        required=required,
        default=spec.get("default"),
        description=str(spec.get("description", "")).strip(),
        array=bool(spec.get("array")),
    )
    if has_default and p.default is not None:
        p.coerce(p.default)  # a bad default is a bug in the file: say so when loading
    return p


def parse_file(path: Path) -> Query:
    """Read one ``.sql`` file into a :class:`Query` (:class:`InputError` if malformed)."""
    text = path.read_text(encoding="utf-8")
    head, sql_text = _split_header(text)
    where = path.name
    try:
        meta = yaml.safe_load(head) or {}
    except yaml.YAMLError as exc:
        raise InputError(
            f"{where}: the header is not valid YAML ({str(exc).splitlines()[0]})"
        ) from None
    if not isinstance(meta, dict):
        raise InputError(f"{where}: the header must be a YAML mapping")
    name = str(meta.get("name", path.stem))
    if not _NAME_RE.match(name) or name != path.stem:
        raise InputError(f"{where}: name {name!r} must match the file name and be snake_case")
    if not sql_text:
        raise InputError(f"{where}: no SQL after the header")
    raw_params = meta.get("params") or {}
    if not isinstance(raw_params, dict):
        raise InputError(f"{where}: params must be a mapping of name -> spec")
    params = tuple(_param(str(k), v, where) for k, v in raw_params.items())
    for p in params:
        if not re.search(rf"(?<![:\w]):{p.name}\b", sql_text):
            raise InputError(f"{where}: parameter {p.name!r} is not used in the SQL")
    known = {"name", "title", "description", "params", "tags", "pii_columns", "dialect"}
    return Query(
        name=name,
        title=str(meta.get("title", name)),
        description=" ".join(str(meta.get("description", "")).split()),
        params=params,
        tags=tuple(str(t) for t in meta.get("tags") or ()),
        pii_columns=tuple(str(c) for c in meta.get("pii_columns") or ()),
        sql=sql_text.rstrip().rstrip(";").rstrip(),
        path=path,
        dialect=meta.get("dialect"),
        extra={k: v for k, v in meta.items() if k not in known},
    )


def _load(folder: Path) -> dict[str, Query]:
    out: dict[str, Query] = {}
    for path in sorted(folder.glob("*.sql")):
        q = parse_file(path)
        out[q.name] = q
    return out


def _library() -> dict[str, Query]:
    # Re-read when a file is added, removed or changed (kernels stay up while queries are edited).
    return cached(
        library_dir(),
        _load,
        pattern="*.sql",
        what="query library",
        hint=f"set {ENV_QUERIES} to a folder of .sql files",
    )


def list() -> builtins.list[Query]:  # noqa: A001 - the API is wb.queries.list()
    """Every library query, by name."""
    return builtins.list(_library().values())


def names() -> builtins.list[str]:
    return builtins.list(_library())


def get(name: str) -> Query:
    """The query called ``name`` (:class:`NotFoundError` with close matches if unknown)."""
    lib = _library()
    if not isinstance(name, str) or name not in lib:
        close = difflib.get_close_matches(str(name), builtins.list(lib), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "see `workbench query list`"
        raise NotFoundError(f"no query called {str(name)[:60]!r}", hint)
    return lib[name]


def params(name: str) -> builtins.list[Param]:
    """The parameters of a query."""
    return builtins.list(get(name).params)


def bind(name: str, **values: Any) -> dict[str, Any]:
    """A query's parameters checked and converted (defaults filled in)."""
    return get(name).bind(values)


def render(name: str, dialect: str | None = None) -> str:
    """The SQL of a query for a sqlglot dialect (default: as written), without running it."""
    return get(name).render(dialect)


def table():
    """The library as a DataFrame: name, title, parameters, tags, pii_columns."""
    import pandas as pd

    rows = [
        {
            "name": q.name,
            "title": q.title,
            "params": ", ".join(p.name + ("" if p.required else "?") for p in q.params),
            "tags": ", ".join(q.tags),
            "pii_columns": ", ".join(q.pii_columns),
            "description": q.description,
        }
        for q in list()
    ]
    return pd.DataFrame(
        rows, columns=["name", "title", "params", "tags", "pii_columns", "description"]
    )
