"""Case notes: markdown written by specialists, with author and time.

Adding a note counts as an action on the case (it starts the first-response clock's "met" and
is logged in the change log, without the text, so the log stays a list of facts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.cases import lifecycle
from workbench.errors import InputError
from workbench.ids import validate_case_id
from workbench.store.models import NoteRow

MAX_NOTE = 100_000


@dataclass(frozen=True)
class Note:
    id: int
    case_id: str
    at: datetime
    author: str
    body: str  # markdown


def add_note(
    case_id: str,
    body: str,
    *,
    author: str | None = None,
    at: datetime | str | None = None,
    session: Session | None = None,
) -> Note:
    """Add a markdown note to the case."""
    validate_case_id(case_id)
    body = (body or "").strip()
    if not body:
        raise InputError("a note cannot be empty", "write something in markdown")
    if len(body) > MAX_NOTE:
        raise InputError(
            f"a note is limited to {MAX_NOTE} characters", "attach long material as evidence"
        )
    author, at = lifecycle.analyst_or_default(author), lifecycle.time_or_now(at)
    with lifecycle.unit(session) as s:
        lifecycle.record_action(
            s,
            case_id,
            who=author,
            at=at,
            action="note",
            field="notes",
            new=f"{len(body)} characters",
        )
        row = NoteRow(case_id=case_id, at=at, author=author, body=body)
        s.add(row)
        s.flush()
        return Note(row.id, case_id, at, author, body)


def notes(case_id: str, *, session: Session | None = None) -> list[Note]:
    """The case's notes, oldest first."""
    validate_case_id(case_id)
    with lifecycle.unit(session) as s:
        lifecycle.get(case_id, session=s)  # NotFoundError for an unknown case
        rows = s.scalars(select(NoteRow).where(NoteRow.case_id == case_id).order_by(NoteRow.id))
        return [Note(r.id, r.case_id, r.at, r.author, r.body) for r in rows]
