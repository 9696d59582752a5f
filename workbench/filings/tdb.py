"""The DSA Transparency Database's rules for a statement of reasons, field by field.

What the database accepts on ``POST /api/v1/statement`` and ``/statements`` (the schema of
1 July 2025): every wire value below and every rule in :func:`violations` were read from the
database's open source (``digital-services-act/transparency-database``,
``app/Http/Requests/StatementStoreRequest.php`` and ``app/Models/Statement.php`` at 69e80a0,
2026-06-24; see ``/work/research/filings.md``). A few rules are ours, stricter than the
server, each marked ``ours:`` in its name:

* end dates on or after ``application_date`` (the documentation says so; the server does not
  check), an end date only for a restriction the statement makes, and ``content_date`` not
  after ``application_date``;
* fields the server would silently drop (``source_identity`` of an own-initiative decision,
  the ground fields of the other ground, an ``*_other`` text without its "other" choice) are
  refused rather than sent, and unknown fields too: what we file is what is stored;
* no personal data in any text (Art. 24(5)): e-mail addresses, phone numbers, IP addresses and
  @handles are refused here; the case's own people are the exit scanner's job.

:func:`check` raises :class:`StatementRefused` naming the field and the rule it breaks.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from workbench import phones
from workbench.errors import InputError

# --------------------------------------------------------------------------- wire values

CATEGORIES = tuple(
    f"STATEMENT_CATEGORY_{c}"
    for c in (
        "ANIMAL_WELFARE",
        "CONSUMER_INFORMATION",
        "CYBER_VIOLENCE",
        "CYBER_VIOLENCE_AGAINST_WOMEN",
        "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "ILLEGAL_OR_HARMFUL_SPEECH",
        "INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        "NOT_SPECIFIED_NOTICE",
        "OTHER_VIOLATION_TC",
        "PROTECTION_OF_MINORS",
        "RISK_FOR_PUBLIC_SECURITY",
        "SCAMS_AND_FRAUD",
        "SELF_HARM",
        "UNSAFE_AND_PROHIBITED_PRODUCTS",
        "VIOLENCE",
    )
)
#: Categories the July 2025 schema removed: the database answers 422 for them.
REMOVED_CATEGORIES = {
    "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR": "it was removed on 1 July 2025; non-consensual "
    "image sharing is a keyword of STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT": "it was removed on 1 July 2025",
    "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS": "it is now "
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE": "it is now STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
}

#: The keywords the documentation groups under each category (the validator accepts any keyword
#: with any category, as the database does; a keyword from another group is only a warning).
KEYWORD_GROUPS: dict[str, tuple[str, ...]] = {
    "STATEMENT_CATEGORY_ANIMAL_WELFARE": ("ANIMAL_HARM", "UNLAWFUL_SALE_ANIMALS"),
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION": (
        "HIDDEN_ADVERTISEMENT",
        "INSUFFICIENT_INFORMATION_ON_TRADERS",
        "MISLEADING_INFO_CONSUMER_RIGHTS",
        "MISLEADING_INFO_GOODS_SERVICES",
        "NONCOMPLIANCE_PRICING",
    ),
    "STATEMENT_CATEGORY_CYBER_VIOLENCE": (
        "CYBER_BULLYING_INTIMIDATION",
        "CYBER_HARASSMENT",
        "CYBER_INCITEMENT",
        "CYBER_STALKING",
        "NON_CONSENSUAL_IMAGE_SHARING",
        "NON_CONSENSUAL_MATERIAL_DEEPFAKE",
    ),
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN": (
        "BULLYING_AGAINST_GIRLS",
        "CYBER_HARASSMENT_AGAINST_WOMEN",
        "CYBER_STALKING_AGAINST_WOMEN",
        "FEMALE_GENDERED_DISINFORMATION",
        "INCITEMENT_AGAINST_WOMEN",
        "NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
        "NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    ),
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS": (
        "BIOMETRIC_DATA_BREACH",
        "DATA_FALSIFICATION",
        "MISSING_PROCESSING_GROUND",
        "RIGHT_TO_BE_FORGOTTEN",
    ),
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH": ("DEFAMATION", "DISCRIMINATION", "HATE_SPEECH"),
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS": (
        "COPYRIGHT_INFRINGEMENT",
        "DESIGN_INFRINGEMENT",
        "GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
        "PATENT_INFRINGEMENT",
        "TRADE_SECRET_INFRINGEMENT",
        "TRADEMARK_INFRINGEMENT",
    ),
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS": (
        "MISINFORMATION_DISINFORMATION",
        "VIOLATION_EU_LAW",
        "VIOLATION_NATIONAL_LAW",
    ),
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE": (),
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC": (
        "ADULT_SEXUAL_MATERIAL",
        "AGE_SPECIFIC_RESTRICTIONS",
        "GEOGRAPHICAL_REQUIREMENTS",
        "GOODS_SERVICES_NOT_PERMITTED",
        "LANGUAGE_REQUIREMENTS",
        "NUDITY",
    ),
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS": (
        "AGE_SPECIFIC_RESTRICTIONS_MINORS",
        "CHILD_SEXUAL_ABUSE_MATERIAL",
        "CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
        "GROOMING_SEXUAL_ENTICEMENT_MINORS",
        "UNSAFE_CHALLENGES",
    ),
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY": (
        "ILLEGAL_ORGANIZATIONS",
        "RISK_ENVIRONMENTAL_DAMAGE",
        "RISK_PUBLIC_HEALTH",
        "TERRORIST_CONTENT",
    ),
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD": (
        "IMPERSONATION_ACCOUNT_HIJACKING",
        "INAUTHENTIC_ACCOUNTS",
        "INAUTHENTIC_LISTINGS",
        "INAUTHENTIC_USER_REVIEWS",
        "PHISHING",
        "PYRAMID_SCHEMES",
    ),
    "STATEMENT_CATEGORY_SELF_HARM": (
        "CONTENT_PROMOTING_EATING_DISORDERS",
        "SELF_MUTILATION",
        "SUICIDE",
    ),
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS": ("PROHIBITED_PRODUCTS", "UNSAFE_PRODUCTS"),
    "STATEMENT_CATEGORY_VIOLENCE": (
        "COORDINATED_HARM",
        "HUMAN_EXPLOITATION",
        "HUMAN_TRAFFICKING",
        "INCITEMENT_VIOLENCE_HATRED",
        "TRAFFICKING_WOMEN_GIRLS",
    ),
}
KEYWORD_GROUPS = {c: tuple(f"KEYWORD_{k}" for k in ks) for c, ks in KEYWORD_GROUPS.items()}
KEYWORD_OTHER = "KEYWORD_OTHER"
#: All 69 accepted keywords: the 67 grouped ones, KEYWORD_OTHER and the legacy KEYWORD_STALKING.
KEYWORDS = tuple(
    sorted({k for ks in KEYWORD_GROUPS.values() for k in ks} | {KEYWORD_OTHER, "KEYWORD_STALKING"})
)

CONTENT_TYPES = tuple(
    f"CONTENT_TYPE_{t}"
    for t in ("APP", "AUDIO", "IMAGE", "PRODUCT", "SYNTHETIC_MEDIA", "TEXT", "VIDEO", "OTHER")
)
VISIBILITIES = tuple(
    f"DECISION_VISIBILITY_{v}"
    for v in (
        "CONTENT_REMOVED",
        "CONTENT_DISABLED",
        "CONTENT_DEMOTED",
        "CONTENT_AGE_RESTRICTED",
        "CONTENT_INTERACTION_RESTRICTED",
        "CONTENT_LABELLED",
        "OTHER",
    )
)
MONETARIES = (
    "DECISION_MONETARY_SUSPENSION",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_MONETARY_OTHER",
)
PROVISIONS = (
    "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
)
ACCOUNTS = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")
ACCOUNT_TYPES = ("ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE")
ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
GROUNDS = (ILLEGAL, INCOMPATIBLE)
VOLUNTARY = "SOURCE_VOLUNTARY"
SOURCE_TYPES = (
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    VOLUNTARY,
)
AUTOMATED_DECISIONS = (
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
)
YES_NO = ("Yes", "No")

#: The EU-27 member states (Greece is GR, not EL) and the EEA-30 (with IS, LI, NO).
EU = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
EEA = tuple(sorted((*EU, "IS", "LI", "NO")))

#: ISO 639-1 codes the database takes for content_language, UPPERCASE (its 184: the 183
#: current codes and the deprecated BH).
LANGUAGES = frozenset(
    """AB AA AF AK SQ AM AR AN HY AS AV AE AY AZ BM BA EU BE BN BH BI BS BR BG MY CA KM CH CE NY
    ZH CU CV KW CO CR HR CS DA DV NL DZ EN EO ET EE FO FJ FI FR FF GD GL LG KA DE KI EL KL GN GU
    HT HA HE HZ HI HO HU IS IO IG ID IA IE IU IK GA IT JA JV KN KR KS KK RW KV KG KO KJ KU KY LO
    LA LV LB LI LN LT LU MK MG MS ML MT GV MI MR MH RO MN NA NV ND NG NE SE NO NB NN II OC OJ OR
    OM OS PI PA PS FA PL PT QU RM RN RU SM SG SA SC SR SN SD SI SK SL SO ST NR ES SU SW SS SV TL
    TY TG TA TT TE TH BO TI TO TS TN TR TK TW UG UK UR UZ VE VI VO WA CY FY WO XH YI YO ZA
    ZU""".split()
)

RESTRICTIONS = (
    "decision_visibility",
    "decision_monetary",
    "decision_provision",
    "decision_account",
)
#: Each restriction's end-date field.
END_DATES = {
    "decision_visibility": "end_date_visibility_restriction",
    "decision_monetary": "end_date_monetary_restriction",
    "decision_provision": "end_date_service_restriction",
    "decision_account": "end_date_account_restriction",
}
MAX_DATE = date(2038, 1, 1)
BATCH_MAX = 100
PUID_MAX = 500
_PUID_RE = re.compile(r"[A-Za-z0-9_-]+")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: Every field a statement may carry (fields the server makes, such as uuid or created_at, and
#: content_language_other, which it drops unchecked, are not among them).
FIELDS = frozenset(
    {
        *RESTRICTIONS,
        "decision_visibility_other",
        "decision_monetary_other",
        "account_type",
        "decision_ground",
        "decision_ground_reference_url",
        "illegal_content_legal_ground",
        "illegal_content_explanation",
        "incompatible_content_ground",
        "incompatible_content_explanation",
        "incompatible_content_illegal",
        "content_type",
        "content_type_other",
        "category",
        "category_addition",
        "category_specification",
        "category_specification_other",
        "territorial_scope",
        "content_language",
        "content_date",
        "application_date",
        *END_DATES.values(),
        "decision_facts",
        "source_type",
        "source_identity",
        "automated_detection",
        "automated_decision",
        "puid",
        "content_id",
        "content_id_ean",
    }
)
#: Free-text fields, with their lengths (characters).
TEXTS = {
    "decision_visibility_other": 500,
    "decision_monetary_other": 500,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "content_type_other": 500,
    "category_specification_other": 500,
    "decision_facts": 5000,
    "source_identity": 500,
}


# --------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class Violation:
    """One broken rule: the field, the rule's name (``required``, ``max:5000``,
    ``required_if:decision_ground,DECISION_GROUND_ILLEGAL_CONTENT``, ``ours:...``) and why."""

    field: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message} (rule {self.rule})"


class StatementRefused(InputError):
    """A statement breaks a rule of the Transparency Database (or one of ours): not written."""

    def __init__(self, violation: Violation, more: int = 0, where: str = "") -> None:
        self.violation = violation
        self.violations_left = more
        also = f"; {more} more problem(s)" if more else ""
        super().__init__(
            f"statement of reasons{where} refused: {violation}{also}",
            "fix the case's decision or the mapping in templates/policies.yaml (dsa:); "
            "nothing was written",
        )


_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE_RE = re.compile(r"(?<![\w@./])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}")
# dates, times and case ids are digit runs too, but not phone numbers
_NOT_PHONE_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b|\bESC-\d{4}-\d{6}\b"
)
_IP_RE = re.compile(
    r"(?<![\w.:])(?:(?:\d{1,3}\.){3}\d{1,3}|(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4})(?![\w:])"
)


def personal_data(text: str) -> str | None:
    """What kind of personal data ``text`` holds in a form any reader could spot (an e-mail
    address, a phone number, an IP address, an @handle), or None."""
    if _EMAIL_RE.search(text):
        return "an e-mail address"
    for m in _IP_RE.finditer(text):
        try:
            ipaddress.ip_address(m.group(0))
        except ValueError:
            continue
        return "an IP address"
    plain = _NOT_PHONE_RE.sub(" ", text)
    for start, end, _run in phones.digit_runs(plain):
        if phones.national_number(plain[start:end], strict=True) is not None:
            return "a phone number"
    if _HANDLE_RE.search(text):
        return "an @handle"
    return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _present(stmt: Mapping[str, Any], name: str) -> bool:
    v = stmt.get(name)
    return v is not None and v != "" and v != []


def violations(stmt: Mapping[str, Any]) -> list[Violation]:
    """Every rule ``stmt`` breaks, in the order of the field list (empty when it is valid)."""
    out: list[Violation] = []

    def bad(field: str, rule: str, message: str) -> None:
        out.append(Violation(field, rule, message))

    if not isinstance(stmt, Mapping):
        return [Violation("(statement)", "object", "a statement is a JSON object")]
    for name in sorted(set(stmt) - FIELDS):
        bad(name, "ours:known_field", "is not a field of a statement (the server would drop it)")
    for name, value in stmt.items():
        if value is None and name in FIELDS:
            bad(name, "ours:omit_null", "is null: leave the field out instead")

    # -- restrictions (at least one of the four)
    if not any(_present(stmt, r) for r in RESTRICTIONS):
        bad(
            "decision_visibility",
            "required_without_all:decision_monetary,decision_provision,decision_account",
            "the statement names no restriction (visibility, monetary, provision or account)",
        )
    vis = stmt.get("decision_visibility")
    if vis is not None:
        if not isinstance(vis, list):
            bad("decision_visibility", "array", "must be a list")
            vis = []
        for v in vis:
            if v not in VISIBILITIES:
                bad("decision_visibility", "in", f"{v!r} is not a visibility restriction")
    allowed: Collection[str]
    for name, allowed in (
        ("decision_monetary", MONETARIES),
        ("decision_provision", PROVISIONS),
        ("decision_account", ACCOUNTS),
        ("account_type", ACCOUNT_TYPES),
    ):
        if name in stmt and stmt[name] is not None and stmt[name] not in allowed:
            bad(name, "in", f"{stmt[name]!r} is not one of {', '.join(allowed)}")
    _other(
        stmt,
        bad,
        "decision_visibility_other",
        "DECISION_VISIBILITY_OTHER" in (vis or []),
        "decision visibility is DECISION_VISIBILITY_OTHER",
        "required_if:decision_visibility,DECISION_VISIBILITY_OTHER",
    )
    _other(
        stmt,
        bad,
        "decision_monetary_other",
        stmt.get("decision_monetary") == "DECISION_MONETARY_OTHER",
        "decision monetary is DECISION_MONETARY_OTHER",
        "required_if:decision_monetary,DECISION_MONETARY_OTHER",
    )

    # -- the ground and its conditional fields
    ground = stmt.get("decision_ground")
    if not _present(stmt, "decision_ground"):
        bad("decision_ground", "required", "is required")
    elif ground not in GROUNDS:
        bad("decision_ground", "in", f"{ground!r} is not one of {', '.join(GROUNDS)}")
    for name, needed, rule_ground in (
        ("illegal_content_legal_ground", True, ILLEGAL),
        ("illegal_content_explanation", True, ILLEGAL),
        ("incompatible_content_ground", True, INCOMPATIBLE),
        ("incompatible_content_explanation", True, INCOMPATIBLE),
        ("incompatible_content_illegal", False, INCOMPATIBLE),
    ):
        if ground == rule_ground:
            if needed and not _present(stmt, name):
                bad(
                    name,
                    f"required_if:decision_ground,{rule_ground}",
                    f"is required when the decision ground is {rule_ground}",
                )
        elif name in stmt and ground in GROUNDS:
            bad(
                name,
                f"exclude_unless:decision_ground,{rule_ground}",
                f"belongs to the other ground ({rule_ground}): the server would drop it",
            )
    if (
        "incompatible_content_illegal" in stmt
        and stmt["incompatible_content_illegal"] not in YES_NO
    ):
        bad("incompatible_content_illegal", "in:Yes,No", "must be Yes or No")
    url = stmt.get("decision_ground_reference_url")
    if url is not None:
        if not isinstance(url, str) or not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", url):
            bad("decision_ground_reference_url", "url", "is not a URL")
        elif len(url) > 500:
            bad("decision_ground_reference_url", "max:500", "is longer than 500 characters")

    # -- content type and category
    types = stmt.get("content_type")
    if not types:
        bad("content_type", "required", "is required (a non-empty list)")
    elif not isinstance(types, list):
        bad("content_type", "array", "must be a list")
    else:
        for t in types:
            if t not in CONTENT_TYPES:
                bad("content_type", "in", f"{t!r} is not a content type")
    _other(
        stmt,
        bad,
        "content_type_other",
        isinstance(types, list) and "CONTENT_TYPE_OTHER" in types,
        "content type includes CONTENT_TYPE_OTHER",
        "required_if:content_type,CONTENT_TYPE_OTHER",
    )
    cat = stmt.get("category")
    if not _present(stmt, "category"):
        bad("category", "required", "is required")
    elif cat not in CATEGORIES:
        why = REMOVED_CATEGORIES.get(str(cat), "it is not one of the 16 categories")
        bad("category", "in", f"{cat!r} is refused: {why}")
    for name, allowed, what in (
        ("category_addition", CATEGORIES, "a category"),
        ("category_specification", KEYWORDS, "a keyword"),
        ("territorial_scope", EEA, "an EU/EEA country code"),
    ):
        values = stmt.get(name)
        if values is None:
            continue
        if not isinstance(values, list):
            bad(name, "array", "must be a list")
            continue
        for v in values:
            if v not in allowed:
                why = REMOVED_CATEGORIES.get(str(v), "")
                bad(name, "in", f"{v!r} is not {what}" + (f" ({why})" if why else ""))
    lang = stmt.get("content_language")
    if lang is not None and lang not in LANGUAGES:
        hint = " (the database wants it in capitals)" if str(lang).upper() in LANGUAGES else ""
        bad("content_language", "in", f"{lang!r} is not an ISO 639-1 code{hint}")

    # -- dates
    content = _dates(stmt, bad, "content_date", date(2000, 1, 1))
    applied = _dates(stmt, bad, "application_date", date(2020, 1, 1))
    if content and applied and content > applied:
        bad(
            "content_date",
            "ours:content_date_not_after_application_date",
            f"{content} is after the application date {applied}",
        )
    for restriction, field in END_DATES.items():
        if field not in stmt or stmt[field] is None:
            continue
        end = _date(stmt[field])
        if end is None:
            bad(field, "date_format:Y-m-d", "does not match the format YYYY-MM-DD")
            continue
        if end > MAX_DATE:
            bad(field, "before_or_equal:2038-01-01", f"{end} is after 2038-01-01")
        if applied and end < applied:
            bad(
                field,
                "ours:end_date_on_or_after_application_date",
                f"{end} is before the application date {applied}",
            )
        if not _present(stmt, restriction):
            bad(
                field,
                f"ours:end_date_needs_{restriction}",
                f"gives an end date but the statement has no {restriction}",
            )

    # -- facts, source, automation, puid
    if not _present(stmt, "decision_facts"):
        bad("decision_facts", "required", "is required")
    source = stmt.get("source_type")
    if not _present(stmt, "source_type"):
        bad("source_type", "required", "is required")
    elif source not in SOURCE_TYPES:
        bad("source_type", "in", f"{source!r} is not one of {', '.join(SOURCE_TYPES)}")
    if source == VOLUNTARY and "source_identity" in stmt:
        bad(
            "source_identity",
            "exclude_if:source_type,SOURCE_VOLUNTARY",
            "an own-initiative decision has no notifier (the server would drop it)",
        )
    if not _present(stmt, "automated_detection"):
        bad("automated_detection", "required", "is required")
    elif stmt["automated_detection"] not in YES_NO:
        bad("automated_detection", "in:Yes,No", "must be Yes or No")
    if not _present(stmt, "automated_decision"):
        bad("automated_decision", "required", "is required")
    elif stmt["automated_decision"] not in AUTOMATED_DECISIONS:
        bad(
            "automated_decision",
            "in",
            f"{stmt['automated_decision']!r} is not one of {', '.join(AUTOMATED_DECISIONS)}",
        )
    puid = stmt.get("puid")
    if not _present(stmt, "puid"):
        bad("puid", "required", "is required")
    elif not isinstance(puid, str) or not _PUID_RE.fullmatch(puid):
        bad("puid", "regex:/^[a-zA-Z0-9-_]+$/D", "may hold only letters, digits, - and _")
    elif len(puid) > PUID_MAX:
        bad("puid", f"max:{PUID_MAX}", f"is {len(puid)} characters long")
    ean = stmt.get("content_id_ean")
    if ean is not None and not re.fullmatch(r"[0-9]{13}", str(ean)):
        bad("content_id_ean", "regex:/^[0-9]{13}$/", "is not 13 digits")

    # -- lengths and personal data in every text
    for name, limit in TEXTS.items():
        value = stmt.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            bad(name, "string", "must be text")
            continue
        if len(value) > limit:
            bad(name, f"max:{limit}", f"is {len(value):,} characters long; at most {limit:,}")
        found = personal_data(value)
        if found:
            bad(name, "ours:no_personal_data", f"holds {found} (Art. 24(5): no personal data)")
    return out


def _other(stmt, bad, name: str, chosen: bool, when: str, rule: str) -> None:
    if chosen and not _present(stmt, name):
        bad(name, rule, f"is required when {when}")
    elif not chosen and name in stmt:
        bad(name, rule.replace("required_if", "exclude_unless"), f"is only sent when {when}")


def _dates(stmt: Mapping[str, Any], bad, name: str, earliest: date) -> date | None:
    if not _present(stmt, name):
        bad(name, "required", "is required")
        return None
    value = _date(stmt[name])
    if value is None:
        bad(name, "date_format:Y-m-d", "does not match the format YYYY-MM-DD")
        return None
    if value < earliest:
        bad(name, f"after_or_equal:{earliest}", f"{value} is before {earliest}")
    if value > MAX_DATE:
        bad(name, "before_or_equal:2038-01-01", f"{value} is after 2038-01-01")
    return value


def warnings_for(stmt: Mapping[str, Any]) -> list[str]:
    """Advice the database would not refuse: keywords outside the category's group."""
    out = []
    cats = [stmt.get("category"), *(stmt.get("category_addition") or [])]
    grouped = {k for c in cats if c in KEYWORD_GROUPS for k in KEYWORD_GROUPS[c]}
    for k in stmt.get("category_specification") or []:
        if k not in grouped and k not in (KEYWORD_OTHER, "KEYWORD_STALKING"):
            out.append(f"keyword {k} is not one the documentation lists under the categories given")
    return out


def check(stmt: Mapping[str, Any], *, where: str = "") -> Mapping[str, Any]:
    """``stmt`` if it keeps every rule, else :class:`StatementRefused` naming the first."""
    found = violations(stmt)
    if found:
        raise StatementRefused(found[0], len(found) - 1, where)
    return stmt


def check_batch(statements: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    """A batch for ``POST /api/v1/statements``: 1 to 100 valid statements, puids distinct
    (the database stores all of them or none)."""
    if not 1 <= len(statements) <= BATCH_MAX:
        raise InputError(
            f"a batch holds 1 to {BATCH_MAX} statements, not {len(statements)}",
            "split the statements into batches of at most 100",
        )
    seen: set[str] = set()
    for n, stmt in enumerate(statements):
        check(stmt, where=f" {n} of the batch")
        if stmt["puid"] in seen:
            raise StatementRefused(
                Violation("puid", "ours:distinct_in_batch", "appears twice in the batch"),
                where=f" {n} of the batch",
            )
        seen.add(stmt["puid"])
    return statements


T = TypeVar("T")


def batches(statements: Iterable[T], size: int = BATCH_MAX) -> list[list[T]]:
    """``statements`` in batches of at most ``size`` (100)."""
    if not 1 <= size <= BATCH_MAX:
        raise InputError(f"a batch size is 1 to {BATCH_MAX}")
    items = list(statements)
    return [items[i : i + size] for i in range(0, len(items), size)]
