"""Decision form: pick clauses and an action, write the rationale, see how closed cases under
the same clauses were decided (precedents), record the decision. Calls
:func:`workbench.decisions.decide` with the case version it showed (stale forms are refused).
"""

from __future__ import annotations

import html

import ipywidgets as w

from workbench import cases
from workbench.cases import decisions
from workbench.cases.sla import show_time
from workbench.cases.taxonomy import taxonomy
from workbench.hunt import coordinated
from workbench.widgets.panel import Panel


class DecisionForm(Panel):
    """``DecisionForm("ESC-2026-000123")``."""

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id
        self.case = cases.get(case_id)
        tax = taxonomy()
        own = tax.categories[self.case.category].clauses
        order = list(own) + [c for c in tax.clauses if c not in own]
        self.clauses = w.SelectMultiple(
            options=[(f"{c} {tax.clauses[c].title}", c) for c in order],
            value=tuple(own[:1]),
            description="Clauses",
            rows=6,
            layout=w.Layout(width="95%"),
        )
        self.action = w.Dropdown(
            options=[(a.title, a.id) for a in tax.actions.values()], description="Action"
        )
        self.subjects = w.SelectMultiple(
            options=list(self.case.subjects),
            value=tuple(self.case.subjects),
            description="Subjects",
        )
        self.rationale = w.Textarea(
            placeholder="Rationale: what the evidence shows and why this action.",
            layout=w.Layout(width="95%", height="80px"),
        )
        self.record_btn = w.Button(description="Record decision", button_style="primary")
        self.message = self.status_line()
        self.precedents = w.HTML()  # not an Output widget: those can stall headless runs
        flag = coordinated.describe(coordinated.mark_of(self.case))
        self.flag = w.HTML(  # beside the precedents: the reports may not be what they seem
            f"<div class='wb-flag' style='color:#e65100'><b>⚠</b> {html.escape(flag)}</div>"
            if flag
            else ""
        )
        self.clauses.observe(lambda _: self.show_precedents(), names="value")
        self.record_btn.on_click(lambda _: self.record())
        super().__init__(
            [
                w.HTML("<h4 style='margin:4px 0'>Decision</h4>"),
                self.clauses,
                self.action,
                self.subjects,
                self.rationale,
                w.HBox([self.record_btn, self.message]),
                w.HTML("<b>Precedents</b> (closed cases under the selected clauses)"),
                self.flag,
                self.precedents,
            ]
        )
        self.add_class("wb-decision-form")
        self.show_precedents()
        self._show_existing()
        # another widget or cell changed the case (status, subjects, a note, a decision): show
        # it, and decide against the version the specialist is now looking at
        self.listen(case_id, ("case", "subjects", "notes", "decision"), self.reload)

    def reload(self) -> None:
        """Read the case again: its version, subjects and whether it is decided."""
        self.case = cases.get(self.case_id)
        chosen = [s for s in self.subjects.value if s in self.case.subjects]
        added = [s for s in self.case.subjects if s not in self.subjects.options]
        self.subjects.options = list(self.case.subjects)
        self.subjects.value = tuple(chosen + added)
        self.record_btn.disabled = False
        self._show_existing()

    def _show_existing(self) -> None:
        last = decisions.latest_decision(self.case_id)
        if last is not None and self.case.status in ("decided", "closed"):
            self.say(f"decided: {last.action} under {', '.join(last.clauses)} by {last.who}")
            self.record_btn.disabled = True
        elif self.case.status not in ("investigating", "waiting"):
            self.say(f"the case is {self.case.status}: move it to investigating to decide")
            self.record_btn.disabled = True

    def show_precedents(self) -> None:
        parts = []
        for clause in self.clauses.value:
            summary = decisions.precedent_summary(clause, exclude_case=self.case_id)
            if summary.empty:
                parts.append(f"<p>{html.escape(clause)}: no closed cases yet</p>")
                continue
            shares = ", ".join(
                f"{r.action_title} {r.cases} ({r.share:.0%})" for r in summary.itertuples()
            )
            parts.append(f"<p><b>{html.escape(clause)}</b>: {html.escape(shares)}</p>")
            recent = decisions.precedents(clause, exclude_case=self.case_id, limit=5)
            recent = recent.assign(decided_at=recent["decided_at"].map(show_time))
            parts.append(
                recent[["case_id", "decided_at", "action", "rationale"]].to_html(
                    index=False, escape=True, border=0
                )
            )
        self.precedents.value = "".join(parts)

    def record(self) -> decisions.Decision | None:
        d = self.attempt(
            lambda: decisions.decide(
                self.case_id,
                clauses=list(self.clauses.value),
                action=self.action.value,
                rationale=self.rationale.value,
                subjects=list(self.subjects.value),
                expected_version=self.case.version,
            ),
            done=lambda d: f"recorded: {d.action} under {', '.join(d.clauses)}",
        )
        if d is not None:
            self.case = cases.get(self.case_id)
            self.record_btn.disabled = True
        return d
