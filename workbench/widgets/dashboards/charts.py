"""Static SVG charts for the leads' dashboard, drawn with matplotlib in the kernel and shown as
plain SVG in the page.

Why not plotly here: evaluating its 4.8 MB browser bundle and drawing five figures took ~1.4 s
of the page's main thread (``benchmarks/voila.py``), and the dashboard must be complete
in under 2 s. A lead reads these charts at a glance; every bar carries its number and every
figure names the time zone of its weeks. The case app's timeline is SVG too
(:mod:`workbench.timeline.svg`).

Each function takes the frames :mod:`workbench.dashboards` computes and returns SVG text.
Categories are bars laid out horizontally (their labels read left to right, never overlap),
count axes tick at whole numbers only, and a view with nothing in it says so instead of drawing
an empty axis.
"""

from __future__ import annotations

import functools
import html
import io
import threading
from collections.abc import Sequence

import pandas as pd

BLUE, LIGHT_BLUE, ORANGE = "#1565c0", "#90caf9", "#ef6c00"
PRIORITY_COLOURS = {"P0": "#b71c1c", "P1": "#e65100", "P2": "#1565c0", "P3": "#90a4ae"}
WIDTH_IN = 11.5  # at 100 px per inch: the width of Voilà's page
_RC = {
    "svg.fonttype": "none",  # text stays text: small, searchable, readable by tests
    "svg.hashsalt": "workbench",  # stable ids: the same numbers give the same SVG
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#eaeef2",
    "grid.linewidth": 0.8,
}


def _figure(height_in: float, ncols: int = 1, **margins):
    """A figure of the page's width. Margins are fixed (in figure fractions) rather than
    computed by a layout engine, which took most of the drawing time."""
    from matplotlib.figure import Figure

    margins = {"left": 0.06, "right": 0.98, "top": 0.88, "bottom": 0.2, "wspace": 0.25, **margins}
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=100)
    fig.subplots_adjust(**margins)
    return fig, fig.subplots(1, ncols, squeeze=False)[0]


def _svg(fig, name: str, label: str) -> str:
    # the bar numbers' SVG groups become <name>-value-0, -1, ... in drawing order
    for i, text in enumerate(fig.findobj(lambda a: a.get_gid() == _VALUE)):
        text.set_gid(f"{name}-value-{i}")
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
    return (
        f"<div class='wb-figure' data-figure='{html.escape(name)}' role='img' "
        f"aria-label='{html.escape(label)}'>{text}</div>"
    )


NOTHING = "nothing in this view"


def _note(ax, message: str = NOTHING) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#57606a")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)


def _whole(axis) -> None:
    """Ticks at whole numbers only (a count of cases is never 2.5)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


def _short(text: str, width: int = 34) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _nothing(fig, ax, name: str, label: str) -> str:
    """The figure with a note instead of data: a filter can leave a view empty."""
    _note(ax)
    return _svg(fig, name, label)


_VALUE = "wb-bar-value"
# matplotlib's style settings are process-wide; a background refresh draws in another thread
_DRAWING = threading.Lock()


def _with_rc(draw):
    """Run a drawing function under the chart style (figure and axes pick it up when made),
    one drawing at a time."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs) -> str:
        import matplotlib

        with _DRAWING, matplotlib.rc_context(_RC):
            return draw(*args, **kwargs)

    return wrapper


def _values(ax, bars, labels: Sequence[str] | None = None, **kw) -> None:
    """Write each bar's number on it, tagged so that the figure's SVG names each one
    (``<figure>-value-<i>``): a test, or a screen reader's user, can read the numbers back."""
    for text in ax.bar_label(bars, labels=labels, **kw):
        text.set_gid(_VALUE)


@_with_rc
def queue(parts: Sequence[tuple[str, pd.DataFrame]]) -> str:
    """One horizontal bar chart per breakdown (title, frame of label and ``cases``), side by
    side; a breakdown with no open case says so."""
    rows = max((len(q) for _, q in parts), default=1)
    height = max(2.4, 0.24 * rows + 0.9)
    fig, axes = _figure(
        height,
        len(parts),
        left=0.09,
        right=0.99,
        bottom=0.3 / height,
        top=1 - 0.35 / height,
        wspace=0.55,
    )
    for ax, (title, q) in zip(axes, parts):
        ax.set_title(title)
        if q.empty or int(q["cases"].sum()) == 0:
            _note(ax, "no open case in this view")
            continue
        labels = [_short(str(v), 18) for v in q.iloc[:, 0]]
        ys = list(range(len(labels)))[::-1]  # the first value on top, drawn first
        bars = ax.barh(ys, list(q["cases"]), color=BLUE, height=0.6)
        ax.set_yticks(ys, labels)
        _values(ax, bars, fontsize=8, padding=2)
        ax.tick_params(axis="y", labelsize=8)
        ax.tick_params(axis="x", labelsize=7)
        _whole(ax.xaxis)
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.2)
    return _svg(fig, "queue", "open cases by status, priority, category and team")


@_with_rc
def flow(t: pd.DataFrame, zone: str) -> str:
    """Cases opened and resolved per week (bars) and the median hours to resolve (line)."""
    fig, (ax,) = _figure(3.0, right=0.94, bottom=0.17, top=0.88)
    if t.empty:
        return _nothing(fig, ax, "flow", "throughput per week")
    weeks = [pd.Timestamp(w).strftime("%d %b") for w in t["week"]]
    x = range(len(weeks))
    opened = ax.bar([i - 0.2 for i in x], t["opened"], 0.4, color=LIGHT_BLUE, label="opened")
    resolved = ax.bar([i + 0.2 for i in x], t["resolved"], 0.4, color=BLUE, label="resolved")
    _values(ax, opened, fontsize=7, padding=1)
    _values(ax, resolved, fontsize=7, padding=1)
    ax.set_xticks(list(x), weeks, fontsize=8)
    ax.set_xlabel(f"week starting ({zone})")
    ax.set_ylabel("cases")
    _whole(ax.yaxis)
    ax.margins(y=0.15)
    hours = ax.twinx()
    hours.plot(list(x), t["median_h"], marker="o", color=ORANGE, label="median hours to resolve")
    hours.set_ylabel("hours")
    hours.grid(False)
    hours.spines["right"].set_visible(True)
    handles = [opened, resolved] + hours.get_lines()
    ax.legend(
        handles,
        [h.get_label() for h in handles],
        loc="lower left",
        fontsize=8,
        frameon=False,
        ncols=3,
        bbox_to_anchor=(0.0, 1.0),
    )
    return _svg(fig, "flow", "cases opened and resolved per week, median hours to resolve")


@_with_rc
def backlog(b: pd.DataFrame) -> str:
    """Open cases per age bucket, stacked by priority."""
    fig, (ax,) = _figure(2.6, bottom=0.12, top=0.86)
    if b.empty or int(b["cases"].sum()) == 0:
        return _nothing(fig, ax, "backlog", "open cases by age, stacked by priority")
    bottom = [0] * len(b)
    for p, colour in PRIORITY_COLOURS.items():
        if p in b:
            ax.bar(b["age"].astype(str), b[p], bottom=bottom, color=colour, label=p)
            bottom = [x + int(y) for x, y in zip(bottom, b[p])]
    totals = ax.bar(b["age"].astype(str), [0] * len(b), bottom=bottom, color="none")
    _values(ax, totals, [str(v) for v in bottom], fontsize=8, padding=1)
    ax.set_ylabel("open cases")
    _whole(ax.yaxis)
    ax.margins(y=0.15)
    ax.legend(fontsize=8, frameon=False, ncols=4, loc="lower right", bbox_to_anchor=(1.0, 1.0))
    return _svg(fig, "backlog", "open cases by age, stacked by priority")


@_with_rc
def trends(t: pd.DataFrame, zone: str) -> str:
    """Cases opened per week, one line per category."""
    fig, (ax,) = _figure(2.9, right=0.83, bottom=0.18, top=0.95)
    if t.empty:
        return _nothing(fig, ax, "trends", "cases opened per week by category")
    for cat, g in t.groupby("category"):
        ax.plot(pd.to_datetime(g["week"]), g["cases"], marker="o", markersize=3, label=str(cat))
    ax.set_ylabel("cases opened")
    _whole(ax.yaxis)
    ax.set_xlabel(f"week starting ({zone})")
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _svg(fig, "trends", "cases opened per week by category")


@_with_rc
def action_mix(m: pd.DataFrame, titles: dict[str, str] | None = None) -> str:
    """Latest decisions per policy clause (the clause's title beside its code), stacked by
    enforcement action."""
    titles = titles or {}
    clauses = sorted(m["clause"].unique(), reverse=True) if not m.empty else []
    height = max(2.4, 0.3 * len(clauses) + 0.9)
    fig, (ax,) = _figure(height, left=0.3, right=0.83, bottom=0.5 / height, top=1 - 0.15 / height)
    if m.empty:
        return _nothing(fig, ax, "mix", "enforcement actions per policy clause")
    labels = [f"{c} {_short(titles[c], 40)}" if titles.get(c) else c for c in clauses]
    left = pd.Series(0, index=clauses)
    for action, g in m.groupby("action"):
        counts = g.set_index("clause")["cases"].reindex(clauses, fill_value=0)
        ax.barh(labels, counts, left=left, label=str(action))
        left = left + counts
    totals = ax.barh(labels, [0] * len(clauses), left=left.tolist(), color="none")
    _values(ax, totals, [str(int(v)) for v in left], fontsize=8, padding=2)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("cases (latest decision)")
    _whole(ax.xaxis)
    ax.margins(x=0.08)
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _svg(fig, "mix", "enforcement actions per policy clause")
