"""``workbench timeline``: a case's (or subjects') merged timeline: the events, a summary, or
an export.

    workbench timeline ESC-2026-000123                       # events in time order
    workbench timeline ESC-2026-000123 --summary             # counts per source and kind
    workbench timeline ESC-2026-000123 --export tl.parquet --tz Europe/Berlin
    workbench timeline --subject 42 --subject 43 --start -30d --export tl.csv --format csv

Events print oldest first, times in the display zone, summaries cut to one line; at most
``--limit`` of them (say how many more there are).
"""

from __future__ import annotations

from typing import Any

import typer


def register(app: typer.Typer) -> None:
    @app.command("timeline")
    def timeline_cmd(
        case: str | None = typer.Argument(
            None, help="Case id (ESC-YYYY-NNNNNN); its subjects are used."
        ),
        subject: list[int] = typer.Option(
            [], "--subject", "-s", help="Platform user id (repeatable)."
        ),
        start: str | None = typer.Option(None, help="ISO-8601 with a zone, or relative like -30d."),
        end: str | None = typer.Option(None, help="ISO-8601 with a zone, or relative."),
        source: list[str] = typer.Option([], "--source", help="Only these sources (repeatable)."),
        kind: list[str] = typer.Option([], "--kind", help="Only these kinds (repeatable)."),
        text: str | None = typer.Option(None, help="Only events whose summary contains this."),
        tag: list[str] = typer.Option(
            [], "--tag", help="Only events with this annotation tag (needs a case)."
        ),
        export: str | None = typer.Option(
            None, "--export", help="Write the timeline to this file."
        ),
        format: str | None = typer.Option(
            None, "--format", help="csv or parquet (default: from the file name)."
        ),
        tz: str | None = typer.Option(
            None, "--tz", help="Display zone (IANA name; default WORKBENCH_TZ)."
        ),
        summary: bool = typer.Option(
            False, "--summary", help="Counts per source and kind instead of the events."
        ),
        limit: int = typer.Option(200, "--limit", help="Print at most this many events (0: all)."),
    ) -> None:
        """Merged timeline of a case or of subjects: the events in time order, --summary for
        counts, or --export to CSV/Parquet."""
        import pandas as pd

        from workbench import timeline
        from workbench.errors import InputError

        if case is None and not subject:
            raise InputError(
                "name a case or at least one --subject",
                "e.g. `workbench timeline ESC-2026-000123` or `--subject 42`",
            )
        kwargs: dict[str, Any] = dict(
            subjects=subject or None,
            case=case,
            start=start,
            end=end,
            sources=source or None,
            kinds=kind or None,
            text=text,
            tags=tag or None,
        )
        zone = timeline.zone(tz)
        if export:
            result = timeline.export(export, **kwargs, format=format, tz=zone)
            typer.echo(
                f"wrote {result.rows:,} events to {result.path} ({result.format}, "
                f"display zone {result.tz})"
            )
            return
        if format:
            raise InputError("--format only applies with --export", "add --export PATH")
        df = timeline.events(**kwargs)
        if df.empty:
            typer.echo("no events")
            return
        df = df.sort_values(["ts", "ref"], kind="stable").reset_index(drop=True)
        local = df["ts"].dt.tz_convert(zone.key)
        if summary:
            counts = (
                df.assign(local=local)
                .groupby(["source", "kind"], sort=True)
                .agg(events=("ref", "size"), first=("local", "min"), last=("local", "max"))
            )
            typer.echo(f"{len(df):,} events, times in {zone.key}")
            for (src, knd), row in counts.iterrows():
                typer.echo(
                    f"  {src:<16} {knd:<24} {row['events']:>8,}  "
                    f"{row['first']:%Y-%m-%d %H:%M %Z} .. {row['last']:%Y-%m-%d %H:%M %Z}"
                )
            return
        shown = df if not limit else df.head(limit)
        typer.echo(f"{len(df):,} events, oldest first, times in {zone.key}")
        for i, row in shown.iterrows():
            who = "" if pd.isna(row["subject"]) else f"user {int(row['subject'])}"
            text = " ".join(str(row["summary"] or "").split())
            text = text if len(text) <= 90 else text[:89] + "…"
            typer.echo(
                f"{local[i]:%Y-%m-%d %H:%M:%S}  {row['source']:<15} {row['kind']:<22} "
                f"{who:<11} {text}"
            )
        if len(shown) < len(df):
            typer.echo(
                f"{len(shown)} of {len(df):,} events (--limit N, --limit 0 for all, --export)",
                err=True,
            )
