"""The filings panel of a case notebook: the statements the decision calls for (checked, not
recorded), what has been filed, the case's holds; it follows the decision and new filings."""

from __future__ import annotations

from datetime import UTC, datetime

from filings_support import decide, planted, work

pytest_plugins = ["filings_fixtures"]  # filed_store, demo_env


def test_the_panel_follows_the_decision_and_the_filings(demo_env):
    from workbench.cases import decisions
    from workbench.filings import records, sor
    from workbench.widgets import FilingsPanel

    case = planted()["impersonation"]
    work(case)
    panel = FilingsPanel(case)
    assert "No statement of reasons is due" in panel.due.value
    assert "Nothing filed yet" in panel.filed.value and panel.held.value == ""
    assert "CyberTipline" not in panel.due.value  # adults only
    decide(case, "impersonation")  # a restriction: the hub tells the panel
    assert decisions.latest_decision(case) is not None
    due = sor.preview(case)
    assert due and f"<b>{len(due)}</b> statement(s)" in panel.due.value
    assert all(b["puid"] in panel.due.value for b in due)
    assert "workbench filing sor" in panel.due.value
    assert records.for_case(case) == []  # the panel recorded nothing
    sor.prepare_case(case)  # filed (evidence in custody): the panel hears it
    assert records.frame(case)["key"].tolist()[0] in panel.filed.value
    assert "Nothing filed yet" not in panel.filed.value
    assert panel.message.value and "filed" in panel.message.value


def test_the_panel_lists_holds_and_says_when_the_cybertipline_takes_a_case(demo_env):
    from workbench import cases
    from workbench.filings import holds
    from workbench.widgets import FilingsPanel

    le = planted()["law_enforcement_request"]
    holds.record_request(
        le,
        "LE-7",
        agency="Metro Police Department (fictional)",
        received_at=datetime(2026, 10, 1, 14, 0, tzinfo=UTC),
        data_types=["logins"],
        start="2026-01-01T00:00Z",
        end="2026-10-01T00:00Z",
    )
    panel = FilingsPanel(le)
    assert "Preservation holds" in panel.held.value and "LE-7" in panel.held.value
    minor = cases.create(category="minor_safety", subjects=cases.get(le).subjects[:1])
    assert "The CyberTipline takes this case" in FilingsPanel(minor.case_id).due.value
