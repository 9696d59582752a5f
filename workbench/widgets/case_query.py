"""A library query over every subject of a case, in the results grid, with a subject selector.

``CaseQuery(case_id, "messages_by_user", start=since)`` runs the query once per subject (audited
against the case; :func:`workbench.cases.investigation.for_subjects`) and shows all of them,
``subject_id`` first; the selector narrows the view to one subject without asking the
database again. When the case gains subjects (a linked account added, say), the query runs
again for all of them. ``per_subject=False`` runs a query that takes no user (a keyword search)
once.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import pandas as pd

from workbench import cases
from workbench.cases import investigation
from workbench.queries import library
from workbench.queries.run import query
from workbench.widgets.panel import Panel
from workbench.widgets.results_grid import ResultsGrid

ALL = -1


def subject_options(subjects: tuple[int, ...]) -> list[tuple[str, int]]:
    """The selector's choices: every subject at once, then each one."""
    return [(f"all {len(subjects)} subjects", ALL)] + [(f"user {u}", u) for u in subjects]


class CaseQuery(Panel):
    """``CaseQuery(case_id, name, per_subject=True, **params)``."""

    def __init__(
        self,
        case_id: str,
        name: str,
        *,
        per_subject: bool = True,
        title: str | None = None,
        **params: Any,
    ) -> None:
        self.case_id = case_id
        self.name = name
        self.params = params
        self.per_subject = per_subject
        self.query = library.get(name)
        self.result: pd.DataFrame = pd.DataFrame()
        self.w_subject = W.Dropdown(description="Subject", layout=W.Layout(width="260px"))
        self.w_rerun = W.Button(description="Run again", icon="refresh")
        self.grid = ResultsGrid(case_id=case_id, title=title or self.query.title)
        self.message = self.status_line()
        self._updating = False
        self.w_subject.observe(lambda _c: None if self._updating else self._narrow(), names="value")
        self.w_rerun.on_click(lambda _b: self.attempt(self.run))
        bar = W.HBox([self.w_subject, self.w_rerun] if per_subject else [self.w_rerun])
        super().__init__([bar, self.grid, self.message])
        self.add_class("wb-case-query")
        self.attempt(self.run)
        if per_subject:
            self.listen(case_id, ("subjects",), self.run)

    def run(self) -> pd.DataFrame:
        """Run the query (for every current subject) and show it."""
        if self.per_subject:
            subjects = cases.get(self.case_id).subjects
            keep = self.w_subject.value
            self._updating = True
            try:
                self.w_subject.options = subject_options(subjects)
                self.w_subject.value = keep if keep in (ALL, *subjects) else ALL
            finally:
                self._updating = False
            self.result = investigation.for_subjects(self.name, self.case_id, **self.params)
        else:
            self.result = query(self.name, case=self.case_id, **self.params)
        self._narrow()
        return self.result

    def _narrow(self) -> None:
        df, chosen = self.result, self.w_subject.value
        if self.per_subject and chosen not in (None, ALL) and investigation.SUBJECT in df:
            shown = df[df[investigation.SUBJECT] == chosen].reset_index(drop=True)
            shown.attrs = df.attrs
            df = shown
        self.grid.show(df)
