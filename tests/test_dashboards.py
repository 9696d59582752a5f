"""Dashboard numbers against the case store.

A hand-built store whose numbers can be worked out on paper (fixed ``NOW``), and the demo
store, whose numbers are recounted here independently from the cases API.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from workbench import cases
from workbench import dashboards as dash
from workbench.cases import decisions, notes, sla
from workbench.errors import InputError

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def _investigate(cid: str, who: str, at: datetime) -> None:
    cases.claim(cid, who=who, at=at)
    cases.set_status(cid, "triaged", who=who, at=at + timedelta(minutes=1))
    cases.set_status(cid, "investigating", who=who, at=at + timedelta(minutes=2))


def file_known_cases(now: datetime) -> dict[str, str]:
    """Six cases whose SLA states at ``now`` are known (targets from templates/sla.yaml).

    No clock is within 20 minutes of changing state at ``now``, so a browser test can compare
    a page rendered a minute later with numbers computed here.
    """
    ids = {}
    minute = timedelta(minutes=1)
    # P0 violent threat, 30 min old, nobody on it: first response (1h) at risk, due in 30 min.
    ids["threat"] = cases.create(
        category="violent_threats", subjects=[101], source="support", at=now - 30 * minute
    ).case_id
    # P1 scam, 5 h old, nobody on it: first response (4h) breached by 1 h.
    ids["scam_new"] = cases.create(
        category="scam_fraud", subjects=[101, 102], source="moderation", at=now - 5 * H
    ).case_id
    # P2 harassment, 2 days old, being investigated: resolution (7d) fine.
    ids["harass_open"] = cases.create(
        category="harassment_hate", subjects=[102], source="support", at=now - 48 * H
    ).case_id
    _investigate(ids["harass_open"], "a.okafor", now - 47 * H)
    # P1 scam decided in 48 h (permanent ban under CG-1.2) and closed.
    ids["scam_done"] = cases.create(
        category="scam_fraud", subjects=[101], source="trust_safety", at=now - 240 * H
    ).case_id
    _investigate(ids["scam_done"], "m.tanaka", now - 239 * H)
    decisions.decide(
        ids["scam_done"],
        clauses=["CG-1.2"],
        action="permanent_ban",
        rationale="ring member",
        who="m.tanaka",
        at=now - 192 * H,
    )
    cases.set_status(ids["scam_done"], "closed", who="m.tanaka", at=now - 190 * H)
    # P2 harassment decided in 72 h (warning under CG-3.1).
    ids["harass_done"] = cases.create(
        category="harassment_hate", subjects=[103], source="support", at=now - 216 * H
    ).case_id
    _investigate(ids["harass_done"], "a.okafor", now - 215 * H)
    notes.add_note(ids["harass_done"], "first offence", author="a.okafor", at=now - 200 * H)
    decisions.decide(
        ids["harass_done"],
        clauses=["CG-3.1"],
        action="warning",
        rationale="first offence",
        who="a.okafor",
        at=now - 144 * H,
    )
    # P1 scam under investigation, resolution (3d) due in 40 min: at risk and due soon.
    ids["scam_late"] = cases.create(
        category="scam_fraud", subjects=[104], source="moderation", at=now - 72 * H + 40 * minute
    ).case_id
    _investigate(ids["scam_late"], "m.tanaka", now - 71 * H)
    return ids


@pytest.fixture
def known(store_env) -> dict[str, str]:
    return file_known_cases(NOW)


def test_headline_and_queue(known):
    snap = dash.load(now=NOW)
    assert len(snap.cases) == 6 and snap.now == NOW
    h = dash.headline(snap)
    assert h == {
        "cases": 6,
        "open": 4,
        "unclaimed": 2,
        "at_risk": 2,
        "breached": 1,
        "resolved": 2,
        "median_resolution_h": 60.0,
    }
    q = dash.queue(snap, "status").set_index("status")["cases"].to_dict()
    assert q == {"new": 2, "triaged": 0, "investigating": 2, "waiting": 0}
    assert dash.queue(snap, "priority").set_index("priority")["cases"].to_dict() == {
        "P0": 1,
        "P1": 2,
        "P2": 1,
        "P3": 0,
    }
    assert dash.queue(snap, "team").set_index("source")["cases"].to_dict()["moderation"] == 2
    with pytest.raises(InputError, match="cannot count the queue by 'colour'"):
        dash.queue(snap, "colour")


def test_sla_watch_most_urgent_first(known):
    w = dash.sla_watch(dash.load(now=NOW))
    assert list(w["case_id"]) == [known["scam_new"], known["threat"], known["scam_late"]]
    first = w.iloc[0]
    assert first["state"] == "breached" and first["clock"] == "first response"
    assert first["hours_left"] == -1.0
    assert w.iloc[1]["hours_left"] == 0.5 and w.iloc[1]["state"] == "at_risk"
    assert w.iloc[2]["clock"] == "resolution" and w.iloc[2]["hours_left"] == pytest.approx(
        0.7, abs=0.05
    )


def test_throughput_backlog_trends_and_actions(known):
    snap = dash.load(now=NOW)
    per = dash.throughput(snap, "assignee").set_index("assignee")
    assert per.loc["m.tanaka", "resolved"] == 1 and per.loc["m.tanaka", "median_h"] == 48.0
    assert per.loc["a.okafor", "median_h"] == 72.0
    weekly = dash.throughput(snap, "week")
    assert weekly["resolved"].sum() == 2 and weekly["opened"].sum() == 6
    assert set(weekly["zone"]) == {"UTC"}
    assert all(pd.Timestamp(w).weekday() == 0 for w in weekly["week"])  # weeks start on Monday

    age = dash.backlog_age(snap).set_index("age")
    assert age["cases"].sum() == 4
    assert age.loc["< 1 day", "cases"] == 2 and age.loc["< 1 day", "P0"] == 1
    assert age.loc["1–3 days", "cases"] == 2  # 48 h and ~71 h old

    trends = dash.category_trends(snap)
    assert trends["cases"].sum() == 6
    assert trends.groupby("category")["cases"].sum().to_dict() == {
        "harassment_hate": 2,
        "scam_fraud": 3,
        "violent_threats": 1,
    }

    mix = dash.action_mix(snap)
    assert mix[["clause", "action", "cases"]].values.tolist() == [
        ["CG-1.2", "permanent_ban", 1],
        ["CG-3.1", "warning", 1],
    ]
    assert list(mix["share"]) == [1.0, 1.0]


def test_repeat_subjects_are_pseudonymous(known):
    snap = dash.load(now=NOW)
    rep = dash.repeat_subjects(snap)
    assert list(rep["cases"]) == [3, 2]
    assert all(s.startswith("S-") and len(s) == 10 for s in rep["subject"])
    assert "101" not in rep.to_string() and "102" not in rep["subject"].to_string()
    assert rep.iloc[0]["subject"] == dash.pseudonym(101, snap.key)
    assert set(rep.iloc[0]["case_ids"]) == {known["threat"], known["scam_new"], known["scam_done"]}
    plain = dash.repeat_subjects(snap, mask=False)
    assert list(plain["subject"]) == [101, 102]
    # keyed per install: the same id gets the same pseudonym in the next kernel
    assert dash.dashboard_key() == snap.key
    assert dash.mask_text("@lovely_anna") == "@lo•••" and dash.mask_text("ab") == "••"


def test_filters_update_every_view(known):
    snap = dash.load(now=NOW)
    scams = dash.apply_filters(snap, dash.Filters(category="scam_fraud"))
    assert dash.headline(scams)["cases"] == 3 and dash.headline(scams)["open"] == 2
    assert list(dash.action_mix(scams)["clause"]) == ["CG-1.2"]
    assert set(dash.sla_watch(scams)["case_id"]) == {known["scam_new"], known["scam_late"]}

    mine = dash.apply_filters(snap, dash.Filters(assignee=["a.okafor"]))
    assert set(mine.cases["case_id"]) == {known["harass_open"], known["harass_done"]}
    nobody = dash.apply_filters(snap, dash.Filters(assignee=dash.UNASSIGNED))
    assert set(nobody.cases["case_id"]) == {known["threat"], known["scam_new"]}

    recent = dash.apply_filters(snap, dash.Filters(start=(NOW - 3 * 24 * H).date(), end=NOW.date()))
    assert dash.headline(recent)["cases"] == 4  # 30 min, 5 h, 48 h and ~71 h old
    team = dash.apply_filters(snap, dash.Filters(team="moderation", priority=["P1"]))
    assert set(team.cases["case_id"]) == {known["scam_new"], known["scam_late"]}

    with pytest.raises(InputError, match="unknown priority 'P9'"):
        dash.apply_filters(snap, dash.Filters(priority="P9"))
    with pytest.raises(InputError, match="ends before it starts"):
        dash.apply_filters(snap, dash.Filters(start=date(2026, 11, 2), end=date(2026, 11, 1)))
    assert dash.filter_options(snap)["assignee"] == ["a.okafor", "m.tanaka", dash.UNASSIGNED]


def test_oncall(known):
    oc = dash.oncall(dash.load(now=NOW))
    assert list(oc.unclaimed["case_id"]) == [known["threat"], known["scam_new"]]  # P0 first
    assert list(oc.due_soon["case_id"]) == [known["threat"], known["scam_late"]]
    assert list(oc.due_soon["minutes_left"]) == [30.0, 40.0]
    later = dash.oncall(dash.load(now=NOW + 2 * H))  # everything due soon has breached by then
    assert later.due_soon.empty


def test_case_query_string():
    assert dash.case_from_query("case=ESC-2026-000001") == "ESC-2026-000001"
    assert dash.case_from_query("token=abc&case=ESC-2026-000001") == "ESC-2026-000001"
    for qs, msg in (
        ("", "no case was named"),
        ("case=", "no case was named"),
        ("case=../etc/passwd", "is not a case id"),
        ("case=ESC-2026-1&case=ESC-2026-2", "more than one case"),
    ):
        with pytest.raises(InputError, match=msg):
            dash.case_from_query(qs)


def test_empty_store(store_env):
    snap = dash.load(now=NOW)
    assert dash.headline(snap)["open"] == 0
    assert dash.sla_watch(snap).empty and dash.action_mix(snap).empty
    assert dash.repeat_subjects(snap).empty and dash.category_trends(snap).empty
    assert dash.throughput(snap, "week").empty
    assert dash.backlog_age(snap)["cases"].sum() == 0
    oc = dash.oncall(snap)
    assert oc.unclaimed.empty and oc.due_soon.empty


def test_demo_store_numbers_match_the_cases_api(wb_env):
    from workbench.demo.cases import file_demo_cases

    file_demo_cases(wb_env, n_history=120, seed=7)
    snap = dash.load(now=NOW)
    every = cases.list_cases()
    assert len(snap.cases) == len(every)
    by_status = cases.counts_by_status()
    q = dash.queue(snap, "status").set_index("status")["cases"].to_dict()
    assert q == {s: by_status[s] for s in cases.OPEN_STATUSES}
    breached = sum(
        1 for c in every if c.is_open and "breached" in _running_states(sla.clocks(c, NOW), c)
    )
    assert dash.headline(snap)["breached"] == breached
    decided = [c for c in every if c.decided_at is not None]
    assert dash.headline(snap)["resolved"] == len(decided)
    latest = [decisions.latest_decision(c.case_id) for c in every]
    pairs = pd.Series([(cl, d.action) for d in latest if d for cl in d.clauses]).value_counts()
    mix = dash.action_mix(snap).set_index(["clause", "action"])["cases"]
    assert mix.sort_index().to_dict() == pairs.sort_index().to_dict()
    for cat in snap.cases["category"].unique():
        only = dash.apply_filters(snap, dash.Filters(category=cat))
        assert dash.headline(only)["cases"] == sum(1 for c in every if c.category == cat)


def _running_states(st, case) -> list[str]:
    states = [st.resolution.state]
    if case.first_action_at is None:
        states.append(st.first_response.state)
    if st.preservation:
        states.append(st.preservation.state)
    return states


def test_case_timeline_on_the_dashboard_shows_pseudonyms_and_no_contact_details(
    wb_env, ground_truth
):
    """The case app's timeline: the hover of every event names people by pseudonym only, and
    contact details in message text are replaced (the plain timeline shows both)."""
    import re

    from workbench import timeline

    ring = next(s for s in ground_truth["scenarios"] if s["kind"] == "romance_scam_ring")
    uid = ring["users"][0]
    cid = cases.create(category="scam_fraud", subjects=[uid], source="support").case_id
    notes.add_note(
        cid, "Victim says: write to rosa.m@example.com or call +44 7911 123456", author="a.okafor"
    )
    plain = timeline.view(case=cid)
    raw = plain.events
    assert str(uid) in set(raw["actor"].dropna()) | set(raw["target"].dropna())  # not vacuous
    contact = re.compile(r"[\w.+-]+@[\w-]+\.\w+|\+\d[\d ()-]{7,}\d")
    assert raw["summary"].dropna().map(lambda t: bool(contact.search(t))).any()

    drawn, why = dash.case_timeline_svg(cid)
    assert drawn is not None, why
    import html as html_lib

    hovers = [html_lib.unescape(t) for t in re.findall(r"<title>(.*?)</title>", drawn, re.S)]
    events = [h for h in hovers if "actor " in h]
    assert len(events) >= plain.total  # every event is drawn (and the case lanes), with details
    key = dash.dashboard_key()
    parties = set(re.findall(r"actor (\S+) → (\S+)", "\n".join(events)))
    flat = {p for pair in parties for p in pair}
    assert str(uid) not in flat and dash.pseudonym(uid, key) in flat
    assert not any(p.isdigit() for p in flat)
    assert not any(contact.search(h) for h in hovers)
    assert f"user {uid}" not in drawn and "<script" not in drawn


# --------------------------------------------------------------------------- widgets, charts


def bar_values(svg: str, figure: str) -> list[str]:
    """The numbers written on a chart's bars, in drawing order."""
    import re

    return re.findall(rf'id="{figure}-value-\d+">\s*<text[^>]*>([^<]*)</text>', svg)


def test_leads_charts_are_static_svg_carrying_the_numbers(known):
    from workbench.widgets.dashboards import charts
    from workbench.widgets.dashboards.leads import LeadsDashboard

    app = LeadsDashboard(now=NOW)
    figures = {
        name: getattr(app, name).value
        for name in ("queue_fig", "flow_fig", "backlog_fig", "trend_fig", "mix_fig")
    }
    for name, value in figures.items():
        assert value.startswith("<div class='wb-figure'") and "<svg" in value, name
        assert "<?xml" not in value and "<!DOCTYPE" not in value and "<script" not in value
    snap = dash.apply_filters(dash.load(now=NOW), None)
    # every bar carries its number, in order: status, priority, category, team
    expected = [
        n
        for by in ("status", "priority", "category", "team")
        for n in dash.queue(snap, by)["cases"]
    ]
    assert bar_values(figures["queue_fig"], "queue") == [str(n) for n in expected]
    for label in dash.queue(snap, "status")["status"]:
        assert f">{label}<" in figures["queue_fig"]
    b = dash.backlog_age(snap)
    assert bar_values(figures["backlog_fig"], "backlog") == [str(n) for n in b["cases"]]
    mix = dash.action_mix(snap)
    per_clause = mix.groupby("clause")["cases"].sum().sort_index(ascending=False)
    assert bar_values(figures["mix_fig"], "mix") == [str(n) for n in per_clause]
    titles = dict(zip(mix["clause"], mix["title"]))
    for clause in mix["clause"]:  # the code and its title side by side
        assert f">{clause} {titles[clause][:20]}" in figures["mix_fig"], clause
    status = dash.queue(snap, "status")
    # the same numbers draw the same picture (stable ids, no timestamps)
    assert charts.queue([("by status", status)]) == charts.queue([("by status", status)])
    # an empty view draws a note, not an error, and no axis at all (no -0.05..0.05 ticks)
    empty = dash.apply_filters(dash.load(now=NOW), dash.Filters(category="spam"))
    assert "nothing in this view" in charts.flow(dash.throughput(empty, "week"), "UTC")
    assert "nothing in this view" in charts.action_mix(dash.action_mix(empty))
    nothing_open = charts.queue([(f"by {by}", dash.queue(empty, by)) for by in ("status", "team")])
    assert nothing_open.count("no open case in this view") == 2 and ">0.05<" not in nothing_open
    assert "nothing in this view" in charts.backlog(dash.backlog_age(empty))
    # counts tick at whole numbers only, and categories are horizontal bars (labels never
    # overlap): every tick label of a count axis is an integer
    import re

    for name in ("queue_fig", "backlog_fig", "mix_fig"):
        ticks = re.findall(r">(-?\d+\.\d+)<", figures[name])
        assert not [t for t in ticks if not t.endswith(".0")], (name, ticks)


def test_background_refresh_keeps_the_kernel_free_and_yields_to_a_newer_filter(known):
    import asyncio
    import threading

    from workbench.widgets.dashboards.leads import LeadsDashboard

    app = LeadsDashboard(now=NOW)
    assert app.status.value.count("data-cases='6'") == 1
    cases.create(category="scam_fraud", subjects=[105], source="support", at=NOW - H)
    seen_threads = []
    real_load = dash.load

    def load(*args, **kwargs):
        seen_threads.append(threading.current_thread().name)
        return real_load(*args, **kwargs)

    async def main():
        dash.load = load
        try:
            app.loaded_at -= 120
            app.refresh_if_older_than(60)
            app.category.value = "scam_fraud"  # while the reload runs
            assert "data-cases='3'" in app.status.value  # the old numbers, filtered at once
            for _ in range(200):
                await asyncio.sleep(0.05)
                if "data-cases='4'" in app.status.value:
                    break
        finally:
            dash.load = real_load

    asyncio.run(main())
    assert seen_threads == ["dashboard-refresh"]
    # the reloaded store (7 cases), shown for the filter chosen meanwhile (4 scam cases)
    assert "data-cases='4'" in app.status.value and "4 of 7 cases" in app.status.value


def test_background_work_failures_are_one_line(store_env):
    import asyncio

    from workbench.errors import WorkbenchError
    from workbench.widgets.dashboards.parts import in_background

    got = []

    def boom():
        raise RuntimeError("user 4242 " + "phone".upper())  # data in the message, not the code

    def refused():
        raise WorkbenchError("the case store is locked", "try again")

    in_background(lambda: 42, got.append, got.append)  # no event loop: runs at once
    assert got == [42]

    async def main():
        in_background(boom, got.append, got.append)
        in_background(refused, got.append, got.append)
        for _ in range(100):
            await asyncio.sleep(0.02)
            if len(got) == 3:
                break

    asyncio.run(main())
    assert "the case store is locked (try again)" in got
    assert any("logs/dashboards.log" in str(g) for g in got)
    assert not any("PHONE" in str(g) for g in got)
    from workbench.config import settings

    log = (settings().home / "logs" / "dashboards.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log and "in boom" in log  # the stack, for the team ...
    assert "PHONE" not in log  # ... not the message (it may quote data)


def test_charts_drawn_from_two_threads_at_once_come_out_whole(known):
    """matplotlib's style is process-wide: a background refresh and a filter change must not
    mix their drawings (text would turn into glyph outlines, numbers unreadable)."""
    from concurrent.futures import ThreadPoolExecutor

    from workbench.widgets.dashboards import charts

    snap = dash.apply_filters(dash.load(now=NOW), None)
    parts = [("by status", dash.queue(snap, "status"))]
    alone = charts.queue(parts)
    with ThreadPoolExecutor(4) as pool:
        drawn = list(pool.map(lambda _: charts.queue(parts), range(24)))
    assert all(svg == alone for svg in drawn)
    assert "<text" in alone


def test_a_background_reload_never_replaces_newer_numbers(known):
    """Refresh pressed while a background reload runs: the older reload is dropped."""
    import asyncio
    import threading

    from workbench.widgets.dashboards.leads import LeadsDashboard

    app = LeadsDashboard(now=NOW)
    stale = app.snap  # what the slow background reload comes back with
    real_load = dash.load
    background = []

    def load(*args, **kwargs):
        if threading.current_thread().name == "dashboard-refresh":
            background.append(True)
            return stale
        return real_load(*args, **kwargs)

    async def main():
        app.loaded_at -= 120
        app.refresh_if_older_than(60)
        cases.create(category="spam", subjects=[106], source="support", at=NOW - H)
        app.refresh()  # the button: newer numbers, at once
        assert "7 of 7 cases" in app.status.value
        await asyncio.sleep(3)  # the background reload (2 s delay) has come back by now

    dash.load = load
    try:
        asyncio.run(main())
    finally:
        dash.load = real_load
    assert background == [True]
    assert "7 of 7 cases" in app.status.value


def test_specialists_show_open_workload_beside_resolved_cases(known):
    people = dash.specialists(dash.load(now=NOW)).set_index("assignee")
    # open now (not only resolved): a.okafor investigates one, m.tanaka one (at risk), and two
    # P0/P1 cases have nobody on them (one breached, one at risk)
    assert people.loc["a.okafor", "open"] == 1 and people.loc["a.okafor", "resolved"] == 1
    assert people.loc["m.tanaka", "open"] == 1 and people.loc["m.tanaka", "at_risk"] == 1
    assert people.loc["m.tanaka", "resolved"] == 1 and people.loc["m.tanaka", "median_h"] == 48.0
    assert people.loc[dash.UNASSIGNED, "open"] == 2
    assert (
        people.loc[dash.UNASSIGNED, "breached"] == 1 and people.loc[dash.UNASSIGNED, "at_risk"] == 1
    )


def test_a_bad_date_range_clears_the_numbers(known):
    from workbench.widgets.dashboards.leads import VIEWS, LeadsDashboard

    app = LeadsDashboard(now=NOW)
    assert "data-kpi='open'" in app.numbers.value
    app.start.value, app.end.value = date(2026, 11, 2), date(2026, 11, 1)
    assert "ends before it starts" in app.message.value
    assert all(getattr(app, name).value == "" for name in VIEWS)  # no old numbers on screen
    assert "not valid" in app.status.value
    app.end.value = None
    assert "data-kpi='open'" in app.numbers.value and app.message.value == ""


def test_oncall_shows_breached_badges_and_reloads_every_minute(known):
    import asyncio

    from workbench.widgets.dashboards.oncall import OnCallDashboard

    oc = dash.oncall(dash.load(now=NOW))
    row = oc.unclaimed.set_index("case_id").loc[known["scam_new"]]
    assert row["state"] == "breached" and row["clock"] == "first response"
    assert row["hours_left"] == -1.0
    app = OnCallDashboard(now=NOW)
    assert "wb-state-breached" in app.unclaimed.value and "breached" in app.unclaimed.value
    assert app.refresh_every(60) is False  # no event loop here: nothing scheduled

    async def on_a_loop():
        fast = OnCallDashboard(now=NOW)
        loads = fast._loads
        assert fast.refresh_every(0.05) and "reloads every minute" in fast.status.value
        for _ in range(100):
            await asyncio.sleep(0.05)
            if fast._loads > loads + 1:
                break
        fast._timer.cancel()
        return fast._loads - loads

    assert asyncio.run(on_a_loop()) >= 2


def test_case_app_lists_linked_accounts_once_each_as_pseudonyms_and_changes_as_lines(
    wb_env, ground_truth
):
    from workbench.demo.cases import file_demo_cases

    res = file_demo_cases(wb_env, n_history=0, seed=7)
    ring = next(
        i for i, s in enumerate(ground_truth["scenarios"]) if s["kind"] == "romance_scam_ring"
    )
    cid = res.scenario_cases[ring]
    case = cases.get(cid)
    first = case.subjects[0]
    # a case that starts from one member, the ring still to be found
    one = cases.create(category="scam_fraud", subjects=[first], summary="one reported member")
    page = dash.case_page(one.case_id)
    linked = page.queries["linked_accounts"]
    assert len(linked) == linked["linked_user_id"].nunique() > 0  # once each
    key = dash.dashboard_key()
    shown = set(linked["linked_user_id"])
    assert all(str(v).startswith("S-") for v in shown)
    assert {dash.pseudonym(u, key) for u in case.subjects[1:]} <= shown
    assert not [v for v in linked["via"] if not str(v).startswith("S-")]
    lines = list(page.changes["change"])
    assert "filed the case" in lines and not [x for x in lines if "{" in x or "[" in x]


def test_the_case_app_warm_up_reads_nothing_and_needs_no_case(wb_env):
    """A preheated case-app kernel warms up before any case is asked for: no platform row is
    read: the audit log does not grow."""
    from workbench.store import audit

    before = audit.head()
    dash.warm_case_app()
    assert audit.head() == before
