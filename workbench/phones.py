"""Phone numbers, parsed with ``phonenumbers`` and compared by their national significant
number, so that ``+44 7700 900123``, ``07700 900123`` and ``0044-7700-900-123`` are one number.
"""

from __future__ import annotations

import re

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
