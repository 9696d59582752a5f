"""Serving the workbench: JupyterLab for specialists, on localhost with a token.

The server's root is WORKBENCH_HOME, so case notebooks are at ``cases/<ID>/investigation.ipynb``;
the project's ``notebooks/`` folder is linked in beside them.
"""
from __future__ import annotations

import os
import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ServePlan:
    command: list[str]
    lab_url: str
    token: str


def free_port(start: int = 8888, host: str = "127.0.0.1") -> int:
    """The first port from ``start`` that nothing listens on."""
    for port in range(start, start + 100):
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in {start}-{start + 99}")


def plan(settings: Settings, *, host: str = "127.0.0.1", port: int | None = None,
         token: str | None = None) -> ServePlan:
    """The JupyterLab command line for these settings (token auth on, idle kernels culled)."""
    token = token or secrets.token_urlsafe(24)
    port = port or free_port(host=host)
    notebooks = PROJECT_ROOT / "notebooks"
    link = settings.home / "notebooks"
    if notebooks.is_dir() and not link.exists() and not link.is_symlink():
        link.symlink_to(notebooks, target_is_directory=True)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
           f"--ServerApp.ip={host}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--ServerApp.root_dir={settings.home}",
           f"--IdentityProvider.token={token}",
           "--MappingKernelManager.cull_idle_timeout=3600",
           "--MappingKernelManager.cull_interval=300"]
    if os.geteuid() == 0:  # containers and CI run as root; Jupyter refuses that by default
        cmd.append("--allow-root")
    return ServePlan(cmd, f"http://{host}:{port}/lab?token={token}", token)
