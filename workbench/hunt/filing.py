"""Filing the hunt's findings: one case per new cluster, linked to the members' existing cases.

A cluster is *new* when no case filed by the hunt (tag ``hunt``) already has half or more of
its members as subjects; then :func:`open_cases` files one, with every member as a subject, the
cluster's reasons and numbers in its summary, and relates it to every existing case that has a
member as a subject. Running it again files nothing new (a cluster that grew gets its new
members added as subjects of its case instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.cases import lifecycle
from workbench.hunt.sweep import Cluster, HuntResult

TAG = "hunt"
WHO = "hunt"


@dataclass
class FilingResult:
    filed: dict[str, str] = field(default_factory=dict)  # cluster id -> new case id
    existing: dict[str, str] = field(default_factory=dict)  # cluster id -> its earlier case
    related: dict[str, list[str]] = field(default_factory=dict)  # new case id -> related cases


def _hunt_cases() -> list[lifecycle.Case]:
    return [c for c in lifecycle.list_cases() if TAG in c.tags]


def _covering(cluster: Cluster, cases: list[lifecycle.Case]) -> lifecycle.Case | None:
    members = set(cluster.members)
    best, overlap = None, 0
    for c in cases:
        n = len(members & set(c.subjects))
        if 2 * n >= len(members) and n > overlap:
            best, overlap = c, n
    return best


def open_cases(result: HuntResult, *, top: int | None = None, who: str = WHO) -> FilingResult:
    """File one case per new cluster of ``result`` (its ``top`` best, or all)."""
    out = FilingResult()
    hunt_cases = _hunt_cases()
    for cluster in result.clusters[:top] if top else result.clusters:
        earlier = _covering(cluster, hunt_cases)
        if earlier is not None:
            out.existing[cluster.cluster_id] = earlier.case_id
            missing = [u for u in cluster.members if u not in earlier.subjects]
            if missing:
                lifecycle.add_subjects(earlier.case_id, missing, who=who)
            continue
        related = sorted(
            {
                c.case_id
                for u in cluster.members
                for c in lifecycle.list_cases(subject=u)
                if TAG not in c.tags
            }
        )
        case = lifecycle.create(
            category=cluster.category,
            title=f"Hunt: {cluster.size} linked accounts ({', '.join(cluster.kinds)})",
            summary=f"Found by the platform-wide hunt: {cluster.summary()}.",
            source="trust_safety",
            subjects=list(cluster.members),
            related=related,
            tags=[TAG],
            custom={
                "hunt": {
                    "cluster_id": cluster.cluster_id,
                    "score": cluster.score,
                    "kinds": list(cluster.kinds),
                    "reasons": cluster.reasons,
                    "found_at": result.ran_at,
                }
            },
            external_id=f"HUNT-{cluster.cluster_id}",
            who=who,
        )
        hunt_cases.append(case)
        out.filed[cluster.cluster_id] = case.case_id
        out.related[case.case_id] = related
    return out
