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
        new_token: bool = typer.Option(
            False, "--new-token", help="Rotate the login token (every existing login ends)."
        ),
    ) -> None:
        """Serve JupyterLab and the Voilà dashboards with token auth; prints the URLs once
        both answer. The token is kept in <home>/secrets, so bookmarks survive restarts."""
        from workbench.config import settings
        from workbench.demo.generate import outdated
        from workbench.serve import servers

        s = settings()
        stale = outdated(s.home)
        if stale:
            typer.echo(f"warning: {stale}", err=True)
        p = servers.plan(
            s,
            host=host,
            port=port or None,
            voila_port=voila_port or None,
            preheat=preheat,
            new_token=new_token,
        )
        if new_token:
            typer.echo("a new login token was made; old bookmarks and logins no longer work")
        typer.echo(f"starting JupyterLab and Voilà (logs in {p.logs}) …")
        raise typer.Exit(servers.run(p, on_ready=lambda plan: typer.echo(url_block(plan, s))))


def url_block(p, settings) -> str:
    """What ``serve`` prints once both servers answer: one block, every URL with the token, and
    the case app opened on the most urgent open case."""
    from workbench.serve.servers import most_urgent_case

    try:
        urgent = most_urgent_case(settings)
    except Exception:  # an unreadable store must not hide the URLs; the apps will say why
        urgent = None
    if urgent is not None:
        case_id, why = urgent
        case_line = f"  case app ({case_id}: {why}):\n    {p.app_url('case', f'case={case_id}')}"
    else:
        case_line = (
            f"  case app (no open case yet; ?case=ESC-YYYY-NNNNNN):\n    {p.app_url('case')}"
        )
    return "\n".join(
        [
            "",
            "The workbench is up.",
            "  JupyterLab (specialists: case notebooks; the file browser shows the cases):",
            f"    {p.lab_url}",
            "  Voilà dashboards (leads; no code on show):",
            f"    leads:   {p.app_url('leads')}",
            f"    on-call: {p.app_url('oncall')}",
            case_line,
            "The token is the same at every start (--new-token changes it); a browser needs it once.",
            f"Logs: {p.logs}. Press Ctrl-C to stop both servers.",
        ]
    )
