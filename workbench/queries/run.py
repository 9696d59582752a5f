"""Running queries: ``wb.query(name, case=None, **params)`` runs a library query,
``wb.sql(text, case=None, **params)`` ad-hoc SQL. Both go through the one audited door
(:mod:`workbench.queries.door`), which:

1. checks the case (it must exist) and the parameters (values are always bound, never pasted;
   lists expand into ``IN :ids``);
2. passes the statement through :mod:`workbench.queries.guard` (one read-only query, or a
   one-line refusal) and sends the SQL written back from the checked tree;
3. runs it on the platform's read-only engine (the second wall: :mod:`workbench.platform.walls`);
4. fetches at most ``max_rows`` rows and ``max_bytes`` bytes, every value at most ``max_value``
   long, and warns with :class:`ResultTruncated` when anything was cut;
5. appends an audit record (ok, refused, failed or timeout; results as row count + SHA-256 only);
6. returns a DataFrame whose ``attrs["provenance"]`` says what ran, where, when, by whom, for which
   case and subjects, and the result's SHA-256 (:func:`result_sha256`).

Limits: ``max_rows`` (default ``$WORKBENCH_MAX_ROWS`` or 100,000) and ``timeout`` seconds (default
``$WORKBENCH_QUERY_TIMEOUT`` or 60; finite and positive), per call; ``$WORKBENCH_MAX_BYTES``
(256 MB) and ``$WORKBENCH_MAX_VALUE`` (1,000,000 characters) from the settings.

Result hash (``hash_method`` ``wb-rows-v1``): see :mod:`workbench.queries.digest`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from workbench.config import settings
from workbench.errors import InputError
from workbench.queries import door, guard, library
from workbench.queries.digest import HASH_METHOD, result_sha256
from workbench.queries.door import QueryFailed, QueryTimeout, ResultTruncated

__all__ = [
    "HASH_METHOD",
    "QueryFailed",
    "QueryTimeout",
    "ResultTruncated",
    "query",
    "render",
    "result_sha256",
    "sql",
]


def query(
    name: str,
    case: str | None = None,
    *,
    max_rows: int | None = None,
    timeout: float | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Run the library query ``name`` with ``params``; see the module docstring.

    >>> df = wb.query("logins_by_user", user_id=42, start="-30d", case="ESC-2026-000123")
    >>> df.attrs["provenance"]["result_sha256"]
    """

    def prepare(engine: Engine):
        q = library.get(name)
        bound = q.bind(params)
        dialect = guard.sqlglot_dialect(engine.dialect.name)
        return q.render(dialect), bound, {p.name for p in q.params if p.array}

    return door.run(
        action="query.run",
        prepare=prepare,
        params=params,
        query_name=str(name),
        case=case,
        max_rows=max_rows,
        timeout=timeout,
    )


def sql(
    sql_text: str,
    case: str | None = None,
    *,
    max_rows: int | None = None,
    timeout: float | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Run ad-hoc SQL behind the same guard; values go in as ``:name`` binds via ``params``
    (lists expand: ``WHERE user_id IN :ids`` with ``ids=[1, 2]``)."""

    def prepare(engine: Engine):
        if not isinstance(sql_text, str):
            raise InputError("the SQL must be text")
        return sql_text.strip().rstrip(";").rstrip(), dict(params), set()

    return door.run(
        action="sql.run",
        prepare=prepare,
        params=params,
        sql_text=sql_text if isinstance(sql_text, str) else None,
        case=case,
        max_rows=max_rows,
        timeout=timeout,
    )


def render(name: str, dialect: str | None = None, **params: Any) -> tuple[str, dict[str, Any]]:
    """A library query's SQL for the platform's dialect (or ``dialect``) and its bound values,
    checked and converted, without running it."""
    q = library.get(name)
    if dialect is None:  # from the settings: no connection needed
        dialect = guard.sqlglot_dialect(settings().data_url.get_backend_name())
    return q.render(dialect), q.bind(params)
