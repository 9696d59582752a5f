"""The event hub: a committed change of a case is told to the listeners of that case and topic,
once, after the commit; a rolled-back write tells nobody; a failing listener never reaches the
writer; widgets refresh each other through it."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from workbench import cases, events
from workbench.cases import notes
from workbench.errors import WorkbenchError
from workbench.evidence import items as evidence


def _recorder(case_id: str, topics: tuple[str, ...]):
    heard: list[str] = []
    sub = events.subscribe(case_id, topics, lambda ev: heard.append(ev.topic))
    return heard, sub


def test_committed_changes_are_told_to_the_listeners_of_that_case(store_env):
    a = cases.create(category="scam_fraud", subjects=[1]).case_id
    b = cases.create(category="scam_fraud", subjects=[2]).case_id
    heard, sub = _recorder(a, ("notes", "evidence", "subjects", "case", "decision"))
    other, _ = _recorder(b, ("notes",))
    notes.add_note(a, "first look")
    assert heard == ["notes"]  # the version bump on the case row alone is no news
    evidence.add_note(a, "an evidence note")
    cases.add_subjects(a, [3])
    cases.claim(a)
    assert heard == ["notes", "evidence", "subjects", "case"]
    assert other == []
    sub.close()
    notes.add_note(a, "after closing")
    assert heard == ["notes", "evidence", "subjects", "case"]


def test_a_rolled_back_write_tells_nobody_and_a_failing_listener_is_contained(store_env):
    cid = cases.create(category="scam_fraud", subjects=[1]).case_id
    heard, _ = _recorder(cid, ("notes",))
    with pytest.raises(WorkbenchError):
        notes.add_note(cid, "   ")  # refused before anything is written
    from workbench.store import session
    from workbench.store.models import NoteRow

    with pytest.raises(RuntimeError), session() as s:
        s.add(NoteRow(case_id=cid, author="x", body="never", at=pd.Timestamp.now(tz="UTC")))
        s.flush()
        raise RuntimeError("the unit of work fails after its flush")
    assert heard == []

    def broken(_ev):
        raise ZeroDivisionError

    events.subscribe(cid, ("notes",), broken)
    notes.add_note(cid, "still saved")  # the writer does not see the listener's failure
    assert [n.body for n in notes.notes(cid)] == ["still saved"]
    assert heard == ["notes"]


def test_listeners_are_held_weakly_and_topics_are_checked(store_env):
    cid = cases.create(category="scam_fraud", subjects=[1]).case_id

    class Widget:
        def __init__(self):
            self.n = 0
            events.subscribe(cid, ("notes",), self.on_change)

        def on_change(self, _ev):
            self.n += 1

    w = Widget()
    notes.add_note(cid, "one")
    assert w.n == 1
    del w
    gc.collect()
    assert events.publish(cid, "notes") == 0
    with pytest.raises(ValueError, match="unknown topic"):
        events.subscribe(cid, ("gossip",), print)


def test_widgets_hear_each_other_through_the_hub(wb_env):
    """What the specialist saw: after the timeline added events to evidence, the tray still
    said "No evidence yet". Now the tray, notes and decision form refresh themselves."""
    from sqlalchemy import text

    from workbench.platform.engine import platform_engine
    from workbench.widgets.decision_form import DecisionForm
    from workbench.widgets.evidence_tray import EvidenceTray
    from workbench.widgets.notes import NotesPanel
    from workbench.widgets.timeline_view import TimelineView

    with platform_engine().connect() as conn:
        subject = conn.execute(text("SELECT min(sender_id) FROM messages")).scalar()
    cid = cases.create(category="scam_fraud", summary="hub", subjects=[subject]).case_id
    cases.set_status(cid, "triaged")
    cases.set_status(cid, "investigating")
    tray = EvidenceTray(cid)
    panel = NotesPanel(cid)
    form = DecisionForm(cid)
    timeline = TimelineView(case=cid)
    assert "No evidence yet" in tray.table.value
    events_in_view = timeline.view.events
    assert len(events_in_view) >= 5
    timeline.select(list(events_in_view["ref"][:5]))
    timeline.b_evidence.click()
    assert "E0001" in tray.table.value and "No evidence yet" not in tray.table.value
    assert "E0001" in [v for _, v in tray.picker.options]

    notes.add_note(cid, "written in another cell")  # the core, not the widget
    assert "written in another cell" in panel.list.value
    # the note bumped the case's version; the form follows, so recording is not refused
    form.rationale.value = "Money requests confirmed"
    form.record_btn.click()
    assert "recorded" in form.message.value, form.message.value
    assert cases.get(cid).status == "decided"
