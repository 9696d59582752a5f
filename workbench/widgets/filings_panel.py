"""Filings of a case, in its notebook: the DSA statements of reasons its decision calls for
(checked against the Transparency Database's rules, not yet recorded), what has been filed
(statements, notices, CyberTipline reports, letters: each evidence in custody), the case's
preservation holds, and whether the CyberTipline takes the case.

A thin view over :mod:`workbench.filings`; filing itself stays a deliberate act on the command
line (``workbench filing sor|notice|cybertip|preservation-letter``), which the panel names.
"""

from __future__ import annotations

import html

import ipywidgets as W
import pandas as pd

from workbench import cases
from workbench.filings import cybertip, holds, records, sor
from workbench.widgets.panel import Panel


def _table(df: pd.DataFrame, columns: list[str]) -> str:
    shown = df[[c for c in columns if c in df.columns]]
    return shown.to_html(index=False, escape=True, border=0, classes="wb-filings-table")


class FilingsPanel(Panel):
    """``FilingsPanel("ESC-2026-000123")``; refreshes on a new decision, filing or hold."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        self.due = W.HTML()
        self.filed = W.HTML()
        self.held = W.HTML()
        self.message = self.status_line()
        super().__init__(
            [
                W.HTML("<h4 style='margin:4px 0'>Filings</h4>"),
                self.due,
                self.filed,
                self.held,
                self.message,
            ]
        )
        self.add_class("wb-filings-panel")
        self.attempt(self.show)
        self.listen(case_id, ("decision", "filing", "case"), lambda: self.attempt(self.show))

    def show(self) -> str:
        """Fill the panel; returns its status line."""
        cid = self.case_id
        due = sor.preview(cid)
        if due:
            puids = ", ".join(html.escape(str(b.get("puid", ""))) for b in due)
            self.due.value = (
                f"<p>The decision calls for <b>{len(due)}</b> statement(s) of reasons, checked "
                f"against the Transparency Database's rules ({puids}). File them with "
                f"<code>workbench filing sor {html.escape(cid)}</code> and tell the member with "
                f"<code>workbench filing notice {html.escape(cid)}</code>.</p>"
            )
        else:
            self.due.value = (
                "<p>No statement of reasons is due: no decision restricts anything.</p>"
            )
        try:
            cybertip.check_eligible(cases.get(cid))
            self.due.value += (
                "<p>The CyberTipline takes this case: review each media item "
                f"(<code>workbench filing review-file {html.escape(cid)} ITEM</code>), then "
                f"<code>workbench filing cybertip {html.escape(cid)} --incident …</code>.</p>"
            )
        except cybertip.NotChildSafety:
            pass  # adults only: nothing to say in a case notebook
        filed = records.frame(cid)
        self.filed.value = (
            _table(filed, ["kind", "what", "key", "status", "created_at", "submitted_at"])
            if len(filed)
            else "<p>Nothing filed yet.</p>"
        )
        held = holds.frame(cid)
        self.held.value = (
            "<p><b>Preservation holds</b></p>"
            + _table(held, ["hold", "kind", "request", "due", "days_left", "state", "renewals"])
            if len(held)
            else ""
        )
        return f"{len(due)} due, {len(filed)} filed, {len(held)} holds"
