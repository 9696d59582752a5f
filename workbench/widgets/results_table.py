"""What the query panel and the SQL editor share: the paged, sortable results table, the status
line, running a call with its warnings shown, and the "Add to evidence" button.

:class:`ResultsTable` renders only the visible page of a DataFrame held in the kernel.
:class:`ResultPanel` is the base of both panels; a subclass builds its own inputs and calls
:meth:`ResultPanel._run_and_show` with what to run.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import ipywidgets as W
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.evidence import items as evidence
from workbench.widgets.panel import status_html

AddToEvidence = Callable[[pd.DataFrame], Any]


def _add_to_case_evidence(case: Callable[[], str | None]) -> AddToEvidence:
    """The default "Add to evidence": collect the result into the case typed in the panel."""

    def _add(df: pd.DataFrame) -> str:

        case_id = case()
        if not case_id:
            raise WorkbenchError("no case is set", "enter a case id and run the query again")
        item = evidence.add_query_result(case_id, df)
        return f"added to evidence of {case_id}: item {item.label}"

    return _add


class ResultsTable(W.VBox):
    """A paged, sortable view of a DataFrame held in the kernel; only one page is rendered."""

    def __init__(self, page_size: int = 50) -> None:
        self.df: pd.DataFrame = pd.DataFrame()
        self._view: pd.DataFrame = self.df
        self.page = 0
        self.w_sort = W.Dropdown(
            description="Sort by",
            options=[("(as returned)", "")],
            value="",
            layout=W.Layout(width="260px"),
        )
        self.w_desc = W.ToggleButton(
            value=False, description="descending", icon="sort", layout=W.Layout(width="120px")
        )
        self.w_size = W.Dropdown(
            description="Rows",
            options=[25, 50, 100, 250],
            value=page_size if page_size in (25, 50, 100, 250) else 50,
            layout=W.Layout(width="150px"),
        )
        self.w_prev = W.Button(
            description="◀", layout=W.Layout(width="40px"), tooltip="previous page"
        )
        self.w_next = W.Button(description="▶", layout=W.Layout(width="40px"), tooltip="next page")
        self.w_where = W.Label()
        self.w_html = W.HTML()
        self.w_sort.observe(lambda _c: self._resort(), names="value")
        self.w_desc.observe(lambda _c: self._resort(), names="value")
        self.w_size.observe(lambda _c: self.go(0), names="value")
        self.w_prev.on_click(lambda _b: self.go(self.page - 1))
        self.w_next.on_click(lambda _b: self.go(self.page + 1))
        bar = W.HBox(
            [self.w_sort, self.w_desc, self.w_size, self.w_prev, self.w_next, self.w_where]
        )
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
            self._view = self.df.sort_values(
                col, ascending=not self.w_desc.value, kind="stable", na_position="last"
            )
        else:
            self._view = self.df
        self.go(0)

    def go(self, page: int) -> None:
        self.page = min(max(0, page), self.pages - 1)
        self._render()

    def page_frame(self) -> pd.DataFrame:
        """The rows on the current page."""
        size = self.w_size.value
        return self._view.iloc[self.page * size : (self.page + 1) * size]

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
        table = self.page_frame().to_html(
            index=False, escape=True, na_rep="", border=0, classes="wb-results"
        )
        # dir="auto": right-to-left text (Urdu, Arabic, Hebrew) displays in its own direction.
        table = table.replace("<td>", '<td dir="auto">')
        self.w_html.value = (
            f'<div style="max-height:520px;overflow:auto;font-size:12px">{table}</div>'
        )


class ResultPanel(W.VBox):
    """Base of the panels that run something and browse its result.

    Sets up ``result``, ``w_add``, ``w_status``, ``table`` and ``on_add_to_evidence`` (by default
    collecting into the case typed in ``w_case``, which the subclass must create first).
    """

    def _init_result(self, on_add_to_evidence: AddToEvidence | None, page_size: int) -> None:
        self.result: pd.DataFrame | None = None
        self.w_add = W.Button(description="Add to evidence", icon="plus", disabled=True)
        self.w_status = W.HTML()
        self.table = ResultsTable(page_size)
        self.on_add_to_evidence = on_add_to_evidence or _add_to_case_evidence(
            lambda: self.w_case.value.strip() or None
        )
        self.w_add.on_click(lambda _b: self.add_to_evidence())

    def _status(self, message: str, error: bool = False) -> None:
        self.w_status.value = status_html(message, "error" if error else "info")

    def _run_and_show(self, call: Callable[[], pd.DataFrame]) -> pd.DataFrame | None:
        """Run ``call``; show its result, row count, duration and warnings, or its error as one line."""
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                df = call()
        except WorkbenchError as exc:
            self._status(str(exc), error=True)
            return None
        self.result = df
        self.table.show(df)
        prov = df.attrs.get("provenance", {})
        notes = [str(w.message) for w in caught]
        self._status(
            f"{len(df):,} rows in {prov.get('duration_ms', 0):.0f} ms"
            + "".join(f" · {n}" for n in notes)
        )
        self.w_add.disabled = False
        return df

    def add_to_evidence(self) -> Any:
        """Hand the last result to ``on_add_to_evidence``; shows what it returned."""
        if self.result is None:
            return None
        try:
            out = self.on_add_to_evidence(self.result)
        except WorkbenchError as exc:
            self._status(str(exc), error=True)
            return None
        self._status(str(out) if out is not None else "added to evidence")
        return out
