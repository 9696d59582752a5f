"""``workbench demo``: build the demo platform, or load it into PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from workbench.errors import InputError, NotFoundError

app = typer.Typer(help="Demo platform data.", no_args_is_help=True)


def _whole(name: str, raw: str) -> int:
    try:
        return int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        raise InputError(f"{name} must be a whole number, not {raw!r}") from None


def _anchor(raw: str | None) -> datetime | None:
    """An ISO date (midnight UTC) or date-time (zone-less means UTC)."""
    if raw is None:
        return None
    text = raw.strip()
    try:
        dt = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise InputError(
            f"--anchor {raw!r} is not an ISO date", "use e.g. 2026-11-01 or 2026-11-01T00:00Z"
        ) from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _home(home: Path | None) -> Path:
    if home is not None:
        return home
    from workbench.config import settings

    return settings().home


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


@app.command()
def generate(
    seed: str = typer.Option("7", help="Random seed: the same seed and anchor give the same data."),
    users: str = typer.Option("5000", help="How many members (200 to 2,000,000)."),
    home: Path | None = typer.Option(None, help="Folder to write to (default: WORKBENCH_HOME)."),
    anchor: str | None = typer.Option(
        None, help="Day the data ends (ISO date, UTC; default: today)."
    ),
    progress: bool = typer.Option(True, help="Show a progress bar."),
    cases: str = typer.Option(
        "300", help="Historical demo cases to file besides one case per planted scenario (0: none)."
    ),
) -> None:
    """Generate the demo platform (ordinary activity plus planted abuse scenarios) and file
    demo cases in the case store."""
    import os

    from workbench.config import ENV_HOME, load_settings
    from workbench.demo.cases import file_demo_cases
    from workbench.demo.generate import generate_demo

    n_cases = _whole("--cases", cases)
    if n_cases < 0:
        raise InputError(f"--cases must be 0 or more, not {n_cases}")
    res = generate_demo(
        _home(home),
        seed=_whole("--seed", seed),
        users=_whole("--users", users),
        anchor=_anchor(anchor),
        progress=progress,
    )
    counts = ", ".join(f"{t} {n:,}" for t, n in res.rows.items())
    typer.echo(
        f"demo platform: seed {res.seed}, anchor {res.anchor.date().isoformat()}, "
        f"built in {res.seconds:.1f} s"
    )
    typer.echo(f"rows: {counts}")
    typer.echo(
        f"wrote {res.db_path} ({_mb(res.db_bytes)}), media {_mb(res.media_bytes)}, "
        f"ground truth {res.home / 'ground_truth.json'}"
    )
    filed = file_demo_cases(
        load_settings({**os.environ, ENV_HOME: str(res.home)}),
        n_history=n_cases,
        seed=res.seed,
        progress=progress,
    )
    typer.echo(
        f"demo cases: filed {filed.scenario_filed} planted-scenario and "
        f"{filed.history_cases:,} historical cases"
        + (f" ({filed.skipped:,} were already in the case store)" if filed.skipped else "")
    )
    if filed.hunt_clusters is not None:
        typer.echo(
            f"hunt: {filed.hunt_clusters} clusters saved for the views (workbench hunt rings)"
        )


@app.command()
def load(
    url: str = typer.Option(..., help="PostgreSQL URL, e.g. postgresql://user@host/db"),
    home: Path | None = typer.Option(
        None, help="Folder holding platform.duckdb (default: WORKBENCH_HOME)."
    ),
    replace: bool = typer.Option(True, help="Drop and recreate the platform tables first."),
    reader: str = typer.Option(
        "workbench_reader", help="Login role made to read the platform (SELECT only)."
    ),
    reader_password: str | None = typer.Option(
        None, "--reader-password", help="Password for that role (default: none set)."
    ),
) -> None:
    """Load the generated demo platform into PostgreSQL (schema, data and indexes) and make the
    role the workbench reads it as (it refuses to read as one that could write)."""
    from sqlalchemy.engine import make_url

    from workbench.config import safe_url
    from workbench.demo.load import create_reader, load_into_postgres

    source = _home(home) / "platform.duckdb"
    if not source.is_file():
        raise NotFoundError(f"no demo platform at {source}", "run `workbench demo generate` first")
    counts = load_into_postgres(source, url, replace=replace)
    read_url = create_reader(url, reader, password=reader_password)
    try:
        shown = safe_url(make_url(url))
    except Exception:
        shown = "the database"
    typer.echo(f"loaded {sum(counts.values()):,} rows in {len(counts)} tables into {shown}")
    typer.echo(f"read it as the role {reader}: WORKBENCH_DATA_URL={safe_url(make_url(read_url))}")
