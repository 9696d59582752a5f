"""``workbench serve``: JupyterLab for specialists, on localhost with a token."""
from __future__ import annotations

import os
import subprocess

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(host: str = typer.Option("127.0.0.1", help="Interface to bind (localhost by default)."),
              port: int = typer.Option(0, help="Port (0: the first free one from 8888)."),
              ) -> None:
        """Serve JupyterLab on the workbench home with token auth; prints the URL."""
        from ..config import settings
        from ..serve import plan

        p = plan(settings(), host=host, port=port or None)
        typer.echo("JupyterLab (specialists; the Voilà dashboards are not built yet):")
        typer.echo(f"  {p.lab_url}")
        typer.echo("Press Ctrl-C to stop.")
        env = {**os.environ, "WORKBENCH_HOME": str(settings().home)}
        try:
            raise typer.Exit(subprocess.call(p.command, env=env))
        except KeyboardInterrupt:
            raise typer.Exit(0) from None
