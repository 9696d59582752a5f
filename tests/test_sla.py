"""SLA maths: targets and overrides, at-risk and breach, pauses while waiting, reopening,
time zones and DST switches, legal preservation deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workbench import cases
from workbench.cases import decisions, sla

UTC = UTC
H = timedelta(hours=1)


def _zone(monkeypatch, name: str) -> None:
    from workbench import config

    monkeypatch.setenv(config.ENV_TZ, name)
    config.settings(reload=True)


def test_policy_targets_and_overrides():
    p = sla.policy()
    assert p.targets("harassment_hate", "P1") == sla.Targets(4 * H, 72 * H)
    assert p.targets("sexual_exploitation", "P0") == sla.Targets(timedelta(minutes=30), 12 * H)
    assert p.targets("sexual_exploitation", "P2") == p.targets("spam", "P2")  # no override there
    assert p.targets("legal_request", "P1").first_response == 8 * H


def test_running_clock_states(store_env):
    t0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    c = cases.create(category="scam_fraud", priority="P1", subjects=[1], at=t0)  # FR 4h, res 3d
    fr = lambda now: sla.clocks(c, now).first_response  # noqa: E731
    assert fr(t0 + 2 * H).state == "ok" and fr(t0 + 2 * H).remaining == 2 * H
    assert fr(t0 + 3 * H + timedelta(minutes=5)).state == "at_risk"  # < 1h left (77 % elapsed)
    assert fr(t0 + 4 * H + timedelta(minutes=1)).state == "breached"
    assert fr(t0 + 5 * H).countdown() == "breached 1h 00m ago"
    res = lambda now: sla.clocks(c, now).resolution  # noqa: E731
    assert res(t0 + 57 * H).state == "ok"
    assert res(t0 + 58 * H).state == "at_risk"  # >= 80 % of 72h
    assert res(t0 + 72 * H).state == "breached"
    assert sla.clocks(c, t0 + 72 * H).worst == "breached"


def test_stopped_clocks_met_or_missed(store_env):
    t0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    c = cases.create(category="harassment_hate", priority="P0", subjects=[1], at=t0)  # 1h / 24h
    cases.claim(c.case_id, at=t0 + 2 * H)
    c = cases.get(c.case_id)
    st = sla.clocks(c, t0 + 100 * H)
    assert st.first_response.state == "missed" and st.first_response.elapsed == 2 * H
    assert st.milestones["claimed"] == st.milestones["first_action"] == t0 + 2 * H
    cases.set_status(c.case_id, "triaged", at=t0 + 3 * H)
    cases.set_status(c.case_id, "investigating", at=t0 + 4 * H)
    decisions.decide(c.case_id, clauses=["CG-3.1"], action="warning", rationale="x", at=t0 + 20 * H)
    st = sla.clocks(cases.get(c.case_id), t0 + 100 * H)
    assert st.resolution.state == "met" and st.resolution.elapsed == 20 * H
    assert st.resolution.stopped_at == t0 + 20 * H


def test_waiting_pauses_the_resolution_clock(store_env):
    t0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    c = cases.create(category="scam_fraud", priority="P1", subjects=[1], at=t0)  # res 72h
    cid = c.case_id
    cases.set_status(cid, "triaged", at=t0 + H)
    cases.set_status(cid, "investigating", at=t0 + 2 * H)
    cases.set_status(cid, "waiting", at=t0 + 10 * H)
    during = sla.clocks(cases.get(cid), t0 + 30 * H).resolution
    assert during.paused and during.elapsed == 10 * H
    assert during.due == t0 + 72 * H + 20 * H  # due moves while waiting
    assert "paused" in during.countdown()
    cases.set_status(cid, "investigating", at=t0 + 58 * H)  # waited 48h
    after = sla.clocks(cases.get(cid), t0 + 70 * H).resolution
    assert not after.paused and after.elapsed == 22 * H and after.state == "ok"
    assert after.due == t0 + 120 * H
    # without the pause it would have been breached by now
    assert (t0 + 70 * H) - t0 < 72 * H + 48 * H
    decisions.decide(cid, clauses=["CG-1.1"], action="warning", rationale="x", at=t0 + 100 * H)
    done = sla.clocks(cases.get(cid), t0 + 500 * H).resolution
    assert done.state == "met" and done.elapsed == 52 * H


def test_reopen_resumes_without_counting_closed_time(store_env):
    t0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    c = cases.create(category="spam", priority="P3", subjects=[1], at=t0)  # res 14d
    cid = c.case_id
    cases.set_status(cid, "triaged", at=t0 + H)
    cases.set_status(cid, "investigating", at=t0 + 2 * H)
    decisions.decide(cid, clauses=["CG-7.1"], action="warning", rationale="x", at=t0 + 10 * H)
    cases.set_status(cid, "closed", at=t0 + 11 * H)
    cases.set_status(cid, "investigating", reason="appeal", at=t0 + 110 * H)  # closed 100h
    st = sla.clocks(cases.get(cid), t0 + 115 * H).resolution
    assert st.stopped_at is None and st.elapsed == 15 * H and st.state == "ok"


def test_dst_spring_forward_berlin(store_env, monkeypatch):
    _zone(monkeypatch, "Europe/Berlin")
    # 00:30 CET on 29 March 2026; clocks jump from 02:00 to 03:00 that night
    created = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    c = cases.create(category="harassment_hate", priority="P0", subjects=[1], at=created)
    st = sla.clocks(c, datetime(2026, 3, 29, 22, 0, tzinfo=UTC))  # 00:00 CEST on the 30th
    # 23.5 wall-clock hours have passed in Berlin, but only 22.5 real hours
    assert st.resolution.elapsed == timedelta(hours=22, minutes=30)
    assert st.resolution.remaining == timedelta(hours=1, minutes=30)
    assert st.resolution.state == "at_risk"
    assert st.resolution.due == datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    assert sla.show_time(st.resolution.due) == "2026-03-30 01:30 CEST (Europe/Berlin)"
    assert sla.show_time(created) == "2026-03-29 00:30 CET (Europe/Berlin)"
    assert sla.show_time(created, "America/New_York") == "2026-03-28 19:30 EDT (America/New_York)"


def test_dst_fall_back_new_york(store_env, monkeypatch):
    _zone(monkeypatch, "America/New_York")
    # 1 November 2026, 01:30 happens twice in New York; a 4h P1 first-response target is 4 real hours
    created = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT (first pass)
    c = cases.create(category="account_takeover", priority="P1", subjects=[1], at=created)
    st = sla.clocks(c, datetime(2026, 11, 1, 8, 45, tzinfo=UTC))  # 03:45 EST: wall clock says 2h15m
    assert st.first_response.elapsed == timedelta(hours=3, minutes=15)
    assert st.first_response.state == "at_risk"
    assert sla.show_time(st.first_response.due) == "2026-11-01 04:30 EST (America/New_York)"
    assert sla.show_time(created) == "2026-11-01 01:30 EDT (America/New_York)"


def test_preservation_deadline_keeps_wall_clock_across_dst():
    received = datetime(2026, 10, 1, 14, 0, tzinfo=UTC)  # 10:00 EDT
    due = sla.preservation_deadline(received, days=90, tz="America/New_York")
    assert due == datetime(2026, 12, 30, 15, 0, tzinfo=UTC)  # 10:00 EST
    renewed = sla.preservation_deadline(due, days=90, tz="America/New_York")
    assert renewed == datetime(2027, 3, 30, 14, 0, tzinfo=UTC)  # 10:00 EDT again
    assert sla.preservation_deadline(received, days=90, tz="UTC") == received + timedelta(days=90)
    # a deadline landing in Berlin's spring-forward gap (02:30 does not exist) moves forward
    gap = sla.preservation_deadline(
        datetime(2025, 12, 29, 1, 30, tzinfo=UTC), days=90, tz="Europe/Berlin"
    )
    assert gap == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert sla.show_time(gap, "Europe/Berlin") == "2026-03-29 03:30 CEST (Europe/Berlin)"


def test_legal_case_deadline_states_in_team_zone(store_env, monkeypatch):
    _zone(monkeypatch, "America/New_York")
    received = datetime(2026, 10, 1, 14, 0, tzinfo=UTC)
    c = cases.create(category="legal_request", subjects=[9], at=received)
    assert c.preservation_due == datetime(2026, 12, 30, 15, 0, tzinfo=UTC)
    assert sla.clocks(c, received + timedelta(days=10)).preservation.state == "ok"
    assert sla.clocks(c, received + timedelta(days=80)).preservation.state == "at_risk"
    assert sla.clocks(c, received + timedelta(days=91)).preservation.state == "breached"
    r = cases.renew_preservation(c.case_id, at=received + timedelta(days=85))
    assert r.preservation_due == datetime(2027, 3, 30, 14, 0, tzinfo=UTC)
    assert sla.clocks(r, received + timedelta(days=91)).preservation.state == "ok"


def test_frame_for_dashboards(store_env):
    t0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    a = cases.create(category="scam_fraud", priority="P1", subjects=[1], at=t0)
    b = cases.create(category="legal_request", subjects=[2], at=t0)
    df = sla.frame([a, b], now=t0 + 5 * H)
    assert list(df["case_id"]) == [a.case_id, b.case_id]
    assert list(df["first_response_state"]) == ["breached", "ok"]
    assert df["preservation_due"].iloc[1] == t0 + timedelta(days=90)
