"""The merged timeline of a case's people: every source on one time axis (``wb.timeline``).

* :func:`events` one tidy DataFrame: ``ts`` (aware UTC), source, kind, actor, target, summary,
  severity, ref (``"messages:123"``), subject.
* :func:`density` counts per time bin per lane, binned **in the database**.
* :func:`view` what a figure needs for a window: individual events when the window holds at most
  ``threshold`` events, density otherwise (figures and the widget call this on every zoom).
* :func:`export` the whole timeline as CSV or Parquet, streamed in chunks, no row cap, with the
  display zone recorded.

In a notebook::

    TimelineView(case="ESC-2026-000123", tz="Europe/Berlin")  # interactive (workbench.widgets)
    wb.timeline.figure(case="ESC-2026-000123", tz="America/New_York")   # static (figures.static)
    wb.timeline.events(subjects=[42], start="-30d", kinds=["login_new_country"])
    wb.timeline.export("tl.parquet", case="ESC-2026-000123", tz="Europe/Berlin")

Platform sources are library queries (see :mod:`workbench.timeline.sources`). For each subject
and source the library SQL is rendered and wrapped as a subquery, mapped to the timeline
columns, and the union is filtered, binned or paged in one statement that runs through the
guarded, audited ad-hoc path (:func:`workbench.queries.run.sql`). Values are always bound.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from workbench import cases
from workbench.config import settings
from workbench.errors import InputError, NotFoundError
from workbench.ids import validate_case_id
from workbench.queries import door
from workbench.queries import library as queries
from workbench.queries.run import render, sql
from workbench.timeline import sources as registry
from workbench.timeline.annotations import current, refs_with
from workbench.times import parse_interval, parse_timestamp, series_to_zone

COLUMNS = registry.COLUMNS
DEFAULT_THRESHOLD = 5_000
DEFAULT_MAX_BINS = 400
MAX_SUBJECTS = 20
#: When no window is given the timeline covers all of the subjects' history.
ALL_TIME = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))
#: Bin widths (seconds) density may use: the smallest that keeps the bins under ``max_bins``.
BIN_WIDTHS = [
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    21600,
    43200,
    86400,
    172800,
    604800,
    1209600,
    2592000,
    7776000,
    31536000,
]

#: The ``limit`` passed to library queries that have one (the window bounds a timeline).
UNLIMITED = 1_000_000_000_000
LaneBy = Literal["source", "subject"]
ColorBy = Literal["kind", "severity"]


# --- inputs ---------------------------------------------------------------------------------


def zone(tz: ZoneInfo | str | None) -> ZoneInfo:
    """A display zone from an IANA name (default: the ``WORKBENCH_TZ`` setting)."""
    if tz is None:
        return settings().tz
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"{tz!r} is not a known time zone", "use an IANA name such as Europe/Berlin or UTC"
        ) from None


def _subjects(subjects: Any, case: str | None) -> list[int]:
    out: list[int] = []
    if subjects is not None:
        items = [subjects] if isinstance(subjects, (int, str)) else list(subjects)
        for item in items:
            try:
                out.append(int(str(item).strip()))
            except ValueError:
                raise InputError(f"{item!r} is not a user id", "user ids are integers") from None
    if case is not None and not out:
        out = case_subjects(case)
    if not out:
        raise InputError("no subjects to show", "pass subjects=[user ids] or a case with subjects")
    out = list(dict.fromkeys(out))
    if len(out) > MAX_SUBJECTS:  # one statement per view holds every subject's queries
        raise InputError(
            f"{len(out)} subjects is more than one timeline shows ({MAX_SUBJECTS})",
            "pass subjects=[...] with the people that matter most",
        )
    return out


def case_subjects(case: str) -> list[int]:
    """The platform user ids a case is about."""
    record = cases.get(validate_case_id(case))
    subjects = getattr(record, "subjects", None)
    if subjects is None and isinstance(record, dict):
        subjects = record.get("subjects")
    return [int(s) for s in (subjects or [])]


def _window(start: Any, end: Any) -> tuple[datetime, datetime]:
    lo = parse_timestamp(start) if start is not None else ALL_TIME[0]
    hi = parse_timestamp(end) if end is not None else ALL_TIME[1]
    if hi <= lo:
        raise InputError(
            f"the window ends ({hi.isoformat()}) before it starts ({lo.isoformat()})",
            "give an end later than the start",
        )
    return lo, hi


def _as_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    return [str(v) for v in items if str(v).strip()] or None


# --- SQL building ---------------------------------------------------------------------------

_BIND_RE = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_TAIL_RE = re.compile(r"\s+ORDER\s+BY\s+[^();'\"]+?\s+LIMIT\s+:limit\s*$", re.IGNORECASE)


def _rename_binds(sql_text: str, params: dict[str, Any], suffix: str) -> tuple[str, dict[str, Any]]:
    """Give a fragment's bind parameters unique names so many fragments share one statement."""

    def sub(m: re.Match) -> str:
        name = m.group(1)
        return f":{name}{suffix}" if name in params else m.group(0)

    return _BIND_RE.sub(sub, sql_text), {f"{k}{suffix}": v for k, v in params.items()}


def _library_sql(name: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A library query rendered for the platform's dialect: SQL text with binds, and params."""
    wanted = {p.name for p in queries.params(name)}
    if "limit" in wanted:  # a timeline is never cut per source: the window bounds it
        params = {**params, "limit": UNLIMITED}
    text, bound = render(name, **{k: v for k, v in params.items() if k in wanted})
    text = text.strip().rstrip(";").strip()
    # The library's trailing "ORDER BY ... LIMIT :limit" caps an interactive result; inside a
    # timeline it only costs a sort per source (the timeline sorts once, the window bounds it).
    # Dropped only when it is plainly the statement's own tail (no brackets or quotes in it).
    tail = _TAIL_RE.search(text)
    if tail and "limit" in bound:
        text = text[: tail.start()]
        bound = {k: v for k, v in bound.items() if k != "limit"}
    return text, dict(bound)


def _in_list(column: str, values: Sequence[Any], prefix: str, params: dict[str, Any]) -> str:
    names = []
    for i, v in enumerate(values):
        params[f"{prefix}{i}"] = v
        names.append(f":{prefix}{i}")
    return f"{column} IN ({', '.join(names)})"


@dataclass(frozen=True)
class Request:
    """What to put on a timeline: the normalised arguments every function here shares."""

    subjects: tuple[int, ...]
    case: str | None
    start: datetime
    end: datetime
    sources: tuple[str, ...]
    kinds: tuple[str, ...] | None = None
    text: str | None = None
    refs: tuple[str, ...] | None = None  # from a tag/star filter: only these events

    @property
    def platform_sources(self) -> list[registry.Source]:
        return [s for s in registry.resolve(self.sources) if not s.is_case_source]

    @property
    def case_sources(self) -> list[registry.Source]:
        return [s for s in registry.resolve(self.sources) if s.is_case_source]


def request(
    subjects: Any = None,
    case: str | None = None,
    start: Any = None,
    end: Any = None,
    sources: Any = None,
    kinds: Any = None,
    text: str | None = None,
    tags: Any = None,
    starred: bool | None = None,
) -> Request:
    """Check and normalise timeline arguments (raising :class:`InputError` on bad ones)."""
    if case is not None:
        case = validate_case_id(case)
    subs = _subjects(subjects, case)
    lo, hi = _window(start, end)
    chosen = tuple(s.name for s in registry.resolve(_as_list(sources)))
    if not chosen:
        raise InputError("no timeline sources chosen", f"choose from {', '.join(registry.names())}")
    kind_list = _as_list(kinds)
    needle = text.strip() if isinstance(text, str) and text.strip() else None
    refs = None
    tag_list = _as_list(tags)
    if tag_list or starred:
        if case is None:
            raise InputError("filtering by tag or star needs a case", "pass case=ESC-YYYY-NNNNNN")

        refs = tuple(refs_with(case, tags=tag_list, starred=bool(starred)))
    return Request(
        tuple(subs), case, lo, hi, chosen, tuple(kind_list) if kind_list else None, needle, refs
    )


def _union_sql(req: Request, start: datetime, end: datetime) -> tuple[str, dict[str, Any]]:
    """All platform sources for all subjects, mapped to timeline columns, as one UNION ALL."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for i, subject in enumerate(req.subjects):
        for src in req.platform_sources:
            assert src.query is not None  # platform sources are the ones with a query
            lib_text, lib_params = _library_sql(
                src.query, {src.subject_param: subject, "start": start, "end": end}
            )
            fragment = (
                f"SELECT {'DISTINCT ' if src.distinct else ''}{src.select_list()}, "
                f"CAST(:{src.subject_param} AS BIGINT) AS subject "
                f"FROM ({lib_text}) AS src_{src.name}"
            )
            fragment, lib_params = _rename_binds(fragment, lib_params, f"__{src.name}_{i}")
            parts.append(fragment)
            params.update(lib_params)
    return "\nUNION ALL\n".join(parts), params


def _filtered_parts(
    req: Request, start: datetime, end: datetime
) -> tuple[str, str, dict[str, Any]] | None:
    """The union as a CTE named ``ev``, the WHERE clause of the filters, and the params."""
    if not req.platform_sources:
        return None
    union, params = _union_sql(req, start, end)
    where = ["ts >= :tl_start", "ts < :tl_end"]
    params["tl_start"], params["tl_end"] = start, end
    if req.kinds:
        where.append(_in_list("kind", req.kinds, "tl_kind_", params))
    if req.text:
        where.append("strpos(lower(COALESCE(summary, '')), :tl_text) > 0")
        params["tl_text"] = req.text.lower()
    if req.refs is not None:
        if not req.refs:
            where.append("1 = 0")
        else:
            where.append(_in_list("ref", req.refs, "tl_ref_", params))
    return f"WITH ev AS (\n{union}\n)", " AND ".join(where), params


def _filtered_sql(
    req: Request, start: datetime, end: datetime, select: str
) -> tuple[str, dict[str, Any]] | None:
    """``WITH ev AS (union) SELECT <select> FROM ev WHERE <filters>`` and its params."""
    parts = _filtered_parts(req, start, end)
    if parts is None:
        return None
    cte, where, params = parts
    return f"{cte}\nSELECT {select} FROM ev WHERE {where}", params


def _run(sql_text: str, params: dict[str, Any], case: str | None) -> pd.DataFrame:
    """Run through the guard and the audit log (the ad-hoc path of :mod:`workbench.queries.run`)."""
    return sql(sql_text, case=case, **params)


# --- events ---------------------------------------------------------------------------------


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Timeline columns with the right dtypes; ``ts`` aware UTC (zone-less data is refused)."""
    df = df.reindex(columns=COLUMNS)
    ts = df["ts"]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        ts = pd.to_datetime(ts, utc=True, format="ISO8601")
    elif getattr(ts.dt, "tz", None) is None:
        raise InputError(
            "a timeline source returned zone-less times",
            "store platform times as TIMESTAMP WITH TIME ZONE",
        )
    df["ts"] = ts.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    for col in COLUMNS[1:-1]:
        df[col] = df[col].astype("string")
    df["subject"] = pd.to_numeric(df["subject"]).astype("Int64")
    return df


def case_events(req: Request, start: datetime, end: datetime) -> pd.DataFrame:
    frames = []
    for src in req.case_sources:
        assert src.loader is not None  # case sources are the ones with a loader
        part = src.loader(req.case, req.subjects, start, end)
        if part is not None and len(part):
            frames.append(part.assign(source=src.name))
    if not frames:
        return tidy(pd.DataFrame(columns=COLUMNS))
    df = tidy(pd.concat(frames, ignore_index=True))
    keep = (df["ts"] >= start) & (df["ts"] < end)
    if req.kinds:
        keep &= df["kind"].isin(req.kinds)
    if req.text:
        keep &= df["summary"].fillna("").str.lower().str.contains(req.text.lower(), regex=False)
    if req.refs is not None:
        keep &= df["ref"].isin(req.refs)
    return df[keep]


def fetch(
    req: Request,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    limit: int | None = None,
) -> pd.DataFrame:
    """Individual events of a request (optionally a narrower window), sorted by time."""
    start, end = start or req.start, end or req.end
    frames = []
    built = _filtered_sql(req, start, end, "*")
    provenance = []
    if built:
        sql_text, params = built
        sql_text += " ORDER BY ts, ref, subject"
        if limit is not None:
            sql_text += f" LIMIT {int(limit)}"
        raw = _run(sql_text, params, req.case)
        if "provenance" in raw.attrs:
            provenance.append(raw.attrs["provenance"])
        frames.append(tidy(raw))
    frames.append(case_events(req, start, end))
    frames = [f for f in frames if len(f)]
    if frames:
        df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        df = df.sort_values(["ts", "ref", "subject"], kind="stable").reset_index(drop=True)
    else:
        df = tidy(pd.DataFrame(columns=COLUMNS))
    df.attrs["provenance"] = provenance
    return df


def events(
    subjects: Any = None,
    case: str | None = None,
    start: Any = None,
    end: Any = None,
    sources: Any = None,
    kinds: Any = None,
    text: str | None = None,
    tags: Any = None,
    *,
    starred: bool | None = None,
) -> pd.DataFrame:
    """The merged timeline as one DataFrame sorted by time.

    ``subjects`` user ids (default: the case's subjects); ``start``/``end`` ISO-8601 with a zone
    or relative (``-7d``), zone-less values are treated as UTC with a warning; ``sources`` names
    from :func:`workbench.timeline.sources.names`; ``kinds`` exact kinds; ``text`` a
    case-insensitive substring of the summary; ``tags``/``starred`` annotations of ``case``.
    An event between two subjects appears once per subject. The guard's row limit applies:
    use :func:`export` for everything.
    """
    return fetch(request(subjects, case, start, end, sources, kinds, text, tags, starred))


def with_display_time(df: pd.DataFrame, tz: ZoneInfo | str | None = None) -> pd.DataFrame:
    """Add ``ts_display``: the event time in the display zone (aware, so the offset is kept)."""
    out = df.copy()
    out["ts_display"] = series_to_zone(out["ts"], zone(tz))
    return out


# --- density --------------------------------------------------------------------------------


def bin_width(start: datetime, end: datetime, max_bins: int = DEFAULT_MAX_BINS) -> int:
    """The bin width (seconds) for a window: the smallest nice width giving <= ``max_bins`` bins."""
    span = (end - start).total_seconds()
    for w in BIN_WIDTHS:
        if span / w <= max_bins:
            return w
    return int(math.ceil(span / max_bins))


def _lane_expr(lane_by: str) -> str:
    if lane_by == "source":
        return "source"
    if lane_by == "subject":
        return "CAST(subject AS VARCHAR)"
    raise InputError(f"lane_by={lane_by!r} is not supported", "use 'source' or 'subject'")


def _color_expr(color_by: str) -> str:
    if color_by in ("kind", "severity"):
        return color_by
    raise InputError(f"color_by={color_by!r} is not supported", "use 'kind' or 'severity'")


def density_of(
    req: Request,
    width: int,
    offset: int,
    lane_by: str,
    color_by: str,
    start: datetime,
    end: datetime,
) -> pd.DataFrame:
    cols = ["lane", "colour", "bin_start", "bin_end", "n"]
    # An event between two subjects counts once in a source lane (DISTINCT ref, which costs
    # more, so only when it can matter).
    count = "count(DISTINCT ref)" if lane_by == "source" and len(req.subjects) > 1 else "count(*)"
    select = (
        f"{_lane_expr(lane_by)} AS lane, {_color_expr(color_by)} AS colour, "
        f"floor((extract(epoch FROM ts) + :tl_offset) / :tl_width) AS bin, {count} AS n"
    )
    built = _filtered_sql(req, start, end, select)
    if not built:
        return pd.DataFrame(columns=cols)
    sql_text, params = built
    params["tl_width"], params["tl_offset"] = width, offset
    raw = _run(sql_text + " GROUP BY 1, 2, 3 ORDER BY 3, 1, 2", params, req.case)
    out = pd.DataFrame(
        {"lane": raw["lane"].astype("string"), "colour": raw["colour"].astype("string")}
    )
    bins = pd.to_numeric(raw["bin"]).astype("float64")
    epoch = bins * width - offset
    out["bin_start"] = pd.to_datetime(epoch, unit="s", utc=True)
    out["bin_end"] = out["bin_start"] + pd.Timedelta(seconds=width)
    out["n"] = pd.to_numeric(raw["n"]).astype("int64")
    out.attrs["provenance"] = raw.attrs.get("provenance")
    return out


def _width_case(span: str, max_bins: int) -> str:
    """SQL choosing the bin width for a span of seconds, like :func:`bin_width` does."""
    whens = " ".join(f"WHEN {span} <= {w * max_bins} THEN {w}" for w in BIN_WIDTHS)
    return f"CASE {whens} ELSE ceil({span} / {max_bins}.0) END"


def _overview(
    req: Request, lane_by: LaneBy, color_by: ColorBy, max_bins: int, offset: int, bounded: bool
) -> tuple[pd.DataFrame, int, int, datetime | None, datetime | None]:
    """Density, bin width, total and extent in ONE statement (one guard check, one audit record).

    The bin width follows the window when it is ``bounded``, else the data's own extent; it is
    chosen in SQL from the same nice widths as :func:`bin_width`.
    """
    cols = ["lane", "colour", "bin_start", "bin_end", "n"]
    parts = _filtered_parts(req, req.start, req.end)
    if not parts:
        return pd.DataFrame(columns=cols), 3600, 0, None, None
    cte, where, params = parts
    distinct = lane_by == "source" and len(req.subjects) > 1
    count = "count(DISTINCT ref)" if distinct else "count(*)"
    if bounded:
        span = ":tl_span"
        params["tl_span"] = max(1, int((req.end - req.start).total_seconds()))
    else:
        span = "(extract(epoch FROM hi) - extract(epoch FROM lo) + 1)"
    params["tl_offset"] = offset
    # Uncorrelated scalar subqueries run once; a CROSS JOIN with the width would not be pruned.
    width_sql = "(SELECT width FROM w)"
    statement = (
        f"{cte},\n"
        f"ext AS (SELECT {count} AS total, min(ts) AS lo, max(ts) AS hi FROM ev WHERE {where}),\n"
        f"w AS (SELECT {_width_case(span, max_bins)} AS width, total, lo, hi FROM ext)\n"
        f"SELECT {_lane_expr(lane_by)} AS lane, {_color_expr(color_by)} AS colour,\n"
        f"       floor((extract(epoch FROM ts) + :tl_offset) / {width_sql}) AS bin, {count} AS n,\n"
        f"       {width_sql} AS width, (SELECT total FROM w) AS total,\n"
        f"       (SELECT lo FROM w) AS lo, (SELECT hi FROM w) AS hi\n"
        f"FROM ev WHERE {where}\nGROUP BY 1, 2, 3 ORDER BY 3, 1, 2"
    )
    raw = _run(statement, params, req.case)
    if raw.empty:
        return pd.DataFrame(columns=cols), 3600, 0, None, None
    width = int(float(raw["width"].iloc[0]))
    out = pd.DataFrame(
        {"lane": raw["lane"].astype("string"), "colour": raw["colour"].astype("string")}
    )
    epoch = pd.to_numeric(raw["bin"]).astype("float64") * width - offset
    out["bin_start"] = pd.to_datetime(epoch, unit="s", utc=True)
    out["bin_end"] = out["bin_start"] + pd.Timedelta(seconds=width)
    out["n"] = pd.to_numeric(raw["n"]).astype("int64")
    out.attrs["provenance"] = raw.attrs.get("provenance")
    first, last = (pd.Timestamp(raw[c].iloc[0]) for c in ("lo", "hi"))
    first = first.tz_localize("UTC") if first.tzinfo is None else first.tz_convert("UTC")
    last = last.tz_localize("UTC") if last.tzinfo is None else last.tz_convert("UTC")
    return out, width, int(raw["total"].iloc[0]), first.to_pydatetime(), last.to_pydatetime()


def _offset(tz: ZoneInfo, at: datetime) -> int:
    """Seconds to shift epoch bins so day-sized bins start at midnight in the display zone."""
    off = at.astimezone(tz).utcoffset()
    return int(off.total_seconds()) if off else 0


def density(
    subjects: Any = None,
    case: str | None = None,
    start: Any = None,
    end: Any = None,
    sources: Any = None,
    kinds: Any = None,
    text: str | None = None,
    tags: Any = None,
    *,
    bin: Any = None,
    lane_by: LaneBy = "source",
    color_by: ColorBy = "kind",
    max_bins: int = DEFAULT_MAX_BINS,
    tz: ZoneInfo | str | None = None,
    starred: bool | None = None,
) -> pd.DataFrame:
    """Event counts per time bin per lane and colour, computed in the database.

    Columns: lane, colour, bin_start, bin_end (aware UTC), n. ``bin`` an interval
    (``1h``, ``15m``); by default the smallest nice width giving at most ``max_bins`` bins over
    the window (or the data's extent when no window is given). Case sources are not binned.
    """
    req = request(subjects, case, start, end, sources, kinds, text, tags, starred)
    _lane_expr(lane_by), _color_expr(color_by)
    tzinfo = zone(tz)
    at = req.start if req.start != ALL_TIME[0] else datetime.now(UTC)
    if bin is None:  # the width follows the window, or the data's extent (one statement)
        bounded = req.start != ALL_TIME[0] and req.end != ALL_TIME[1]
        return _overview(req, lane_by, color_by, max_bins, _offset(tzinfo, at), bounded)[0]
    width = int(parse_interval(bin).total_seconds())
    if width < 1:
        raise InputError(f"bin {bin!r} is shorter than a second", "use 1s or more")
    return density_of(req, width, _offset(tzinfo, at), lane_by, color_by, req.start, req.end)


def extent(
    req: Request, start: datetime | None = None, end: datetime | None = None
) -> tuple[int, datetime | None, datetime | None]:
    """(number of platform events, first, last) in the window, from one aggregate query."""
    built = _filtered_sql(
        req, start or req.start, end or req.end, "count(*) AS n, min(ts) AS first, max(ts) AS last"
    )
    if not built:
        return 0, None, None
    sql_text, params = built
    raw = _run(sql_text, params, req.case)
    n = int(raw["n"].iloc[0]) if len(raw) else 0
    if not n:
        return 0, None, None
    first = pd.Timestamp(raw["first"].iloc[0])
    last = pd.Timestamp(raw["last"].iloc[0])
    first = first.tz_localize("UTC") if first.tzinfo is None else first.tz_convert("UTC")
    last = last.tz_localize("UTC") if last.tzinfo is None else last.tz_convert("UTC")
    return n, first.to_pydatetime(), last.to_pydatetime()


# --- the view a figure draws -----------------------------------------------------------------


@dataclass
class View:
    """One window of a timeline, ready to draw.

    ``mode`` is ``"events"`` (``events`` holds every event in the window) or ``"density"``
    (``density`` holds counts per bin per lane; ``events`` then holds only case events and
    annotated events, which are always drawn individually).
    """

    request: Request
    mode: Literal["events", "density"]
    start: datetime
    end: datetime
    total: int
    events: pd.DataFrame
    density: pd.DataFrame | None
    bin_seconds: int | None
    tz: ZoneInfo
    lane_by: LaneBy = "source"
    color_by: ColorBy = "kind"
    threshold: int = DEFAULT_THRESHOLD
    annotations: pd.DataFrame | None = None
    milestones: pd.DataFrame = field(default_factory=lambda: tidy(pd.DataFrame(columns=COLUMNS)))
    data_start: datetime | None = None
    data_end: datetime | None = None


@door.as_one_act("timeline.view")
def view(
    subjects: Any = None,
    case: str | None = None,
    start: Any = None,
    end: Any = None,
    sources: Any = None,
    kinds: Any = None,
    text: str | None = None,
    tags: Any = None,
    *,
    starred: bool | None = None,
    lane_by: LaneBy = "source",
    color_by: ColorBy = "kind",
    tz: ZoneInfo | str | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    max_bins: int = DEFAULT_MAX_BINS,
    req: Request | None = None,
    expected: int | None = None,
) -> View:
    """Events or density for a window, whichever can be drawn usefully.

    When the window holds more than ``threshold`` events, counts per bin per lane come from
    the database; otherwise every event is fetched. Call again with a narrower ``start``/``end``
    when the user zooms (the widget does this on relayout). ``expected`` (an upper bound of the
    events in the window, which :func:`zoom` knows from the current view) lets a small window
    go straight to its events in one query.
    """
    _lane_expr(lane_by), _color_expr(color_by)
    if threshold < 0:
        raise InputError("threshold must be zero or more")
    tzinfo = zone(tz)
    if req is None:
        req = request(subjects, case, start, end, sources, kinds, text, tags, starred)
    bounded = req.start != ALL_TIME[0] and req.end != ALL_TIME[1]
    annotations = None
    if req.case is not None:
        annotations = current(req.case)
    if bounded and expected is not None and expected <= threshold:
        # Zoomed in: fetch the events directly (one statement); LIMIT guards a wrong estimate.
        detail = fetch(req, limit=threshold + 1)
        platform = int((~detail["source"].isin([s.name for s in req.case_sources])).sum())
        if platform <= threshold:
            case_rows = detail[detail["source"].isin([s.name for s in req.case_sources])]
            return View(
                req,
                "events",
                req.start,
                req.end,
                platform,
                detail,
                None,
                None,
                tzinfo,
                lane_by,
                color_by,
                threshold,
                annotations,
                case_rows[case_rows["source"] == "case"],
            )
    # Day-sized bins start at local midnight: the zone's offset at the window's start (or now).
    offset = _offset(tzinfo, req.start if req.start != ALL_TIME[0] else datetime.now(UTC))
    dens, width, n, first, last = _overview(req, lane_by, color_by, max_bins, offset, bounded)
    lo = req.start if req.start != ALL_TIME[0] or first is None else first
    hi = req.end if req.end != ALL_TIME[1] or last is None else last + timedelta(seconds=1)
    case_rows = case_events(req, req.start, req.end)
    milestones = case_rows[case_rows["source"] == "case"]
    if len(case_rows) and (req.start == ALL_TIME[0] or req.end == ALL_TIME[1]):
        lo = min(lo, case_rows["ts"].min().to_pydatetime()) if req.start == ALL_TIME[0] else lo
        hi = (
            max(hi, case_rows["ts"].max().to_pydatetime() + timedelta(seconds=1))
            if req.end == ALL_TIME[1]
            else hi
        )
    if lo >= hi:  # nothing at all: show a day so the figure has an axis
        lo, hi = (
            (lo, lo + timedelta(days=1))
            if lo < ALL_TIME[1]
            else (datetime.now(UTC) - timedelta(days=1), datetime.now(UTC))
        )
    if n > threshold:
        shown = case_rows
        if annotations is not None and len(annotations):
            refs = [r for r in annotations["ref"] if not r.startswith(("case:", "notes:"))]
            if refs:
                starred_req = Request(
                    req.subjects,
                    req.case,
                    lo,
                    hi,
                    req.sources,
                    req.kinds,
                    req.text,
                    tuple(refs) if req.refs is None else tuple(set(refs) & set(req.refs)),
                )
                shown = pd.concat([fetch(starred_req), case_rows], ignore_index=True)
        return View(
            req,
            "density",
            lo,
            hi,
            n,
            shown,
            dens,
            width,
            tzinfo,
            lane_by,
            color_by,
            threshold,
            annotations,
            milestones,
            first,
            last,
        )
    detail = fetch(req, lo, hi)
    return View(
        req,
        "events",
        lo,
        hi,
        n,
        detail,
        None,
        None,
        tzinfo,
        lane_by,
        color_by,
        threshold,
        annotations,
        milestones,
        first,
        last,
    )


def zoom(current: View, start: Any, end: Any) -> View:
    """The same timeline for a new window (a relayout): re-queried, density or events anew."""
    lo = parse_timestamp(start) if start is not None else None
    hi = parse_timestamp(end) if end is not None else None
    req = current.request
    if lo is None and hi is None:  # autorange: back to the request's own window
        return view(
            req=req,
            lane_by=current.lane_by,
            color_by=current.color_by,
            tz=current.tz,
            threshold=current.threshold,
        )
    narrowed = Request(
        req.subjects,
        req.case,
        lo or current.start,
        hi or current.end,
        req.sources,
        req.kinds,
        req.text,
        req.refs,
    )
    if narrowed.end <= narrowed.start:
        raise InputError("the zoom window is empty", "choose an end later than the start")
    return view(
        req=narrowed,
        lane_by=current.lane_by,
        color_by=current.color_by,
        tz=current.tz,
        threshold=current.threshold,
        expected=_expected(current, narrowed.start, narrowed.end),
    )


def _expected(current: View, lo: datetime, hi: datetime) -> int | None:
    """An upper bound of the platform events in [lo, hi) from what the current view holds."""
    if current.mode == "density" and current.density is not None:
        # Bins cut by the window count pro rata, plus a margin for events bunched at its edge.
        d = current.density
        d = d[(d["bin_end"] > lo) & (d["bin_start"] < hi)]
        if d.empty:
            return 0
        width = (d["bin_end"] - d["bin_start"]).dt.total_seconds()
        inside = (d["bin_end"].clip(upper=hi) - d["bin_start"].clip(lower=lo)).dt.total_seconds()
        return int((d["n"] * inside / width).sum() * 1.2) + 1
    if current.mode == "events" and current.start <= lo and hi <= current.end:
        return current.total
    return None


def sql_for(req: Request) -> tuple[str, dict[str, Any]]:
    """The statement :func:`fetch` would run (for showing the SQL), with its bound params."""
    built = _filtered_sql(req, req.start, req.end, "*")
    if not built:
        raise NotFoundError("the request has no platform sources")
    text_, params = built
    return text_ + " ORDER BY ts, ref, subject", params
