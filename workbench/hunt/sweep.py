"""The platform-wide sweep: ``rings()`` clusters accounts linked by rare identifiers and ranks
the clusters by risk.

1. The database computes the reduced edge list (library query ``hunt_links``: every pair of
   accounts sharing a rare device, IP, payment instrument, photo or message template, one row
   per pair and kind, weighted by rarity, see :mod:`workbench.hunt.weights`). Nothing ordinary
   leaves the database: at a million members a few thousand rows come back.
2. networkx finds the connected components of that list (the only graph work in Python).
3. The database describes the members of the clusters (``hunt_members``, ``money_asked``), and
   :mod:`workbench.hunt.risk` scores each cluster from size, reports, money asked for, account
   age, how many kinds of signal agree and whether members report together.

Every query runs through the audited door (:func:`workbench.queries.run.query`). A result can
be saved to ``<home>/hunt/latest.json`` (:meth:`HuntResult.save`) for the views and the leads'
dashboard, which read it with :func:`latest` instead of sweeping again.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import settings as current_settings
from workbench.errors import InputError, NotFoundError
from workbench.files import atomic_write
from workbench.hunt import money, risk
from workbench.hunt.weights import DEFAULT_MIN_WEIGHT, check_min_weight
from workbench.queries.run import query
from workbench.times import parse_timestamp, utcnow

MAX_ROWS = 2_000_000  # the edge list is small; this only bounds a platform gone wrong
BATCH = 2_000  # accounts per hunt_members / money_asked call


@dataclass(frozen=True)
class Cluster:
    """One cluster of linked accounts, with why they are linked and how risky they look."""

    cluster_id: str
    members: tuple[int, ...]
    score: float
    parts: dict[str, float]
    kinds: tuple[str, ...]
    links: dict[str, dict[str, float]]  # kind -> {"pairs": n, "weight": mean weight}
    reporters: int
    reports_against: int
    reports_filed: int
    reporting_together: int
    usd_asked: float
    median_age_days: float
    newest_account_at: str
    first_report_at: str | None
    last_active_at: str | None
    category: str

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def reasons(self) -> str:
        """The link reasons in one line: ``device 12 pairs (0.28), ip 7 pairs (0.14)``."""
        return ", ".join(
            f"{k} {int(v['pairs'])} pair{'s' if v['pairs'] != 1 else ''} ({v['weight']:.2f})"
            for k, v in sorted(self.links.items())
        )

    def summary(self) -> str:
        """One line: size, score, reasons and numbers (no account ids)."""
        money_part = f", ${self.usd_asked:,.0f} asked for" if self.usd_asked else ""
        return (
            f"{self.size} accounts, risk {self.score:.1f}: linked by {self.reasons}; "
            f"{self.reporters} reporter{'s' if self.reporters != 1 else ''}{money_part}, "
            f"median account age {self.median_age_days:.0f} days"
        )


@dataclass
class HuntResult:
    """What a sweep found: the clusters, best first, and how the sweep ran."""

    clusters: list[Cluster]
    ran_at: str
    seconds: float
    edges: int
    params: dict[str, Any] = field(default_factory=dict)
    below_min_score: int = 0  # clusters left out for scoring below min_score

    def top(self, n: int = 10) -> list[Cluster]:
        return self.clusters[:n]

    def table(self) -> pd.DataFrame:
        """One row per cluster: rank, id, size, score, kinds, reasons, numbers."""
        rows = [
            {
                "rank": i + 1,
                "cluster_id": c.cluster_id,
                "size": c.size,
                "score": c.score,
                "kinds": ", ".join(c.kinds),
                "reasons": c.reasons,
                "reporters": c.reporters,
                "usd_asked": c.usd_asked,
                "median_age_days": c.median_age_days,
                "category": c.category,
                "members": " ".join(map(str, c.members)),
            }
            for i, c in enumerate(self.clusters)
        ]
        cols = [
            "rank",
            "cluster_id",
            "size",
            "score",
            "kinds",
            "reasons",
            "reporters",
            "usd_asked",
            "median_age_days",
            "category",
            "members",
        ]
        return pd.DataFrame(rows, columns=cols)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ran_at": self.ran_at,
            "seconds": round(self.seconds, 3),
            "edges": self.edges,
            "params": self.params,
            "below_min_score": self.below_min_score,
            "clusters": [asdict(c) for c in self.clusters],
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> HuntResult:
        clusters = [
            Cluster(**{**c, "members": tuple(c["members"]), "kinds": tuple(c["kinds"])})
            for c in doc.get("clusters", [])
        ]
        return cls(
            clusters=clusters,
            ran_at=doc["ran_at"],
            seconds=float(doc.get("seconds", 0)),
            edges=int(doc.get("edges", 0)),
            params=dict(doc.get("params") or {}),
            below_min_score=int(doc.get("below_min_score", 0)),
        )

    def save(self, home: Path | None = None) -> Path:
        """Write the result to ``<home>/hunt/latest.json`` (all or nothing)."""
        path = _latest_path(home)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(self.as_dict(), ensure_ascii=False, indent=1))
        return path


def _latest_path(home: Path | None) -> Path:
    return Path(home or current_settings().home) / "hunt" / "latest.json"


def latest(home: Path | None = None) -> HuntResult:
    """The last saved sweep (``workbench hunt rings`` saves one), or :class:`NotFoundError`."""
    path = _latest_path(home)
    try:
        return HuntResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise NotFoundError("the hunt has not run yet", "run `workbench hunt rings`") from None
    except (ValueError, KeyError, TypeError):
        raise NotFoundError(
            f"{path} is not a hunt result", "run `workbench hunt rings` again"
        ) from None


def cluster_key(members: tuple[int, ...]) -> str:
    """A stable id for a set of accounts: ``HC-`` and 10 hex digits of its SHA-256."""
    digest = hashlib.sha256(" ".join(map(str, sorted(members))).encode()).hexdigest()
    return f"HC-{digest[:10]}"


def _components(edges: pd.DataFrame) -> list[tuple[int, ...]]:
    import networkx as nx

    g = nx.Graph()
    g.add_edges_from(zip(edges["user_a"].astype(int), edges["user_b"].astype(int)))
    return sorted((tuple(sorted(c)) for c in nx.connected_components(g)), key=lambda c: c[0])


def _batched(fn, ids: list[int], **kw) -> pd.DataFrame:
    frames = [fn(ids[i : i + BATCH], **kw) for i in range(0, len(ids), BATCH)]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _members(ids: list[int], case: str | None) -> pd.DataFrame:
    return query("hunt_members", case=case, user_ids=ids, max_rows=MAX_ROWS)


def _asks(ids: list[int], case: str | None, start: str) -> pd.DataFrame:
    return query(
        "money_asked", case=case, user_ids=ids, start=start, limit=1_000_000, max_rows=MAX_ROWS
    )


def _iso(value: Any) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return None
    ts = ts.tz_localize(UTC) if ts.tzinfo is None else ts.tz_convert(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _reporting_together(reports: pd.DataFrame, members: set[int]) -> int:
    """The most members of a cluster that reported one and the same account."""
    if reports.empty:
        return 0
    mine = reports[reports["reporter_id"].isin(members)]
    if mine.empty:
        return 0
    return int(mine.groupby("reported_user_id")["reporter_id"].nunique().max())


def rings(
    *,
    since: str | datetime | None = None,
    min_size: int = 3,
    min_weight: float = DEFAULT_MIN_WEIGHT,
    min_score: float = risk.MIN_SCORE,
    as_of: str | datetime | None = None,
    case: str | None = None,
) -> HuntResult:
    """Sweep the platform for clusters of linked accounts; best first (see the module doc).

    ``since`` keeps clusters with a member active (a message, a login, a report against them)
    at or after that time; ``min_size`` the smallest cluster kept; ``min_weight`` the rarity
    threshold of a link; ``min_score`` the lowest risk kept (0: every cluster); ``as_of`` the
    time account ages are measured at (default: now); ``case`` the case the queries are audited
    against, if any.
    """
    t0 = time.perf_counter()
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 2:
        raise InputError(f"min size must be a whole number of at least 2, not {min_size!r}")
    min_weight = check_min_weight(min_weight)
    since_ts = parse_timestamp(since) if since is not None else None
    now = parse_timestamp(as_of) if as_of is not None else utcnow()
    edges = query("hunt_links", case=case, min_weight=min_weight, max_rows=MAX_ROWS, timeout=600)
    comps = [c for c in _components(edges) if len(c) >= min_size] if len(edges) else []
    member_ids = sorted({u for c in comps for u in c})
    facts = _batched(_members, member_ids, case=case)
    by_user = facts.set_index("user_id") if len(facts) else pd.DataFrame()
    asks = _batched(_asks, member_ids, case=case, start="-3650d")
    filed = _batched(
        lambda ids, **kw: query(
            "reports_filed_by", case=kw["case"], user_ids=ids, max_rows=MAX_ROWS
        ),
        member_ids,
        case=case,
    )
    of_user: dict[int, int] = {u: i for i, c in enumerate(comps) for u in c}
    links: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for a, kind, w in zip(edges["user_a"], edges["kind"], edges["weight"]):
        if int(a) in of_user:
            links[of_user[int(a)]][str(kind)].append(float(w))
    clusters, below = [], 0
    for i, comp in enumerate(comps):
        members = set(comp)
        rows = by_user.loc[list(comp)] if len(by_user) else pd.DataFrame()
        created = pd.to_datetime(rows["created_at"], utc=True)
        ages = [(now - t.to_pydatetime()).total_seconds() / 86400 for t in created]
        last_active = pd.concat(
            [pd.to_datetime(rows[c], utc=True) for c in ("last_message_at", "last_login_at")]
            + [pd.to_datetime(rows["last_report_at"], utc=True)]
        ).max()
        if since_ts is not None and (pd.isna(last_active) or last_active < since_ts):
            continue
        mine = (
            asks[asks["sender_id"].isin(members) & ~asks["recipient_id"].isin(members)]
            if len(asks)
            else asks
        )
        usd = money.total_usd(mine["body"]) if len(mine) else 0.0
        together = _reporting_together(filed, members)
        kinds = tuple(sorted(links[i]))
        f = risk.Facts(
            members=len(comp),
            reporters=int(rows["reporters"].sum()),
            usd_asked=usd,
            median_age_days=statistics.median(ages) if ages else 0.0,
            kinds=len(kinds),
            reporting_together=together,
        )
        score = risk.score(f)
        if score < min_score:
            below += 1
            continue
        first_report = pd.to_datetime(rows["first_report_at"], utc=True).min()
        clusters.append(
            Cluster(
                cluster_id=cluster_key(comp),
                members=comp,
                score=score,
                parts=risk.parts(f),
                kinds=kinds,
                links={
                    k: {"pairs": len(ws), "weight": round(sum(ws) / len(ws), 3)}
                    for k, ws in sorted(links[i].items())
                },
                reporters=f.reporters,
                reports_against=int(rows["reports_against"].sum()),
                reports_filed=int(rows["reports_filed"].sum()),
                reporting_together=together,
                usd_asked=usd,
                median_age_days=round(f.median_age_days, 1),
                newest_account_at=_iso(created.max()) or "",
                first_report_at=_iso(first_report),
                last_active_at=_iso(last_active),
                category="false_reporting" if together >= 3 and not usd else "scam_fraud",
            )
        )
    clusters.sort(key=lambda c: (-c.score, c.members[0]))
    return HuntResult(
        clusters=clusters,
        ran_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        seconds=time.perf_counter() - t0,
        edges=len(edges),
        params={
            "since": since_ts.isoformat() if since_ts else None,
            "min_size": min_size,
            "min_weight": min_weight,
            "min_score": min_score,
        },
        below_min_score=below,
    )
