"""SQL investigation (``wb.queries``): the query library (:mod:`~workbench.queries.library`,
one ``.sql`` file per query), the read-only guard (:mod:`~workbench.queries.guard`) and the one
audited way to run a statement on the platform data (:mod:`~workbench.queries.run`), which is
``wb.query(name, case=..., **params)`` and ``wb.sql(text, case=..., **params)``.

``wb.queries.list()``, ``get(name)``, ``params(name)``, ``render(name, dialect)`` and ``table()``
describe the library without running anything.
"""

from workbench.queries.guard import QueryRefused
from workbench.queries.library import (
    Param,
    Query,
    bind,
    get,
    library_dir,
    list,
    names,
    params,
    parse_file,
    render,
    render_sql,
    table,
)
from workbench.queries.run import (
    QueryFailed,
    QueryTimeout,
    ResultTruncated,
    query,
    result_sha256,
    sql,
)

__all__ = [
    "Param",
    "Query",
    "QueryFailed",
    "QueryRefused",
    "QueryTimeout",
    "ResultTruncated",
    "bind",
    "get",
    "library_dir",
    "list",
    "names",
    "params",
    "parse_file",
    "query",
    "render",
    "render_sql",
    "result_sha256",
    "sql",
    "table",
]
