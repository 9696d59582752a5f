"""Jupyter widgets (ipywidgets): thin views over the core modules; no SQL and no rules inside.

Each view lives in its own module (``query_panel``, ``sql_editor``, ``timeline_view``, ...);
the SQL views are also reachable here: ``from workbench.widgets import QueryPanel, SqlEditor``.
Nothing is imported eagerly, so importing one view does not load the others.
"""
from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "QueryPanel": "workbench.widgets.query_panel",
    "ResultsTable": "workbench.widgets.results_table",
    "SqlEditor": "workbench.widgets.sql_editor",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'workbench.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
