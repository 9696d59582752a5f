"""Per-case notebooks: ``<home>/cases/<ID>/investigation.ipynb`` made from the category's
template (``templates/cases/<template>.ipynb``).

The case id is injected through Papermill's parameters mechanism (a cell tagged
``injected-parameters`` after the template's ``parameters`` cell); the notebook is prepared, not
executed. An existing notebook is never overwritten: it is the specialist's work. The file is
written to a temporary name and hard-linked into place, which is atomic and fails if another
process got there first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from workbench.cases import lifecycle
from workbench.cases.taxonomy import taxonomy
from workbench.config import Settings
from workbench.config import settings as current_settings
from workbench.errors import WorkbenchError
from workbench.files import atomic_write
from workbench.ids import case_folder, validate_case_id

NOTEBOOK_NAME = "investigation.ipynb"


@dataclass(frozen=True)
class CaseNotebook:
    case_id: str
    path: Path
    url: str
    created: bool  # False: it existed already and was left as it was


def lab_url(case_id: str, settings: Settings | None = None) -> str:
    """The JupyterLab URL of the case notebook (server root = WORKBENCH_HOME)."""
    base = (settings or current_settings()).lab_url
    return f"{base.rstrip('/')}/cases/{validate_case_id(case_id)}/{NOTEBOOK_NAME}"


def template_for(category: str) -> Path:
    """The notebook template of a category; every category in the taxonomy has one."""
    path = taxonomy().template_path(category)
    if not path.is_file():
        raise WorkbenchError(
            f"no notebook template for category {category} ({path.name})",
            "restore templates/cases/ from the repository",
        )
    return path


def prepare_notebook(template: Path, case_id: str) -> nbformat.NotebookNode:
    """The template with ``case_id`` injected (Papermill), not executed."""
    from papermill.inspection import inspect_notebook
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    if "case_id" not in inspect_notebook(template):
        raise WorkbenchError(
            f"template {template.name} has no case_id parameter",
            "its cell tagged `parameters` must set case_id",
        )
    nb = load_notebook_node(str(template))
    return parameterize_notebook(
        nb,
        {"case_id": validate_case_id(case_id)},
        comment="Case parameters (injected by workbench case open)",
    )


def open_case_notebook(case_id: str, settings: Settings | None = None) -> CaseNotebook:
    """Create the case's investigation notebook if it does not exist yet; return where it is."""
    s = settings or current_settings()
    case = lifecycle.get(validate_case_id(case_id))
    folder = case_folder(s.cases_dir, case.case_id)
    path = folder / NOTEBOOK_NAME
    url = lab_url(case.case_id, s)
    if path.exists():
        return CaseNotebook(case.case_id, path, url, False)
    nb = prepare_notebook(template_for(case.category), case.case_id)
    folder.mkdir(parents=True, exist_ok=True)
    # never replace a notebook another process made meanwhile: it is the specialist's work
    created = atomic_write(path, nbformat.writes(nb), if_exists="keep")
    return CaseNotebook(case.case_id, path, url, created)
