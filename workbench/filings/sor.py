"""DSA statements of reasons (Art. 17; the Transparency Database under Art. 24(5)), derived
from a case's decision.

* The decision's clauses give the category, further categories and the keywords; the action
  gives the restrictions and their end dates; each clause says whether the ground is our terms
  (the clause is the contractual ground) or illegal content (with its law): the mapping is the
  ``dsa:`` section of ``templates/policies.yaml``.
* The source type comes from the intake: a trusted flagger's case (tag or ``dsa_source``),
  an authority's (the legal team's), a notice (the case has reporters) or our own initiative.
  Notifiers are never named (``source_identity`` is sent only for a trusted flagger whose
  organisation the case names in ``custom.trusted_flagger``).
* Automated detection is "Yes" for cases found by automated means (tags in the mapping);
  decisions recorded in the workbench are people's, so never automated.
* Content types, the content date and the content language come from the case's evidence
  (messages, photos, media of the member concerned), else from the mapping's default and the
  member's account; the territorial scope from the mapping (the EEA by default).
* ``decision_facts`` and the explanation of the ground are filled from editable templates
  (``templates/filings/statement/``).
* The ``puid`` is a keyed hash of the case, the decision and the member (letters only), so the
  same decision always gives the same puid and a re-run never files twice.

Before anything is written the statement passes the exit scanner (nothing identifying the
case's people leaves for a public database) and every rule of :mod:`workbench.filings.tdb`.
"""

from __future__ import annotations

import hmac
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from workbench import cases
from workbench.cases.taxonomy import taxonomy
from workbench.content.language import UNDETERMINED, detect
from workbench.content.profiles import users as platform_users
from workbench.errors import InputError, NotFoundError
from workbench.evidence import items as ev
from workbench.evidence.scanner import scan
from workbench.filings import records, tdb
from workbench.filings.mapping import ClauseMap, DsaMap, dsa_map
from workbench.filings.team import render, team
from workbench.ids import check_user_id, validate_case_id
from workbench.keys import secret
from workbench.store import session as store_session
from workbench.store.models import CaseRow, DecisionClause, DecisionRow
from workbench.times import parse_timestamp

KIND = "sor"
MEDIA_TYPE = "application/json"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_TIME_COLUMNS = ("sent_at", "created_at", "uploaded_at", "ts")
_AUDIENCE = "external"  # a public database: nobody may be identifiable


class NoStatementDue(InputError):
    """The case's decision restricts nothing (or there is no decision): no statement."""


@dataclass(frozen=True)
class Statement:
    """One statement of reasons, as the database takes it (``body``), with where it came from."""

    case_id: str
    decision_id: int
    subject: int
    body: dict[str, Any]
    warnings: tuple[str, ...] = ()
    filing: records.Filing | None = None  # set once recorded
    already: bool = False  # recorded by an earlier run (the same puid)

    @property
    def puid(self) -> str:
        return str(self.body["puid"])

    def json(self) -> str:
        return dumps(self.body)


def dumps(value: Any) -> str:
    """The one text form of a statement or a batch (UTF-8, two-space indent, fields in the
    order they are built)."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- puid


def puid(case_id: str, decision_id: int, subject: int) -> str:
    """The statement's platform unique id: the team's prefix and 26 letters of an HMAC of the
    case, decision and member under the home's ``filings-puid`` key (no id can be read back
    from it, and a re-run gives the same one)."""
    key = secret("filings-puid")
    mac = hmac.new(key, f"{case_id}:{decision_id}:{subject}".encode(), "sha256").digest()
    number = int.from_bytes(mac, "big")
    letters = []
    for _ in range(26):
        number, r = divmod(number, 26)
        letters.append(_LETTERS[r])
    return f"{team().puid_prefix}-{''.join(letters)}"


# --------------------------------------------------------------------------- the decision


@dataclass(frozen=True)
class Decided:
    id: int
    case_id: str
    at: datetime
    action: str
    clauses: tuple[str, ...]
    subjects: tuple[int, ...]


def in_policy_order(clauses: Iterable[str]) -> tuple[str, ...]:
    """A decision's clauses in the policy's order: the first gives the statement's category."""
    order = {c: i for i, c in enumerate(taxonomy().clauses)}
    return tuple(sorted(clauses, key=lambda c: (order.get(c, 10**6), c)))


def _decision_rows(case_id: str) -> list[Decided]:
    with store_session() as s:
        rows = s.scalars(
            select(DecisionRow).where(DecisionRow.case_id == case_id).order_by(DecisionRow.id)
        ).all()
        out = []
        for r in rows:
            cl = s.scalars(
                select(DecisionClause.clause).where(DecisionClause.decision_id == r.id)
            ).all()
            out.append(
                Decided(
                    r.id,
                    r.case_id,
                    r.at,
                    r.action,
                    in_policy_order(cl),
                    tuple(int(u) for u in r.subjects or ()),
                )
            )
        return out


def latest(case_id: str) -> Decided:
    got = _decision_rows(validate_case_id(case_id))
    if not got:
        raise NoStatementDue(
            f"{case_id} has no decision yet: a statement of reasons follows a decision",
            f"record it with `workbench case decide {case_id} ...`",
        )
    return got[-1]


# --------------------------------------------------------------------------- evidence facts


@dataclass
class _Seen:
    types: set[str] = field(default_factory=set)
    earliest: datetime | None = None
    languages: Counter = field(default_factory=Counter)


def _types_of(item: ev.EvidenceItem) -> set[str]:
    mt = item.media_type
    kind = item.details.get("content_kind")
    if item.kind == "content" and kind in ("message", "messages", "profile"):
        return {"CONTENT_TYPE_TEXT"}
    if item.kind == "query_result":
        name = str((item.details.get("provenance") or {}).get("query") or "")
        if name in ("messages_by_user", "conversation", "keyword_search"):
            return {"CONTENT_TYPE_TEXT"}
        if name == "photo_reuse":
            return {"CONTENT_TYPE_IMAGE"}
        return set()
    if item.kind in ("content", "file"):
        for prefix, t in (
            ("image/", "CONTENT_TYPE_IMAGE"),
            ("video/", "CONTENT_TYPE_VIDEO"),
            ("audio/", "CONTENT_TYPE_AUDIO"),
        ):
            if mt.startswith(prefix):
                return {t}
    return set()


def _evidence_facts(case_id: str, subject: int) -> _Seen:
    seen = _Seen()
    for item in ev.list_items(case_id, current_only=True):
        if item.kind == "filing":
            continue
        types = _types_of(item)
        seen.types |= types
        if not (types and item.is_table):
            continue
        df = ev.load_frame(item)
        if "sender_id" in df.columns:  # what the member concerned wrote
            df = df[pd.to_numeric(df["sender_id"], errors="coerce") == subject]
        for col in _TIME_COLUMNS:
            if col in df.columns and len(df):
                ts = pd.to_datetime(df[col], utc=True, errors="coerce").min()
                if pd.notna(ts):
                    t = ts.to_pydatetime()
                    seen.earliest = t if seen.earliest is None else min(seen.earliest, t)
                break
        if "body" in df.columns:
            for text in df["body"].dropna().astype(str):
                lang = detect(text).lang
                if lang != UNDETERMINED:
                    seen.languages[lang] += 1
    return seen


def _account(subject: int) -> dict[str, Any]:
    df = platform_users([subject])
    return {} if df.empty else df.iloc[0].to_dict()


# --------------------------------------------------------------------------- deriving


SOURCE_WORDS = {
    "notice": "SOURCE_ARTICLE_16",
    "trusted_flagger": "SOURCE_TRUSTED_FLAGGER",
    "authority": "SOURCE_TYPE_OTHER_NOTIFICATION",
    "own_initiative": tdb.VOLUNTARY,
}


def source_type(
    case_id: str,
    custom: dict[str, Any],
    tags: tuple[str, ...] | list[str],
    source: str,
    has_reporters: bool,
    m: DsaMap,
) -> str:
    """The statement's ``source_type`` from the intake: the custom field ``dsa_source`` if
    set, else a trusted flagger's tag, an authority's source, reporters (a notice) or, with
    none of these, our own initiative. (The transparency counts use it too.)"""
    said = str((custom or {}).get("dsa_source") or "").strip().lower()
    if said:
        if said not in SOURCE_WORDS:
            raise InputError(
                f"{case_id}: custom field dsa_source {said!r} is unknown",
                f"use one of {', '.join(SOURCE_WORDS)}",
            )
        return SOURCE_WORDS[said]
    if m.trusted_flagger_tag in tags:
        return "SOURCE_TRUSTED_FLAGGER"
    if source in m.authority_sources:
        return "SOURCE_TYPE_OTHER_NOTIFICATION"
    if has_reporters:
        return "SOURCE_ARTICLE_16"
    return tdb.VOLUNTARY


def _source(case: cases.Case, m: DsaMap) -> str:
    has = bool(cases.confidential_reporters(case.case_id))
    return source_type(case.case_id, case.custom, case.tags, case.source, has, m)


def _clause_facts(clauses: tuple[str, ...]) -> list[dict[str, str]]:
    tax = taxonomy()
    return [
        {"id": c, "title": tax.clauses[c].title, "document": tax.clauses[c].document}
        for c in clauses
    ]


def _day(ts: datetime) -> date:
    return ts.astimezone(UTC).date()


def derive(case_id: str, subject: int | None = None) -> Statement:
    """The statement of reasons for the case's latest decision and ``subject`` (default: the
    decision's only member), built but not checked or recorded."""
    case = cases.get(validate_case_id(case_id))
    dec = latest(case_id)
    m = dsa_map()
    restriction = m.restriction(dec.action)
    action_title = (
        taxonomy().actions[dec.action].title if dec.action in taxonomy().actions else dec.action
    )
    if restriction is None:
        raise NoStatementDue(
            f"{case_id}'s decision ({action_title.lower()}) restricts nothing: no statement of "
            "reasons is due (DSA Art. 17(1))",
            "a statement follows a removal, a suspension or another restriction",
        )
    members = dec.subjects or case.subjects
    if subject is None:
        if len(members) != 1:
            raise InputError(
                f"{case_id}'s decision applies to {len(members)} members",
                "name one with --subject, or file them all with --all-decided",
            )
        subject = members[0]
    subject = check_user_id(subject)
    if subject not in members:
        raise InputError(f"the decision on {case_id} does not apply to user {subject}")
    maps: list[ClauseMap] = [m.clause(c) for c in dec.clauses]
    if not maps:
        raise InputError(f"{case_id}'s decision cites no clause")
    seen = _evidence_facts(case_id, subject)
    applied = _day(dec.at)
    content_day = min(_day(seen.earliest or case.created_at), _day(case.created_at), applied)
    body: dict[str, Any] = {}
    body.update(restriction.fields())
    if restriction.visibility_other:
        body["decision_visibility_other"] = restriction.visibility_other
    if restriction.monetary_other:
        body["decision_monetary_other"] = restriction.monetary_other
    ends: dict[str, str] = {}
    if restriction.days:
        end = (applied + timedelta(days=restriction.days)).isoformat()
        for field_name in restriction.fields():
            ends[field_name] = end
            body[tdb.END_DATES[field_name]] = end
    if m.account_type:
        body["account_type"] = m.account_type

    illegal = [c for c in maps if c.ground == tdb.ILLEGAL]
    facts = _clause_facts(dec.clauses)
    cfg = team()
    also = next((c.also_illegal for c in maps if c.also_illegal), None)
    if illegal:
        body["decision_ground"] = tdb.ILLEGAL
        body["illegal_content_legal_ground"] = "; ".join(
            dict.fromkeys(c.legal_ground for c in illegal)
        )
        body["illegal_content_explanation"] = render(
            "statement/explanation.txt.j2",
            ground="illegal",
            legal_ground=body["illegal_content_legal_ground"],
            clauses=facts,
            also_illegal=None,
            service=cfg.service,
        ).strip()
    else:
        body["decision_ground"] = tdb.INCOMPATIBLE
        body["incompatible_content_ground"] = "; ".join(
            f"{c['document']} section {c['id']}: {c['title']}" for c in facts
        )
        body["incompatible_content_explanation"] = render(
            "statement/explanation.txt.j2",
            ground="terms",
            legal_ground="",
            clauses=facts,
            also_illegal=also,
            service=cfg.service,
        ).strip()
        if also:
            body["incompatible_content_illegal"] = also
    page = m.documents.get(facts[0]["document"])
    if page:
        body["decision_ground_reference_url"] = f"{page}#{facts[0]['id'].lower().replace('.', '-')}"

    types = [t for t in tdb.CONTENT_TYPES if t in seen.types] or list(m.default_content_type)
    body["content_type"] = types
    if "CONTENT_TYPE_OTHER" in types:
        body["content_type_other"] = m.content_type_other
    body["category"] = maps[0].category
    more = [c for c in dict.fromkeys(x.category for x in maps[1:]) if c != maps[0].category]
    if more:
        body["category_addition"] = more
    keywords = list(dict.fromkeys(k for c in maps for k in c.keywords))
    if keywords:
        body["category_specification"] = keywords
    others = [c.other for c in maps if c.other and tdb.KEYWORD_OTHER in c.keywords]
    if tdb.KEYWORD_OTHER in keywords and others:
        body["category_specification_other"] = "; ".join(dict.fromkeys(others))
    body["territorial_scope"] = list(m.territorial_scope)
    language = seen.languages.most_common(1)[0][0] if seen.languages else None
    if language is None:
        language = str(_account(subject).get("language") or "").split("-")[0] or None
    if language and language.upper() in tdb.LANGUAGES:
        body["content_language"] = language.upper()
    body["content_date"] = content_day.isoformat()
    body["application_date"] = applied.isoformat()
    source = _source(case, m)
    detected = bool(
        set(case.tags) & set(m.automated_detection_tags) or case.custom.get("automated_detection")
    )
    body["decision_facts"] = render(
        "statement/decision_facts.txt.j2",
        restrictions=[v for f in tdb.RESTRICTIONS for v in _values(body.get(f))],
        end_dates={v: ends[f] for f in ends for v in _values(body.get(f))},
        decision_date=applied.isoformat(),
        source_type=source,
        automated_detection=detected,
        clauses=facts,
        content_types=types,
        service=cfg.service,
    ).strip()
    body["source_type"] = source
    flagger = case.custom.get("trusted_flagger")
    if source == "SOURCE_TRUSTED_FLAGGER" and isinstance(flagger, str) and flagger.strip():
        body["source_identity"] = flagger.strip()
    body["automated_detection"] = "Yes" if detected else "No"
    body["automated_decision"] = "AUTOMATED_DECISION_NOT_AUTOMATED"
    body["puid"] = puid(case_id, dec.id, subject)
    return Statement(case_id, dec.id, subject, body, tuple(tdb.warnings_for(body)))


def _values(v: Any) -> list[str]:
    if v is None:
        return []
    return list(v) if isinstance(v, list) else [v]


def checked(stmt: Statement) -> Statement:
    """``stmt`` once it passed the exit scan (nobody of the case identifiable: the
    database is public) and every rule of the database; else one line naming what failed."""
    scan(stmt.case_id, _AUDIENCE, {f"statement {stmt.puid}": stmt.json()})
    tdb.check(stmt.body, where=f" for {stmt.case_id}")
    return stmt


# --------------------------------------------------------------------------- recording


def _key(puid_value: str) -> str:
    return f"sor:{puid_value}"


def prepare(case_id: str, subject: int | None = None) -> Statement:
    """The checked statement for the case's latest decision, recorded as a filing (evidence,
    change log, audit). A statement recorded earlier (the same puid) is returned as recorded,
    and nothing new is written: a re-run never files twice."""
    stmt = derive(case_id, subject)
    earlier = records.find(_key(stmt.puid))
    if earlier is not None:
        body = json.loads(records.payload(earlier))
        return Statement(
            case_id, stmt.decision_id, stmt.subject, body, stmt.warnings, earlier, True
        )
    checked(stmt)
    filing = records.record(
        KIND,
        _key(stmt.puid),
        [records.Payload(f"{stmt.puid}.json", stmt.json().encode("utf-8"), MEDIA_TYPE)],
        case_id=case_id,
        decision_id=stmt.decision_id,
        subject=stmt.subject,
        details={
            "puid": stmt.puid,
            "category": stmt.body["category"],
            "decision_ground": stmt.body["decision_ground"],
            "source_type": stmt.body["source_type"],
            "restrictions": {f: stmt.body[f] for f in tdb.RESTRICTIONS if f in stmt.body},
            "application_date": stmt.body["application_date"],
            "automated_detection": stmt.body["automated_detection"],
            "automated_decision": stmt.body["automated_decision"],
        },
    )
    return Statement(case_id, stmt.decision_id, stmt.subject, stmt.body, stmt.warnings, filing)


def preview(case_id: str) -> list[dict[str, Any]]:
    """The statements the case's latest decision calls for, checked but not recorded (a case
    notebook shows them before ``workbench filing sor`` files them); none when no decision
    restricts anything yet."""
    try:
        dec = latest(case_id)
    except NoStatementDue:
        return []
    if dsa_map().restriction(dec.action) is None:
        return []
    members = dec.subjects or cases.get(case_id).subjects
    return [checked(derive(case_id, u)).body for u in members]


def prepare_case(case_id: str, subject: int | None = None) -> list[Statement]:
    """The case's statements: one for ``subject``, else one per member the decision covers."""
    if subject is not None:
        return [prepare(case_id, subject)]
    dec = latest(case_id)
    members = dec.subjects or cases.get(case_id).subjects
    if not members:
        raise InputError(f"{case_id}'s decision names no member", "add the subject first")
    return [prepare(case_id, u) for u in members]


def decided_since(since: datetime | str, until: datetime | str | None = None) -> list[str]:
    """Cases whose latest decision was taken in ``[since, until)`` and restricts something,
    oldest decision first."""
    start = parse_timestamp(since)
    end = parse_timestamp(until) if until is not None else None
    m = dsa_map()
    restricting = [a for a, r in m.actions.items() if r is not None]
    with store_session() as s:
        newest = (
            select(DecisionRow.case_id, func.max(DecisionRow.id).label("id"))
            .group_by(DecisionRow.case_id)
            .subquery()
        )
        q = (
            select(DecisionRow.case_id)
            .join(newest, newest.c.id == DecisionRow.id)
            .join(CaseRow, CaseRow.case_id == DecisionRow.case_id)
            .where(DecisionRow.at >= start, DecisionRow.action.in_(restricting))
            .order_by(DecisionRow.at, DecisionRow.id)
        )
        if end is not None:
            q = q.where(DecisionRow.at < end)
        return list(s.scalars(q))


@dataclass
class BatchRun:
    """What :func:`prepare_since` did: the new statements in batches of at most 100, and the
    statements skipped because an earlier run recorded them."""

    batches: list[list[Statement]] = field(default_factory=list)
    skipped: list[Statement] = field(default_factory=list)

    @property
    def statements(self) -> list[Statement]:
        return [s for b in self.batches for s in b]

    def bodies(self) -> list[dict[str, Any]]:
        """Each batch as ``POST /api/v1/statements`` takes it."""
        return [{"statements": [s.body for s in b]} for b in self.batches]


def prepare_since(since: datetime | str, until: datetime | str | None = None) -> BatchRun:
    """Statements for every case decided (with a restriction) since ``since``, each member
    of each decision, in batches of at most 100. Every statement is derived and checked before
    any is recorded: one that breaks a rule stops the run with nothing written. Statements an
    earlier run recorded are left out (they were filed once)."""
    wanted: list[Statement] = []
    run = BatchRun()
    for case_id in decided_since(since, until):
        dec = latest(case_id)
        for u in dec.subjects or cases.get(case_id).subjects:
            stmt = derive(case_id, u)
            earlier = records.find(_key(stmt.puid))
            if earlier is not None:
                run.skipped.append(
                    Statement(case_id, stmt.decision_id, u, stmt.body, stmt.warnings, earlier, True)
                )
                continue
            wanted.append(checked(stmt))
    for batch in tdb.batches(wanted):
        tdb.check_batch([s.body for s in batch])
    for batch in tdb.batches(wanted):
        run.batches.append([prepare(s.case_id, s.subject) for s in batch])
    return run


def recorded(case_id: str) -> list[Statement]:
    """The statements recorded on the case, as filed."""
    out = []
    for f in records.for_case(case_id, KIND):
        body = json.loads(records.payload(f))
        out.append(Statement(case_id, f.decision_id or 0, f.subject or 0, body, (), f, True))
    return out


def statement_for(case_id: str, subject: int) -> Statement:
    """The recorded statement for the case's latest decision and ``subject``;
    :class:`NotFoundError` when none was prepared yet."""
    dec = latest(case_id)
    f = records.find(_key(puid(case_id, dec.id, subject)))
    if f is None:
        raise NotFoundError(
            f"no statement of reasons was prepared for {case_id} and user {subject}",
            f"prepare it with `workbench filing sor {case_id}`",
        )
    return Statement(case_id, dec.id, subject, json.loads(records.payload(f)), (), f, True)
