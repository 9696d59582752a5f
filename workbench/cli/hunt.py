"""``workbench hunt``: look across the whole platform for rings and coordinated reporting."""

from __future__ import annotations

import typer

from workbench.cli.output import check_format, emit, format_option

app = typer.Typer(help="Platform-wide hunts: rings, coordinated reporting.", no_args_is_help=True)


@app.command("rings")
def rings_command(
    since: str | None = typer.Option(
        None, help="Only clusters with a member active since (ISO date or -30d)."
    ),
    min_size: int = typer.Option(3, "--min-size", help="Smallest cluster shown."),
    min_score: float | None = typer.Option(
        None, "--min-score", help="Lowest risk shown (default 9; 0 shows households too)."
    ),
    min_weight: float = typer.Option(
        0.05, "--min-weight", help="Links weighing less are too common to count."
    ),
    top: int | None = typer.Option(None, help="Show (and file) only the best N clusters."),
    open_cases: bool = typer.Option(
        False, "--open-cases", help="File one case per new cluster (idempotent)."
    ),
    fmt: str = format_option(),
) -> None:
    """Cluster accounts linked by rare devices, IPs, payment instruments, photos and message
    templates, riskiest first, each with its link reasons; the result is saved for the views."""
    from workbench.hunt import filing, risk, sweep

    check_format(fmt)
    result = sweep.rings(
        since=since,
        min_size=min_size,
        min_weight=min_weight,
        min_score=risk.MIN_SCORE if min_score is None else min_score,
    )
    if top is not None:
        result.clusters = result.clusters[: max(0, top)]
    result.save()
    df = result.table()
    emit(df, fmt, empty="no clusters found")
    typer.echo(
        f"{len(result.clusters)} clusters ({result.below_min_score} more scored below the "
        f"minimum) from {result.edges:,} links in {result.seconds:.1f} s",
        err=True,
    )
    if open_cases:
        filed = filing.open_cases(result)
        for cluster_id, case_id in filed.filed.items():
            related = filed.related.get(case_id) or []
            extra = f", related to {', '.join(related)}" if related else ""
            typer.echo(f"filed {case_id} for {cluster_id}{extra}", err=True)
        typer.echo(
            f"cases: {len(filed.filed)} filed, {len(filed.existing)} clusters already had one",
            err=True,
        )


@app.command("reports")
def reports_command(
    mark: bool = typer.Option(False, "--mark", help="Record what is found on the cases."),
    fmt: str = format_option(),
) -> None:
    """Check every open case's subjects for coordinated reporting (a burst of reports from
    reporters linked to each other); with --mark, mark the cases where it is found."""
    import pandas as pd

    from workbench import cases
    from workbench.hunt import coordinated

    check_format(fmt)
    rows = []
    for case in cases.list_cases(open_only=True):
        found = (
            coordinated.mark_case(case.case_id)
            if mark
            else next(
                (
                    f
                    for f in (coordinated.check(u, case=case.case_id) for u in case.subjects)
                    if f.detected
                ),
                None,
            )
        )
        if found is not None:
            rows.append(
                {
                    "case_id": case.case_id,
                    "subject": found.user_id,
                    "burst_reports": found.burst_reports,
                    "linked_reporters": found.linked_reporters,
                    "window_start": found.window_start,
                    "window_end": found.window_end,
                    "reasons": ", ".join(found.reasons),
                }
            )
    emit(pd.DataFrame(rows), fmt, empty="no coordinated reporting found on open cases")


def register(app_: typer.Typer) -> None:
    app_.add_typer(app, name="hunt")
