"""Serving the workbench: JupyterLab for specialists, Voilà dashboards for leads.

Two servers, started together by ``workbench serve`` and stopped together:

* **JupyterLab** on the workbench home (case notebooks at ``cases/<ID>/investigation.ipynb``;
  the project's ``notebooks/`` folder is linked in beside them).
* **Voilà**, standalone, on ``notebooks/dashboards`` (``leads``, ``oncall`` and ``case``).
  Voilà runs as its own server rather than as a JupyterLab extension because only the standalone
  server keeps *preheated kernels*: each dashboard has a kernel that has already imported the
  workbench and loaded the numbers, so a lead's page appears without waiting for a kernel.

Both bind to localhost by default and require one login token, kept in the home
(``<home>/secrets/serve-token.key``, mode 0600) so that bookmarks and logins survive restarts
(``--new-token`` rotates it, and the cookie secrets with it, so every old login ends). The token
never appears on a command line (other local users can read those): the servers read it from
``JUPYTER_TOKEN_FILE``. Voilà strips the code, hides tracebacks from the browser and culls idle
kernels; JupyterLab culls idle kernels too, runs no terminals, fetches no news and checks for no
updates, and its file browser shows the cases folder only (no platform data, ground truth, case
store or secrets). Kernels inherit this process's environment, so the dashboards see the same
WORKBENCH_HOME and store URLs.

:func:`run` prints nothing until both servers answer; their own logs go to
``<home>/logs/jupyterlab.log`` and ``voila.log``. SIGINT and SIGTERM stop both servers and every
kernel they started (descendants still alive after the servers are gone are ended too).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from workbench import keys, resources
from workbench.config import Settings
from workbench.errors import WorkbenchError
from workbench.store.anchors import anchoring

APPS = ("leads", "oncall", "case")
TOKEN_KEY = "serve-token"
LAB_COOKIE_KEY = "serve-lab-cookie"
VOILA_COOKIE_KEY = "serve-voila-cookie"
ENV_TOKEN_FILE = "JUPYTER_TOKEN_FILE"  # both servers read the token from this file


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


def lab_config_dir() -> Path:
    """What ``JUPYTER_CONFIG_PATH`` needs for JupyterLab's ``labconfig/page_config.json`` (no
    news prompt, no update check)."""
    return resources.path(resources.LAB)


CULL_IDLE_S = 3600  # an idle kernel (nobody executing) is shut down after an hour
CULL_INTERVAL_S = 300
# Voilà's kernels are shut down when their page closes (workbench.serve.pages sets the cookie
# the page's shutdown beacon needs); culling catches the rest, sooner than JupyterLab's. An open
# page keeps its kernel (culling skips connected kernels).
VOILA_CULL_IDLE_S = 600
VOILA_CULL_INTERVAL_S = 60
STOP_S = 15  # a server that has not exited this long after SIGTERM is killed
# Preheated kernels per dashboard. A lead drilling into case after case takes one case-app
# kernel per page, and warming one up (a kernel start and the imports) takes longer than reading
# a case at a glance: two keep the next one ready. The leads and on-call pages need one.
CASE_POOL = 2
# The pool refills this long after a page took its kernel: after that page's first render (its
# ~1.5 s must not compete with a kernel start on a small machine), well before the next page.
FILL_DELAY_S = 2


@dataclass(frozen=True)
class ServePlan:
    """The command lines of both servers, the URLs to print and where their logs go."""

    lab_command: list[str]
    voila_command: list[str]
    lab_url: str
    voila_base: str
    token: str
    env: dict[str, str] = field(repr=False, default_factory=dict)
    logs: Path | None = None

    @property
    def lab_base(self) -> str:
        return self.lab_url.split("/lab?")[0]

    def app_url(self, app: str, query: str = "", token: bool = True) -> str:
        """The URL of one dashboard (``leads``, ``oncall``, ``case``), with the token if asked."""
        parts = [p for p in (query, f"token={self.token}" if token else "") if p]
        return f"{self.voila_base}/voila/render/{app}.ipynb" + (
            "?" + "&".join(parts) if parts else ""
        )


def login_token(settings: Settings, *, new: bool = False) -> str:
    """The login token both servers require: 64 hex characters kept in
    ``<home>/secrets/serve-token.key`` (mode 0600), the same at every start. ``new=True``
    rotates it together with the servers' cookie secrets, so every existing login ends."""
    if new:
        for name in (TOKEN_KEY, LAB_COOKIE_KEY, VOILA_COOKIE_KEY):
            keys.key_path(name, settings).unlink(missing_ok=True)
    return keys.secret(TOKEN_KEY, settings).hex()


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
    root: Path | None = None,
    preheat: bool = True,
    pool_size: int = 1,
) -> list[str]:
    """The Voilà command line: no sources, no tracebacks, our template (nothing fetched from a
    CDN), preheated, culled. Needs :func:`kernel_env`: the token and the page hook come from
    there (``templates/voila/voila.py``), never from the command line."""
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(root or dashboards_dir()),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--VoilaConfiguration.template=workbench",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={VOILA_CULL_IDLE_S}",
        f"--MappingKernelManager.cull_interval={VOILA_CULL_INTERVAL_S}",
    ]
    if preheat and pool_size > 0:
        pools = {"case.ipynb": {"pool_size": max(pool_size, CASE_POOL)}}
        cmd += [
            "--VoilaConfiguration.preheat_kernel=True",
            f"--VoilaConfiguration.default_pool_size={pool_size}",
            f"--VoilaKernelManager.kernel_pools_config={json.dumps(pools)}",
            f"--VoilaKernelManager.fill_delay={FILL_DELAY_S}",
        ]
    return cmd


def lab_command(settings: Settings, *, host: str, port: int) -> list[str]:
    """The JupyterLab command line, rooted at the cases folder: idle kernels culled, no
    terminals, no news or update checks, the login cookie kept across restarts."""
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={settings.cases_dir}",
        "--ServerApp.terminals_enabled=False",
        f"--ServerApp.cookie_secret_file={keys.key_path(LAB_COOKIE_KEY, settings)}",
        "--LabApp.news_url=None",
        # the open tabs and layout belong to this home's cases, not to every home of the user
        f"--LabApp.workspaces_dir={settings.home / 'lab' / 'workspaces'}",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        *_root_flag(),
    ]


def kernel_env(settings: Settings) -> dict[str, str]:
    """The environment both servers (and so every kernel) run with. JUPYTER_PATH lets Voilà
    find the ``workbench`` template; JUPYTER_CONFIG_PATH its ``voila.py`` (the login token and
    cookie secret, the page hook), ahead of, not instead of, the user's and the site's config.
    ``ITABLES_CONFIG=""``: the results grid reads no itables.toml from wherever it runs."""

    def first(path: Path | list[Path], var: str) -> str:
        ours = [str(p) for p in (path if isinstance(path, list) else [path])]
        return os.pathsep.join(p for p in (*ours, os.environ.get(var)) if p)

    return {
        **os.environ,
        "WORKBENCH_HOME": str(settings.home),
        "PYTHONUNBUFFERED": "1",
        "JUPYTER_PATH": first(voila_templates_dir(), "JUPYTER_PATH"),
        "JUPYTER_CONFIG_PATH": first([voila_config_dir(), lab_config_dir()], "JUPYTER_CONFIG_PATH"),
        ENV_TOKEN_FILE: str(keys.key_path(TOKEN_KEY, settings)),
        "ITABLES_CONFIG": "",
    }


def plan(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    voila_port: int | None = None,
    preheat: bool = True,
    pool_size: int = 1,
    new_token: bool = False,
) -> ServePlan:
    """Both command lines for these settings (one login token for both servers)."""
    token = login_token(settings, new=new_token)
    keys.secret(LAB_COOKIE_KEY, settings)  # made now: JupyterLab reads it as a file
    port = port or free_port(8888, host)
    voila_port = voila_port or free_port(8866, host, skip=(port,))
    if voila_port == port:
        raise WorkbenchError(
            f"JupyterLab and Voilà cannot share port {port}", "give --voila-port a different port"
        )
    settings.cases_dir.mkdir(parents=True, exist_ok=True)
    shown = f"[{host}]" if ":" in host else host
    env = kernel_env(settings)
    if host not in ("0.0.0.0", "::", ""):
        # a preheated kernel asks Voilà for its page request here (Voilà assumes 127.0.0.1,
        # where nothing listens when --host names another interface)
        env["VOILA_APP_IP"] = f"[{host}]" if ":" in host else host
    return ServePlan(
        lab_command(settings, host=host, port=port),
        voila_command(host=host, port=voila_port, preheat=preheat, pool_size=pool_size),
        f"http://{shown}:{port}/lab?token={token}",
        f"http://{shown}:{voila_port}",
        token,
        env,
        settings.home / "logs",
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
                "see its log",
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
    """Start one server in its own process group, its output to ``log`` (appended)."""
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
    out = open(log, "ab") if log else None  # noqa: SIM115 - the child keeps it open
    try:
        return subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
            cwd=env.get("WORKBENCH_HOME"),
        )
    finally:
        if out is not None:
            out.close()  # the child has its own copy


def _descendants(proc: subprocess.Popen) -> list:
    import psutil

    try:
        return psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        return []


def wait_until_idle(proc: subprocess.Popen, limit: float = 300, busy_percent: float = 10) -> bool:
    """Wait until a server and its kernels use under ``busy_percent`` of a core for three
    seconds running (a Voilà pool then holds kernels that have run their notebook up to the
    page request); False if ``limit`` seconds passed first. For benchmarks and tests."""
    import psutil

    try:
        server = psutil.Process(proc.pid)
    except psutil.Error:
        return False
    deadline = time.monotonic() + limit
    quiet = 0
    while quiet < 3:
        if time.monotonic() > deadline:
            return False
        procs = [server, *_descendants(proc)]
        for p in procs:
            try:
                p.cpu_percent(None)
            except psutil.Error:
                pass
        time.sleep(1)
        busy = 0.0
        for p in procs:
            try:
                busy += p.cpu_percent(None)
            except psutil.Error:
                pass
        quiet = quiet + 1 if busy < busy_percent else 0
    return True


def stop(proc: subprocess.Popen, timeout: float = STOP_S) -> None:
    """Stop a server started by :func:`start` and everything it started: SIGTERM (it shuts its
    kernels down), then SIGKILL to its group if it lingers; kernels run in sessions of their
    own, so any still alive once the server is gone are ended too."""
    stop_all([proc], timeout)


def stop_all(procs: list[subprocess.Popen], timeout: float = STOP_S) -> None:
    """:func:`stop` for several servers at once (they shut down side by side)."""
    import psutil

    running = [p for p in procs if p.poll() is None]
    kids = [k for p in running for k in _descendants(p)]
    for p in running:
        try:
            p.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    for p in running:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(5)
    _, alive = psutil.wait_procs(kids, timeout=3)
    for k in alive:
        try:
            k.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=3)


class _Stop(Exception):
    """SIGINT or SIGTERM arrived: stop both servers."""


def run(p: ServePlan, on_ready: Callable[[ServePlan], None] | None = None) -> int:
    """Run both servers until SIGINT/SIGTERM or until one of them exits; returns an exit code.

    ``on_ready(plan)`` is called once both answer (the CLI prints the URLs then). The servers'
    output goes to ``<home>/logs/``; nothing of theirs reaches this terminal.
    """

    def stop_signal(signum, _frame):
        raise _Stop(signum)

    previous = {s: signal.signal(s, stop_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    procs: list[subprocess.Popen] = []
    names = ("JupyterLab", "Voilà")
    logs = [
        p.logs / "jupyterlab.log" if p.logs else None,
        p.logs / "voila.log" if p.logs else None,
    ]
    try:
        with anchoring():  # signed audit checkpoints at start, every few minutes, at the end
            procs.append(start(p.lab_command, p.env, log=logs[0]))
            procs.append(start(p.voila_command, p.env, log=logs[1]))
            for proc, url, name, log in zip(
                procs, (p.lab_base + "/api/status", p.voila_base + "/"), names, logs
            ):
                try:
                    wait_until_up(url, proc, timeout=180, token=p.token)
                except WorkbenchError as err:
                    raise WorkbenchError(f"{name}: {err.message}", f"see {log}") from None
            if on_ready is not None:
                on_ready(p)
            while all(pr.poll() is None for pr in procs):
                time.sleep(0.5)
            gone = next(i for i, pr in enumerate(procs) if pr.returncode is not None)
            raise WorkbenchError(
                f"{names[gone]} stopped (exit code {procs[gone].returncode})",
                f"see {logs[gone]}; the other server was stopped too",
            )
    except _Stop:
        return 0
    finally:
        # a second Ctrl-C while stopping must not leave orphans behind: ignore it meanwhile
        for s in previous:
            signal.signal(s, signal.SIG_IGN)
        try:
            stop_all(procs)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


def most_urgent_case(settings: Settings | None = None) -> tuple[str, str] | None:
    """The open case a lead should look at first (an SLA breached or at risk, most overdue
    first; else the highest priority, oldest), with a few words on why; None without open
    cases."""
    from workbench import dashboards

    snap = dashboards.load(settings)
    watch = dashboards.sla_watch(snap)
    if len(watch):
        row = watch.iloc[0]
        state = str(row["state"]).replace("_", " ")
        return str(row["case_id"]), f"{row['priority']}, {row['clock']} {state}"
    open_ = snap.open
    if open_.empty:
        return None
    row = open_.sort_values(["priority", "created_at"]).iloc[0]
    return str(row["case_id"]), f"{row['priority']}, open"
