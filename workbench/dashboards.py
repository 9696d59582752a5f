"""The numbers the leads' dashboards show, as plain functions returning DataFrames.

Everything here reads the case store through the cases, SLA and policy modules (no SQL of its
own beyond the ORM models those modules declare) and is importable with no Jupyter running.

* :func:`load` takes a :class:`Snapshot`: every case with its SLA clocks as of ``now``, and the
  latest decision of each decided case (one row per cited clause).
* :func:`apply_filters` narrows a snapshot by :class:`Filters` (date range of creation,
  category, priority, source team, assignee); every view below takes the filtered snapshot, so
  one filter change updates every view.
* Views: :func:`headline`, :func:`queue`, :func:`sla_watch`, :func:`throughput`,
  :func:`backlog_age`, :func:`category_trends`, :func:`repeat_subjects`, :func:`action_mix`,
  :func:`oncall`.
* PII is masked by default: subjects appear as keyed pseudonyms (``S-3f9a1c02``), never as user
  ids or handles, unless a caller asks for ``mask=False``.

Times are UTC inside; weeks are counted in the display zone (WORKBENCH_TZ), which is named in
the column ``zone``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pandas as pd

from workbench import cases
from workbench.cases import decisions, notes, sla
from workbench.cases.investigation import SUBJECT, for_subjects, linked_candidates
from workbench.cases.model import OPEN_STATUSES, PRIORITIES, SOURCES
from workbench.config import Settings
from workbench.config import settings as current_settings
from workbench.errors import InputError, SettingsError
from workbench.evidence.items import items_frame
from workbench.evidence.pseudonyms import dashboard_key, pseudonym
from workbench.evidence.redaction import Redactor, as_user_id, load_profile
from workbench.filings import holds as filing_holds
from workbench.ids import validate_case_id
from workbench.platform.schema import metadata
from workbench.queries import library
from workbench.store.models import DecisionClause, DecisionRow
from workbench.timeline.query import view
from workbench.timeline.sources import user_party_rows
from workbench.timeline.svg import svg as timeline_svg
from workbench.times import parse_interval, parse_timestamp, utcnow

UNASSIGNED = "(unassigned)"
AGE_BUCKETS = (
    ("< 1 day", 1),
    ("1–3 days", 3),
    ("3–7 days", 7),
    ("1–2 weeks", 14),
    ("2–4 weeks", 28),
    ("over 4 weeks", None),
)
_CLOCK_LABEL = {
    "first_response": "first response",
    "resolution": "resolution",
    "preservation": "preservation",
}
CASE_COLUMNS = [
    "case_id",
    "title",
    "category",
    "priority",
    "source",
    "status",
    "assignee",
    "subjects",
    "created_at",
    "claimed_at",
    "first_action_at",
    "decided_at",
    "closed_at",
    "first_response_state",
    "first_response_due",
    "first_response_remaining",
    "resolution_state",
    "resolution_due",
    "resolution_remaining",
    "paused",
    "preservation_due",
    "preservation_state",
    "preservation_remaining",
    "worst",
]
DECISION_COLUMNS = ["case_id", "decided_at", "action", "clause"]


# --------------------------------------------------------------------------- snapshot


@dataclass(frozen=True)
class Snapshot:
    """Cases (one row each, SLA clocks as of ``now``), latest decisions (one row per clause) and
    the preservation holds ending soon (every case's: filters leave them as they are)."""

    cases: pd.DataFrame
    decisions: pd.DataFrame
    now: datetime
    tz: ZoneInfo
    key: bytes = field(repr=False, default=b"")
    holds: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def open(self) -> pd.DataFrame:

        return self.cases[self.cases["status"].isin(OPEN_STATUSES)]


def mask_text(value: object, keep: int = 2) -> str:
    """A handle or name with all but its first ``keep`` characters hidden (``@an•••``)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    lead = 1 if text.startswith("@") else 0
    return text[: lead + keep] + "•••" if len(text) > lead + keep else "•" * len(text)


def _td(value: timedelta | None) -> float:
    """Seconds (NaN for none): a float column converts to Timedelta whatever the first rows hold."""
    return float("nan") if value is None else value.total_seconds()


def load(settings: Settings | None = None, now: datetime | str | None = None) -> Snapshot:
    """Every case in the store with its SLA clocks as of ``now`` (default: now), decisions and
    the holds ending soon."""
    settings = settings or current_settings()
    now_ts = parse_timestamp(now) if now is not None else utcnow()
    pol = sla.policy()
    with cases.unit() as s:
        all_cases = cases.list_cases(session=s)
        decided = _latest_decisions(s)
    rows = []
    for c in all_cases:
        st = sla.clocks(c, now_ts, pol)
        keep = st.preservation
        rows.append(
            {
                "case_id": c.case_id,
                "title": c.title,
                "category": c.category,
                "priority": c.priority,
                "source": c.source,
                "status": c.status,
                "assignee": c.assignee,
                "subjects": tuple(c.subjects),
                "created_at": c.created_at,
                "claimed_at": c.claimed_at,
                "first_action_at": c.first_action_at,
                "decided_at": c.decided_at,
                "closed_at": c.closed_at,
                "first_response_state": st.first_response.state,
                "first_response_due": st.first_response.due,
                "first_response_remaining": _td(st.first_response.remaining),
                "resolution_state": st.resolution.state,
                "resolution_due": st.resolution.due,
                "resolution_remaining": _td(st.resolution.remaining),
                "paused": st.resolution.paused,
                "preservation_due": keep.due if keep else None,
                "preservation_state": keep.state if keep else None,
                "preservation_remaining": _td(keep.remaining if keep else None),
                "worst": st.worst,
            }
        )
    df = pd.DataFrame(rows, columns=CASE_COLUMNS)
    for col in (
        "created_at",
        "claimed_at",
        "first_action_at",
        "decided_at",
        "closed_at",
        "first_response_due",
        "resolution_due",
        "preservation_due",
    ):
        df[col] = pd.to_datetime(df[col], utc=True)
    for col in ("first_response_remaining", "resolution_remaining", "preservation_remaining"):
        df[col] = pd.to_timedelta(df[col].astype(float), unit="s")
    holds = filing_holds.expiring(now=now_ts)
    return Snapshot(df, decided, now_ts, settings.tz, dashboard_key(settings), holds)


def _latest_decisions(s) -> pd.DataFrame:
    """The latest decision of every case, one row per cited clause (a reopened case counts once)."""
    from sqlalchemy import func, select

    latest = select(func.max(DecisionRow.id)).group_by(DecisionRow.case_id)
    q = (
        select(DecisionRow.case_id, DecisionRow.at, DecisionRow.action, DecisionClause.clause)
        .join(DecisionClause, DecisionClause.decision_id == DecisionRow.id)
        .where(DecisionRow.id.in_(latest))
        .order_by(DecisionRow.case_id, DecisionClause.clause)
    )
    df = pd.DataFrame(s.execute(q).all(), columns=DECISION_COLUMNS)
    df["decided_at"] = pd.to_datetime(df["decided_at"], utc=True)
    return df


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """What a lead narrows the dashboards to. ``None`` or empty means "all".

    ``start``/``end`` bound the cases' creation time (``end`` inclusive of that whole day when a
    date is given); each other field takes one value or several.
    """

    start: date | datetime | str | None = None
    end: date | datetime | str | None = None
    category: str | Sequence[str] | None = None
    priority: str | Sequence[str] | None = None
    team: str | Sequence[str] | None = None
    assignee: str | Sequence[str] | None = None


def _bound(value: date | datetime | str | None, tz: ZoneInfo, *, end: bool) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value + timedelta(days=1) if end else value
        return pd.Timestamp(datetime.combine(day, time(0), tzinfo=tz)).tz_convert("UTC")
    return pd.Timestamp(parse_timestamp(value))


def _wanted(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [v for v in value if v]


def apply_filters(snap: Snapshot, filters: Filters | None = None) -> Snapshot:
    """The snapshot narrowed to ``filters``; decisions follow the cases that remain."""
    f = filters or Filters()
    df = snap.cases
    start = _bound(f.start, snap.tz, end=False)
    end = _bound(f.end, snap.tz, end=True)
    if start is not None and end is not None and start >= end:
        raise InputError("the date range ends before it starts", "pick an end after the start")
    mask = pd.Series(True, index=df.index)
    if start is not None:
        mask &= df["created_at"] >= start
    if end is not None:
        mask &= df["created_at"] < end
    for col, value, allowed in (
        ("category", f.category, None),
        ("priority", f.priority, PRIORITIES),
        ("source", f.team, SOURCES),
    ):
        wanted = _wanted(value)
        if wanted:
            if allowed is not None:
                bad = [w for w in wanted if w not in allowed]
                if bad:
                    raise InputError(
                        f"unknown {col if col != 'source' else 'team'} {bad[0]!r}",
                        f"use one of: {', '.join(allowed)}",
                    )
            mask &= df[col].isin(wanted)
    who = _wanted(f.assignee)
    if who:
        named = df["assignee"].isin([w for w in who if w != UNASSIGNED])
        mask &= named | (df["assignee"].isna() if UNASSIGNED in who else False)
    kept = df[mask].reset_index(drop=True)
    decisions = snap.decisions[snap.decisions["case_id"].isin(kept["case_id"])].reset_index(
        drop=True
    )
    return replace(snap, cases=kept, decisions=decisions)


def filter_options(snap: Snapshot) -> dict[str, list[str]]:
    """The values each filter can take in this snapshot (for drop-downs)."""
    df = snap.cases
    assignees = sorted(a for a in df["assignee"].dropna().unique())
    return {
        "category": sorted(df["category"].unique()),
        "priority": list(PRIORITIES),
        "team": list(SOURCES),
        "assignee": assignees + [UNASSIGNED],
    }


# --------------------------------------------------------------------------- views


def headline(snap: Snapshot) -> dict[str, float | int]:
    """The few numbers on top: open, new and unclaimed, at risk, breached, resolved, median hours."""
    open_ = snap.open
    ws = _watch_rows(snap)
    resolved = snap.cases[snap.cases["decided_at"].notna()]
    hours = (resolved["decided_at"] - resolved["created_at"]).dt.total_seconds() / 3600
    return {
        "cases": int(len(snap.cases)),
        "open": int(len(open_)),
        "unclaimed": int(open_["assignee"].isna().sum()),
        "at_risk": int((ws["state"] == "at_risk").sum()),
        "breached": int((ws["state"] == "breached").sum()),
        "resolved": int(len(resolved)),
        "median_resolution_h": round(float(hours.median()), 1) if len(hours) else float("nan"),
    }


def queue(snap: Snapshot, by: str = "status") -> pd.DataFrame:
    """Open cases counted by ``status``, ``priority``, ``category`` or ``source`` (team).

    Every known value appears (zero when empty) in the natural order of that field.
    """
    order = {
        "status": list(OPEN_STATUSES),
        "priority": list(PRIORITIES),
        "source": list(SOURCES),
        "category": sorted(snap.cases["category"].unique()),
    }
    if by == "team":
        by = "source"
    if by not in order:
        raise InputError(
            f"cannot count the queue by {by!r}", "use status, priority, category or team"
        )
    counts = snap.open[by].value_counts()
    values = order[by] + sorted(set(counts.index) - set(order[by]))
    return pd.DataFrame({by: values, "cases": [int(counts.get(v, 0)) for v in values]})


def _watch_rows(snap: Snapshot) -> pd.DataFrame:
    """For each open case, its most urgent running clock that is at risk or breached."""
    open_ = snap.open
    parts = []
    for clock in ("first_response", "resolution", "preservation"):
        sub = open_[open_[f"{clock}_state"].isin(["at_risk", "breached"])]
        if clock == "first_response":  # a stopped (met/missed) first-response clock is not watched
            sub = sub[sub["first_action_at"].isna()]
        parts.append(
            pd.DataFrame(
                {
                    "case_id": sub["case_id"],
                    "clock": _CLOCK_LABEL[clock],
                    "state": sub[f"{clock}_state"],
                    "due": sub[f"{clock}_due"],
                    "time_left": sub[f"{clock}_remaining"],
                }
            )
        )
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if rows.empty:
        return pd.DataFrame(columns=["case_id", "clock", "state", "due", "time_left"])
    rows = rows.sort_values(["time_left", "case_id"]).drop_duplicates("case_id", keep="first")
    return rows.reset_index(drop=True)


def sla_watch(snap: Snapshot) -> pd.DataFrame:
    """Open cases whose SLA is at risk or breached, most urgent first.

    Columns: case_id, title, priority, category, status, assignee, clock, state, due,
    time_left (Timedelta; negative = over), hours_left (negative = hours over).
    """
    rows = _watch_rows(snap)
    info = snap.cases.set_index("case_id")[["title", "priority", "category", "status", "assignee"]]
    out = rows.join(info, on="case_id")
    out["hours_left"] = (pd.to_timedelta(out["time_left"]).dt.total_seconds() / 3600).round(1)
    cols = [
        "case_id",
        "title",
        "priority",
        "category",
        "status",
        "assignee",
        "clock",
        "state",
        "due",
        "time_left",
        "hours_left",
    ]
    return out[cols].reset_index(drop=True)


def _week(ts: pd.Series, tz: ZoneInfo) -> pd.Series:
    """The Monday (in the display zone) of the week each time falls in, as a date."""
    local = ts.dt.tz_convert(tz.key)
    return (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date


def throughput(snap: Snapshot, by: str = "week") -> pd.DataFrame:
    """Resolved (decided) cases and their time to resolution, per ``week`` or per ``assignee``.

    Time to resolution is wall-clock hours from creation to the decision. For ``week`` the
    opened count per week is given too, so inflow and outflow can be compared.
    """
    df = snap.cases
    res = df[df["decided_at"].notna()].copy()
    res["hours"] = (res["decided_at"] - res["created_at"]).dt.total_seconds() / 3600
    if by == "week":
        res["key"] = _week(res["decided_at"], snap.tz)
        opened = (
            _week(df["created_at"], snap.tz).value_counts() if len(df) else pd.Series(dtype=int)
        )
    elif by in ("assignee", "specialist"):
        res["key"] = res["assignee"].fillna(UNASSIGNED)
        opened = None
    else:
        raise InputError(f"cannot count throughput by {by!r}", "use week or assignee")
    name = "week" if by == "week" else "assignee"
    g = res.groupby("key")["hours"]
    out = pd.DataFrame(
        {"resolved": g.size(), "median_h": g.median().round(1), "p90_h": g.quantile(0.9).round(1)}
    )
    if opened is not None:
        keys = sorted(set(out.index) | set(opened.index))
        out = out.reindex(keys)
        out["resolved"] = out["resolved"].fillna(0).astype(int)
        out.insert(0, "opened", [int(opened.get(k, 0)) for k in keys])
    else:
        out = out.sort_values(["resolved"], ascending=False, kind="stable")
    out = out.rename_axis(name).reset_index()
    out["resolved"] = out["resolved"].astype(int)
    if by == "week":
        out["zone"] = snap.tz.key
    return out


def specialists(snap: Snapshot) -> pd.DataFrame:
    """Each specialist's open workload beside what they resolved: open cases, how many of those
    are at risk or breached, resolved cases and their median and p90 hours to resolve. Busiest
    first; unassigned open cases are one row too."""
    open_ = snap.open
    watch = _watch_rows(snap).set_index("case_id")["state"]
    who = open_["assignee"].fillna(UNASSIGNED)
    state = open_["case_id"].map(watch)
    load = pd.DataFrame(
        {
            "open": who.value_counts(),
            "at_risk": who[state == "at_risk"].value_counts(),
            "breached": who[state == "breached"].value_counts(),
        }
    )
    done = throughput(snap, "assignee").set_index("assignee")
    out = load.join(done, how="outer").rename_axis("assignee").reset_index()
    for col in ("open", "at_risk", "breached", "resolved"):
        out[col] = out[col].fillna(0).astype(int)
    out = out.sort_values(["open", "resolved", "assignee"], ascending=[False, False, True])
    cols = ["assignee", "open", "at_risk", "breached", "resolved", "median_h", "p90_h"]
    return out[cols].reset_index(drop=True)


def backlog_age(snap: Snapshot) -> pd.DataFrame:
    """Open cases by age (time since creation): bucket, cases, and the count per priority."""
    open_ = snap.open
    age_days = (pd.Timestamp(snap.now) - open_["created_at"]).dt.total_seconds() / 86400
    labels = [b[0] for b in AGE_BUCKETS]
    edges = [0.0] + [float(b[1]) for b in AGE_BUCKETS if b[1] is not None] + [float("inf")]
    bucket = pd.cut(age_days, bins=edges, labels=labels, right=False)
    out = pd.DataFrame({"age": labels})
    out["cases"] = [int((bucket == lab).sum()) for lab in labels]
    for p in PRIORITIES:
        out[p] = [int(((bucket == lab) & (open_["priority"] == p)).sum()) for lab in labels]
    return out


def category_trends(snap: Snapshot) -> pd.DataFrame:
    """Cases opened per week and category (long form: week, category, cases, zone)."""
    df = snap.cases
    if df.empty:
        return pd.DataFrame(columns=["week", "category", "cases", "zone"])
    out = (
        pd.DataFrame({"week": _week(df["created_at"], snap.tz), "category": df["category"]})
        .value_counts()
        .rename("cases")
        .reset_index()
        .sort_values(["week", "category"], ignore_index=True)
    )
    out["cases"] = out["cases"].astype(int)
    out["zone"] = snap.tz.key
    return out


def repeat_subjects(snap: Snapshot, min_cases: int = 2, mask: bool = True) -> pd.DataFrame:
    """Subjects named in at least ``min_cases`` cases: who keeps coming back, and for what.

    Columns: subject (a pseudonym unless ``mask=False``), cases, open, categories, case_ids
    (newest first), last_seen. Sorted by cases, then most recent.
    """
    df = snap.cases[["case_id", "subjects", "category", "status", "created_at"]]
    long = df.explode("subjects").dropna(subset=["subjects"])
    if long.empty:
        return pd.DataFrame(
            columns=["subject", "cases", "open", "categories", "case_ids", "last_seen"]
        )

    long = long.assign(is_open=long["status"].isin(OPEN_STATUSES))
    sizes = long.groupby("subjects")["case_id"].transform("size")
    long = long[sizes >= min_cases].sort_values("created_at", ascending=False)
    if long.empty:
        return pd.DataFrame(
            columns=["subject", "cases", "open", "categories", "case_ids", "last_seen"]
        )
    g = long.groupby("subjects", sort=False)
    agg = pd.DataFrame(
        {
            "cases": g.size().astype(int),
            "open": g["is_open"].sum().astype(int),
            "categories": g["category"].agg(lambda c: ", ".join(sorted(set(c)))),
            "case_ids": g["case_id"].agg(list),
            "last_seen": g["created_at"].max(),
        }
    )
    agg.insert(0, "subject", [pseudonym(u, snap.key) if mask else int(u) for u in agg.index])
    rows = agg.to_dict("records")
    out = pd.DataFrame(
        rows, columns=["subject", "cases", "open", "categories", "case_ids", "last_seen"]
    )
    return out.sort_values(["cases", "last_seen"], ascending=[False, False], ignore_index=True)


def action_mix(snap: Snapshot) -> pd.DataFrame:
    """Enforcement actions per policy clause, from each case's latest decision.

    Long form: clause, action, cases, share (of that clause's decisions), title (the clause's,
    from the policy taxonomy).
    """
    d = snap.decisions
    if d.empty:
        return pd.DataFrame(columns=["clause", "action", "cases", "share", "title"])
    out = d.groupby(["clause", "action"]).size().rename("cases").reset_index()
    out["share"] = (out["cases"] / out.groupby("clause")["cases"].transform("sum")).round(3)
    titles = {k: c.title for k, c in cases.taxonomy().clauses.items()}
    out["title"] = out["clause"].map(lambda c: titles.get(c, "")).astype(object)
    return out.sort_values(
        ["clause", "cases", "action"], ascending=[True, False, True], ignore_index=True
    )


@dataclass(frozen=True)
class OnCall:
    """What needs attention now."""

    unclaimed: pd.DataFrame  # open P0/P1 cases that are new or have nobody on them
    due_soon: pd.DataFrame  # running clocks that breach within the window (not yet breached)
    window: timedelta
    # preservation holds of any case, open or closed, ending within the policy's warning (14
    # days) or run out unreleased (workbench.filings.holds.expiring)
    holds: pd.DataFrame = field(default_factory=pd.DataFrame)


def oncall(
    snap: Snapshot, within: timedelta | str = "1h", priorities: Sequence[str] = ("P0", "P1")
) -> OnCall:
    """P0/P1 cases that are new or unclaimed, oldest first, and clocks breaching within ``within``."""
    window = parse_interval(within)
    open_ = snap.open
    hot = open_[
        open_["priority"].isin(list(priorities))
        & ((open_["status"] == "new") | open_["assignee"].isna())
    ]
    unclaimed = hot.assign(
        waiting_h=((pd.Timestamp(snap.now) - hot["created_at"]).dt.total_seconds() / 3600).round(1)
    )
    # each one's most urgent clock: a P0 44 h past its first-response deadline says "breached"
    watch = _watch_rows(snap).set_index("case_id")
    unclaimed["state"] = unclaimed["case_id"].map(watch["state"]).fillna("ok").astype(object)
    unclaimed["clock"] = unclaimed["case_id"].map(watch["clock"]).fillna("").astype(object)
    left = pd.to_timedelta(unclaimed["case_id"].map(watch["time_left"]))
    unclaimed["hours_left"] = (left.dt.total_seconds() / 3600).round(1)
    unclaimed = unclaimed.sort_values(["priority", "created_at"], ignore_index=True)[
        [
            "case_id",
            "title",
            "priority",
            "category",
            "status",
            "assignee",
            "state",
            "clock",
            "hours_left",
            "created_at",
            "waiting_h",
        ]
    ]
    parts = []
    for clock in ("first_response", "resolution", "preservation"):
        rem = open_[f"{clock}_remaining"]
        sub = open_[(rem > pd.Timedelta(0)) & (rem <= pd.Timedelta(window))]
        if clock == "first_response":
            sub = sub[sub["first_action_at"].isna()]
        if clock == "resolution":
            sub = sub[~sub["paused"].astype(bool)]  # a paused clock cannot breach while paused
        parts.append(
            pd.DataFrame(
                {
                    "case_id": sub["case_id"],
                    "title": sub["title"],
                    "priority": sub["priority"],
                    "assignee": sub["assignee"],
                    "clock": _CLOCK_LABEL[clock],
                    "due": sub[f"{clock}_due"],
                    "minutes_left": (sub[f"{clock}_remaining"].dt.total_seconds() / 60).round(0),
                }
            )
        )
    due = pd.concat(parts, ignore_index=True).sort_values(
        ["minutes_left", "case_id"], ignore_index=True
    )
    return OnCall(unclaimed, due, window, holds_ending(snap))


def holds_ending(snap: Snapshot) -> pd.DataFrame:
    """Preservation holds of every case (open or closed: a closed case's data is still held)
    that end within the policy's warning (14 days) or ran out unreleased; no personal data."""
    return snap.holds


# --------------------------------------------------------------------------- the case app


def case_from_query(query_string: str | None) -> str:
    """The case id named by ``?case=ID`` in a query string; a readable InputError otherwise."""
    params = parse_qs(query_string or "", keep_blank_values=True)
    values = [v.strip() for v in params.get("case", []) if v.strip()]
    if not values:
        raise InputError("no case was named", "open this page as case.ipynb?case=ESC-YYYY-NNNNNN")
    if len(values) > 1:
        raise InputError("more than one case was named", "name one case: ?case=ESC-YYYY-NNNNNN")
    raw = values[0]
    try:
        return validate_case_id(raw)
    except InputError:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise InputError(
            f"{shown!r} is not a case id", "case ids look like ESC-2026-000123"
        ) from None


def subjects_table(case, key: bytes, mask: bool = True) -> pd.DataFrame:
    """A case's subjects: pseudonym, and the platform user id only when ``mask=False``."""
    rows = [
        {"subject": pseudonym(u, key), **({"user_id": int(u)} if not mask else {})}
        for u in case.subjects
    ]
    return pd.DataFrame(rows, columns=["subject"] + ([] if mask else ["user_id"]))


def sla_table(case, now: datetime | None = None) -> pd.DataFrame:
    """The case's clocks: clock, state, due, and a short countdown text."""
    st = sla.clocks(case, now)
    rows = [
        {"clock": _CLOCK_LABEL[c.name], "state": c.state, "due": c.due, "countdown": c.countdown()}
        for c in (st.first_response, st.resolution)
    ]
    if st.preservation:
        p = st.preservation
        hours = p.remaining.total_seconds() / 3600
        rows.append(
            {
                "clock": "preservation",
                "state": p.state,
                "due": p.due,
                "countdown": f"due in {hours / 24:.0f}d"
                if hours > 0
                else f"overdue by {-hours / 24:.0f}d",
            }
        )
    return pd.DataFrame(rows, columns=["clock", "state", "due", "countdown"])


def mask_frame(df: pd.DataFrame, pii_columns: Sequence[str]) -> pd.DataFrame:
    """A copy of ``df`` with the named PII columns masked (text shortened, numbers hidden)."""
    out = df.copy()
    for col in pii_columns:
        if col in out.columns:
            out[col] = out[col].map(mask_text).astype(object)
    return out


KEY_QUERIES = ("user_overview", "linked_accounts")
MAX_QUERY_SUBJECTS = 3


def change_line(ch) -> str:
    """One change-log entry as a readable line ("claimed the case", "status triaged →
    investigating", "added subjects"), never a raw value that could carry people's ids."""
    field = (ch.field or "").replace("_", " ")
    if ch.action == "create":
        return f"filed the case ({field})" if field and field != "status" else "filed the case"
    if ch.action == "claim":
        return "claimed the case"
    if ch.action == "assign":
        return f"assigned it to {ch.new or 'nobody'}"
    if ch.action in ("status", "reopen") and ch.field == "status":
        verb = "reopened it" if ch.action == "reopen" else "moved it"
        why = f" ({ch.reason})" if ch.reason else ""
        return f"{verb}: {ch.old or '—'} → {ch.new}{why}"
    if ch.field in ("subjects", "reporters"):
        return f"changed the {field}"
    if ch.action == "decide" or ch.field == "decision":
        detail = ch.new if isinstance(ch.new, dict) else {}
        what = detail.get("action")
        return f"recorded a decision{f': {what}' if what else ''}"
    if ch.action == "note":
        return "added a note"
    if ch.field == "related":
        return f"related it to {ch.new}"
    if ch.field and isinstance(ch.new, (str, int, float)) and not isinstance(ch.new, bool):
        return f"set {field} to {ch.new}"
    return f"{ch.action} {field}".strip()


def platform_sensitive_columns() -> tuple[set[str], set[str]]:
    """Column names the platform schema marks as PII, and as special-category data."""
    pii, special = set(), set()
    for table in metadata.tables.values():
        for col in table.columns:
            if col.info.get("pii"):
                pii.add(col.name)
            if col.info.get("special_category"):
                special.add(col.name)
    return pii, special


@dataclass(frozen=True)
class CasePage:
    """Everything the read-only case app shows; ``*_note`` says plainly what is not available."""

    case: object
    sla: pd.DataFrame
    subjects: pd.DataFrame
    decisions: pd.DataFrame
    notes: pd.DataFrame
    changes: pd.DataFrame
    evidence: pd.DataFrame | None
    evidence_note: str
    queries: dict[str, pd.DataFrame]
    queries_note: str


def _evidence(case_id: str) -> tuple[pd.DataFrame | None, str]:
    df = items_frame(case_id)
    keep = [
        c
        for c in (
            "item",
            "kind",
            "title",
            "source",
            "collected_by",
            "collected_at",
            "superseded_by",
        )
        if c in df.columns
    ]
    return df[keep], "" if len(df) else "No evidence collected yet."


def _key_queries(case, mask: bool, key: bytes) -> tuple[dict[str, pd.DataFrame], str]:
    """The key library queries for the first subjects (each run is audited against the case).

    Masked: the columns the query library and the platform schema mark as PII are shortened,
    user ids become pseudonyms, and special-category columns are dropped either way.
    """
    pii, special = platform_sensitive_columns()
    out: dict[str, pd.DataFrame] = {}
    problems = []
    subjects = list(case.subjects)[:MAX_QUERY_SUBJECTS]
    for name in KEY_QUERIES:
        try:
            if name == "linked_accounts":  # once each, with the subjects they link to
                df = linked_candidates(case.case_id, subjects=subjects)
            else:
                df = for_subjects(name, case.case_id, subjects).drop(columns=[SUBJECT])
        except SettingsError as exc:  # no platform data at all: say it once
            return out, f"Platform data is not available: {exc}"
        except Exception as exc:  # one failing query must not blank the page
            problems.append(f"{name}: {str(exc).splitlines()[0][:160]}")
            continue
        df = df.drop(columns=[c for c in df.columns if c in special])
        if mask:
            declared = set(getattr(library.get(name), "pii_columns", ()))
            df = mask_frame(df, [c for c in df.columns if c in pii or c in declared])
            for col in ("user_id", "linked_user_id"):  # people as pseudonyms, like the subjects
                if col in df.columns:
                    df[col] = [pseudonym(u, key) if pd.notna(u) else "" for u in df[col]]
            if "via" in df.columns:
                df["via"] = [
                    ", ".join(pseudonym(int(u), key) for u in str(v).split(", ") if u)
                    for v in df["via"]
                ]
        out[name] = df
    note = "; ".join(problems)
    if not subjects:
        note = "The case has no subjects to query."
    return out, note


def case_page(
    case_id: str,
    *,
    mask: bool = True,
    now: datetime | None = None,
    with_queries: bool = True,
    settings: Settings | None = None,
) -> CasePage:
    """The case app's content for ``case_id`` (NotFoundError for an unknown case)."""
    settings = settings or current_settings()
    case = cases.get(validate_case_id(case_id))
    key = dashboard_key(settings)
    decided = pd.DataFrame(
        [
            {
                "at": d.at,
                "who": d.who,
                "action": d.action,
                "clauses": ", ".join(d.clauses),
                "rationale": d.rationale,
            }
            for d in decisions.decisions(case.case_id)
        ],
        columns=["at", "who", "action", "clauses", "rationale"],
    )
    written = pd.DataFrame(
        [{"at": n.at, "author": n.author, "note": n.body} for n in notes.notes(case.case_id)],
        columns=["at", "author", "note"],
    )
    changes = pd.DataFrame(
        [{"at": c.at, "who": c.who, "change": change_line(c)} for c in cases.history(case.case_id)],
        columns=["at", "who", "change"],
    )
    evidence, evidence_note = _evidence(case.case_id)
    queries, queries_note = _key_queries(case, mask, key) if with_queries else ({}, "")
    return CasePage(
        case,
        sla_table(case, now),
        subjects_table(case, key, mask),
        decided,
        written,
        changes,
        evidence,
        evidence_note,
        queries,
        queries_note,
    )


def warm_case_app(settings: Settings | None = None) -> None:
    """Load what the case app's first page would otherwise load after its request: the
    platform engine, the query guard over the key queries, the redaction profile, the timeline
    drawing. For a preheated kernel waiting for the page request. Reads no platform rows
    (nothing to audit); a failure is left for the page itself to report."""
    from workbench.queries import door, guard

    try:
        dialect = guard.sqlglot_dialect(door.platform_dialect(settings))
        for name in KEY_QUERIES:
            guard.check(library.get(name).sql, dialect)
        platform_sensitive_columns()
        Redactor(load_profile("external"), dashboard_key(settings), []).text("warm-up 0123")
    except Exception:  # noqa: BLE001 - the page says what is wrong, with the case in view
        pass


#: Past this many events the case app draws density strips (the SVG stays small in the page).
CASE_APP_EVENTS = 2_000


def case_timeline_svg(case_id: str, tz: ZoneInfo | str | None = None) -> tuple[str | None, str]:
    """The case's timeline as static SVG (pseudonyms, masked text), or ``(None, reason)``
    when there is nothing to draw."""
    v = view(case=case_id, tz=tz, threshold=CASE_APP_EVENTS)
    if v.total == 0 and v.milestones.empty:
        return None, "No events on this case's timeline."
    # our own title: the default names the subjects by user id
    return timeline_svg(mask_view(v), title=f"Timeline · {case_id} · {v.total:,} events"), ""


def mask_view(v, key: bytes | None = None):
    """A copy of a timeline view fit for a dashboard: user ids (the subject column, and the
    actor and target of sources whose parties are users) become pseudonyms, and emails, phone
    numbers, IPs, card numbers, URLs and handles in summaries (message text, say) and annotation
    comments are replaced."""
    key = key or dashboard_key()
    free = Redactor(load_profile("external"), key, []).text  # caches repeated texts itself

    def party(value: object, is_user: bool = True) -> object:
        uid = as_user_id(value) if is_user else None
        return pseudonym(uid, key) if uid is not None else value

    def masked(df: pd.DataFrame | None) -> pd.DataFrame | None:
        if df is None or df.empty:
            return df
        out = df.copy()
        if "subject" in out.columns:
            out["subject"] = out["subject"].map(party).astype(object)
        users = user_party_rows(out)
        for col in ("actor", "target"):  # user ids only where the source's parties are users
            if col in out.columns:
                out[col] = pd.Series(
                    [party(v, u) for v, u in zip(out[col].tolist(), users)],
                    index=out.index,
                    dtype=object,
                )
        if "summary" in out.columns:
            out["summary"] = out["summary"].map(free).astype(object)
        if "comments" in out.columns:  # annotation comments show in the hover too
            out["comments"] = out["comments"].map(
                lambda cs: cs if cs is None or isinstance(cs, float) else [free(c) for c in cs]
            )
        return out

    return replace(v, events=masked(v.events), milestones=masked(v.milestones))


__all__ = [
    "Snapshot",
    "Filters",
    "OnCall",
    "UNASSIGNED",
    "load",
    "apply_filters",
    "filter_options",
    "headline",
    "queue",
    "sla_watch",
    "throughput",
    "specialists",
    "backlog_age",
    "category_trends",
    "repeat_subjects",
    "action_mix",
    "oncall",
    "case_from_query",
    "pseudonym",
    "dashboard_key",
    "mask_text",
    "mask_frame",
    "subjects_table",
    "sla_table",
    "CasePage",
    "case_page",
    "case_timeline_svg",
    "change_line",
    "mask_view",
    "platform_sensitive_columns",
]
