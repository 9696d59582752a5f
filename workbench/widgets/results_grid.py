"""The results grid: a query result as an interactive table (sort, filter per column, search,
pages), key columns first, times in the display zone to the second, a plain "no rows" line, and
the selected rows (or all of them) added to the case's evidence.

Built on itables' ``ITable`` (DataTables in an anywidget; no JupyterLab extension of its own,
and anywidget is already installed). Chosen over ipydatagrid because it works offline in
JupyterLab and Voilà with nothing but what we ship, needs no further dependencies, has search,
per-column filters and paging, escapes HTML in cells, and reports the selection as positions
in the frame we gave it (stable under sorting and filtering) — exactly what "add these rows to
evidence" needs. Settings that matter: ``maxBytes=0`` (itables would otherwise downsample large
frames silently; the grid caps rows itself and says so), and ``ITABLES_CONFIG=""`` (itables
would otherwise read ``[tool.itables]`` from any ``pyproject.toml`` above the working folder).

The grid shows a *display copy* (:func:`display_frame`); evidence always receives the rows of
the original result, with its provenance.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import ipywidgets as W
import pandas as pd

from workbench.config import settings
from workbench.errors import InputError, WorkbenchError
from workbench.evidence import items as evidence
from workbench.widgets.panel import Panel

# Columns a specialist reads first, in this order, when a result has them: who, when, what.
# The rest follow in the query's own order (the grid scrolls sideways; nothing is cut off).
KEY_COLUMNS = (
    "subject_id",
    "user_id",
    "linked_user_id",
    "hops",
    "reasons",
    "via",
    "ts",
    "sent_at",
    "created_at",
    "decided_at",
    "at",
    "kind",
    "direction",
    "counterpart_id",
    "sender_id",
    "recipient_id",
    "other_user_id",
    "distance",
    "country",
    "new_country",
    "new_device",
    "new_both",
    "success",
    "field",
    "old_value",
    "new_value",
    "from_new_device",
    "amount",
    "currency",
    "status",
    "reason",
    "action",
    "clause",
    "summary",
    "body",
    "matched_terms",
    "free_text",
)
MAX_SHOWN = 20_000  # rows sent to the browser (1.4 MB of JSON); the kernel keeps them all
PAGE_LENGTHS = [10, 25, 50, 100]
NA = "—"


def ordered_columns(columns: Sequence[str], key: Sequence[str] = KEY_COLUMNS) -> list[str]:
    """``columns`` with the key ones first (in ``key``'s order), the others as they came."""
    first = [c for c in key if c in columns]
    return first + [c for c in columns if c not in first]


def _cell(value: Any) -> str:
    if value is None:
        return NA
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    try:
        if pd.isna(value):
            return NA
    except (TypeError, ValueError):
        pass
    return str(value)


def display_frame(df: pd.DataFrame, tz: ZoneInfo, key: Sequence[str] = KEY_COLUMNS) -> pd.DataFrame:
    """What the grid shows: key columns first; times converted to ``tz`` and written to the
    second (``2026-10-23 14:49:06``; the zone is named beside the grid); numbers kept as numbers
    so they sort as numbers; missing values, lists and other objects as readable text."""
    out = pd.DataFrame(index=range(len(df)))
    for col in ordered_columns([str(c) for c in df.columns], key):
        s = df[col].reset_index(drop=True)
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            local = s.dt.tz_convert(tz.key)
            out[col] = local.dt.strftime("%Y-%m-%d %H:%M:%S").fillna(NA).astype(object)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):  # zoneless: stored UTC
            local = s.dt.tz_localize("UTC").dt.tz_convert(tz.key)
            out[col] = local.dt.strftime("%Y-%m-%d %H:%M:%S").fillna(NA).astype(object)
        elif pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
            out[col] = s.map({True: "yes", False: "no"}).astype(object)
        elif pd.api.types.is_numeric_dtype(s.dtype) and not s.isna().any():
            out[col] = s
        elif s.dtype == object and s.map(lambda v: isinstance(v, pd.Timestamp)).any():
            out[col] = s.map(
                lambda v: (
                    pd.Timestamp(v).tz_convert(tz.key).strftime("%Y-%m-%d %H:%M:%S")
                    if isinstance(v, pd.Timestamp) and v.tzinfo
                    else _cell(v)
                )
            ).astype(object)
        else:
            out[col] = s.map(_cell).astype(object)
    return out


def _itable_class():
    # no itables.toml or [tool.itables] from whatever folder the kernel runs in
    os.environ["ITABLES_CONFIG"] = ""
    from itables.widget import ITable

    return ITable


class ResultsGrid(Panel):
    """``ResultsGrid(df, case_id="ESC-2026-000123", title="messages of 787")``.

    ``selected`` is the original rows the specialist selected; "Add selected to evidence"
    (and "Add all") collect them into the case with their provenance. ``on_select(frame)`` is
    called with the selected original rows after every change of the selection.
    """

    def __init__(
        self,
        df: pd.DataFrame | None = None,
        *,
        case_id: str | None = None,
        title: str | None = None,
        key_columns: Sequence[str] = KEY_COLUMNS,
        page_length: int = 10,
        on_select: Callable[[pd.DataFrame], Any] | None = None,
        collect: bool = True,
    ) -> None:
        self.case_id = case_id
        self.title = title
        self.key_columns = tuple(key_columns)
        self.on_select = on_select
        self.df: pd.DataFrame = pd.DataFrame()
        self.selected: pd.DataFrame = pd.DataFrame()
        self.page_length = page_length if page_length in PAGE_LENGTHS else PAGE_LENGTHS[0]
        self.caption = W.HTML()
        self.empty = W.HTML()
        self.grid = _itable_class()(
            pd.DataFrame(),
            select=True,
            maxBytes=0,
            pageLength=self.page_length,
            lengthMenu=PAGE_LENGTHS,
            scrollX=True,
            showIndex=False,
            columnControl=["order", ["search"]],
            ordering={"indicators": False, "handler": False},
            classes="display nowrap compact cell-border",
        )
        self.grid.observe(lambda _c: self._selection_changed(), names="selected_rows")
        self.add_selected_btn = W.Button(
            description="Add selected to evidence", icon="plus", disabled=True
        )
        self.add_all_btn = W.Button(description="Add all to evidence", icon="archive")
        self.add_selected_btn.on_click(lambda _b: self.attempt(self.add_selected))
        self.add_all_btn.on_click(lambda _b: self.attempt(self.add_all))
        self.tools = W.HBox([self.add_selected_btn, self.add_all_btn])
        if not collect or case_id is None:
            self.tools.layout.display = "none"
        self.message = self.status_line()
        super().__init__([self.caption, self.empty, self.grid, self.tools, self.message])
        self.add_class("wb-results-grid")
        self.show(df if df is not None else pd.DataFrame())

    # -- data in
    def show(self, df: pd.DataFrame, title: str | None = None) -> None:
        """Show a new result (the selection is cleared)."""
        if title is not None:
            self.title = title
        had_selection = len(self.selected) > 0
        self.df = df
        self.selected = df.iloc[0:0]
        tz = settings().tz
        shown = display_frame(df.head(MAX_SHOWN), tz, self.key_columns)
        n = len(df)
        has_time = any(
            isinstance(df[c].dtype, pd.DatetimeTZDtype)
            or pd.api.types.is_datetime64_any_dtype(df[c].dtype)
            for c in df.columns
        )
        parts = [f"<b>{html.escape(self.title)}</b> · " if self.title else ""]
        parts.append(f"{n:,} row{'s' if n != 1 else ''}")
        if n > MAX_SHOWN:
            parts.append(f" (the first {MAX_SHOWN:,} shown; evidence takes all)")
        if has_time:
            parts.append(f" · times in {html.escape(tz.key)}")
        self.caption.value = f"<small class='wb-grid-caption'>{''.join(parts)}</small>"
        if n == 0:
            what = "no rows" if len(df.columns) else "no result yet"
            self.empty.value = f"<div class='wb-no-rows' style='color:#57606a'><i>{what}</i></div>"
            self.empty.layout.display = ""
            self.grid.layout.display = "none"
        else:
            self.empty.value = ""
            self.empty.layout.display = "none"
            self.grid.layout.display = ""
        self.grid.update(shown, selected_rows=[])
        self.add_all_btn.disabled = n == 0
        self._selection_changed(notify=had_selection)  # a new result clears the selection

    # -- selection and evidence
    def _selection_changed(self, notify: bool = True) -> None:
        rows = [r for r in self.grid.selected_rows if 0 <= r < len(self.df)]
        self.selected = self.df.iloc[rows]
        k = len(rows)
        self.add_selected_btn.description = (
            f"Add {k} selected to evidence" if k else "Add selected to evidence"
        )
        self.add_selected_btn.disabled = k == 0
        if notify and self.on_select is not None:
            self._guarded(lambda: self.on_select(self.selected))  # type: ignore[misc]

    def select(self, positions: Sequence[int]) -> pd.DataFrame:
        """Select rows by position in the result (what clicking rows does)."""
        self.grid.selected_rows = [int(p) for p in positions]
        return self.selected

    def _collect(self, df: pd.DataFrame, what: str) -> str:
        if self.case_id is None:
            raise InputError("this grid belongs to no case", "open it with case_id=...")
        if df.empty:
            raise WorkbenchError("no rows selected", "click rows (shift-click for a range) first")
        rows = df.copy()
        rows.attrs = dict(self.df.attrs)  # the query's provenance travels with the rows
        title = f"{self.title or 'query result'} ({what})"
        item = evidence.add_query_result(self.case_id, rows, title=title)
        return f"added {len(rows):,} row{'s' if len(rows) != 1 else ''} to evidence as {item.label}"

    def add_selected(self) -> str:
        return self._collect(self.selected, f"{len(self.selected)} selected rows")

    def add_all(self) -> str:
        return self._collect(self.df, "all rows")
