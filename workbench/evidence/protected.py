"""What an audience may not get of a case's people, in the form it is looked for.

:func:`protected` turns the case's people (roles and the identifying values the platform holds
for them, :class:`~workbench.evidence.redaction.Person`) and the set of those the audience may
not see into :class:`Protected`: names and each part of them, handles, e-mail addresses and
their local parts, device ids, payment fingerprints and IP addresses as needles in the key form
of :mod:`workbench.evidence.normalise`; phone numbers by their national digits
(:func:`workbench.phones.find_known`); user ids as numbers; IPs also by their canonical form.
A value (or part) a person the audience does see also holds (a subject's first name shared
with a reporter, on a legal bundle) is not protected: it cannot say who the other one is.

The redactor replaces what :meth:`Protected.spans` finds; the exit scanner refuses what
:meth:`Protected.first` finds; the reply guard reports it. One definition, three walls.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workbench import phones
from workbench.evidence import normalise as nz

# What each kind of value is called in messages (never the value itself).
KIND_NAMES = {
    "name": "name",
    "name part": "part of a name",
    "handle": "handle",
    "email": "e-mail address",
    "email local part": "e-mail local part",
    "phone": "phone number",
    "IP": "IP address",
    "device": "device id",
    "payment instrument": "payment fingerprint",
    "user id": "user id",
    "reference": "reporter reference",
    "special": "special-category data",
}
MIN_LATIN = 3  # shorter Latin name parts are ordinary words ("Li", "Al")
MIN_OTHER = 2  # two CJK or Thai characters are a name
MIN_CODE = 6  # device ids, payment fingerprints
ID_LEN_ALONE = 5  # ids this long are matched anywhere; shorter ones only after a cue word
# A short id counts only right after a word that says it is one: "member #2881", "user_id: 7",
# "Person L (2881)", "reporter 101" (not "2 rows", nor an HTML "&#34;").
_CUE_RE = re.compile(
    r"(?:(?<![a-z])(?:user|member|reporter|reported|account|profile|victim|subject|sender|"
    r"recipient|owner|uid|id|no|number|person [a-z]{1,2})(?:_?ids?)?|(?<!&)#)"
    r"[\s\"'_:=#(.\-]{0,4}$"
)
_NUMBER_RE = re.compile(r"(?<!\d[.,:/-])(?<![\w])\d+(?![\w])(?![.,:/-]\d)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IP_RE = re.compile(
    r"(?<![\w.:])(?:(?:\d{1,3}\.){3}\d{1,3}|(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4}))(?![\w:])"
)


@dataclass(frozen=True)
class Hit:
    """What was found: the kind of value and whose (``reporter`` or ``person``), with the
    replacement text the redactor uses. Never holds the value."""

    kind: str
    role: str
    label: str = ""

    @property
    def what(self) -> str:
        who = "a reporter's" if self.role == "reporter" else "a protected person's"
        return f"{who} {KIND_NAMES.get(self.kind, self.kind)}"


@dataclass
class Protected:
    """Needles for one audience (see the module docstring)."""

    texts: dict[str, Hit] = field(default_factory=dict)  # key-form needle -> hit
    phones: dict[str, Hit] = field(default_factory=dict)  # national digits -> hit
    ids: dict[int, Hit] = field(default_factory=dict)
    ips: dict[str, Hit] = field(default_factory=dict)  # canonical address -> hit

    def __post_init__(self) -> None:
        self.index()

    def index(self) -> None:
        """Rebuild the pre-check tables after changing the needles."""
        self._anchors: dict[str, list[str]] = {}
        self._loose: list[str] = []
        for pin in sorted(self.texts, key=len, reverse=True):
            a = nz.anchor(pin)
            if a is None:
                self._loose.append(pin)
            else:
                self._anchors.setdefault(a, []).append(pin)

    def __bool__(self) -> bool:
        return bool(self.texts or self.phones or self.ids or self.ips)

    # -- text needles
    def _candidates(self, hay: str) -> list[str]:
        found = [p for p in self._loose if p in hay]
        if self._anchors:
            for tok in nz.tokens(hay) & self._anchors.keys():
                found.extend(self._anchors[tok])
        return found

    def text_spans(self, text: str) -> list[tuple[int, int, Hit]]:
        """Spans of ``text`` holding a protected name, handle, e-mail, device id, ... (longest
        first, never overlapping), positions in ``text``."""
        if not self.texts or not text:
            return []
        pins = self._candidates(nz.key(text))
        if not pins:
            return []
        hay, owner = nz.keyed(text)
        spans: list[tuple[int, int, Hit]] = []
        for pin in sorted(set(pins), key=len, reverse=True):
            for i, j in nz.find(hay, pin):
                s, e = nz.span(owner, i, j)
                hit = self.texts[pin]
                if hit.kind == "handle" and s and text[s - 1] in "@＠":
                    s -= 1  # the @ belongs to the handle
                if not any(a < e and s < b for a, b, _ in spans):
                    spans.append((s, e, hit))
        return sorted(spans, key=lambda t: t[0])

    def phone_spans(self, text: str) -> list[tuple[int, int, Hit]]:
        return [(s, e, self.phones[k]) for s, e, k in phones.find_known(text, self.phones)]

    def ip_spans(self, text: str) -> list[tuple[int, int, Hit]]:
        if not self.ips or ("." not in text and ":" not in text):
            return []
        out = []
        for m in _IP_RE.finditer(text):
            canon = canonical_ip(m.group(0))
            if canon in self.ips:
                out.append((m.start(), m.end(), self.ips[canon]))
        return out

    def id_spans(self, text: str) -> list[tuple[int, int, Hit]]:
        """Protected user ids written as whole numbers: anywhere when they are long, else only
        after a cue word (``member #2881``, ``Person L (2881)``, ``user id 101``)."""
        if not self.ids or not any(c.isdigit() for c in text):
            return []
        form, owner = phones.mapped(text, phones.digit_char)
        out = []
        for m in _NUMBER_RE.finditer(form):
            hit = self.ids.get(int(m.group(0)))
            if hit is None:
                continue
            if len(m.group(0)) < ID_LEN_ALONE:
                window = form[max(0, m.start() - 32) : m.start()].casefold()
                if not _CUE_RE.search(window):
                    continue
            out.append((owner[m.start()], owner[m.end() - 1] + 1, hit))
        return out

    def spans(self, text: str) -> list[tuple[int, int, Hit]]:
        """Every protected value in ``text`` (non-overlapping, in order)."""
        chosen: list[tuple[int, int, Hit]] = []
        for group in (
            self.text_spans(text),
            self.ip_spans(text),
            self.phone_spans(text),
            self.id_spans(text),
        ):
            for s, e, h in group:
                if not any(a < e and s < b for a, b, _ in chosen):
                    chosen.append((s, e, h))
        return sorted(chosen, key=lambda t: t[0])

    def first(self, text: str) -> Hit | None:
        """The first protected value found in ``text`` (the exit scanner's question)."""
        for finder in (self.text_spans, self.phone_spans, self.ip_spans, self.id_spans):
            got = finder(text)
            if got:
                return got[0][2]
        return None

    def id_value(self, value: Any) -> Hit | None:
        """A cell holding exactly a protected user id (an int, a whole float or digits)."""
        if isinstance(value, bool) or value is None:
            return None
        try:
            number = int(str(value).strip()) if isinstance(value, str) else int(value)
            if not isinstance(value, str) and float(value) != number:
                return None
        except (TypeError, ValueError, OverflowError):
            return None
        return self.ids.get(number)


def canonical_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.split("%")[0]))
    except ValueError:
        return None


def _long_enough(text: str) -> bool:
    if not text:
        return False
    if text.isascii():
        return len(text) >= MIN_LATIN
    return len(text) >= MIN_OTHER


_PART_SPLIT = re.compile(r"[\s\u30fb\u00b7,;/]+")


def value_needles(kind: str, value: str) -> list[tuple[str, str]]:
    """(needle kind, key-form needle) for one identifying value of a person."""
    v = str(value).strip()
    if not v:
        return []
    out: list[tuple[str, str]] = []
    if kind in ("name", "reference"):
        if _long_enough(nz.needle(v)):
            out.append((kind, nz.needle(v)))
        for part in _PART_SPLIT.split(v):
            pin = nz.needle(part.strip("()<>\"'.-"))
            if _long_enough(pin):
                out.append(("name part", pin))
        for m in _EMAIL_RE.finditer(v):
            out += value_needles("email", m.group(0))
    elif kind == "handle":
        pin = nz.needle(v.lstrip("@"))
        if _long_enough(pin):
            out.append(("handle", pin))
    elif kind == "email":
        out.append(("email", nz.needle(v)))
        local = v.split("@", 1)[0]
        if "@" in v and _long_enough(nz.needle(local)):
            out.append(("email local part", nz.needle(local)))
    elif kind in ("device", "payment instrument"):
        if len(v) >= MIN_CODE:
            out.append((kind, nz.needle(v)))
    elif kind == "IP":
        out.append(("IP", nz.needle(v)))
    elif kind == "special":
        if len(v) >= 12:  # free-text health notes; short labels are ordinary words
            out.append(("special", nz.needle(v)))
    return out


def _person_needles(
    values: dict[str, set[str]], user_id: int | None
) -> tuple[list[tuple[str, str]], list[str], list[str], list[int]]:
    texts: list[tuple[str, str]] = []
    phone_keys: list[str] = []
    ips: list[str] = []
    for kind, vals in values.items():
        for v in vals:
            if not v:
                continue
            if kind == "phone":
                k = phones.match_key(str(v))
                if k:
                    phone_keys.append(k)
                continue
            if kind == "IP":
                canon = canonical_ip(str(v).strip())
                if canon:
                    ips.append(canon)
            texts += value_needles(kind, str(v))
    ids = [user_id] if user_id is not None and user_id > 0 else []
    return texts, phone_keys, ips, ids


def protected(
    people: Iterable[Any],
    hidden: set[int],
    labels: dict[int, str] | None = None,
    *,
    special: bool = True,
) -> Protected:
    """The needles of the people in ``hidden`` (by ``user_id``), less what people outside
    ``hidden`` hold too. ``people`` are :class:`~workbench.evidence.redaction.Person` (or
    anything with ``user_id``, ``role`` and ``values``); ``labels`` their pseudonyms.
    ``special``: everyone's special-category values (``values["special"]``) are protected
    too, whoever they belong to (for every audience outside the team)."""
    people = list(people)
    labels = labels or {}
    if special:
        specials = Protected()
        for p in people:
            for v in p.values.get("special", ()):
                for kind, pin in value_needles("special", v):
                    specials.texts.setdefault(pin, Hit(kind, "person"))
    people = [_without_special(p) for p in people]
    kept_texts: set[str] = set()
    kept_phones: set[str] = set()
    kept_ips: set[str] = set()
    kept_ids: set[int] = set()
    for p in people:
        if p.user_id in hidden:
            continue
        t, ph, ip, ids = _person_needles(p.values, p.user_id)
        kept_texts.update(pin for _, pin in t)
        kept_phones.update(ph)
        kept_ips.update(ip)
        kept_ids.update(ids)
    out = Protected()
    order = {"name": 0, "reference": 0, "email": 1, "handle": 2}
    for p in sorted(people, key=lambda p: (p.role != "reporter", p.user_id)):
        if p.user_id not in hidden:
            continue
        role = "reporter" if p.role == "reporter" else "person"
        label = labels.get(p.user_id, "")
        t, ph, ip, ids = _person_needles(p.values, p.user_id)
        for kind, pin in sorted(t, key=lambda kp: order.get(kp[0], 3)):
            if pin and pin not in kept_texts:
                out.texts.setdefault(pin, Hit(kind, role, label))
        for k in ph:
            if k not in kept_phones:
                out.phones.setdefault(k, Hit("phone", role, label))
        for c in ip:
            if c not in kept_ips:
                out.ips.setdefault(c, Hit("IP", role, label))
        for u in ids:
            if u not in kept_ids:
                out.ids.setdefault(u, Hit("user id", role, label))
    if special:
        for pin, hit in specials.texts.items():
            out.texts.setdefault(pin, hit)
    out.index()
    return out


@dataclass(frozen=True)
class _Bare:
    user_id: int
    role: str
    values: dict[str, set[str]]


def _without_special(p: Any) -> _Bare:
    return _Bare(p.user_id, p.role, {k: v for k, v in p.values.items() if k != "special"})
