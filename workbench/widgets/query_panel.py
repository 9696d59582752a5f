"""The query panel: choose a library query, fill a form built from its parameters, run it, page
through a sortable result, see the SQL, add the result to evidence.

A thin view over :mod:`workbench.queries` and :mod:`workbench.execute`: the query runs (guarded,
audited) in the kernel and only the visible page is rendered and sent to the browser.

Use in a notebook: ``QueryPanel(case="ESC-2026-000123")``. ``on_add_to_evidence(df)`` is called by
the "Add to evidence" button with the last result (provenance in ``df.attrs``); by default it
collects the result into the panel's case with :func:`workbench.evidence.add_query_result`.
"""
from __future__ import annotations

import html
import math
import warnings
from collections.abc import Callable
from typing import Any

import ipywidgets as W
import pandas as pd

from .. import queries
from ..errors import WorkbenchError

AddToEvidence = Callable[[pd.DataFrame], Any]


def _default_add_to_evidence(case: Callable[[], str | None]) -> AddToEvidence | None:
    try:
        from .. import evidence
    except ImportError:  # evidence not installed: the button stays hidden
        return None
    add = getattr(evidence, "add_query_result", None)
    if add is None:
        return None

    def _add(df: pd.DataFrame) -> Any:
        case_id = case()
        if not case_id:
            raise WorkbenchError("no case is set", "enter a case id and run the query again")
        item = add(case_id, df)
        return f"added to evidence of {case_id}: item {getattr(item, 'item_no', '')}".rstrip(": ")
    return _add


class ResultsTable(W.VBox):
    """A paged, sortable view of a DataFrame held in the kernel; only one page is rendered."""

    def __init__(self, page_size: int = 50) -> None:
        self.df: pd.DataFrame = pd.DataFrame()
        self._view: pd.DataFrame = self.df
        self.page = 0
        self.w_sort = W.Dropdown(description="Sort by", options=[("(as returned)", "")], value="",
                                 layout=W.Layout(width="260px"))
        self.w_desc = W.ToggleButton(value=False, description="descending", icon="sort",
                                     layout=W.Layout(width="120px"))
        self.w_size = W.Dropdown(description="Rows", options=[25, 50, 100, 250],
                                 value=page_size if page_size in (25, 50, 100, 250) else 50,
                                 layout=W.Layout(width="150px"))
        self.w_prev = W.Button(description="◀", layout=W.Layout(width="40px"), tooltip="previous page")
        self.w_next = W.Button(description="▶", layout=W.Layout(width="40px"), tooltip="next page")
        self.w_where = W.Label()
        self.w_html = W.HTML()
        self.w_sort.observe(lambda _c: self._resort(), names="value")
        self.w_desc.observe(lambda _c: self._resort(), names="value")
        self.w_size.observe(lambda _c: self.go(0), names="value")
        self.w_prev.on_click(lambda _b: self.go(self.page - 1))
        self.w_next.on_click(lambda _b: self.go(self.page + 1))
        bar = W.HBox([self.w_sort, self.w_desc, self.w_size, self.w_prev, self.w_next, self.w_where])
        super().__init__([bar, self.w_html])
        self._render()

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self._view) / self.w_size.value))

    def show(self, df: pd.DataFrame) -> None:
        """Show a new result (first page, order as returned)."""
        self.df = df
        with self.hold_trait_notifications():
            self.w_sort.options = [("(as returned)", "")] + [(str(c), str(c)) for c in df.columns]
            self.w_sort.value = ""
        self._resort()

    def _resort(self) -> None:
        col = self.w_sort.value
        if col and col in self.df.columns:
            self._view = self.df.sort_values(col, ascending=not self.w_desc.value, kind="stable",
                                             na_position="last")
        else:
            self._view = self.df
        self.go(0)

    def go(self, page: int) -> None:
        self.page = min(max(0, page), self.pages - 1)
        self._render()

    def page_frame(self) -> pd.DataFrame:
        """The rows on the current page."""
        size = self.w_size.value
        return self._view.iloc[self.page * size:(self.page + 1) * size]

    def _render(self) -> None:
        n = len(self._view)
        size = self.w_size.value
        first = self.page * size + 1 if n else 0
        self.w_where.value = f"rows {first:,}–{min(n, (self.page + 1) * size):,} of {n:,}"
        self.w_prev.disabled = self.page == 0
        self.w_next.disabled = self.page >= self.pages - 1
        if not len(self.df.columns):
            self.w_html.value = ""
            return
        table = self.page_frame().to_html(index=False, escape=True, na_rep="", border=0,
                                          classes="wb-results")
        # dir="auto": right-to-left text (Urdu, Arabic, Hebrew) displays in its own direction.
        table = table.replace("<td>", '<td dir="auto">')
        self.w_html.value = ('<div style="max-height:520px;overflow:auto;font-size:12px">'
                             f"{table}</div>")


class QueryPanel(W.VBox):
    """Choose a library query, fill its parameters, run it and browse the result."""

    def __init__(self, case: str | None = None, query: str | None = None, *,
                 on_add_to_evidence: AddToEvidence | None = None, page_size: int = 50,
                 **params: Any) -> None:
        self.result: pd.DataFrame | None = None
        self.w_query = W.Dropdown(description="Query",
                                  options=[(f"{q.title} ({q.name})", q.name) for q in queries.list()],
                                  layout=W.Layout(width="560px"))
        self.w_case = W.Text(description="Case", value=case or "", placeholder="ESC-2026-000123",
                             layout=W.Layout(width="300px"))
        self.w_about = W.HTML()
        self.w_form = W.VBox()
        self.fields: dict[str, W.ValueWidget] = {}
        self.w_run = W.Button(description="Run", button_style="primary", icon="play")
        self.w_show_sql = W.ToggleButton(description="Show SQL", icon="code")
        self.w_add = W.Button(description="Add to evidence", icon="plus", disabled=True)
        self.w_status = W.HTML()
        self.w_sql = W.HTML(layout=W.Layout(display="none"))
        self.table = ResultsTable(page_size)
        self.on_add_to_evidence = (on_add_to_evidence if on_add_to_evidence is not None
                                   else _default_add_to_evidence(lambda: self.w_case.value.strip() or None))
        if self.on_add_to_evidence is None:
            self.w_add.layout.display = "none"
        self.w_query.observe(lambda _c: self._build_form(), names="value")
        self.w_run.on_click(lambda _b: self.run())
        self.w_show_sql.observe(lambda _c: self._toggle_sql(), names="value")
        self.w_add.on_click(lambda _b: self.add_to_evidence())
        super().__init__([W.HBox([self.w_query, self.w_case]), self.w_about, self.w_form,
                          W.HBox([self.w_run, self.w_show_sql, self.w_add]), self.w_status,
                          self.w_sql, self.table])
        if query:
            self.w_query.value = query
        self._build_form()
        for name, value in params.items():
            self.set_param(name, value)

    # --- form -----------------------------------------------------------------------------

    def _build_form(self) -> None:
        q = queries.get(self.w_query.value)
        self.w_about.value = f"<small>{html.escape(q.description)}</small>"
        self.fields = {}
        rows = []
        for p in q.params:
            if p.base_type == "bool" and not p.is_list:
                w: W.ValueWidget = W.Checkbox(value=bool(p.default), description=p.name, indent=False)
            else:
                hint = {"timestamp": "ISO-8601 with zone, or -7d / -24h / now",
                        "interval": "30m, 24h, 7d"}.get(p.base_type, p.base_type)
                if p.is_list:
                    hint = f"comma-separated {p.base_type} values"
                w = W.Text(description=p.name, placeholder=hint,
                           value="" if p.default is None else str(p.default),
                           layout=W.Layout(width="420px"), style={"description_width": "110px"})
            w.tooltip = p.description
            self.fields[p.name] = w
            label = " (required)" if p.required else ""
            rows.append(W.HBox([w, W.HTML(f"<small>{html.escape(p.description)}{label}</small>")]))
        self.w_form.children = rows
        self._render_sql()

    def set_param(self, name: str, value: Any) -> None:
        """Fill one form field (lists as comma-separated text)."""
        w = self.fields.get(name)
        if w is None:
            raise WorkbenchError(f"query {self.w_query.value!r} has no parameter {name!r}")
        if isinstance(w, W.Checkbox):
            w.value = bool(value)
        else:
            w.value = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)

    def values(self) -> dict[str, Any]:
        """The form as parameters (empty fields left out: the query's defaults apply)."""
        out: dict[str, Any] = {}
        for name, w in self.fields.items():
            if isinstance(w, W.Checkbox):
                out[name] = w.value
            elif str(w.value).strip():
                out[name] = w.value.strip()
        return out

    # --- actions --------------------------------------------------------------------------

    def _toggle_sql(self) -> None:
        self.w_sql.layout.display = "" if self.w_show_sql.value else "none"

    def _render_sql(self) -> None:
        from ..config import settings
        from ..guard import sqlglot_dialect

        q = queries.get(self.w_query.value)
        text = q.render(sqlglot_dialect(settings().data_url.get_backend_name()))
        self.w_sql.value = f"<pre style='font-size:11px'>{html.escape(text)}</pre>"

    def _status(self, message: str, error: bool = False) -> None:
        color = "#b00020" if error else "#333"
        self.w_status.value = f"<span style='color:{color}'>{html.escape(message)}</span>"

    def run(self) -> pd.DataFrame | None:
        """Run the chosen query with the form's values; returns the result (None on error)."""
        from ..execute import query

        self._status("running…")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                df = query(self.w_query.value, case=self.w_case.value.strip() or None, **self.values())
        except WorkbenchError as exc:
            self._status(str(exc), error=True)
            return None
        self.result = df
        self.table.show(df)
        prov = df.attrs.get("provenance", {})
        notes = [str(w.message) for w in caught]
        self._status(f"{len(df):,} rows in {prov.get('duration_ms', 0):.0f} ms"
                     + "".join(f" · {n}" for n in notes))
        self.w_add.disabled = self.on_add_to_evidence is None
        return df

    def add_to_evidence(self) -> Any:
        """Hand the last result to ``on_add_to_evidence``; shows what it returned."""
        if self.result is None or self.on_add_to_evidence is None:
            return None
        try:
            out = self.on_add_to_evidence(self.result)
        except WorkbenchError as exc:
            self._status(str(exc), error=True)
            return None
        self._status(str(out) if out is not None else "added to evidence")
        return out
