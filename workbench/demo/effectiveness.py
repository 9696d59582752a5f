"""How well the workbench finds what the demo planted: the standard investigation and the hunt,
scored against ``ground_truth.json`` (``benchmarks/effectiveness.py`` prints it; a test checks
it on a small platform).

* **Investigation, as a specialist runs it**: the scam template's ``linked_accounts`` from the
  one reported member of each ring, at one and at two hops. Recall and precision of members,
  and which decoy groups (ground truth ``decoys``) the result wrongly took in.
* **Account takeover**: ``logins_by_user`` and ``account_changes`` of the victim: is the
  sequence (new-country login, then e-mail, phone and password changes, then the spam burst
  from ``messages_by_user``) found, in order?
* **False reporting**: ``reporter_network`` of the target: are the reporters linked, and does
  the coordinated-reporting check see the burst?
* **The hunt**: :func:`workbench.hunt.rings`: the rank of each ring's cluster (it must hold
  every member), its precision, and which decoy groups reach the top 10.

Targets (:data:`TARGETS`): recall 100 % for every ring within two hops; precision at least 95 %
with the decoys present; every ring among the hunt's top 10; no decoy group in the top 10.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from workbench.hunt import coordinated
from workbench.hunt.sweep import HuntResult, rings
from workbench.queries.run import query
from workbench.times import parse_timestamp

TOP = 10
TARGETS = {"recall": 1.0, "precision": 0.95}
EVER = "2000-01-01T00:00:00Z"


@dataclass
class RingScore:
    style: str
    size: int
    recall_1hop: float
    precision_1hop: float
    recall_2hop: float
    precision_2hop: float
    decoys_linked: list[str]  # decoy kinds wrongly taken in at two hops
    hunt_rank: int | None  # 1-based rank of the cluster holding the whole ring; None: not found
    hunt_precision: float
    hunt_decoys: list[str]


@dataclass
class Effectiveness:
    rings: list[RingScore]
    takeover_in_order: bool
    false_reporters_linked: bool
    coordinated_flagged: bool
    hunt_top_decoys: list[str]  # decoy kinds with a member in the hunt's top 10
    hunt_seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def targets_met(self) -> dict[str, bool]:
        return {
            "recall 100% within two hops": all(
                r.recall_2hop >= TARGETS["recall"] for r in self.rings
            ),
            "precision >= 95% with decoys": all(
                r.precision_2hop >= TARGETS["precision"] for r in self.rings
            ),
            "every ring in the hunt's top 10": all(
                r.hunt_rank is not None and r.hunt_rank <= TOP for r in self.rings
            ),
            "no decoy group in the top 10": not self.hunt_top_decoys,
        }

    def table(self) -> list[dict[str, Any]]:
        """One row per ring, for printing."""
        return [
            {
                "ring": r.style,
                "size": r.size,
                "recall@1": round(r.recall_1hop, 3),
                "precision@1": round(r.precision_1hop, 3),
                "recall@2": round(r.recall_2hop, 3),
                "precision@2": round(r.precision_2hop, 3),
                "decoys linked": ", ".join(r.decoys_linked) or "none",
                "hunt rank": r.hunt_rank or "-",
                "hunt precision": round(r.hunt_precision, 3),
            }
            for r in self.rings
        ]


def _decoy_of(truth: dict) -> dict[int, str]:
    return {int(u): d["kind"] for d in truth.get("decoys", []) for u in d["users"]}


def _linked(user_id: int, hops: int, min_weight: float | None) -> set[int]:
    extra = {} if min_weight is None else {"min_weight": min_weight}
    df = query("linked_accounts", user_id=user_id, max_hops=hops, limit=100_000, **extra)
    return {int(u) for u in df["linked_user_id"]} | {user_id}


def _pr(found: set[int], truth: set[int]) -> tuple[float, float]:
    hit = len(found & truth)
    return hit / len(truth), (hit / len(found) if found else 0.0)


def _takeover_in_order(sc: dict) -> bool:
    d = sc["details"]
    victim = int(d["victim"])
    logins = query("logins_by_user", user_id=victim, start=EVER, end="2100-01-01T00:00:00Z")
    flagged = logins[logins["new_both"] & logins["success"]]
    if flagged.empty:
        return False
    t_login = flagged["ts"].min()
    changes = query("account_changes", user_id=victim, start=EVER, end="2100-01-01T00:00:00Z")
    after = changes[changes["ts"] >= t_login]
    firsts = [after.loc[after["field"] == f, "ts"].min() for f in ("email", "phone", "password")]
    if any(t != t for t in firsts):  # NaT: a change is missing
        return False
    msgs = query("messages_by_user", user_id=victim, start=t_login, end=t_login + timedelta(days=1))
    sent = msgs[msgs["direction"] == "sent"]
    burst = sent.groupby(sent["body"].str.replace(r"https://\S+", "", regex=True))["sent_at"]
    spam_start = burst.min()[burst.count() >= 10].min() if len(sent) else None
    return bool(spam_start is not None and t_login < firsts[0] < firsts[1] < firsts[2] < spam_start)


def _false_reporting(sc: dict) -> tuple[bool, bool]:
    d = sc["details"]
    target, reporters = int(d["target"]), {int(r) for r in d["reporters"]}
    pairs = query("reporter_network", user_id=target, start=EVER)
    linked = {int(u) for u in pairs["reporter_a"]} | {int(u) for u in pairs["reporter_b"]}
    flagged = coordinated.check(target, start=EVER).detected
    return reporters <= linked, flagged


def evaluate(
    truth: dict, *, hunt: HuntResult | None = None, min_weight: float | None = None
) -> Effectiveness:
    """Score the investigation and the hunt against ``truth`` (the demo's ground truth) on the
    platform the settings point at. ``hunt``: a sweep already made (else one is run);
    ``min_weight``: the investigation's link threshold (default: the query's own; a tiny one
    such as 1e-6 shows what unweighted links would do)."""
    decoy = _decoy_of(truth)
    as_of = parse_timestamp(truth["anchor"])
    hunt = hunt or rings(as_of=as_of)
    top = hunt.clusters[:TOP]
    scores = []
    for sc in truth["scenarios"]:
        if sc["kind"] != "romance_scam_ring":
            continue
        members = {int(u) for u in sc["users"]}
        start = int(sc["details"]["reported_member"])
        one, two = _linked(start, 1, min_weight), _linked(start, 2, min_weight)
        r1, p1 = _pr(one, members)
        r2, p2 = _pr(two, members)
        rank, cluster = next(
            ((i + 1, c) for i, c in enumerate(hunt.clusters) if members <= set(c.members)),
            (None, None),
        )
        scores.append(
            RingScore(
                style=sc["details"].get("style", "ring"),
                size=len(members),
                recall_1hop=r1,
                precision_1hop=p1,
                recall_2hop=r2,
                precision_2hop=p2,
                decoys_linked=sorted({decoy[u] for u in two if u in decoy and u not in members}),
                hunt_rank=rank,
                hunt_precision=len(members) / cluster.size if cluster else 0.0,
                hunt_decoys=sorted(
                    {decoy[u] for u in (cluster.members if cluster else ()) if u in decoy}
                ),
            )
        )
    takeover = next(s for s in truth["scenarios"] if s["kind"] == "account_takeover")
    false_rep = next(s for s in truth["scenarios"] if s["kind"] == "false_reporting")
    linked, flagged = _false_reporting(false_rep)
    planted = {int(u) for s in truth["scenarios"] for u in s["users"]}
    top_decoys = sorted(
        {decoy[u] for c in top for u in c.members if u in decoy and u not in planted}
    )
    return Effectiveness(
        rings=scores,
        takeover_in_order=_takeover_in_order(takeover),
        false_reporters_linked=linked,
        coordinated_flagged=flagged,
        hunt_top_decoys=top_decoys,
        hunt_seconds=hunt.seconds,
    )
