"""Coordinated reporting: a burst of reports against one member from reporters linked to each
other (a brigade), marked on the member's case so that whoever decides it sees it.

:func:`check` looks at the reports against a member: the busiest window of ``window_hours``;
if it holds at least ``min_reports`` reports, the reporters in it are linked with the library
query ``reporter_network`` (links weighted by rarity: strangers behind one carrier address are
not linked), and the burst counts as coordinated when a linked group of at least
``min_linked`` reporters filed at least half of its reports.

:func:`mark_case` runs the check for each subject of a case and records what it found in the
case's custom field ``coordinated_reporting`` and the tag ``coordinated_reporting`` (counts and
times only: never who reported). The demo files its planted cases through it; ``workbench hunt
reports --mark`` sweeps the open cases. Views read the mark with :func:`mark_of` and say it in
one line with :func:`describe`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd

from workbench.cases import lifecycle
from workbench.hunt.weights import DEFAULT_MIN_WEIGHT
from workbench.queries.run import query

FIELD = "coordinated_reporting"
TAG = "coordinated_reporting"


@dataclass(frozen=True)
class CoordinatedReporting:
    """What the check found about the reports against one member (no reporter identities)."""

    user_id: int
    detected: bool
    reports: int = 0  # reports against the member in the period looked at
    burst_reports: int = 0  # in the busiest window
    burst_reporters: int = 0
    linked_reporters: int = 0  # the largest group of burst reporters linked to each other
    linked_reports: int = 0  # reports that group filed in the burst
    window_start: str | None = None
    window_end: str | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)  # kinds of link between them

    def mark(self) -> dict[str, Any]:
        """The case's custom field: what was found, without reporter identities."""
        d = asdict(self)
        d["reasons"] = list(self.reasons)
        return d


def _iso(ts: pd.Timestamp) -> str:
    return ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _busiest(times: pd.Series, hours: float) -> tuple[int, int]:
    """(first, last) positions of the window of ``hours`` holding the most reports."""
    t = times.sort_values().reset_index(drop=True)
    best, span, j = (0, 0), -1, 0
    width = pd.Timedelta(hours=hours)
    for i in range(len(t)):
        while t[i] - t[j] > width:
            j += 1
        if i - j > span:
            span, best = i - j, (j, i)
    return best


def _groups(pairs: pd.DataFrame, people: set[int]) -> list[set[int]]:
    """Connected groups of ``people`` over the linked pairs."""
    parent = {p: p for p in people}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(pairs["reporter_a"], pairs["reporter_b"]):
        a, b = int(a), int(b)
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    out: dict[int, set[int]] = {}
    for p in people:
        out.setdefault(root(p), set()).add(p)
    return sorted(out.values(), key=lambda g: (-len(g), min(g)))


def check(
    user_id: int,
    *,
    case: str | None = None,
    start: str = "-365d",
    window_hours: float = 6,
    min_reports: int = 5,
    min_linked: int = 3,
    min_weight: float = DEFAULT_MIN_WEIGHT,
) -> CoordinatedReporting:
    """Are the reports against ``user_id`` a burst from linked reporters? (see the module doc).
    The queries are audited against ``case`` when given."""
    reps = query("reports_against_user", case=case, user_id=user_id, start=start, limit=100_000)
    if len(reps) < min_reports:
        return CoordinatedReporting(int(user_id), False, reports=len(reps))
    times = pd.to_datetime(reps["created_at"], utc=True)
    first, last = _busiest(times, window_hours)
    ordered = reps.assign(_t=times).sort_values(["_t", "report_id"]).reset_index(drop=True)
    burst = ordered.iloc[first : last + 1]
    lo, hi = burst["_t"].min(), burst["_t"].max()
    reporters = {int(r) for r in burst["reporter_id"]}
    base = CoordinatedReporting(
        int(user_id),
        False,
        reports=len(reps),
        burst_reports=len(burst),
        burst_reporters=len(reporters),
        window_start=_iso(lo),
        window_end=_iso(hi),
    )
    if len(burst) < min_reports or len(reporters) < min_linked:
        return base
    pairs = query(
        "reporter_network",
        case=case,
        user_id=user_id,
        start=lo.to_pydatetime(),
        end=(hi + timedelta(seconds=1)).to_pydatetime(),
        min_weight=min_weight,
    )
    group = _groups(pairs, reporters)[0]
    linked_reports = int(burst["reporter_id"].isin(group).sum())
    kinds = sorted(
        {
            k.strip()
            for a, b, reasons in zip(pairs["reporter_a"], pairs["reporter_b"], pairs["reasons"])
            if int(a) in group and int(b) in group
            for k in str(reasons).split(",")
        }
    )
    detected = len(group) >= min_linked and 2 * linked_reports >= len(burst)
    return CoordinatedReporting(
        int(user_id),
        detected,
        reports=len(reps),
        burst_reports=len(burst),
        burst_reporters=len(reporters),
        linked_reporters=len(group) if len(group) > 1 else 0,
        linked_reports=linked_reports if len(group) > 1 else 0,
        window_start=base.window_start,
        window_end=base.window_end,
        reasons=tuple(kinds),
    )


def mark_case(case_id: str, **kw: Any) -> CoordinatedReporting | None:
    """Check every subject of the case; when a burst is coordinated, record it on the case (the
    first such subject's finding) and tag it. Idempotent: the same finding changes nothing.
    Returns the finding recorded, or None."""
    case = lifecycle.get(case_id)
    for subject in case.subjects:
        found = check(subject, case=case_id, **kw)
        if found.detected:
            mark = found.mark()
            if case.custom.get(FIELD) != mark or TAG not in case.tags:
                lifecycle.update(
                    case_id,
                    custom={FIELD: mark},
                    tags=[*case.tags, TAG] if TAG not in case.tags else list(case.tags),
                    who="hunt.coordinated",
                )
            return found
    return None


def mark_of(case: Any) -> dict[str, Any] | None:
    """The coordinated-reporting mark recorded on a case (a :class:`~workbench.cases.Case`),
    or None."""
    mark = (getattr(case, "custom", None) or {}).get(FIELD)
    return mark if isinstance(mark, dict) and mark.get("detected") else None


def describe(mark: dict[str, Any] | None) -> str:
    """The mark in one line for a case header or a decision form ('' when there is none)."""
    if not mark:
        return ""
    start = pd.Timestamp(mark["window_start"])
    end = pd.Timestamp(mark["window_end"])
    hours = max((end - start).total_seconds() / 3600, 0.0)
    reasons = ", ".join(mark.get("reasons") or ()) or "shared identifiers"
    return (
        f"Coordinated reporting suspected: {mark['burst_reports']} reports within "
        f"{hours:.1f} h, {mark['linked_reports']} of them from {mark['linked_reporters']} "
        f"reporters linked to each other ({reasons}). Weigh the reports accordingly."
    )
