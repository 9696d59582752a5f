"""The leads' dashboard: queue, SLA, throughput, backlog age, trends, repeat subjects and the
enforcement-action mix, with filters that update every view. A thin view over
:mod:`workbench.dashboards`; every case id links to the case app.
"""
from __future__ import annotations

import html
import time

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import dashboards as dash
from ..errors import WorkbenchError
from .dashboard_parts import FigurePane, error_box, kpis, soon, style, table

ALL = "all"
KPI_LABELS = {"open": "open cases", "unclaimed": "unclaimed", "at_risk": "SLA at risk",
              "breached": "SLA breached", "resolved": "resolved", "median_resolution_h":
              "median hours to resolve", "cases": "cases in view"}
PRIORITY_COLOURS = {"P0": "#b71c1c", "P1": "#e65100", "P2": "#1565c0", "P3": "#90a4ae"}
_LAYOUT = dict(margin=dict(l=40, r=10, t=40, b=30), template="plotly_white")


def _dropdown(label: str, values: list[str]) -> w.Dropdown:
    return w.Dropdown(options=[ALL] + values, value=ALL, description=label,
                      layout=w.Layout(width="230px"), style={"description_width": "70px"})


class LeadsDashboard(w.VBox):
    """``LeadsDashboard()``: loads the case store now; ``refresh()`` reloads it."""

    def __init__(self, now=None, mask: bool = True) -> None:
        self._now = now
        self.mask = mask
        self.snap = dash.load(now=now)
        self.loaded_at = time.monotonic()
        opts = dash.filter_options(self.snap)
        self.start = w.DatePicker(description="From", layout=w.Layout(width="230px"),
                                  style={"description_width": "70px"})
        self.end = w.DatePicker(description="To", layout=w.Layout(width="230px"),
                                style={"description_width": "70px"})
        self.category = _dropdown("Category", opts["category"])
        self.priority = _dropdown("Priority", opts["priority"])
        self.team = _dropdown("Team", opts["team"])
        self.assignee = _dropdown("Assignee", opts["assignee"])
        self.refresh_btn = w.Button(description="Refresh", icon="refresh",
                                    layout=w.Layout(width="110px"))
        for ctl in (self.start, self.end, self.category, self.priority, self.team, self.assignee):
            ctl.observe(lambda _: self.update(), names="value")
        self.refresh_btn.on_click(lambda _: self.refresh())
        self.status = w.HTML()
        self.message = w.HTML()
        self.numbers = w.HTML()
        self.queue_fig = FigurePane()
        self.sla_table = w.HTML()
        self.flow_fig = FigurePane()
        self.people_table = w.HTML()
        self.backlog_fig = FigurePane()
        self.trend_fig = FigurePane()
        self.repeat_table = w.HTML()
        self.mix_fig = FigurePane()

        def h(text: str) -> w.HTML:
            return w.HTML(f"<h3 style='margin:14px 0 2px'>{html.escape(text)}</h3>")

        filters = w.VBox([w.HBox([self.start, self.end, self.refresh_btn]),
                          w.HBox([self.category, self.priority, self.team, self.assignee])])
        super().__init__([
            style(), w.HTML("<h2 style='margin:4px 0'>Escalations: leads' dashboard</h2>"),
            self.status, filters, self.message, self.numbers,
            h("Queue"), self.queue_fig,
            h("SLA: at risk and breached, most urgent first"), self.sla_table,
            h("Throughput and time to resolution"), self.flow_fig, self.people_table,
            h("Backlog age"), self.backlog_fig,
            h("Category trends"), self.trend_fig,
            h("Repeat subjects (pseudonymous)"), self.repeat_table,
            h("Enforcement actions per policy clause"), self.mix_fig,
        ])
        self.update()

    # ------------------------------------------------------------------ state

    @property
    def filters(self) -> dash.Filters:
        def one(ctl: w.Dropdown) -> str | None:
            return None if ctl.value == ALL else ctl.value

        return dash.Filters(start=self.start.value, end=self.end.value,
                            category=one(self.category), priority=one(self.priority),
                            team=one(self.team), assignee=one(self.assignee))

    def refresh(self) -> None:
        """Reload the case store (the figures follow)."""
        self.snap = dash.load(now=self._now)
        self.loaded_at = time.monotonic()
        self.update()

    def refresh_if_older_than(self, seconds: float) -> None:
        """A preheated kernel may have loaded its numbers a while ago: reload them if so, just
        after the page is complete (the page shows the time the numbers are as of)."""
        if time.monotonic() - self.loaded_at > seconds:
            soon(self.refresh)

    def update(self) -> None:
        """Recompute every view for the current filters."""
        try:
            view = dash.apply_filters(self.snap, self.filters)
        except WorkbenchError as err:
            self.message.value = error_box(str(err))
            return
        self.message.value = ""
        tz = view.tz
        head = dash.headline(view)
        self.numbers.value = kpis(head, KPI_LABELS, bad=("breached",), warn=("at_risk", "unclaimed"))
        self.queue_fig.show(self._queue_figure(view))
        watch = dash.sla_watch(view)
        self.sla_table.value = table(watch.drop(columns=["time_left"]), "sla", tz, max_rows=20,
                                     empty="No open case is at risk or breached.",
                                     headers={"hours_left": "hours left (− over)"})
        self.flow_fig.show(self._flow_figure(view))
        self.people_table.value = table(dash.throughput(view, "assignee"), "specialists", tz,
                                        empty="No case resolved in this view.",
                                        headers={"median_h": "median hours", "p90_h": "p90 hours"})
        self.backlog_fig.show(self._backlog_figure(view))
        self.trend_fig.show(self._trend_figure(view))
        rep = dash.repeat_subjects(view, mask=self.mask)
        self.repeat_table.value = table(rep, "repeat", tz, max_rows=15,
                                        empty="No subject appears in more than one case.")
        self.mix_fig.show(self._mix_figure(view))
        shown = pd.Timestamp(view.now).tz_convert(tz.key).strftime("%Y-%m-%d %H:%M")
        self.status.value = (f"<span class='wb-ready' data-cases='{len(view.cases)}' "
                             f"style='color:#57606a'>{len(view.cases)} of {len(self.snap.cases)} "
                             f"cases · as of {html.escape(shown)} ({html.escape(tz.key)}) · "
                             f"subjects masked</span>")

    # ------------------------------------------------------------------ figures

    def _queue_figure(self, view: dash.Snapshot) -> go.Figure:
        fig = make_subplots(rows=1, cols=4, subplot_titles=("by status", "by priority",
                                                            "by category", "by team"))
        for i, by in enumerate(("status", "priority", "category", "team"), start=1):
            q = dash.queue(view, by)
            fig.add_trace(go.Bar(x=q.iloc[:, 0], y=q["cases"], name=by, showlegend=False,
                                 text=q["cases"], textposition="auto",
                                 marker_color="#1565c0"), row=1, col=i)
        fig.update_layout(height=300, **_LAYOUT)
        return fig

    def _flow_figure(self, view: dash.Snapshot) -> go.Figure:
        t = dash.throughput(view, "week")
        fig = make_subplots(specs=[[{"secondary_y": True}]])
        if not t.empty:
            weeks = pd.to_datetime(t["week"])
            fig.add_trace(go.Bar(x=weeks, y=t["opened"], name="opened", marker_color="#90caf9"))
            fig.add_trace(go.Bar(x=weeks, y=t["resolved"], name="resolved", marker_color="#1565c0"))
            fig.add_trace(go.Scatter(x=weeks, y=t["median_h"], name="median hours to resolve",
                                     mode="lines+markers", line_color="#ef6c00"), secondary_y=True)
        fig.update_layout(height=300, barmode="group", legend_orientation="h", **_LAYOUT)
        fig.update_xaxes(title_text=f"week starting ({view.tz.key})")
        fig.update_yaxes(title_text="cases", secondary_y=False)
        fig.update_yaxes(title_text="hours", secondary_y=True)
        return fig

    def _backlog_figure(self, view: dash.Snapshot) -> go.Figure:
        b = dash.backlog_age(view)
        fig = go.Figure([go.Bar(x=b["age"], y=b[p], name=p, marker_color=PRIORITY_COLOURS[p])
                         for p in PRIORITY_COLOURS])
        fig.update_layout(height=260, barmode="stack", yaxis_title="open cases", **_LAYOUT)
        return fig

    def _trend_figure(self, view: dash.Snapshot) -> go.Figure:
        t = dash.category_trends(view)
        fig = go.Figure()
        for cat, g in t.groupby("category"):
            fig.add_trace(go.Scatter(x=pd.to_datetime(g["week"]), y=g["cases"], name=cat,
                                     mode="lines+markers"))
        fig.update_layout(height=300, yaxis_title="cases opened",
                          xaxis_title=f"week starting ({view.tz.key})", **_LAYOUT)
        return fig

    def _mix_figure(self, view: dash.Snapshot) -> go.Figure:
        m = dash.action_mix(view)
        fig = go.Figure()
        for action, g in m.groupby("action"):
            fig.add_trace(go.Bar(y=g["clause"], x=g["cases"], name=action, orientation="h"))
        fig.update_layout(height=max(260, 28 * m["clause"].nunique() + 80), barmode="stack",
                          xaxis_title="cases (latest decision)", **_LAYOUT)
        return fig
