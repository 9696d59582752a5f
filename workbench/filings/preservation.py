"""The confirmation to an authority that its preservation request is in hand: the accounts, the
data types and the period it named, the records preserved (with their hashes) and until when
(``templates/filings/letters/preservation.txt.j2``). Recorded as a filing of the case; a renewal
gets a new letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workbench.config import settings
from workbench.errors import InputError
from workbench.evidence import items as ev
from workbench.evidence.scanner import ExitScanner, case_people
from workbench.filings import holds, records
from workbench.filings.team import render, team
from workbench.times import utcnow


@dataclass(frozen=True)
class Letter:
    case_id: str
    request_id: str
    key: str
    text: str
    filing: records.Filing
    already: bool


def _day(ts: datetime) -> str:
    return ts.astimezone(settings().tz).strftime("%Y-%m-%d")


def _local(ts: datetime) -> str:
    return ts.astimezone(settings().tz).strftime("%Y-%m-%d %H:%M %Z")


def item_lines(case_id: str, ids: tuple[int, ...]) -> list[dict[str, Any]]:
    """What a letter says of each record: label, title, rows, sha256."""
    out = []
    for i in ids:
        item = ev.get_item(case_id, i)
        out.append(
            {
                "label": item.label,
                "title": item.title,
                "rows": item.details.get("rows", "?"),
                "sha256": item.sha256,
            }
        )
    return out


def request_values(req: holds.LegalRequest) -> dict[str, Any]:
    """The values every letter about ``req`` shares."""
    t = team()
    return {
        "provider": t.provider,
        "service": t.service,
        "le_team": t.law_enforcement.get("team", t.provider),
        "le_email": t.law_enforcement.get("email", ""),
        "today": _day(utcnow()),
        "agency": req.agency,
        "reference": req.reference,
        "case_id": req.case_id,
        "request_id": req.request_id,
        "received": _local(req.received_at),
        "accounts": list(req.subjects),
        "period_start": req.period_start.strftime("%Y-%m-%d %H:%M"),
        "period_end": req.period_end.strftime("%Y-%m-%d %H:%M"),
        "data_types": [t.data_type(d) for d in req.data_types],
    }


def _pick(case_id: str, request_id: str | None) -> holds.LegalRequest:
    if request_id is not None:
        return holds.get_request(case_id, request_id)
    got = [r for r in holds.requests(case_id) if r.kind == "preservation"]
    if not got:
        raise InputError(
            f"{case_id} has no preservation request",
            f"record it first: `workbench filing preservation-request {case_id} ...`",
        )
    return got[-1]


def scan_for_agency(case_id: str, req: holds.LegalRequest, part: str, text: str) -> None:
    """The law-enforcement exit scan, less the requesting agency's own name and reference: a
    letter to an authority names it, but no member the case protects."""
    agency = req.agency.strip().casefold()
    people = [
        p
        for p in case_people(case_id)
        if not agency
        or not any(
            str(v).casefold().startswith(agency)
            for kind in ("reference", "name")
            for v in p.values.get(kind, ())
        )
    ]
    ExitScanner(case_id, "law_enforcement", people=people).text(part, text)


def letter(case_id: str, request_id: str | None = None) -> Letter:
    """The confirmation for the case's (latest, or named) preservation request, recorded once
    per state of its hold (a renewal gets its own letter)."""
    req = _pick(case_id, request_id)
    hold = holds.hold_for_request(case_id, req.request_id)
    key = f"preservation-{case_id}-{req.request_id}-{hold.renewals}"
    known = records.find(key)
    if known is not None:
        text = records.payload(known, 0).decode("utf-8")
        return Letter(case_id, req.request_id, key, text, known, True)
    text = render(
        "letters/preservation.txt.j2",
        **request_values(req),
        renewals=hold.renewals,
        renewed=_local(hold.renewed_at) if hold.renewed_at else "",
        due=_local(hold.due),
        due_utc=hold.due.strftime("%Y-%m-%d %H:%M"),
        zone=settings().tz.key,
        items=item_lines(case_id, req.items),
    )
    scan_for_agency(case_id, req, f"preservation-{req.request_id}.txt", text)
    filing = records.record(
        "preservation_letter",
        key,
        [records.Payload(f"preservation-{req.request_id}.txt", text.encode(), "text/plain")],
        case_id=case_id,
        details={"request": req.request_id, "due": hold.due.isoformat(), "renewals": hold.renewals},
        note=f"preservation confirmation to {req.agency}",
    )
    return Letter(case_id, req.request_id, key, text, filing, False)
