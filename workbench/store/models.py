"""The case store's tables, defined once (SQLAlchemy ORM) for every module that reads or writes
them; the Alembic migrations in ``store/migrations`` build the same schema (a test compares
them).

Evidence items, their custody chain and the audit log are append-only: the database refuses
UPDATE and DELETE (triggers), and the ORM refuses them first (below).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from workbench.errors import WorkbenchError

#: Every column that holds a case id (``ESC-YYYY-NNNNNN``, 15 characters) has this type.
CASE_ID_LENGTH = 16
CaseIdType = String(CASE_ID_LENGTH)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite keeps no zone, so it is re-attached).

    Zone-less values are refused rather than guessed: a naive time is a bug upstream.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"zone-less datetime {value!r} cannot be stored; use UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # raw SQLite text
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# --------------------------------------------------------------------------- the store itself


class StoreInfo(Base):
    """Facts about the store itself (its identity, say), one row per key."""

    __tablename__ = "store_info"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --------------------------------------------------------------------------- audit log


class AuditRow(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    analyst: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(CaseIdType, index=True)
    query_name: Mapped[str | None] = mapped_column(String(128))
    sql_text: Mapped[str | None] = mapped_column(Text)
    params: Mapped[str | None] = mapped_column(Text)
    engine: Mapped[str | None] = mapped_column(String(512))
    row_count: Mapped[int | None] = mapped_column(BigInteger)
    result_sha256: Mapped[str | None] = mapped_column(String(64))
    duration_ms: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    target: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    identity: Mapped[str | None] = mapped_column(String(128))  # who the store saw (0009)
    subjects: Mapped[str | None] = mapped_column(Text)  # JSON list of platform user ids
    hash_format: Mapped[int] = mapped_column(SmallInteger, server_default="1")


# --------------------------------------------------------------------------- cases


class CaseRow(Base):
    __tablename__ = "cases"

    case_id: Mapped[str] = mapped_column(CaseIdType, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(48), index=True)
    priority: Mapped[str] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    custom: Mapped[dict] = mapped_column(JSON, default=dict)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    preservation_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))


class CaseIdCounter(Base):
    __tablename__ = "case_id_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class CaseSubject(Base):
    __tablename__ = "case_subjects"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class CaseRelated(Base):
    __tablename__ = "case_related"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), primary_key=True)
    related_id: Mapped[str] = mapped_column(CaseIdType, primary_key=True)


class CaseReporter(Base):
    """Who reported: confidential (see :func:`confidential_reporters`)."""

    __tablename__ = "case_reporters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    reporter_user_id: Mapped[int | None] = mapped_column(BigInteger)
    reporter_ref: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseChange(Base):
    __tablename__ = "case_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    who: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(64))
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)


# --------------------------------------------------------------------------- notes


class NoteRow(Base):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)


# --------------------------------------------------------------------------- decisions


class DecisionRow(Base):
    __tablename__ = "case_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    who: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    rationale: Mapped[str] = mapped_column(Text)
    subjects: Mapped[list] = mapped_column(JSON, default=list)


class DecisionClause(Base):
    __tablename__ = "case_decision_clauses"

    decision_id: Mapped[int] = mapped_column(ForeignKey("case_decisions.id"), primary_key=True)
    clause: Mapped[str] = mapped_column(String(48), primary_key=True, index=True)


# --------------------------------------------------------------------------- content


class ViewerPrefRow(Base):
    __tablename__ = "content_viewer_prefs"

    analyst: Mapped[str] = mapped_column(String(64), primary_key=True)
    blur: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RevealRow(Base):
    __tablename__ = "content_reveals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(CaseIdType, index=True)
    item_ref: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    who: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


# --------------------------------------------------------------------------- timeline


class AnnotationRow(Base):
    __tablename__ = "timeline_annotations"
    __table_args__ = (Index("ix_timeline_annotations_case_ref", "case_id", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(CaseIdType)
    ref: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(64))
    event_ts: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    action: Mapped[str] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(Text, nullable=True)
    who: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


# --------------------------------------------------------------------------- evidence


class EvidenceItemRow(Base):
    __tablename__ = "evidence_items"
    __table_args__ = (UniqueConstraint("case_id", "item_no", name="uq_evidence_items_case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(CaseIdType, index=True)
    item_no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(128))
    collected_by: Mapped[str] = mapped_column(String(64))
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    supersedes: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_items.id"), nullable=True, unique=True
    )
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CustodyRow(Base):
    __tablename__ = "evidence_custody"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_evidence_custody_case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(CaseIdType)
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bundle_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    what: Mapped[str] = mapped_column(Text)
    why: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# --------------------------------------------------------------------------- replies


class ReplyRow(Base):
    __tablename__ = "content_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(CaseIdType, index=True)
    channel: Mapped[str] = mapped_column(String(32))
    scenario: Mapped[str | None] = mapped_column(String(48))
    who: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    sha256: Mapped[str] = mapped_column(String(64))
    length: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


# --------------------------------------------------------------------------- filings


class FilingRow(Base):
    """A filing prepared from a case (statement of reasons, member notice, CyberTipline report,
    letters) or from the store (transparency counts). ``key`` is unique: a statement's puid, so a
    re-run never records one twice. The filed bytes are evidence items (``items``)."""

    __tablename__ = "filings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    case_id: Mapped[str | None] = mapped_column(CaseIdType, index=True, nullable=True)
    decision_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subject: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    items: Mapped[list] = mapped_column(JSON, default=list)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)


class LegalRequestRow(Base):
    """A request from an authority: what it names (accounts, data types, period) and the
    evidence collected for it (the data under hold)."""

    __tablename__ = "legal_requests"
    __table_args__ = (UniqueConstraint("case_id", "request_id", name="uq_legal_requests_case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(CaseIdType, index=True)
    request_id: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    subjects: Mapped[list] = mapped_column(JSON, default=list)
    data_types: Mapped[list] = mapped_column(JSON, default=list)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    items: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class HoldRow(Base):
    """A preservation hold: a law-enforcement request (18 U.S.C. 2703(f)) or a CyberTipline
    report (2258A(h)). Active until ``released_at``; ``due`` is when it runs out."""

    __tablename__ = "preservation_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(CaseIdType, index=True)
    kind: Mapped[str] = mapped_column(String(24))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("legal_requests.id"), nullable=True)
    filing_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    renewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class FileReviewRow(Base):
    """A reviewer's step on one media item before it is reported (CyberTipline): the industry
    classification and what the reviewer saw. The newest row per item stands."""

    __tablename__ = "filing_file_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(CaseIdType, index=True)
    item_id: Mapped[int] = mapped_column(Integer)
    reviewer: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    industry: Mapped[str | None] = mapped_column(String(2), nullable=True)
    viewed: Mapped[bool] = mapped_column(Boolean)
    exif_viewed: Mapped[bool] = mapped_column(Boolean)
    public: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    relevance: Mapped[str] = mapped_column(String(24))
    annotations: Mapped[list] = mapped_column(JSON, default=list)


def _refuse_change(_mapper, _conn, target) -> None:
    # The database refuses too (triggers); this stops the ORM before it gets there.
    raise WorkbenchError(
        f"{target.__tablename__} are append-only",
        "record a correction as a new item that supersedes the old one",
    )


for _model in (EvidenceItemRow, CustodyRow, AuditRow):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
