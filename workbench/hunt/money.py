"""Amounts of money named in message text ("200 USD", "500 USDT", "€150"), in US dollars.

The rates are rough on purpose: the hunt only compares how much clusters ask for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

USD_PER = {"USD": 1.0, "USDT": 1.0, "$": 1.0, "EUR": 1.09, "€": 1.09, "GBP": 1.27, "£": 1.27}
_AMOUNT = re.compile(
    r"(?P<n1>\d[\d,.]*)\s*(?P<c1>USDT|USD|EUR|GBP|€|£|\$)|(?P<c2>[$€£])\s*(?P<n2>\d[\d,.]*)"
)


def _number(text: str) -> float | None:
    digits = text.rstrip(".,").replace(",", "")
    try:
        return float(digits)
    except ValueError:
        return None


def amounts(text: str) -> list[float]:
    """Every amount in ``text``, in US dollars."""
    out = []
    for m in _AMOUNT.finditer(text or ""):
        n = _number(m.group("n1") or m.group("n2"))
        cur = m.group("c1") or m.group("c2")
        if n is not None and cur:
            out.append(n * USD_PER[cur])
    return out


def total_usd(texts: Iterable[str]) -> float:
    """The sum of every amount named in ``texts``, in US dollars."""
    return round(sum(sum(amounts(t)) for t in texts), 2)
