"""Plotly figures of a timeline :class:`~workbench.timeline.View`.

One lane per source (or per subject), colour by kind or severity, hover details, case milestones
as marked vertical lines, annotated events starred, DST switches in the window marked, and a
range slider. Times are drawn as wall-clock time in the display zone, which is named on the
axis title and in every hover (with the UTC offset, so the repeated hour when clocks go back
stays unambiguous).

In density mode each lane is a strip of bins coloured by count (log scale, exact counts and the
breakdown by kind or severity in the hover): the counts come from the database, so the figure
stays small however many events there are.

:func:`figure` gives a static ``go.Figure`` (reports: write it with plotly.js embedded);
:func:`figure_widget` a ``go.FigureWidget`` for interactive work. Lanes and colours come from the
data and the source registry, so a new source needs no change here.
"""

from __future__ import annotations

import hashlib
import html
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.files import atomic_write
from workbench.timeline import sources as registry
from workbench.timeline.annotations import attach
from workbench.timeline.query import DEFAULT_THRESHOLD, ColorBy, LaneBy, View, view

SEVERITY_COLOURS = {"info": "#8c8c8c", "low": "#1f77b4", "medium": "#ff7f0e", "high": "#d62728"}
PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
]
CASE_LANES = ("case", "notes")
#: Position of the event ref in a detail trace's customdata (the widget reads it on select).
REF_INDEX = 8
HOVER_FIELDS = [
    "local",
    "utc",
    "lane",
    "kind",
    "actor",
    "target",
    "summary",
    "severity",
    "ref",
    "subject",
    "notes",
]


def colour_for(key: str, color_by: str = "kind") -> str:
    """A stable colour for a kind (same kind, same colour, in every figure) or a severity."""
    if color_by == "severity":
        return SEVERITY_COLOURS.get(str(key), "#8c8c8c")
    digest = hashlib.sha1(str(key).encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


#: Windows up to this long that contain a clock change are drawn on a true-duration axis.
INSTANT_AXIS_MAX = timedelta(days=7)
_TICK_STEPS = [
    ("1min", 60),
    ("5min", 300),
    ("10min", 600),
    ("15min", 900),
    ("30min", 1800),
    ("1h", 3600),
    ("2h", 7200),
    ("3h", 10800),
    ("6h", 21600),
    ("12h", 43200),
    ("1D", 86400),
]


def axis_mode(v: View) -> str:
    """``"wall"``: x is wall-clock time in the display zone (plotly's own ticks, zoomable).
    ``"instant"``: x is the true instant and the ticks are labelled in the display zone; used
    when a short window holds a clock change, where wall-clock time would fold an hour onto
    itself (clocks back) or leave a gap (clocks forward)."""
    if (v.end - v.start) <= INSTANT_AXIS_MAX and dst_switches(v.start, v.end, v.tz):
        return "instant"
    return "wall"


def to_axis(ts: pd.Series | pd.DatetimeIndex, tz: ZoneInfo, mode: str = "wall") -> pd.Series:
    """Aware UTC times as the zone-less values plotly draws (see :func:`axis_mode`)."""
    s = pd.Series(ts)
    if mode == "instant":
        return s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s.dt.tz_convert(tz.key).dt.tz_localize(None)


def axis_to_utc(value: Any, tz: ZoneInfo, mode: str = "wall") -> datetime:
    """A value from the figure's x axis as an aware UTC time.

    On a wall-clock axis, in the repeated hour when clocks go back the earlier instant is chosen;
    a wall time skipped when clocks go forward moves forward to the first valid instant.
    """
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize(
            "UTC" if mode == "instant" else tz.key, ambiguous=True, nonexistent="shift_forward"
        )
    return ts.tz_convert("UTC").to_pydatetime()


def local_ticks(
    start: datetime, end: datetime, tz: ZoneInfo, target: int = 10
) -> tuple[list, list[str]]:
    """Tick positions (UTC, zone-less) and labels in ``tz`` for an instant axis: wall-clock
    boundaries stepped in real time, so both 02:00s show when clocks go back."""
    span = (end - start).total_seconds()
    freq, secs = next(((f, n) for f, n in _TICK_STEPS if span / n <= target), _TICK_STEPS[-1])
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    if secs < 3600:  # minute steps: the same instants in every zone offset of whole quarters
        ticks = pd.date_range(lo.ceil(freq), hi, freq=freq).tz_convert(tz.key)
    else:  # round wall-clock hours or days; a repeated hour gives two ticks, a skipped one none
        wall = pd.date_range(
            lo.tz_convert(tz.key).tz_localize(None).ceil(freq),
            hi.tz_convert(tz.key).tz_localize(None),
            freq=freq,
        )
        found = []
        for t in wall:
            for first in (True, False):
                try:
                    inst = t.tz_localize(tz.key, ambiguous=first, nonexistent="raise")
                except Exception:  # the wall time does not exist that day (clocks forward)
                    break
                if lo <= inst <= hi and inst not in found:
                    found.append(inst)
        ticks = pd.DatetimeIndex(sorted(found)) if found else pd.DatetimeIndex([], tz=tz.key)
    vals = list(ticks.tz_convert("UTC").tz_localize(None))
    texts, last_day = [], None
    for t in ticks:
        day = t.strftime("%b %d, %Y")
        texts.append(t.strftime("%H:%M %Z") + (f"<br>{day}" if day != last_day else ""))
        last_day = day
    return vals, texts


def _fmt_local(ts: pd.Series, tz: ZoneInfo) -> list[str]:
    local = ts.dt.tz_convert(tz.key)
    return [t.strftime("%Y-%m-%d %H:%M:%S %Z (UTC%z)") + f" {tz.key}" for t in local]


def lane_order(v: View, frames: list[pd.DataFrame]) -> list[str]:
    """Lane keys top to bottom: case lanes, then registry order (or subjects in order)."""
    present: set[str] = set()
    for f in frames:
        if f is not None and len(f):
            present.update(map(str, f["lane"]))
    if v.lane_by == "source":
        order = [n for n in registry.names() if n not in CASE_LANES]
        order = [n for n in order if n in present] + sorted(present - set(order) - set(CASE_LANES))
    else:
        order = [str(s) for s in v.request.subjects if str(s) in present]
        order += sorted(present - set(order) - set(CASE_LANES))
    return [n for n in CASE_LANES if n in present] + order


def _lane_label(lane: str, lane_by: str) -> str:
    if lane in CASE_LANES or lane_by == "source":
        return esc(registry.label(lane))
    return f"user {esc(lane)}"


def with_lane(df: pd.DataFrame, lane_by: str) -> pd.DataFrame:
    df = df.copy()
    if lane_by == "source" or df.empty:
        df["lane"] = df["source"].astype(str)
        # An event between two subjects is one event in a source lane.
        return df.drop_duplicates("ref") if len(df) else df
    lane = df["subject"].astype("string").fillna(df["source"].astype("string"))
    df["lane"] = lane.where(~df["source"].isin(CASE_LANES), df["source"]).astype(str)
    return df


def _notes_text(df: pd.DataFrame) -> list[str]:
    if "starred" not in df.columns:
        return [""] * len(df)
    out = []
    for starred, tags, comments in zip(df["starred"], df["tags"], df["comments"]):
        bits = (["★ starred"] if starred else []) + (
            [f"tags: {esc(', '.join(map(str, tags)))}"] if len(tags) else []
        )
        bits += [f"“{esc(c)}”" for c in list(comments)[-3:]]
        out.append("<br>".join(bits))
    return out


def esc(value: Any) -> str:
    """Platform text as plotly shows it: plotly renders a subset of HTML in hover text, labels
    and legends (``<a href>`` works there), so ``&``, ``<`` and ``>`` are escaped."""
    return html.escape(str(value), quote=False)


def _text(s: pd.Series, empty: str = "") -> list[str]:
    return [empty if x is None or x is pd.NA else esc(x) for x in s.astype(object).tolist()]


def _raw(s: pd.Series) -> list[str]:
    return ["" if x is None or x is pd.NA else str(x) for x in s.astype(object).tolist()]


def _customdata(df: pd.DataFrame, v: View) -> np.ndarray:
    """One row per event: the hover fields (see HOVER_FIELDS), built once for all traces."""
    if df.empty:
        return np.empty((0, len(HOVER_FIELDS)), object)
    cols = [
        _fmt_local(df["ts"], v.tz),
        [t.strftime("%Y-%m-%d %H:%M:%S UTC") for t in df["ts"].tolist()],
        [_lane_label(x, v.lane_by) for x in df["lane"].tolist()],
        _text(df["kind"]),
        _text(df["actor"], "—"),
        _text(df["target"], "—"),
        [esc(x[:160]) for x in _raw(df["summary"])],
        _text(df["severity"]),
        _text(df["ref"]),
        _text(df["subject"]),
        _notes_text(df),
    ]
    out = np.empty((len(df), len(cols)), dtype=object)
    for j, col in enumerate(cols):
        out[:, j] = col
    return out


def _hovertemplate(tz: ZoneInfo) -> str:
    return (
        "<b>%{customdata[3]}</b> · %{customdata[2]}<br>"
        "%{customdata[0]}<br>%{customdata[1]}<br>"
        "%{customdata[6]}<br>"
        "actor %{customdata[4]} → %{customdata[5]} · severity %{customdata[7]}<br>"
        "<span style='font-size:smaller'>%{customdata[8]}</span><br>%{customdata[10]}"
        "<extra></extra>"
    )


def _detail_traces(
    df: pd.DataFrame, v: View, lane_labels: dict[str, str], mode: str = "wall"
) -> list[go.BaseTraceType]:
    traces: list[go.BaseTraceType] = []
    if df.empty:
        return traces
    key = v.color_by
    big = len(df) > 1000
    cls = go.Scattergl if big else go.Scatter
    custom = _customdata(df, v)
    x = to_axis(df["ts"], v.tz, mode).to_numpy()
    y = np.array([lane_labels[ln] for ln in df["lane"].tolist()], dtype=object)
    keys = np.array(_text(df[key], "unknown"), dtype=object)
    is_case = df["source"].isin(CASE_LANES).to_numpy()
    for value in sorted(set(keys.tolist())):
        rows = np.nonzero(keys == value)[0]
        case_only = bool(is_case[rows].all())
        traces.append(
            cls(
                x=x[rows],
                y=y[rows],
                mode="markers",
                name=value,  # escaped by _text
                legendgroup=value,
                marker=dict(
                    color=colour_for(value, key),
                    size=11 if case_only else 8,
                    symbol="diamond" if case_only else "circle",
                    line=dict(width=0.5, color="white"),
                ),
                customdata=custom[rows],
                hovertemplate=_hovertemplate(v.tz),
                meta={"role": "events"},
            )
        )
    return traces


def _annotation_traces(
    df: pd.DataFrame, v: View, lane_labels: dict[str, str], mode: str = "wall"
) -> list[go.BaseTraceType]:
    if df.empty or "starred" not in df.columns:
        return []
    marked = df[df["starred"] | df["tags"].map(bool) | df["comments"].map(bool)]
    if marked.empty:
        return []
    symbols = ["star" if s else "circle-open" for s in marked["starred"]]
    return [
        go.Scatter(
            x=to_axis(marked["ts"], v.tz, mode),
            y=[lane_labels[x] for x in marked["lane"]],
            mode="markers",
            name="annotated",
            marker=dict(
                symbol=symbols, size=16, color="#f2c500", line=dict(width=1, color="#7a6200")
            ),
            customdata=_customdata(marked, v),
            hovertemplate=_hovertemplate(v.tz),
            meta={"role": "annotations"},
        )
    ]


def _density_trace(
    v: View, lane_order: list[str], lane_labels: dict[str, str], mode: str = "wall"
) -> go.Heatmap | None:
    d = v.density
    if d is None or d.empty:
        return None
    width = timedelta(seconds=v.bin_seconds or 3600)
    first = d["bin_start"].min()
    n_bins = int(round((d["bin_start"].max() - first) / width)) + 1
    starts = pd.date_range(first, periods=n_bins, freq=width)
    present = set(d["lane"].tolist())
    lanes = [ln for ln in lane_order if ln in present]
    row = {ln: i for i, ln in enumerate(lanes)}
    r = d["lane"].map(row).to_numpy()
    c = np.rint((d["bin_start"] - first) / width).astype(np.int64).to_numpy()
    z = np.zeros((len(lanes), n_bins))
    np.add.at(z, (r, c), d["n"].to_numpy(dtype=float))
    z[z == 0] = np.nan
    # Hover breakdown: the four biggest kinds (or severities) of each cell.
    top = d.assign(r=r, c=c).sort_values("n", ascending=False, kind="stable")
    top = top[top.groupby(["r", "c"], sort=False).cumcount() < 4]
    text = np.full((len(lanes), n_bins), "", dtype=object)
    for ri, ci, colour, n in zip(
        top["r"].tolist(), top["c"].tolist(), top["colour"].tolist(), top["n"].tolist()
    ):
        colour = esc(colour)
        text[ri, ci] = f"{text[ri, ci]}, {colour} {n:,}" if text[ri, ci] else f"{colour} {n:,}"
    zmax = float(np.nanmax(z)) if np.isfinite(z).any() else 1.0
    ticks = [10**k for k in range(0, int(math.log10(max(zmax, 1))) + 1)]
    local = to_axis(pd.Series(starts + width / 2), v.tz, mode)
    span_local = [
        f"{a:%Y-%m-%d %H:%M} – {b:%H:%M}"
        for a, b in zip(to_axis(pd.Series(starts), v.tz), to_axis(pd.Series(starts + width), v.tz))
    ]
    custom = np.array([span_local] * len(lanes), dtype=object)
    return go.Heatmap(
        x=local,
        y=[lane_labels[ln] for ln in lanes],
        z=np.log10(z + 1) if zmax else z,
        customdata=np.dstack(
            [custom, np.where(np.isnan(z), 0, z).astype(np.int64).astype(str), text]
        ),
        hovertemplate=(
            f"%{{y}}<br>%{{customdata[0]}} ({v.tz.key})<br>"
            "<b>%{customdata[1]} events</b><br>%{customdata[2]}<extra>density</extra>"
        ),
        colorscale="Blues",
        zmin=0,
        zmax=math.log10(zmax + 1),
        showscale=True,
        xgap=0,
        ygap=3,
        colorbar=dict(
            title=dict(text="events"),
            tickvals=[math.log10(t + 1) for t in ticks],
            ticktext=[f"{t:,}" for t in ticks],
            thickness=12,
            len=0.6,
        ),
        meta={"role": "density"},
        name="density",
    )


def dst_switches(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[datetime, str]]:
    """Instants in [start, end) where the zone's UTC offset changes (at most a few hundred)."""
    if (end - start) > timedelta(days=3660):
        return []
    hours = pd.date_range(pd.Timestamp(start).floor("h"), pd.Timestamp(end).ceil("h"), freq="h")
    if len(hours) < 2:
        return []
    offsets = (
        (hours.tz_convert(tz.key).tz_localize(None) - hours.tz_localize(None))
        .total_seconds()
        .to_numpy()
    )
    out = []
    for i in np.nonzero(np.diff(offsets))[0]:
        delta = offsets[i + 1] - offsets[i]
        out.append(
            (
                hours[i + 1].to_pydatetime(),
                f"clocks {'forward' if delta > 0 else 'back'} {abs(delta) / 3600:g} h",
            )
        )
    return out


def figure(v: View, *, title: str | None = None, height: int | None = None) -> go.Figure:
    """A static figure of the view (use ``fig.write_html(path, include_plotlyjs=True)``)."""
    events = v.events
    if v.annotations is not None and len(v.annotations) and len(events):
        events = attach(events, v.request.case)
    events = with_lane(events, v.lane_by)
    dens = v.density.rename(columns={}) if v.density is not None else None
    lanes = lane_order(v, [events, dens])
    lane_labels = {ln: _lane_label(ln, v.lane_by) for ln in lanes}

    mode = axis_mode(v)
    fig = go.Figure()
    if v.mode == "density":
        heat = _density_trace(v, lanes, lane_labels, mode)
        if heat is not None:
            fig.add_trace(heat)
        shown = events[events["source"].isin(CASE_LANES)] if len(events) else events
    else:
        shown = events
    for tr in _detail_traces(shown, v, lane_labels, mode):
        fig.add_trace(tr)
    for tr in _annotation_traces(events, v, lane_labels, mode):
        fig.add_trace(tr)

    # Case milestones: a dashed line across every lane, named at the top; DST switches dotted.
    marks = [
        (
            x,
            esc(kind),
            "#6a3d9a",
            "dash",
            {"font": dict(size=10, color="#6a3d9a"), "textangle": -30},
        )
        for x, kind in zip(to_axis(v.milestones["ts"], v.tz, mode), v.milestones["kind"])
    ]
    for ts, label in dst_switches(v.start, v.end, v.tz):
        x = to_axis(pd.Series([pd.Timestamp(ts)]), v.tz, mode).iloc[0]
        marks.append(
            (x, label, "#999", "dot", {"xanchor": "left", "font": dict(size=9, color="#666")})
        )
    shapes = [
        dict(
            type="line",
            xref="x",
            yref="paper",
            x0=x,
            x1=x,
            y0=0,
            y1=1,
            line=dict(color=colour, dash=dash, width=1),
        )
        for x, _, colour, dash, _ in marks
    ]
    notes = [
        dict(
            x=x,
            y=1.0,
            xref="x",
            yref="paper",
            text=text,
            showarrow=False,
            yanchor="bottom",
            **style,
        )
        for x, text, _, _, style in marks
    ]

    what = (
        f"{v.total:,} events · density, {bin_label(v.bin_seconds)} bins"
        if v.mode == "density"
        else f"{len(events):,} events"
    )
    who = (
        (v.request.case + " · " if v.request.case else "")
        + ", ".join(f"user {s}" for s in v.request.subjects[:4])
        + (" …" if len(v.request.subjects) > 4 else "")
    )
    lo, hi = to_axis(pd.Series([pd.Timestamp(v.start), pd.Timestamp(v.end)]), v.tz, mode)
    n_lanes = max(1, len(lanes))
    ticks: dict[str, Any] = {}
    if mode == "instant":
        vals, texts = local_ticks(v.start, v.end, v.tz)
        ticks = dict(tickmode="array", tickvals=vals, ticktext=texts)
    fig.update_layout(
        title=dict(text=title or f"Timeline · {who} · {what}", font=dict(size=14)),
        height=height or max(320, 140 + 46 * n_lanes),
        margin=dict(l=10, r=10, t=70, b=10),
        # A named template is deep-copied into every figure (slow, and kilobytes of JSON).
        hovermode="closest",
        dragmode="zoom",
        template="none",
        plot_bgcolor="white",
        font=dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=12),
        legend=dict(title=dict(text=v.color_by), orientation="v", font=dict(size=10)),
        xaxis=dict(
            title=dict(text=f"Time ({v.tz.key})"),
            type="date",
            range=[lo, hi],
            showgrid=True,
            gridcolor="#eceff3",
            linecolor="#c8ccd2",
            **ticks,
            rangeslider=dict(visible=True, thickness=0.08),
        ),
        yaxis=dict(
            type="category",
            categoryorder="array",
            categoryarray=[lane_labels[ln] for ln in reversed(lanes)],
            fixedrange=True,
            title=None,
            automargin=True,
            showgrid=True,
            gridcolor="#f3f4f6",
        ),
        meta={
            "timeline": {
                "mode": v.mode,
                "axis": mode,
                "tz": v.tz.key,
                "total": v.total,
                "bin_seconds": v.bin_seconds,
                "lane_by": v.lane_by,
                "color_by": v.color_by,
                "threshold": v.threshold,
            }
        },
        uirevision="timeline",
        shapes=shapes,
        annotations=notes,
    )
    return fig


def figure_widget(v: View, **kw: Any) -> go.FigureWidget:
    """An interactive FigureWidget of the view (the timeline widget re-queries on zoom)."""
    return go.FigureWidget(figure(v, **kw))


def write_html(fig: go.Figure, path: str | Path) -> Path:
    """Write a self-contained HTML file (plotly.js embedded, works offline), atomically."""
    target = Path(path)
    atomic_write(target, fig.to_html(include_plotlyjs=True, full_html=True))
    return target


def naive_figure(events: pd.DataFrame, tz: ZoneInfo) -> go.Figure:
    """Every event as a point in one scatter (the baseline the benchmark measures against)."""
    return go.Figure(
        go.Scattergl(
            x=to_axis(events["ts"], tz),
            y=events["source"].astype(str),
            mode="markers",
            text=[esc(t) for t in events["summary"].astype(str)],
        )
    )


def bin_label(seconds: int | None) -> str:
    """A bin width in words: ``"15 min"``, ``"1 h"``, ``"2 d"``."""
    if not seconds:
        return "?"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def static(
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
    title: str | None = None,
) -> Any:
    """A static plotly figure of the timeline (density or events, see :func:`view`).

    For reports: :func:`write_html` embeds plotly.js.
    """
    v = view(
        subjects,
        case,
        start,
        end,
        sources,
        kinds,
        text,
        tags,
        starred=starred,
        lane_by=lane_by,
        color_by=color_by,
        tz=tz,
        threshold=threshold,
    )
    return figure(v, title=title)
