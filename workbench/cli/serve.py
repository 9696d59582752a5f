"""``workbench serve``: JupyterLab for specialists and the Voilà dashboards for leads."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Interface to bind (localhost by default)."),
        port: int = typer.Option(0, help="JupyterLab port (0: the first free one from 8888)."),
        voila_port: int = typer.Option(0, help="Voilà port (0: the first free one from 8866)."),
        preheat: bool = typer.Option(True, help="Keep a preheated kernel per dashboard."),
    ) -> None:
        """Serve JupyterLab and the Voilà dashboards with token auth; prints the URLs."""
        from workbench.config import settings
        from workbench.demo.generate import outdated
        from workbench.serve.servers import plan, run

        stale = outdated(settings().home)
        if stale:
            typer.echo(f"warning: {stale}", err=True)
        p = plan(
            settings(), host=host, port=port or None, voila_port=voila_port or None, preheat=preheat
        )
        typer.echo("JupyterLab (specialists: case notebooks):")
        typer.echo(f"  {p.lab_url}")
        typer.echo("Voilà dashboards (leads; no code on show):")
        typer.echo(f"  leads:   {p.app_url('leads')}")
        typer.echo(f"  on-call: {p.app_url('oncall')}")
        typer.echo(f"  case:    {p.app_url('case', 'case=ESC-YYYY-NNNNNN')}")
        typer.echo("The token is needed once per browser. Press Ctrl-C to stop.")
        raise typer.Exit(run(p))
