"""The read-only guard: every statement, library or ad hoc, is checked before it reaches a database.

A statement passes only if it is exactly one read-only query: ``SELECT`` (with ``WITH``, set
operations, subqueries, window and JSON functions), ``VALUES`` or ``EXPLAIN [ANALYZE]`` of one.
It is parsed with sqlglot in the platform's dialect and refused, with a one-line reason, when:

* it is not one statement (stacked statements, a second one hidden behind comments or strings);
* it is or contains DDL, DML, ``PRAGMA``, ``ATTACH``, ``COPY``, ``INSTALL``/``LOAD``, ``CALL``,
  ``SET``, ``EXPORT``, transactions, ``SELECT ... INTO`` or row locks;
* it calls a function that reads files, URLs or server state, or runs SQL given as text
  (``read_csv``, ``read_parquet``, ``pg_read_file``, ``lo_import``, ``dblink``, ``query``, ...), or a
  function the parser does not know and that is not on the allow-list;
* it reads a table that is not a platform table (or a name defined by its own ``WITH``): system
  catalogues, other databases and DuckDB's file-name "tables" (``FROM 'x.csv'``) are refused;
* it has characters outside ASCII anywhere but in string literals, quoted names and comments
  (full-width or look-alike keywords, zero-width spaces), or control characters.

This is the first wall. The database's own read-only mode is the second (DuckDB ``read_only``,
a PostgreSQL ``READ ONLY`` transaction), and :mod:`workbench.queries.run` also asks the database's own
parser to count statements before running one.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Collection
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from workbench.errors import WorkbenchError
from workbench.platform.schema import metadata

MAX_SQL_CHARS = 200_000

# Statement kinds refused wherever they appear (a data-modifying CTE hides a DELETE in a SELECT).
_FORBIDDEN_NODES: dict[str, str] = {
    "Insert": "INSERT",
    "Update": "UPDATE",
    "Delete": "DELETE",
    "Merge": "MERGE",
    "Create": "CREATE",
    "Drop": "DROP",
    "Alter": "ALTER",
    "AlterColumn": "ALTER",
    "TruncateTable": "TRUNCATE",
    "Command": "a command",
    "Set": "SET",
    "Pragma": "PRAGMA",
    "Copy": "COPY",
    "Attach": "ATTACH",
    "Detach": "DETACH",
    "Install": "INSTALL",
    "Transaction": "a transaction statement",
    "Commit": "COMMIT",
    "Rollback": "ROLLBACK",
    "Use": "USE",
    "Grant": "GRANT",
    "Revoke": "REVOKE",
    "LoadData": "LOAD DATA",
    "Cache": "CACHE",
    "Uncache": "UNCACHE",
    "Refresh": "REFRESH",
    "Analyze": "ANALYZE",
    "Describe": "DESCRIBE",
    "Show": "SHOW",
    "Summarize": "SUMMARIZE",
    "Export": "EXPORT",
    "Into": "SELECT ... INTO (it creates a table)",
    "Lock": "FOR UPDATE/SHARE (row locks)",
    "Kill": "KILL",
}
_FORBIDDEN_TYPES = tuple(
    getattr(exp, n) for n, label in _FORBIDDEN_NODES.items() if label and hasattr(exp, n)
)

# Functions that read files, URLs or server state, change settings, or run SQL from text.
_DENY_PREFIXES = (
    "pg_",
    "lo_",
    "read_",
    "duckdb_",
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
    "current_setting",
    "set_config",
    "nextval",
    "setval",
    "currval",
    "lastval",
    "sleep",
    "json_execute",
    "xml_",
    "ts_debug",
    "has_",
    "make_secret",
    "which_secret",
    "load_",
    "install_",
)
_ALLOW_DESPITE_PREFIX = {"pg_typeof"}

# Functions sqlglot does not model (parsed as anonymous) that are known to be pure.
SAFE_ANONYMOUS = frozenset(
    {
        "strpos",
        "list_distinct",
        "list_sort",
        "list_contains",
        "array_length",
        "cardinality",
        "regexp_matches",
        "regexp_replace",
        "regexp_extract",
        "array_position",
        "list_value",
        "string_split",
        "split_part",
        "starts_with",
        "ends_with",
        "contains",
        "left",
        "right",
        "lpad",
        "rpad",
        "translate",
        "unaccent",
        "md5",
        "sha256",
        "hash",
        "epoch",
        "epoch_ms",
        "age",
        "date_part",
        "date_diff",
        "datediff",
        "date_sub",
        "make_date",
        "make_timestamp",
        "to_timestamp",
        "greatest",
        "least",
        "nullif",
        "coalesce",
        "ifnull",
        "typeof",
        "array_to_string",
        "list_aggregate",
        "array_agg",
        "json_object",
        "json_array",
        "jsonb_build_object",
        "json_build_object",
        "jsonb_array_length",
        "json_array_length",
        "jsonb_extract_path_text",
        "json_extract_path_text",
        "json_keys",
        "json_type",
        "to_char",
        "width_bucket",
        "percentile_cont",
        "percentile_disc",
        "mode",
        "median",
        "bool_and",
        "bool_or",
        "every",
        "bit_length",
        "octet_length",
        "char_length",
        "character_length",
        "initcap",
        "reverse",
        "repeat",
        "ascii",
        "chr",
        "format",
        "generate_subscripts",
        "string_to_array",
        "regexp_split_to_array",
        "array_cat",
        "array_append",
        "array_prepend",
        "array_remove",
        "array_positions",
        "now",
        "current_timestamp",
        "today",
        "isodow",
        "dayofweek",
        "dayofyear",
        "weekofyear",
        "row_to_json",
        "to_json",
        "to_jsonb",
        "json_agg",
        "jsonb_agg",
        "strftime",
        "strptime",
        "levenshtein",
        "jaro_winkler_similarity",
        "damerau_levenshtein",
        "hamming",
        "bit_count",
        "xor",
        "list_has_any",
        "list_has_all",
        "array_has_any",
        "array_has_all",
        "histogram",
        "arg_max",
        "arg_min",
        "max_by",
        "min_by",
        "count_if",
        "first",
        "last",
        "any_value",
        "date_trunc",
        "time_bucket",
        "range",
        "generate_series",
        "unnest",
    }
)


class QueryRefused(WorkbenchError):
    """The guard refused a statement; ``reason`` says why (one line)."""

    exit_code = 4

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"refused: {reason}")


@dataclass(frozen=True)
class Checked:
    """What the guard learned about an accepted statement."""

    kind: str  # "select" or "explain"
    tables: frozenset[str]
    functions: frozenset[str]


def sqlglot_dialect(engine_dialect: str | None) -> str | None:
    """sqlglot's dialect name for a SQLAlchemy dialect name (``postgresql`` -> ``postgres``)."""
    return {
        "postgresql": "postgres",
        "duckdb": "duckdb",
        "sqlite": "sqlite",
        "mysql": "mysql",
        "trino": "trino",
        "bigquery": "bigquery",
        "snowflake": "snowflake",
        "postgres": "postgres",
    }.get((engine_dialect or "").lower())


def platform_tables() -> frozenset[str]:

    return frozenset(metadata.tables)


@contextmanager
def _quiet_sqlglot():
    # sqlglot logs a warning when it falls back to a generic "Command"; we refuse those anyway.
    log = logging.getLogger("sqlglot")
    old = log.disabled
    log.disabled = True
    try:
        yield
    finally:
        log.disabled = old


def _shown(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


_STRINGY = {
    getattr(TokenType, n)
    for n in (
        "STRING",
        "NATIONAL_STRING",
        "RAW_STRING",
        "NATIONAL_RAW_STRING",
        "HEREDOC_STRING",
        "BYTE_STRING",
        "HEX_STRING",
        "BIT_STRING",
        "UNICODE_STRING",
        "IDENTIFIER",
    )
    if hasattr(TokenType, n)
}


def _check_characters(sql_text: str, dialect: str | None) -> list:
    for ch in sql_text:
        if (ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 0x7F:
            raise QueryRefused(f"control character U+{ord(ch):04X} in the statement")
    try:
        toks = sqlglot.Dialect.get_or_raise(dialect).tokenize(sql_text)
    except (TokenError, ValueError) as exc:
        raise QueryRefused(f"cannot read the statement: {_shown(str(exc), 80)}") from None
    # Non-ASCII is fine inside strings, quoted names and comments, nowhere else (full-width
    # keywords, zero-width or no-break spaces: the database may read them differently).
    quoted: Counter[str] = Counter()
    for tok in toks:
        if tok.token_type in _STRINGY:
            quoted.update(ch for ch in tok.text if not ch.isascii())
        for comment in tok.comments or ():
            quoted.update(ch for ch in comment if not ch.isascii())
    found = Counter(ch for ch in sql_text if not ch.isascii())
    for ch, n in found.items():
        if n > quoted[ch]:
            raise QueryRefused(
                f"non-ASCII character U+{ord(ch):04X} outside quotes; "
                "type SQL keywords and spaces in plain ASCII"
            )
    return toks


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    names = node.sql_names()
    return (names[0] if names else type(node).__name__).lower()


def _statement_label(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    label = _FORBIDDEN_NODES.get(type(node).__name__)
    return label or type(node).__name__.upper()


def _check_tree(
    root: exp.Expression, allowed: frozenset[str], first_word: str
) -> tuple[set[str], set[str]]:
    if not isinstance(root, (exp.Select, exp.SetOperation, exp.Values, exp.Subquery)):
        known = isinstance(root, exp.Command) or type(root).__name__ in _FORBIDDEN_NODES
        label = _statement_label(root) if known else first_word.upper()
        raise QueryRefused(
            f"{label} is not allowed: only read-only queries "
            "(SELECT, WITH, VALUES, EXPLAIN) may run"
        )
    ctes = {str(c.alias).lower() for c in root.find_all(exp.CTE)}
    tables: set[str] = set()
    functions: set[str] = set()
    for node in root.walk():
        if isinstance(node, _FORBIDDEN_TYPES):
            raise QueryRefused(f"{_statement_label(node)} is not allowed inside a query")
        if isinstance(node, exp.Select) and node.args.get("into"):
            raise QueryRefused("SELECT ... INTO is not allowed (it creates a table)")
        if isinstance(node, exp.Select) and node.args.get("locks"):
            raise QueryRefused("FOR UPDATE/SHARE is not allowed (row locks)")
        if isinstance(node, exp.Func):
            name = _function_name(node)
            if name not in _ALLOW_DESPITE_PREFIX and name.startswith(_DENY_PREFIXES):
                raise QueryRefused(
                    f"function {name}() is not allowed: it reads files, URLs or "
                    "server state, or runs SQL from text"
                )
            if isinstance(node, exp.Anonymous) and name not in SAFE_ANONYMOUS:
                raise QueryRefused(f"function {name}() is not on the allow-list of functions")
            functions.add(name)
        if isinstance(node, exp.Table):
            ident = node.this
            if not isinstance(ident, exp.Identifier):
                continue  # a table function: checked as a function above
            name = str(ident.this)
            if node.args.get("catalog") is not None:
                raise QueryRefused(f"table {node.sql()!r} names another database")
            schema = node.args.get("db")
            if schema is not None and str(schema.name).lower() not in ("main", "public"):
                raise QueryRefused(f"table {node.sql()!r} is not a platform table")
            key = name.lower()
            if schema is None and key in ctes:
                continue
            if key not in allowed or (ident.quoted and name != key):
                raise QueryRefused(f"table {_shown(name)!r} is not a platform table")
            tables.add(key)
    return tables, functions


def check(
    sql_text: str, dialect: str | None = "duckdb", tables: Collection[str] | None = None
) -> Checked:
    """Accept ``sql_text`` (one read-only query) or raise :class:`QueryRefused` with the reason.

    ``dialect`` is sqlglot's name (``duckdb``, ``postgres``; see :func:`sqlglot_dialect`);
    ``tables`` the names that may be read (default: the platform tables).
    """
    allowed = frozenset(t.lower() for t in tables) if tables is not None else platform_tables()
    return _check_cached(sql_text, dialect, allowed)


_EXPLAIN_RE = re.compile(
    r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*EXPLAIN(?:\s+ANALY[SZ]E)?\b", re.IGNORECASE | re.DOTALL
)


# sqlglot names the expression it could not finish by its class; say it in words instead
_PARTS = {
    "Add": "an addition (+)",
    "Sub": "a subtraction (-)",
    "Mul": "a multiplication (*)",
    "Div": "a division (/)",
    "EQ": "a comparison (=)",
    "NEQ": "a comparison (<>)",
    "GT": "a comparison (>)",
    "GTE": "a comparison (>=)",
    "LT": "a comparison (<)",
    "LTE": "a comparison (<=)",
    "And": "an AND",
    "Or": "an OR",
    "Not": "a NOT",
    "In": "an IN list",
    "Like": "a LIKE",
    "Between": "a BETWEEN",
    "Where": "the WHERE clause",
    "From": "the FROM clause",
    "Join": "a JOIN",
    "Group": "the GROUP BY",
    "Order": "the ORDER BY",
    "Having": "the HAVING clause",
    "Limit": "the LIMIT",
    "Select": "the SELECT list",
    "Alias": "an alias (AS)",
    "Cast": "a CAST",
}


def syntax_error(exc: Exception) -> str:
    """A parser's complaint in plain words, with where it is: "a multiplication (*) is
    incomplete, at line 1, column 33 near '*'" rather than sqlglot's "Required keyword:
    'expression' missing for <class 'sqlglot.expressions.core.Mul'>"."""
    errors = getattr(exc, "errors", None) or []
    if not errors:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
        return _shown(first, 100)
    e = errors[0]
    desc = str(e.get("description") or "")
    near = str(e.get("highlight") or "").strip()
    missing = re.match(r"Required keyword: '\w+' missing for <class '[\w.]*?(\w+)'>", desc)
    expecting = re.match(r"Expecting (.+)", desc)
    if missing:
        what = f"{_PARTS.get(missing.group(1), 'an expression')} is incomplete"
    elif expecting:
        what = f"a {expecting.group(1).strip()!r} is missing"
    elif desc.startswith(("Invalid expression", "Unexpected token")):
        what = f"unexpected {near!r}" if near else "unexpected text"
    else:
        what = _shown(desc.split(". Line")[0], 80)
    where = f"line {e.get('line', '?')}, column {e.get('col', '?')}"
    return f"{what}, at {where}" + (f" near {_shown(near, 30)!r}" if near else "")


@lru_cache(maxsize=512)
def _check_cached(sql_text: str, dialect: str | None, allowed: frozenset[str]) -> Checked:
    if not isinstance(sql_text, str) or not sql_text.strip():
        raise QueryRefused("the statement is empty")
    if len(sql_text) > MAX_SQL_CHARS:
        raise QueryRefused(f"the statement is longer than {MAX_SQL_CHARS:,} characters")
    _check_characters(sql_text, dialect)
    kind, body = "select", sql_text
    m = _EXPLAIN_RE.match(sql_text)
    if m:  # sqlglot reads EXPLAIN as an opaque command: check the query it explains instead
        kind, body = "explain", sql_text[m.end() :]
        if not body.strip():
            raise QueryRefused("EXPLAIN needs a query to explain")
    try:
        with _quiet_sqlglot():
            statements = [s for s in sqlglot.parse(body, read=dialect) if s is not None]
    except (ParseError, TokenError) as exc:
        raise QueryRefused(f"cannot parse the statement: {syntax_error(exc)}") from None
    if not statements:
        raise QueryRefused("the statement is empty")
    if len(statements) > 1:
        raise QueryRefused(f"{len(statements)} statements given; run exactly one statement")
    words = re.findall(r"[A-Za-z_]+", re.sub(r"--[^\n]*|/\*.*?\*/", " ", body, flags=re.DOTALL))
    root = statements[0]
    assert isinstance(root, exp.Expression)
    found_tables, functions = _check_tree(root, allowed, words[0] if words else "?")
    return Checked(kind, frozenset(found_tables), frozenset(functions))
