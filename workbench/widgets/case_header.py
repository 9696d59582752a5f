"""Case header widget: status, priority, SLA countdown in colour, subjects, and the claim /
assign / status controls. A thin view: every button calls :mod:`workbench.cases`, passing the
version it last showed, so a change made meanwhile in another kernel is refused, not overwritten.
"""

from __future__ import annotations

import html

import ipywidgets as w

from workbench import cases
from workbench.cases import sla
from workbench.hunt import coordinated
from workbench.widgets.panel import Panel


def _badge(text: str, colour: str) -> str:
    return (
        f"<span style='background:{colour};color:white;border-radius:4px;padding:1px 6px;"
        f"margin-right:6px;font-size:90%'>{html.escape(text)}</span>"
    )


PRIORITY_COLOURS = {"P0": "#b71c1c", "P1": "#e65100", "P2": "#1565c0", "P3": "#546e7a"}


class CaseHeader(Panel):
    """``CaseHeader("ESC-2026-000123")``; ``show_reporters=True`` only in team-internal views."""

    def __init__(self, case_id: str, *, show_reporters: bool = False) -> None:
        self.case_id = case_id
        self.show_reporters = show_reporters
        self.case = cases.get(case_id)
        self.title = w.HTML()
        self.clocks = w.HTML()
        self.people = w.HTML()
        self.flags = w.HTML()  # coordinated reporting, when the hunt marked it
        self.message = self.status_line()
        self.claim_btn = w.Button(
            description="Claim", icon="hand-paper-o", tooltip="Take this case"
        )
        self.assignee = w.Text(placeholder="analyst name", layout=w.Layout(width="160px"))
        self.assign_btn = w.Button(description="Assign")
        self.status = w.Dropdown(description="Move to", layout=w.Layout(width="220px"))
        self.reason = w.Text(
            placeholder="reason (required to reopen)", layout=w.Layout(width="260px")
        )
        self.status_btn = w.Button(description="Apply")
        self.refresh_btn = w.Button(description="Reload", icon="refresh")
        self.claim_btn.on_click(
            lambda _: self._act(lambda v: cases.claim(case_id, expected_version=v))
        )
        self.assign_btn.on_click(
            lambda _: self._act(
                lambda v: cases.assign(
                    case_id, self.assignee.value.strip() or None, expected_version=v
                )
            )
        )
        self.status_btn.on_click(
            lambda _: self._act(
                lambda v: cases.set_status(
                    case_id, self.status.value, reason=self.reason.value, expected_version=v
                )
            )
        )
        self.refresh_btn.on_click(lambda _: self.reload())
        controls = w.HBox(
            [
                self.claim_btn,
                self.assignee,
                self.assign_btn,
                self.status,
                self.reason,
                self.status_btn,
                self.refresh_btn,
            ]
        )
        super().__init__([self.title, self.clocks, self.people, self.flags, controls, self.message])
        self.add_class("wb-case-header")
        self._render()
        # changes made by the other widgets of this notebook (a decision, subjects added, a
        # note): show them and act on the version they made
        self.listen(case_id, ("case", "subjects", "notes", "decision"), self._reread)

    def _reread(self) -> None:
        self.case = cases.get(self.case_id)
        self._render()

    def reload(self) -> None:
        self.case = cases.get(self.case_id)
        self.message.value = ""
        self._render()

    def _act(self, change) -> None:
        case = self.attempt(lambda: change(self.case.version))
        if case is not None:
            self.case = case
            self._render()

    def _render(self) -> None:
        c = self.case
        st = sla.clocks(c)
        self.title.value = (
            f"<h3 style='margin:4px 0'>{html.escape(c.case_id)}: "
            f"{html.escape(c.title)}</h3>"
            + _badge(c.status, "#37474f")
            + _badge(c.priority, PRIORITY_COLOURS.get(c.priority, "#546e7a"))
            + _badge(c.category, "#6d4c41")
            + f"<span>assignee: <b>{html.escape(c.assignee or 'unassigned')}</b>"
            f" · version {c.version}</span>"
        )
        parts = []
        for clock in (st.first_response, st.resolution):
            label = clock.name.replace("_", " ")
            parts.append(
                _badge(f"{label}: {clock.countdown()}", clock.colour)
                + f"<small>due {html.escape(sla.show_time(clock.due))}</small>"
            )
        if st.preservation:
            parts.append(
                _badge(f"preservation: {st.preservation.state}", sla.COLOURS[st.preservation.state])
                + f"<small>keep data until {html.escape(sla.show_time(st.preservation.due))}</small>"
            )
        self.clocks.value = "<br>".join(parts)
        people = f"subjects: {html.escape(' '.join(map(str, c.subjects)) or 'none')}"
        if c.related:
            people += f" · related: {html.escape(' '.join(c.related))}"
        if self.show_reporters:
            reps = cases.confidential_reporters(c.case_id)
            shown = ", ".join(str(r.user_id) if r.user_id is not None else str(r.ref) for r in reps)
            people += (
                f" · <span style='color:#ad1457'>reporters (CONFIDENTIAL, internal only): "
                f"{html.escape(shown or 'none')}</span>"
            )
        self.people.value = people
        flag = coordinated.describe(coordinated.mark_of(c))
        self.flags.value = (
            f"<div class='wb-flag' style='color:#e65100'><b>⚠</b> {html.escape(flag)}</div>"
            if flag
            else ""
        )
        allowed = list(c.allowed_statuses())
        options = [s for s in allowed if s != "decided"]  # decided comes from the decision form
        self.status.options = options
        self.status.value = options[0] if options else None
        self.status.disabled = self.status_btn.disabled = not options
        self.claim_btn.disabled = c.status == "closed"


def case_header(case_id: str, *, show_reporters: bool = False) -> CaseHeader:
    return CaseHeader(case_id, show_reporters=show_reporters)
