"""Notes widget: the case's markdown notes (author, time) and a box to add one; a note added
anywhere else (another cell, the command line in this kernel) appears too.

Notes render to HTML (raw HTML in a note is escaped, never run) in an ``HTML`` widget rather than
an ``Output`` widget: Output widgets can stall headless runs (Papermill/nbclient).
"""

from __future__ import annotations

import html

import ipywidgets as w
import mistune

from workbench.cases import notes as core
from workbench.cases.sla import show_time
from workbench.widgets.panel import Panel

_markdown = mistune.create_markdown(escape=True)


def render_notes(items: list[core.Note]) -> str:
    """Notes as HTML, oldest first."""
    if not items:
        return "<p><em>No notes yet.</em></p>"
    parts = []
    for n in items:
        parts.append(
            f"<div style='border-left:3px solid #90a4ae;padding:2px 8px;margin:6px 0'>"
            f"<div><b>{html.escape(n.author)}</b> · "
            f"<small>{html.escape(show_time(n.at))}</small></div>{_markdown(n.body)}</div>"
        )
    return "".join(parts)


class NotesPanel(Panel):
    """``NotesPanel("ESC-2026-000123")``: notes oldest first, newest at the bottom."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        self.list = w.HTML()
        self.text = w.Textarea(
            placeholder="Write a note in markdown…", layout=w.Layout(width="100%", height="90px")
        )
        self.add_btn = w.Button(description="Add note", icon="plus")
        self.message = self.status_line()
        self.add_btn.on_click(lambda _: self.add())
        super().__init__(
            [
                w.HTML("<h4 style='margin:4px 0'>Notes</h4>"),
                self.list,
                self.text,
                w.HBox([self.add_btn, self.message]),
            ]
        )
        self.add_class("wb-notes")
        self.refresh()
        self.listen(case_id, ("notes",), self.refresh)  # a note added anywhere shows here

    def add(self) -> None:
        if self.attempt(lambda: core.add_note(self.case_id, self.text.value)) is not None:
            self.text.value = ""

    def refresh(self) -> None:
        self.list.value = render_notes(core.notes(self.case_id))
