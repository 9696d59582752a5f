"""Evidence items on a case, and their chain of custody.

Use it as ``wb.evidence``::

    df = wb.query("messages_by_user", case=CASE, user_id=42)
    wb.evidence.add_query_result(CASE, df, note="first contact")
    wb.evidence.add_note(CASE, "Subject asked for gift cards in three languages.")
    wb.evidence.add_file(CASE, "screenshot.png", note="sent by the reporter")
    wb.evidence.items_frame(CASE)
    wb.evidence.bundle(CASE, "legal", "out/")      # workbench.evidence.bundle.create_bundle
    wb.evidence.verify("out/ESC-...zip")           # workbench.evidence.bundle.verify_bundle

Each item records who collected it and when (UTC), where it came from, its sha256, size and
media type. Items are immutable once collected: the case store refuses UPDATE and DELETE on the
evidence tables (triggers, see migration ``0006_evidence``) and this module has no update path; a
correction is a new item that ``supersedes`` the old one.

Payloads live under ``<home>/cases/<ID>/evidence/<sha256>``, content-addressed and written
atomically (temporary file, fsync, rename), read-only on disk. Tables (query results, timeline
excerpts, messages, profile snapshots) are stored as Parquet; files are copied byte for byte.

Custody: every handling event (collected, redacted, bundled, exported, verified) is a row in
``evidence_custody``; each row holds the previous row's hash (per case), so an edited, deleted,
inserted or reordered row is found by :func:`verify_custody`.
"""

from __future__ import annotations

import hashlib
import io
import json
import mimetypes
import os
import shutil
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, cast

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workbench import cases
from workbench.config import settings
from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.evidence.redaction import (
    EVENT_PARTY_COLUMNS,
    as_user_id,
    is_person_id_column,
    is_reporter_column,
)
from workbench.files import AtomicFile
from workbench.ids import case_folder, validate_case_id
from workbench.store import session
from workbench.store.models import CustodyRow, EvidenceItemRow
from workbench.timeline import annotations as timeline_annotations
from workbench.timeline import query as timeline
from workbench.timeline.sources import user_party_sources

KINDS = ("query_result", "content", "timeline_excerpt", "figure", "note", "file")
CONTENT_KINDS = ("message", "messages", "profile", "photo", "media", "other")
CUSTODY_EVENTS = ("collected", "redacted", "bundled", "exported", "verified")
PARQUET = "application/vnd.apache.parquet"
PLOTLY_JSON = "application/vnd.plotly.v1+json"
GENESIS = "0" * 64
CHUNK = 1 << 20  # 1 MiB: streaming unit for hashing and copying


# --------------------------------------------------------------------------- tables

# --------------------------------------------------------------------------- value types


@dataclass(frozen=True)
class EvidenceItem:
    """One collected item (read-only view of a row)."""

    id: int
    case_id: str
    item_no: int
    kind: str
    title: str
    source: str
    details: dict[str, Any]
    sha256: str
    size: int
    media_type: str
    collected_by: str
    collected_at: datetime
    supersedes: int | None = None
    note: str | None = None
    superseded_by: int | None = None

    @property
    def label(self) -> str:
        """Short id shown to people and used for file names in bundles, e.g. ``E0003``."""
        return f"E{self.item_no:04d}"

    @property
    def path(self) -> Path:
        """Where the payload is stored."""
        return payload_path(self.case_id, self.sha256)

    @property
    def is_table(self) -> bool:
        return self.media_type == PARQUET


@dataclass(frozen=True)
class CustodyEvent:
    """One handling event in a case's chain of custody."""

    case_id: str
    seq: int
    event: str
    actor: str
    at: datetime
    what: str
    why: str | None
    item_id: int | None
    bundle_id: str | None
    details: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""


@dataclass(frozen=True)
class CaseInfo:
    """What evidence and bundles need to know about a case."""

    case_id: str
    title: str = ""
    category: str = ""
    status: str = ""
    priority: str = ""
    summary: str = ""
    subjects: tuple[int, ...] = ()
    reporters: tuple[int, ...] = ()
    reporter_refs: tuple[str, ...] = ()  # outside references (names, emails) of reporters


# --------------------------------------------------------------------------- cases


def case_info(case_id: str) -> CaseInfo:
    """The case's title, summary, subjects and (confidential) reporters; NotFoundError if unknown."""
    validate_case_id(case_id)

    return _case_info_from(cases, case_id)


def _case_info_from(cases: Any, case_id: str) -> CaseInfo:
    case = cases.get(case_id)
    reporters = cases.confidential_reporters(case_id)
    return CaseInfo(
        case_id=case_id,
        title=case.title or "",
        category=case.category or "",
        status=case.status or "",
        priority=case.priority or "",
        summary=case.summary or "",
        subjects=tuple(int(u) for u in case.subjects),
        reporters=tuple(int(r.user_id) for r in reporters if r.user_id is not None),
        reporter_refs=tuple(r.ref for r in reporters if r.ref),
    )


def _require_case(case_id: str) -> str:
    case_info(case_id)  # raises NotFoundError for an unknown case
    return case_id


# --------------------------------------------------------------------------- payloads


def evidence_dir(case_id: str) -> Path:
    return case_folder(settings().cases_dir, case_id) / "evidence"


def payload_path(case_id: str, sha256: str) -> Path:
    return evidence_dir(case_id) / sha256


class HashingWriter(io.RawIOBase):
    """A binary sink that hashes and counts what passes through to ``target`` (may be None)."""

    def __init__(self, target: BinaryIO | None = None) -> None:
        self.target = target
        self.hasher = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        view = memoryview(b).cast("B")
        self.hasher.update(view)
        self.size += len(view)
        if self.target is not None:
            self.target.write(view)
        return len(view)

    def tell(self) -> int:
        return self.size

    @property
    def hexdigest(self) -> str:
        return self.hasher.hexdigest()


def sha256_file(path: Path) -> tuple[str, int]:
    """sha256 and size of a file, read in chunks."""
    sink = HashingWriter()
    with open(path, "rb") as fh:
        shutil.copyfileobj(fh, sink, CHUNK)
    return sink.hexdigest, sink.size


def _ingest(case_id: str, write: Callable[[BinaryIO], None]) -> tuple[str, int]:
    """Write a payload through ``write`` into the case's evidence folder; returns (sha256, size).

    The bytes go to a temporary file in the same folder, hashed on the way, fsynced, and renamed
    to their sha256: a crash leaves at most a temporary file, never a wrong payload.
    """
    folder = evidence_dir(case_id)
    folder.mkdir(parents=True, exist_ok=True)
    # content-addressed: identical bytes already stored are kept, the new copy dropped
    af = AtomicFile(folder=folder, if_exists="keep", mode=0o444)
    with af as fh:
        sink = HashingWriter(fh)
        write(cast(BinaryIO, sink))
        af.target = folder / sink.hexdigest
    return sink.hexdigest, sink.size


def _write_parquet(df: pd.DataFrame) -> Callable[[BinaryIO], None]:
    frame = df.copy()
    frame.attrs = {}  # provenance lives in the item's details, not hidden in the file
    frame.columns = [str(c) for c in frame.columns]
    buf = io.BytesIO()
    try:
        # Row groups of 64k rows: bundling later reads one group at a time, in bounded memory.
        frame.to_parquet(
            buf, engine="pyarrow", index=False, compression="zstd", row_group_size=65_536
        )
    except Exception as exc:  # pyarrow refuses mixed-type columns and the like
        raise InputError(
            f"this table cannot be stored as evidence: {str(exc).splitlines()[0][:160]}",
            "give each column a single type",
        ) from None

    def write(sink: BinaryIO) -> None:
        sink.write(buf.getbuffer())

    return write


def _copy_file(src: Path) -> Callable[[BinaryIO], None]:
    limit = settings().evidence_max_bytes

    def write(sink: BinaryIO) -> None:
        with _open_source(src) as fh:
            copied = 0
            while chunk := fh.read(CHUNK):
                copied += len(chunk)
                if copied > limit:  # it grew after the check
                    raise InputError(f"{src.name} grew past the size cap while it was copied")
                sink.write(chunk)

    return write


def _write_bytes(data: bytes) -> Callable[[BinaryIO], None]:
    def write(sink: BinaryIO) -> None:
        sink.write(data)

    return write


def open_payload(item: EvidenceItem) -> BinaryIO:
    """The stored bytes of an item (read-only binary file)."""
    try:
        return open(item.path, "rb")
    except FileNotFoundError:
        raise NotFoundError(
            f"the payload of {item.case_id} {item.label} is missing from {item.path.parent}",
            "restore the case folder from backup",
        ) from None


def load_frame(item: EvidenceItem) -> pd.DataFrame:
    """The table stored for a table item (query result, timeline excerpt, messages, profile)."""
    if not item.is_table:
        raise InputError(f"{item.label} is a {item.media_type} item, not a table")
    with open_payload(item) as fh:
        return pd.read_parquet(fh)


# --------------------------------------------------------------------------- JSON helpers


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date, pd.Timestamp)):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def to_jsonable(value: Any) -> Any:
    """Plain JSON types for ``value`` (times become ISO-8601 UTC text)."""
    return json.loads(json.dumps(value, default=_json_default))


def canonical_json(value: Any) -> str:
    """The one text form hashed everywhere: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    )


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="microseconds")


# --------------------------------------------------------------------------- custody


def _custody_body(
    case_id: str,
    seq: int,
    event_name: str,
    actor: str,
    at: datetime,
    what: str,
    why: str | None,
    item_id: int | None,
    bundle_id: str | None,
    details: dict[str, Any],
    prev_hash: str,
) -> dict[str, Any]:
    return {
        "case": case_id,
        "seq": seq,
        "event": event_name,
        "actor": actor,
        "at": iso(at),
        "what": what,
        "why": why,
        "item": item_id,
        "bundle": bundle_id,
        "details": details,
        "prev": prev_hash,
    }


def chain_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _append_custody(
    s,
    case_id: str,
    event_name: str,
    *,
    what: str,
    why: str | None = None,
    item_id: int | None = None,
    bundle_id: str | None = None,
    details: dict[str, Any] | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> CustodyRow:
    if event_name not in CUSTODY_EVENTS:
        raise InputError(
            f"{event_name!r} is not a custody event", f"use one of {', '.join(CUSTODY_EVENTS)}"
        )
    last = s.execute(
        select(CustodyRow)
        .where(CustodyRow.case_id == case_id)
        .order_by(CustodyRow.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    at = (at or datetime.now(UTC)).astimezone(UTC)
    actor = actor or settings().analyst
    details = to_jsonable(details or {})
    body = _custody_body(
        case_id, seq, event_name, actor, at, what, why, item_id, bundle_id, details, prev
    )
    row = CustodyRow(
        case_id=case_id,
        seq=seq,
        event=event_name,
        item_id=item_id,
        bundle_id=bundle_id,
        actor=actor,
        at=at,
        what=what,
        why=why,
        details=canonical_json(details),
        prev_hash=prev,
        hash=chain_hash(body),
    )
    s.add(row)
    s.flush()
    return row


def _retrying(fn: Callable[[], Any], attempts: int = 8) -> Any:
    # Two writers may pick the same next number on PostgreSQL; the unique key refuses one of them.
    for attempt in range(attempts):
        try:
            return fn()
        except IntegrityError:
            if attempt == attempts - 1:
                raise WorkbenchError(
                    "the case store stayed busy; nothing was recorded", "try again"
                ) from None
    return None


def record_custody(
    case_id: str,
    event_name: str,
    *,
    what: str,
    why: str | None = None,
    item_id: int | None = None,
    bundle_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> CustodyEvent:
    """Append a handling event to the case's custody chain."""
    validate_case_id(case_id)

    def run() -> CustodyRow:
        with session() as s:
            return _append_custody(
                s,
                case_id,
                event_name,
                what=what,
                why=why,
                item_id=item_id,
                bundle_id=bundle_id,
                details=details,
            )

    return _custody_event(_retrying(run))


def _custody_event(row: CustodyRow) -> CustodyEvent:
    return CustodyEvent(
        case_id=row.case_id,
        seq=row.seq,
        event=row.event,
        actor=row.actor,
        at=row.at,
        what=row.what,
        why=row.why,
        item_id=row.item_id,
        bundle_id=row.bundle_id,
        details=json.loads(row.details),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def custody(case_id: str) -> list[CustodyEvent]:
    """The case's chain of custody, oldest first."""
    validate_case_id(case_id)
    with session() as s:
        rows = (
            s.execute(
                select(CustodyRow).where(CustodyRow.case_id == case_id).order_by(CustodyRow.id)
            )
            .scalars()
            .all()
        )
        return [_custody_event(r) for r in rows]


def verify_custody(case_id: str) -> list[str]:
    """Problems in the stored custody chain of a case (empty when intact)."""
    problems: list[str] = []
    prev = GENESIS
    for n, ev in enumerate(custody(case_id), start=1):
        body = _custody_body(
            ev.case_id,
            ev.seq,
            ev.event,
            ev.actor,
            ev.at,
            ev.what,
            ev.why,
            ev.item_id,
            ev.bundle_id,
            ev.details,
            ev.prev_hash,
        )
        if chain_hash(body) != ev.hash:
            problems.append(f"custody record {ev.seq} was edited (its hash does not match)")
        if ev.prev_hash != prev or ev.seq != n:
            problems.append(
                f"custody record {ev.seq}: chain broken (record removed, inserted or reordered)"
            )
        prev = ev.hash
    return problems


# --------------------------------------------------------------------------- items


def _item(row: EvidenceItemRow, superseded_by: int | None = None) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        case_id=row.case_id,
        item_no=row.item_no,
        kind=row.kind,
        title=row.title,
        source=row.source,
        details=json.loads(row.details),
        sha256=row.sha256,
        size=row.size,
        media_type=row.media_type,
        collected_by=row.collected_by,
        collected_at=row.collected_at,
        supersedes=row.supersedes,
        note=row.note,
        superseded_by=superseded_by,
    )


def _record(
    case_id: str,
    *,
    kind: str,
    title: str,
    source: str,
    details: dict[str, Any],
    write: Callable[[BinaryIO], None],
    media_type: str,
    note: str | None,
    supersedes: int | str | None,
) -> EvidenceItem:
    _require_case(case_id)
    if kind not in KINDS:
        raise InputError(f"{kind!r} is not an evidence kind", f"use one of {', '.join(KINDS)}")
    title = (title or kind).strip()[:300] or kind
    old = get_item(case_id, supersedes) if supersedes is not None else None
    if old is not None and old.superseded_by is not None:
        raise InputError(
            f"{old.label} was already superseded by item id {old.superseded_by}",
            "supersede the newest item instead",
        )
    sha, size = _ingest(case_id, write)
    analyst = settings().analyst
    details = to_jsonable(details)

    def run() -> EvidenceItemRow:
        with session() as s:
            last = s.execute(
                select(func.max(EvidenceItemRow.item_no)).where(EvidenceItemRow.case_id == case_id)
            ).scalar()
            now = datetime.now(UTC)
            row = EvidenceItemRow(
                case_id=case_id,
                item_no=(last or 0) + 1,
                kind=kind,
                title=title,
                source=source,
                details=canonical_json(details),
                sha256=sha,
                size=size,
                media_type=media_type,
                collected_by=analyst,
                collected_at=now,
                supersedes=old.id if old else None,
                note=note,
            )
            s.add(row)
            s.flush()
            label = f"E{row.item_no:04d}"
            what = f"{label} {kind}" + (f" superseding {old.label}" if old else "")
            _append_custody(
                s,
                case_id,
                "collected",
                what=what,
                why=note,
                item_id=row.id,
                details={"sha256": sha, "size": size, "media_type": media_type, "source": source},
                actor=analyst,
                at=now,
            )
            return row

    return _item(_retrying(run))


def get_item(case_id: str, ref: int | str) -> EvidenceItem:
    """One item of a case by store id (``12``) or label (``"E0003"``)."""
    validate_case_id(case_id)
    with session() as s:
        q = select(EvidenceItemRow).where(EvidenceItemRow.case_id == case_id)
        if isinstance(ref, str) and ref.upper().startswith("E") and ref[1:].isdigit():
            q = q.where(EvidenceItemRow.item_no == int(ref[1:]))
        else:
            try:
                q = q.where(EvidenceItemRow.id == int(ref))
            except (TypeError, ValueError):
                raise InputError(
                    f"{ref!r} is not an evidence item", "use a label like E0003"
                ) from None
        row = s.execute(q).scalar_one_or_none()
        if row is None:
            raise NotFoundError(
                f"{case_id} has no evidence item {ref}", f"see `workbench evidence list {case_id}`"
            )
        newer = s.execute(
            select(EvidenceItemRow.id).where(EvidenceItemRow.supersedes == row.id)
        ).scalar_one_or_none()
        return _item(row, newer)


def people_in_tables(items: Iterable[EvidenceItem]) -> set[int]:
    """Platform user ids named in the items' tables: person-id columns (``sender_id``,
    ``counterpart_id``, ...), reporter columns and a timeline excerpt's actor and target.
    Read column by column in batches, so a large result costs little memory."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    ids: set[int] = set()
    for item in items:
        if not item.is_table:
            continue
        pf = pq.ParquetFile(item.path)
        names = pf.schema_arrow.names
        cols = [n for n in names if is_person_id_column(n) or is_reporter_column(n)]
        # a timeline's actor and target are user ids only in rows of some sources
        parties = [n for n in names if n in EVENT_PARTY_COLUMNS] if "source" in names else []
        wanted = cols + parties + (["source"] if parties else [])
        for batch in pf.iter_batches(batch_size=65_536, columns=wanted) if wanted else ():
            for name in cols:
                ids.update(
                    u
                    for u in map(as_user_id, pc.unique(batch.column(name)).to_pylist())
                    if u is not None
                )
            if parties:
                keep = pc.is_in(
                    batch.column("source").cast("string"),
                    value_set=pa.array(sorted(user_party_sources()), pa.string()),
                )
                for name in parties:
                    values = pc.filter(batch.column(name), keep)
                    ids.update(
                        u for u in map(as_user_id, pc.unique(values).to_pylist()) if u is not None
                    )
    return ids


def list_items(case_id: str, *, current_only: bool = False) -> list[EvidenceItem]:
    """The case's items in collection order; ``current_only`` leaves out superseded ones."""
    validate_case_id(case_id)
    with session() as s:
        rows = (
            s.execute(
                select(EvidenceItemRow)
                .where(EvidenceItemRow.case_id == case_id)
                .order_by(EvidenceItemRow.item_no)
            )
            .scalars()
            .all()
        )
    newer = {r.supersedes: r.id for r in rows if r.supersedes is not None}
    items = [_item(r, newer.get(r.id)) for r in rows]
    return [i for i in items if i.superseded_by is None] if current_only else items


def items_frame(case_id: str) -> pd.DataFrame:
    """The case's items as a table (for listing; no payloads)."""
    items = list_items(case_id)
    by_id = {i.id: i.label for i in items}
    return pd.DataFrame(
        {
            "item": [i.label for i in items],
            "kind": [i.kind for i in items],
            "title": [i.title for i in items],
            "source": [i.source for i in items],
            "media_type": [i.media_type for i in items],
            "size": [i.size for i in items],
            "sha256": [i.sha256 for i in items],
            "collected_by": [i.collected_by for i in items],
            "collected_at": pd.to_datetime([i.collected_at for i in items], utc=True),
            "supersedes": [by_id.get(i.supersedes, "") if i.supersedes else "" for i in items],
            "superseded_by": [
                by_id.get(i.superseded_by, "") if i.superseded_by else "" for i in items
            ],
        }
    )


# --------------------------------------------------------------------------- collecting


def _frame(value: Any, what: str) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, dict):
        return pd.DataFrame([value])
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        rows = list(value)
        if all(isinstance(r, dict) for r in rows):
            return pd.DataFrame(rows)
    raise InputError(f"{what} must be a DataFrame, a dict or a list of dicts")


def _record_table(
    case_id: str,
    kind: str,
    title: str,
    source: str,
    df: pd.DataFrame,
    details: dict[str, Any],
    note: str | None,
    supersedes: int | str | None,
) -> EvidenceItem:
    return _record(
        case_id,
        kind=kind,
        title=title,
        source=source,
        details=details,
        write=_write_parquet(df),
        media_type=PARQUET,
        note=note,
        supersedes=supersedes,
    )


def add_query_result(
    case_id: str,
    df: pd.DataFrame,
    *,
    title: str | None = None,
    note: str | None = None,
    supersedes: int | str | None = None,
) -> EvidenceItem:
    """Collect a query result exactly as captured, with its provenance (``df.attrs["provenance"]``)."""
    if not isinstance(df, pd.DataFrame):
        raise InputError("a query result must be a DataFrame from wb.query or wb.sql")
    prov = df.attrs.get("provenance")
    if not isinstance(prov, dict):
        raise InputError(
            "this DataFrame carries no query provenance",
            "run it with wb.query/wb.sql, or collect other tables with add_content",
        )
    prov_case = prov.get("case")
    if prov_case and prov_case != case_id:
        raise InputError(
            f"this result was run for case {prov_case}, not {case_id}",
            f"run the query again with case={case_id!r}",
        )
    name = prov.get("query") or prov.get("query_name") or prov.get("name")
    source = f"query:{name}" if name else "sql"
    details = {"provenance": prov, "rows": int(len(df)), "columns": [str(c) for c in df.columns]}
    return _record_table(
        case_id,
        "query_result",
        title or (name or "ad-hoc SQL"),
        source,
        df,
        details,
        note,
        supersedes,
    )


def add_timeline_excerpt(
    case_id: str,
    df: pd.DataFrame,
    *,
    title: str | None = None,
    note: str | None = None,
    supersedes: int | str | None = None,
) -> EvidenceItem:
    """Collect rows of a case timeline (keeps ``df.attrs`` provenance if present)."""
    df = _frame(df, "a timeline excerpt")
    details = {
        "rows": int(len(df)),
        "columns": [str(c) for c in df.columns],
        "provenance": df.attrs.get("provenance") or df.attrs.get("timeline") or {},
    }
    return _record_table(
        case_id,
        "timeline_excerpt",
        title or "timeline excerpt",
        "timeline",
        df,
        details,
        note,
        supersedes,
    )


def add_timeline_events(
    case_id: str,
    events: pd.DataFrame,
    *,
    title: str | None = None,
    note: str | None = None,
    tz: str | None = None,
) -> EvidenceItem:
    """Collect rows of :func:`workbench.timeline.events` as one evidence item (the display zone
    recorded in ``ts_display``) and mark those events ``evidence`` on the case's timeline.
    Columns beyond the timeline's (annotations, say) are left out."""
    case_id = _require_case(case_id)
    if not isinstance(events, pd.DataFrame) or events.empty:
        raise InputError("no events selected", "select one or more events first")
    missing = [c for c in timeline.COLUMNS if c not in events.columns]
    if missing:
        raise InputError(
            f"the events table lacks {', '.join(missing)}", "pass rows of wb.timeline.events"
        )
    zone = timeline.zone(tz)
    excerpt = timeline.with_display_time(events[timeline.COLUMNS].reset_index(drop=True), zone)
    excerpt.attrs["timeline"] = {
        "case": case_id,
        "display_zone": zone.key,
        "refs": [str(r) for r in excerpt["ref"]],
        "provenance": events.attrs.get("provenance"),
    }
    item = add_timeline_excerpt(
        case_id, excerpt, note=note, title=title or f"timeline excerpt ({len(excerpt)} events)"
    )
    timeline_annotations.mark_evidence(case_id, events, item.label)
    return item


def add_content(
    case_id: str,
    content: Any,
    *,
    kind: str = "messages",
    title: str | None = None,
    source: str | None = None,
    note: str | None = None,
    supersedes: int | str | None = None,
) -> EvidenceItem:
    """Collect platform content: messages or a profile snapshot (tables), a photo or media file.

    ``content`` is a DataFrame / dict / list of dicts for ``messages`` and ``profile``, and a
    path (absolute, or relative to the platform media folder) for ``photo`` and ``media``.
    """
    if kind not in CONTENT_KINDS:
        raise InputError(
            f"{kind!r} is not a content kind", f"use one of {', '.join(CONTENT_KINDS)}"
        )
    if kind in ("photo", "media") or isinstance(content, (str, Path)):
        path = _resolve_content_path(content)
        media_type = _guess_media_type(path)
        file_details: dict[str, Any] = {"content_kind": kind, "file_name": path.name}
        return _record(
            case_id,
            kind="content",
            title=title or f"{kind} {path.name}",
            source=source or f"platform:{kind}",
            details=file_details,
            write=_copy_file(path),
            media_type=media_type,
            note=note,
            supersedes=supersedes,
        )
    df = _frame(content, f"{kind} content")
    details: dict[str, Any] = {
        "content_kind": kind,
        "rows": int(len(df)),
        "columns": [str(c) for c in df.columns],
    }
    if isinstance(content, pd.DataFrame) and isinstance(content.attrs.get("provenance"), dict):
        details["provenance"] = content.attrs["provenance"]
    return _record(
        case_id,
        kind="content",
        title=title or f"{kind} snapshot",
        source=source or f"platform:{kind}",
        details=details,
        write=_write_parquet(df),
        media_type=PARQUET,
        note=note,
        supersedes=supersedes,
    )


def _resolve_content_path(value: Any) -> Path:
    if not isinstance(value, (str, Path)):
        raise InputError("a photo or media item needs a file path")
    path = Path(value).expanduser()
    if not path.is_absolute() and not os.path.lexists(path):
        path = settings().media_dir / path
    return safe_source(path)


_SYSTEM = (Path("/proc"), Path("/sys"), Path("/dev"), Path("/run"), Path("/etc"), Path("/boot"))


def safe_source(path: Path) -> Path:
    """``path`` if it may be collected: a regular file (not a symlink, device, FIFO, socket or
    folder), within ``WORKBENCH_EVIDENCE_MAX_BYTES``, not under ``/proc``, ``/sys``, ``/dev``,
    ``/etc`` or ``/run``, not the home's secrets or case store; else a one-line error."""
    cfg = settings()
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise NotFoundError(f"no file at {path}", "give a path to an existing file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise InputError(f"{path.name} is a symbolic link", "collect the file it points to itself")
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "a device, FIFO or socket"
        raise InputError(f"{path.name} is {what}, not a regular file", "collect a regular file")
    real = Path(os.path.realpath(path))
    home = Path(os.path.realpath(cfg.home))
    private = [home / "secrets", home / "workbench.db", home / ".pseudonym_key"]
    if cfg.cases_url.get_backend_name() == "sqlite" and cfg.cases_url.database:
        private.append(Path(os.path.realpath(cfg.cases_url.database)))
    for folder in (*_SYSTEM, *private):
        if real == folder or folder in real.parents:
            raise InputError(
                f"{path} is a system or workbench-private file", "collect evidence files only"
            )
    if st.st_size > cfg.evidence_max_bytes:
        raise InputError(
            f"{path.name} is {st.st_size:,} bytes, over the {cfg.evidence_max_bytes:,}-byte cap",
            "raise WORKBENCH_EVIDENCE_MAX_BYTES if it really belongs in the case",
        )
    return path


def _open_source(path: Path) -> BinaryIO:
    # O_NOFOLLOW: a file swapped for a link after the check is refused, not followed
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError(f"cannot read {path.name}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(f"{path.name} is not a regular file", "collect a regular file")
    return os.fdopen(fd, "rb")


def media_type_of(path: Path) -> str:
    """The media type of a file from its bytes (:func:`workbench.evidence.sanitise.sniff`);
    the name only refines text (``.md``, ``.csv``, ``.html``, ``.json``)."""
    from workbench.evidence.sanitise import sniff

    with _open_source(path) as fh:
        head = fh.read(4096)
        fh.seek(0)
        found = sniff(head, fh)
    if found == "text/plain":
        guess = mimetypes.guess_type(path.name)[0] or ""
        if guess.startswith("text/") or guess in ("application/json", "application/xml"):
            return guess
    return found


def _guess_media_type(path: Path) -> str:
    return media_type_of(path)


def add_figure(
    case_id: str,
    fig: Any,
    *,
    title: str | None = None,
    note: str | None = None,
    supersedes: int | str | None = None,
) -> EvidenceItem:
    """Collect a figure: a plotly figure (stored as plotly JSON) or a matplotlib figure (PNG)."""
    if hasattr(fig, "to_plotly_json"):
        data = json.dumps(
            fig.to_plotly_json(), sort_keys=True, ensure_ascii=False, default=_json_default
        ).encode("utf-8")
        media_type = PLOTLY_JSON
        fig_title = getattr(getattr(getattr(fig, "layout", None), "title", None), "text", None)
    elif hasattr(fig, "savefig"):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})  # no version/time stamps
        data, media_type, fig_title = buf.getvalue(), "image/png", None
    elif isinstance(fig, dict) and "data" in fig:
        data = json.dumps(fig, sort_keys=True, ensure_ascii=False, default=_json_default).encode()
        media_type, fig_title = PLOTLY_JSON, None
    else:
        raise InputError(
            "a figure must be a plotly figure, a plotly figure dict or a matplotlib figure"
        )
    return _record(
        case_id,
        kind="figure",
        title=title or fig_title or "figure",
        source="figure",
        details={},
        write=_write_bytes(data),
        media_type=media_type,
        note=note,
        supersedes=supersedes,
    )


def add_note(
    case_id: str, text: str, *, title: str | None = None, supersedes: int | str | None = None
) -> EvidenceItem:
    """Collect an analyst's note (Markdown text)."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("a note needs some text")
    first = text.strip().splitlines()[0][:80]
    return _record(
        case_id,
        kind="note",
        title=title or first,
        source="analyst note",
        details={},
        write=_write_bytes(text.encode("utf-8")),
        media_type="text/markdown",
        note=None,
        supersedes=supersedes,
    )


def add_file(
    case_id: str,
    path: str | Path,
    *,
    note: str | None = None,
    title: str | None = None,
    supersedes: int | str | None = None,
) -> EvidenceItem:
    """Collect an uploaded file, copied byte for byte (streamed). Regular files only, within
    ``WORKBENCH_EVIDENCE_MAX_BYTES`` (see :func:`safe_source`); the media type comes from the
    bytes, never the name."""
    src = safe_source(Path(path).expanduser())
    return _record(
        case_id,
        kind="file",
        title=title or src.name,
        source=f"upload:{src.name}",
        details={"file_name": src.name},
        write=_copy_file(src),
        media_type=_guess_media_type(src),
        note=note,
        supersedes=supersedes,
    )
