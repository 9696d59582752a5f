"""``workbench case``: file, list, show, work and decide cases from the shell."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from workbench.cli.output import check_format, emit, format_option

app = typer.Typer(help="Cases: intake, lifecycle, notebooks, decisions.", no_args_is_help=True)

VERSION_HELP = "Refuse the change unless the case is still at this version (optimistic lock)."


def _fmt(ts: datetime | None) -> str:
    from workbench.cases.sla import show_time

    return show_time(ts)


@app.command("new")
def new(
    category: str = typer.Option(
        ..., "--category", "-c", help="Category from templates/decisions.yaml."
    ),
    subject: list[str] = typer.Option(
        ..., "--subject", "-s", help="Platform user id (repeatable; at least one)."
    ),
    priority: str | None = typer.Option(
        None, "--priority", "-p", help="P0..P3 (default: the category's)."
    ),
    source: str = typer.Option(
        "trust_safety", help="support, moderation, trust_safety, safety_compliance, legal, other."
    ),
    summary: str = typer.Option(..., help="What happened, in a sentence or two."),
    title: str | None = typer.Option(None, help="Short title (default: from the summary)."),
    external_id: str | None = typer.Option(None, "--external-id", help="Frontline ticket id."),
    reporter: list[str] = typer.Option(
        [], "--reporter", help="Reporter user id or reference (confidential; repeatable)."
    ),
    tag: list[str] = typer.Option([], "--tag", help="Tag (repeatable)."),
) -> None:
    """File a new case and print its id. Open cases that already have one of its subjects are
    named (on stderr) and related to it."""
    from workbench import cases
    from workbench.cases.intake import link_overlapping

    case = cases.create(
        category=category,
        priority=priority,
        source=source,
        summary=summary,
        title=title,
        subjects=subject,
        reporters=reporter,
        tags=tag,
        external_id=external_id,
    )
    typer.echo(case.case_id)
    for overlap in link_overlapping(case.case_id):
        typer.echo(f"note: {overlap}", err=True)


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="CSV or JSON export of the frontline queue."),
    strict: bool = typer.Option(False, help="Import nothing if any row is bad."),
) -> None:
    """Import a frontline export; bad rows are listed with their line; tickets already filed are skipped."""
    from workbench.cases.intake import import_file
    from workbench.errors import InputError

    res = import_file(file, strict=strict)
    verb = "would import" if strict and res.errors else "imported"
    typer.echo(
        f"{verb} {len(res.created) if not (strict and res.errors) else 0} case(s); "
        f"skipped {len(res.skipped)} already filed; {len(res.errors)} bad row(s)"
    )
    for line, ext in res.skipped:
        typer.echo(f"  skipped line {line}: ticket {ext} is already filed")
    for line, overlap in res.overlaps:
        typer.echo(f"  line {line}: {overlap}")
    for err in res.errors:
        typer.echo(f"  {err}", err=True)
    if res.errors:
        raise InputError(
            f"{len(res.errors)} bad row(s) in {file.name} were not imported",
            "fix them and import the file again (filed tickets are skipped)",
        )


@app.command("list")
def list_(
    status: list[str] = typer.Option([], "--status", help="Only these statuses (repeatable)."),
    category: str | None = typer.Option(None, help="Only this category."),
    priority: str | None = typer.Option(None, help="Only this priority."),
    assignee: str | None = typer.Option(None, help="Only cases assigned to this analyst."),
    mine: bool = typer.Option(False, help="Only my cases (WORKBENCH_ANALYST)."),
    open_: bool = typer.Option(False, "--open", help="Only open cases."),
    subject: int | None = typer.Option(None, help="Only cases about this user id."),
    limit: int = typer.Option(50, help="At most this many (0: all)."),
    all_: bool = typer.Option(False, "--all", help="Every matching case (no limit)."),
    format: str = format_option(),
) -> None:
    """List cases, newest first, with their SLA state (times in WORKBENCH_TZ). Says how many
    matched when it shows fewer."""
    from workbench import cases
    from workbench.cases.sla import clocks
    from workbench.config import settings

    check_format(format)
    filters: dict[str, Any] = dict(
        status=status or None,
        category=category,
        priority=priority,
        assignee=settings().analyst if mine else assignee,
        subject=subject,
        open_only=open_,
    )
    limit = 0 if all_ else limit
    found = cases.list_cases(**filters, limit=limit or None)
    total = cases.count_cases(**filters) if limit and len(found) >= limit else len(found)
    rows = []
    for c in found:
        st = clocks(c)
        rows.append(
            {
                "case_id": c.case_id,
                "status": c.status,
                "priority": c.priority,
                "category": c.category,
                "assignee": c.assignee or "",
                "subjects": " ".join(map(str, c.subjects)),
                "created": _fmt(c.created_at),
                "sla": st.worst,
                "resolution": st.resolution.countdown(),
                "title": c.title,
            }
        )
    import pandas as pd

    columns = [
        "case_id",
        "status",
        "priority",
        "category",
        "assignee",
        "subjects",
        "created",
        "sla",
        "resolution",
        "title",
    ]
    emit(
        pd.DataFrame(rows, columns=columns),
        format,
        empty="no cases",
        table=lambda df: df.to_string(index=False, max_colwidth=40),
    )
    if total > len(found):  # on stderr: `--format csv > file` stays data only
        typer.echo(
            f"{len(found)} of {total} cases, newest first (--all for every one, --limit N)",
            err=True,
        )


@app.command("show")
def show(
    case_id: str = typer.Argument(...),
    history: bool = typer.Option(True, help="Include the change log."),
    internal: bool = typer.Option(
        False, "--internal", help="Also show the confidential reporters (team-internal view only)."
    ),
    reason: str | None = typer.Option(
        None, "--reason", help="Why you need the reporters (with --internal; recorded)."
    ),
) -> None:
    """Show a case: fields, SLA clocks, decisions, notes and its change log."""
    from workbench import cases
    from workbench.cases import decisions, notes
    from workbench.cases.sla import clocks

    c = cases.get(case_id)
    st = clocks(c)
    out = [
        f"{c.case_id}  {c.title}",
        f"  status      {c.status} (next: {', '.join(c.allowed_statuses())})",
        f"  priority    {c.priority}    category {c.category}    source {c.source}",
        f"  assignee    {c.assignee or 'unassigned'}",
        f"  subjects    {' '.join(map(str, c.subjects)) or 'none'}",
        f"  related     {' '.join(c.related) or 'none'}",
        f"  tags        {', '.join(c.tags) or 'none'}",
        f"  external id {c.external_id or 'none'}",
        f"  created     {_fmt(c.created_at)} by {c.created_by}",
        f"  version     {c.version}",
    ]
    if c.summary:
        out.append(f"  summary     {c.summary}")
    for k, v in sorted(c.custom.items()):
        out.append(f"  {k:<11} {v}")
    out.append(
        f"  first response  {st.first_response.state}: {st.first_response.countdown()}"
        f" (due {_fmt(st.first_response.due)})"
    )
    out.append(
        f"  resolution      {st.resolution.state}: {st.resolution.countdown()}"
        f" (due {_fmt(st.resolution.due)})"
    )
    if st.preservation:
        out.append(
            f"  preservation    {st.preservation.state}: keep data until "
            f"{_fmt(st.preservation.due)}"
        )
    if internal:
        from workbench.cases.reporters import show_reporters

        reps = show_reporters(c.case_id, reason=reason)
        out.append(
            "  reporters   CONFIDENTIAL: "
            + (
                ", ".join(str(r.user_id) if r.user_id is not None else str(r.ref) for r in reps)
                or "none"
            )
        )
    for d in decisions.decisions(c.case_id):
        out.append(
            f"  decision    {_fmt(d.at)} {d.who}: {d.action} under {', '.join(d.clauses)}"
            f" — {d.rationale}"
        )
    for n in notes.notes(c.case_id):
        out.append(f"  note        {_fmt(n.at)} {n.author}: {n.body.splitlines()[0][:100]}")
    if history:
        out.append("  change log:")
        for ch in cases.history(c.case_id):
            what = f"{ch.field}: {ch.old!r} -> {ch.new!r}" if ch.field else ""
            why = f" (reason: {ch.reason})" if ch.reason else ""
            out.append(
                f"    v{ch.version:<3} {_fmt(ch.at)} {ch.who:<14} {ch.action:<7} {what}{why}"
            )
    typer.echo("\n".join(out))


@app.command("claim")
def claim(
    case_id: str, version: int | None = typer.Option(None, "--version", help=VERSION_HELP)
) -> None:
    """Take the case (you become its assignee)."""
    from workbench import cases

    c = cases.claim(case_id, expected_version=version)
    typer.echo(f"{c.case_id} claimed by {c.assignee} (version {c.version})")


@app.command("assign")
def assign(
    case_id: str,
    analyst: str,
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
) -> None:
    """Give the case to an analyst."""
    from workbench import cases

    c = cases.assign(case_id, analyst, expected_version=version)
    typer.echo(f"{c.case_id} assigned to {c.assignee} (version {c.version})")


@app.command("status")
def status(
    case_id: str,
    new_status: str = typer.Argument(..., metavar="STATUS"),
    reason: str | None = typer.Option(None, help="Why (required to reopen)."),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
) -> None:
    """Move the case to STATUS (new, triaged, investigating, waiting, closed)."""
    from workbench import cases

    c = cases.set_status(case_id, new_status, reason=reason, expected_version=version)
    typer.echo(f"{c.case_id} is {c.status} (version {c.version})")


@app.command("update")
def update_(
    case_id: str,
    title: str | None = typer.Option(None),
    summary: str | None = typer.Option(None),
    category: str | None = typer.Option(None),
    priority: str | None = typer.Option(None),
    source: str | None = typer.Option(None),
    tag: list[str] = typer.Option([], "--tag", help="Replace the tags (repeatable)."),
    field: list[str] = typer.Option(
        [], "--field", help="Custom field NAME=VALUE (repeatable; empty VALUE removes)."
    ),
    subject: list[str] = typer.Option([], "--subject", help="Add a subject user id (repeatable)."),
    related: list[str] = typer.Option([], "--related", help="Relate another case (repeatable)."),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
) -> None:
    """Change fields of a case; every change is logged."""
    from workbench import cases
    from workbench.errors import InputError

    fields: dict = {
        k: v
        for k, v in (
            ("title", title),
            ("summary", summary),
            ("category", category),
            ("priority", priority),
            ("source", source),
        )
        if v is not None
    }
    if tag:
        fields["tags"] = tag
    if field:
        custom = {}
        for f in field:
            if "=" not in f:
                raise InputError(f"--field {f!r} is not NAME=VALUE")
            k, v = f.split("=", 1)
            custom[k.strip()] = v if v != "" else None
        fields["custom"] = custom
    c = cases.get(case_id)
    ver = version if version is not None else c.version
    if fields:
        c = cases.update(case_id, expected_version=ver, **fields)
        ver = c.version
    if subject:
        c = cases.add_subjects(case_id, subject, expected_version=ver)
        ver = c.version
    for r in related:
        c = cases.link(case_id, r, expected_version=ver)
        ver = c.version
    typer.echo(f"{c.case_id} updated (version {c.version})")


@app.command("renew")
def renew(
    case_id: str, version: int | None = typer.Option(None, "--version", help=VERSION_HELP)
) -> None:
    """Renew a legal preservation deadline by 90 days."""
    from workbench import cases

    c = cases.renew_preservation(case_id, expected_version=version)
    typer.echo(f"{c.case_id}: keep data until {_fmt(c.preservation_due)}")


@app.command("open")
def open_(case_id: str) -> None:
    """Create (once) the case's investigation notebook; print its path and JupyterLab URL."""
    from workbench.cases.notebooks import open_case_notebook

    nb = open_case_notebook(case_id)
    typer.echo(f"{'created' if nb.created else 'exists'}: {nb.path}")
    typer.echo(nb.url)


@app.command("decide")
def decide(
    case_id: str,
    clause: list[str] = typer.Option(
        ..., "--clause", help="Policy clause (repeatable), e.g. CG-1.2."
    ),
    action: str = typer.Option(..., help="Enforcement action, e.g. permanent_ban, no_violation."),
    rationale: str = typer.Option(..., help="Why: what the evidence shows."),
    subject: list[str] = typer.Option([], "--subject", help="Only these subjects (default: all)."),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
) -> None:
    """Record the decision (clauses, action, rationale); the case becomes decided."""
    from workbench.cases.decisions import decide as do_decide

    d = do_decide(
        case_id,
        clauses=clause,
        action=action,
        rationale=rationale,
        subjects=[int(s) for s in subject] if subject else None,
        expected_version=version,
    )
    typer.echo(f"{d.case_id} decided: {d.action} under {', '.join(d.clauses)}")


@app.command("note")
def note(
    case_id: str,
    text: str | None = typer.Argument(None, help="Markdown text ('-' reads stdin)."),
    file: Path | None = typer.Option(None, "--file", help="Read the markdown from a file."),
) -> None:
    """Add a markdown note to a case."""
    from workbench.cases.notes import add_note
    from workbench.errors import InputError

    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {file}: {exc}".splitlines()[0]) from None
    elif text == "-":
        text = sys.stdin.read()
    n = add_note(case_id, text or "")
    typer.echo(f"note {n.id} added to {n.case_id}")


@app.command("precedents")
def precedents(
    clause: str,
    limit: int = typer.Option(20, help="At most this many cases."),
    format: str = format_option(),
) -> None:
    """How closed cases under CLAUSE were decided (for consistent, fair outcomes)."""
    from workbench.cases.decisions import precedent_summary
    from workbench.cases.decisions import precedents as find

    check_format(format)
    df = find(clause, limit=limit)
    if format != "table" or df.empty:
        emit(df, format, empty=f"no closed cases under {clause} yet")
        return
    summ = precedent_summary(clause)
    typer.echo(
        f"closed cases under {clause}: "
        + ", ".join(f"{r.action_title} {r.cases} ({r.share:.0%})" for r in summ.itertuples())
    )
    df = df.assign(decided_at=df["decided_at"].map(_fmt))
    typer.echo(
        df[["case_id", "category", "priority", "decided_at", "action", "rationale"]].to_string(
            index=False, max_colwidth=60
        )
    )


@app.command("demo")
def demo(
    cases_: int = typer.Option(
        300, "--cases", help="Historical cases to file besides the planted ones."
    ),
    seed: int = typer.Option(7, help="Random seed (same seed, same cases)."),
) -> None:
    """File the demo cases (planted scenarios + history) into the case store."""
    from workbench.config import settings
    from workbench.demo.cases import file_demo_cases
    from workbench.platform.engine import dispose_all

    try:
        res = file_demo_cases(settings(), n_history=cases_, seed=seed, progress=sys.stderr.isatty())
    finally:
        dispose_all()  # close DuckDB before exit
    typer.echo(
        f"filed {res.scenario_filed} planted-scenario case(s) and "
        f"{res.history_cases} historical case(s); {res.skipped} already there"
    )
