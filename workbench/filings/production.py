"""A production to law enforcement, limited to what its request names: the records collected for
the request (its accounts, data types and period; collected now if they were not preserved
first), a production letter listing them, and a custody record of their handling, bundled for
the ``law_enforcement`` audience, signed and verifiable (:mod:`workbench.evidence.bundle`).

The letter and the custody record are filings of the case (evidence, audited) and go in the
bundle as its documents, as written (exit-scanned and hashed, not redacted: they are ours).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from workbench.config import settings
from workbench.evidence import items as ev
from workbench.evidence.bundle import BundleResult, create_bundle
from workbench.filings import holds, records
from workbench.filings.preservation import item_lines, request_values
from workbench.filings.team import render
from workbench.store import session as store_session
from workbench.store.models import LegalRequestRow

AUDIENCE = "law_enforcement"


@dataclass(frozen=True)
class Production:
    request: holds.LegalRequest
    letter: records.Filing
    custody: records.Filing
    bundle: BundleResult


def _records_for(case_id: str, req: holds.LegalRequest) -> holds.LegalRequest:
    """The request's records: those preserved for it, or collected now (and kept on it)."""
    if req.items:
        return req
    got = holds.collect(case_id, req)
    with store_session() as s:
        row = s.scalar(select(LegalRequestRow).where(LegalRequestRow.id == req.id))
        assert row is not None
        row.items = [i.id for i in got]
    return holds.get_request(case_id, req.request_id)


def _custody_text(case_id: str, req: holds.LegalRequest) -> str:
    wanted = set(req.items)
    events = [
        {
            "seq": e.seq,
            "at": ev.iso(e.at),
            "event": e.event,
            "what": e.what,
            "actor": e.actor,
            "hash": e.hash,
        }
        for e in ev.custody(case_id)
        if e.item_id in wanted
    ]
    return render(
        "letters/custody.txt.j2",
        case_id=case_id,
        request_id=req.request_id,
        agency=req.agency,
        today=request_values(req)["today"],
        who=settings().analyst,
        events=events,
    )


def produce(
    case_id: str, request_id: str, out: Path | str, *, why: str | None = None
) -> Production:
    """Bundle the records ``request_id`` names, with the production letter and custody record."""
    req = _records_for(case_id, holds.get_request(case_id, request_id))
    letter_text = render(
        "letters/production.txt.j2", **request_values(req), items=item_lines(case_id, req.items)
    )
    custody_text = _custody_text(case_id, req)
    stamp = records.digest(
        [
            records.Payload("letter", letter_text.encode(), "text/plain"),
            records.Payload("custody", custody_text.encode(), "text/plain"),
        ]
    )[:12]
    filed = []
    for kind, name, text in (
        ("production_letter", f"production-{req.request_id}.txt", letter_text),
        ("custody_record", f"custody-{req.request_id}.txt", custody_text),
    ):
        key = f"{kind}-{case_id}-{req.request_id}-{stamp}"
        filed.append(
            records.find(key)
            or records.record(
                kind,
                key,
                [records.Payload(name, text.encode("utf-8"), "text/plain")],
                case_id=case_id,
                details={"request": req.request_id},
                note=f"production to {req.agency}",
            )
        )
    letter, custody = filed
    bundle = create_bundle(
        case_id,
        AUDIENCE,
        out,
        why=why or f"production to {req.agency}, request {req.request_id}",
        only=req.items,
        documents=[
            (f"production-letter-{req.request_id}.txt", letter_text.encode("utf-8")),
            (f"custody-record-{req.request_id}.txt", custody_text.encode("utf-8")),
        ],
    )
    return Production(req, letter, custody, bundle)
