"""Cases: identity, lifecycle and a change log a lead or an auditor can trust.

A case has an id ``ESC-YYYY-NNNNNN`` (allocated from a per-year counter row updated in the same
transaction as the insert, so two processes never get the same id), a category from the policy
taxonomy (``templates/policies.yaml``), a priority P0..P3, a source team, subjects (platform user
ids), related cases, confidential reporters, a status, an assignee, tags and custom fields.

Lifecycle::

    new -> triaged -> investigating <-> waiting -> decided -> closed
                      investigating / waiting -> decided   (only by recording a decision)
                      decided / closed -> investigating     (reopen: a reason is required)

Every create, claim, assign, status and field change writes structured rows (who, when, field,
old, new) to ``case_changes`` in the same transaction as the change. Each write bumps the case's
``version``; a write that names the version it was based on (``expected_version``) is refused
with :class:`StaleCaseError` if someone else changed the case in between: never a silent
overwrite. Writes lock the case row (SQLite ``BEGIN IMMEDIATE``, PostgreSQL ``FOR UPDATE``), so
concurrent writers queue and lose nothing.

Reporters are confidential: :class:`Case` does not carry them. Internal views ask for them
explicitly with :func:`confidential_reporters`; anything meant to leave the team must not.

Every mutating function takes ``who`` (default: WORKBENCH_ANALYST), ``at`` (default: now; the
demo and tests replay history with it) and ``session`` (join a caller's unit of work).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, object_session

from workbench.cases.model import (
    EDITABLE,
    OPEN_STATUSES,
    PAUSED_STATUSES,
    REOPEN_FROM,
    STATUSES,
    TRANSITIONS,
    Case,
    Change,
    Reporter,
    StaleCaseError,
    check_custom,
    check_priority,
    check_source,
    clean_tags,
)
from workbench.cases.sla import policy as sla_policy
from workbench.cases.sla import preservation_deadline, show_time
from workbench.cases.taxonomy import check_category, taxonomy
from workbench.config import check_analyst_name
from workbench.config import settings as current_settings
from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.ids import check_user_id, validate_case_id
from workbench.store import session as store_session
from workbench.store.models import (
    CaseChange,
    CaseIdCounter,
    CaseRelated,
    CaseReporter,
    CaseRow,
    CaseSubject,
)
from workbench.times import parse_timestamp, utcnow

# --------------------------------------------------------------------------- helpers


@contextmanager
def unit(session: Session | None = None) -> Iterator[Session]:
    """Join ``session`` if given, else open (and commit) a unit of work on the case store."""
    if session is not None:
        yield session
    else:
        with store_session() as s:
            yield s


def analyst_or_default(who: str | None) -> str:
    """``who``, or the acting analyst from the settings."""
    return who or current_settings().analyst


def time_or_now(at: datetime | str | None) -> datetime:
    """``at`` parsed (aware UTC), or now."""
    return utcnow() if at is None else parse_timestamp(at)


def log_change(
    s: Session,
    row: CaseRow,
    who: str,
    at: datetime,
    action: str,
    field: str | None,
    old: Any,
    new: Any,
    reason: str | None = None,
) -> None:
    s.add(
        CaseChange(
            case_id=row.case_id,
            at=at,
            who=who,
            action=action,
            field=field,
            old=_jsonable(old),
            new=_jsonable(new),
            reason=reason,
            version=row.version,
        )
    )


def _jsonable(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, tuple):
        return list(v)
    return v


def _people_cache(s: Session) -> dict[str, tuple[int, tuple, tuple]]:
    """Per-session cache of (version, subjects, related) by case id. Every change to subjects or
    related cases bumps the version, so an entry is only used for the exact version it was read
    at: long units of work (demo filing, imports) skip two queries per operation."""
    return s.info.setdefault("workbench.cases.people", {})


def _snapshot(s: Session, row: CaseRow) -> Case:
    cache = _people_cache(s)
    hit = cache.get(row.case_id)
    if hit is not None and hit[0] == row.version:
        return _build(row, hit[1], hit[2])
    subjects = tuple(
        s.scalars(
            select(CaseSubject.user_id)
            .where(CaseSubject.case_id == row.case_id)
            .order_by(CaseSubject.position, CaseSubject.user_id)
        ).all()
    )
    related = tuple(
        s.scalars(
            select(CaseRelated.related_id)
            .where(CaseRelated.case_id == row.case_id)
            .order_by(CaseRelated.related_id)
        ).all()
    )
    cache[row.case_id] = (row.version, subjects, related)
    return _build(row, subjects, related)


def _build(row: CaseRow, subjects: tuple, related: tuple) -> Case:
    return Case(
        case_id=row.case_id,
        title=row.title,
        summary=row.summary,
        category=row.category,
        priority=row.priority,
        source=row.source,
        status=row.status,
        assignee=row.assignee,
        tags=tuple(row.tags or ()),
        custom=dict(row.custom or {}),
        subjects=subjects,
        related=related,
        external_id=row.external_id,
        created_at=row.created_at,
        created_by=row.created_by,
        claimed_at=row.claimed_at,
        first_action_at=row.first_action_at,
        decided_at=row.decided_at,
        closed_at=row.closed_at,
        paused_seconds=row.paused_seconds or 0.0,
        paused_since=row.paused_since,
        preservation_due=row.preservation_due,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _lock(s: Session, case_id: str, expected_version: int | None) -> CaseRow:
    """The case row, locked for this transaction; refuses a stale ``expected_version``."""
    validate_case_id(case_id)
    row = s.get(CaseRow, case_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFoundError(f"no case {case_id}", "see `workbench case list`")
    if expected_version is not None and row.version != expected_version:
        raise StaleCaseError(
            f"case {case_id} is at version {row.version}, not {expected_version}: last changed "
            f"by {row.updated_by} at {show_time(row.updated_at)}; nothing was saved",
            "reload the case and make your change again",
        )
    return row


def _touch(row: CaseRow, who: str, at: datetime, *, first_action: bool = True) -> None:

    s = object_session(row)
    if s is not None:  # carry cached subjects forward (add_subjects/link drop the entry)
        hit = _people_cache(s).get(row.case_id)
        if hit is not None and hit[0] == row.version:
            _people_cache(s)[row.case_id] = (row.version + 1, hit[1], hit[2])
    row.version += 1
    row.updated_at = at
    row.updated_by = who
    if first_action and row.first_action_at is None:
        row.first_action_at = at


def _allocate_ids(s: Session, year: int, n: int = 1) -> list[str]:
    """Reserve ``n`` consecutive ids for ``year`` (the counter row is locked until commit)."""
    dialect = s.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        mod = __import__(f"sqlalchemy.dialects.{dialect}", fromlist=["insert"])
        s.execute(
            mod.insert(CaseIdCounter)
            .values(year=year, last=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
    elif s.get(CaseIdCounter, year) is None:
        s.add(CaseIdCounter(year=year, last=0))
        s.flush()
    last = s.execute(
        sql_update(CaseIdCounter)
        .where(CaseIdCounter.year == year)
        .values(last=CaseIdCounter.last + n)
        .returning(CaseIdCounter.last)
    ).scalar_one()
    if last > 999_999:
        raise WorkbenchError(f"case ids for {year} are exhausted", "ask an administrator")
    return [f"ESC-{year:04d}-{k:06d}" for k in range(last - n + 1, last + 1)]


def _preservation_due(received: datetime, days: int) -> datetime:

    return preservation_deadline(received, days=days)


# --------------------------------------------------------------------------- create / read


def create(
    *,
    category: str,
    title: str | None = None,
    summary: str | None = None,
    priority: str | None = None,
    source: str = "trust_safety",
    subjects: Sequence[object] = (),
    reporters: Sequence[object] = (),
    related: Sequence[str] = (),
    tags: Sequence[str] = (),
    custom: dict | None = None,
    external_id: str | None = None,
    who: str | None = None,
    at: datetime | str | None = None,
    session: Session | None = None,
) -> Case:
    """File a new case (status ``new``) and return it.

    ``priority`` defaults to the category's default priority. ``external_id`` (a frontline
    ticket id) is unique: filing the same ticket twice raises :class:`InputError`.
    ``reporters`` are platform user ids (ints) or outside references (strings); confidential.
    """

    who, at = analyst_or_default(who), time_or_now(at)
    category = check_category(category)
    priority = check_priority(priority or taxonomy().categories[category].default_priority)
    source = check_source(source)
    subject_ids = list(dict.fromkeys(check_user_id(u) for u in subjects))
    related_ids = list(dict.fromkeys(validate_case_id(r) for r in related))
    summary = (summary or "").strip() or None
    title = (title or "").strip() or _default_title(category, summary)
    if len(title) > 200:
        raise InputError(
            "title is longer than 200 characters", "shorten it; put details in the summary"
        )
    if external_id is not None:
        external_id = str(external_id).strip() or None
        if external_id and len(external_id) > 128:
            raise InputError("external id is longer than 128 characters")
    rep = [_reporter(r) for r in reporters]
    with unit(session) as s:
        if external_id and s.scalar(
            select(CaseRow.case_id).where(CaseRow.external_id == external_id)
        ):
            raise InputError(
                f"external ticket {external_id!r} is already filed",
                "find it with `workbench case list`",
            )
        for r in related_ids:
            if s.get(CaseRow, r) is None:
                raise NotFoundError(f"related case {r} does not exist")
        case_id = _allocate_ids(s, at.year)[0]
        row = CaseRow(
            case_id=case_id,
            title=title,
            summary=summary,
            category=category,
            priority=priority,
            source=source,
            status="new",
            assignee=None,
            tags=clean_tags(tags),
            custom=dict(check_custom(custom or {})),
            external_id=external_id,
            created_at=at,
            created_by=who,
            paused_seconds=0.0,
            version=1,
            updated_at=at,
            updated_by=who,
        )
        if taxonomy().categories[category].preservation:
            row.preservation_due = _preservation_due(at, _preservation_days()[0])
        s.add(row)
        s.flush()
        for pos, uid in enumerate(subject_ids):
            s.add(CaseSubject(case_id=case_id, user_id=uid, position=pos))
        for r in related_ids:
            s.add(CaseRelated(case_id=case_id, related_id=r))
            other = _lock(s, r, None)
            _touch(other, who, at, first_action=False)
            s.add(CaseRelated(case_id=r, related_id=case_id))
            log_change(s, other, who, at, "update", "related", None, case_id)
            _people_cache(s).pop(r, None)
        for reporter_id, ref in rep:
            s.add(
                CaseReporter(
                    case_id=case_id, reporter_user_id=reporter_id, reporter_ref=ref, added_at=at
                )
            )
        for name, value in (
            ("title", title),
            ("summary", summary),
            ("category", category),
            ("priority", priority),
            ("source", source),
            ("status", "new"),
            ("subjects", subject_ids),
            ("related", related_ids),
            ("tags", row.tags),
            ("custom", row.custom),
            ("external_id", external_id),
            ("preservation_due", row.preservation_due),
        ):
            if value not in (None, [], {}):
                log_change(s, row, who, at, "create", name, None, value)
        if rep:  # the log says reporters were added, never who they are
            log_change(s, row, who, at, "create", "reporters", None, f"{len(rep)} confidential")
        s.flush()
        _people_cache(s)[case_id] = (row.version, tuple(subject_ids), tuple(sorted(related_ids)))
        return _build(row, tuple(subject_ids), tuple(sorted(related_ids)))


def _default_title(category: str, summary: str | None) -> str:
    if summary:
        first = summary.splitlines()[0].strip()
        return first if len(first) <= 80 else first[:79] + "…"
    return taxonomy().categories[category].title


def _preservation_days() -> tuple[int, int]:
    p = sla_policy()
    return p.preservation_days, p.preservation_renew_days


def _reporter(value: object) -> tuple[int | None, str | None]:
    if isinstance(value, Reporter):
        return value.user_id, value.ref
    if isinstance(value, int) or (
        isinstance(value, str) and value.strip().isascii() and value.strip().isdigit()
    ):
        return check_user_id(value), None
    ref = str(value).strip()
    if not ref or len(ref) > 200:
        raise InputError("a reporter must be a user id or a reference of at most 200 characters")
    return None, ref


def get(case_id: str, *, session: Session | None = None) -> Case:
    """The case ``case_id``; :class:`NotFoundError` if there is none."""
    validate_case_id(case_id)
    with unit(session) as s:
        row = s.get(CaseRow, case_id, populate_existing=True)
        if row is None:
            raise NotFoundError(f"no case {case_id}", "see `workbench case list`")
        return _snapshot(s, row)


def _matching(
    status: str | Sequence[str] | None,
    category: str | None,
    priority: str | None,
    assignee: str | None,
    subject: int | None,
    open_only: bool,
) -> list:
    """The WHERE conditions of :func:`list_cases` and :func:`count_cases`."""
    where: list[Any] = []
    if status:
        wanted = [status] if isinstance(status, str) else list(status)
        bad = [w for w in wanted if w not in STATUSES]
        if bad:
            raise InputError(f"unknown status {bad[0]!r}", f"use one of: {', '.join(STATUSES)}")
        where.append(CaseRow.status.in_(wanted))
    if open_only:
        where.append(CaseRow.status.in_(OPEN_STATUSES))
    if category:
        where.append(CaseRow.category == check_category(category))
    if priority:
        where.append(CaseRow.priority == check_priority(priority))
    if assignee:
        where.append(CaseRow.assignee == assignee)
    if subject is not None:
        where.append(
            CaseRow.case_id.in_(
                select(CaseSubject.case_id).where(CaseSubject.user_id == check_user_id(subject))
            )
        )
    return where


def count_cases(
    *,
    status: str | Sequence[str] | None = None,
    category: str | None = None,
    priority: str | None = None,
    assignee: str | None = None,
    subject: int | None = None,
    open_only: bool = False,
    session: Session | None = None,
) -> int:
    """How many cases match every filter given (what :func:`list_cases` lists without a limit)."""
    where = _matching(status, category, priority, assignee, subject, open_only)
    with unit(session) as s:
        return int(s.scalar(select(func.count()).select_from(CaseRow).where(*where)) or 0)


def list_cases(
    *,
    status: str | Sequence[str] | None = None,
    category: str | None = None,
    priority: str | None = None,
    assignee: str | None = None,
    subject: int | None = None,
    open_only: bool = False,
    limit: int | None = None,
    session: Session | None = None,
) -> list[Case]:
    """Cases matching every filter given, newest first."""
    q = select(CaseRow).where(*_matching(status, category, priority, assignee, subject, open_only))
    q = q.order_by(CaseRow.created_at.desc(), CaseRow.case_id.desc())
    if limit:
        q = q.limit(limit)
    with unit(session) as s:
        rows = s.scalars(q).all()
        ids = [r.case_id for r in rows]
        subj: dict[str, list[int]] = {i: [] for i in ids}
        rel: dict[str, list[str]] = {i: [] for i in ids}
        for chunk in _chunks(ids, 500):
            for cid, uid in s.execute(
                select(CaseSubject.case_id, CaseSubject.user_id)
                .where(CaseSubject.case_id.in_(chunk))
                .order_by(CaseSubject.position, CaseSubject.user_id)
            ):
                subj[cid].append(uid)
            for cid, rid in s.execute(
                select(CaseRelated.case_id, CaseRelated.related_id)
                .where(CaseRelated.case_id.in_(chunk))
                .order_by(CaseRelated.related_id)
            ):
                rel[cid].append(rid)
        return [_build(r, tuple(subj[r.case_id]), tuple(rel[r.case_id])) for r in rows]


def _chunks(items: list, n: int) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def table(cases: Iterable[Case]) -> pd.DataFrame:
    """Cases as a DataFrame (one row per case; subjects joined by spaces; no reporters)."""
    rows = []
    for c in cases:
        d = c.as_dict()
        d["subjects"] = " ".join(map(str, c.subjects))
        d["related"] = " ".join(c.related)
        d["tags"] = ", ".join(c.tags)
        d.pop("custom")
        rows.append(d)
    cols = [f.name for f in Case.__dataclass_fields__.values() if f.name != "custom"]
    return pd.DataFrame(rows, columns=cols)


def history(case_id: str, *, session: Session | None = None) -> list[Change]:
    """The case's change log, oldest first."""
    validate_case_id(case_id)
    with unit(session) as s:
        if s.get(CaseRow, case_id) is None:
            raise NotFoundError(f"no case {case_id}", "see `workbench case list`")
        rows = s.scalars(
            select(CaseChange).where(CaseChange.case_id == case_id).order_by(CaseChange.id)
        ).all()
        return [
            Change(r.case_id, r.at, r.who, r.action, r.field, r.old, r.new, r.reason, r.version)
            for r in rows
        ]


def confidential_reporters(case_id: str, *, session: Session | None = None) -> list[Reporter]:
    """Who reported the case. CONFIDENTIAL: for internal views only; never put these in anything
    that leaves the team (replies, bundles for outside audiences). Exporters use this list to
    *exclude* reporters."""
    validate_case_id(case_id)
    with unit(session) as s:
        rows = s.scalars(
            select(CaseReporter).where(CaseReporter.case_id == case_id).order_by(CaseReporter.id)
        ).all()
        return [Reporter(r.reporter_user_id, r.reporter_ref) for r in rows]


# --------------------------------------------------------------------------- changes


def claim(
    case_id: str,
    *,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
) -> Case:
    """``who`` takes the case (becomes its assignee); the claim time starts being tracked."""
    who, at = analyst_or_default(who), time_or_now(at)
    with unit(session) as s:
        row = _lock(s, case_id, expected_version)
        if row.status == "closed":
            raise InputError(f"case {case_id} is closed", "reopen it first with a reason")
        old = row.assignee
        _touch(row, who, at)
        row.assignee = who
        if row.claimed_at is None:
            row.claimed_at = at
        log_change(s, row, who, at, "claim", "assignee", old, who)
        return _snapshot(s, row)


def assign(
    case_id: str,
    assignee: str | None,
    *,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
) -> Case:
    """Give the case to ``assignee`` (``None`` unassigns)."""
    who, at = analyst_or_default(who), time_or_now(at)
    if assignee is not None:
        check_analyst_name(assignee)
    with unit(session) as s:
        row = _lock(s, case_id, expected_version)
        old = row.assignee
        if old == assignee:
            return _snapshot(s, row)
        _touch(row, who, at)
        row.assignee = assignee
        if assignee is not None and row.claimed_at is None:
            row.claimed_at = at
        log_change(s, row, who, at, "assign", "assignee", old, assignee)
        return _snapshot(s, row)


def set_status(
    case_id: str,
    status: str,
    *,
    reason: str | None = None,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
) -> Case:
    """Move the case to ``status``; illegal moves are refused with what is allowed.

    Reopening (``decided``/``closed`` -> ``investigating``) needs a ``reason``. ``decided`` is
    reached by recording a decision (:func:`workbench.cases.decisions.decide`).
    """
    status = str(status).strip().lower()
    if status == "decided":
        raise InputError(
            f"case {case_id} is decided by recording a decision",
            f"use `workbench case decide {case_id} --clause ... --action ...`",
        )
    return _move(
        case_id,
        status,
        reason=reason,
        who=who,
        at=at,
        expected_version=expected_version,
        session=session,
    )


def mark_decided(
    case_id: str,
    *,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session,
) -> CaseRow:
    """For :func:`workbench.cases.decisions.decide`, in its transaction: move the case to
    ``decided`` (stopping the resolution clock) and return its locked row."""
    _move(case_id, "decided", who=who, at=at, expected_version=expected_version, session=session)
    row = session.get(CaseRow, case_id)
    assert row is not None
    return row


def _move(
    case_id: str,
    status: str,
    *,
    reason: str | None = None,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
) -> Case:
    who, at = analyst_or_default(who), time_or_now(at)
    if status not in STATUSES:
        raise InputError(f"unknown status {status!r}", f"use one of: {', '.join(STATUSES)}")
    reason = (reason or "").strip() or None
    with unit(session) as s:
        row = _lock(s, case_id, expected_version)
        old = row.status
        allowed = TRANSITIONS[old]
        if status not in allowed:
            raise InputError(
                f"case {case_id} cannot go from {old} to {status}",
                f"from {old} it can go to: {', '.join(allowed)}",
            )
        reopening = old in REOPEN_FROM and status == "investigating"
        if reopening and not reason:
            raise InputError(f"reopening case {case_id} needs a reason", "pass --reason TEXT")
        _touch(row, who, at)
        row.status = status
        # SLA bookkeeping: waiting (and decided/closed) pause the resolution clock.
        if old in PAUSED_STATUSES and status not in PAUSED_STATUSES and row.paused_since:
            paused = max(0.0, (at - row.paused_since).total_seconds())  # clock skew never subtracts
            row.paused_seconds = (row.paused_seconds or 0.0) + paused
            row.paused_since = None
        elif status in PAUSED_STATUSES and row.paused_since is None:
            row.paused_since = at
        log_change(
            s, row, who, at, "reopen" if reopening else "status", "status", old, status, reason
        )
        if status == "decided":
            row.decided_at = at
            log_change(s, row, who, at, "status", "decided_at", None, at)
        elif status == "closed":
            row.closed_at = at
            log_change(s, row, who, at, "status", "closed_at", None, at)
        elif reopening:
            for name in ("decided_at", "closed_at"):
                if getattr(row, name) is not None:
                    log_change(s, row, who, at, "reopen", name, getattr(row, name), None, reason)
                    setattr(row, name, None)
        return _snapshot(s, row)


def update(
    case_id: str,
    *,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
    **fields: Any,
) -> Case:
    """Change fields (title, summary, category, priority, source, tags, custom); each changed
    field is logged with its old and new value. ``custom`` is merged key by key (``None``
    removes a key)."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise InputError(f"cannot change {unknown[0]!r}", f"editable fields: {', '.join(EDITABLE)}")
    who, at = analyst_or_default(who), time_or_now(at)
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "category":
            clean[name] = check_category(value)
        elif name == "priority":
            clean[name] = check_priority(value)
        elif name == "source":
            clean[name] = check_source(value)
        elif name == "tags":
            clean[name] = clean_tags(value)
        elif name == "title":
            v = str(value).strip()
            if not v or len(v) > 200:
                raise InputError("a title needs 1 to 200 characters")
            clean[name] = v
        elif name == "summary":
            clean[name] = (str(value).strip() or None) if value is not None else None
        else:
            clean[name] = check_custom(value)
    with unit(session) as s:
        row = _lock(s, case_id, expected_version)
        diffs: list[tuple[str, Any, Any]] = []
        for name, value in clean.items():
            if name == "custom":
                merged = dict(row.custom or {})
                for k, v in value.items():
                    if merged.get(k) != v:
                        diffs.append((f"custom.{k}", merged.get(k), v))
                    if v is None:
                        merged.pop(k, None)
                    else:
                        merged[k] = v
                if merged != (row.custom or {}):
                    row.custom = merged
            elif getattr(row, name) != value:
                diffs.append((name, getattr(row, name), value))
                setattr(row, name, value)
        if not diffs:
            return _snapshot(s, row)
        _touch(row, who, at)
        for name, old, new in diffs:
            log_change(s, row, who, at, "update", name, old, new)

        if (
            "category" in clean
            and row.preservation_due is None
            and taxonomy().categories[row.category].preservation
        ):
            row.preservation_due = _preservation_due(row.created_at, _preservation_days()[0])
            log_change(s, row, who, at, "update", "preservation_due", None, row.preservation_due)
        return _snapshot(s, row)


def add_subjects(
    case_id: str,
    user_ids: Sequence[object],
    *,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
) -> Case:
    """Add platform users as subjects of the case."""
    who, at = analyst_or_default(who), time_or_now(at)
    ids = list(dict.fromkeys(check_user_id(u) for u in user_ids))
    with unit(session) as s:
        row = _lock(s, case_id, expected_version)
        have = list(
            s.scalars(
                select(CaseSubject.user_id)
                .where(CaseSubject.case_id == case_id)
                .order_by(CaseSubject.position)
            )
        )
        new = [u for u in ids if u not in have]
        if not new:
            return _snapshot(s, row)
        _touch(row, who, at)
        _people_cache(s).pop(case_id, None)
        for pos, uid in enumerate(new, start=len(have)):
            s.add(CaseSubject(case_id=case_id, user_id=uid, position=pos))
        log_change(s, row, who, at, "update", "subjects", have, have + new)
        s.flush()
        return _snapshot(s, row)


def link(
    case_id: str,
    related_id: str,
    *,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
) -> Case:
    """Relate two cases (both directions); logged on both."""
    who, at = analyst_or_default(who), time_or_now(at)
    validate_case_id(related_id)
    if related_id == case_id:
        raise InputError("a case cannot be related to itself")
    with unit(session) as s:
        row = _lock(s, case_id, expected_version)
        other = _lock(s, related_id, None)
        for a, b in ((row, other), (other, row)):
            if s.get(CaseRelated, (a.case_id, b.case_id)) is None:
                _touch(a, who, at)
                _people_cache(s).pop(a.case_id, None)
                s.add(CaseRelated(case_id=a.case_id, related_id=b.case_id))
                log_change(s, a, who, at, "update", "related", None, b.case_id)
        s.flush()
        return _snapshot(s, row)


def add_reporters(
    case_id: str,
    reporters: Sequence[object],
    *,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
) -> Case:
    """Record confidential reporters (user ids or outside references). The change log notes how
    many were added, never who."""
    who, at = analyst_or_default(who), time_or_now(at)
    rep = [_reporter(r) for r in reporters]
    with unit(session) as s:
        row = _lock(s, case_id, expected_version)
        if not rep:
            return _snapshot(s, row)
        _touch(row, who, at, first_action=False)
        for uid, ref in rep:
            s.add(
                CaseReporter(case_id=case_id, reporter_user_id=uid, reporter_ref=ref, added_at=at)
            )
        log_change(s, row, who, at, "update", "reporters", None, f"{len(rep)} confidential added")
        return _snapshot(s, row)


def renew_preservation(
    case_id: str,
    *,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
) -> Case:
    """Extend a legal preservation deadline by the renewal period (90 days by default)."""

    who, at = analyst_or_default(who), time_or_now(at)
    with unit(session) as s:
        row = _lock(s, case_id, expected_version)
        if row.preservation_due is None:
            raise InputError(
                f"case {case_id} has no preservation deadline", "only legal requests carry one"
            )
        old = row.preservation_due
        _touch(row, who, at)
        row.preservation_due = preservation_deadline(old, days=_preservation_days()[1])
        log_change(s, row, who, at, "renew", "preservation_due", old, row.preservation_due)
        return _snapshot(s, row)


def record_action(
    s: Session,
    case_id: str,
    *,
    who: str,
    at: datetime,
    action: str,
    field: str | None = None,
    new: Any = None,
    first_action: bool = True,
    expected_version: int | None = None,
) -> CaseRow:
    """For sibling modules (notes, decisions): lock the case, bump its version and log ``action``
    in the caller's transaction."""
    row = _lock(s, case_id, expected_version)
    _touch(row, who, at, first_action=first_action)
    log_change(s, row, who, at, action, field, None, new)
    return row


def counts_by_status(*, session: Session | None = None) -> dict[str, int]:
    """How many cases are in each status."""
    with unit(session) as s:
        got = dict(s.execute(select(CaseRow.status, func.count()).group_by(CaseRow.status)).all())
    return {st: int(got.get(st, 0)) for st in STATUSES}
