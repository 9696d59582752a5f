"""Which functions a statement on the platform data may call, for both readers of a statement:
the guard (sqlglot's reading, :mod:`workbench.queries.guard`) and the engine's own parser
(:mod:`workbench.platform.walls`). One list, so the two readings apply the same rule.

Refused: anything that reads files, URLs or server state, changes settings or session state,
runs SQL given as text, or touches sequences and large objects. As table functions (``FROM
f(...)``) only the row generators in :data:`TABLE_FUNCTIONS` may run: every file reader,
catalogue and side effect of DuckDB (``read_*``, ``glob``, ``enable_logging``, ``checkpoint``,
``duckdb_settings``, ``query``, ...) is a table function.
"""

from __future__ import annotations

#: Name prefixes of refused functions (compared in lower case).
DENY_PREFIXES = (
    "pg_",
    "lo_",
    "read_",
    "duckdb_",
    "pragma_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "dblink",
    "parquet_",
    "iceberg_",
    "delta_",
    "sniff_",
    "http",
    "txid_",
    "file_",
    "to_file",
    "inet_server",
    "inet_client",
    "query",
    "glob",
    "getenv",
    "getvariable",
    "current_setting",
    "set_config",
    "nextval",
    "setval",
    "currval",
    "lastval",
    "next_value_for",
    "sleep",
    "json_execute",
    "xml_",
    "ts_debug",
    "has_",
    "make_secret",
    "which_secret",
    "secret",
    "load_",
    "install_",
    "enable_",
    "disable_",
    "truncate_duckdb",
    "checkpoint",
    "force_checkpoint",
    "arrow_scan",
    "pandas_scan",
    "python_",
)
ALLOW_DESPITE_PREFIX = frozenset({"pg_typeof"})

#: The only table functions a statement may call: row generators over no stored data.
TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest", "generate_subscripts"})


def denied(name: str) -> bool:
    """Whether the function ``name`` is refused wherever it appears."""
    key = name.lower()
    return key not in ALLOW_DESPITE_PREFIX and key.startswith(DENY_PREFIXES)


def refusal(name: str) -> str:
    """The one-line reason a function is refused."""
    return (
        f"function {name.lower()}() is not allowed: it reads files, URLs or server state, "
        "or runs SQL from text"
    )
