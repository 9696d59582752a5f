"""Serving the workbench: JupyterLab for specialists, Voilà dashboards for leads.

Two servers, started together by ``workbench serve`` and stopped together:

* **JupyterLab** on the workbench home (case notebooks at ``cases/<ID>/investigation.ipynb``;
  the project's ``notebooks/`` folder is linked in beside them).
* **Voilà**, standalone, on ``notebooks/dashboards`` (``leads``, ``oncall`` and ``case``).
  Voilà runs as its own server rather than as a JupyterLab extension because only the standalone
  server keeps *preheated kernels*: each dashboard has a kernel that has already imported the
  workbench and loaded the numbers, so a lead's page appears without waiting for a kernel.

Both bind to localhost by default and require the same random token (``?token=...`` once; the
browser then holds a cookie). Voilà strips the code, hides tracebacks from the browser and
culls idle kernels; JupyterLab culls idle kernels too. Kernels inherit this process's
environment, so the dashboards see the same WORKBENCH_HOME and store URLs.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from workbench import resources
from workbench.config import Settings
from workbench.errors import WorkbenchError
from workbench.store.anchors import anchoring

APPS = ("leads", "oncall", "case")


def dashboards_dir() -> Path:
    """The Voilà apps: the shipped ``notebooks/dashboards``."""
    return resources.path(resources.DASHBOARDS)


def voila_templates_dir() -> Path:
    """What ``JUPYTER_PATH`` needs for Voilà to find the ``workbench`` template (no CDN links):
    the folder holding ``voila/templates/workbench``."""
    return resources.path(resources.VOILA).parent


def voila_config_dir() -> Path:
    """What ``JUPYTER_CONFIG_PATH`` needs for Voilà's ``voila.py`` (the page hook)."""
    return resources.path(resources.VOILA)


CULL_IDLE_S = 3600  # an idle kernel (nobody executing) is shut down after an hour
CULL_INTERVAL_S = 300
# Voilà cannot shut down a closed page's kernel when the token is on (its beacon lacks the
# _xsrf field: voila-dashboards/voila#1458), so its kernels are culled sooner once no page is
# connected; an open page keeps its kernel (culling skips connected kernels).
VOILA_CULL_IDLE_S = 600
VOILA_CULL_INTERVAL_S = 60


@dataclass(frozen=True)
class ServePlan:
    """The command lines of both servers and the URLs to print."""

    lab_command: list[str]
    voila_command: list[str]
    lab_url: str
    voila_base: str
    token: str
    env: dict[str, str] = field(repr=False, default_factory=dict)

    def app_url(self, app: str, query: str = "", token: bool = True) -> str:
        """The URL of one dashboard (``leads``, ``oncall``, ``case``), with the token if asked."""
        parts = [p for p in (query, f"token={self.token}" if token else "") if p]
        return f"{self.voila_base}/voila/render/{app}.ipynb" + (
            "?" + "&".join(parts) if parts else ""
        )


def free_port(start: int = 8888, host: str = "127.0.0.1", *, skip: tuple[int, ...] = ()) -> int:
    """The first port from ``start`` that nothing listens on (and not in ``skip``)."""
    for port in range(start, start + 100):
        if port in skip:
            continue
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    raise WorkbenchError(f"no free port in {start}-{start + 99}", "pass --port")


def _root_flag() -> list[str]:
    # containers and CI run as root; Jupyter refuses that by default
    return ["--allow-root"] if os.geteuid() == 0 else []


def voila_command(
    *,
    host: str,
    port: int,
    token: str,
    root: Path | None = None,
    preheat: bool = True,
    pool_size: int = 1,
) -> list[str]:
    """The Voilà command line: token auth, no sources, no tracebacks, our template (nothing
    fetched from a CDN), preheated, culled. Needs :func:`kernel_env`'s JUPYTER_PATH."""
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(root or dashboards_dir()),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={port}",
        "--Voila.port_retries=0",
        f"--token={token}",
        "--VoilaConfiguration.template=workbench",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={VOILA_CULL_IDLE_S}",
        f"--MappingKernelManager.cull_interval={VOILA_CULL_INTERVAL_S}",
    ]
    if preheat and pool_size > 0:
        cmd += [
            "--VoilaConfiguration.preheat_kernel=True",
            f"--VoilaConfiguration.default_pool_size={pool_size}",
            # refill the pool a little after a page took its kernel, so the new kernel's
            # start-up does not compete with that page's first render on a small machine
            "--VoilaKernelManager.fill_delay=5",
        ]
    return cmd


def lab_command(settings: Settings, *, host: str, port: int, token: str) -> list[str]:
    """The JupyterLab command line on the workbench home: token auth, idle kernels culled."""
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={settings.home}",
        f"--IdentityProvider.token={token}",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        *_root_flag(),
    ]


def _link_notebooks(settings: Settings) -> None:
    notebooks = resources.path(resources.DASHBOARDS).parent
    link = settings.home / "notebooks"
    if notebooks.is_dir() and not link.exists() and not link.is_symlink():
        link.symlink_to(notebooks, target_is_directory=True)


def kernel_env(settings: Settings) -> dict[str, str]:
    """The environment both servers (and so every kernel) run with. JUPYTER_PATH lets Voilà
    find the ``workbench`` template; JUPYTER_CONFIG_PATH its ``voila.py`` (each page loads only
    the extensions it needs), ahead of, not instead of, the user's and the site's config."""

    def first(path: Path, var: str) -> str:
        return os.pathsep.join(p for p in (str(path), os.environ.get(var)) if p)

    return {
        **os.environ,
        "WORKBENCH_HOME": str(settings.home),
        "PYTHONUNBUFFERED": "1",
        "JUPYTER_PATH": first(voila_templates_dir(), "JUPYTER_PATH"),
        "JUPYTER_CONFIG_PATH": first(voila_config_dir(), "JUPYTER_CONFIG_PATH"),
    }


def plan(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    voila_port: int | None = None,
    token: str | None = None,
    preheat: bool = True,
    pool_size: int = 1,
) -> ServePlan:
    """Both command lines for these settings (one token for both servers)."""
    token = token or secrets.token_urlsafe(24)
    port = port or free_port(8888, host)
    voila_port = voila_port or free_port(8866, host, skip=(port,))
    if voila_port == port:
        raise WorkbenchError(
            f"JupyterLab and Voilà cannot share port {port}", "give --voila-port a different port"
        )
    _link_notebooks(settings)
    shown = f"[{host}]" if ":" in host else host
    return ServePlan(
        lab_command(settings, host=host, port=port, token=token),
        voila_command(
            host=host, port=voila_port, token=token, preheat=preheat, pool_size=pool_size
        ),
        f"http://{shown}:{port}/lab?token={token}",
        f"http://{shown}:{voila_port}",
        token,
        kernel_env(settings),
    )


def wait_until_up(
    url: str,
    proc: subprocess.Popen | None = None,
    timeout: float = 120,
    *,
    token: str | None = None,
) -> None:
    """Block until ``url`` answers HTTP; raise if the process dies or time runs out.

    With ``token`` the answer must accept it: a 401/403 then means another server (with
    another token) holds the port, which is an error rather than "up".
    """
    if token:
        url += ("&" if "?" in url else "?") + f"token={token}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise WorkbenchError(
                f"the server exited with code {proc.returncode} before it was up",
                "see its log above",
            )
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError as exc:
            if token and exc.code in (401, 403):
                raise WorkbenchError(
                    f"{url.split('?')[0]} is answered by another server that refuses our token",
                    "choose a free port",
                ) from None
            return  # it answered (a redirect to the login page, say)
        except OSError:
            time.sleep(0.3)
    raise WorkbenchError(
        f"{url.split('?')[0]} did not answer within {timeout:.0f} s", "see the server log"
    )


def start(command: list[str], env: dict[str, str], *, log: Path | None = None) -> subprocess.Popen:
    """Start one server in its own process group (so stopping it stops its kernels too)."""
    out = open(log, "ab") if log else None  # noqa: SIM115 - the child keeps it open
    return subprocess.Popen(
        command,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT if out else None,
        start_new_session=True,
        cwd=env.get("WORKBENCH_HOME"),
    )


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a server started by :func:`start`: SIGTERM, then SIGKILL to its group if it lingers."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def run(p: ServePlan) -> int:
    """Run both servers until Ctrl-C or until one of them exits; returns an exit code."""
    procs = [start(p.lab_command, p.env), start(p.voila_command, p.env)]
    try:
        with anchoring():  # signed audit checkpoints every few minutes and at the end
            while all(pr.poll() is None for pr in procs):
                time.sleep(0.5)
            return next(pr.returncode for pr in procs if pr.returncode is not None) or 0
    except KeyboardInterrupt:
        return 0
    finally:
        for pr in procs:
            stop(pr)
