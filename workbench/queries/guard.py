"""The read-only guard: every statement, library or ad hoc, is checked before it reaches a database.

One parser decides. The whole text is parsed with sqlglot in the platform's dialect, the way the
database reads it (block comments nest, ``--`` comments end at ``\\n`` or ``\\r``, dollar quotes
with their tags, ``E'...'`` strings); nothing is stripped by a regular expression first. A
statement passes only if it is exactly one read-only query: ``SELECT`` (with ``WITH``, set
operations, subqueries, window and JSON functions), ``VALUES``, or a plain ``EXPLAIN`` of one.
It is refused, with a one-line reason, when:

* it is not one statement (stacked statements, a second one hidden behind comments or strings);
* it is or contains DDL, DML, ``PRAGMA``, ``ATTACH``, ``COPY``, ``INSTALL``/``LOAD``, ``CALL``,
  ``SET``, ``EXPORT``, transactions, ``SELECT ... INTO`` or row locks;
* it is ``EXPLAIN ANALYZE`` (which runs the statement it explains) or ``EXPLAIN`` with options;
* it calls a function that reads files, URLs or server state, or runs SQL given as text
  (:mod:`workbench.platform.policy`), or a function the parser does not know and that is not on
  the allow-list;
* it reads a table that is not a platform table (or a name defined by its own ``WITH``): system
  catalogues, other databases and DuckDB's file-name "tables" (``FROM 'x.csv'``) are refused;
* it has control characters other than tab and line ends anywhere, or characters outside ASCII
  anywhere but in string literals, quoted names and comments (full-width or look-alike keywords,
  zero-width or no-break spaces), or positional parameters (``?``, ``$1``: use ``:name``).

What is sent to the database is not the text as typed but SQL written back from the checked tree
(:attr:`Checked.sql`): comments dropped, binds as ``:name``, and the functions that make values
grow (``repeat``, ``lpad``, ``rpad``) capped at ``max_value`` characters. So the database runs
what the guard read. The engine is the second wall (:mod:`workbench.platform.walls`): DuckDB's
own parser reads the exact text sent and must find one read-only query calling no refused
function, on a connection with file access and configuration locked; PostgreSQL gets each
statement alone through the extended protocol, as a role that can only SELECT.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Collection
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from workbench.errors import WorkbenchError
from workbench.platform import policy
from workbench.platform.schema import metadata

MAX_SQL_CHARS = 200_000

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
    """What the guard learned about an accepted statement, and the SQL to send for it."""

    kind: str  # "select" or "explain"
    tables: frozenset[str]
    functions: frozenset[str]
    sql: str = ""  # written back from the checked tree: what the database must run
    #: the checked query as sent (the one explained, for EXPLAIN; binds as ``:name``); shared
    #: between callers: copy it before changing it. None when a test hook stands in for the guard.
    query: exp.Expression | None = field(default=None, compare=False, repr=False)


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
    # sqlglot logs a warning when it falls back to a generic "Command" (EXPLAIN is one).
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


def _tokens(sql_text: str, dialect: str | None) -> list:
    try:
        return sqlglot.Dialect.get_or_raise(dialect).tokenize(sql_text)
    except (TokenError, ValueError) as exc:
        raise QueryRefused(f"cannot read the statement: {_shown(str(exc), 80)}") from None


def _check_characters(sql_text: str, dialect: str | None) -> None:
    for ch in sql_text:  # \f and \v included: engines disagree on where they end a comment
        if (ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 0x7F:
            raise QueryRefused(f"control character U+{ord(ch):04X} in the statement")
    if sql_text.isascii():
        return
    # Non-ASCII is fine inside strings, quoted names and comments, nowhere else (full-width
    # keywords, zero-width or no-break spaces: the database may read them differently).
    quoted: Counter[str] = Counter()
    for tok in _tokens(sql_text, dialect):
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


def _parse(sql_text: str, dialect: str | None) -> list[exp.Expression]:
    try:
        with _quiet_sqlglot():
            parsed = sqlglot.parse(sql_text, read=dialect)
        return [s for s in parsed if isinstance(s, exp.Expression)]
    except (ParseError, TokenError) as exc:
        raise QueryRefused(f"cannot parse the statement: {syntax_error(exc)}") from None


def _one(statements: list[exp.Expression]) -> exp.Expression:
    if not statements:
        raise QueryRefused("the statement is empty")
    if len(statements) > 1:
        raise QueryRefused(f"{len(statements)} statements given; run exactly one statement")
    return statements[0]


_EXPLAIN_OPTIONS = ("ANALYZE", "ANALYSE", "VERBOSE", "(")


def _explained(root: exp.Command, dialect: str | None) -> exp.Expression:
    """The one query a plain ``EXPLAIN <query>`` explains (sqlglot keeps the rest as text)."""
    rest = root.expression.name if isinstance(root.expression, exp.Literal) else ""
    toks = _tokens(rest, dialect)
    if not toks:
        raise QueryRefused("EXPLAIN needs a query to explain")
    if toks[0].text.upper() in _EXPLAIN_OPTIONS:
        raise QueryRefused(
            "only a plain EXPLAIN <query> is allowed: EXPLAIN ANALYZE runs the statement, "
            "and options are refused"
        )
    inner = _one(_parse(rest, dialect))
    if not isinstance(inner, exp.Query) or isinstance(inner, exp.Subquery):
        raise QueryRefused("EXPLAIN may only explain one query (SELECT, WITH, VALUES)")
    return inner


def _root(sql_text: str, dialect: str | None) -> tuple[str, exp.Expression]:
    root = _one(_parse(sql_text, dialect))
    if isinstance(root, exp.Command) and str(root.this).upper() == "EXPLAIN":
        return "explain", _explained(root, dialect)
    if not isinstance(root, (exp.Select, exp.SetOperation, exp.Values, exp.Subquery)):
        known = isinstance(root, exp.Command) or type(root).__name__ in _FORBIDDEN_NODES
        label = _statement_label(root) if known else type(root).__name__.upper()
        raise QueryRefused(
            f"{label} is not allowed: only read-only queries "
            "(SELECT, WITH, VALUES, EXPLAIN) may run"
        )
    return "select", root


#: Functions whose result can be far longer than their arguments: capped in what is sent.
_GROWING = (exp.Repeat, exp.Pad)


def _check_tree(root: exp.Expression, allowed: frozenset[str]) -> tuple[set[str], set[str]]:
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
        if isinstance(node, exp.Parameter) or (
            isinstance(node, exp.Placeholder) and not _bind_name(node)
        ):
            raise QueryRefused("positional parameters are not allowed; bind values as :name")
        if isinstance(node, _GROWING) and any(
            isinstance(inner, _GROWING)
            for arg in node.args.values()
            if isinstance(arg, exp.Expression)
            for inner in arg.walk()
        ):
            raise QueryRefused(
                "repeat/lpad/rpad of a value made by repeat/lpad/rpad is not allowed"
            )
        if isinstance(node, exp.Func):
            name = _function_name(node)
            if policy.denied(name):
                raise QueryRefused(policy.refusal(name))
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


def _bind_name(node: exp.Placeholder) -> str | None:
    name = node.name
    return name if name and (name[0].isalpha() or name[0] == "_") else None


def _at_most(n: exp.Expression, limit: exp.Expression) -> exp.Expression:
    """``n`` but never above ``limit``; NULL stays NULL (LEAST would skip it)."""
    capped = exp.If(this=exp.GT(this=n.copy(), expression=limit.copy()), true=limit.copy(), false=n)
    return exp.cast(capped, "INT")


def _written_back(
    query: exp.Expression, dialect: str | None, max_value: int | None
) -> tuple[exp.Expression, str]:
    """``query`` as the database must run it, and its SQL: binds as ``:name``, comments dropped
    and the value-growing functions capped (a copy: the cached tree is left alone)."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and _bind_name(node):
            return exp.var(f":{node.name}")
        if max_value is None:
            return node
        cap = exp.Literal.number(max_value)
        if isinstance(node, exp.Repeat):  # at most max_value characters however long `this` is
            length = exp.Length(this=node.this.copy())
            per = exp.If(
                this=exp.GT(this=length, expression=exp.Literal.number(1)),
                true=exp.Div(this=cap, expression=length.copy()),
                false=cap.copy(),
            )
            node.set("times", _at_most(node.args["times"], exp.cast(per, "BIGINT")))
        elif isinstance(node, exp.Pad):
            node.set("expression", _at_most(node.args["expression"], cap))
        return node

    tree = query.copy().transform(rewrite)
    return tree, tree.sql(dialect=dialect, comments=False)


def check(
    sql_text: str,
    dialect: str | None = "duckdb",
    tables: Collection[str] | None = None,
    *,
    max_value: int | None = None,
) -> Checked:
    """Accept ``sql_text`` (one read-only query) or raise :class:`QueryRefused` with the reason.

    ``dialect`` is sqlglot's name (``duckdb``, ``postgres``; see :func:`sqlglot_dialect`);
    ``tables`` the names that may be read (default: the platform tables); ``max_value`` caps
    the values ``repeat``/``lpad``/``rpad`` can make, in characters (None: no cap).
    """
    allowed = frozenset(t.lower() for t in tables) if tables is not None else platform_tables()
    return _check_cached(sql_text, dialect, allowed, max_value)


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
def _check_cached(
    sql_text: str, dialect: str | None, allowed: frozenset[str], max_value: int | None
) -> Checked:
    if not isinstance(sql_text, str) or not sql_text.strip():
        raise QueryRefused("the statement is empty")
    if len(sql_text) > MAX_SQL_CHARS:
        raise QueryRefused(f"the statement is longer than {MAX_SQL_CHARS:,} characters")
    _check_characters(sql_text, dialect)
    kind, query = _root(sql_text, dialect)
    found_tables, functions = _check_tree(query, allowed)
    tree, body = _written_back(query, dialect, max_value)
    if kind == "explain" and body.lstrip().startswith("("):
        raise QueryRefused("EXPLAIN may only explain a query that does not start with '('")
    sent = f"EXPLAIN {body}" if kind == "explain" else body
    return Checked(kind, frozenset(found_tables), frozenset(functions), sent, tree)
