"""The ``workbench`` command: a thin shell over the core modules.

Each command group lives in its own module here and is registered below. Commands import the
core inside their own function, so that ``workbench --help`` (and every command) starts without
loading pandas, DuckDB or Jupyter first. Errors the user can
fix (:class:`~workbench.errors.WorkbenchError`) are printed as one line, with no traceback,
and set the exit code.
"""

from __future__ import annotations

import sys

import typer

from workbench.errors import WorkbenchError

app = typer.Typer(
    help="T&S Investigation Workbench.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    # Each module defines ``app`` (a group) or ``register(app)`` (commands at the top level).
    from workbench.cli import (
        case,
        db,
        demo,
        evidence,
        filing,
        hunt,
        query,
        report,
        serve,
        timeline,
    )

    app.add_typer(demo.app, name="demo")
    app.add_typer(db.app, name="db")
    app.add_typer(case.app, name="case")
    app.add_typer(filing.app, name="filing")
    for module in (serve, timeline, evidence, report, query, hunt):
        module.register(app)


_register()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    try:
        # Without standalone mode click returns typer.Exit's code instead of exiting.
        result = app(args=argv, standalone_mode=False)
    except WorkbenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except Exception as exc:  # click usage errors and the like
        import click

        # typer >= 0.29 vendors click: its usage errors are typer.TyperException, not click's
        if isinstance(exc, (click.ClickException, typer.TyperException)) and hasattr(exc, "show"):
            exc.show()
            return exc.exit_code
        raise
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())
