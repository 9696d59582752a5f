"""The merged timeline of a case's people (``wb.timeline``): where events come from
(:mod:`~workbench.timeline.sources`), the queries that merge, bin and page them
(:mod:`~workbench.timeline.query`), annotations (:mod:`~workbench.timeline.annotations`) and
static figures (:mod:`~workbench.timeline.figures`). The interactive view is
:class:`workbench.widgets.timeline_view.TimelineView`.
"""

from workbench.timeline.exports import ExportResult, export, read_export
from workbench.timeline.figures import static as figure
from workbench.timeline.query import (
    COLUMNS,
    Request,
    View,
    bin_width,
    case_subjects,
    density,
    events,
    extent,
    fetch,
    request,
    sql_for,
    view,
    with_display_time,
    zone,
    zoom,
)

__all__ = [
    "COLUMNS",
    "ExportResult",
    "Request",
    "View",
    "bin_width",
    "case_subjects",
    "density",
    "events",
    "export",
    "extent",
    "fetch",
    "figure",
    "read_export",
    "request",
    "sql_for",
    "view",
    "with_display_time",
    "zone",
    "zoom",
]
