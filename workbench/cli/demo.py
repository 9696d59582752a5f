"""``workbench demo``: the demo platform (generator arrives with the foundation work)."""
from __future__ import annotations

import typer

app = typer.Typer(help="Demo platform data.", no_args_is_help=True)
