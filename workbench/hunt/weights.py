"""Links weighted by rarity, the one rule behind ``linked_accounts``, ``reporter_network`` and
``hunt_links`` (the SQL applies it; this module states it once and is what Python code uses).

An identifier held by ``h`` accounts weighs ``1 / (h - 1)``: a device two accounts share weighs
1.0, one three share 0.5, a carrier's NAT address that 300 share 0.003. That is inverse
frequency in its simplest form (the resource-allocation index of link prediction): each holder
"spends" one unit of evidence on the others. An identifier weighing less than ``min_weight``
(default 0.05, so held by more than 21 accounts) is too common to count at all: it is neither
followed from one account to the next nor reported as a link. Households (a family's tablet,
a couple's card) stay visible, because the link is real; crowds (carrier-grade NAT, campus and
mobile-carrier addresses, VPN exit nodes: 50 to 500 strangers each) drop out.

A near-duplicate photo weighs the same way, ``h`` being the accounts that hold a copy of the
picture; a message template too, ``h`` being the accounts that sent it. Between two accounts,
the weights of what they share are summed per kind of link and capped at 1 (two shared devices
are not more than "shared a device" for sure), then added up over kinds: so a pair's weight runs
from ``min_weight`` to 5, and "how many kinds of signal agree" is its integer part, roughly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from workbench.errors import InputError

DEFAULT_MIN_WEIGHT = 0.05
KINDS = ("device", "ip", "payment_instrument", "photo", "template")


def check_min_weight(value: float) -> float:
    """``value`` as a weight threshold (0 < w <= 1), or a one-line error."""
    try:
        w = float(value)
    except (TypeError, ValueError):
        raise InputError(f"min weight {value!r} is not a number", "e.g. 0.05") from None
    if not 0 < w <= 1:
        raise InputError(f"min weight must be above 0 and at most 1, not {w:g}", "e.g. 0.05")
    return w


def identifier_weight(holders: int) -> float:
    """The weight of an identifier ``holders`` accounts hold (0 when nobody else holds it)."""
    return 0.0 if holders < 2 else 1.0 / (holders - 1)


def max_holders(min_weight: float = DEFAULT_MIN_WEIGHT) -> int:
    """The most accounts an identifier may be shared by and still count."""
    return 1 + int(1 / check_min_weight(min_weight) + 1e-9)


def pair_weight(kind_weights: Mapping[str, Iterable[float]]) -> float:
    """A pair's weight from the weights of what it shares, per kind: summed per kind and capped
    at 1, then added over kinds."""
    return sum(min(1.0, sum(ws)) for ws in kind_weights.values())
