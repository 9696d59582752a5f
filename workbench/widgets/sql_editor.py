"""The ad-hoc SQL editor: one read-only statement behind the same guard, limits and audit log as
the library (it calls :func:`workbench.execute.sql`), with the paged, sortable results table.

Use in a notebook: ``SqlEditor(case="ESC-2026-000123")``. Values go in as binds: write
``:user_id`` in the SQL and ``user_id=42`` in the binds box (one ``name=value`` per line;
``a,b,c`` is a list for ``IN :name``).
"""
from __future__ import annotations

import html
import re
import warnings
from typing import Any

import ipywidgets as W
import pandas as pd

from ..errors import InputError, WorkbenchError
from .query_panel import AddToEvidence, ResultsTable, _default_add_to_evidence

_INT_RE = re.compile(r"^[+-]?\d+$")


def _bind_value(raw: str) -> Any:
    if "," in raw:
        return [_bind_value(v.strip()) for v in raw.split(",") if v.strip()]
    return int(raw) if _INT_RE.match(raw) else raw


def parse_binds(text: str) -> dict[str, Any]:
    """``name=value`` lines into binds (whole numbers become numbers, ``a,b`` a list)."""
    out: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip().isidentifier():
            raise InputError(f"bind line {line.strip()[:40]!r} is not name=value", "e.g. user_id=42")
        out[name.strip()] = _bind_value(value.strip())
    return out


class SqlEditor(W.VBox):
    """Write one read-only statement, run it (guarded, bounded, audited), browse the result."""

    def __init__(self, case: str | None = None, sql: str = "", *,
                 on_add_to_evidence: AddToEvidence | None = None, page_size: int = 50) -> None:
        self.result: pd.DataFrame | None = None
        self.w_sql = W.Textarea(value=sql, placeholder="SELECT ... FROM ... WHERE user_id = :user_id",
                                layout=W.Layout(width="100%", height="160px"))
        self.w_binds = W.Textarea(placeholder="user_id=42", description="Binds",
                                  layout=W.Layout(width="360px", height="60px"))
        self.w_case = W.Text(description="Case", value=case or "", placeholder="ESC-2026-000123")
        self.w_max = W.BoundedIntText(description="Max rows", value=10_000, min=1, max=10_000_000)
        self.w_run = W.Button(description="Run", button_style="primary", icon="play")
        self.w_add = W.Button(description="Add to evidence", icon="plus", disabled=True)
        self.w_status = W.HTML()
        self.table = ResultsTable(page_size)
        self.on_add_to_evidence = (on_add_to_evidence if on_add_to_evidence is not None
                                   else _default_add_to_evidence(lambda: self.w_case.value.strip() or None))
        if self.on_add_to_evidence is None:
            self.w_add.layout.display = "none"
        self.w_run.on_click(lambda _b: self.run())
        self.w_add.on_click(lambda _b: self.add_to_evidence())
        super().__init__([self.w_sql, W.HBox([self.w_binds, W.VBox([self.w_case, self.w_max])]),
                          W.HBox([self.w_run, self.w_add]), self.w_status, self.table])

    def _status(self, message: str, error: bool = False) -> None:
        color = "#b00020" if error else "#333"
        self.w_status.value = f"<span style='color:{color}'>{html.escape(message)}</span>"

    def run(self) -> pd.DataFrame | None:
        """Run the statement; a refusal or error is shown as one line (None returned)."""
        from ..execute import sql

        try:
            binds = parse_binds(self.w_binds.value)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                df = sql(self.w_sql.value, case=self.w_case.value.strip() or None,
                         max_rows=int(self.w_max.value), **binds)
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
        if self.result is None or self.on_add_to_evidence is None:
            return None
        try:
            out = self.on_add_to_evidence(self.result)
        except WorkbenchError as exc:
            self._status(str(exc), error=True)
            return None
        self._status(str(out) if out is not None else "added to evidence")
        return out
