"""Case notes: markdown written by specialists, with author and time.

Adding a note counts as an action on the case (it starts the first-response clock's "met" and
is logged in the change log, without the text, so the log stays a list of facts).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .case_ids import validate_case_id
from .errors import InputError
from .store import Base, UTCDateTime

MAX_NOTE = 100_000


class NoteRow(Base):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class Note:
    id: int
    case_id: str
    at: datetime
    author: str
    body: str  # markdown


def add_note(case_id: str, body: str, *, author: str | None = None,
             at: datetime | str | None = None, session: Session | None = None) -> Note:
    """Add a markdown note to the case."""
    from . import cases

    validate_case_id(case_id)
    body = (body or "").strip()
    if not body:
        raise InputError("a note cannot be empty", "write something in markdown")
    if len(body) > MAX_NOTE:
        raise InputError(f"a note is limited to {MAX_NOTE} characters", "attach long material as evidence")
    author, at = cases._who(author), cases._at(at)
    with cases.unit(session) as s:
        cases.record_action(s, case_id, who=author, at=at, action="note", field="notes",
                            new=f"{len(body)} characters")
        row = NoteRow(case_id=case_id, at=at, author=author, body=body)
        s.add(row)
        s.flush()
        return Note(row.id, case_id, at, author, body)


def notes(case_id: str, *, session: Session | None = None) -> list[Note]:
    """The case's notes, oldest first."""
    from . import cases

    validate_case_id(case_id)
    with cases.unit(session) as s:
        cases.get(case_id, session=s)  # NotFoundError for an unknown case
        rows = s.scalars(select(NoteRow).where(NoteRow.case_id == case_id).order_by(NoteRow.id))
        return [Note(r.id, r.case_id, r.at, r.author, r.body) for r in rows]
