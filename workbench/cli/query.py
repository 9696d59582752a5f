"""``workbench query list|show|run``, ``workbench sql`` and ``workbench audit verify|anchor|show``.

Results go to stdout (``--format table|csv|json``); notes (a cut result, a zone-less time read as
UTC) go to stderr. A refusal exits non-zero with its one-line reason.
"""

from __future__ import annotations

import re
import sys
import warnings

import pandas as pd
import typer

from workbench.cli.output import check_format, emit, format_option
from workbench.errors import InputError, WorkbenchError


class AuditTampered(WorkbenchError):
    """``workbench audit verify`` found a break in the chain (exit code 1)."""

    exit_code = 1


query_app = typer.Typer(help="The SQL query library.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log of queries and other acts.", no_args_is_help=True)


def _params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"-p {pair!r} is not key=value", "e.g. -p user_id=42 -p start=-7d")
        out[key.strip()] = value
    return out


def _emit(df: pd.DataFrame, fmt: str) -> None:
    emit(df, fmt)
    prov = df.attrs.get("provenance") or {}
    if prov:
        print(
            f"{prov['row_count']} rows in {prov['duration_ms']:.0f} ms, sha256 "
            f"{prov['result_sha256'][:16]}…, audit record {prov['audit_seq']}",
            file=sys.stderr,
        )


_NUMBER_RE = re.compile(r"^[+-]?\d+$")
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$")


def _guess(value: str):
    """An ad-hoc bind from the command line: whole numbers and decimals become numbers,
    ``a,b,c`` a list (for ``IN :name``); anything else stays text."""
    if "," in value:
        return [_guess(v.strip()) for v in value.split(",") if v.strip()]
    if _NUMBER_RE.match(value):
        return int(value)
    if _FLOAT_RE.match(value):
        return float(value)
    return value


def _run_noting(fn, *args, **kwargs) -> pd.DataFrame:
    from workbench.platform.engine import dispose_all

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = fn(*args, **kwargs)
    finally:
        dispose_all()  # close DuckDB before the interpreter exits
    for w in caught:
        print(f"note: {w.message}", file=sys.stderr)
    return df


@query_app.command("list")
def list_queries() -> None:
    """List the library's queries and their parameters (? = optional)."""
    from workbench.queries import library as queries

    df = queries.table()[["name", "params", "title"]]
    sys.stdout.write(df.to_string(index=False) + "\n")


@query_app.command("show")
def show(
    name: str = typer.Argument(..., help="query name"),
    dialect: str | None = typer.Option(
        None, help="render for duckdb or postgres (default: the platform's)"
    ),
) -> None:
    """Show a query: description, parameters, PII columns and its SQL (not run)."""
    from workbench.config import settings
    from workbench.queries import library as queries
    from workbench.queries.guard import sqlglot_dialect

    q = queries.get(name)
    target = dialect or sqlglot_dialect(settings().data_url.get_backend_name())
    print(f"{q.name}: {q.title}")
    if q.description:
        print(q.description)
    print("parameters:")
    for p in q.params:
        print(f"  {p.describe()}")
    print(f"tags: {', '.join(q.tags) or '-'}")
    print(f"pii columns: {', '.join(q.pii_columns) or '-'}")
    print(f"-- SQL ({target or 'as written'}):")
    print(q.render(target))


@query_app.command("run")
def run(
    name: str = typer.Argument(..., help="query name"),
    param: list[str] = typer.Option([], "-p", "--param", help="key=value (repeatable)"),
    case: str | None = typer.Option(None, "--case", help="case id, e.g. ESC-2026-000123"),
    fmt: str = format_option(),
    max_rows: int | None = typer.Option(None, "--max-rows", help="fetch at most this many rows"),
    timeout: float | None = typer.Option(None, "--timeout", help="seconds before cancelling"),
) -> None:
    """Run a library query (guarded, audited)."""
    from workbench.queries.run import query

    check_format(fmt)
    df = _run_noting(query, name, case=case, max_rows=max_rows, timeout=timeout, **_params(param))
    _emit(df, fmt)


def sql_command(
    statement: str = typer.Argument(..., help="one read-only SQL statement"),
    param: list[str] = typer.Option(
        [],
        "-p",
        "--param",
        help="key=value bind (repeatable); numbers are numbers, a,b,c is a list for IN :key",
    ),
    case: str | None = typer.Option(None, "--case", help="case id"),
    fmt: str = format_option(),
    max_rows: int | None = typer.Option(None, "--max-rows", help="fetch at most this many rows"),
    timeout: float | None = typer.Option(None, "--timeout", help="seconds before cancelling"),
) -> None:
    """Run ad-hoc read-only SQL behind the guard (audited); values as -p binds (:name)."""
    from workbench.queries.run import sql

    check_format(fmt)
    binds = {k: _guess(v) for k, v in _params(param).items()}
    df = _run_noting(sql, statement, case=case, max_rows=max_rows, timeout=timeout, **binds)
    _emit(df, fmt)


@audit_app.command("verify")
def verify(
    head: str | None = typer.Option(
        None, "--head", help="SEQ:HASH noted earlier (catches a cut-off tail)"
    ),
) -> None:
    """Check the hash chain against every signed checkpoint; names the first record that was
    edited, deleted, inserted, reordered or backdated, or that a checkpoint disagrees with."""
    from workbench.store import anchors, audit

    expected = []
    if head:
        seq, sep, digest = head.partition(":")
        if not sep or not seq.isdigit() or len(digest) != 64:
            raise InputError(
                f"--head {head!r} is not SEQ:HASH", "copy it from `workbench audit show --head`"
            )
        expected.append(audit.Expected(int(seq), digest))
    cps = anchors.checkpoints()
    expected += [
        audit.Expected(cp.seq, cp.hash, f"the record the checkpoint signed at {cp.at} holds")
        for cp in cps
    ]
    bad = audit.verify(expected=expected)
    if bad is not None:
        raise AuditTampered(
            str(bad),
            "the log was changed outside the workbench; keep a copy and tell the team lead",
        )
    last = audit.head()
    checked = f"; checked against {len(cps)} signed checkpoint(s)" if cps else "; no checkpoints"
    if last is None:
        print(f"ok: the audit log is empty{checked}")
    else:
        print(f"ok: {last[0]} records, chain intact{checked}; head {last[0]}:{last[1]}")


@audit_app.command("anchor")
def anchor_command(
    force: bool = typer.Option(False, "--force", help="Sign one even if the head is unchanged."),
) -> None:
    """Sign a checkpoint of the chain's head and append it outside the case store."""
    from workbench.store import anchors

    cp = anchors.anchor(force=force)
    if cp is None:
        print("nothing to anchor: the audit log is empty")
        return
    print(f"checkpoint: record {cp.seq} {cp.hash[:16]}… signed {cp.at} -> {anchors.anchor_file()}")


@audit_app.command("show")
def show_audit(
    case: str | None = typer.Option(None, "--case", help="only this case"),
    limit: int = typer.Option(50, "--limit", help="the newest N records"),
    fmt: str = format_option(),
    head: bool = typer.Option(False, "--head", help="print only SEQ:HASH of the last record"),
) -> None:
    """List audit records, oldest first (the newest --limit)."""
    from workbench.store import audit

    if head:
        last = audit.head()
        print(f"{last[0]}:{last[1]}" if last else "empty")
        return
    df = audit.records(case, limit=limit)
    cols = [
        "seq",
        "at",
        "identity",
        "analyst",
        "action",
        "case_id",
        "query_name",
        "outcome",
        "row_count",
        "duration_ms",
        "reason",
    ]
    if fmt == "table":
        df = df[cols].copy()
        df["reason"] = df["reason"].fillna("").str.slice(0, 60)
    _emit(df, fmt)


def register(app: typer.Typer) -> None:
    """Add ``query``, ``sql`` and ``audit`` to the ``workbench`` command."""
    app.add_typer(query_app, name="query")
    app.command("sql")(sql_command)
    app.add_typer(audit_app, name="audit")
