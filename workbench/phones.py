"""Phone numbers, parsed with ``phonenumbers`` and compared by their national significant
number, so that ``+44 7700 900123``, ``07700 900123`` and ``0044-7700-900-123`` are one number.

Known numbers are found in text by their digits in any grouping (:func:`find_known`): the
digit form of the text (:func:`digit_form`: every kind of decimal digit as ASCII, invisible
characters gone, so ``０７７２９`` and ``0772\u200b9`` count) is cut into runs of digits joined by
up to three separator characters (spaces, ``.,_-/()+:``, quotes), and a run holding a known
number's digits is that number: ``07729,316,831``, ``0772_931_6831`` and ``(07729) 316 831``
are all ``+44 7729 316831``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

import phonenumbers

#: Regions a number without a country code is tried in (where the platform's members are).
REGIONS = ("GB", "US", "JP", "IN", "BR", "DE", "FR", "ES", "MX", "KR", "TH", "PK")


def digits(text: str) -> str:
    """The digits of ``text``, nothing else."""
    return re.sub(r"\D", "", text)


def national_number(raw: str, *, strict: bool = False) -> str | None:
    """The national significant number of a phone number written in any usual format, or None.

    ``strict`` (for numbers nobody told us about) wants a number valid in some region, so
    dates, amounts and order numbers do not count; international (``+``/``00``) numbers need
    only be possible."""
    s = raw.strip()
    if s.startswith("00"):
        s = "+" + s[2:]
    intl = s.startswith("+")
    for region in (None,) if intl else REGIONS:
        try:
            num = phonenumbers.parse(s, region)
        except phonenumbers.NumberParseException:
            continue
        ok = (
            phonenumbers.is_valid_number(num)
            if (strict and not intl)
            else phonenumbers.is_possible_number(num)
        )
        if ok:
            return phonenumbers.national_significant_number(num)
    return None


def match_key(raw: str) -> str | None:
    """What to compare a known phone number by: its national number, or for something
    phonenumbers cannot read, its last nine digits (None when it has fewer)."""
    found = national_number(raw)
    if found is not None:
        return found
    d = digits(raw)
    return d[-9:] if len(d) >= 9 else None


# --------------------------------------------------------------------------- numbers in text

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt) beyond the Cf category.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_SEP = r"[ \t\u00a0.,_\-\u2010-\u2015/()\[\]+:;'\"*#~|]"
_RUN_RE = re.compile(rf"\d(?:{_SEP}{{0,3}}\d)*")
MIN_DIGITS = 7  # shorter numbers are times, amounts and counts, not phones
_digit_cache: dict[str, str] = {}


def invisible(ch: str) -> bool:
    """True for a character that shows nothing: format controls (zero-width, bidi, soft hyphen,
    BOM, tags) and the other default-ignorable code points (variation selectors, fillers)."""
    return unicodedata.category(ch) == "Cf" or bool(_IGNORABLE.match(ch))


def digit_char(ch: str) -> str:
    """One character of :func:`digit_form`."""
    hit = _digit_cache.get(ch)
    if hit is None:
        if invisible(ch):
            hit = ""
        elif ch.isdecimal():
            hit = str(unicodedata.decimal(ch))  # Arabic-Indic, Devanagari, full-width...
        else:
            hit = "".join(c for c in unicodedata.normalize("NFKC", ch) if not invisible(c))
        _digit_cache[ch] = hit
    return hit


def digit_form(text: str) -> str:
    """``text`` with every decimal digit as an ASCII digit and invisible characters removed."""
    if not text:
        return ""
    return text.translate({ord(c): digit_char(c) for c in set(text)})


def mapped(text: str, one: Callable[[str], str]) -> tuple[str, list[int]]:
    """``text`` mapped character by character through ``one``, and for each output character
    the index of the input character it came from."""
    parts = [one(c) for c in text]
    owner: list[int] = []
    for i, p in enumerate(parts):
        owner.extend([i] * len(p))
    return "".join(parts), owner


def digit_runs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, digits) of every run of at least :data:`MIN_DIGITS` digits in ``text``,
    digits joined by up to three separators; positions index ``text`` itself."""
    form, owner = mapped(text, digit_char)
    out = []
    for m in _RUN_RE.finditer(form):
        d = digits(m.group(0))
        if len(d) >= MIN_DIGITS:
            out.append((owner[m.start()], owner[m.end() - 1] + 1, d))
    return out


def has_run(text: str) -> bool:
    """Quick check: could ``text`` hold a phone number at all?"""
    form = digit_form(text)
    return sum(c.isdigit() for c in form) >= MIN_DIGITS and any(
        len(digits(m.group(0))) >= MIN_DIGITS for m in _RUN_RE.finditer(form)
    )


def find_known(text: str, keys: Iterable[str]) -> list[tuple[int, int, str]]:
    """(start, end, key) of each digit run of ``text`` that holds one of ``keys`` (national
    numbers or other digit strings of at least :data:`MIN_DIGITS` digits), in any grouping.
    The span runs from the start of the run (a country code or trunk 0 goes with the number)
    to the key's last digit (a number written after it stays)."""
    wanted = sorted({k for k in keys if len(k) >= MIN_DIGITS}, key=len, reverse=True)
    if not wanted or not has_run(text):
        return []
    form, owner = mapped(text, digit_char)
    out = []
    for m in _RUN_RE.finditer(form):
        where = [i for i in range(m.start(), m.end()) if form[i].isdigit()]
        d = "".join(form[i] for i in where)
        if len(d) < MIN_DIGITS:
            continue
        found: list[tuple[int, int, str]] = []  # (first digit, last digit + 1, key) in d
        for k in wanted:
            at = d.find(k)
            while at != -1:
                if not any(a < at + len(k) and at < b for a, b, _ in found):
                    found.append((at, at + len(k), k))
                at = d.find(k, at + 1)
        prev = 0
        for at, end, k in sorted(found):
            lead = at
            while lead > prev and at - lead < 3:  # a trunk 0 or country code goes with it
                lead -= 1
            start = owner[where[lead]]
            while start and text[start - 1] in "+(":  # the "+" of +44 goes too
                start -= 1
            out.append((start, owner[where[end - 1]] + 1, k))
            prev = end
    return out
