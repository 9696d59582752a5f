"""Filings on the record: every filing is evidence of its case (each file hashed, stored and in
custody through :func:`workbench.evidence.items.add_filing`), a row of ``filings`` (unique
``key``: a statement's puid, so a re-run never records it twice), a line of the case's change
log and a record of the audit log (``filing.<kind>``).

Nothing here sends anything: a filing is *prepared*. When someone has sent it through the
registry's own channel, :func:`mark_submitted` records when and the registry's reference.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workbench.cases import lifecycle
from workbench.config import settings
from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.evidence import items as ev
from workbench.ids import validate_case_id
from workbench.store import audit
from workbench.store import session as store_session
from workbench.store.models import FilingRow
from workbench.times import parse_timestamp, utcnow

KINDS = {
    "sor": "DSA statement of reasons",
    "notice": "Art. 17 notice to the member",
    "cybertip": "CyberTipline report",
    "preservation_letter": "preservation confirmation",
    "production_letter": "production letter",
    "custody_record": "custody record",
    "transparency": "transparency counts",
}
STATUSES = ("prepared", "submitted")


@dataclass(frozen=True)
class Payload:
    """One file of a filing: its name (as written out), bytes and media type."""

    name: str
    data: bytes
    media_type: str


@dataclass(frozen=True)
class Filing:
    id: int
    kind: str
    key: str
    case_id: str | None
    decision_id: int | None
    subject: int | None
    status: str
    created_at: datetime
    created_by: str
    sha256: str
    items: tuple[int, ...]
    details: dict[str, Any] = field(default_factory=dict)
    submitted_at: datetime | None = None
    submitted_by: str | None = None
    reference: str | None = None

    @property
    def title(self) -> str:
        return KINDS.get(self.kind, self.kind)


def _filing(r: FilingRow) -> Filing:
    return Filing(
        r.id,
        r.kind,
        r.key,
        r.case_id,
        r.decision_id,
        r.subject,
        r.status,
        r.created_at,
        r.created_by,
        r.sha256,
        tuple(r.items or ()),
        dict(r.details or {}),
        r.submitted_at,
        r.submitted_by,
        r.reference,
    )


def digest(payloads: Sequence[Payload]) -> str:
    """One sha256 over a filing's files (each file's sha256 and name, in order)."""
    h = hashlib.sha256()
    for p in payloads:
        h.update(f"{hashlib.sha256(p.data).hexdigest()}  {p.name}\n".encode())
    return h.hexdigest()


def find(key: str) -> Filing | None:
    """The filing recorded under ``key``, if any."""
    with store_session() as s:
        row = s.scalar(select(FilingRow).where(FilingRow.key == key))
        return _filing(row) if row is not None else None


def get(filing_id: int) -> Filing:
    with store_session() as s:
        row = s.get(FilingRow, int(filing_id))
        if row is None:
            raise NotFoundError(f"no filing {filing_id}", "see `workbench filing list CASE`")
        return _filing(row)


def record(
    kind: str,
    key: str,
    payloads: Sequence[Payload],
    *,
    case_id: str | None,
    decision_id: int | None = None,
    subject: int | None = None,
    details: dict[str, Any] | None = None,
    note: str | None = None,
) -> Filing:
    """Record a prepared filing: its files become evidence items of the case (in custody), one
    row under ``key`` (refused if the key is taken), a change on the case and an audit record."""
    if kind not in KINDS:
        raise InputError(f"{kind!r} is not a kind of filing", f"use one of {', '.join(KINDS)}")
    if not payloads:
        raise InputError("a filing needs at least one file")
    if find(key) is not None:
        raise InputError(f"a filing {key} is already recorded", "a re-run never files twice")
    details = dict(details or {})
    who = settings().analyst
    item_ids: list[int] = []
    labels: list[str] = []
    if case_id is not None:
        validate_case_id(case_id)
        for p in payloads:
            item = ev.add_filing(
                case_id,
                p.data,
                title=f"{KINDS[kind]}: {p.name}",
                media_type=p.media_type,
                source=f"filing:{kind}",
                details={"filing": key, "file": p.name},
                note=note,
            )
            item_ids.append(item.id)
            labels.append(item.label)
    sha = digest(payloads)
    at = utcnow()
    try:
        with store_session() as s:
            row = FilingRow(
                kind=kind,
                key=key,
                case_id=case_id,
                decision_id=decision_id,
                subject=subject,
                status="prepared",
                created_at=at,
                created_by=who,
                sha256=sha,
                items=item_ids,
                details={**details, "files": [p.name for p in payloads], "items": labels},
            )
            s.add(row)
            s.flush()
            if case_id is not None:
                lifecycle.record_action(
                    s,
                    case_id,
                    who=who,
                    at=at,
                    action="filing",
                    field="filings",
                    new=f"{kind} {key} prepared ({', '.join(labels)})",
                    first_action=False,
                )
            filing = _filing(row)
    except IntegrityError:
        raise WorkbenchError(
            f"another run recorded {key} at the same time",
            "look it up with `workbench filing list`",
        ) from None
    audit.record(
        f"filing.{kind}",
        case=case_id,
        target={"filing": key},
        details={"sha256": sha, "items": labels, "files": [p.name for p in payloads]},
    )
    return filing


def for_case(case_id: str, kind: str | None = None) -> list[Filing]:
    """The case's filings, oldest first (``kind``: only those)."""
    validate_case_id(case_id)
    q = select(FilingRow).where(FilingRow.case_id == case_id)
    if kind is not None:
        q = q.where(FilingRow.kind == kind)
    with store_session() as s:
        return [_filing(r) for r in s.scalars(q.order_by(FilingRow.id))]


def payload(filing: Filing, n: int = 0) -> bytes:
    """The bytes of the filing's ``n``-th file, as recorded (checked against its hash)."""
    if filing.case_id is None or n >= len(filing.items):
        raise NotFoundError(f"filing {filing.key} keeps no file {n}")
    item = ev.get_item(filing.case_id, filing.items[n])
    with ev.open_payload(item) as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != item.sha256:
        raise WorkbenchError(
            f"{item.label} has changed on disk since it was recorded",
            "restore the case folder from backup",
        )
    return data


def mark_submitted(
    filing_id: int, *, reference: str | None = None, at: datetime | str | None = None
) -> Filing:
    """Record that a prepared filing was sent through the registry's own channel (the
    workbench sends nothing): when, by whom, and the registry's reference."""
    when = utcnow() if at is None else parse_timestamp(at)
    who = settings().analyst
    ref = (reference or "").strip() or None
    if ref is not None and len(ref) > 200:
        raise InputError("a registry reference is at most 200 characters")
    with store_session() as s:
        row = s.get(FilingRow, int(filing_id), with_for_update=True)
        if row is None:
            raise NotFoundError(f"no filing {filing_id}", "see `workbench filing list CASE`")
        if row.status == "submitted":
            raise InputError(
                f"filing {row.key} was already marked submitted at {row.submitted_at:%Y-%m-%d %H:%M} UTC"
            )
        if when < row.created_at:
            raise InputError("a filing cannot be submitted before it was prepared")
        row.status, row.submitted_at, row.submitted_by, row.reference = "submitted", when, who, ref
        if row.case_id is not None:
            lifecycle.record_action(
                s,
                row.case_id,
                who=who,
                at=utcnow(),
                action="filing",
                field="filings",
                new=f"{row.kind} {row.key} submitted" + (f" ({ref})" if ref else ""),
                first_action=False,
            )
        filing = _filing(row)
    if filing.kind == "cybertip":  # the one-year hold counts from submission
        from workbench.filings.holds import cybertip_submitted

        cybertip_submitted(filing.id, when)
    audit.record(
        "filing.submitted",
        case=filing.case_id,
        target={"filing": filing.key},
        details={"reference": ref, "submitted_at": when},
    )
    return filing


def frame(case_id: str) -> pd.DataFrame:
    """The case's filings as a table (one row per filing; no content)."""
    rows = [
        {
            "filing": f.id,
            "kind": f.kind,
            "what": f.title,
            "key": f.key,
            "status": f.status,
            "subject": f.subject,
            "items": ", ".join(f.details.get("items", [])),
            "sha256": f.sha256,
            "created_by": f.created_by,
            "created_at": f.created_at,
            "submitted_at": f.submitted_at,
            "reference": f.reference,
        }
        for f in for_case(case_id)
    ]
    cols = [
        "filing",
        "kind",
        "what",
        "key",
        "status",
        "subject",
        "items",
        "sha256",
        "created_by",
        "created_at",
        "submitted_at",
        "reference",
    ]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("created_at", "submitted_at"):
        df[c] = pd.to_datetime(df[c], utc=True)
    return df
