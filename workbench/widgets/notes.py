"""Notes widget: the case's markdown notes (author, time) and a box to add one."""
from __future__ import annotations

import html

import ipywidgets as w
from IPython.display import Markdown, display

from .. import notes as core
from ..errors import WorkbenchError
from ..sla import show_time


class NotesPanel(w.VBox):
    """``NotesPanel("ESC-2026-000123")``: notes oldest first, newest at the bottom."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        self.list = w.Output()
        self.text = w.Textarea(placeholder="Write a note in markdown…",
                               layout=w.Layout(width="100%", height="90px"))
        self.add_btn = w.Button(description="Add note", icon="plus")
        self.message = w.HTML()
        self.add_btn.on_click(lambda _: self.add())
        super().__init__([w.HTML("<h4 style='margin:4px 0'>Notes</h4>"), self.list, self.text,
                          w.HBox([self.add_btn, self.message])])
        self.refresh()

    def add(self) -> None:
        try:
            core.add_note(self.case_id, self.text.value)
        except WorkbenchError as err:
            self.message.value = f"<span style='color:#c62828'>{html.escape(str(err))}</span>"
            return
        self.text.value = ""
        self.message.value = ""
        self.refresh()

    def refresh(self) -> None:
        items = core.notes(self.case_id)
        self.list.clear_output()
        with self.list:
            if not items:
                display(Markdown("_No notes yet._"))
            for n in items:
                display(Markdown(f"**{n.author}** · {show_time(n.at)}\n\n{n.body}\n\n---"))
