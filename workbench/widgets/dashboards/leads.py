"""The leads' dashboard: queue, SLA, throughput, backlog age, trends, repeat subjects and the
enforcement-action mix, with filters that update every view. A thin view over
:mod:`workbench.dashboards`; every case id links to the case app.
"""

from __future__ import annotations

import html
import time

import ipywidgets as w
import pandas as pd

from workbench import dashboards as dash
from workbench.errors import WorkbenchError
from workbench.widgets.dashboards import charts
from workbench.widgets.dashboards.parts import (
    FIRST_RENDER_S,
    error_box,
    in_background,
    kpis,
    style,
    table,
)
from workbench.widgets.hunt import EmergingClusters

ALL = "all"
# every view the filters change (the status line last: it marks the page ready)
VIEWS = (
    "numbers",
    "queue_fig",
    "sla_table",
    "flow_fig",
    "people_table",
    "backlog_fig",
    "trend_fig",
    "repeat_table",
    "mix_fig",
    "holds_table",
)
KPI_LABELS = {
    "open": "open cases",
    "unclaimed": "unclaimed",
    "at_risk": "SLA at risk",
    "breached": "SLA breached",
    "resolved": "resolved",
    "median_resolution_h": "median hours to resolve",
    "cases": "cases in view",
}


def _dropdown(label: str, values: list[str]) -> w.Dropdown:
    return w.Dropdown(
        options=[ALL] + values,
        value=ALL,
        description=label,
        layout=w.Layout(width="230px"),
        style={"description_width": "70px"},
    )


class LeadsDashboard(w.VBox):
    """``LeadsDashboard()``: loads the case store now; ``refresh()`` reloads it."""

    def __init__(self, now=None, mask: bool = True) -> None:
        self._now = now
        self.mask = mask
        self._generation = 0  # bumped by every update; a background refresh checks it
        self._loads = 0  # bumped by every reload of the store; likewise
        self._use(dash.load(now=now))
        opts = dash.filter_options(self.snap)
        self.start = w.DatePicker(
            description="From", layout=w.Layout(width="230px"), style={"description_width": "70px"}
        )
        self.end = w.DatePicker(
            description="To", layout=w.Layout(width="230px"), style={"description_width": "70px"}
        )
        self.category = _dropdown("Category", opts["category"])
        self.priority = _dropdown("Priority", opts["priority"])
        self.team = _dropdown("Team", opts["team"])
        self.assignee = _dropdown("Assignee", opts["assignee"])
        self.refresh_btn = w.Button(
            description="Refresh", icon="refresh", layout=w.Layout(width="110px")
        )
        for ctl in (self.start, self.end, self.category, self.priority, self.team, self.assignee):
            ctl.observe(lambda _: self.update(), names="value")
        self.refresh_btn.on_click(lambda _: self.refresh())
        self.status = w.HTML()
        self.message = w.HTML()
        self.numbers = w.HTML()
        self.queue_fig = w.HTML()
        self.sla_table = w.HTML()
        self.flow_fig = w.HTML()
        self.people_table = w.HTML()
        self.backlog_fig = w.HTML()
        self.trend_fig = w.HTML()
        self.repeat_table = w.HTML()
        self.mix_fig = w.HTML()
        self.holds_table = w.HTML()
        self.emerging = EmergingClusters(days=7)

        def h(text: str) -> w.HTML:
            return w.HTML(f"<h3 style='margin:14px 0 2px'>{html.escape(text)}</h3>")

        filters = w.VBox(
            [
                w.HBox([self.start, self.end, self.refresh_btn]),
                w.HBox([self.category, self.priority, self.team, self.assignee]),
            ]
        )
        super().__init__(
            [
                style(),
                w.HTML("<h2 style='margin:4px 0'>Escalations: leads' dashboard</h2>"),
                self.status,
                filters,
                self.message,
                self.numbers,
                h("Queue"),
                self.queue_fig,
                h("SLA: at risk and breached, most urgent first"),
                self.sla_table,
                h("Throughput and time to resolution"),
                self.flow_fig,
                self.people_table,
                h("Backlog age"),
                self.backlog_fig,
                h("Category trends"),
                self.trend_fig,
                h("Repeat subjects (pseudonymous)"),
                self.repeat_table,
                h("Enforcement actions per policy clause"),
                self.mix_fig,
                h("Preservation holds ending within 14 days (every case, open or closed)"),
                self.holds_table,
                self.emerging,
            ]
        )
        self.update()

    # ------------------------------------------------------------------ state

    @property
    def filters(self) -> dash.Filters:
        def one(ctl: w.Dropdown) -> str | None:
            return None if ctl.value == ALL else ctl.value

        return dash.Filters(
            start=self.start.value,
            end=self.end.value,
            category=one(self.category),
            priority=one(self.priority),
            team=one(self.team),
            assignee=one(self.assignee),
        )

    def refresh(self) -> None:
        """Reload the case store (the figures follow)."""
        self._use(dash.load(now=self._now))
        self.update()

    def _use(self, snap: dash.Snapshot) -> None:
        self.snap, self.loaded_at = snap, time.monotonic()
        self._loads += 1

    def refresh_if_older_than(self, seconds: float) -> None:
        """A preheated kernel may have loaded its numbers a while ago (SLA clocks move): reload
        them if so, in the background once the page the lead just opened has rendered."""
        if time.monotonic() - self.loaded_at > seconds:
            self.refresh_in_background(delay=FIRST_RENDER_S)

    def refresh_in_background(self, delay: float = 0.0) -> None:
        """Reload the store and recompute every view off the kernel's main thread (after
        ``delay`` seconds), then show them; a filter changed meanwhile wins (the new numbers
        are recomputed for it)."""
        started, loads = self._generation, self._loads
        filters = self.filters

        def work():
            snap = dash.load(now=self._now)
            return snap, self._views(snap, filters)

        def done(result) -> None:
            if self._loads != loads:  # the Refresh button loaded newer numbers meanwhile
                return
            snap, views = result
            self._use(snap)
            if self._generation == started:
                self._show(views)
            else:
                self.update()

        def failed(message: str) -> None:
            self.message.value = error_box(message)

        in_background(work, done, failed, delay=delay)

    def update(self) -> None:
        """Recompute every view for the current filters."""
        self._generation += 1
        self._show(self._views(self.snap, self.filters))

    def _show(self, views: dict[str, str]) -> None:
        for name, value in views.items():  # the status line is last: it marks the page ready
            getattr(self, name).value = value

    def _views(self, snap: dash.Snapshot, filters: dash.Filters) -> dict[str, str]:
        """The HTML of every view (widget attribute -> value); no widget is touched here."""
        try:
            view = dash.apply_filters(snap, filters)
        except WorkbenchError as err:
            # no numbers rather than the last filter's numbers under a filter that is not valid
            cleared = dict.fromkeys(VIEWS, "")
            cleared["message"] = error_box(f"No numbers shown: {err}")
            cleared["status"] = (
                "<span class='wb-ready wb-invalid' data-cases='' style='color:#c62828'>"
                "the filters are not valid: fix them to see the numbers</span>"
            )
            return cleared
        tz = view.tz
        watch = dash.sla_watch(view)
        shown = pd.Timestamp(view.now).tz_convert(tz.key).strftime("%Y-%m-%d %H:%M")
        return {
            "message": "",
            "numbers": kpis(
                dash.headline(view), KPI_LABELS, bad=("breached",), warn=("at_risk", "unclaimed")
            ),
            "queue_fig": charts.queue(
                [
                    (f"by {by}", dash.queue(view, by))
                    for by in ("status", "priority", "category", "team")
                ]
            ),
            "sla_table": table(
                watch.drop(columns=["time_left"]),
                "sla",
                tz,
                max_rows=20,
                empty="No open case is at risk or breached.",
                headers={"hours_left": "hours left (− over)"},
            ),
            "flow_fig": charts.flow(dash.throughput(view, "week"), tz.key),
            "people_table": table(
                dash.specialists(view),
                "specialists",
                tz,
                empty="No specialist has open or resolved cases in this view.",
                headers={
                    "open": "open now",
                    "at_risk": "of those at risk",
                    "breached": "of those breached",
                    "resolved": "resolved",
                    "median_h": "median hours to resolve",
                    "p90_h": "p90 hours",
                },
            ),
            "backlog_fig": charts.backlog(dash.backlog_age(view)),
            "trend_fig": charts.trends(dash.category_trends(view), tz.key),
            "repeat_table": table(
                dash.repeat_subjects(view, mask=self.mask),
                "repeat",
                tz,
                max_rows=15,
                empty="No subject appears in more than one case.",
            ),
            "mix_fig": charts.action_mix(
                mix := dash.action_mix(view), dict(zip(mix["clause"], mix["title"]))
            ),
            "holds_table": table(
                dash.holds_ending(view),
                "holds",
                tz,
                empty="No preservation hold ends within 14 days.",
                headers={"days_left": "days left", "can_renew": "can renew"},
            ),
            "status": (
                f"<span class='wb-ready' data-cases='{len(view.cases)}' "
                f"style='color:#57606a'>{len(view.cases)} of {len(snap.cases)} "
                f"cases · as of {html.escape(shown)} ({html.escape(tz.key)}) · "
                f"subjects masked</span>"
            ),
        }
