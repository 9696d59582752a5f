"""How risky a cluster of linked accounts looks: one score, and the parts it is made of.

Each part grows slowly (a logarithm or a decay) so that no single signal decides:

=================  ===========================================  ==============================
part               formula                                      why
=================  ===========================================  ==============================
size               log2(members)                                rings work at scale
reported           2 log2(1 + distinct reporters against them)  victims speak up
money              log10(1 + US dollars asked for in messages)  romance scams end in an ask
new                2 exp(-median account age in days / 180)     rings make accounts in bursts
kinds              2 (kinds of link that agree - 1)             households share one or two
reporting together 2 log2(1 + most members reporting one        brigades report together
                   account), when two or more did
=================  ===========================================  ==============================

A cluster scoring below :data:`MIN_SCORE` looks like a household, a crowd or a photographer's
clients rather than a ring: the hunt leaves it out unless asked (``min_score=0``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_SCORE = 9.0


@dataclass(frozen=True)
class Facts:
    """What a score is computed from."""

    members: int
    reporters: int
    usd_asked: float
    median_age_days: float
    kinds: int
    reporting_together: int


def parts(f: Facts) -> dict[str, float]:
    """Each part of the score, rounded to two decimals."""
    out = {
        "size": math.log2(max(1, f.members)),
        "reported": 2 * math.log2(1 + f.reporters),
        "money": math.log10(1 + max(0.0, f.usd_asked)),
        "new": 2 * math.exp(-max(0.0, f.median_age_days) / 180),
        "kinds": 2 * max(0, f.kinds - 1),
        "reporting_together": 2 * math.log2(1 + f.reporting_together)
        if f.reporting_together >= 2
        else 0.0,
    }
    return {k: round(v, 2) for k, v in out.items()}


def score(f: Facts) -> float:
    """The risk score: the sum of :func:`parts`."""
    return round(sum(parts(f).values()), 2)
