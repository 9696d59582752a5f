"""Redaction per audience: profiles, entity-aware and pattern-based replacement, pseudonyms.

A profile (``templates/redaction/<audience>.yaml``) says, per field (column name), whether it is
kept, masked or dropped, which text patterns are replaced, and how the case's people are shown.

* **Entity-aware**: every PII value the platform holds for the case's people (subjects,
  confidential reporters, and every user whose id appears in the evidence), read from the
  schema's ``info={"pii": True}`` columns through the read-only platform engine, is replaced
  wherever it appears, inside free text too and in any script. Known phone numbers match in any
  spacing or national format; known IP addresses in any IPv6 spelling.
* **Pattern-based**: URLs, e-mail addresses, card numbers (Luhn-checked), IPv4/IPv6 addresses
  (validated with :mod:`ipaddress`), phone numbers (``phonenumbers`` matchers over several regions,
  plus any ``+``-prefixed international number) and @handles.
* **Pseudonyms**: people become "Person A", "Person B", ... (subjects first); unknown values get
  a short tag (``[email KQXT]``). Both come from an HMAC keyed per case, so the same person or
  value reads the same everywhere in a bundle and in every bundle of that case. The key lives in
  ``<home>/secrets/pseudonyms/<CASE>.key`` (mode 0600), never in the case store or a bundle.
* **Hard rules** (enforced in code, whatever a profile says): for every audience except
  ``internal``, special-category columns (schema ``info={"special_category": True}``) and reporter
  columns are dropped and reporters are pseudonymised.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import phonenumbers
from sqlalchemy import select

from workbench import phones
from workbench.config import Settings
from workbench.config import settings as current_settings
from workbench.errors import InputError
from workbench.evidence.protected import Hit, protected
from workbench.files import read_yaml_mapping
from workbench.platform import schema
from workbench.timeline.sources import user_party_rows

AUDIENCES = ("internal", "legal", "law_enforcement", "external")
ACTIONS = ("keep", "mask", "drop")
PATTERNS = ("url", "email", "card", "ip", "phone", "handle")
_CASE_ID_RE = re.compile(r"(\bESC-\d{4}-\d{6}\b)")
_TAG_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # letters only: a tag never looks like a number

# What each identifying column holds, for the replacement text ("[Person A email]").
_KIND_BY_COLUMN = {
    "handle": "handle",
    "display_name": "name",
    "email": "email",
    "phone": "phone",
    "ip": "IP",
    "device_id": "device",
    "instrument_fingerprint": "payment instrument",
}
_CHANGE_FIELDS = {"email": "email", "phone": "phone", "display_name": "name", "handle": "handle"}


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Profile:
    """What one audience may see."""

    audience: str
    description: str
    default: str
    fields: dict[str, str]
    patterns: tuple[str, ...]
    subjects: str  # keep | pseudonymise
    others: str  # keep | pseudonymise
    free_text: str  # keep | mask: notes, text files, figures, titles, custody text
    media: str  # keep | drop: photos, audio, video
    other_files: str  # keep | drop: binary files that cannot be redacted

    @property
    def outside(self) -> bool:
        """True for every audience outside the trust & safety team."""
        return self.audience != "internal"

    @property
    def changes_anything(self) -> bool:
        return (
            self.outside or self.default != "keep" or any(a != "keep" for a in self.fields.values())
        )

    def action(self, column: str) -> tuple[str, str]:
        """(action, reason) for a column name."""
        name = str(column)
        if self.outside and is_special_category(name):
            return "drop", "special category"
        if self.outside and is_reporter_column(name):
            return "drop", "reporter identity"
        if name in self.fields:
            return self.fields[name], "profile"
        if self.outside and (is_person_id_column(name) or name in EVENT_PARTY_COLUMNS):
            # a column the profile does not name (a new query's counterpart_id, say) must not
            # show in clear the id of someone the profile pseudonymises
            return "mask", "person id"
        return self.default, "profile default"


def is_special_category(column: str) -> bool:
    return column in _special_columns()


def is_reporter_column(column: str) -> bool:
    return "reporter" in column.lower()


# A timeline's actor and target: a user id for platform events, else a country, a field name,
# an analyst or a case id (kept).
EVENT_PARTY_COLUMNS = ("actor", "target")
_PERSON_WORDS = frozenset(
    {
        "user",
        "reporter",
        "sender",
        "recipient",
        "subject",
        "counterpart",
        "member",
        "victim",
        "owner",
    }
)
_NOT_PERSON_WORDS = frozenset(
    {
        "case",
        "agent",
        "message",
        "photo",
        "device",
        "action",
        "report",
        "appeal",
        "payment",
        "login",
        "conversation",
        "change",
    }
)


def is_person_id_column(column: str) -> bool:
    """True for a column that holds platform user ids (``user_id``, ``counterpart_id``,
    ``reported_user_id``; not ``subject_case_id`` or ``user_agent_id``)."""
    words = column.lower().split("_")
    if len(words) < 2 or words[-1] != "id":
        return False
    return bool(_PERSON_WORDS & set(words[:-1])) and not _NOT_PERSON_WORDS & set(words[:-1])


@lru_cache(maxsize=1)
def _special_columns() -> frozenset[str]:
    return frozenset(schema.special_category_columns())


_PERSON_PARAM = re.compile(
    r"(^|_)(u?id|uids|user|users|subject|subjects|reporter|member|sender|recipient|counterpart|person|people)s?($|_|\d)|^user"
)

# ``frame``/``column_action`` without lineage: decided by column names alone.
UNTRACED: Any = object()


@lru_cache(maxsize=3)
def _sources(kind: str) -> frozenset[str]:
    """``table.column`` of every platform column of a kind: special, identifier, text."""
    out = set()
    for t in schema.TABLES:
        for c in t.columns:
            pii, text = c.info.get("pii"), isinstance(c.type, schema.Text)
            if (
                (kind == "special" and c.info.get("special_category"))
                or (kind == "identifier" and pii and not text)
                or (kind == "text" and pii and text)
            ):
                out.add(f"{t.name}.{c.name}")
    return frozenset(out)


@lru_cache(maxsize=1)
def _identifier_columns() -> frozenset[str]:
    return frozenset(
        c.name
        for t in schema.TABLES
        for c in t.columns
        if c.info.get("pii") and not isinstance(c.type, schema.Text)
    )


def _choice(data: dict, key: str, allowed: tuple[str, ...], default: str, audience: str) -> str:
    value = str(data.get(key, default))
    if value not in allowed:
        raise InputError(
            f"redaction profile {audience}: {key} is {value!r}", f"use one of {', '.join(allowed)}"
        )
    return value


def profile_path(audience: str, folder: Path | None = None) -> Path:
    """The file of an audience's redaction profile (in ``WORKBENCH_REDACTION_DIR``)."""
    if audience not in AUDIENCES:
        raise InputError(f"{audience!r} is not an audience", f"use one of {', '.join(AUDIENCES)}")
    return (folder or current_settings().resource("redaction_dir")) / f"{audience}.yaml"


def load_profile(audience: str, folder: Path | None = None) -> Profile:
    """The redaction profile for an audience, validated."""
    path = profile_path(audience, folder)
    data = read_yaml_mapping(path, what="redaction profile", hint="restore templates/redaction")
    fields = {str(k): str(v) for k, v in (data.get("fields") or {}).items()}
    for name, action in fields.items():
        if action not in ACTIONS:
            raise InputError(
                f"redaction profile {audience}: field {name} has action {action!r}",
                f"use one of {', '.join(ACTIONS)}",
            )
    patterns = tuple(str(p) for p in (data.get("patterns") or ()))
    for p in patterns:
        if p not in PATTERNS:
            raise InputError(
                f"redaction profile {audience}: unknown pattern {p!r}",
                f"use any of {', '.join(PATTERNS)}",
            )
    people = data.get("people") or {}
    profile = Profile(
        audience=audience,
        description=str(data.get("description", "")).strip(),
        default=_choice(data, "default", ACTIONS, "keep", audience),
        fields=fields,
        patterns=patterns,
        subjects=_choice(people, "subjects", ("keep", "pseudonymise"), "keep", audience),
        others=_choice(people, "others", ("keep", "pseudonymise"), "keep", audience),
        free_text=_choice(data, "free_text", ("keep", "mask"), "keep", audience),
        media=_choice(data, "media", ("keep", "drop"), "keep", audience),
        other_files=_choice(data, "other_files", ("keep", "drop"), "keep", audience),
    )
    if profile.outside:
        leaks = [
            n
            for n, a in fields.items()
            if a != "drop" and (is_special_category(n) or is_reporter_column(n))
        ]
        if leaks:
            raise InputError(
                f"redaction profile {audience} keeps {', '.join(sorted(leaks))}",
                "special-category and reporter fields must be dropped for outside audiences",
            )
    return profile


# --------------------------------------------------------------------------- keys and labels


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# --------------------------------------------------------------------------- people


@dataclass
class Person:
    user_id: int
    role: str  # subject | reporter | other
    values: dict[str, set[str]] = field(default_factory=dict)
    label: str = ""


def gather_pii(
    user_ids: Iterable[int], cfg: Settings | None = None
) -> dict[int, dict[str, set[str]]]:
    """Every identifying value the platform holds for these users, by kind (read-only,
    through the audited door: one ``redaction.gather_pii`` record naming the users)."""
    from workbench.queries import door

    ids = sorted({int(u) for u in user_ids})
    out: dict[int, dict[str, set[str]]] = {u: {} for u in ids}
    if not ids:
        return out
    with door.act("redaction.gather_pii", subjects=ids):
        for table in schema.TABLES:
            if "user_id" not in table.c:
                continue
            cols = [c for c in table.columns if c.info.get("pii") and c.name in _KIND_BY_COLUMN]
            change = table.name == "account_changes"
            if change:
                cols += [table.c.field, table.c.old_value, table.c.new_value]
            if not cols:
                continue
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = door.read(
                    select(table.c.user_id, *cols).where(table.c.user_id.in_(chunk)),
                    action="redaction.gather_pii",
                    whole=True,
                    cfg=cfg,
                )
                for m in rows.to_dict("records"):
                    bucket = out[int(m["user_id"])]
                    for c in cols:
                        v = m[c.name]
                        if c.name in _KIND_BY_COLUMN and isinstance(v, str) and v:
                            bucket.setdefault(_KIND_BY_COLUMN[c.name], set()).add(v)
                    if change and m["field"] in _CHANGE_FIELDS:
                        for v in (m["old_value"], m["new_value"]):
                            if isinstance(v, str) and v:
                                bucket.setdefault(_CHANGE_FIELDS[m["field"]], set()).add(v)
    return out


def gather_special(user_ids: Iterable[int], cfg: Settings | None = None) -> dict[int, set[str]]:
    """Every special-category value (orientation, gender identity, health) the platform holds
    for these users (read-only, through the audited door: one ``redaction.gather_special``
    record naming the users, or part of the act it runs in)."""
    from workbench.queries import door

    ids = sorted({int(u) for u in user_ids})
    out: dict[int, set[str]] = {u: set() for u in ids}
    cols = [c for t in schema.TABLES for c in t.columns if c.info.get("special_category")]
    tables = {c.table for c in cols}
    if not ids or not cols:
        return out
    with door.act("redaction.gather_special", subjects=ids):
        for table in tables:
            mine = [c for c in cols if c.table is table]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                query = select(table.c.user_id, *mine).where(table.c.user_id.in_(chunk))
                rows = door.read(query, action="redaction.gather_special", whole=True, cfg=cfg)
                for row in rows.itertuples(index=False):
                    out[int(row[0])].update(str(v) for v in row[1:] if _present(v))
    return out


def gather_reports(
    reporter_ids: Iterable[int], cfg: Settings | None = None
) -> dict[int, list[tuple[int, str]]]:
    """(report id, the reporter's own words) of every report these users filed (read-only,
    through the audited door: one ``redaction.gather_reports`` record naming the reporters, or
    part of the act it runs in)."""
    from workbench.queries import door

    ids = sorted({int(u) for u in reporter_ids})
    out: dict[int, list[tuple[int, str]]] = {u: [] for u in ids}
    if not ids:
        return out
    r = schema.reports
    with door.act("redaction.gather_reports", subjects=ids):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = select(r.c.reporter_id, r.c.report_id, r.c.free_text).where(
                r.c.reporter_id.in_(chunk)
            )
            rows = door.read(
                query.order_by(r.c.report_id),
                action="redaction.gather_reports",
                subjects=chunk,
                whole=True,
                cfg=cfg,
            )
            for rep, rid, text in rows.itertuples(index=False):
                out[int(rep)].append((int(rid), str(text) if _present(text) else ""))
    return out


def _present(value: Any) -> bool:
    """A value a read returned, not a missing one (None, NaN, NA) or empty text."""
    if value is None or value is pd.NA or value == "":
        return False
    return not (isinstance(value, float) and value != value)


# --------------------------------------------------------------------------- patterns

_URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'\])}]+")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD_RE = re.compile(r"(?<![\w])(?:\d[ -]?){12,18}\d(?![\w])")
_IPV4_RE = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6_RE = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?"
    r"(?:%[\w]+)?(?![\w:])"
)
_INTL_PHONE_RE = re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s().\-]*\d){6,14}(?!\w)")
_DIGITS_RE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().\-]*\d){6,16}(?!\w)")
_HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}(?<!\.)")


def luhn_ok(digits: str) -> bool:
    """True when a digit string passes the Luhn check (card numbers)."""
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _canonical_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.split("%")[0]))
    except ValueError:
        return None


# --------------------------------------------------------------------------- redactor


class Redactor:
    """Replaces PII in values and tables for one profile, with one case's pseudonyms."""

    def __init__(self, profile: Profile, key: bytes, people: Iterable[Person] = ()) -> None:
        self.profile = profile
        self.key = key
        self.counts: Counter[str] = Counter()
        self.people = {p.user_id: p for p in people}
        self._assign_labels()
        self._hidden = {p.user_id for p in self.people.values() if self._pseudonymised(p)}
        self._build_entities()
        self._cache: dict[str, str] = {}

    # -- people
    def _pseudonymised(self, p: Person) -> bool:
        if p.role == "reporter" and self.profile.outside:
            return True
        policy = self.profile.subjects if p.role == "subject" else self.profile.others
        return policy == "pseudonymise"

    def _mac(self, text: str) -> str:
        return hmac.new(self.key, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def tag(self, kind: str, value: str) -> str:
        """A short, consistent, letters-only tag for an unknown value of a kind."""
        n = int(self._mac(f"{kind}\x00{value}")[:12], 16)
        out = ""
        for _ in range(4):
            n, r = divmod(n, len(_TAG_ALPHABET))
            out += _TAG_ALPHABET[r]
        return out

    def _assign_labels(self) -> None:
        order = {"subject": 0, "reporter": 1, "other": 1}
        ranked = sorted(
            self.people.values(), key=lambda p: (order[p.role], self._mac(f"user\x00{p.user_id}"))
        )
        for n, p in enumerate(ranked):
            p.label = f"Person {_letters(n)}"

    def label(self, user_id: Any) -> Any:
        """What a person id becomes: the pseudonym, or the id itself when kept."""
        uid = as_user_id(user_id)
        if uid is None:
            return user_id
        p = self.people.get(uid)
        if p is None:  # not gathered beforehand: still never shown in clear outside
            if not self.profile.outside and self.profile.others == "keep":
                return user_id
            return f"Person {self.tag('user', str(uid))}"
        return p.label if uid in self._hidden else uid  # 7, not 7.0 from a column with NULLs

    # -- entities
    def _build_entities(self) -> None:
        # Values of people shown in clear stay when a pattern finds them (legal's subjects).
        self._known_phones: dict[str, str | None] = {}  # national number -> replacement
        self._known_ips: dict[str, str | None] = {}
        self._known_emails: dict[str, str | None] = {}
        for p in self.people.values():
            hide = p.user_id in self._hidden
            for kind, values in p.values.items():
                for v in values:
                    v = v.strip()
                    text = f"[{p.label} {kind}]"
                    if kind == "phone" and (nat := phones.match_key(v)):
                        self._known_phones.setdefault(nat, text if hide else None)
                    if kind == "IP" and (canon := _canonical_ip(v)):
                        self._known_ips.setdefault(canon, text if hide else None)
                    if kind == "email":
                        self._known_emails.setdefault(v.lower(), text if hide else None)
        # Everything hidden people hold, found by value in any spelling (evidence.protected).
        self.protected = protected(
            self.people.values(),
            self._hidden,
            {u: p.label for u, p in self.people.items()},
            special=self.profile.outside,
        )

    def _replacement(self, hit: Hit) -> str:
        if hit.kind in ("name", "name part", "handle", "reference", "user id"):
            return hit.label or "[person]"
        kind = {"email local part": "email", "special": "special category"}.get(hit.kind, hit.kind)
        return f"[{hit.label} {kind}]" if hit.label else f"[{kind}]"

    def _entities(self, s: str, spans: list[tuple[int, int, Hit]]) -> str:
        if not spans:
            return s
        out, pos = [], 0
        for start, end, hit in spans:
            out.append(s[pos:start])
            out.append(self._replacement(hit))
            self._count("person")
            pos = end
        out.append(s[pos:])
        return "".join(out)

    # -- text
    def text(self, value: str) -> str:
        """``value`` with PII replaced according to the profile."""
        if not isinstance(value, str) or not value or not self.profile.changes_anything:
            return value
        hit = self._cache.get(value)
        if hit is not None:
            return hit
        out = self._text(value)
        if len(self._cache) < 200_000:
            self._cache[value] = out
        return out

    def _count(self, kind: str) -> None:
        self.counts[kind] += 1

    def _text(self, s: str) -> str:
        # case ids look like phone numbers to the matcher; they are ours, not anyone's PII
        parts = _CASE_ID_RE.split(s)
        return "".join(p if i % 2 else self._text_part(p) for i, p in enumerate(parts))

    def _text_part(self, s: str) -> str:
        if not s:
            return s
        pats = self.profile.patterns
        if "url" in pats:
            s = _URL_RE.sub(lambda m: self._unknown("URL", m.group(0)), s)
        if self.protected:
            s = self._entities(s, self.protected.text_spans(s))
            s = self._entities(s, self.protected.ip_spans(s))
        if "email" in pats:
            s = _EMAIL_RE.sub(self._email, s)
        if "card" in pats:
            s = _CARD_RE.sub(self._card, s)
        if "ip" in pats:
            s = _IPV6_RE.sub(self._ip, s)
            s = _IPV4_RE.sub(self._ip, s)
        if "phone" in pats or self._known_phones:
            s = self._phones(s, "phone" in pats)
        if "handle" in pats:
            s = _HANDLE_RE.sub(lambda m: self._unknown("handle", m.group(0)), s)
        if self.protected.ids:  # "member #2881", "Person L (2881)"
            s = self._entities(s, self.protected.id_spans(s))
        return s

    def _unknown(self, kind: str, value: str) -> str:
        self._count(kind)
        return f"[{kind} {self.tag(kind, value.lower())}]"

    def _email(self, m: re.Match) -> str:
        v = m.group(0)
        known = self._known_emails.get(v.lower(), "")
        if known is None:
            return v  # a kept person's address
        if known:
            self._count("person")
            return known
        return self._unknown("email", v)

    def _card(self, m: re.Match) -> str:
        digits = phones.digits(m.group(0))
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            return self._unknown("card", digits)
        return m.group(0)

    def _ip(self, m: re.Match) -> str:
        canon = _canonical_ip(m.group(0))
        if canon is None:
            return m.group(0)
        known = self._known_ips.get(canon, "")
        if known is None:
            return m.group(0)
        if known:
            self._count("person")
            return known
        return self._unknown("IP", canon)

    def _phones(self, s: str, patterns: bool) -> str:
        if not _DIGITS_RE.search(s) and not phones.has_run(s):
            return s
        spans: list[tuple[int, int, str | None]] = []  # (start, end, replacement or None = keep)

        def add(start: int, end: int, raw: str, e164: str | None) -> None:
            if any(a < end and start < b for a, b, _ in spans):
                return
            if e164 is None and raw.lstrip().startswith("+"):
                try:  # the same number gets the same tag however it was spaced
                    e164 = phonenumbers.format_number(
                        phonenumbers.parse(raw, None), phonenumbers.PhoneNumberFormat.E164
                    )
                except phonenumbers.NumberParseException:
                    e164 = None
            nat = None
            if e164:
                try:
                    nat = phonenumbers.national_significant_number(phonenumbers.parse(e164))
                except phonenumbers.NumberParseException:
                    nat = None
            digits = phones.digits(raw)
            known = [
                r
                for n, r in self._known_phones.items()
                if (nat and n == nat) or (len(n) >= 7 and digits.endswith(n))
            ]
            if known:
                spans.append((start, end, known[0]))
            elif patterns:
                spans.append((start, end, f"[phone {self.tag('phone', e164 or digits)}]"))

        # Known numbers first, in whatever grouping and separators they were typed.
        for start, end, key in phones.find_known(s, self._known_phones):
            if not any(a < end and start < b for a, b, _ in spans):
                spans.append((start, end, self._known_phones[key]))
        if patterns:
            for m in _INTL_PHONE_RE.finditer(s):
                add(m.start(), m.end(), m.group(0), None)
            for region in phones.REGIONS:
                for pm in phonenumbers.PhoneNumberMatcher(
                    s, region, leniency=phonenumbers.Leniency.VALID
                ):
                    add(
                        pm.start,
                        pm.end,
                        pm.raw_string,
                        phonenumbers.format_number(pm.number, phonenumbers.PhoneNumberFormat.E164),
                    )
        out, pos = [], 0
        for start, end, rep in sorted(spans):
            out.append(s[pos:start])
            if rep is None:
                out.append(s[start:end])
            else:
                self._count("phone" if rep.startswith("[phone") else "person")
                out.append(rep)
            pos = end
        out.append(s[pos:])
        return "".join(out)

    # -- structured values
    def value(self, column: str, value: Any) -> Any:
        """A masked cell of ``column``."""
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return value
        if is_person_id_column(column):
            return self.label(value)
        text = value if isinstance(value, str) else str(value)
        if column in _identifier_columns() or column.lower().endswith(("email", "phone", "handle")):
            out = self.text(text)
            if out == text and not self._kept_identifier(text):
                kind = _KIND_BY_COLUMN.get(column, column)
                return f"[{kind} {self.tag(kind, text.lower())}]"
            return out
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (bool, datetime, date, pd.Timestamp)):
            return value  # a flag or a time says what happened, not who
        return "[masked]"

    def _kept_identifier(self, text: str) -> bool:
        # A value that belongs to a person shown in clear (legal/LE subjects) stays.
        low = text.strip().lower()
        for p in self.people.values():
            if p.user_id in self._hidden:
                continue
            for values in p.values.values():
                if low in (v.lower() for v in values):
                    return True
        return False

    def params(self, params: Any) -> Any:
        """Query parameters with person ids and PII replaced: a parameter named for a person
        (``user_id``, ``uid``, ``user_a``, ``reporter``...) or holding the id of anyone in the
        case becomes their pseudonym, whatever its name; text is redacted."""
        if not isinstance(params, dict) or not self.profile.changes_anything:
            return params
        out: dict[str, Any] = {}
        for k, v in params.items():
            personal = is_person_id_column(str(k)) or _PERSON_PARAM.search(str(k).lower())
            out[k] = (
                [self._param(x, bool(personal)) for x in v]
                if isinstance(v, (list, tuple))
                else self._param(v, bool(personal))
            )
        return out

    def _param(self, v: Any, personal: bool) -> Any:
        if isinstance(v, str):
            uid = as_user_id(v)
            if uid is not None and (personal or uid in self.people):
                return self.label(uid)
            return self.text(v)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return v
        uid = as_user_id(v)
        if uid is not None and (personal or uid in self.people):
            return self.label(uid)
        return v

    def column_action(self, column: str, sources: Any = UNTRACED) -> tuple[str, str, str]:
        """(action, reason, column to treat the values as) for a result column, by its name and,
        when traced (:func:`workbench.evidence.lineage.result_lineage`), by the platform
        columns it comes from: ``reporter_id AS r`` is a reporter column, ``display_name AS
        contact`` a name, and a column whose sources are unknown (None) is masked."""
        action, reason = self.profile.action(column)
        if not self.profile.outside or sources is UNTRACED or action == "drop":
            return action, reason, column
        if sources is None:
            return "mask", "unknown lineage", column
        srcs = sorted(sources)
        names = [src.split(".", 1)[-1] for src in srcs]
        if any(src in _sources("special") for src in srcs):
            return "drop", "special category (lineage)", column
        if any(is_reporter_column(n) for n in names):
            return "drop", "reporter identity (lineage)", column
        for name in names:
            if is_person_id_column(name):
                return "mask", "person id (lineage)", name
        for src, name in zip(srcs, names):
            if src in _sources("identifier"):
                return "mask", "identifier (lineage)", name
        ranked = {"drop": 2, "mask": 1, "keep": 0}
        if len(names) == 1 and names[0] != column:
            by_source, why = self.profile.action(names[0])
            if ranked[by_source] > ranked[action] or (
                reason == "profile default" and why == "profile"
            ):
                return by_source, f"{why} ({names[0]})", names[0]
        for src, name in zip(srcs, names):
            if src in _sources("text") and action == "keep" and self.profile.free_text == "mask":
                return "keep", "free text (lineage)", name
        return action, reason, column

    def frame(
        self, df: pd.DataFrame, lineage: list[Any] | None = None
    ) -> tuple[pd.DataFrame, list[dict[str, str]]]:
        """A redacted copy of ``df`` and the list of field actions applied. ``lineage`` (one
        entry per column, from :func:`workbench.evidence.lineage.result_lineage`) makes the
        platform columns behind each result column decide, whatever its name."""
        applied: list[dict[str, str]] = []
        out = {}
        for n, col in enumerate(df.columns):
            sources = lineage[n] if lineage is not None and n < len(lineage) else UNTRACED
            action, reason, as_col = self.column_action(str(col), sources)
            if action == "drop":
                applied.append({"field": str(col), "action": "drop", "reason": reason})
                continue
            series = df[col]
            if action == "mask" and (
                pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_bool_dtype(series)
            ):
                action = "keep"  # a flag or a time says what happened, not who
            if action == "mask" and str(col) in EVENT_PARTY_COLUMNS:
                series = self._event_parties(df, series)
                applied.append({"field": str(col), "action": "mask", "reason": reason})
            elif action == "mask":
                uniques = series.dropna().unique()
                mapping = {u: _as_text(self.value(as_col, u)) for u in uniques}
                series = series.map(mapping).astype("object")
                applied.append({"field": str(col), "action": "mask", "reason": reason})
            elif (
                reason == "profile default" or reason.endswith("(lineage)")
            ) and self._free_text_outside(series):
                # text the profile does not name (a timeline's summary, say) may still quote
                # someone: their known PII and anything a pattern finds is replaced in it
                uniques = series.dropna().unique()
                mapping = {u: self.text(u) for u in uniques}
                if any(k != v for k, v in mapping.items()):
                    series = series.map(mapping).astype("object")
                    applied.append({"field": str(col), "action": "mask", "reason": "free text"})
            out[col] = series
        return pd.DataFrame(out, index=df.index), applied

    def _event_parties(self, df: pd.DataFrame, series: pd.Series) -> pd.Series:
        """A timeline's actor or target: user ids (rows of sources whose parties are users)
        become labels; other values (countries, field names, analysts) keep their text, with
        PII in it replaced."""

        def one(value: Any, is_user: bool) -> Any:
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                return None
            uid = as_user_id(value)
            if is_user and uid is not None:
                return _as_text(self.label(uid))
            return self.text(value) if isinstance(value, str) else _as_text(value)

        return pd.Series(
            [one(v, u) for v, u in zip(series.tolist(), user_party_rows(df))],
            index=series.index,
            dtype=object,
        )

    def _free_text_outside(self, series: pd.Series) -> bool:
        if not (self.profile.outside and self.profile.free_text == "mask"):
            return False
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            return False
        values = series.dropna()
        return len(values) > 0 and all(isinstance(v, str) for v in values)


def as_user_id(value: Any) -> int | None:
    """A platform user id from a cell (int, whole float, or ASCII digits), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number == number and number.is_integer() and number >= 0 else None


def _as_text(value: Any) -> str | None:
    # Masked columns are text: a kept id next to "Person B" must not mix types in one column.
    return None if value is None else str(value)


def people_for(
    subjects: Iterable[int],
    reporters: Iterable[int],
    others: Iterable[int],
    cfg: Settings | None = None,
) -> list[Person]:
    """The people of a case with their roles and PII values gathered from the platform (one
    ``redaction.gather_pii`` record, or part of the act it runs in)."""
    from workbench.queries import door

    roles: dict[int, str] = {}
    for u in others:
        roles[int(u)] = "other"
    for u in subjects:
        roles[int(u)] = "subject"
    for u in reporters:  # a reporter stays confidential even if also named elsewhere
        roles[int(u)] = "reporter"
    with door.act("redaction.gather_pii", subjects=roles):  # one audit record for both
        pii = gather_pii(roles, cfg)
        special = gather_special(roles, cfg)
    people = []
    for u, r in roles.items():
        values = dict(pii.get(u, {}))
        if special.get(u):
            values["special"] = set(special[u])
        people.append(Person(user_id=u, role=r, values=values))
    return people
