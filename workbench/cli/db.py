"""``workbench db``: the case store's schema."""

from __future__ import annotations

import typer

app = typer.Typer(help="Case store schema (Alembic migrations).", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Bring the case store's schema up to date (safe to run any time)."""
    from workbench.config import safe_url, settings
    from workbench.store import cases_engine
    from workbench.store.migrate import current
    from workbench.store.migrate import upgrade as do_upgrade

    s = settings()
    engine = cases_engine(s)  # opening a store already applies what it lacks
    applied = do_upgrade(engine)
    typer.echo(
        f"case store {safe_url(s.cases_url)}: at {', '.join(sorted(current(engine)))}"
        + (f" (applied {', '.join(applied)})" if applied else " (current)")
    )
