"""Linked accounts: who shares devices, IPs, payment instruments or photos with the case's
subjects, once each, and a button that makes the chosen ones subjects of the case.

A case often starts from one reported member; the rest of a ring is found here. Adding them is
a change of the case (logged, version-checked) through
:func:`workbench.cases.investigation.add_found_subjects`; every other widget of the notebook
(queries, conversations, timeline, decision form) hears of it through the event hub and covers
the new subjects too.
"""

from __future__ import annotations

import ipywidgets as W
import pandas as pd

from workbench import cases
from workbench.cases import investigation
from workbench.widgets.panel import Panel
from workbench.widgets.results_grid import ResultsGrid


class LinkedAccounts(Panel):
    """``LinkedAccounts(case_id, max_hops=2)``."""

    def __init__(self, case_id: str, *, max_hops: int = 2) -> None:
        self.case_id = case_id
        self.max_hops = max_hops
        self.found: pd.DataFrame = pd.DataFrame()
        self.subjects = W.HTML()
        self.grid = ResultsGrid(
            case_id=case_id,
            title="Accounts linked to the subjects (not subjects yet)",
            on_select=self._chosen_changed,
        )
        self.add_btn = W.Button(
            description="Add selected as subjects",
            icon="user-plus",
            button_style="warning",
            disabled=True,
        )
        self.add_btn.on_click(lambda _b: self.attempt(self.add_selected))
        self.message = self.status_line()
        super().__init__([self.subjects, self.grid, W.HBox([self.add_btn]), self.message])
        self.add_class("wb-linked-accounts")
        self.attempt(self.refresh)
        self.listen(case_id, ("subjects",), self.refresh)

    def refresh(self) -> None:
        case = cases.get(self.case_id)
        self.subjects.value = (
            f"<small>subjects now: {' '.join(map(str, case.subjects)) or 'none'} · links up to "
            f"{self.max_hops} hops</small>"
        )
        self.found = investigation.linked_candidates(self.case_id, max_hops=self.max_hops)
        self.grid.show(self.found)

    def _chosen_changed(self, rows: pd.DataFrame) -> None:
        k = len(rows)
        self.add_btn.disabled = k == 0
        self.add_btn.description = f"Add {k} as subjects" if k else "Add selected as subjects"

    def add_selected(self) -> str:
        ids = [int(u) for u in self.grid.selected["linked_user_id"]]
        case = cases.get(self.case_id)
        investigation.add_found_subjects(self.case_id, ids, expected_version=case.version)
        return f"added {len(ids)} subject{'s' if len(ids) != 1 else ''}: {' '.join(map(str, ids))}"
