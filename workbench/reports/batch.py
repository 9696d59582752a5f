"""Investigation reports: the report notebook executed with Papermill, one case at a time or in
batches (``wb.reports``).

* :func:`run` executes ``notebooks/reports/case_report.ipynb`` for one case into
  ``<home>/cases/<ID>/reports/<UTC timestamp>.ipynb`` (``-<audience>`` is added for audiences
  other than ``internal``), exports HTML with no code next to it (plotly.js embedded once, so it
  opens offline), records both files as evidence items of the case and the run in the audit log.
* :func:`run_many` runs many reports in parallel worker processes. Starting a kernel and
  importing pandas/plotly/the workbench dominates a report's cost, so each worker keeps one warm
  kernel with the modules imported and runs report after report in it (its namespace is reset
  in between; a kernel that died or timed out is replaced). A failing report keeps its output
  notebook with the error cell and is returned with its error; the others go on.
* Timeouts: Papermill's ``execution_timeout`` per cell, a watchdog that kills the kernel when the
  whole report passes ``timeout``, and the batch parent kills a worker's whole process group
  when it does not answer within ``timeout`` plus a grace period.
* ``scheduler="tcp://HOST:PORT"`` sends the reports to a Dask distributed cluster instead; each
  Dask worker process keeps its own warm kernel and runs reports with Papermill. Workers need the
  same ``WORKBENCH_*`` settings (passed along with every task) and must see the case folders.
"""

from __future__ import annotations

import logging
import math
import multiprocessing as mp
import os
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from multiprocessing.connection import wait as wait_connections
from pathlib import Path
from typing import Any

from workbench import cases, config, resources
from workbench.config import settings
from workbench.errors import InputError, WorkbenchError
from workbench.evidence import items as evidence
from workbench.files import atomic_write
from workbench.ids import case_folder, validate_case_id
from workbench.platform.engine import dispose_all as dispose_platform
from workbench.reports.html import export_html, mark_stopped, scan_notebook
from workbench.reports.html import exporter as html_exporter
from workbench.reports.kernels import ENGINE_NAME, WarmKernel, register_engine
from workbench.reports.sections import check_audience, check_zone
from workbench.store import audit
from workbench.store import dispose_all as dispose_store
from workbench.store.anchors import anchoring
from workbench.times import parse_timestamp

DEFAULT_TIMEOUT = 600.0


def report_notebook() -> Path:
    """The parameterised report notebook (shipped ``notebooks/reports/case_report.ipynb``)."""
    return resources.path(resources.REPORT_NOTEBOOK)


_ENV_PREFIX = "WORKBENCH_"

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ReportResult:
    """What became of one report."""

    case_id: str
    audience: str
    ok: bool
    notebook: Path | None = None  # the executed notebook (kept on failure, with the error cell)
    html: Path | None = None  # the HTML export (successful reports only)
    error: str | None = None  # one line
    seconds: float = 0.0
    evidence: tuple[str, ...] = ()  # labels of the evidence items recorded (E0007, E0008)
    timed_out: bool = False
    worker: str = ""

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["notebook"] = str(self.notebook) if self.notebook else None
        d["html"] = str(self.html) if self.html else None
        d["evidence"] = list(self.evidence)
        return d


@dataclass(frozen=True)
class _Task:
    case_id: str
    audience: str
    as_of: str | None
    display_tz: str | None
    timeout: float


def _task(case_id: str, audience: str, as_of: Any, display_tz: Any, timeout: float) -> _Task:
    validate_case_id(case_id)
    check_audience(audience)
    when = None if as_of in (None, "") else parse_timestamp(as_of).astimezone(UTC).isoformat()
    tz = None if display_tz in (None, "") else check_zone(display_tz).key
    if not timeout or timeout <= 0:
        raise InputError(f"timeout must be a positive number of seconds, not {timeout!r}")
    return _Task(case_id, audience, when, tz, float(timeout))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    name = type(exc).__name__
    return f"{name}: {text[0]}" if text else name


# --------------------------------------------------------------------------- one report


def reports_dir(case_id: str) -> Path:
    return case_folder(settings().cases_dir, case_id) / "reports"


def _names(case_id: str, audience: str) -> tuple[Path, Path, str]:
    folder = reports_dir(case_id)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = stamp if audience == "internal" else f"{stamp}-{audience}"
    name, n = base, 1
    while (folder / f"{name}.ipynb").exists() or (folder / f".{name}.running.ipynb").exists():
        n += 1
        name = f"{base}-{n}"
    return folder / f".{name}.running.ipynb", folder / f"{name}.ipynb", stamp


def _case_exists(case_id: str) -> None:

    cases.get(case_id)  # NotFoundError for an unknown case


def _execute(
    task: _Task, kernel: WarmKernel, on_start: Callable[[Path, Path], None] | None = None
) -> ReportResult:
    """Run one report in ``kernel``; never raises for a report's own failure."""
    import papermill as pm
    from nbclient.exceptions import DeadKernelError

    t0 = time.monotonic()
    notebook: Path | None = None
    try:
        _case_exists(task.case_id)
        partial, final, stamp = _names(task.case_id, task.audience)
    except WorkbenchError as exc:
        return _finish(task, t0, ok=False, error=str(exc))
    register_engine()
    try:
        kernel.ensure_ready()
    except Exception as exc:
        return _finish(task, t0, ok=False, error=f"no kernel: {_one_line(exc)}")
    # The output notebook exists from the start, so even a report killed at once keeps one.
    atomic_write(partial, report_notebook().read_bytes())
    if on_start:
        on_start(partial, final)
    params = {
        "case_id": task.case_id,
        "audience": task.audience,
        "as_of": task.as_of,
        "display_tz": task.display_tz,
    }
    kernel.killed = False
    watchdog = threading.Timer(task.timeout, kernel.kill)
    watchdog.daemon = True
    error, timed_out = None, False
    watchdog.start()
    try:
        pm.execute_notebook(
            str(report_notebook()),
            str(partial),
            parameters=params,
            engine_name=ENGINE_NAME,
            km=kernel.km,
            kc=kernel.kc,
            kernel_name=kernel.kernel_name,
            execution_timeout=max(1, math.ceil(task.timeout)),
            progress_bar=False,
            log_output=False,
            report_mode=False,
        )
    except pm.PapermillExecutionError as exc:
        error = f"{exc.ename}: {str(exc.evalue).splitlines()[0] if exc.evalue else ''}".rstrip(": ")
    except (DeadKernelError, TimeoutError, RuntimeError) as exc:
        timed_out = kernel.killed or isinstance(exc, TimeoutError)
        error = (
            f"timed out after {task.timeout:g} s; the report was stopped"
            if timed_out
            else f"the kernel died: {_one_line(exc)}"
        )
    except Exception as exc:  # anything else is this report's failure, not the batch's
        error = _one_line(exc)
    finally:
        watchdog.cancel()
    if kernel.killed:  # whatever the kernel's death looked like from here, it was the watchdog
        timed_out, error = True, f"timed out after {task.timeout:g} s; the report was stopped"
    try:
        if timed_out or (error and "kernel died" in error):
            mark_stopped(partial, error or "stopped")
        if partial.exists() and error is None and task.audience != "internal":
            try:  # the exit scan, before the report appears under its name
                scan_notebook(partial, task.case_id, task.audience)
            except WorkbenchError as exc:
                partial.unlink(missing_ok=True)
                error = str(exc)
        if partial.exists():
            os.replace(partial, final)
            notebook = final
    finally:
        kernel.after_report(clean=error is None or not (timed_out or "kernel died" in error))
    if error is not None:
        return _finish(task, t0, ok=False, error=error, notebook=notebook, timed_out=timed_out)
    try:
        html = export_html(final, case_id=task.case_id, audience=task.audience)
        labels = _record_evidence(task, final, html, stamp)
    except Exception as exc:
        return _finish(task, t0, ok=False, error=f"export failed: {_one_line(exc)}", notebook=final)
    return _finish(task, t0, ok=True, notebook=final, html=html, evidence=labels)


def _finish(
    task: _Task,
    t0: float,
    *,
    ok: bool,
    error: str | None = None,
    notebook: Path | None = None,
    html: Path | None = None,
    evidence: tuple[str, ...] = (),
    timed_out: bool = False,
) -> ReportResult:
    res = ReportResult(
        task.case_id,
        task.audience,
        ok,
        notebook,
        html,
        error,
        round(time.monotonic() - t0, 3),
        evidence,
        timed_out,
        worker=f"pid {os.getpid()}",
    )
    try:
        _audit(res)
    except Exception as exc:  # the report exists either way; say loudly that the log missed it
        log.error(
            "report.run for %s could not be written to the audit log: %s",
            task.case_id,
            _one_line(exc),
        )
    return res


def _audit(res: ReportResult) -> None:
    outcome = "ok" if res.ok else ("timeout" if res.timed_out else "failed")
    try:
        case = validate_case_id(res.case_id)
    except WorkbenchError:
        case = None
    audit.record(
        "report.run",
        case=case,
        outcome=outcome,
        duration_ms=res.seconds * 1000,
        reason=res.error,
        details={
            "audience": res.audience,
            "notebook": res.notebook.name if res.notebook else None,
            "html": res.html.name if res.html else None,
            "evidence": list(res.evidence),
        },
    )


def _record_evidence(task: _Task, notebook: Path, html: Path, stamp: str) -> tuple[str, ...]:

    what = f"investigation report ({task.audience}) {stamp}"
    note = (
        f"Papermill run of {report_notebook().name}; as of {task.as_of or 'run time'}; "
        f"times in {task.display_tz or settings().tz_name}"
    )
    a = evidence.add_file(task.case_id, notebook, title=f"{what}: notebook", note=note)
    b = evidence.add_file(task.case_id, html, title=f"{what}: HTML", note=note)
    return (a.label, b.label)


# --------------------------------------------------------------------------- public API


def run(
    case_id: str,
    audience: str = "internal",
    as_of: Any = None,
    display_tz: Any = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> ReportResult:
    """Execute the report for one case here and now (starts one kernel) and return the result.

    A report that fails is returned with ``ok=False`` and its error (its notebook is kept);
    bad arguments raise :class:`~workbench.errors.InputError`, an unknown case
    :class:`~workbench.errors.NotFoundError`.
    """
    task = _task(case_id, audience, as_of, display_tz, timeout)
    _case_exists(task.case_id)
    kernel = WarmKernel().start()
    try:
        return _execute(task, kernel)
    finally:
        kernel.shutdown()


def run_many(
    case_ids: Iterable[str],
    workers: int = 2,
    timeout: float = DEFAULT_TIMEOUT,
    scheduler: str | None = None,
    *,
    audience: str = "internal",
    as_of: Any = None,
    display_tz: Any = None,
    progress: Callable[[ReportResult], None] | None = None,
) -> list[ReportResult]:
    """Reports for many cases in parallel; one :class:`ReportResult` per case, in input order.

    ``workers`` local processes (each with a warm kernel), or the Dask cluster at ``scheduler``
    (``tcp://HOST:PORT``). ``timeout`` bounds each report. ``progress`` is called once per
    finished report (in completion order).
    """
    ids = list(dict.fromkeys(case_ids))
    tasks = [_task(c, audience, as_of, display_tz, timeout) for c in ids]
    if not tasks:
        return []
    if not scheduler and (not isinstance(workers, int) or workers < 1):
        raise InputError(f"workers must be 1 or more, not {workers!r}")
    with anchoring():  # signed audit checkpoints every few minutes and at the end
        if scheduler:
            done = _run_dask(tasks, scheduler, progress)
        else:
            done = _run_pool(tasks, min(workers, len(tasks)), progress)
    return [done[t.case_id] for t in tasks]


def open_case_ids() -> list[str]:
    """Ids of every open case, oldest first."""
    return [c.case_id for c in reversed(cases.list_cases(open_only=True))]


def summary(results: Sequence[ReportResult]) -> str:
    """A short plain-text summary: counts, then one line per failed report."""
    ok = sum(r.ok for r in results)
    lines = [f"{ok} of {len(results)} report(s) written, {len(results) - ok} failed"]
    for r in results:
        if not r.ok:
            where = f" (notebook kept: {r.notebook})" if r.notebook else ""
            lines.append(f"  FAILED {r.case_id}: {r.error}{where}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- local pool


def _workbench_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIX)}


def _worker_main(conn: Any, env: dict[str, str]) -> None:
    """A pool worker: one warm kernel, then tasks from ``conn`` until told to stop."""
    os.setsid()  # our own process group: the parent can kill us and our kernel together
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    os.environ.update(env)

    config.settings(reload=True)
    import papermill  # noqa: F401  (pre-import and pre-build what every report needs)

    html_exporter()
    register_engine()

    try:
        kernel = WarmKernel().start()
    except Exception as exc:
        conn.send(("fatal", _one_line(exc)))
        return
    conn.send(("ready", os.getpid()))
    try:
        while True:
            try:
                task = conn.recv()
            except EOFError:
                break
            if task is None:
                break
            res = _execute(
                task,
                kernel,
                on_start=lambda p, f: conn.send(
                    ("started", str(p), str(f), kernel.pid, kernel._ipc_dir)
                ),
            )
            conn.send(("done", res))
    finally:
        kernel.shutdown()


@dataclass
class _Worker:
    proc: Any
    conn: Any
    ready: bool = False
    task: _Task | None = None
    started: float = 0.0
    paths: tuple[str, str] | None = None
    kernel_pid: int | None = None
    kernel_dir: str | None = None
    alive: bool = True

    def kill(self) -> None:
        """Kill the worker's process group and its kernel's (the kernel has its own session)."""
        for pid in (self.kernel_pid, self.proc.pid):
            if not pid:
                continue
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError, OSError):
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError, OSError):
                    pass
        self.proc.join(5)
        self.alive = False
        if self.kernel_dir:  # the killed worker could not remove its kernel's sockets
            shutil.rmtree(self.kernel_dir, ignore_errors=True)


def _grace(timeout: float) -> float:
    # Time for the kernel watchdog to act and for export/evidence after execution.
    return max(15.0, 0.25 * timeout)


def _run_pool(
    tasks: list[_Task], workers: int, progress: Callable[[ReportResult], None] | None
) -> dict[str, ReportResult]:
    ctx = mp.get_context("spawn")
    env = _workbench_env()
    pending = deque(tasks)
    done: dict[str, ReportResult] = {}
    failed_starts = 0

    def spawn() -> _Worker:
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=_worker_main, args=(child, env), daemon=True, name="workbench-report-worker"
        )
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def finish(res: ReportResult) -> None:
        done[res.case_id] = res
        if progress:
            progress(res)

    def fail_running(w: _Worker, error: str, timed_out: bool) -> None:
        task = w.task
        assert task is not None
        notebook = None
        if w.paths:
            partial, final = Path(w.paths[0]), Path(w.paths[1])
            if partial.exists():
                try:
                    mark_stopped(partial, error)
                except Exception:
                    pass
                os.replace(partial, final)
                notebook = final
        res = ReportResult(
            task.case_id,
            task.audience,
            False,
            notebook,
            None,
            error,
            round(time.monotonic() - w.started, 3),
            (),
            timed_out,
            worker=f"pid {w.proc.pid}",
        )
        try:
            _audit(res)
        except Exception:
            pass
        w.task = None
        finish(res)

    pool = [spawn() for _ in range(workers)]
    try:
        while len(done) < len(tasks):
            for w in pool:  # hand out work
                if w.alive and w.ready and w.task is None and pending:
                    w.task, w.started, w.paths = pending.popleft(), time.monotonic(), None
                    w.conn.send(w.task)
            live = [w for w in pool if w.alive]
            if not live:
                break
            waitables = [w.conn for w in live] + [w.proc.sentinel for w in live]
            for _ in wait_connections(waitables, timeout=0.5):
                pass
            now = time.monotonic()
            for i, w in enumerate(pool):
                if not w.alive:
                    continue
                died = False
                try:
                    while w.conn.poll():
                        msg = w.conn.recv()
                        if msg[0] == "ready":
                            w.ready = True
                        elif msg[0] == "started":
                            w.paths, w.kernel_pid, w.kernel_dir = (msg[1], msg[2]), msg[3], msg[4]
                        elif msg[0] == "done":
                            w.task = None
                            finish(msg[1])
                        elif msg[0] == "fatal":
                            failed_starts += 1
                            log.warning("report worker could not start a kernel: %s", msg[1])
                            died = True
                except (EOFError, OSError):
                    died = True
                if not died and not w.proc.is_alive():
                    died = True
                if w.task is not None and now - w.started > w.task.timeout + _grace(w.task.timeout):
                    w.kill()
                    fail_running(
                        w, f"timed out after {w.task.timeout:g} s; the worker was killed", True
                    )
                    died = True
                if died:
                    if w.alive:
                        w.kill()
                    if w.task is not None:
                        fail_running(w, "the report worker stopped unexpectedly", False)
                    if not w.ready:
                        failed_starts += 1
                    if pending and failed_starts < 2 * workers + 2:
                        pool[i] = spawn()
            if not any(w.alive for w in pool) and pending:
                break
        for task in list(pending):  # no worker could be started
            finish(
                ReportResult(
                    task.case_id,
                    task.audience,
                    False,
                    error="no report worker could start a kernel",
                )
            )
            pending.remove(task)
    finally:
        for w in pool:
            if w.alive:
                try:
                    w.conn.send(None)
                except (OSError, BrokenPipeError):
                    pass
        deadline = time.monotonic() + 20
        for w in pool:
            if w.alive:
                w.proc.join(max(0.1, deadline - time.monotonic()))
                if w.proc.is_alive():
                    w.kill()
    return done


# --------------------------------------------------------------------------- Dask

_dask_state = threading.local()


def _dask_report(task: _Task, env: dict[str, str]) -> ReportResult:
    """Run one report on a Dask worker, in this worker thread's warm kernel."""
    key = tuple(sorted(env.items()))
    kernel: WarmKernel | None = getattr(_dask_state, "kernel", None)
    if getattr(_dask_state, "env", None) != key:
        if kernel is not None:
            kernel.shutdown()
            kernel = None
        os.environ.update(env)
        for k in [k for k in os.environ if k.startswith(_ENV_PREFIX) and k not in env]:
            del os.environ[k]
        config.settings(reload=True)
        _dispose_engines()
        _dask_state.env = key
    if kernel is None or kernel.km is None:
        kernel = WarmKernel(env=dict(os.environ)).start()
        _dask_state.kernel = kernel
        if not _dask_kernels:
            import atexit

            atexit.register(_shutdown_dask_kernels)
        _dask_kernels.append(kernel)
    return _execute(task, kernel)


_dask_kernels: list[WarmKernel] = []


def _shutdown_dask_kernels() -> None:
    for kernel in _dask_kernels:
        kernel.shutdown()


def _dispose_engines() -> None:
    dispose_platform()
    dispose_store()


def _run_dask(
    tasks: list[_Task], scheduler: str, progress: Callable[[ReportResult], None] | None
) -> dict[str, ReportResult]:
    if not str(scheduler).startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise InputError(
            f"{scheduler!r} is not a Dask scheduler address",
            "use tcp://HOST:PORT (see `dask scheduler`)",
        )
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout=15, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise WorkbenchError(
            f"cannot reach the Dask scheduler at {scheduler}: {_one_line(exc)}",
            "start it with `dask scheduler` or check the address",
        ) from None
    env = _workbench_env()
    done: dict[str, ReportResult] = {}
    try:
        futures = {
            client.submit(
                _dask_report, t, env, pure=False, key=f"report-{t.case_id}-{os.urandom(4).hex()}"
            ): t
            for t in tasks
        }
        for fut in as_completed(list(futures), loop=client.loop):
            task = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # the worker itself failed (lost, killed)
                res = ReportResult(task.case_id, task.audience, False, error=_one_line(exc))
                try:
                    _audit(res)
                except Exception:
                    pass
            done[task.case_id] = res
            if progress:
                progress(res)
    finally:
        client.close()
    return done


__all__ = [
    "ReportResult",
    "run",
    "run_many",
    "open_case_ids",
    "summary",
    "export_html",
    "mark_stopped",
    "reports_dir",
    "WarmKernel",
    "report_notebook",
    "DEFAULT_TIMEOUT",
]
