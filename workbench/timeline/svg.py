"""A timeline :class:`~workbench.timeline.View` as one static SVG: for pages that must show at
once, such as the case app a lead opens case after case.

The same picture as :func:`workbench.timeline.figures.figure` (one lane per source or subject,
colour by kind or severity, case milestones as dashed lines, clock changes dotted, annotated
events ringed, density strips when there are many events) without plotly.js: loading and
drawing plotly's 4.8 MB bundle was most of the case app's time to first render. Every event
and every density cell carries its details as an SVG ``<title>``, which the browser shows on
hover; nothing runs in the page. Times run on the true instant, labelled in the display zone
(both 01:30s show when clocks go back). Zooming stays with the interactive timeline of the
case notebook.
"""

from __future__ import annotations

import math
from datetime import timedelta
from html import escape
from typing import Any

import pandas as pd

from workbench.timeline import sources as registry
from workbench.timeline.annotations import attach
from workbench.timeline.figures import (
    CASE_LANES,
    bin_label,
    colour_for,
    dst_switches,
    lane_order,
    local_ticks,
    with_lane,
)
from workbench.timeline.query import View

WIDTH = 1100
LEFT, RIGHT, TOP = 170, 24, 64
LANE_H = 30
AXIS_H = 48
LEGEND_ROW_H = 18
MILESTONE = "#6a3d9a"
DENSITY = "#1565c0"
FONT = "font-family='Inter, Segoe UI, Helvetica, Arial, sans-serif'"


def _x(ts: Any, v: View, plot_w: float) -> float:
    span = (pd.Timestamp(v.end) - pd.Timestamp(v.start)).total_seconds() or 1.0
    at = (pd.Timestamp(ts) - pd.Timestamp(v.start)).total_seconds()
    return LEFT + max(0.0, min(1.0, at / span)) * plot_w


def _lane_label(lane: str, lane_by: str) -> str:
    if lane in CASE_LANES or lane_by == "source":
        return registry.label(lane)
    return f"user {lane}"


def _plain(value: Any, empty: str = "") -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return empty
    return str(value)


def _local(ts: Any, v: View) -> str:
    t = pd.Timestamp(ts)
    return t.tz_convert(v.tz.key).strftime("%Y-%m-%d %H:%M:%S %Z") + f" ({v.tz.key})"


def _hover(row: dict, v: View, lane: str) -> str:
    """The lines a browser shows on hover: what, where, when, the text, the parties."""
    lines = [
        f"{_plain(row.get('kind'), 'event')} · {lane}",
        _local(row["ts"], v),
        pd.Timestamp(row["ts"]).tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S UTC"),
    ]
    summary = _plain(row.get("summary"))
    if summary:
        lines.append(summary[:160] + ("…" if len(summary) > 160 else ""))
    lines.append(
        f"actor {_plain(row.get('actor'), '—')} → {_plain(row.get('target'), '—')}"
        f" · severity {_plain(row.get('severity'), '—')}"
    )
    if row.get("starred"):
        lines.append("★ starred")
    tags = row.get("tags")
    if tags is not None and len(tags):
        lines.append("tags: " + ", ".join(map(str, tags)))
    comments = row.get("comments")
    if comments is not None and not isinstance(comments, float):
        lines += [f"“{c}”" for c in list(comments)[-3:]]
    lines.append(_plain(row.get("ref")))
    return escape("\n".join(x for x in lines if x))


def _axis(v: View, plot_w: float, y0: float, y1: float) -> list[str]:
    out = [
        f"<line x1='{LEFT}' x2='{LEFT + plot_w:.1f}' y1='{y1}' y2='{y1}' stroke='#c8ccd2'/>",
    ]
    vals, texts = local_ticks(v.start, v.end, v.tz, target=8)
    if len(vals) > 10:  # a long window: every k-th day, labelled by its date
        k = math.ceil(len(vals) / 9)
        vals = vals[::k]
        texts = [
            pd.Timestamp(t).tz_localize("UTC").tz_convert(v.tz.key).strftime("%d %b<br>%Y")
            for t in vals
        ]
    for val, label in zip(vals, texts):
        x = _x(pd.Timestamp(val).tz_localize("UTC"), v, plot_w)
        out.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{y0}' y2='{y1}' stroke='#eceff3'/>")
        parts = label.split("<br>")
        spans = "".join(
            f"<tspan x='{x:.1f}' dy='{0 if i == 0 else 13}'>{escape(p)}</tspan>"
            for i, p in enumerate(parts)
        )
        out.append(
            f"<text y='{y1 + 15}' text-anchor='middle' font-size='10' fill='#57606a'>{spans}</text>"
        )
    out.append(
        f"<text x='{LEFT + plot_w / 2:.1f}' y='{y1 + AXIS_H - 6}' text-anchor='middle' "
        f"font-size='11' fill='#24292f'>Time ({escape(v.tz.key)})</text>"
    )
    return out


def _density(v: View, lanes: list[str], row_y: dict[str, float], plot_w: float) -> list[str]:
    d = v.density
    if d is None or d.empty:
        return []
    width = timedelta(seconds=v.bin_seconds or 3600)
    top = d.sort_values("n", ascending=False, kind="stable")
    breakdown: dict[tuple, list[str]] = {}
    for lane, start, colour, n in zip(top["lane"], top["bin_start"], top["colour"], top["n"]):
        parts = breakdown.setdefault((str(lane), start), [])
        if len(parts) < 4:
            parts.append(f"{colour} {int(n):,}")
    cells = d.groupby(["lane", "bin_start"], sort=False)["n"].sum()
    biggest = math.log10(float(cells.max()) + 1) or 1.0
    out = []
    for (lane, start), n in cells.items():
        lane = str(lane)
        if lane not in row_y:
            continue
        x0 = _x(start, v, plot_w)
        x1 = max(x0 + 1.5, _x(pd.Timestamp(start) + width, v, plot_w))
        shade = 0.15 + 0.85 * math.log10(float(n) + 1) / biggest
        end = pd.Timestamp(start) + width
        tip = (
            f"{_lane_label(lane, v.lane_by)}\n{_local(start, v)} – "
            f"{end.tz_convert(v.tz.key):%H:%M}\n{int(n):,} events: "
            + ", ".join(breakdown.get((lane, start), []))
        )
        out.append(
            f"<rect class='wb-bin' x='{x0:.1f}' y='{row_y[lane] - LANE_H / 2 + 4:.1f}' "
            f"width='{x1 - x0:.1f}' height='{LANE_H - 8}' fill='{DENSITY}' "
            f"fill-opacity='{shade:.2f}' data-n='{int(n)}'><title>{escape(tip)}</title></rect>"
        )
    return out


def _annotated(row: dict) -> bool:
    """Starred, tagged or commented (the annotation lists are tuples or lists)."""
    if row.get("starred"):
        return True
    for k in ("tags", "comments"):
        val = row.get(k)
        if val is not None and not isinstance(val, (str, float)) and len(val):
            return True
    return False


def _marker(x: float, y: float, colour: str, case_lane: bool, tip: str, ref: str) -> str:
    inner = f"<title>{tip}</title>"
    if case_lane:  # case events are diamonds, as in the interactive figure
        pts = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
        return (
            f"<polygon class='wb-event' data-ref='{escape(ref)}' points='{pts}' "
            f"fill='{colour}' stroke='white' stroke-width='0.5'>{inner}</polygon>"
        )
    return (
        f"<circle class='wb-event' data-ref='{escape(ref)}' cx='{x:.1f}' cy='{y:.1f}' r='4.5' "
        f"fill='{colour}' stroke='white' stroke-width='0.5'>{inner}</circle>"
    )


def _legend(keys: list[tuple[str, str, str]], y: float, width: float) -> tuple[list[str], float]:
    """Swatches in rows across the width; returns the elements and the height used."""
    out: list[str] = []
    x: float = LEFT
    row = 0
    for label, colour, shape in keys:
        w_item = 22 + 6.2 * len(label)
        if x + w_item > width - RIGHT and x > LEFT:
            x, row = LEFT, row + 1
        cy = y + row * LEGEND_ROW_H
        if shape == "line":
            out.append(
                f"<line x1='{x}' x2='{x + 12}' y1='{cy}' y2='{cy}' stroke='{colour}' "
                "stroke-dasharray='4 3'/>"
            )
        elif shape == "ring":
            out.append(
                f"<circle cx='{x + 6}' cy='{cy}' r='6' fill='none' stroke='{colour}' "
                "stroke-width='2'/>"
            )
        elif shape == "bin":
            out.append(f"<rect x='{x}' y='{cy - 5}' width='12' height='10' fill='{colour}'/>")
        else:
            out.append(f"<circle cx='{x + 6}' cy='{cy}' r='4.5' fill='{colour}'/>")
        out.append(
            f"<text x='{x + 17}' y='{cy + 4}' font-size='10' fill='#24292f'>{escape(label)}</text>"
        )
        x += w_item
    return out, (row + 1) * LEGEND_ROW_H if keys else 0


def svg(v: View, *, title: str, width: int = WIDTH) -> str:
    """The view as an ``<svg>`` element (text, no scripts), ``width`` pixels wide; it scales
    down with its container."""
    events = v.events
    if v.annotations is not None and len(v.annotations) and len(events):
        events = attach(events, v.request.case)
    events = with_lane(events, v.lane_by)
    lanes = lane_order(v, [events, v.density])
    plot_w = width - LEFT - RIGHT
    n_lanes = max(1, len(lanes))
    row_y = {ln: TOP + LANE_H * (i + 0.5) for i, ln in enumerate(lanes)}
    lanes_bottom = TOP + LANE_H * n_lanes
    body: list[str] = []

    for i, ln in enumerate(lanes):  # lane bands and labels
        y = row_y[ln]
        if i % 2 == 0:
            body.append(
                f"<rect x='{LEFT}' y='{y - LANE_H / 2:.1f}' width='{plot_w}' height='{LANE_H}' "
                "fill='#f6f8fa'/>"
            )
        label = _lane_label(ln, v.lane_by)
        body.append(
            f"<text x='{LEFT - 8}' y='{y + 4:.1f}' text-anchor='end' font-size='11' "
            f"fill='#24292f' data-lane='{escape(ln)}'>{escape(label[:26])}</text>"
        )
    body += _axis(v, plot_w, TOP - 6, lanes_bottom)
    body += _density(v, lanes, row_y, plot_w)

    marks = [
        (ts, str(kind), MILESTONE, "6 4")
        for ts, kind in zip(v.milestones["ts"].tolist(), v.milestones["kind"].tolist())
    ]
    marks += [(ts, label, "#999", "2 3") for ts, label in dst_switches(v.start, v.end, v.tz)]
    last_label = -1e9
    for ts, label, colour, dash in sorted(marks, key=lambda m: pd.Timestamp(m[0])):
        x = _x(ts, v, plot_w)
        shown = label[:40] if x - last_label > 60 else ""  # close marks: the hover names them
        last_label = x if shown else last_label
        body.append(
            f"<g class='wb-milestone'><line x1='{x:.1f}' x2='{x:.1f}' y1='{TOP - 6}' "
            f"y2='{lanes_bottom}' stroke='{colour}' stroke-dasharray='{dash}'/>"
            f"<text transform='translate({x + 2:.1f},{TOP - 9}) rotate(-30)' font-size='10' "
            f"fill='{colour}'>{escape(shown)}</text>"
            f"<title>{escape(label + chr(10) + _local(ts, v))}</title></g>"
        )

    key = v.color_by
    seen: dict[str, str] = {}
    records = events.to_dict("records") if len(events) else []
    ringed = False
    for row in records:
        lane = str(row["lane"])
        if lane not in row_y:
            continue
        value = _plain(row.get(key), "unknown")
        colour = seen.setdefault(value, colour_for(value, key))
        x, y = _x(row["ts"], v, plot_w), row_y[lane]
        tip = _hover(row, v, _lane_label(lane, v.lane_by))
        if _annotated(row):
            ringed = True
            body.append(
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='8' fill='none' stroke='#f2c500' "
                "stroke-width='2'/>"
            )
        body.append(_marker(x, y, colour, row["source"] in CASE_LANES, tip, _plain(row.get("ref"))))

    keys = [(k, c, "dot") for k, c in sorted(seen.items())]
    if ringed:
        keys.append(("annotated", "#f2c500", "ring"))
    if len(v.milestones):
        keys.append(("case milestone", MILESTONE, "line"))
    if v.mode == "density":
        keys.append((f"events per {bin_label(v.bin_seconds)} (darker: more)", DENSITY, "bin"))
    legend, legend_h = _legend(keys, lanes_bottom + AXIS_H + 10, width)
    height = lanes_bottom + AXIS_H + legend_h + 10
    head = (
        f"<text x='10' y='20' font-size='14' font-weight='600' fill='#24292f'>"
        f"{escape(title)}</text>"
    )
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' "
        f"width='{width}' height='{height}' {FONT} data-mode='{v.mode}' "
        f"data-events='{len(records)}' data-lanes='{len(lanes)}'>"
        + head
        + "".join(body)
        + "".join(legend)
        + "</svg>"
    )
