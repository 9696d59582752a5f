"""The query panel: choose a library query, fill a form built from its parameters, run it, page
through a sortable result, see the SQL, add the result to evidence.

A thin view over :mod:`workbench.queries` and :mod:`workbench.queries.run`: the query runs (guarded,
audited) in the kernel and only the visible page is rendered and sent to the browser.

Use in a notebook: ``QueryPanel(case="ESC-2026-000123")``. ``on_add_to_evidence(df)`` is called by
the "Add to evidence" button with the last result (provenance in ``df.attrs``); by default it
collects the result into the panel's case with :func:`workbench.evidence.add_query_result`.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as W
import pandas as pd

from workbench.config import settings
from workbench.errors import WorkbenchError
from workbench.queries import library as queries
from workbench.queries.guard import sqlglot_dialect
from workbench.queries.run import query
from workbench.widgets.results_table import AddToEvidence, ResultPanel, ResultsTable

__all__ = ["AddToEvidence", "QueryPanel", "ResultsTable"]


class QueryPanel(ResultPanel):
    """Choose a library query, fill its parameters, run it and browse the result."""

    def __init__(
        self,
        case: str | None = None,
        query: str | None = None,
        *,
        on_add_to_evidence: AddToEvidence | None = None,
        page_size: int = 50,
        **params: Any,
    ) -> None:
        self.w_query = W.Dropdown(
            description="Query",
            options=[(f"{q.title} ({q.name})", q.name) for q in queries.list()],
            layout=W.Layout(width="560px"),
        )
        self.w_case = W.Text(
            description="Case",
            value=case or "",
            placeholder="ESC-2026-000123",
            layout=W.Layout(width="300px"),
        )
        self.w_about = W.HTML()
        self.w_form = W.VBox()
        self.fields: dict[str, W.ValueWidget] = {}
        self.w_run = W.Button(description="Run", button_style="primary", icon="play")
        self.w_show_sql = W.ToggleButton(description="Show SQL", icon="code")
        self.w_sql = W.HTML(layout=W.Layout(display="none"))
        self._init_result(on_add_to_evidence, page_size)
        self.w_query.observe(lambda _c: self._build_form(), names="value")
        self.w_run.on_click(lambda _b: self.run())
        self.w_show_sql.observe(lambda _c: self._toggle_sql(), names="value")
        super().__init__(
            [
                W.HBox([self.w_query, self.w_case]),
                self.w_about,
                self.w_form,
                W.HBox([self.w_run, self.w_show_sql, self.w_add]),
                self.w_status,
                self.w_sql,
                self.table,
            ]
        )
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
                w: W.ValueWidget = W.Checkbox(
                    value=bool(p.default), description=p.name, indent=False
                )
            else:
                hint = {
                    "timestamp": "ISO-8601 with zone, or -7d / -24h / now",
                    "interval": "30m, 24h, 7d",
                }.get(p.base_type, p.base_type)
                if p.is_list:
                    hint = f"comma-separated {p.base_type} values"
                w = W.Text(
                    description=p.name,
                    placeholder=hint,
                    value="" if p.default is None else str(p.default),
                    layout=W.Layout(width="420px"),
                    style={"description_width": "110px"},
                )
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

        q = queries.get(self.w_query.value)
        text = q.render(sqlglot_dialect(settings().data_url.get_backend_name()))
        self.w_sql.value = f"<pre style='font-size:11px'>{html.escape(text)}</pre>"

    def run(self) -> pd.DataFrame | None:
        """Run the chosen query with the form's values; returns the result (None on error)."""
        self._status("running…")
        return self._run_and_show(
            lambda: query(
                self.w_query.value, case=self.w_case.value.strip() or None, **self.values()
            )
        )
