"""T&S Investigation Workbench.

Use it as ``import workbench as wb``. Names resolve lazily so that importing the package stays
cheap in every kernel:

* ``wb.settings()`` current settings (see :mod:`workbench.config`)
* ``wb.query(name, case=None, **params)`` / ``wb.sql(text, case=None, **params)``
* ``wb.queries``, ``wb.cases``, ``wb.timeline``, ``wb.evidence``, ``wb.reports``,
  ``wb.content``, ``wb.replies``: the core packages; ``wb.widgets``: the notebook views
"""

import importlib
from importlib.metadata import version
from typing import Any

__version__ = version("ts-workbench")

# name -> (module, attribute or None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    "settings": ("workbench.config", "settings"),
    "WorkbenchError": ("workbench.errors", "WorkbenchError"),
    "query": ("workbench.queries.run", "query"),
    "sql": ("workbench.queries.run", "sql"),
    "queries": ("workbench.queries", None),
    "cases": ("workbench.cases", None),
    "hunt": ("workbench.hunt", None),
    "timeline": ("workbench.timeline", None),
    "evidence": ("workbench.evidence", None),
    "reports": ("workbench.reports", None),
    "content": ("workbench.content", None),
    "replies": ("workbench.replies", None),
    "widgets": ("workbench.widgets", None),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}") from None
    mod = importlib.import_module(module)
    return mod if attr is None else getattr(mod, attr)


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
