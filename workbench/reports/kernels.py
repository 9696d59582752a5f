"""Warm kernels for reports: starting a kernel and importing pandas, plotly and the workbench
costs more than a report, so a kernel imports everything once and runs report after report (its
namespace reset in between). :class:`WarmKernel` is that kernel; Papermill runs a notebook on it
through the ``workbench_warm`` engine.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
from typing import Any

KERNEL_NAME = "python3"
ENGINE_NAME = "workbench_warm"
#: Imported once per kernel so that every report after the first starts at once.
WARM_UP = (
    "import workbench, workbench.reports.sections, workbench.cases, workbench.evidence, "
    "workbench.evidence.redaction, workbench.content, workbench.timeline, "
    "workbench.timeline.figures, workbench.queries.run, workbench.replies, pandas, "
    "plotly.graph_objects, plotly.io\n"
    "plotly.io.to_html(plotly.graph_objects.Figure(plotly.graph_objects.Scatter(x=[1], y=[1])),"
    " include_plotlyjs=False, full_html=False)"
)
RESET = "get_ipython().run_line_magic('reset', '-f')\nimport gc; gc.collect()"
#: A kernel is replaced after this many reports, so that nothing accumulates for ever.
REPORTS_PER_KERNEL = 200


def register_engine() -> None:
    """Make the ``workbench_warm`` engine known to Papermill (once per process)."""
    if ENGINE_NAME in _registered:
        return
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmClient(PapermillNotebookClient):
        """Papermill's client on a running kernel: resets the namespace, then runs the cells."""

        def papermill_execute_cells(self):
            # Silent and outside the notebook: the output notebook shows only the report.
            msg_id = self.kc.execute(RESET, silent=True, store_history=False)
            self.wait_for_reply(msg_id)
            super().papermill_execute_cells()

    class WarmKernelEngine(NBClientEngine):
        """Papermill's nbclient engine on a kernel (and client) that is already running."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            km=None,
            kc=None,
            **kwargs,
        ):
            client = WarmClient(
                nb_man,
                km=km,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logging.getLogger("papermill"),
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client.kc = kc  # reuse the warm client: no channel start-up per report
            return client.execute()

    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
    _registered.add(ENGINE_NAME)


_registered: set[str] = set()


def _stop_channels(kc: Any) -> None:
    if kc is None:
        return
    try:
        kc.stop_channels()
    except Exception:  # a dead kernel's channels may already be gone
        pass


class WarmKernel:
    """One Jupyter kernel, started once with the report's modules imported, reused per report."""

    def __init__(self, kernel_name: str = KERNEL_NAME, env: dict[str, str] | None = None) -> None:
        self.kernel_name = kernel_name
        self.env = dict(os.environ if env is None else env)
        self.km: Any = None
        self.kc: Any = None
        self._ipc_dir: str | None = None
        self.reports = 0
        self.killed = False
        self.stale = False

    def start(self) -> WarmKernel:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        # IPC sockets in a private folder: local only, and no plain-TCP ports open per kernel.
        self._ipc_dir = tempfile.mkdtemp(prefix="wb-kernel-")
        self.km = AsyncKernelManager(
            kernel_name=self.kernel_name, transport="ipc", ip=os.path.join(self._ipc_dir, "k")
        )
        # In-memory history: many kernels must not contend for one IPython history database.
        run_sync(self.km.start_kernel)(
            env=self.env, extra_arguments=["--HistoryManager.hist_file=:memory:"]
        )
        import nbformat
        from nbclient import NotebookClient

        starter = NotebookClient(
            nbformat.v4.new_notebook(),
            km=self.km,
            kernel_name=self.kernel_name,
            startup_timeout=120,
        )
        self.kc = starter.start_new_kernel_client()
        self.killed = False
        self.stale = False
        self.reports = 0
        self.run_code(WARM_UP)
        return self

    def run_code(self, code: str, timeout: float = 120) -> None:
        """Execute ``code`` in the kernel (raises if it fails)."""
        import nbformat
        from nbclient import NotebookClient

        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        client = NotebookClient(nb, km=self.km, kernel_name=self.kernel_name, timeout=timeout)
        client.kc = self.kc
        client.execute()

    @property
    def pid(self) -> int | None:
        prov = getattr(self.km, "provisioner", None)
        return getattr(prov, "pid", None) if prov is not None else None

    def kill(self) -> None:
        """Kill the kernel's process group now (used by the watchdog; thread-safe)."""
        pid = self.pid
        self.killed = True
        if pid:
            for kill in (
                lambda: os.killpg(pid, signal.SIGKILL),
                lambda: os.kill(pid, signal.SIGKILL),
            ):
                try:
                    kill()
                    break
                except (ProcessLookupError, PermissionError, OSError):
                    continue

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return bool(self.km is not None and run_sync(self.km.is_alive)())
        except Exception:
            return False

    def after_report(self, clean: bool) -> None:
        """Keep the kernel for the next report (it resets itself), or mark it for replacement."""
        self.reports += 1
        if not clean or self.killed or self.reports >= REPORTS_PER_KERNEL:
            self.stale = True

    def ensure_ready(self) -> None:
        """Replace the kernel if the last report left it dead, killed or used up."""
        if self.km is None or self.stale or not self.alive():
            self.restart()

    def restart(self) -> None:
        self.shutdown()
        self.start()

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.km is None:
            return
        _stop_channels(self.kc)
        self.kc = None
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            self.kill()
        try:
            run_sync(self.km.cleanup_resources)()
        except Exception:
            pass
        self.km = None
        if self._ipc_dir:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None
