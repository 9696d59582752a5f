"""Jupyter widgets (ipywidgets): thin views over the core packages; no SQL and no rules inside.

Each view lives in its own module; the ones a case notebook uses are reachable here, e.g.
``from workbench.widgets import TimelineView, EvidenceTray`` (or ``wb.widgets.TimelineView``).
Nothing is imported eagerly, so importing one view does not load the others. The Voilà pages'
views are in :mod:`workbench.widgets.dashboards`.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "CaseHeader": "workbench.widgets.case_header",
    "CasePhotos": "workbench.widgets.photo_grid",
    "CaseQuery": "workbench.widgets.case_query",
    "Conversations": "workbench.widgets.conversations",
    "DecisionForm": "workbench.widgets.decision_form",
    "EmergingClusters": "workbench.widgets.hunt",
    "EvidenceTray": "workbench.widgets.evidence_tray",
    "FilingsPanel": "workbench.widgets.filings_panel",
    "LinkedAccounts": "workbench.widgets.linked_accounts",
    "MediaPlayer": "workbench.widgets.media_player",
    "NotesPanel": "workbench.widgets.notes",
    "PhotoGrid": "workbench.widgets.photo_grid",
    "ProfileCardView": "workbench.widgets.profile_card",
    "QueryPanel": "workbench.widgets.query_panel",
    "ReplyComposer": "workbench.widgets.reply_composer",
    "ReportPanel": "workbench.widgets.report_panel",
    "ResultsGrid": "workbench.widgets.results_grid",
    "ResultsTable": "workbench.widgets.results_table",
    "SimilarClusters": "workbench.widgets.hunt",
    "SqlEditor": "workbench.widgets.sql_editor",
    "ThreadView": "workbench.widgets.thread_view",
    "TimelineView": "workbench.widgets.timeline_view",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'workbench.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
