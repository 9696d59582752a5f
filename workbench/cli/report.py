"""``workbench report``: the investigation report of one case, or of every open case in batch."""

from __future__ import annotations

import sys

import typer

from workbench.errors import InputError


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report_cmd(
        case: str | None = typer.Argument(
            None, metavar="[CASE]", help="Case id (ESC-YYYY-NNNNNN)."
        ),
        all_open: bool = typer.Option(False, "--all-open", help="Report on every open case."),
        audience: str = typer.Option(
            "internal", "--audience", "-a", help="internal, legal, law_enforcement or external."
        ),
        as_of: str | None = typer.Option(
            None, "--as-of", help="Compute SLA state as of this time (ISO-8601)."
        ),
        tz: str | None = typer.Option(None, "--tz", help="Display time zone (IANA name)."),
        workers: int = typer.Option(
            2, "--workers", "-w", min=1, help="Parallel worker processes (batch)."
        ),
        timeout: float = typer.Option(600.0, "--timeout", help="Seconds allowed per report."),
        scheduler: str | None = typer.Option(
            None, "--scheduler", help="Dask scheduler tcp://HOST:PORT (batch)."
        ),
        no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
    ) -> None:
        """Execute the report notebook with Papermill and export HTML with no code.

        Files go to <home>/cases/<CASE>/reports/; both are recorded as evidence of the case.
        The exit code is non-zero if any report failed.
        """
        import time

        from workbench import reports

        started = time.monotonic()
        if all_open == (case is not None):
            raise InputError("give either a CASE or --all-open", "see `workbench report --help`")
        if case is not None:
            res = reports.run(case, audience=audience, as_of=as_of, display_tz=tz, timeout=timeout)
            _show(res)
            _total(started)
            raise typer.Exit(0 if res.ok else 1)
        ids = reports.open_case_ids()
        if not ids:
            typer.echo("no open cases")
            return
        bar = None
        if not no_progress:
            from tqdm import tqdm

            bar = tqdm(total=len(ids), unit="report", desc="reports", file=sys.stderr)

        failures = 0

        def progress(res) -> None:
            nonlocal failures
            failures += not res.ok
            if bar is not None:
                bar.update(1)
                bar.set_postfix(failed=failures, refresh=True)

        try:
            results = reports.run_many(
                ids,
                workers=workers,
                timeout=timeout,
                scheduler=scheduler,
                audience=audience,
                as_of=as_of,
                display_tz=tz,
                progress=progress,
            )
        finally:
            if bar is not None:
                bar.close()
        typer.echo(reports.summary(results))
        _total(started)
        raise typer.Exit(0 if all(r.ok for r in results) else 1)


def _total(started: float) -> None:
    import time

    typer.echo(f"total {time.monotonic() - started:.1f} s (kernel start and export included)")


def _show(res) -> None:
    if res.ok:
        typer.echo(f"{res.case_id}: report written in {res.seconds:.1f} s")
        typer.echo(f"  notebook {res.notebook}")
        typer.echo(f"  html     {res.html}")
        typer.echo(f"  evidence {', '.join(res.evidence)}")
    else:
        where = f" (notebook kept: {res.notebook})" if res.notebook else ""
        typer.echo(f"FAILED {res.case_id}: {res.error}{where}", err=True)
