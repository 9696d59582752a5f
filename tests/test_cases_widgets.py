"""Case widgets are thin views: their buttons change the store through the core, show errors
as one line, and refuse stale writes made from another kernel."""

from __future__ import annotations

import pytest

from workbench import cases
from workbench.cases import decisions, notes


@pytest.fixture
def store_analyst() -> str:
    return "widget.user"


def _changed_by_another_process(case_id: str, **fields) -> None:
    """What another kernel's write looks like from here: the row changes in the store, and
    nothing in this process hears of it (no ORM session of ours is involved)."""
    from sqlalchemy import text

    from workbench.store import cases_engine

    sets = ", ".join(f"{k} = :{k}" for k in fields)
    with cases_engine().begin() as conn:
        conn.execute(
            text(f"UPDATE cases SET {sets}, version = version + 1 WHERE case_id = :cid"),
            {**fields, "cid": case_id},
        )


def test_case_header_buttons_and_stale_refusal(store_env):
    from workbench.widgets.case_header import CaseHeader

    c = cases.create(category="legal_request", subjects=[31, 32], reporters=[4242])
    h = CaseHeader(c.case_id)
    assert "31 32" in h.people.value and "4242" not in h.people.value
    assert "first response: due in" in h.clocks.value and "preservation" in h.clocks.value
    assert h.status.options == ("triaged",)
    h.claim_btn.click()
    assert cases.get(c.case_id).assignee == "widget.user" and h.message.value == ""
    h.status_btn.click()
    assert cases.get(c.case_id).status == "triaged"
    _changed_by_another_process(c.case_id, assignee="other.kernel")
    h.assignee.value = "me.again"
    h.assign_btn.click()
    assert "nothing was saved" in h.message.value
    assert cases.get(c.case_id).assignee == "other.kernel"
    h.reload()
    h.assign_btn.click()
    assert cases.get(c.case_id).assignee == "me.again"
    # a change made in this kernel (another widget, a cell) is heard: the header follows it
    cases.set_status(c.case_id, "investigating")
    assert "investigating" in h.title.value
    h.assign_btn.click()
    assert h.message.value == "" and cases.get(c.case_id).assignee == "me.again"
    internal = CaseHeader(c.case_id, show_reporters=True)
    assert "4242" in internal.people.value and "CONFIDENTIAL" in internal.people.value


def test_notes_panel_and_decision_form(store_env):
    from workbench.widgets.decision_form import DecisionForm
    from workbench.widgets.notes import NotesPanel

    c = cases.create(category="impersonation", subjects=[7])
    panel = NotesPanel(c.case_id)
    panel.text.value = "Same photos as **member 8**"
    panel.add_btn.click()
    assert [n.body for n in notes.notes(c.case_id)] == ["Same photos as **member 8**"]
    assert "<strong>member 8</strong>" in panel.list.value and "widget.user" in panel.list.value
    panel.text.value = "<script>alert(1)</script>"
    panel.add_btn.click()
    assert "<script>" not in panel.list.value and "&lt;script&gt;" in panel.list.value
    panel.add_btn.click()  # empty now: refused with a message
    assert "empty" in panel.message.value

    form = DecisionForm(c.case_id)
    assert form.record_btn.disabled  # new: not under investigation yet
    cases.set_status(c.case_id, "triaged")
    cases.set_status(c.case_id, "investigating")
    form = DecisionForm(c.case_id)
    assert form.clauses.value == ("CG-2.1",)  # the category's first clause
    form.rationale.value = ""
    form.record_btn.click()
    assert "rationale" in form.message.value and cases.get(c.case_id).status == "investigating"
    form.rationale.value = "Photos copied from member 8"
    form.action.value = "permanent_ban"
    form.record_btn.click()
    assert decisions.latest_decision(c.case_id).action == "permanent_ban"
    assert cases.get(c.case_id).status == "decided" and form.record_btn.disabled
