"""The ad-hoc SQL editor: one read-only statement behind the same guard, limits and audit log as
the library (it calls :func:`workbench.queries.run.sql`), with the paged, sortable results table.

Use in a notebook: ``SqlEditor(case="ESC-2026-000123")``. Values go in as binds: write
``:user_id`` in the SQL and ``user_id=42`` in the binds box (one ``name=value`` per line;
``a,b,c`` is a list for ``IN :name``).
"""

from __future__ import annotations

import re
from typing import Any

import ipywidgets as W
import pandas as pd

from workbench.errors import InputError
from workbench.queries.run import sql
from workbench.widgets.results_table import AddToEvidence, ResultPanel

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
            raise InputError(
                f"bind line {line.strip()[:40]!r} is not name=value", "e.g. user_id=42"
            )
        out[name.strip()] = _bind_value(value.strip())
    return out


class SqlEditor(ResultPanel):
    """Write one read-only statement, run it (guarded, bounded, audited), browse the result."""

    def __init__(
        self,
        case: str | None = None,
        sql: str = "",
        *,
        on_add_to_evidence: AddToEvidence | None = None,
        page_size: int = 50,
    ) -> None:
        self.w_sql = W.Textarea(
            value=sql,
            placeholder="SELECT ... FROM ... WHERE user_id = :user_id",
            layout=W.Layout(width="100%", height="160px"),
        )
        self.w_binds = W.Textarea(
            placeholder="user_id=42",
            description="Binds",
            layout=W.Layout(width="360px", height="60px"),
        )
        self.w_case = W.Text(description="Case", value=case or "", placeholder="ESC-2026-000123")
        self.w_max = W.BoundedIntText(description="Max rows", value=10_000, min=1, max=10_000_000)
        self.w_run = W.Button(description="Run", button_style="primary", icon="play")
        self._init_result(on_add_to_evidence, page_size)
        self.w_run.on_click(lambda _b: self.run())
        super().__init__(
            [
                self.w_sql,
                W.HBox([self.w_binds, W.VBox([self.w_case, self.w_max])]),
                W.HBox([self.w_run, self.w_add]),
                self.w_status,
                self.table,
            ]
        )

    def run(self) -> pd.DataFrame | None:
        """Run the statement; a refusal or error is shown as one line (None returned)."""

        def call() -> pd.DataFrame:
            binds = parse_binds(self.w_binds.value)
            return sql(
                self.w_sql.value,
                case=self.w_case.value.strip() or None,
                max_rows=int(self.w_max.value),
                **binds,
            )

        return self._run_and_show(call)
