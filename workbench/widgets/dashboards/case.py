"""One case at a glance (read-only): header and SLA, subjects, timeline, key query results,
evidence list, decision and notes, all static HTML (the timeline is SVG: no plotly.js to
load, so the page shows at once). Opened as ``case.ipynb?case=ESC-YYYY-NNNNNN``; a bad or
unknown id gets a readable message, never a traceback. A thin view over
:func:`workbench.dashboards.case_page`.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from workbench import dashboards as dash
from workbench.config import settings as current_settings
from workbench.errors import WorkbenchError
from workbench.widgets.dashboards.parts import STYLE, error_box, kpis, table

PRIORITY_COLOURS = {"P0": "#b71c1c", "P1": "#e65100", "P2": "#1565c0", "P3": "#546e7a"}


def _h(text: str) -> str:
    return f"<h3 style='margin:14px 0 2px'>{html.escape(text)}</h3>"


def _note(text: str) -> str:
    return f"<p class='wb-note'>{html.escape(text)}</p>"


def merged(parts: list[str | w.Widget]) -> list[w.Widget]:
    """The page as widgets: each run of HTML pieces becomes one HTML widget. The page is static
    text around one figure, and every widget model costs the browser a round of state and a
    view (about 75 models became 6 on a page a lead opens case after case)."""
    out: list[w.Widget] = []
    run: list[str] = []
    for part in parts:
        if isinstance(part, str):
            run.append(f"<div>{part}</div>")
            continue
        if run:
            out.append(w.HTML("".join(run)))
            run = []
        out.append(part)
    if run:
        out.append(w.HTML("".join(run)))
    return out


class CaseApp(w.VBox):
    """``CaseApp.from_query("case=ESC-2026-000001")`` or ``CaseApp("ESC-2026-000001")``."""

    def __init__(
        self, case_id: str | None = None, *, error: str | None = None, now=None, mask: bool = True
    ) -> None:
        children: list[str | w.Widget] = [STYLE]
        self.case_id = None
        if error is None:
            try:
                page = dash.case_page(case_id, mask=mask, now=now)
            except WorkbenchError as err:
                error = str(err)
        if error is not None:
            children.append("<h2>Case</h2>" + error_box(f"This case cannot be shown: {error}"))
            super().__init__(merged(children))
            return
        self.case_id = page.case.case_id
        tz = current_settings().tz
        children += self._header(page, tz)
        children += [_h("SLA"), table(page.sla, "case_sla", tz)]
        children += [
            _h("Subjects"),
            table(page.subjects, "subjects", tz, empty="No subjects named."),
        ]
        children += [_h("Timeline")] + self._timeline(tz)
        children += [_h("Key query results")]
        if page.queries_note:
            children.append(_note(page.queries_note))
        for name, df in page.queries.items():
            children += [
                f"<h4>{html.escape(name)}</h4>",
                table(df, f"query_{name}", tz, max_rows=15),
            ]
        children += [_h("Evidence")]
        if page.evidence is None:
            children.append(_note(page.evidence_note))
        else:
            children.append(
                table(
                    page.evidence,
                    "evidence",
                    tz,
                    empty=page.evidence_note or "No evidence collected yet.",
                )
            )
        children += [
            _h("Decision"),
            table(page.decisions, "decisions", tz, empty="Not decided yet."),
        ]
        children += [_h("Notes"), table(page.notes, "notes", tz, empty="No notes yet.")]
        children += [
            _h("Recent changes"),
            table(page.changes.iloc[::-1], "changes", tz, max_rows=10),
        ]
        super().__init__(merged(children))

    @classmethod
    def from_query(cls, query_string: str | None, **kw) -> CaseApp:
        """The app for the case named in ``?case=...``, or a readable message if there is none."""
        try:
            case_id = dash.case_from_query(query_string)
        except WorkbenchError as err:
            return cls(error=str(err), **kw)
        return cls(case_id, **kw)

    def _header(self, page: dash.CasePage, tz) -> list[str | w.Widget]:
        c = page.case
        colour = PRIORITY_COLOURS.get(c.priority, "#546e7a")
        created = pd.Timestamp(c.created_at).tz_convert(tz.key).strftime("%Y-%m-%d %H:%M")
        title = (
            f"<h2 style='margin:4px 0' data-case-id='{html.escape(c.case_id)}'>"
            f"{html.escape(c.case_id)}: {html.escape(c.title)}</h2>"
            f"<div><span style='background:{colour};color:#fff;border-radius:4px;"
            f"padding:1px 6px'>{html.escape(c.priority)}</span> "
            f"<b data-field='status'>{html.escape(c.status)}</b> · "
            f"{html.escape(c.category)} · from {html.escape(c.source)} · "
            f"{html.escape(c.assignee or 'unassigned')} · opened {html.escape(created)} "
            f"({html.escape(tz.key)})</div>"
        )
        if c.summary:
            title += f"<p>{html.escape(c.summary)}</p>"
        worst = page.sla[page.sla["state"].isin(["breached", "missed"])]
        numbers = {
            "subjects": len(c.subjects),
            "notes": len(page.notes),
            "evidence": 0 if page.evidence is None else len(page.evidence),
            "decisions": len(page.decisions),
        }
        return [
            title,
            kpis(
                numbers,
                {
                    "subjects": "subjects",
                    "notes": "notes",
                    "evidence": "evidence items",
                    "decisions": "decisions",
                },
            ),
            ""
            if worst.empty
            else error_box("SLA: " + ", ".join(f"{r.clock} {r.state}" for r in worst.itertuples())),
        ]

    def _timeline(self, tz) -> list[str | w.Widget]:
        try:
            drawn, why = dash.case_timeline_svg(self.case_id, tz)
        except WorkbenchError as err:
            return [_note(f"The timeline cannot be drawn: {err}")]
        except Exception as exc:  # the timeline reads platform data that may be missing
            return [_note(f"The timeline cannot be drawn: {str(exc).splitlines()[0][:160]}")]
        if drawn is None:
            return [_note(why)]
        return [
            "<div class='wb-figure' data-figure='timeline' role='img' "
            f"aria-label='timeline of {html.escape(self.case_id or '')}'>{drawn}</div>"
            "<p class='wb-note'>Hover over an event for its details; the case notebook's "
            "timeline zooms and selects.</p>"
        ]
