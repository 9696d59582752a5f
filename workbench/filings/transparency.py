"""Transparency counts (DSA Arts. 15 and 24; Implementing Regulation (EU) 2024/2835, Annex I):
the cells of the quantitative template that the case store can fill, for a reporting period.

Every row is one cell: table, indicator, category (the Transparency Database's category, or
``TOTAL``), scope, value and a note. A cell the store cannot fill is still written, with an
empty value and the reason, so a blank is never mistaken for a zero.

How the store's records become counts (our reading; Annex II's definitions were not read):
- the unit is a *measure*: one decision on one member, as one statement of reasons would be;
- a decision's source, category, ground and restrictions are those of its statement of
  reasons (``workbench.filings.sor`` and the ``dsa:`` mapping in ``templates/policies.yaml``);
- a *notice* is a case from a notice (Art. 16) or a trusted flagger, counted once per case
  when the case was opened in the period; it was acted on when the case's first decision
  restricts something (by law or by the terms, after its ground), not acted on when that
  decision restricts nothing, and is "not yet decided" without one;
- a *complaint* is a reopening of a decided case whose reason matches ``dsa.complaint_reason``;
  its outcome is the next decision compared with the one complained about: upheld (same
  action and clauses), reversed (a restriction lifted, or imposed where there was none: a
  restriction newly imposed), partially reversed (any other change), or pending;
- median times are in hours, from the case's opening (notices) or the reopening (complaints)
  to the decision.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from workbench.cases.taxonomy import taxonomy
from workbench.errors import InputError
from workbench.filings import tdb
from workbench.filings.mapping import DsaMap, Restriction, dsa_map
from workbench.filings.sor import Decided, in_policy_order, source_type
from workbench.filings.team import team
from workbench.store import session as store_session
from workbench.store.models import CaseChange, CaseReporter, CaseRow, DecisionClause, DecisionRow

COLUMNS = ("table", "indicator", "category", "scope", "value", "unit", "contextual_information")
TOTAL = "TOTAL"
NOTICE_SOURCES = ("SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER")
UNSPECIFIED = "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"

# Tables 5 and 6: a statement's restriction values -> the template's restriction columns.
RESTRICTION_CELLS = {
    "DECISION_VISIBILITY_CONTENT_REMOVED": "Visibility restriction: Removal",
    "DECISION_VISIBILITY_CONTENT_DISABLED": "Visibility restriction: Disable",
    "DECISION_VISIBILITY_CONTENT_DEMOTED": "Visibility restriction: Demoted",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED": "Visibility restriction: Age restricted",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED": (
        "Visibility restriction: Interaction restricted"
    ),
    "DECISION_VISIBILITY_CONTENT_LABELLED": "Visibility restriction: Labelled",
    "DECISION_VISIBILITY_OTHER": "Visibility restriction: Other",
    "DECISION_MONETARY_SUSPENSION": "Monetary restriction: Suspension",
    "DECISION_MONETARY_TERMINATION": "Monetary restriction: Termination",
    "DECISION_MONETARY_OTHER": "Monetary restriction: Other",
    "DECISION_PROVISION_PARTIAL_SUSPENSION": "Provision of the service: Suspension",
    "DECISION_PROVISION_TOTAL_SUSPENSION": "Provision of the service: Suspension",
    "DECISION_PROVISION_PARTIAL_TERMINATION": "Provision of the service: Termination",
    "DECISION_PROVISION_TOTAL_TERMINATION": "Provision of the service: Termination",
    "DECISION_ACCOUNT_SUSPENDED": "Account restriction: Suspension",
    "DECISION_ACCOUNT_TERMINATED": "Account restriction: Termination",
}
RESTRICTION_COLUMNS = tuple(dict.fromkeys(RESTRICTION_CELLS.values()))

# Table 7: the kind of decision complained about.
COMPLAINT_TYPES = {
    "visibility": "Complaint regarding a decision to remove or disable access to or restrict "
    "visibility of information",
    "provision": "Complaint regarding a decision to suspend or terminate the provision of the "
    "service",
    "account": "Complaint regarding a decision to suspend or terminate an account",
    "monetary": "Complaint regarding a decision to restrict the ability to monetise information",
    "notice": "Complaint regarding a decision not to take action on a notice submitted in "
    "accordance with Article 16",
    "trusted_flagger": "Complaint regarding a decision not to take action on a notice submitted "
    "by a Trusted Flagger in accordance with Article 16",
}
OUTCOMES = ("Decisions upheld", "Decisions partially reversed", "Decisions reversed")
COMPLAINTS = "Number of complaints submitted to the internal-complaints mechanism"

# Cells no case record holds: named, never zero.
NOT_HELD = (
    ("1", "Date of the publication of the report", "set when the report is published"),
    ("1", "Date of the publication of the latest previous report", "not held by the case store"),
    (
        "3",
        "Number of orders to act against illegal content received",
        "the case store holds no Member State orders under Arts. 9 and 10",
    ),
    (
        "3",
        "Number of orders to provide information",
        "the case store holds no Member State orders under Arts. 9 and 10",
    ),
    (
        "4",
        "Number of specific items of information included in the total number of notices",
        "the case store does not count the items a notice names",
    ),
    ("7", f"{COMPLAINTS} / Decision omitted", "Annex II's definition was not applied"),
    (
        "7",
        "Number of disputes submitted to out-of-court dispute settlement bodies",
        "out-of-court disputes are not recorded on cases",
    ),
    (
        "7",
        "Number of suspensions enacted for the provision of manifestly illegal content",
        "Art. 23 suspensions are not recorded as such",
    ),
    (
        "7",
        "Number of suspensions enacted for the submission of manifestly unfounded notices",
        "Art. 23 suspensions are not recorded as such",
    ),
    (
        "7",
        "Number of suspensions enacted for the submission of manifestly unfounded complaints",
        "Art. 23 suspensions are not recorded as such",
    ),
    ("8", "Accuracy of the automated means", "comes from quality sampling, not from cases"),
    ("9", "Human resources dedicated to content moderation", "not held by the case store (VLOPs)"),
    ("10", "Number of average monthly active recipients", "not held by the case store (VLOPs)"),
    ("11", "Qualitative template", "free text, written by the team"),
)


@dataclass(frozen=True)
class Cell:
    table: str
    indicator: str
    category: str
    scope: str
    value: int | float | str | None
    unit: str = "number"
    note: str = ""

    def row(self) -> tuple[str, ...]:
        value = "" if self.value is None else str(self.value)
        return (self.table, self.indicator, self.category, self.scope, value, self.unit, self.note)


@dataclass(frozen=True)
class Measure:
    """One decision on one member, seen as its statement of reasons would see it."""

    case_id: str
    decision_id: int
    subject: int
    at: datetime
    source: str
    category: str
    ground: str
    restrictions: tuple[str, ...]


@dataclass
class Counts:
    start: datetime
    end: datetime  # exclusive
    cells: list[Cell] = field(default_factory=list)

    def add(self, *args, **kw) -> None:
        self.cells.append(Cell(*args, **kw))

    def median(
        self, table: str, indicator: str, category: str, scope: str, spans: list, what: str
    ) -> None:
        """A median time in hours; with nothing to take it of, an empty cell saying so."""
        got = _median_hours(spans)
        note = what if got is not None else f"not filled: nothing in the period ({what})"
        self.add(table, indicator, category, scope, got, "hours", note)

    def value(self, table: str, indicator: str, category: str = TOTAL, scope: str = TOTAL):
        """The value of one cell (for tests and callers); KeyError if there is no such cell."""
        for c in self.cells:
            if (c.table, c.indicator, c.category, c.scope) == (table, indicator, category, scope):
                return c.value
        raise KeyError((table, indicator, category, scope))

    def csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(c.row() for c in self.cells)
        return buf.getvalue()


# --------------------------------------------------------------------------- reading the store


def _period(start: date | str, end: date | str) -> tuple[datetime, datetime]:
    def day(v: date | str, name: str) -> date:
        if isinstance(v, date):
            return v
        try:
            return date.fromisoformat(str(v).strip())
        except ValueError:
            raise InputError(f"{name} {v!r} is not a date", "use YYYY-MM-DD") from None

    a, b = day(start, "--from"), day(end, "--to")
    if b < a:
        raise InputError(f"--to {b} is before --from {a}", "give the period's first and last day")
    return datetime.combine(a, time(), UTC), datetime.combine(b + timedelta(days=1), time(), UTC)


def _restriction_values(r: Restriction) -> tuple[str, ...]:
    return (*r.visibility, *(v for v in (r.monetary, r.provision, r.account) if v))


def _kind(values: Iterable[str]) -> list[str]:
    out = []
    for v in values:
        for k in ("visibility", "monetary", "provision", "account"):
            if v.startswith(f"DECISION_{k.upper()}_") and k not in out:
                out.append(k)
    return out


def _median_hours(spans: list[timedelta]) -> float | None:
    if not spans:
        return None
    return round(statistics.median(s.total_seconds() for s in spans) / 3600, 1)


def _load(m: DsaMap):
    with store_session() as s:
        case_rows = {r.case_id: r for r in s.scalars(select(CaseRow))}
        reported = set(s.scalars(select(CaseReporter.case_id).distinct()))
        clauses: dict[int, list[str]] = defaultdict(list)
        for did, clause in s.execute(select(DecisionClause.decision_id, DecisionClause.clause)):
            clauses[did].append(clause)
        decs: dict[str, list[Decided]] = defaultdict(list)
        for r in s.scalars(select(DecisionRow).order_by(DecisionRow.at, DecisionRow.id)):
            decs[r.case_id].append(
                Decided(
                    r.id,
                    r.case_id,
                    r.at,
                    r.action,
                    in_policy_order(clauses.get(r.id, ())),
                    tuple(int(u) for u in r.subjects or ()),
                )
            )
        reopened = [
            (c.case_id, c.at, c.reason or "")
            for c in s.scalars(
                select(CaseChange)
                .where(CaseChange.action == "reopen", CaseChange.field == "status")
                .order_by(CaseChange.at, CaseChange.id)
            )
        ]
        cases = {
            cid: (
                r.created_at,
                source_type(cid, r.custom or {}, tuple(r.tags or ()), r.source, cid in reported, m),
                r.category,
            )
            for cid, r in case_rows.items()
        }
    return cases, decs, reopened


# --------------------------------------------------------------------------- counting


def counts(start: date | str, end: date | str) -> Counts:
    """The cells of the quantitative template the case store can fill for the days ``start`` to
    ``end`` (both included, UTC), and the named cells it cannot fill."""
    lo, hi = _period(start, end)
    m = dsa_map()
    tax = taxonomy()
    cases, decs, reopened = _load(m)
    out = Counts(lo, hi)
    within = lambda t: lo <= t < hi  # noqa: E731

    def category_of(d: Decided | None, case_category: str) -> str:
        """The decision's first clause's category; before a decision, the case category's."""
        if d is not None and d.clauses:
            return m.clause(d.clauses[0]).category
        filed = tax.categories.get(case_category)
        return m.clause(filed.clauses[0]).category if filed and filed.clauses else UNSPECIFIED

    def ground_of(d: Decided) -> str:
        return (
            tdb.ILLEGAL
            if any(m.clause(c).ground == tdb.ILLEGAL for c in d.clauses)
            else (tdb.INCOMPATIBLE)
        )

    def restrictions(d: Decided) -> tuple[str, ...]:
        r = m.restriction(d.action)
        return _restriction_values(r) if r else ()

    # ----- table 1
    out.add("1", "Name of the service provider", TOTAL, TOTAL, team().provider, "text")
    out.add("1", "Starting date of reporting period", TOTAL, TOTAL, lo.date().isoformat(), "date")
    last = (hi - timedelta(days=1)).date().isoformat()
    out.add("1", "Ending date of reporting period", TOTAL, TOTAL, last, "date")

    # ----- measures: every restricting decision in the period, once per member
    measures: list[Measure] = []
    for cid, ds in decs.items():
        created, source, _ = cases[cid]
        for d in ds:
            if within(d.at) and restrictions(d):
                for u in d.subjects or (0,):
                    measures.append(
                        Measure(
                            cid,
                            d.id,
                            u,
                            d.at,
                            source,
                            category_of(d, ""),
                            ground_of(d),
                            restrictions(d),
                        )
                    )

    # ----- table 4: notices opened in the period, by category, acted on or not
    notice_rows: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for cid, (created, source, case_category) in cases.items():
        if source not in NOTICE_SOURCES or not within(created):
            continue
        first = next((d for d in decs.get(cid, ()) if d.at >= created), None)
        cat = category_of(first, case_category)
        tf = source == "SOURCE_TRUSTED_FLAGGER"
        bucket = notice_rows[cat]
        bucket["received"].append(cid)
        if tf:
            bucket["tf"].append(cid)
        if first is None:
            bucket["pending"].append(cid)
        elif restrictions(first):
            key = "law" if ground_of(first) == tdb.ILLEGAL else "terms"
            bucket[key].append(cid)
            bucket["spans"].append(first.at - created)
            if tf:
                bucket[f"{key}_tf"].append(cid)
                bucket["spans_tf"].append(first.at - created)
        else:
            bucket["not_acted"].append(cid)
            if tf:
                bucket["not_acted_tf"].append(cid)
    per_case = "counted once per case (a case groups the notices about one matter)"
    t4 = (
        ("Number of notices received", "received", per_case),
        ("Number of notices received from Trusted flaggers", "tf", per_case),
        ("Number of actions taken on the basis of the law", "law", ""),
        ("Number of actions taken on the basis of the law (Trusted flaggers)", "law_tf", ""),
        (
            "Number of actions taken on the basis of the terms and conditions of the service",
            "terms",
            "",
        ),
        (
            "Number of actions taken on the basis of the terms and conditions of the service "
            "(Trusted flaggers)",
            "terms_tf",
            "",
        ),
        (
            "Number of notices not acted on",
            "not_acted",
            "decided with no restriction; not a template cell (its complement is the actions)",
        ),
        ("Number of notices not yet decided", "pending", "not a template cell"),
    )
    cats = [c for c in (*tdb.CATEGORIES, UNSPECIFIED) if c in notice_rows]
    for indicator, key, note in t4:
        for cat in cats:
            out.add("4", indicator, cat, TOTAL, len(notice_rows[cat][key]), note=note)
        out.add(
            "4", indicator, TOTAL, TOTAL, sum(len(notice_rows[c][key]) for c in cats), note=note
        )
    for indicator, key in (
        ("Median time to take action", "spans"),
        ("Median time to take action (Trusted flaggers)", "spans_tf"),
    ):
        opened = "from the case's opening to its decision"
        for cat in cats:
            out.median("4", indicator, cat, TOTAL, notice_rows[cat][key], opened)
        allspans = [s for c in cats for s in notice_rows[c][key]]
        out.median("4", indicator, TOTAL, TOTAL, allspans, opened)

    # ----- tables 5 and 6: own-initiative measures, by ground, category and restriction
    own = [x for x in measures if x.source == tdb.VOLUNTARY]
    for table, ground in (("5", tdb.ILLEGAL), ("6", tdb.INCOMPATIBLE)):
        mine = [x for x in own if x.ground == ground]
        by_cat = sorted({x.category for x in mine}, key=tdb.CATEGORIES.index)
        note = "one measure per decision and member"
        for cat in (*by_cat, TOTAL):
            xs = [x for x in mine if cat in (TOTAL, x.category)]
            out.add(
                table,
                "Number of measures taken at the provider's own initiative",
                cat,
                TOTAL,
                len(xs),
                note=note,
            )
            out.add(
                table,
                "Number of measures taken after detection with solely automated means",
                cat,
                TOTAL,
                0,
                note="decisions recorded in the workbench are people's",
            )
            for col in RESTRICTION_COLUMNS:
                n = sum(1 for x in xs if any(RESTRICTION_CELLS[v] == col for v in x.restrictions))
                out.add(table, col, cat, TOTAL, n, note=note)

    # ----- table 7: internal complaints
    complaints: dict[str, list[tuple[str, timedelta | None]]] = defaultdict(list)
    newly = 0
    for cid, at, reason in reopened:
        if not within(at) or not m.complaint_reason.search(reason):
            continue
        ds = decs.get(cid, [])
        before = next((d for d in reversed(ds) if d.at <= at), None)
        after = next((d for d in ds if d.at > at), None)
        if before is None:
            continue
        was, now = restrictions(before), restrictions(after) if after else ()
        source = cases[cid][1]
        if was:
            kinds = _kind(was)
        elif source in NOTICE_SOURCES:  # a notifier's complaint about a notice not acted on
            kinds = ["trusted_flagger" if source == "SOURCE_TRUSTED_FLAGGER" else "notice"]
        else:
            kinds = []
        if after is None:
            outcome = "pending"
        elif after.action == before.action and set(after.clauses) == set(before.clauses):
            outcome = OUTCOMES[0]
        elif was and not now:
            outcome = OUTCOMES[2]
        elif not was and now:
            outcome = OUTCOMES[2]
            newly += 1
        else:
            outcome = OUTCOMES[1]
        span = after.at - at if after else None
        for k in kinds:
            complaints[k].append((outcome, span))
        complaints["all"].append((outcome, span))
    note7 = "a reopening of a decided case for an appeal or complaint"

    def complaint_cells(indicator: str, got: list[tuple[str, timedelta | None]]) -> None:
        out.add("7", indicator, TOTAL, "Total number", len(got), note=note7)
        for o in OUTCOMES:
            out.add("7", indicator, TOTAL, o, sum(1 for g, _ in got if g == o))
        out.add(
            "7",
            indicator,
            TOTAL,
            "Pending",
            sum(1 for g, _ in got if g == "pending"),
            note="not yet decided again; not a template cell",
        )
        spans = [s for _, s in got if s is not None]
        out.median(
            "7", indicator, TOTAL, "Median time", spans, "from the reopening to the decision"
        )

    complaint_cells(COMPLAINTS, complaints["all"])
    out.add(
        "7",
        "Number of restrictions newly imposed as a result of an internal complaint",
        TOTAL,
        "Total number",
        newly,
    )
    for k, indicator in COMPLAINT_TYPES.items():
        complaint_cells(indicator, complaints[k])

    # ----- table 8: automated means
    solely = "Number of measures solely taken by automated means"
    human = "Number of measures not taken by automated means"
    for scope, xs in (
        ("Total number", measures),
        ("Own-initiative", own),
        ("NAM Total", [x for x in measures if x.source in NOTICE_SOURCES]),
        ("NAM Trusted Flagger", [x for x in measures if x.source == "SOURCE_TRUSTED_FLAGGER"]),
    ):
        out.add(
            "8", solely, TOTAL, scope, 0, note="decisions recorded in the workbench are people's"
        )
        out.add("8", human, TOTAL, scope, len(xs))

    for table, indicator, why in NOT_HELD:
        out.add(table, indicator, TOTAL, TOTAL, None, note=f"not filled: {why}")
    return out
