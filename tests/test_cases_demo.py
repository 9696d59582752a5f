"""Demo cases: one open case per planted scenario in the right category, plus historical cases
with realistic lifecycles before the anchor; deterministic for a seed and idempotent."""

from __future__ import annotations

from datetime import timedelta

from workbench import cases
from workbench.cases import decisions
from workbench.cases.taxonomy import taxonomy
from workbench.demo.cases import file_demo_cases, scenario_people
from workbench.times import parse_timestamp

N_HISTORY = 60


def _fingerprint() -> list[tuple]:
    out = []
    for c in sorted(cases.list_cases(), key=lambda c: c.case_id):
        ds = [(d.action, d.clauses, d.at) for d in decisions.decisions(c.case_id)]
        out.append(
            (
                c.case_id,
                c.external_id,
                c.category,
                c.priority,
                c.status,
                c.assignee,
                c.subjects,
                c.created_at,
                c.decided_at,
                c.closed_at,
                tuple(ds),
            )
        )
    return out


def test_demo_cases(wb_env, ground_truth, tmp_path, monkeypatch):
    from workbench import config
    from workbench.store import dispose_all

    res = file_demo_cases(wb_env, n_history=N_HISTORY, seed=7)
    tax = taxonomy()
    anchor = parse_timestamp(ground_truth["anchor"])
    scenarios = ground_truth["scenarios"]
    assert res.scenario_filed == len(scenarios) == len(res.scenario_cases)
    assert res.history_cases == N_HISTORY
    for i, sc in enumerate(scenarios):
        c = cases.get(res.scenario_cases[i])
        assert c.category == tax.scenario_categories[sc["kind"]]
        assert c.is_open and c.created_at < anchor
        subjects, _ = scenario_people(sc)
        assert c.subjects == tuple(subjects) and c.subjects
        if sc["kind"] == "false_reporting":  # the mass-reported member is the subject
            assert c.category == "false_reporting" and len(c.subjects) == 1
            assert cases.confidential_reporters(c.case_id)  # the reporters, kept confidential
        if sc["kind"] == "law_enforcement_request":
            assert c.preservation_due is not None

    hist = [c for c in cases.list_cases() if c.external_id.startswith("DEMO-HIST-")]
    assert len(hist) == N_HISTORY
    assert all(anchor - timedelta(days=121) < c.created_at < anchor for c in hist)
    statuses = {c.status for c in hist}
    assert "closed" in statuses and statuses & {
        "new",
        "triaged",
        "investigating",
        "waiting",
        "decided",
    }
    assert any(c.paused_seconds > 0 for c in hist)  # some waited on a partner
    assert any(c.assignee for c in hist)
    for c in hist:
        log = cases.history(c.case_id)
        assert all(ch.at <= anchor for ch in log)  # nothing happens after the anchor
        if c.status == "closed":
            d = decisions.latest_decision(c.case_id)
            assert d is not None and set(d.clauses) <= set(tax.categories[c.category].clauses)
    assert any(not decisions.precedents(cl).empty for cl in tax.clauses)

    again = file_demo_cases(wb_env, n_history=N_HISTORY, seed=7)  # idempotent
    assert (again.scenario_filed, again.history_cases) == (0, 0)
    assert again.skipped == N_HISTORY + len(scenarios)
    assert again.scenario_cases == res.scenario_cases
    first = _fingerprint()

    # the same seed in another store gives the same cases, ids, times and outcomes
    monkeypatch.setenv(config.ENV_CASES_URL, f"sqlite:///{tmp_path / 'second.db'}")
    dispose_all()
    file_demo_cases(config.settings(reload=True), n_history=N_HISTORY, seed=7)
    assert _fingerprint() == first
