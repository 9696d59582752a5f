"""SLA clocks: first response and resolution, with pauses, and legal preservation deadlines.

The policy lives in ``templates/sla.yaml``: targets by priority (P0..P3) with optional
per-category overrides. Rules (also written in the YAML):

* Targets are **elapsed time** from the case's creation (a 24/7 team). First response stops at
  the first human action (claim, assign, status change, note, field change, decision).
  Resolution stops at the decision.
* Time in ``waiting`` does not count: the resolution clock pauses and its due time moves on.
  Reopening a decided/closed case resumes the clock; the time it spent decided/closed does not
  count either.
* A running clock is **at risk** when at least 80 % of its target has elapsed or less than 1 h is
  left, whichever comes first (``at_risk`` in the YAML); **breached** past its target. A stopped
  clock is **met** or **missed**.
* All maths is in UTC; :func:`show_time` renders a time in the display zone (WORKBENCH_TZ) with
  the zone named, so a DST switch changes only how a time is shown, never how long a clock ran.
* Legal preservation: 90 calendar days from receipt, renewable by 90 days, counted in the
  team's zone (WORKBENCH_TZ) so the deadline keeps its wall-clock time across DST.
* Preservation holds (:mod:`workbench.filings.holds`): a law-enforcement request under 18 U.S.C.
  2703(f) holds data 90 days, extended once by another 90 on a renewed request (180 in all; the
  statute gives one extension, so a second is refused); a CyberTipline report holds what it
  reported for one year (2258A(h)(1) as amended by the REPORT Act, Pub. L. 118-59). The case's
  preservation deadline is its most urgent active hold. A deadline is **at risk** within
  ``warn`` (14 days by default: the leads' "holds expiring within 14 days").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import yaml

from workbench.config import ENV_SLA
from workbench.config import settings as current_settings
from workbench.errors import WorkbenchError
from workbench.files import cached, read_yaml_mapping
from workbench.times import parse_interval, utcnow

STATES = ("ok", "at_risk", "breached", "met", "missed")
COLOURS = {
    "ok": "#2e7d32",
    "at_risk": "#ef6c00",
    "breached": "#c62828",
    "met": "#607d8b",
    "missed": "#8e24aa",
}


@dataclass(frozen=True)
class Targets:
    first_response: timedelta
    resolution: timedelta


@dataclass(frozen=True)
class SlaPolicy:
    priorities: dict[str, Targets]
    overrides: dict[str, dict[str, dict[str, timedelta]]]
    at_risk_fraction: float
    at_risk_remaining: timedelta
    preservation_days: int
    preservation_renew_days: int
    preservation_max_renewals: int = 1
    preservation_warn: timedelta = timedelta(days=14)
    cybertip_years: int = 1

    def targets(self, category: str, priority: str) -> Targets:
        base = self.priorities[priority]
        o = self.overrides.get(category, {}).get(priority, {})
        return Targets(
            o.get("first_response", base.first_response), o.get("resolution", base.resolution)
        )


def _load(path: Path) -> SlaPolicy:
    raw = read_yaml_mapping(path, what="SLA policy", hint="restore templates/sla.yaml")
    try:
        pri = {
            p: Targets(parse_interval(v["first_response"]), parse_interval(v["resolution"]))
            for p, v in raw["priorities"].items()
        }
        over = {
            cat: {p: {k: parse_interval(x) for k, x in t.items()} for p, t in per.items()}
            for cat, per in (raw.get("categories") or {}).items()
        }
        risk = raw.get("at_risk") or {}
        legal = raw.get("legal_preservation") or {}
        pol = SlaPolicy(
            pri,
            over,
            float(risk.get("fraction", 0.8)),
            parse_interval(risk.get("remaining", "1h")),
            int(legal.get("days", 90)),
            int(legal.get("renew_days", 90)),
            int(legal.get("max_renewals", 1)),
            parse_interval(legal.get("warn", "14d")),
            int(legal.get("cybertip_years", 1)),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise WorkbenchError(
            f"cannot read the SLA policy {path}: {exc}".splitlines()[0],
            "compare it with the shipped templates/sla.yaml",
        ) from None
    missing = [p for p in ("P0", "P1", "P2", "P3") if p not in pol.priorities]
    if missing:
        raise WorkbenchError(f"{path}: no targets for {missing[0]}", "give targets for P0 to P3")
    return pol


def policy() -> SlaPolicy:
    """The SLA policy (re-read when the file changes)."""
    return cached(
        current_settings().resource("sla_file"),
        _load,
        what="SLA policy",
        hint=f"restore templates/sla.yaml or fix {ENV_SLA}",
    )


# --------------------------------------------------------------------------- clocks


@dataclass(frozen=True)
class Clock:
    """One SLA clock as of ``now``."""

    name: str  # first_response | resolution
    target: timedelta
    started: datetime
    due: datetime  # started + target + time paused so far
    elapsed: timedelta  # counted time (pauses excluded)
    remaining: timedelta  # target - elapsed; negative once breached
    stopped_at: datetime | None
    paused: bool
    state: str  # ok | at_risk | breached | met | missed

    @property
    def colour(self) -> str:
        return COLOURS[self.state]

    def countdown(self) -> str:
        """Short human text: "due in 3h 05m", "breached 2d 4h ago", "met (1h 10m)"."""
        if self.state in ("met", "missed"):
            return f"{self.state} ({_span(self.elapsed)} of {_span(self.target)})"
        pause = ", paused" if self.paused else ""
        if self.remaining <= timedelta(0):
            return f"breached {_span(-self.remaining)} ago{pause}"
        return f"due in {_span(self.remaining)}{pause}"


@dataclass(frozen=True)
class Deadline:
    """The legal preservation deadline of a case."""

    due: datetime
    remaining: timedelta
    state: str  # ok | at_risk | breached


@dataclass(frozen=True)
class SlaStatus:
    case_id: str
    first_response: Clock
    resolution: Clock
    preservation: Deadline | None
    milestones: dict[str, datetime | None]  # created, claimed, first_action, decided, closed

    @property
    def worst(self) -> str:
        """The most urgent state of the two clocks (for a single colour)."""
        order = ("breached", "missed", "at_risk", "ok", "met")
        states = [self.first_response.state, self.resolution.state]
        if self.preservation:
            states.append(self.preservation.state)
        return min(states, key=order.index)


def _span(d: timedelta) -> str:
    secs = int(abs(d.total_seconds()))
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    mins = rem // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def _running_state(elapsed: timedelta, target: timedelta, pol: SlaPolicy) -> str:
    remaining = target - elapsed
    if remaining <= timedelta(0):
        return "breached"
    if elapsed >= target * pol.at_risk_fraction or remaining <= pol.at_risk_remaining:
        return "at_risk"
    return "ok"


def clocks(case, now: datetime | None = None, pol: SlaPolicy | None = None) -> SlaStatus:
    """The SLA clocks of a :class:`workbench.cases.Case` as of ``now`` (default: now, UTC)."""
    pol = pol or policy()
    now = (now or utcnow()).astimezone(UTC)
    t = pol.targets(case.category, case.priority)
    created = case.created_at

    fr_end = case.first_action_at
    fr_elapsed = (fr_end or now) - created
    if fr_end is not None:
        fr_state = "met" if fr_elapsed <= t.first_response else "missed"
    else:
        fr_state = _running_state(fr_elapsed, t.first_response, pol)
    first = Clock(
        "first_response",
        t.first_response,
        created,
        created + t.first_response,
        fr_elapsed,
        t.first_response - fr_elapsed,
        fr_end,
        False,
        fr_state,
    )

    res_end = case.decided_at if case.status in ("decided", "closed") else None
    upto = res_end or now
    current_pause = timedelta(0)
    if case.paused_since is not None and case.paused_since < upto:
        current_pause = upto - case.paused_since
    paused_total = timedelta(seconds=case.paused_seconds or 0.0) + current_pause
    res_elapsed = max(timedelta(0), upto - created - paused_total)
    if res_end is not None:
        res_state = "met" if res_elapsed <= t.resolution else "missed"
    else:
        res_state = _running_state(res_elapsed, t.resolution, pol)
    resolution = Clock(
        "resolution",
        t.resolution,
        created,
        created + t.resolution + paused_total,
        res_elapsed,
        t.resolution - res_elapsed,
        res_end,
        case.status == "waiting",
        res_state,
    )

    keep = None
    if case.preservation_due is not None:
        keep = preservation_status(case.preservation_due, now, pol)

    return SlaStatus(
        case.case_id,
        first,
        resolution,
        keep,
        {
            "created": created,
            "claimed": case.claimed_at,
            "first_action": case.first_action_at,
            "decided": case.decided_at,
            "closed": case.closed_at,
        },
    )


def preservation_status(
    due: datetime, now: datetime | None = None, pol: SlaPolicy | None = None
) -> Deadline:
    """A preservation deadline as of ``now``: ``breached`` once passed, ``at_risk`` within the
    policy's ``warn`` window (14 days), else ``ok``."""
    pol = pol or policy()
    left = due - (now or utcnow()).astimezone(UTC)
    if left <= timedelta(0):
        state = "breached"
    elif left <= pol.preservation_warn:
        state = "at_risk"
    else:
        state = "ok"
    return Deadline(due, left, state)


def preservation_deadline(
    start: datetime, *, days: int = 0, years: int = 0, tz: ZoneInfo | str | None = None
) -> datetime:
    """``years`` calendar years and ``days`` calendar days after ``start`` at the same
    wall-clock time in ``tz`` (default WORKBENCH_TZ), returned in UTC. A time falling in a
    spring-forward gap moves forward, one in an autumn overlap is the later of its two
    instants, and 29 February plus a year is 1 March: a deadline is never early."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else (tz or current_settings().tz)
    local = start.astimezone(zone).replace(tzinfo=None)
    if years:
        try:
            local = local.replace(year=local.year + years)
        except ValueError:  # 29 February in a year without one: keep the data a day longer
            local = local.replace(year=local.year + years, month=3, day=1)
    local = local + timedelta(days=days)
    # A wall-clock time in a spring-forward gap or an autumn overlap has two readings: take
    # the later instant, so a hold never ends early (the gap's time lands after the gap).
    return max(local.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1))


def show_time(ts: datetime | None, tz: ZoneInfo | str | None = None) -> str:
    """``2026-03-29 03:30 CEST (Europe/Berlin)``: a UTC time in the display zone, zone named."""
    if ts is None:
        return "—"
    zone = ZoneInfo(tz) if isinstance(tz, str) else (tz or current_settings().tz)
    local = ts.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({zone.key})"


def frame(cases, now: datetime | None = None, tz: ZoneInfo | str | None = None) -> pd.DataFrame:
    """SLA clocks of many cases: one row per case (times in UTC, plus display-zone text)."""
    pol = policy()
    now = now or utcnow()
    rows = []
    for c in cases:
        st = clocks(c, now, pol)
        rows.append(
            {
                "case_id": c.case_id,
                "category": c.category,
                "priority": c.priority,
                "status": c.status,
                "assignee": c.assignee,
                "first_response_state": st.first_response.state,
                "first_response_due": st.first_response.due,
                "resolution_state": st.resolution.state,
                "resolution_due": st.resolution.due,
                "resolution_remaining_h": round(st.resolution.remaining.total_seconds() / 3600, 2),
                "paused": st.resolution.paused,
                "preservation_due": st.preservation.due if st.preservation else None,
                "preservation_state": st.preservation.state if st.preservation else None,
                "worst": st.worst,
                "resolution_due_local": show_time(st.resolution.due, tz),
            }
        )
    return pd.DataFrame(rows)
