"""Transparency counts: the CSV's cells sum to what the case store holds, counted here
independently with plain SQL over the store's tables; cells the store cannot fill are named
and left empty, never zero."""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter

from filings_support import decide, planted
from sqlalchemy import text

from workbench import cases
from workbench.cases import decisions
from workbench.filings import transparency
from workbench.filings.mapping import dsa_map
from workbench.store import audit
from workbench.store import session as store_session
from workbench.times import utcnow

pytest_plugins = ["filings_fixtures"]  # filed_store, demo_env

WIDE = ("2000-01-01", "2037-12-31")


def _rows(csv_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text)))


def _cell(rows, table, indicator, category="TOTAL", scope="TOTAL") -> str:
    (hit,) = [
        r
        for r in rows
        if (r["table"], r["indicator"], r["category"], r["scope"])
        == (table, indicator, category, scope)
    ]
    return hit["value"]


def _store_facts(lo: str, hi: str) -> dict:
    """The counts, read straight from the case store's tables (not through the module)."""
    m = dsa_map()
    restricting = {a: r for a, r in m.actions.items() if r is not None}
    with store_session() as s:
        q = lambda sql, **kw: s.execute(text(sql), kw).all()  # noqa: E731
        reported = {r[0] for r in q("SELECT DISTINCT case_id FROM case_reporters")}
        info = {
            r[0]: (r[1], r[2], r[3], r[4])
            for r in q("SELECT case_id, source, tags, custom, created_at FROM cases")
        }
        decs = q(
            "SELECT id, case_id, action, subjects, at FROM case_decisions "
            "WHERE at >= :lo AND at < :hi ORDER BY at, id",
            lo=f"{lo} 00:00:00",
            hi=f"{hi} 23:59:59.999999",
        )
        reopen = q(
            "SELECT case_id, reason FROM case_changes WHERE action = 'reopen' "
            "AND field = 'status' AND at >= :lo AND at < :hi",
            lo=f"{lo} 00:00:00",
            hi=f"{hi} 23:59:59.999999",
        )

    def kind(cid: str) -> str:
        source, tags, _custom, _ = info[cid]
        if "trusted_flagger" in str(tags):
            return "tf"
        if source == "legal":
            return "authority"
        return "notice" if cid in reported else "own"

    own_measures: Counter = Counter()
    measures = 0
    for _id, cid, action, subjects, _at in decs:
        if action not in restricting:
            continue
        n = max(1, len(re.findall(r"\d+", str(subjects))))
        measures += n
        if kind(cid) == "own":
            r = restricting[action]
            for v in (*r.visibility, r.monetary, r.provision, r.account):
                if v:
                    own_measures[v] += n
            own_measures["all"] += n
    notices = Counter(
        kind(cid) for cid, (_, _, _, created) in info.items() if lo <= str(created)[:10] <= hi
    )
    complaints = sum(1 for _cid, reason in reopen if m.complaint_reason.search(reason or ""))
    return {
        "notices": notices["notice"] + notices["tf"],
        "tf": notices["tf"],
        "own": own_measures,
        "measures": measures,
        "complaints": complaints,
    }


def test_the_csv_sums_equal_the_case_stores_counts(demo_env):
    ids = planted()
    for kind in ("harassment_campaign", "impersonation", "romance_scam_ring", "false_reporting"):
        decide(ids[kind], kind)
    # one trusted flagger's case, and one complaint reversed on appeal
    cases.update(
        ids["impersonation"], tags=[*cases.get(ids["impersonation"]).tags, "trusted_flagger"]
    )
    hc = ids["harassment_campaign"]
    cases.set_status(hc, "closed")
    cases.set_status(hc, "investigating", reason="Appeal from the member with new context.")
    decisions.decide(hc, clauses=["CG-3.1"], action="no_violation", rationale="Reversed on appeal.")

    got = transparency.counts(*WIDE)
    rows = _rows(got.csv())
    facts = _store_facts(*WIDE)
    assert facts["notices"] > 0 and facts["own"]["all"] > 0 and facts["complaints"] > 0

    # table 4: notices, in total and from trusted flaggers
    assert int(_cell(rows, "4", "Number of notices received")) == facts["notices"]
    assert (
        int(_cell(rows, "4", "Number of notices received from Trusted flaggers"))
        == facts["tf"]
        == 1
    )
    # every notice is acted on (by law or by the terms), not acted on, or not yet decided
    parts = [
        "Number of actions taken on the basis of the law",
        "Number of actions taken on the basis of the terms and conditions of the service",
        "Number of notices not acted on",
        "Number of notices not yet decided",
    ]
    assert sum(int(_cell(rows, "4", p)) for p in parts) == facts["notices"]
    # tables 5 and 6: own-initiative measures, by ground and by restriction
    own = sum(
        int(_cell(rows, t, "Number of measures taken at the provider's own initiative"))
        for t in "56"
    )
    assert own == facts["own"]["all"]
    for value, column in transparency.RESTRICTION_CELLS.items():
        if value in facts["own"] and "Provision" not in column:
            assert sum(int(_cell(rows, t, column)) for t in "56") == facts["own"][value], column
    # table 7: complaints, with outcomes that add up, the reversal among them
    total = int(_cell(rows, "7", transparency.COMPLAINTS, scope="Total number"))
    assert total == facts["complaints"]
    outcomes = [*transparency.OUTCOMES, "Pending"]
    assert sum(int(_cell(rows, "7", transparency.COMPLAINTS, scope=o)) for o in outcomes) == total
    account = transparency.COMPLAINT_TYPES["account"]
    assert int(_cell(rows, "7", account, scope="Decisions reversed")) >= 1
    # table 8: every measure is a person's
    assert (
        int(
            _cell(
                rows, "8", "Number of measures not taken by automated means", scope="Total number"
            )
        )
        == facts["measures"]
    )

    # every TOTAL of tables 4 to 6 is the sum of its categories' cells
    sums: Counter = Counter()
    totals = {}
    for r in rows:
        if r["table"] in "456" and r["unit"] == "number" and r["value"]:
            key = (r["table"], r["indicator"])
            if r["category"] == "TOTAL":
                totals[key] = int(r["value"])
            else:
                sums[key] += int(r["value"])
    assert totals and all(sums[k] == v for k, v in totals.items() if k[0] != "4" or sums[k])
    assert all(sums[k] == totals[k] for k in totals if k[0] == "4")


def test_a_median_is_the_median_of_the_store_times(demo_env):
    ids = planted()
    decide(ids["harassment_campaign"], "harassment_campaign")
    got = transparency.counts(*WIDE)
    with store_session() as s:
        reported = {r[0] for r in s.execute(text("SELECT DISTINCT case_id FROM case_reporters"))}
        rows = s.execute(text("SELECT case_id, source, tags FROM cases")).all()
    m = dsa_map()
    spans = []
    for cid, source, tags in rows:
        if cid not in reported or source == "legal" or "trusted_flagger" in str(tags):
            continue
        c = cases.get(cid)
        first = next((d for d in decisions.decisions(cid) if d.at >= c.created_at), None)
        if first is not None and m.restriction(first.action) is not None:
            spans.append((first.at - c.created_at).total_seconds() / 3600)
    assert spans
    assert got.value("4", "Median time to take action") == round(statistics.median(spans), 1)


def test_cells_the_store_cannot_fill_are_named_not_zero(demo_env):
    rows = _rows(transparency.counts("1999-01-01", "1999-12-31").csv())
    empty = [r for r in rows if r["value"] == ""]
    named = {r["indicator"] for r in empty}
    for indicator in (
        "Number of disputes submitted to out-of-court dispute settlement bodies",
        "Number of orders to act against illegal content received",
        "Accuracy of the automated means",
        "Number of specific items of information included in the total number of notices",
    ):
        assert indicator in named
    assert all(
        r["contextual_information"].startswith("not filled") for r in empty if r["table"] != "4"
    )
    # a period with no cases has zero notices: a count, not a blank
    assert _cell(rows, "4", "Number of notices received") == "0"
    assert _cell(rows, "1", "Starting date of reporting period") == "1999-01-01"
    assert _cell(rows, "1", "Ending date of reporting period") == "1999-12-31"


def test_the_period_bounds_are_days_both_included(demo_env):
    ids = planted()
    decide(ids["harassment_campaign"], "harassment_campaign")
    today = utcnow().date().isoformat()
    day = transparency.counts(today, today)
    assert (
        day.value("8", "Number of measures not taken by automated means", scope="Total number") >= 1
    )
    before = transparency.counts("2000-01-01", "2000-01-02")
    assert (
        before.value("8", "Number of measures not taken by automated means", scope="Total number")
        == 0
    )


def test_cli_transparency(demo_env, tmp_path, capsys):
    from workbench.cli import main

    out = tmp_path / "counts.csv"
    assert (
        main(["filing", "transparency", "--from", WIDE[0], "--to", WIDE[1], "--out", str(out)]) == 0
    )
    rows = _rows(out.read_text())
    assert list(rows[0]) == list(transparency.COLUMNS)
    assert "named and left empty" in capsys.readouterr().err
    assert len(audit.records(action="filing.transparency")) == 1
    for bad in (
        ["--from", "2026-13-01", "--to", "2026-12-31"],
        ["--from", "2026-12-01", "--to", "2026-11-01"],
    ):
        assert main(["filing", "transparency", *bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--" in err
    # never overwrites a file
    assert (
        main(["filing", "transparency", "--from", WIDE[0], "--to", WIDE[1], "--out", str(out)]) == 2
    )
