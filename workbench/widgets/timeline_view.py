"""The timeline widget: a FigureWidget with filters, zoom re-query and annotation tools.

A thin view: every action calls :mod:`workbench.timeline` (data), :mod:`workbench.timeline.figures`
(drawing) or :mod:`workbench.timeline.annotations` (stars, tags, comments, evidence). Zooming re-queries
the visible window, so density turns into individual events as the user zooms in. Click or box
/lasso select events in the figure, or rows of the events table under it, then star, tag,
comment or add them to evidence.

The view follows its case through the event hub: subjects added, annotations, notes and
decisions made elsewhere in the notebook are re-queried into it (keeping the zoom).

Use in a notebook: ``TimelineView(case="ESC-2026-000123")`` or ``TimelineView(subjects=[42])``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import ipywidgets as W
import pandas as pd

import workbench.timeline.annotations as annotations
from workbench import cases
from workbench.errors import WorkbenchError
from workbench.evidence import items as evidence
from workbench.timeline import figures as timeline_figures

# holds the `annotations` __future__ feature, which a from-import would return instead
from workbench.timeline import query as timeline
from workbench.timeline import sources as registry
from workbench.widgets.panel import Panel
from workbench.widgets.results_grid import ResultsGrid

EVENT_COLUMNS = ("ts", "source", "kind", "subject", "summary", "actor", "target", "severity")


class TimelineView(Panel):
    """Interactive merged timeline for a case or for subjects."""

    def __init__(
        self,
        subjects: Any = None,
        case: str | None = None,
        start: Any = None,
        end: Any = None,
        *,
        tz: str | None = None,
        threshold: int = timeline.DEFAULT_THRESHOLD,
        lane_by: str = "source",
        color_by: str = "kind",
    ) -> None:
        self.case = case
        self.threshold = threshold
        self._start, self._end = start, end
        self._quiet_depth = 0
        self.selected: pd.DataFrame = timeline.tidy(pd.DataFrame(columns=timeline.COLUMNS))
        req = timeline.request(subjects, case, start, end)
        self._subjects = list(req.subjects)

        names = registry.names()
        self.w_sources = W.SelectMultiple(
            options=[(registry.label(n), n) for n in names],
            value=tuple(names),
            rows=min(9, len(names)),
            description="Sources",
        )
        self.w_subjects = W.SelectMultiple(
            options=[(f"user {s}", s) for s in self._subjects],
            value=tuple(self._subjects),
            rows=max(2, min(6, len(self._subjects))),
            description="Subjects",
        )
        self.w_kinds = W.Text(
            placeholder="e.g. login_new_country, change_email", description="Kinds"
        )
        self.w_tags = W.Text(placeholder="tag, tag", description="Tags", disabled=case is None)
        self.w_starred = W.Checkbox(
            description="starred only", value=False, disabled=case is None, indent=False
        )
        self.w_text = W.Text(placeholder="words in the summary", description="Text")
        self.w_tz = W.Text(value=timeline.zone(tz).key, description="Time zone")
        self.w_lanes = W.ToggleButtons(
            options=[("per source", "source"), ("per subject", "subject")],
            value=lane_by,
            description="Lanes",
        )
        self.w_colour = W.ToggleButtons(
            options=["kind", "severity"], value=color_by, description="Colour"
        )
        self.w_apply = W.Button(description="Apply", button_style="primary", icon="filter")
        self.w_reset = W.Button(description="Whole range", icon="expand")
        self.w_status = W.HTML()

        self.w_tag = W.Text(placeholder="tag", layout=W.Layout(width="160px"))
        self.w_comment = W.Text(
            placeholder="comment on the selected events", layout=W.Layout(width="320px")
        )
        self.b_star = W.Button(description="Star", icon="star")
        self.b_unstar = W.Button(description="Unstar", icon="star-o")
        self.b_tag = W.Button(description="Tag", icon="tag")
        self.b_comment = W.Button(description="Comment", icon="comment")
        self.b_evidence = W.Button(
            description="Add to evidence", icon="archive", button_style="warning"
        )
        for b in (self.b_star, self.b_unstar, self.b_tag, self.b_comment, self.b_evidence):
            b.disabled = True
        self.w_selected = W.HTML("nothing selected")
        self.events_grid = ResultsGrid(
            title="Events in view (select rows to star, tag, comment or collect them)",
            key_columns=EVENT_COLUMNS,
            collect=False,
            on_select=self._on_grid_select,
        )
        self.message = self.status_line()

        self.w_apply.on_click(lambda _b: self._safely(self.apply))
        self.w_reset.on_click(lambda _b: self._safely(self.reset_zoom))
        self.b_star.on_click(lambda _b: self._safely(self.star))
        self.b_unstar.on_click(lambda _b: self._safely(self.unstar))
        self.b_tag.on_click(lambda _b: self._safely(lambda: self.tag(self.w_tag.value)))
        self.b_comment.on_click(lambda _b: self._safely(lambda: self.comment(self.w_comment.value)))
        self.b_evidence.on_click(lambda _b: self._safely(self._collect))

        self.view = timeline.view(
            req=self._request(),
            lane_by=lane_by,
            color_by=color_by,
            tz=self.w_tz.value,
            threshold=threshold,
        )
        self.figure = timeline_figures.figure_widget(self.view)
        self._wire()

        filters = W.VBox(
            [
                W.HBox([self.w_sources, self.w_subjects]),
                W.HBox([self.w_kinds, self.w_text]),
                W.HBox([self.w_tags, self.w_starred, self.w_tz]),
                W.HBox([self.w_lanes, self.w_colour]),
                W.HBox([self.w_apply, self.w_reset, self.w_status]),
            ]
        )
        tools = W.VBox(
            [
                W.HBox([self.w_selected]),
                W.HBox([self.b_star, self.b_unstar, self.w_tag, self.b_tag]),
                W.HBox([self.w_comment, self.b_comment, self.b_evidence]),
            ]
        )
        if case is None:
            tools = W.HTML(
                "<i>Open the timeline for a case to star, tag, comment and collect evidence.</i>"
            )
        super().__init__([filters, self.figure, tools, self.events_grid, self.message])
        self.add_class("wb-timeline")
        self._say_view()
        self._show_events()
        if case is not None:
            self.listen(case, ("subjects",), self._subjects_changed)
            self.listen(case, ("timeline", "notes", "decision", "case"), self._requery)

    # --- plumbing ------------------------------------------------------------------------

    @contextmanager
    def _quiet(self):
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    def _safely(self, fn) -> None:
        self.attempt(fn)

    def _subjects_changed(self) -> None:
        """The case gained (or lost) subjects: offer them all, show the new ones too."""
        now = list(cases.get(self.case).subjects)
        chosen = set(self.w_subjects.value) | (set(now) - set(self._subjects))
        self._subjects = now
        self.w_subjects.options = [(f"user {s}", s) for s in now]
        self.w_subjects.rows = max(2, min(6, len(now)))
        self.w_subjects.value = tuple(s for s in now if s in chosen)
        self._requery()

    def _requery(self) -> None:
        """The same view (filters, zoom) asked again of the stores."""
        self._show(
            timeline.view(
                req=self._request(
                    self.view.start if self._is_zoomed() else None,
                    self.view.end if self._is_zoomed() else None,
                ),
                lane_by=self.view.lane_by,
                color_by=self.view.color_by,
                tz=self.view.tz,
                threshold=self.threshold,
            )
        )

    def _show_events(self) -> None:
        ev = self.view.events
        shown = ev[[c for c in EVENT_COLUMNS + ("ref",) if c in ev.columns]].reset_index(drop=True)
        self._filling_grid = True  # a new view clears the grid's selection, not ours
        try:
            self.events_grid.show(shown)
        finally:
            self._filling_grid = False
        keep = [i for i, ref in enumerate(shown.get("ref", [])) if ref in set(self.selected["ref"])]
        if keep:
            self._filling_grid = True
            try:
                self.events_grid.select(keep)
            finally:
                self._filling_grid = False

    def _on_grid_select(self, rows: pd.DataFrame) -> None:
        if "ref" in rows and not getattr(self, "_filling_grid", False):
            self.select(list(rows["ref"]))

    def _request(self, start: Any = None, end: Any = None) -> timeline.Request:
        kinds = [k.strip() for k in self.w_kinds.value.split(",") if k.strip()] or None
        tags = [t.strip() for t in self.w_tags.value.split(",") if t.strip()] or None
        return timeline.request(
            subjects=list(self.w_subjects.value) or self._subjects,
            case=self.case,
            start=start if start is not None else self._start,
            end=end if end is not None else self._end,
            sources=list(self.w_sources.value) or None,
            kinds=kinds,
            text=self.w_text.value or None,
            tags=tags,
            starred=self.w_starred.value or None,
        )

    def _wire(self) -> None:
        """(Re)attach callbacks: replacing the layout or traces drops the old ones."""
        self.figure.layout.on_change(self._on_range, "xaxis.range")
        self.figure.layout.on_change(self._on_autorange, "xaxis.autorange")
        for trace in self.figure.data:
            role = (trace.meta or {}).get("role") if isinstance(trace.meta, dict) else None
            if role in ("events", "annotations"):
                trace.on_selection(self._on_select)
                trace.on_click(self._on_select)

    def _show(self, new_view: timeline.View) -> None:
        """Swap the figure's contents for a new view (keeping the user's zoom)."""
        self.view = new_view
        fig = timeline_figures.figure(new_view)
        with self._quiet(), self.figure.batch_update():
            self.figure.data = []
            self.figure.add_traces(list(fig.data))
            self.figure.layout = fig.layout
        self._wire()
        self._say_view()
        self._show_events()

    def _say_view(self) -> None:
        v = self.view
        what = (
            f"{v.total:,} events in view: counts per {timeline_figures.bin_label(v.bin_seconds)}; "
            "zoom in to see individual events"
            if v.mode == "density"
            else f"{len(v.events):,} events in view"
        )
        self.w_status.value = f"{_esc(what)} · times in {_esc(v.tz.key)}"

    def _on_range(self, _layout: Any, x_range: Any) -> None:
        if self._quiet_depth or not x_range or len(x_range) != 2:
            return
        self._safely(lambda: self.zoom(*x_range))

    def _on_autorange(self, _layout: Any, autorange: Any) -> None:
        if self._quiet_depth or autorange is not True:
            return
        self._safely(self.reset_zoom)

    def _on_select(self, trace: Any, points: Any, _state: Any = None) -> None:
        idx = list(getattr(points, "point_inds", []) or [])
        if not idx:
            return
        refs = [trace.customdata[i][timeline_figures.REF_INDEX] for i in idx]
        self.select(refs, add=bool(getattr(_state, "shift", False)))

    # --- actions (also callable from code and tests) ---------------------------------------

    def apply(self) -> None:
        """Re-query with the current filters, time zone, lanes and colours."""
        tz = timeline.zone(self.w_tz.value)
        req = self._request(
            self.view.start if self._is_zoomed() else None,
            self.view.end if self._is_zoomed() else None,
        )
        self._show(
            timeline.view(
                req=req,
                lane_by=self.w_lanes.value,
                color_by=self.w_colour.value,
                tz=tz,
                threshold=self.threshold,
            )
        )

    def _is_zoomed(self) -> bool:
        return bool(getattr(self, "_zoomed", False))

    def zoom(self, start: Any, end: Any) -> None:
        """Show the window [start, end): axis values (wall-clock in the display zone) or aware times."""
        tz = self.view.tz
        mode = timeline_figures.axis_mode(self.view)  # how the current figure's x is drawn
        lo = timeline_figures.axis_to_utc(start, tz, mode)
        hi = timeline_figures.axis_to_utc(end, tz, mode)
        self._zoomed = True
        self._show(timeline.zoom(self.view, lo, hi))

    def reset_zoom(self) -> None:
        self._zoomed = False
        self.apply()

    def select(self, refs: list[str], *, add: bool = False) -> pd.DataFrame:
        """Select events by ref (what click and box select do)."""
        events = self.view.events
        chosen = events[events["ref"].isin([str(r) for r in refs])].drop_duplicates("ref")
        if add and len(self.selected):
            chosen = pd.concat([self.selected, chosen]).drop_duplicates("ref")
        self.selected = chosen
        n = len(chosen)
        self.w_selected.value = (
            f"{n} event{'s' if n != 1 else ''} selected" if n else "nothing selected"
        )
        for b in (self.b_star, self.b_unstar, self.b_tag, self.b_comment, self.b_evidence):
            b.disabled = not n or self.case is None
        return chosen

    def _need_selection(self) -> pd.DataFrame:
        if self.case is None:
            raise WorkbenchError("annotating needs a case", "open the timeline with case=...")
        if self.selected.empty:
            raise WorkbenchError("no events selected", "click or box-select events first")
        return self.selected

    # Each action returns what it did (shown in the status line by the buttons); the view itself
    # is re-queried through the event hub when the change is committed.

    def star(self) -> str:
        n = annotations.star(self.case, self._need_selection())
        return f"starred {n}"

    def unstar(self) -> str:
        n = annotations.unstar(self.case, self._need_selection())
        return f"unstarred {n}"

    def tag(self, tag: str) -> str:
        n = annotations.tag(self.case, self._need_selection(), tag)
        self.w_tag.value = ""
        return f"tagged {n} with {tag!r}"

    def comment(self, text: str) -> str:
        n = annotations.comment(self.case, self._need_selection(), text)
        self.w_comment.value = ""
        return f"commented on {n}"

    def add_to_evidence(self) -> Any:
        """Collect the selected events as one evidence item (marked on the timeline)."""
        return evidence.add_timeline_events(self.case, self._need_selection(), tz=self.view.tz.key)

    def _collect(self) -> str:
        n = len(self._need_selection())
        item = self.add_to_evidence()
        return f"added {n} event{'s' if n != 1 else ''} to evidence as {item.label}"


def _esc(text: str) -> str:
    import html

    return html.escape(text)
