"""The on-call view: P0/P1 cases that are new or unclaimed (each with its SLA state: a breached
clock says so in a red badge), and clocks breaching within the hour. It reloads every minute
while the page is open. A thin view over :func:`workbench.dashboards.oncall`."""

from __future__ import annotations

import html
import time

import ipywidgets as w
import pandas as pd

from workbench import dashboards as dash
from workbench.widgets.dashboards.parts import (
    FIRST_RENDER_S,
    error_box,
    in_background,
    kpis,
    style,
    table,
)


class OnCallDashboard(w.VBox):
    """``OnCallDashboard()``; ``refresh()`` reloads the case store."""

    def __init__(self, now=None, within: str = "1h") -> None:
        self._now = now
        self.within = within
        self._loads = 0  # bumped by every reload shown; a background reload checks it
        self.status = w.HTML()
        self.numbers = w.HTML()
        self.unclaimed = w.HTML()
        self.due = w.HTML()
        self.holds = w.HTML()
        self.refresh_btn = w.Button(description="Refresh", icon="refresh")
        self.refresh_btn.on_click(lambda _: self.refresh())
        super().__init__(
            [
                style(),
                w.HTML("<h2 style='margin:4px 0'>On call: what needs attention now</h2>"),
                w.HBox([self.status, self.refresh_btn]),
                self.numbers,
                w.HTML("<h3>P0 and P1 cases that are new or unclaimed</h3>"),
                self.unclaimed,
                w.HTML(f"<h3>Breaching within {html.escape(within)}</h3>"),
                self.due,
                w.HTML("<h3>Preservation holds ending within 14 days</h3>"),
                self.holds,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        """Reload the case store and redraw."""
        self._show(self._views())

    def refresh_if_older_than(self, seconds: float) -> None:
        """A preheated kernel may have loaded its numbers a while ago: reload them if so, in
        the background once the page just opened has rendered (it shows the time the numbers
        are as of)."""
        if time.monotonic() - self.loaded_at > seconds:
            loads = self._loads

            def done(views: dict[str, str]) -> None:
                if self._loads == loads:  # else the Refresh button loaded newer numbers
                    self._show(views)

            in_background(
                self._views,
                done,
                lambda message: setattr(self.status, "value", error_box(message)),
                delay=FIRST_RENDER_S,
            )

    def refresh_every(self, seconds: float = 60.0) -> bool:
        """Reload the numbers every ``seconds`` while the page is open (the work runs off the
        kernel's main thread, as a background refresh does). Returns False, doing nothing,
        where no event loop runs (plain Python, nbval)."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        self.every = seconds

        def tick() -> None:
            loads = self._loads

            def done(views: dict[str, str]) -> None:
                if self._loads == loads:
                    self._show(views)

            in_background(
                self._views,
                done,
                lambda message: setattr(self.status, "value", error_box(message)),
            )
            self._timer = loop.call_later(seconds, tick)

        self._timer = loop.call_later(seconds, tick)
        self.status.value = self.status.value.replace("</span>", " · reloads every minute</span>")
        return True

    def _show(self, views: dict[str, str]) -> None:
        self.loaded_at = time.monotonic()
        self._loads += 1
        for name, value in views.items():  # the status line is last: it marks the page ready
            getattr(self, name).value = value

    def _views(self) -> dict[str, str]:
        """Load the store; the HTML of every view (widget attribute -> value)."""
        snap = dash.load(now=self._now)
        oc = dash.oncall(snap, self.within)
        shown = pd.Timestamp(snap.now).tz_convert(snap.tz.key).strftime("%Y-%m-%d %H:%M")
        return {
            "numbers": kpis(
                {"unclaimed": len(oc.unclaimed), "due_soon": len(oc.due_soon)},
                {
                    "unclaimed": "P0/P1 new or unclaimed",
                    "due_soon": f"breaching within {self.within}",
                },
                bad=("unclaimed", "due_soon"),
            ),
            "unclaimed": table(
                oc.unclaimed,
                "unclaimed",
                snap.tz,
                empty="Nothing urgent is waiting for an owner.",
                headers={
                    "waiting_h": "hours waiting",
                    "state": "SLA",
                    "clock": "clock",
                    "hours_left": "hours left (− over)",
                },
            ),
            "due": table(
                oc.due_soon, "due_soon", snap.tz, empty="No clock breaches within the window."
            ),
            "holds": table(
                oc.holds, "holds", snap.tz, empty="No preservation hold ends within 14 days."
            ),
            "status": (
                f"<span class='wb-ready' style='color:#57606a'>as of "
                f"{html.escape(shown)} ({html.escape(snap.tz.key)})"
                f"{' · reloads every minute' if getattr(self, 'every', None) else ''}</span>"
            ),
        }
