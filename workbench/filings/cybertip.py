"""The NCMEC CyberTipline report for a child-safety case (18 U.S.C. 2258A), prepared from the case.

Only a case the ``cybertip:`` section of ``templates/policies.yaml`` covers (its category, or a
clause its latest decision cites) is reported: the CyberTipline is for child sexual
exploitation, so a case about adults only is refused with one line.

What goes in, and where each value comes from (nothing the case lacks is written):

* ``incidentSummary``: the incident type (one of NCMEC's eight; named by the specialist:
  ``--incident`` or the case's custom field ``cybertip_incident``), annotations named the same
  way, when the case was opened (said so: the case does not record the incident's own time).
* ``internetDetails``: how members meet on the service (``templates/filings/settings.yaml``).
* ``lawEnforcement``: the first authority's request recorded on the case, if any.
* ``reporter``: the team's registered reporting contact (settings).
* ``personOrUserReported``: the decision's member: platform id, service, handle and display name,
  email and phone on the account, the latest successful logins before the case (IP capture
  events, read through the audited door) and their devices.
* ``victim`` / ``intendedRecipient``: only members the case names (custom fields
  ``cybertip_victims`` / ``cybertip_recipients``: platform user ids).
* one ``fileDetails`` per media item a reviewer has stepped through (:func:`review_file`): its
  name, hashes (SHA256 and MD5 of the bytes held), whether the reviewer viewed it and its EXIF,
  whether it was public, its relevance, annotations and industry classification. NCMEC's report
  and file ids are assigned when it is sent, so they are left for the sender.

Each document is checked against :mod:`workbench.filings.ncmec` before it is recorded. Nothing
is sent: the filing is recorded as evidence of the case (audited) and starts the one-year
preservation hold (:func:`workbench.filings.holds.start_cybertip`).
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import select

from workbench import cases
from workbench.cases.decisions import latest_decision
from workbench.config import settings
from workbench.content.profiles import users as platform_users
from workbench.errors import InputError, WorkbenchError
from workbench.evidence import items as ev
from workbench.filings import holds, ncmec, records
from workbench.filings.mapping import dsa_map
from workbench.filings.team import team
from workbench.ids import check_user_id, validate_case_id
from workbench.queries.run import query
from workbench.store import audit
from workbench.store import session as store_session
from workbench.store.models import FileReviewRow
from workbench.times import utcnow

#: short names a specialist types for NCMEC's incident types
INCIDENTS = {
    "csam": ncmec.INCIDENT_TYPES[0],
    "trafficking": ncmec.INCIDENT_TYPES[1],
    "tourism": ncmec.INCIDENT_TYPES[2],
    "molestation": ncmec.INCIDENT_TYPES[3],
    "domain": ncmec.INCIDENT_TYPES[4],
    "words_images": ncmec.INCIDENT_TYPES[5],
    "enticement": ncmec.INCIDENT_TYPES[6],
    "obscene_to_child": ncmec.INCIDENT_TYPES[7],
}
MEDIA_PREFIXES = ("image/", "video/", "audio/")


class NotChildSafety(InputError):
    """The case is not one the CyberTipline takes."""


@dataclass(frozen=True)
class FileReview:
    case_id: str
    item_id: int
    reviewer: str
    at: datetime
    industry: str | None
    viewed: bool
    exif_viewed: bool
    public: bool | None
    relevance: str
    annotations: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    case_id: str
    key: str
    report: bytes
    files: tuple[tuple[str, bytes], ...]  # (file name, fileDetails XML)
    filing: records.Filing | None = None
    hold: holds.Hold | None = None
    already: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- reviewer's step


def _review(r: FileReviewRow) -> FileReview:
    return FileReview(
        r.case_id,
        r.item_id,
        r.reviewer,
        r.at,
        r.industry,
        r.viewed,
        r.exif_viewed,
        r.public,
        r.relevance,
        tuple(r.annotations or ()),
    )


def review_file(
    case_id: str,
    ref: int | str,
    *,
    viewed: bool,
    exif_viewed: bool,
    industry: str | None = None,
    public: bool | None = None,
    relevance: str = "Reported",
    annotations: Sequence[str] = (),
) -> FileReview:
    """Record a reviewer's step on one media item: what they saw and how they classified it.
    Classification is the reviewer's, never guessed; a Supplemental Reported file carries none."""
    item = ev.get_item(case_id, ref)
    if not item.media_type.startswith(MEDIA_PREFIXES):
        raise InputError(f"{item.label} is not a media file ({item.media_type})")
    if relevance not in ncmec.RELEVANCE:
        raise InputError(
            f"{relevance!r} is not a file relevance", "use Reported or Supplemental Reported"
        )
    if industry is not None:
        industry = industry.strip().upper()
        if industry not in ncmec.INDUSTRY:
            raise InputError(
                f"{industry!r} is not an industry classification", "use A1, A2, B1 or B2"
            )
        if not viewed:
            raise InputError("only a reviewer who viewed the file classifies it", "pass --viewed")
    bad = [a for a in annotations if a not in ncmec.FILE_ANNOTATIONS]
    if bad:
        raise InputError(
            f"{bad[0]!r} is not a file annotation", f"use {', '.join(ncmec.FILE_ANNOTATIONS)}"
        )
    if relevance == "Supplemental Reported" and (industry or "potentialMeme" in annotations):
        raise InputError(
            "a Supplemental Reported file carries no classification and no potentialMeme"
        )
    who = settings().analyst
    with store_session() as s:
        row = FileReviewRow(
            case_id=case_id,
            item_id=item.id,
            reviewer=who,
            at=utcnow(),
            industry=industry,
            viewed=bool(viewed),
            exif_viewed=bool(exif_viewed),
            public=public,
            relevance=relevance,
            annotations=list(dict.fromkeys(annotations)),
        )
        s.add(row)
        s.flush()
        got = _review(row)
    audit.record(
        "filing.file_review",
        case=case_id,
        target={"item": item.label},
        details={"industry": industry, "viewed": viewed, "exif_viewed": exif_viewed},
    )
    return got


def reviews(case_id: str) -> dict[int, FileReview]:
    """The standing (newest) reviewer's step per evidence item id."""
    with store_session() as s:
        rows = s.scalars(
            select(FileReviewRow).where(FileReviewRow.case_id == case_id).order_by(FileReviewRow.id)
        ).all()
        return {r.item_id: _review(r) for r in rows}


# --------------------------------------------------------------------------- eligibility


def check_eligible(case: cases.Case) -> None:
    """Refuse, in one line, a case the CyberTipline does not take."""
    m = dsa_map()
    d = latest_decision(case.case_id)
    clauses = d.clauses if d else ()
    if case.category in m.cybertip_categories or set(clauses) & set(m.cybertip_clauses):
        return
    about = ", ".join([case.category, *clauses])
    raise NotChildSafety(
        f"{case.case_id} is not reported: the CyberTipline is for child sexual exploitation, "
        f"and this case ({about}) concerns adults only",
        "a case with a minor is filed under minor_safety or cites CG-6.1",
    )


# --------------------------------------------------------------------------- building


def _iso(ts: Any) -> str:
    t = pd.Timestamp(ts)
    t = t.tz_localize(UTC) if t.tzinfo is None else t.tz_convert(UTC)
    return t.to_pydatetime().isoformat(timespec="seconds")


def _text(parent: ET.Element, tag: str, value: Any) -> ET.Element | None:
    """A child element with ``value``, or nothing when the case does not hold one."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        value = "true" if value else "false"
    text = str(value).strip()
    if not text:
        return None
    el = ET.SubElement(parent, tag)
    el.text = text
    return el


def _account_row(uid: int) -> dict[str, Any]:
    df = platform_users([uid])
    if df.empty:
        raise WorkbenchError(
            f"platform user {uid} is not in the platform data", "check the case's subjects"
        )
    return {k: (None if pd.isna(v) else v) for k, v in df.iloc[0].to_dict().items()}


def _person(parent: ET.Element, tag: str, acct: dict[str, Any]) -> None:
    p = ET.SubElement(parent, tag)
    _text(p, "phone", acct.get("phone"))
    _text(p, "email", acct.get("email"))


def _account(el: ET.Element, acct: dict[str, Any], service: str) -> None:
    _text(el, "espIdentifier", acct.get("user_id"))
    _text(el, "espService", service)
    _text(el, "screenName", acct.get("handle"))
    _text(el, "displayName", acct.get("display_name"))


def _logins(case_id: str, uid: int, until: datetime, limit: int) -> pd.DataFrame:
    df = query("logins_by_user", case=case_id, user_id=uid, start="-3650d", end=until, limit=100000)
    if df.empty:
        return df
    ok = df[df["success"].astype(bool)]
    return ok.sort_values("ts").tail(limit)


def _ip_events(el: ET.Element, logins: pd.DataFrame, device_type: str) -> None:
    for _, r in logins.iterrows():
        ip = ET.SubElement(el, "ipCaptureEvent")
        _text(ip, "ipAddress", r["ip"])
        _text(ip, "eventName", "Login")
        _text(ip, "dateTime", _iso(r["ts"]))
    if logins.empty:
        return
    firsts = logins.groupby("device_id")["ts"].min().sort_values()
    for device, ts in firsts.items():
        d = ET.SubElement(el, "deviceId")
        _text(d, "idType", device_type)
        _text(d, "idValue", device)
        _text(d, "eventName", "Login")
        _text(d, "dateTime", _iso(ts))


def _ids(case: cases.Case, name: str) -> list[int]:
    raw = case.custom.get(name) or []
    if not isinstance(raw, list):
        raw = [raw]
    return [check_user_id(u, f"user id in custom field {name}") for u in raw]


def _media(case_id: str) -> list[ev.EvidenceItem]:
    return [
        i
        for i in ev.list_items(case_id, current_only=True)
        if i.kind in ("content", "file") and i.media_type.startswith(MEDIA_PREFIXES)
    ]


def _file_details(item: ev.EvidenceItem, rv: FileReview) -> bytes:
    root = _root("fileDetails")
    _text(root, "originalFileName", item.details.get("file_name"))
    _text(root, "fileViewedByEsp", rv.viewed)
    _text(root, "exifViewedByEsp", rv.exif_viewed)
    _text(root, "publiclyAvailable", rv.public)
    _text(root, "fileRelevance", rv.relevance)
    if rv.annotations:
        fa = ET.SubElement(root, "fileAnnotations")
        for a in ncmec.FILE_ANNOTATIONS:  # the schema's order, whatever order they were given
            if a in rv.annotations:
                ET.SubElement(fa, a)
    _text(root, "industryClassification", rv.industry)
    with ev.open_payload(item) as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != item.sha256:
        raise WorkbenchError(
            f"{item.label} has changed on disk since it was collected", "restore the case folder"
        )
    for kind, value in (("SHA256", item.sha256), ("MD5", hashlib.md5(data).hexdigest())):
        h = _text(root, "originalFileHash", value)
        assert h is not None
        h.set("hashType", kind)
    return _bytes(root)


def _root(tag: str) -> ET.Element:
    root = ET.Element(tag)
    root.set("xmlns:xsi", ncmec.XSI)
    root.set("xsi:noNamespaceSchemaLocation", ncmec.SCHEMA_LOCATION)
    return root


def _bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _payloads(report: bytes, files: Sequence[tuple[str, bytes]]) -> list[records.Payload]:
    xml = "application/xml"
    return [records.Payload("report.xml", report, xml)] + [
        records.Payload(n, b, xml) for n, b in files
    ]


def build(
    case_id: str,
    *,
    incident: str | None = None,
    annotations: Sequence[str] = (),
    escalate: str | None = None,
) -> Report:
    """The report and its file details for ``case_id``, validated (not recorded)."""
    validate_case_id(case_id)
    case = cases.get(case_id)
    check_eligible(case)
    t = team()
    tip = t.cybertip
    said = incident or case.custom.get("cybertip_incident")
    if not said:
        raise InputError(
            f"{case_id}: name the incident type; it is the specialist's call, never guessed",
            f"pass --incident ({', '.join(INCIDENTS)})",
        )
    itype = INCIDENTS.get(str(said), str(said))
    if itype not in ncmec.INCIDENT_TYPES:
        raise InputError(
            f"{said!r} is not a CyberTipline incident type", f"use one of {', '.join(INCIDENTS)}"
        )
    notes = list(annotations) or list(case.custom.get("cybertip_annotations") or [])
    bad = [a for a in notes if a not in ncmec.REPORT_ANNOTATIONS]
    if bad:
        raise InputError(
            f"{bad[0]!r} is not a report annotation", f"use {', '.join(ncmec.REPORT_ANNOTATIONS)}"
        )
    d = latest_decision(case_id)
    subjects = list(d.subjects if d and d.subjects else case.subjects)
    if not subjects:
        raise InputError(f"{case_id} has no subject to report", "add the member to the case first")
    warnings: list[str] = []
    revs = reviews(case_id)
    files = []
    for item in _media(case_id):
        if item.id in revs:
            files.append((item, revs[item.id]))
        else:
            warnings.append(
                f"{item.label} is not reported: no reviewer's step (workbench filing review-file)"
            )

    root = _root("report")
    summary = ET.SubElement(root, "incidentSummary")
    _text(summary, "incidentType", itype)
    _text(summary, "platform", t.service)
    _text(summary, "escalateToHighPriority", escalate)
    if notes:
        ra = ET.SubElement(summary, "reportAnnotations")
        for a in ncmec.REPORT_ANNOTATIONS:
            if a in notes:
                ET.SubElement(ra, a)
    # the case records when it was opened, not when the incident happened: say so
    _text(summary, "incidentDateTime", _iso(case.created_at))
    _text(
        summary,
        "incidentDateTimeDescription",
        "When the provider's escalation case was opened; the incident's own time is not recorded.",
    )
    details = ET.SubElement(root, "internetDetails")
    if str(tip.get("incident") or "chatIm") == "chatIm":
        chat = ET.SubElement(details, "chatImIncident")
        _text(chat, "chatClient", t.service)
    else:
        raise WorkbenchError(
            f"settings.yaml: cybertip.incident {tip.get('incident')!r} is not supported",
            "use chatIm",
        )
    reqs = holds.requests(case_id)
    if reqs:
        le = ET.SubElement(root, "lawEnforcement")
        _text(le, "agencyName", reqs[0].agency)
        _text(le, "caseNumber", reqs[0].reference)
    rep = ET.SubElement(root, "reporter")
    rp = ET.SubElement(rep, "reportingPerson")
    for k in ("first_name", "last_name"):
        _text(
            rp,
            "firstName" if k == "first_name" else "lastName",
            (tip.get("reporting_person") or {}).get(k),
        )
    _text(rp, "email", (tip.get("reporting_person") or {}).get("email"))
    if tip.get("contact_person"):
        cp = ET.SubElement(rep, "contactPerson")
        _text(cp, "email", tip["contact_person"].get("email"))
    _text(rep, "termsOfService", tip.get("terms_of_service"))
    _text(rep, "legalURL", tip.get("legal_url"))

    uid = check_user_id(subjects[0])
    acct = _account_row(uid)
    pr = ET.SubElement(root, "personOrUserReported")
    if acct.get("email") or acct.get("phone"):
        _person(pr, "personOrUserReportedPerson", acct)
    _account(pr, acct, t.service)
    logins = _logins(case_id, uid, case.created_at, int(tip.get("max_ip_events") or 20))
    _ip_events(pr, logins, str(tip.get("device_id_type") or "Device identifier"))
    for tag, person_tag, name in (
        ("intendedRecipient", "intendedRecipientPerson", "cybertip_recipients"),
        ("victim", "victimPerson", "cybertip_victims"),
    ):
        for other in _ids(case, name):
            them = _account_row(other)
            el = ET.SubElement(root, tag)
            if tag == "victim" or them.get("email") or them.get("phone"):
                _person(el, person_tag, them)
            _account(el, them, t.service)
    report = _bytes(root)
    problems = ncmec.validate(report)
    file_docs = []
    for n, (item, rv) in enumerate(files, start=1):
        doc = _file_details(item, rv)
        problems += [f"{item.label}: {p}" for p in ncmec.validate(doc)]
        file_docs.append((f"fileDetails-{n:02d}-{item.label}.xml", doc))
    if problems:
        raise WorkbenchError(
            f"the CyberTipline report for {case_id} breaks the schema: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
            "fix the case's data or the rules in workbench/filings/ncmec.py",
        )
    key = f"cybertip-{case_id}-{records.digest(_payloads(report, file_docs))[:16]}"
    return Report(case_id, key, report, tuple(file_docs), warnings=tuple(warnings))


def prepare(
    case_id: str,
    *,
    incident: str | None = None,
    annotations: Sequence[str] = (),
    escalate: str | None = None,
) -> Report:
    """Build, validate and record the report (evidence, audit) and start its one-year hold. A
    re-run over the same case data finds the filing already recorded and records nothing."""
    rep = build(case_id, incident=incident, annotations=annotations, escalate=escalate)
    known = records.find(rep.key)
    if known is not None:
        return Report(rep.case_id, rep.key, rep.report, rep.files, known, None, True, rep.warnings)
    filing = records.record(
        "cybertip",
        rep.key,
        _payloads(rep.report, rep.files),
        case_id=case_id,
        details={"files": len(rep.files), "warnings": list(rep.warnings)},
        note="CyberTipline report prepared (not sent)",
    )
    hold = holds.start_cybertip(case_id, filing.id, at=filing.created_at)
    return Report(rep.case_id, rep.key, rep.report, rep.files, filing, hold, False, rep.warnings)
