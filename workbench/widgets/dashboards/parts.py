"""Pieces shared by the Voilà dashboards: number tiles, HTML tables with case links, and the hook that lets a preheated kernel wait for its page request.

Thin: no numbers are computed here; :mod:`workbench.dashboards` does that.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import ipywidgets as w
import pandas as pd

from workbench.config import settings
from workbench.errors import WorkbenchError

T = TypeVar("T")

CASE_APP = "case.ipynb"  # relative: the dashboards are served side by side by Voilà
STYLE = """<style>
.wb-kpis{display:flex;flex-wrap:wrap;gap:10px;margin:6px 0}
.wb-kpi{border:1px solid #d0d7de;border-radius:6px;padding:6px 12px;min-width:110px}
.wb-kpi-value{font-size:24px;font-weight:600}
.wb-kpi-label{font-size:12px;color:#57606a}
.wb-kpi.bad .wb-kpi-value{color:#c62828}.wb-kpi.warn .wb-kpi-value{color:#ef6c00}
table.wb-table{border-collapse:collapse;font-size:13px;margin:4px 0}
table.wb-table th,table.wb-table td{border-bottom:1px solid #eaeef2;padding:3px 8px;text-align:left}
table.wb-table th{background:#f6f8fa}
.wb-state-breached{color:#fff;background:#c62828;font-weight:600;border-radius:4px;padding:0 5px}
.wb-state-at_risk{color:#fff;background:#ef6c00;font-weight:600;border-radius:4px;padding:0 5px}
a[data-case]{color:#0969da;text-decoration:underline;font-family:ui-monospace,monospace}
a[data-case]:hover{color:#0550ae}
.wb-note{color:#57606a;font-style:italic}
.wb-figure svg{max-width:100%;height:auto}
.wb-error{border:1px solid #c62828;background:#fdecea;color:#8e1b1b;padding:10px 14px;border-radius:6px}
</style>"""


def style() -> w.HTML:
    return w.HTML(STYLE)


def kpis(
    numbers: dict[str, object],
    labels: dict[str, str],
    bad: Sequence[str] = (),
    warn: Sequence[str] = (),
) -> str:
    """Number tiles; each carries ``data-kpi`` and ``data-value`` so tests can read them."""
    tiles = []
    for key, label in labels.items():
        value = numbers.get(key)
        shown = "—" if value is None or (isinstance(value, float) and pd.isna(value)) else value
        cls = "bad" if key in bad and value else "warn" if key in warn and value else ""
        tiles.append(
            f"<div class='wb-kpi {cls}' data-kpi='{html.escape(key)}' "
            f"data-value='{html.escape(str(shown))}'>"
            f"<div class='wb-kpi-value'>{html.escape(str(shown))}</div>"
            f"<div class='wb-kpi-label'>{html.escape(label)}</div></div>"
        )
    return f"<div class='wb-kpis'>{''.join(tiles)}</div>"


def case_link(case_id: str) -> str:
    cid = html.escape(str(case_id))
    return f"<a href='{CASE_APP}?case={cid}' target='_blank' data-case='{cid}'>{cid}</a>"


def _cell(value: object, col: str, tz: ZoneInfo) -> str:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ""
    if col in ("case_id",):
        return case_link(value)
    if col == "case_ids":
        return " ".join(case_link(v) for v in list(value)[:5]) + (" …" if len(value) > 5 else "")
    if col == "state":
        return f"<span class='wb-state-{html.escape(str(value))}'>{html.escape(str(value).replace('_', ' '))}</span>"
    if isinstance(value, (pd.Timestamp, datetime)):
        local = pd.Timestamp(value).tz_convert(tz.key)
        return html.escape(local.strftime("%Y-%m-%d %H:%M"))
    if isinstance(value, pd.Timedelta):
        hours = value.total_seconds() / 3600
        return html.escape(f"{hours:+.1f} h")
    return html.escape(str(value))


def table(
    df: pd.DataFrame,
    name: str,
    tz: ZoneInfo,
    *,
    max_rows: int = 25,
    empty: str = "Nothing to show.",
    headers: dict[str, str] | None = None,
) -> str:
    """An HTML table (escaped; case ids link to the case app), times in ``tz`` (named)."""
    if df is None or df.empty:
        return f"<p class='wb-note' data-table='{html.escape(name)}' data-rows='0'>{html.escape(empty)}</p>"
    headers = headers or {}
    cols = list(df.columns)
    times = any(isinstance(v, (pd.Timestamp, datetime)) for v in df.iloc[0].tolist())
    head = "".join(f"<th>{html.escape(headers.get(c, c.replace('_', ' ')))}</th>" for c in cols)
    body = []
    for _, row in df.head(max_rows).iterrows():
        body.append("<tr>" + "".join(f"<td>{_cell(row[c], c, tz)}</td>" for c in cols) + "</tr>")
    more = (
        f"<p class='wb-note'>{len(df) - max_rows} more not shown.</p>" if len(df) > max_rows else ""
    )
    zone = f"<p class='wb-note'>Times in {html.escape(tz.key)}.</p>" if times else ""
    return (
        f"<table class='wb-table' data-table='{html.escape(name)}' data-rows='{len(df)}'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}{zone}"
    )


def error_box(message: str) -> str:
    return f"<div class='wb-error' role='alert'>{html.escape(message)}</div>"


# How long a preheated kernel tries to reach Voilà for its page request: a busy 2-core server
# can take longer than Voilà's own 5 s to answer the kernel's websocket handshake.
CONNECT_S = 10.0
REQUEST_WAIT_S = 24 * 3600.0  # a pooled kernel may wait a long time for its page


def _ask_voila_for_the_request(deadline: float) -> dict[str, str] | None:
    """The page request's details (query string ...), from Voilà's ``/voila/query/<kernel>``
    websocket. Voilà's own helper gives up after one 5 s attempt, and the kernel then renders
    a page with no ``?case=``; this one retries until ``deadline`` (the server keeps the
    request for a late kernel: :func:`workbench.serve.pages.keep_request_info`)."""
    import asyncio
    import json
    import threading
    import time

    from voila.utils import ENV_VARIABLE

    env = os.environ
    base = env.get(ENV_VARIABLE.VOILA_WS_BASE_URL, env.get(ENV_VARIABLE.VOILA_SERVER_URL, "/"))
    url = (
        f"{env.get(ENV_VARIABLE.VOILA_WS_PROTOCOL, 'ws')}://"
        f"{env.get(ENV_VARIABLE.VOILA_APP_IP, '127.0.0.1')}:"
        f"{env.get(ENV_VARIABLE.VOILA_APP_PORT, '8866')}{base}voila/query/"
        f"{env.get(ENV_VARIABLE.VOILA_KERNEL_ID, '')}"
    )
    got: list[str] = []

    async def once() -> None:
        import websockets

        async with websockets.connect(url, open_timeout=CONNECT_S) as ws:
            got.append(str(await ws.recv()))

    def attempts() -> None:
        while not got and time.monotonic() < deadline:
            try:
                asyncio.run(once())
            except Exception:  # refused, timed out, dropped: try again, the server is busy
                time.sleep(0.5)

    worker = threading.Thread(target=attempts, name="voila-request", daemon=True)
    worker.start()
    worker.join()  # this cell waits here for its page, like voila.utils.wait_for_request
    return json.loads(got[0]) if got else None


def when_requested() -> None:
    """In a preheated Voilà kernel, wait for the page request (its details become environment
    variables, as Voilà does); elsewhere return at once."""
    import time

    from voila.utils import ENV_VARIABLE

    if os.environ.get(ENV_VARIABLE.VOILA_PREHEAT, "False") == "False":
        return
    info = _ask_voila_for_the_request(time.monotonic() + REQUEST_WAIT_S)
    for key, value in (info or {}).items():
        os.environ[key] = str(value)


def request_query() -> str:
    """The page's query string. In a preheated Voilà kernel this waits for the page request
    (the notebook ran up to here before anyone asked); elsewhere it returns at once."""
    when_requested()
    return os.environ.get("QUERY_STRING", "")


def _log_failure(err: BaseException) -> str:
    """Append the traceback of a dashboard failure to ``<home>/logs/dashboards.log``; returns
    the place to name. Not to the kernel's stderr: ipykernel sends that to the page. The
    exception's message is left out (it may quote data); its type and stack are kept."""
    import traceback

    stack = traceback.TracebackException.from_exception(err).stack
    text = "".join(stack.format()) + f"{type(err).__module__}.{type(err).__qualname__}\n"
    try:
        path = settings().home / "logs" / "dashboards.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now(UTC).isoformat()} dashboard refresh failed\n{text}")
    except OSError:
        return "the workbench log (which could not be written)"
    return "logs/dashboards.log in the workbench home"


# A page's first render needs the kernel and the server for about a second and a half after
# the request; work started in the background waits this long so as not to slow it down.
FIRST_RENDER_S = 2.0


def in_background(
    work: Callable[[], T],
    done: Callable[[T], None],
    failed: Callable[[str], None],
    *,
    delay: float = 0.0,
) -> None:
    """Run ``work()`` in a thread after ``delay`` seconds, then ``done(result)`` on the kernel's
    event loop (where widgets may be changed), or ``failed(message)`` if it raised. The
    kernel's main thread stays free meanwhile. Without a running loop (plain Python, nbval)
    everything runs at once."""
    import asyncio
    import threading

    def attempt(report) -> None:
        try:
            result = work()
        except WorkbenchError as err:
            report(failed, str(err))
            return
        except Exception as err:  # the browser gets one line, the team's log the traceback
            where = _log_failure(err)
            report(failed, f"could not reload the case store (details in {where})")
            return
        report(done, result)

    def guarded(fn: Callable, arg) -> None:  # on the loop: a failure here is logged too
        try:
            fn(arg)
        except Exception as err:
            if fn is failed:
                raise
            failed(f"could not show the reloaded numbers (details in {_log_failure(err)})")

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        attempt(guarded)
        return

    def on_loop(fn: Callable, arg) -> None:
        try:
            loop.call_soon_threadsafe(guarded, fn, arg)
        except RuntimeError:  # the loop is closed: the kernel (and its page) is gone
            pass

    timer = threading.Timer(delay, attempt, args=(on_loop,))
    timer.name, timer.daemon = "dashboard-refresh", True
    timer.start()
