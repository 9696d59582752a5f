"""Conversations of a case's subjects: pick a subject, pick one of their conversations (newest
first, or the one with the reporting member), read it in full with risky phrases marked.

A thin view over :func:`workbench.content.conversations` and :class:`ThreadView`; the subject
list follows the case (a subject added elsewhere appears here).
"""

from __future__ import annotations

import ipywidgets as W
import pandas as pd

from workbench import cases, content
from workbench.config import settings
from workbench.widgets.panel import Panel
from workbench.widgets.thread_view import ThreadView


class Conversations(Panel):
    """``Conversations(case_id, prefer=None)``: ``prefer`` lists members whose conversation with
    a subject is opened first (the reporting members, say)."""

    def __init__(self, case_id: str, *, prefer: list[int] | None = None) -> None:
        self.case_id = case_id
        self.prefer = [int(u) for u in prefer or []]
        self.table: pd.DataFrame = pd.DataFrame()
        self.w_subject = W.Dropdown(description="Subject", layout=W.Layout(width="260px"))
        self.w_conversation = W.Dropdown(description="With", layout=W.Layout(width="560px"))
        self.summary = W.HTML()
        self.thread = W.VBox()
        self.message = self.status_line()
        self._updating = False  # set while the code fills the selectors (no callbacks then)
        self.w_subject.observe(lambda _c: self._chosen(self._subject_chosen), names="value")
        self.w_conversation.observe(lambda _c: self._chosen(self._show_thread), names="value")
        super().__init__(
            [W.HBox([self.w_subject, self.w_conversation]), self.summary, self.thread, self.message]
        )
        self.add_class("wb-conversations")
        self.attempt(self.refresh)
        self.listen(case_id, ("subjects",), self.refresh)

    def _chosen(self, then) -> None:
        if not self._updating:
            self.attempt(then)

    def refresh(self) -> None:
        subjects = cases.get(self.case_id).subjects
        keep = self.w_subject.value
        if not subjects:
            self.summary.value = "<i>The case has no subjects.</i>"
            return
        preferred = next((u for u in subjects if self._with_preferred(u)), subjects[0])
        self._updating = True
        try:
            self.w_subject.options = [(f"user {u}", u) for u in subjects]
            self.w_subject.value = keep if keep in subjects else preferred
        finally:
            self._updating = False
        self._subject_chosen()

    def _with_preferred(self, subject: int) -> bool:
        if not self.prefer:
            return False
        conv = content.conversations(subject)
        return bool(conv["other_user_id"].isin(self.prefer).any())

    def _subject_chosen(self) -> None:
        subject = self.w_subject.value
        if subject is None:
            return
        self.table = content.conversations(subject)
        tz = settings().tz
        n = len(self.table)
        self.summary.value = (
            f"<small>user {int(subject)}: {n} conversation{'s' if n != 1 else ''}, newest first"
            f" (times in {tz.key})</small>"
        )
        options = [
            (
                f"user {int(r.other_user_id)} · {int(r.messages)} messages · last "
                f"{pd.Timestamp(r.last_at).tz_convert(tz.key):%Y-%m-%d %H:%M}",
                int(r.conversation_id),
            )
            for r in self.table.itertuples()
        ]
        first = self.table[self.table["other_user_id"].isin(self.prefer)]
        chosen = (
            int((first if len(first) else self.table)["conversation_id"].iloc[0]) if n else None
        )
        self._updating = True
        try:
            self.w_conversation.options = options
            self.w_conversation.value = chosen
        finally:
            self._updating = False
        self._show_thread()

    def _show_thread(self) -> None:
        cid = self.w_conversation.value
        if cid is None:
            self.thread.children = [W.HTML("<i>No conversations.</i>")]
            return
        self.thread.children = [ThreadView(int(cid), right_user=self.w_subject.value)]
