"""Pieces shared by the Voilà dashboards: number tiles, HTML tables with case links, figure
panes, and the hook that lets a preheated kernel wait for its page request.

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
.wb-state-breached{color:#c62828;font-weight:600}.wb-state-at_risk{color:#ef6c00;font-weight:600}
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


class FigurePane(w.Output):
    """An output area that shows one plotly figure (through Jupyter's plotly renderer), replaced
    on every update; lighter in the browser than a FigureWidget per chart."""

    def show(self, fig) -> None:
        self.clear_output(wait=True)
        with self:
            fig.show(renderer="plotly_mimetype", config={"displaylogo": False})


def error_box(message: str) -> str:
    return f"<div class='wb-error' role='alert'>{html.escape(message)}</div>"


def request_query() -> str:
    """The page's query string. In a preheated Voilà kernel this waits for the page request
    (the notebook ran up to here before anyone asked); elsewhere it returns at once."""
    from voila.utils import get_query_string  # outside Voilà (nbval) it returns at once

    return get_query_string() or os.environ.get("QUERY_STRING", "")


def when_requested() -> None:
    """In a preheated Voilà kernel, wait for the page request; elsewhere return at once."""
    from voila.utils import wait_for_request

    wait_for_request()


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
    timer = threading.Timer(
        delay, attempt, args=(lambda fn, arg: loop.call_soon_threadsafe(guarded, fn, arg),)
    )
    timer.name, timer.daemon = "dashboard-refresh", True
    timer.start()
