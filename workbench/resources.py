"""Files that ship inside the package: the query library, the case, reply and redaction
templates, the policy taxonomy, the SLA policy, the risk-term lists, the Voilà template and the
dashboard and report notebooks.

In the repository they live where users look for them (``queries/``, ``templates/``,
``notebooks/`` at the top level); ``workbench/resources/`` links to them, and the build copies
them into the wheel, so an installed package finds the same files under ``site-packages``.
Everything is located with :mod:`importlib.resources`, never from a source checkout's layout.
The ``WORKBENCH_*`` folder settings (:mod:`workbench.config`) point elsewhere when a team keeps
its own copies.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from workbench.errors import WorkbenchError

QUERIES = ("queries",)
POLICIES = ("templates", "policies.yaml")
SLA = ("templates", "sla.yaml")
CASE_TEMPLATES = ("templates", "cases")
RESPONSES = ("templates", "responses")
TERMS = ("templates", "terms")
REDACTION = ("templates", "redaction")
FILINGS = ("templates", "filings")
VOILA = ("templates", "voila")
LAB = ("templates", "lab")
DASHBOARDS = ("notebooks", "dashboards")
REPORT_NOTEBOOK = ("notebooks", "reports", "case_report.ipynb")


def path(parts: tuple[str, ...]) -> Path:
    """A shipped resource as a path on disk (the package is always installed unzipped)."""
    node = files("workbench").joinpath("resources", *parts)
    where = Path(str(node))
    if not where.exists():
        raise WorkbenchError(
            f"the package lacks its resource {'/'.join(parts)}",
            "reinstall the workbench (the wheel carries queries/, templates/ and notebooks/)",
        )
    return where
