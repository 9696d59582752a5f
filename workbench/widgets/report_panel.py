"""Generate the case's investigation report from its notebook: pick the audience, press the
button, get the notebook and HTML paths (both recorded as evidence, so the tray lists them).

A thin view over :func:`workbench.reports.run` (Papermill in a kernel of its own; this kernel
waits meanwhile and says so).
"""

from __future__ import annotations

import html

import ipywidgets as W

from workbench import reports
from workbench.errors import WorkbenchError
from workbench.evidence.redaction import AUDIENCES
from workbench.widgets.panel import Panel


class ReportPanel(Panel):
    """``ReportPanel(case_id, audience="internal")``."""

    def __init__(self, case_id: str, *, audience: str = "internal") -> None:
        self.case_id = case_id
        self.result: reports.ReportResult | None = None
        self.audience = W.Dropdown(options=list(AUDIENCES), value=audience, description="Audience")
        self.run_btn = W.Button(
            description="Generate report", icon="file-text", button_style="primary"
        )
        self.files = W.HTML()
        self.message = self.status_line()
        self.run_btn.on_click(lambda _b: self.attempt(self.generate))
        super().__init__([W.HBox([self.audience, self.run_btn]), self.message, self.files])
        self.add_class("wb-report-panel")

    def generate(self) -> str:
        self.say(f"generating the {self.audience.value} report… (a minute at most)")
        self.run_btn.disabled = True
        try:
            res = reports.run(self.case_id, audience=self.audience.value)
        finally:
            self.run_btn.disabled = False
        self.result = res
        if not res.ok:
            kept = f" (notebook kept: {res.notebook})" if res.notebook else ""
            raise WorkbenchError(f"the report failed: {res.error}{kept}")
        self.files.value = (
            "<ul class='wb-report-files'>"
            f"<li>notebook <code>{html.escape(str(res.notebook))}</code></li>"
            f"<li>HTML <code>{html.escape(str(res.html))}</code></li>"
            f"<li>evidence {html.escape(', '.join(res.evidence))}</li></ul>"
        )
        return f"report written in {res.seconds:.1f} s"
