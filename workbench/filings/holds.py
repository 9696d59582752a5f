"""Preservation holds on a case: a law-enforcement request (18 U.S.C. 2703(f)) and a CyberTipline
report (2258A(h)).

* A preservation request (:func:`record_request`) is recorded with what it names (accounts, data
  types, period); the data it names is collected as evidence of the case (the data under hold)
  and a hold starts: 90 calendar days from receipt (``templates/sla.yaml``).
* A renewed request (:func:`renew`) extends the hold by another 90 days from its end (180 in
  all). The statute gives one extension, so a further one is refused (ask counsel).
* A CyberTipline report prepared from the case holds what it reported for one year
  (:func:`start_cybertip`).

Deadlines are counted in calendar days (years) in the team's zone, never early across a DST
switch (:func:`workbench.cases.sla.preservation_deadline`). The case's own preservation deadline
(its SLA clock, the on-call view) follows its most urgent active hold. :func:`expiring` is the
leads' "holds expiring within 14 days".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench import cases
from workbench.cases import lifecycle
from workbench.cases.sla import Deadline, policy, preservation_deadline, preservation_status
from workbench.config import settings
from workbench.errors import InputError, NotFoundError
from workbench.evidence import items as ev
from workbench.filings.team import team
from workbench.ids import check_user_id, validate_case_id
from workbench.queries.run import query
from workbench.store import audit
from workbench.store import session as store_session
from workbench.store.models import HoldRow, LegalRequestRow
from workbench.times import parse_interval, parse_timestamp, utcnow

KINDS = {
    "2703f": "law-enforcement preservation request (18 U.S.C. 2703(f))",
    "cybertip": "CyberTipline report (18 U.S.C. 2258A(h))",
}
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: the query parameter that bounds each data type's rows by time (user_overview has none)
_PERIOD_PARAMS = ("start", "end")


@dataclass(frozen=True)
class LegalRequest:
    id: int
    case_id: str
    request_id: str
    agency: str
    reference: str | None
    kind: str
    received_at: datetime
    subjects: tuple[int, ...]
    data_types: tuple[str, ...]
    period_start: datetime
    period_end: datetime
    items: tuple[int, ...]


@dataclass(frozen=True)
class Hold:
    id: int
    case_id: str
    kind: str
    request_id: int | None
    filing_id: int | None
    started_at: datetime
    due: datetime
    renewals: int
    renewed_at: datetime | None
    released_at: datetime | None

    @property
    def active(self) -> bool:
        return self.released_at is None

    def status(self, now: datetime | None = None) -> Deadline:
        return preservation_status(self.due, now)


def _request(r: LegalRequestRow) -> LegalRequest:
    return LegalRequest(
        r.id,
        r.case_id,
        r.request_id,
        r.agency,
        r.reference,
        r.kind,
        r.received_at,
        tuple(int(u) for u in r.subjects or ()),
        tuple(r.data_types or ()),
        r.period_start,
        r.period_end,
        tuple(int(i) for i in r.items or ()),
    )


def _hold(r: HoldRow) -> Hold:
    return Hold(
        r.id,
        r.case_id,
        r.kind,
        r.request_id,
        r.filing_id,
        r.started_at,
        r.due,
        r.renewals,
        r.renewed_at,
        r.released_at,
    )


def _sync_case(s: Session, case_id: str, who: str, at: datetime, what: str) -> None:
    """Set the case's preservation deadline to its most urgent active hold, logged."""
    dues = s.scalars(
        select(HoldRow.due).where(HoldRow.case_id == case_id, HoldRow.released_at.is_(None))
    ).all()
    row = lifecycle.record_action(
        s,
        case_id,
        who=who,
        at=at,
        action="hold",
        field="preservation_due",
        new=what,
        first_action=False,
    )
    if dues:
        row.preservation_due = min(dues)


# --------------------------------------------------------------------------- requests


def get_request(case_id: str, request_id: str) -> LegalRequest:
    """The authority's request ``request_id`` recorded on the case."""
    validate_case_id(case_id)
    with store_session() as s:
        row = s.scalar(
            select(LegalRequestRow).where(
                LegalRequestRow.case_id == case_id, LegalRequestRow.request_id == request_id
            )
        )
        if row is None:
            raise NotFoundError(
                f"{case_id} has no request {request_id!r}",
                f"record it with `workbench filing preservation-request {case_id} ...`",
            )
        return _request(row)


def requests(case_id: str) -> list[LegalRequest]:
    validate_case_id(case_id)
    with store_session() as s:
        q = select(LegalRequestRow).where(LegalRequestRow.case_id == case_id)
        return [_request(r) for r in s.scalars(q.order_by(LegalRequestRow.id))]


def collect(case_id: str, req: LegalRequest) -> list[ev.EvidenceItem]:
    """The data a request names, for its accounts and period, run through the audited door
    and collected as evidence items (one per account and data type)."""
    t = team()
    got = []
    for uid in req.subjects:
        for name in req.data_types:
            dt = t.data_type(name)
            params: dict = {"user_id": uid}
            if name != "subscriber_info":
                params.update(start=req.period_start, end=req.period_end)
            df = query(dt.query, case=case_id, **params)
            got.append(
                ev.add_query_result(
                    case_id,
                    df,
                    title=f"{dt.title} (request {req.request_id})",
                    note=f"preserved for {req.agency} request {req.request_id}",
                )
            )
    return got


def record_request(
    case_id: str,
    request_id: str,
    *,
    agency: str,
    received_at: datetime | str,
    data_types: Sequence[str],
    start: datetime | str,
    end: datetime | str,
    subjects: Sequence[int] | None = None,
    reference: str | None = None,
) -> tuple[LegalRequest, Hold]:
    """Record a law-enforcement preservation request, collect the data it names (the data under
    hold) and start its 90-day hold from receipt."""
    validate_case_id(case_id)
    if not _REQUEST_ID_RE.fullmatch(request_id or ""):
        raise InputError(
            f"{request_id!r} is not a request id", "use 1-64 letters, digits, '.', '_' or '-'"
        )
    agency = (agency or "").strip()
    if not agency or len(agency) > 200:
        raise InputError("a request names its agency (at most 200 characters)")
    received = parse_timestamp(received_at)
    now = utcnow()
    if received > now + timedelta(minutes=5):
        raise InputError("a request cannot be received in the future", "check --received")
    p_start, p_end = parse_timestamp(start), parse_timestamp(end)
    if p_end <= p_start:
        raise InputError("the request's period ends before it starts", "check --from and --to")
    types = list(dict.fromkeys(str(d).strip() for d in data_types if str(d).strip()))
    if not types:
        raise InputError("a request names at least one data type", "pass --data TYPE")
    for d in types:
        team().data_type(d)
    case = cases.get(case_id)
    ids = [check_user_id(u) for u in (subjects or case.subjects)]
    if not ids:
        raise InputError(f"{case_id} has no subjects", "name the accounts with --subject")
    ref = (reference or "").strip() or None
    pol = policy()
    due = preservation_deadline(received, days=pol.preservation_days)
    who = settings().analyst
    with store_session() as s:
        taken = s.scalar(
            select(LegalRequestRow.id).where(
                LegalRequestRow.case_id == case_id, LegalRequestRow.request_id == request_id
            )
        )
    if taken is not None:
        raise InputError(
            f"{case_id} already has request {request_id}",
            f"a renewed request extends it: `workbench filing preservation-renew {case_id} "
            f"{request_id}`",
        )
    draft = LegalRequest(
        0, case_id, request_id, agency, ref, "preservation", received, tuple(ids), tuple(types),
        p_start, p_end, (),
    )  # fmt: skip
    collected = collect(case_id, draft)
    at = utcnow()
    with store_session() as s:
        row = LegalRequestRow(
            case_id=case_id,
            request_id=request_id,
            agency=agency,
            reference=ref,
            kind="preservation",
            received_at=received,
            subjects=ids,
            data_types=types,
            period_start=p_start,
            period_end=p_end,
            items=[i.id for i in collected],
            created_at=at,
            created_by=who,
        )
        s.add(row)
        s.flush()
        hold = HoldRow(
            case_id=case_id,
            kind="2703f",
            request_id=row.id,
            filing_id=None,
            started_at=received,
            due=due,
            renewals=0,
            created_at=at,
            created_by=who,
        )
        s.add(hold)
        s.flush()
        _sync_case(
            s, case_id, who, at, f"2703(f) hold for request {request_id} until {due:%Y-%m-%d}"
        )
        req, h = _request(row), _hold(hold)
    audit.record(
        "filing.preservation_request",
        case=case_id,
        target={"request": request_id},
        details={
            "data_types": types,
            "accounts": len(ids),
            "items": [i.label for i in collected],
            "due": due,
        },
    )
    return req, h


def hold_for_request(case_id: str, request_id: str) -> Hold:
    req = get_request(case_id, request_id)
    with store_session() as s:
        row = s.scalar(select(HoldRow).where(HoldRow.request_id == req.id))
        if row is None:
            raise NotFoundError(f"request {request_id} of {case_id} has no hold")
        return _hold(row)


def renew(case_id: str, request_id: str, *, at: datetime | str | None = None) -> Hold:
    """A renewed request: the hold runs another 90 days from its current end (once)."""
    req = get_request(case_id, request_id)
    when = utcnow() if at is None else parse_timestamp(at)
    pol = policy()
    who = settings().analyst
    with store_session() as s:
        row = s.scalar(select(HoldRow).where(HoldRow.request_id == req.id).with_for_update())
        if row is None:
            raise NotFoundError(f"request {request_id} of {case_id} has no hold")
        if row.released_at is not None:
            raise InputError(f"the hold for request {request_id} was released")
        if row.renewals >= pol.preservation_max_renewals:
            raise InputError(
                f"the hold for request {request_id} was already extended {row.renewals} time(s) "
                f"(until {row.due:%Y-%m-%d}); 18 U.S.C. 2703(f)(2) gives one extension",
                "ask counsel; a further hold needs legal process",
            )
        if when >= row.due:
            raise InputError(
                f"the hold for request {request_id} ran out on {row.due:%Y-%m-%d %H:%M} UTC",
                "a renewal must arrive before the hold ends; ask counsel",
            )
        old = row.due
        row.due = preservation_deadline(old, days=pol.preservation_renew_days)
        row.renewals += 1
        row.renewed_at = when
        _sync_case(
            s,
            case_id,
            who,
            utcnow(),
            f"2703(f) hold for {request_id} extended to {row.due:%Y-%m-%d}",
        )
        h = _hold(row)
    audit.record(
        "filing.preservation_renewed",
        case=case_id,
        target={"request": request_id},
        details={"from": old, "to": h.due, "renewals": h.renewals},
    )
    return h


def start_cybertip(case_id: str, filing_id: int, *, at: datetime | None = None) -> Hold:
    """The one-year hold of what a CyberTipline report reported (2258A(h)(1))."""
    when = at or utcnow()
    pol = policy()
    due = preservation_deadline(when, years=pol.cybertip_years)
    who = settings().analyst
    with store_session() as s:
        row = HoldRow(
            case_id=case_id,
            kind="cybertip",
            request_id=None,
            filing_id=filing_id,
            started_at=when,
            due=due,
            renewals=0,
            created_at=utcnow(),
            created_by=who,
        )
        s.add(row)
        s.flush()
        _sync_case(s, case_id, who, utcnow(), f"CyberTipline hold until {due:%Y-%m-%d}")
        return _hold(row)


def cybertip_submitted(filing_id: int, submitted_at: datetime) -> Hold | None:
    """The report was sent: its hold runs one year from submission (2258A(h)(1)), never
    shorter than the year counted from preparation."""
    pol = policy()
    who = settings().analyst
    with store_session() as s:
        row = s.scalar(
            select(HoldRow)
            .where(HoldRow.filing_id == filing_id, HoldRow.kind == "cybertip")
            .with_for_update()
        )
        if row is None:
            return None
        due = preservation_deadline(submitted_at, years=pol.cybertip_years)
        if due > row.due:
            row.started_at, row.due = submitted_at, due
            _sync_case(s, row.case_id, who, utcnow(), f"CyberTipline hold until {due:%Y-%m-%d}")
        return _hold(row)


# --------------------------------------------------------------------------- reading


def for_case(case_id: str, *, active_only: bool = False) -> list[Hold]:
    validate_case_id(case_id)
    q = select(HoldRow).where(HoldRow.case_id == case_id)
    if active_only:
        q = q.where(HoldRow.released_at.is_(None))
    with store_session() as s:
        return [_hold(r) for r in s.scalars(q.order_by(HoldRow.id))]


HOLD_COLUMNS = [
    "case_id",
    "hold",
    "kind",
    "request",
    "started_at",
    "due",
    "days_left",
    "state",
    "renewals",
    "can_renew",
]


def _rows(rows: Sequence[HoldRow], s: Session, now: datetime) -> list[dict]:
    pol = policy()
    ids = {r.request_id for r in rows if r.request_id is not None}
    names = dict(
        s.execute(
            select(LegalRequestRow.id, LegalRequestRow.request_id).where(
                LegalRequestRow.id.in_(ids)
            )
        ).all()
    )
    out = []
    for r in rows:
        st = preservation_status(r.due, now, pol)
        out.append(
            {
                "case_id": r.case_id,
                "hold": r.id,
                "kind": r.kind,
                "request": None if r.request_id is None else names.get(r.request_id),
                "started_at": r.started_at,
                "due": r.due,
                "days_left": round(st.remaining.total_seconds() / 86400, 1),
                "state": st.state,
                "renewals": r.renewals,
                "can_renew": r.kind == "2703f" and r.renewals < pol.preservation_max_renewals,
            }
        )
    return out


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=HOLD_COLUMNS)
    for c in ("started_at", "due"):
        df[c] = pd.to_datetime(df[c], utc=True)
    return df


def frame(case_id: str, now: datetime | None = None) -> pd.DataFrame:
    """The case's holds (active and released) with their state as of ``now``."""
    validate_case_id(case_id)
    with store_session() as s:
        rows = s.scalars(select(HoldRow).where(HoldRow.case_id == case_id).order_by(HoldRow.id))
        return _frame(_rows(list(rows), s, now or utcnow()))


def expiring(within: timedelta | str | None = None, now: datetime | None = None) -> pd.DataFrame:
    """Active holds, of every case (open or closed), that end within ``within`` (default: the
    policy's warning, 14 days) or have ended unreleased; soonest first. No personal data."""
    now = now or utcnow()
    window = policy().preservation_warn if within is None else parse_interval(within)
    with store_session() as s:
        rows = s.scalars(
            select(HoldRow)
            .where(HoldRow.released_at.is_(None), HoldRow.due <= now + window)
            .order_by(HoldRow.due, HoldRow.id)
        ).all()
        return _frame(_rows(list(rows), s, now))
