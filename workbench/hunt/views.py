"""What the notebooks and dashboards show of a hunt result (plain functions; widgets call them).

* :func:`cluster_of`: the cluster a member belongs to;
* :func:`similar_clusters`: "other clusters like this one": the clusters whose profile (which
  kinds of link, how big, reported or not, asking for money or not, how new) is closest;
* :func:`emerging`: "emerging clusters this week": clusters that appeared (first reported, or
  their newest account made) in the last ``days``, with the numbers a lead wants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from workbench.errors import InputError
from workbench.hunt.sweep import Cluster, HuntResult
from workbench.hunt.weights import KINDS
from workbench.ids import check_user_id
from workbench.times import parse_timestamp


def cluster_of(result: HuntResult, user_id: object) -> Cluster | None:
    """The cluster of ``result`` that holds ``user_id``, or None."""
    uid = check_user_id(user_id)
    return next((c for c in result.clusters if uid in c.members), None)


def _profile(c: Cluster) -> list[float]:
    kinds = [1.0 if k in c.kinds else 0.0 for k in KINDS]
    return [
        *kinds,
        math.log2(c.size) / 4,
        1.0 if c.reporters else 0.0,
        1.0 if c.usd_asked else 0.0,
        1.0 if c.reporting_together >= 2 else 0.0,
        math.exp(-c.median_age_days / 180),
    ]


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


SIMILAR_COLUMNS = ["cluster_id", "similarity", "size", "score", "kinds", "reasons", "usd_asked"]


def similar_clusters(result: HuntResult, cluster: Cluster | str, n: int = 5) -> pd.DataFrame:
    """The ``n`` clusters of ``result`` most like ``cluster`` (a :class:`Cluster` or its id),
    most similar first; the cluster itself is left out."""
    if isinstance(cluster, str):
        found = next((c for c in result.clusters if c.cluster_id == cluster), None)
        if found is None:
            raise InputError(f"no cluster {cluster!r} in this hunt result")
        cluster = found
    me = _profile(cluster)
    rows = [
        {
            "cluster_id": c.cluster_id,
            "similarity": round(_cosine(me, _profile(c)), 3),
            "size": c.size,
            "score": c.score,
            "kinds": ", ".join(c.kinds),
            "reasons": c.reasons,
            "usd_asked": c.usd_asked,
        }
        for c in result.clusters
        if c.cluster_id != cluster.cluster_id
    ]
    df = pd.DataFrame(rows, columns=SIMILAR_COLUMNS)
    return df.sort_values(["similarity", "score"], ascending=False, ignore_index=True).head(n)


@dataclass(frozen=True)
class Emerging:
    """Emerging clusters: the numbers and the clusters themselves (best first)."""

    since: datetime
    until: datetime
    clusters: list[Cluster]

    @property
    def numbers(self) -> dict[str, float]:
        return {
            "clusters": len(self.clusters),
            "accounts": sum(c.size for c in self.clusters),
            "reporters": sum(c.reporters for c in self.clusters),
            "usd_asked": round(sum(c.usd_asked for c in self.clusters), 2),
        }

    def table(self) -> pd.DataFrame:
        cols = ["cluster_id", "size", "score", "kinds", "reporters", "usd_asked", "emerged_at"]
        rows = [
            {
                "cluster_id": c.cluster_id,
                "size": c.size,
                "score": c.score,
                "kinds": ", ".join(c.kinds),
                "reporters": c.reporters,
                "usd_asked": c.usd_asked,
                "emerged_at": emerged_at(c),
            }
            for c in self.clusters
        ]
        return pd.DataFrame(rows, columns=cols)


def emerged_at(c: Cluster) -> str:
    """When a cluster appeared: its first report, or (never reported) its newest account."""
    return c.first_report_at or c.newest_account_at


def emerging(
    result: HuntResult, *, days: float = 7, as_of: str | datetime | None = None
) -> Emerging:
    """Clusters of ``result`` that appeared in the ``days`` before ``as_of`` (default: when the
    sweep ran)."""
    if not days > 0:
        raise InputError(f"days must be above 0, not {days!r}")
    until = parse_timestamp(as_of if as_of is not None else result.ran_at)
    since = until - timedelta(days=days)
    picked = [c for c in result.clusters if since <= parse_timestamp(emerged_at(c)) <= until]
    return Emerging(since, until, picked)
