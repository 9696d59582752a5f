"""Profile card: the account, profile fields, photos (blurred) and the history of changes.

Special-category fields (orientation, gender identity, health) stay hidden until the specialist
gives a reason and ticks *Show special-category fields*; they never appear by accident on a
shared screen, and the reason is recorded with the read (``content.special_fields``).
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from workbench import content
from workbench.widgets.photo_grid import PhotoGrid

_ACCOUNT = (
    "user_id",
    "handle",
    "display_name",
    "email",
    "phone",
    "country",
    "language",
    "created_at",
    "status",
    "verified",
)


def _rows(d: dict, keys) -> str:
    out = []
    for k in keys:
        if k in d:
            v = d[k]
            out.append(
                f"<tr><th style='text-align:left;padding-right:10px'>{html.escape(k)}</th>"
                f"<td dir='auto'>{html.escape('' if v is None else str(v))}</td></tr>"
            )
    return "<table>" + "".join(out) + "</table>"


def changes_html(changes: pd.DataFrame, limit: int = 200) -> str:
    """The change history as an escaped HTML table, newest first."""
    if changes.empty:
        return "<i>No recorded changes.</i>"
    head = "<tr><th>when (UTC)</th><th>field</th><th>old</th><th>new</th></tr>"
    body = "".join(
        f"<tr><td>{html.escape(pd.Timestamp(r.ts).strftime('%Y-%m-%d %H:%M'))}</td>"
        f"<td>{html.escape(str(r.field))}</td>"
        f"<td dir='auto'>{html.escape('' if r.old_value is None or pd.isna(r.old_value) else str(r.old_value))}</td>"
        f"<td dir='auto'>{html.escape('' if r.new_value is None or pd.isna(r.new_value) else str(r.new_value))}</td></tr>"
        for r in changes.head(limit).itertuples()
    )
    return f"<table>{head}{body}</table>"


class ProfileCardView(w.VBox):
    """``ProfileCardView(user_id, case_id=...)``; photos need a case (reveals are recorded on it)."""

    def __init__(self, user_id: int, *, case_id: str | None = None) -> None:
        self.case_id = case_id
        self.card = content.profile(user_id, case=case_id)
        u, p = self.card.user, self.card.profile
        self.header = w.HTML(
            f"<h3 style='margin:4px 0' dir='auto'>{html.escape(str(u.get('display_name') or ''))} "
            f"<small>@{html.escape(str(u.get('handle') or ''))} · user {self.card.user_id}"
            f"{' · ✔ verified' if u.get('verified') else ''} · {html.escape(str(u.get('status')))}</small></h3>"
        )
        self.account = w.HTML(_rows(u, _ACCOUNT))
        self.fields = w.HTML(_rows(p, [k for k in p if k != "user_id"]))
        self.special_toggle = w.Checkbox(
            value=False, indent=False, description="Show special-category fields"
        )
        self.special_reason = w.Text(
            placeholder="why you need to see them (recorded)", description="Reason"
        )
        self.special = w.HTML()
        self.special_toggle.observe(lambda _: self._special(), names="value")
        self.history = w.HTML(changes_html(self.card.changes))
        parts = [
            self.header,
            w.HBox([self.account, self.fields]),
            w.HBox([self.special_toggle, self.special_reason]),
            self.special,
        ]
        if case_id is not None:
            self.photos = PhotoGrid.for_user(case_id, self.card.user_id)
            parts.append(self.photos)
        else:
            self.photos = None
            parts.append(
                w.HTML(f"<i>{len(self.card.photos)} photo(s); open with a case to view them.</i>")
            )
        parts += [w.HTML("<h4 style='margin:6px 0'>History of changes</h4>"), self.history]
        super().__init__(parts)
        self._special()

    def _special(self) -> None:
        if not self.special_toggle.value:
            self.special.value = ""
            return
        reason = self.special_reason.value.strip()
        if not reason:
            self.special_toggle.value = False  # (this clears the field, so the note comes after)
            self.special.value = "<i>Give a reason first: it is recorded with the read.</i>"
            return
        fields = content.special_fields(self.card.user_id, reason=reason, case=self.case_id)
        self.special.value = _rows(fields, list(fields))
