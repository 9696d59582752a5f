"""Preservation holds: a law-enforcement request holds 90 days, a renewed request 180 in all (once);
the clocks keep their wall-clock time across DST changes and an extension, show in the SLA
clocks, the on-call view and the leads' "expiring within 14 days"; the letter lists what is
held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from filings_support import planted

pytest_plugins = ["filings_fixtures"]  # filed_store, demo_env

NY = ZoneInfo("America/New_York")


@pytest.fixture
def le_case(request, set_setting):
    request.getfixturevalue("demo_env")
    set_setting("WORKBENCH_TZ", "America/New_York")
    return planted()["law_enforcement_request"]


def _request(case_id, request_id, received, **kw):
    from workbench.filings import holds

    values = dict(
        agency="Metro Police Department (fictional)",
        received_at=received,
        data_types=["subscriber_info", "logins"],
        start="2025-06-01T00:00Z",
        end="2026-11-01T00:00Z",
        reference="MPD-2026-0042",
    )
    values.update(kw)
    return holds.record_request(case_id, request_id, **values)


def test_hold_90_days_then_180_across_spring_and_autumn_dst(le_case):
    from workbench import cases
    from workbench.errors import InputError
    from workbench.evidence import items as ev
    from workbench.filings import holds

    # received 10:00 EST; 90 calendar days later is 15 April, after the March switch: 10:00 EDT
    received = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)
    req, hold = _request(le_case, "LE-1", received)
    assert hold.kind == "2703f" and hold.started_at == received
    assert hold.due == datetime(2026, 4, 15, 14, 0, tzinfo=UTC)
    assert hold.due.astimezone(NY).hour == 10
    assert cases.get(le_case).preservation_due == hold.due
    # the data it names was collected as evidence: one item per account and data type
    items = [ev.get_item(le_case, i) for i in req.items]
    assert len(items) == 2 * len(req.subjects)
    assert {i.source for i in items} == {"query:user_overview", "query:logins_by_user"}

    # renewed before it ends: another 90 days from its end (14 July, still 10:00 EDT)
    renewed = holds.renew(le_case, "LE-1", at="2026-04-01T12:00Z")
    assert renewed.renewals == 1
    assert renewed.due == datetime(2026, 7, 14, 14, 0, tzinfo=UTC)
    assert (renewed.due - received) == timedelta(days=180) - timedelta(hours=1)  # wall clock
    assert cases.get(le_case).preservation_due == renewed.due
    with pytest.raises(InputError, match="one extension"):
        holds.renew(le_case, "LE-1", at="2026-05-01T12:00Z")

    # across the autumn switch: 5 August 10:00 EDT + 90 days = 3 November 10:00 EST
    _, autumn = _request(le_case, "LE-2", datetime(2026, 8, 5, 14, 0, tzinfo=UTC))
    assert autumn.due == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
    assert autumn.due.astimezone(NY).hour == 10
    # the case's deadline is its most urgent active hold
    assert cases.get(le_case).preservation_due == renewed.due

    # a renewal after the hold ran out is refused
    with pytest.raises(InputError, match="ran out"):
        holds.renew(le_case, "LE-2", at="2026-11-04T00:00Z")


def test_deadline_in_a_dst_gap_is_never_early():
    from workbench.cases.sla import preservation_deadline

    # 14 Dec 02:30 EST + 90 days = 14 Mar 2027 02:30, a time the spring switch skips
    start = datetime(2026, 12, 14, 7, 30, tzinfo=UTC)
    due = preservation_deadline(start, days=90, tz="America/New_York")
    assert due == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)  # 03:30 EDT, not 01:30 EST
    assert due - start >= timedelta(days=90)
    # a one-year CyberTipline hold from 29 February ends on 1 March
    leap = datetime(2028, 2, 29, 17, 0, tzinfo=UTC)
    assert preservation_deadline(leap, years=1, tz="America/New_York").date().isoformat() == (
        "2029-03-01"
    )


def test_holds_in_sla_clocks_oncall_and_expiring_within_14_days(le_case):
    from workbench import cases, dashboards
    from workbench.cases import sla
    from workbench.filings import holds

    _, hold = _request(le_case, "LE-1", datetime(2026, 10, 1, 14, 0, tzinfo=UTC))
    case = cases.get(le_case)
    assert sla.clocks(case, hold.due - timedelta(days=20)).preservation.state == "ok"
    assert sla.clocks(case, hold.due - timedelta(days=10)).preservation.state == "at_risk"
    assert sla.clocks(case, hold.due + timedelta(minutes=1)).preservation.state == "breached"

    soon = holds.expiring(now=hold.due - timedelta(days=10))
    row = soon[soon["hold"] == hold.id].iloc[0]
    assert row["case_id"] == le_case and row["request"] == "LE-1" and row["state"] == "at_risk"
    assert row["days_left"] == 10.0 and bool(row["can_renew"])
    assert hold.id not in set(holds.expiring(now=hold.due - timedelta(days=20))["hold"])
    assert "user_id" not in soon.columns and "agency" not in soon.columns

    snap = dashboards.load(now=hold.due - timedelta(days=10))
    oc = dashboards.oncall(snap)
    assert hold.id in set(oc.holds["hold"])
    # and on the pages: the on-call view and the leads' dashboard list it, with its days left
    from workbench.widgets.dashboards.leads import LeadsDashboard
    from workbench.widgets.dashboards.oncall import OnCallDashboard

    when = hold.due - timedelta(days=10)
    for page in (OnCallDashboard(now=when).holds, LeadsDashboard(now=when).holds_table):
        assert le_case in page.value and "LE-1" in page.value and "at_risk" in page.value
    quiet = hold.due - timedelta(days=30)
    assert "No preservation hold ends" in OnCallDashboard(now=quiet).holds.value


def test_preservation_letter_lists_what_is_held(le_case, tmp_path):
    from workbench.cli import main
    from workbench.evidence import items as ev
    from workbench.filings import holds, records

    req, hold = _request(le_case, "LE-1", datetime(2026, 10, 1, 14, 0, tzinfo=UTC))
    out = tmp_path / "letter.txt"
    assert main(["filing", "preservation-letter", le_case, "--out", str(out)]) == 0
    text = out.read_text()
    assert "Metro Police Department (fictional)" in text and "MPD-2026-0042" in text
    assert "Subscriber information" in text and "Logins: times, IP addresses and devices" in text
    assert "2025-06-01 00:00 to 2026-11-01 00:00" in text
    for uid in req.subjects:
        assert f"account id {uid}" in text
    for i in req.items:
        item = ev.get_item(le_case, i)
        assert item.label in text and item.sha256 in text
    assert "2026-12-30 10:00 EST" in text  # 1 Oct 10:00 EDT + 90 days, in the team's zone
    [f] = records.for_case(le_case, "preservation_letter")
    assert records.payload(f, 0).decode() == text
    # a re-run records nothing new; a renewal gets its own letter
    assert main(["filing", "preservation-letter", le_case, "--out", str(tmp_path / "b.txt")]) == 0
    assert len(records.for_case(le_case, "preservation_letter")) == 1
    holds.renew(le_case, "LE-1", at="2026-12-01T00:00Z")
    assert main(["filing", "preservation-letter", le_case, "--out", str(tmp_path / "c.txt")]) == 0
    assert "extended once" in (tmp_path / "c.txt").read_text()
    assert len(records.for_case(le_case, "preservation_letter")) == 2
    # the letter passes the law-enforcement exit scan: the agency may read its own name, but
    # not a member the case protects
    from workbench import cases
    from workbench.evidence.scanner import LeakFound
    from workbench.filings import preservation

    reporter = next(u for u in range(1, 500) if u not in req.subjects)
    cases.add_reporters(le_case, [reporter])
    with pytest.raises(LeakFound):
        preservation.scan_for_agency(le_case, req, "x.txt", f"reported by member {reporter}")
    preservation.scan_for_agency(le_case, req, "x.txt", text)


def test_request_refusals(le_case):
    from workbench.errors import InputError

    with pytest.raises(InputError, match="not a data type"):
        _request(le_case, "LE-9", "2026-10-01T00:00Z", data_types=["photos_of_cats"])
    with pytest.raises(InputError, match="ends before it starts"):
        _request(
            le_case, "LE-9", "2026-10-01T00:00Z", start="2026-10-01T00:00Z", end="2026-01-01T00:00Z"
        )
    with pytest.raises(InputError, match="future"):
        _request(le_case, "LE-9", "2099-01-01T00:00Z")
    _request(le_case, "LE-9", "2026-10-01T00:00Z")
    with pytest.raises(InputError, match="already has request"):
        _request(le_case, "LE-9", "2026-10-02T00:00Z")


def test_cli_records_renews_and_lists_holds(le_case, capsys):
    from workbench.cli import main

    argv = ["filing", "preservation-request", le_case, "LE-5", "--agency", "County Sheriff"]
    argv += ["--received", "2026-11-20T09:00Z", "--data", "logins", "--data", "payments"]
    argv += ["--from", "2026-01-01T00:00Z", "--to", "2026-11-01T00:00Z"]
    assert main(argv) == 0
    assert "held until 2027-02-18 09:00 UTC" in capsys.readouterr().out  # 04:00 EST both ends
    renew = ["filing", "preservation-renew", le_case, "LE-5", "--received", "2026-12-01T00:00Z"]
    assert main(renew) == 0
    assert "held until 2027-05-19 08:00 UTC" in capsys.readouterr().out  # 04:00 EDT
    assert main(renew) == 2
    assert "one extension" in capsys.readouterr().err
    assert main(["filing", "holds", le_case, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "LE-5" in out and "2703f" in out
