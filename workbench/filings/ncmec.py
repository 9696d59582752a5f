"""The CyberTipline report's shape as data, and the validator that checks a document against it.

NCMEC's schema (``GET /ispws/xsd``) uses ``xs:sequence`` throughout: children out of order are
refused. :data:`SEQUENCES` lists, for each element we write, its children in the schema's order
with their cardinality (``1`` required, ``?`` at most one, ``*`` any number, ``+`` at least
one). :data:`CHOICES` names elements that hold exactly one of their children, :data:`ENUMS` and
:data:`MAX_LENGTHS` the closed values and length caps, :data:`ATTRIBUTES` required attributes.
The order is the one every public client emits (research memo, ``/work/research/filings.md``
§3.2-3.4); diff it against the live XSD before the first real submission.

:func:`validate` walks a document and returns every problem (an empty list: valid). Elements
that NCMEC assigns when a report is sent (:data:`ASSIGNED_AT_SENDING`: the report and file ids)
are not required in a prepared draft.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "https://report.cybertip.org/ispws/xsd"

INCIDENT_TYPES = (
    "Child Pornography (possession, manufacture, and distribution)",
    "Child Sex Trafficking",
    "Child Sex Tourism",
    "Child Sexual Molestation",
    "Misleading Domain Name",
    "Misleading Words or Digital Images on the Internet",
    "Online Enticement of Children for Sexual Acts",
    "Unsolicited Obscene Material Sent to a Child",
)
REPORT_ANNOTATIONS = (
    "sextortion",
    "csamSolicitation",
    "minorToMinorInteraction",
    "spam",
    "sadisticOnlineExploitation",
    "informational",
)
FILE_ANNOTATIONS = (
    "animeDrawingVirtualHentai",
    "potentialMeme",
    "viral",
    "possibleSelfProduction",
    "physicalHarm",
    "violenceGore",
    "bestiality",
    "liveStreaming",
    "infant",
    "generativeAi",
)
EVENT_NAMES = ("Login", "Registration", "Purchase", "Upload", "Other", "Unknown")
INDUSTRY = ("A1", "A2", "B1", "B2")
RELEVANCE = ("Reported", "Supplemental Reported")
BOOL = ("true", "false")

_PERSON = [
    ("firstName", "?"),
    ("lastName", "?"),
    ("phone", "*"),
    ("email", "*"),
    ("address", "*"),
    ("age", "?"),
    ("ageAssertionDiscrepancy", "?"),
    ("dateOfBirth", "?"),
]
_CONTACT = [("firstName", "?"), ("lastName", "?"), ("phone", "*"), ("email", "*"), ("address", "*")]
_ACCOUNT_TAIL = [
    ("espIdentifier", "?"),
    ("espService", "?"),
    ("compromisedAccount", "?"),
    ("screenName", "?"),
    ("displayName", "*"),
    ("profileUrl", "*"),
    ("profileBio", "?"),
    ("ipCaptureEvent", "*"),
    ("deviceId", "*"),
]
_INCIDENTS = (
    "webPageIncident",
    "emailIncident",
    "newsgroupIncident",
    "chatImIncident",
    "onlineGamingIncident",
    "cellPhoneIncident",
    "nonInternetIncident",
    "peer2peerIncident",
)

#: element -> its children in schema order, with cardinality.
SEQUENCES: dict[str, list[tuple[str, str]]] = {
    "report": [
        ("batchedReport", "?"),
        ("incidentSummary", "1"),
        ("internetDetails", "*"),
        ("lawEnforcement", "?"),
        ("reporter", "1"),
        ("personOrUserReported", "?"),
        ("intendedRecipient", "*"),
        ("victim", "*"),
        ("additionalInfo", "?"),
    ],
    "incidentSummary": [
        ("incidentType", "1"),
        ("platform", "?"),
        ("escalateToHighPriority", "?"),
        ("reportAnnotations", "?"),
        ("incidentDateTime", "1"),
        ("incidentDateTimeDescription", "?"),
    ],
    "reportAnnotations": [(a, "?") for a in REPORT_ANNOTATIONS],
    "internetDetails": [(i, "?") for i in _INCIDENTS],
    "webPageIncident": [("url", "*"), ("additionalInfo", "?")],
    "chatImIncident": [
        ("chatClient", "?"),
        ("chatRoomName", "?"),
        ("content", "?"),
        ("additionalInfo", "?"),
    ],
    "lawEnforcement": [
        ("agencyName", "1"),
        ("caseNumber", "?"),
        ("officerContact", "?"),
        ("reportedToLe", "?"),
        ("servedLegalProcessDomestic", "?"),
        ("servedLegalProcessInternational", "?"),
    ],
    "officerContact": _CONTACT,
    "reporter": [
        ("reportingPerson", "1"),
        ("contactPerson", "?"),
        ("companyTemplate", "?"),
        ("termsOfService", "?"),
        ("legalURL", "?"),
    ],
    "reportingPerson": _PERSON,
    "contactPerson": _CONTACT,
    "personOrUserReported": [
        ("personOrUserReportedPerson", "?"),
        ("vehicleDescription", "?"),
        *_ACCOUNT_TAIL,
        ("thirdPartyUserReported", "?"),
        ("priorCTReports", "*"),
        ("groupIdentifier", "?"),
        ("estimatedLocation", "?"),
        ("allEmailsReported", "?"),
        ("associatedAccount", "*"),
        ("additionalInfo", "?"),
    ],
    "personOrUserReportedPerson": _PERSON,
    "intendedRecipient": [
        ("intendedRecipientPerson", "?"),
        *_ACCOUNT_TAIL,
        ("priorCTReports", "*"),
        ("groupIdentifier", "?"),
        ("estimatedLocation", "?"),
        ("allEmailsReported", "?"),
        ("additionalInfo", "?"),
    ],
    "intendedRecipientPerson": _PERSON,
    "victim": [
        ("victimPerson", "1"),
        *_ACCOUNT_TAIL,
        ("schoolName", "?"),
        ("priorCTReports", "*"),
        ("estimatedLocation", "?"),
        ("allEmailsReported", "?"),
        ("associatedAccount", "*"),
        ("additionalInfo", "?"),
    ],
    "victimPerson": _PERSON,
    "ipCaptureEvent": [
        ("ipAddress", "1"),
        ("eventName", "?"),
        ("dateTime", "?"),
        ("possibleProxy", "?"),
        ("port", "?"),
    ],
    "deviceId": [("idType", "1"), ("idValue", "1"), ("eventName", "?"), ("dateTime", "?")],
    "fileDetails": [
        ("reportId", "1"),
        ("fileId", "1"),
        ("originalFileName", "?"),
        ("uploadedToEspTimestamp", "?"),
        ("locationOfFile", "?"),
        ("fileViewedByEsp", "?"),
        ("exifViewedByEsp", "?"),
        ("publiclyAvailable", "?"),
        ("fileRelevance", "?"),
        ("fileAnnotations", "?"),
        ("industryClassification", "?"),
        ("originalFileHash", "*"),
        ("ipCaptureEvent", "?"),
        ("deviceId", "*"),
        ("details", "*"),
        ("additionalInfo", "*"),
    ],
    "fileAnnotations": [(a, "?") for a in FILE_ANNOTATIONS],
}
#: elements holding exactly one of their children
CHOICES = {"internetDetails"}
#: empty flag elements (presence is the value)
FLAGS = set(REPORT_ANNOTATIONS) | set(FILE_ANNOTATIONS)
ENUMS: dict[str, tuple[str, ...]] = {
    "incidentType": INCIDENT_TYPES,
    "eventName": EVENT_NAMES,
    "industryClassification": INDUSTRY,
    "fileRelevance": RELEVANCE,
    **{
        b: BOOL
        for b in (
            "fileViewedByEsp",
            "exifViewedByEsp",
            "publiclyAvailable",
            "reportedToLe",
            "compromisedAccount",
            "possibleProxy",
            "thirdPartyUserReported",
            "allEmailsReported",
        )
    },
}
MAX_LENGTHS = {
    "platform": 256,
    "escalateToHighPriority": 3000,
    "incidentDateTimeDescription": 3000,
    "agencyName": 255,
    "caseNumber": 100,
    "legalURL": 2083,
    "espIdentifier": 255,
    "espService": 100,
    "screenName": 256,
    "chatClient": 255,
    "firstName": 100,
    "lastName": 100,
    "email": 255,
    "phone": 50,
    "idType": 255,
    "idValue": 2083,
    "groupIdentifier": 255,
    "originalFileName": 2056,
    "locationOfFile": 2083,
}
ATTRIBUTES = {"originalFileHash": ("hashType",)}
#: required by the schema, but assigned by NCMEC when the report is sent (submit, upload)
ASSIGNED_AT_SENDING = {("fileDetails", "reportId"), ("fileDetails", "fileId")}
_MIN = {"1": 1, "?": 0, "*": 0, "+": 1}
_MAX = {"1": 1, "?": 1, "*": None, "+": None}


def _children(parent: str, el: ET.Element, path: str, draft: bool) -> list[str]:
    rules = SEQUENCES[parent]
    names = [n for n, _ in rules]
    problems: list[str] = []
    counts = {n: 0 for n in names}
    pos = 0
    for child in el:
        tag = child.tag
        if tag not in counts:
            problems.append(f"{path}: <{tag}> is not an element of <{parent}>")
            continue
        at = names.index(tag)
        if at < pos:
            problems.append(
                f"{path}: <{tag}> is out of order (the schema puts it before <{names[pos]}>)"
            )
            continue
        pos = at
        counts[tag] += 1
        most = _MAX[rules[at][1]]
        if most is not None and counts[tag] > most:
            problems.append(f"{path}: <{tag}> may appear at most {most} time(s)")
    for name, card in rules:
        if counts[name] < _MIN[card] and not (draft and (parent, name) in ASSIGNED_AT_SENDING):
            problems.append(f"{path}: <{parent}> needs <{name}>")
    if parent in CHOICES and sum(counts.values()) != 1:
        problems.append(f"{path}: <{parent}> holds exactly one of {', '.join(names)}")
    return problems


def _walk(el: ET.Element, path: str, draft: bool) -> list[str]:
    tag = el.tag
    problems: list[str] = []
    text = (el.text or "").strip()
    for attr in ATTRIBUTES.get(tag, ()):
        if not el.get(attr):
            problems.append(f"{path}: <{tag}> needs the attribute {attr}")
    if tag in SEQUENCES:
        if text:
            problems.append(f"{path}: <{tag}> holds elements, not text")
        problems += _children(tag, el, path, draft)
        seen: dict[str, int] = {}
        for child in el:
            seen[child.tag] = seen.get(child.tag, 0) + 1
            problems += _walk(child, f"{path}/{child.tag}[{seen[child.tag]}]", draft)
        return problems
    if len(el):
        problems.append(f"{path}: <{tag}> takes no child elements")
    if tag in FLAGS:
        if text:
            problems.append(f"{path}: <{tag}> is a flag and holds no text")
        return problems
    if not text:
        problems.append(f"{path}: <{tag}> is empty")
    if tag in ENUMS and text not in ENUMS[tag]:
        problems.append(f"{path}: {text!r} is not a value of <{tag}>")
    cap = MAX_LENGTHS.get(tag)
    if cap is not None and len(text) > cap:
        problems.append(f"{path}: <{tag}> is longer than {cap} characters")
    return problems


def validate(doc: bytes | ET.Element, *, draft: bool = True) -> list[str]:
    """Every way ``doc`` (a ``<report>`` or ``<fileDetails>``) breaks the schema's rules; empty
    when it is valid. ``draft``: the ids NCMEC assigns on sending may be absent."""
    try:
        root = ET.fromstring(doc) if isinstance(doc, (bytes, str)) else doc
    except ET.ParseError as exc:
        return [f"not well-formed XML ({exc})"]
    if root.tag not in ("report", "fileDetails"):
        return [f"the root is <{root.tag}>, not <report> or <fileDetails>"]
    problems = _walk(root, f"/{root.tag}", draft)
    if root.tag == "fileDetails":
        rel = root.findtext("fileRelevance")
        if rel == "Supplemental Reported" and (
            root.find("industryClassification") is not None
            or root.find("fileAnnotations/potentialMeme") is not None
        ):
            problems.append(
                "/fileDetails: a Supplemental Reported file carries no industryClassification "
                "and no potentialMeme annotation"
            )
    return problems
