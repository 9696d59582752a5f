"""Per-case notebooks: ``<home>/cases/<ID>/investigation.ipynb`` made from the category's
template (``templates/cases/<template>.ipynb``).

The case id is written into the template's one cell tagged ``parameters`` (Papermill's
convention), so the notebook has exactly one ``case_id`` cell and Papermill can still run it
with other parameters; the notebook is prepared, not executed. An existing notebook is never
overwritten: it is the specialist's work. The file is
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
    """The JupyterLab URL of the case notebook: ``WORKBENCH_LAB_URL`` is the tree URL of the
    cases folder (``workbench serve`` roots JupyterLab there: the file browser shows the cases,
    nothing else of the home)."""
    base = (settings or current_settings()).lab_url
    return f"{base.rstrip('/')}/{validate_case_id(case_id)}/{NOTEBOOK_NAME}"


def template_for(category: str) -> Path:
    """The notebook template of a category; every category in the taxonomy has one."""
    path = taxonomy().template_path(category)
    if not path.is_file():
        raise WorkbenchError(
            f"no notebook template for category {category} ({path.name})",
            "restore templates/cases/ from the repository",
        )
    return path


PARAMETERS_SOURCE = 'case_id = "{case_id}"  # this case (set by `workbench case open`)'


def prepare_notebook(template: Path, case_id: str) -> nbformat.NotebookNode:
    """The template with ``case_id`` set in its ``parameters`` cell, not executed."""
    from papermill.inspection import inspect_notebook

    if "case_id" not in inspect_notebook(template):
        raise WorkbenchError(
            f"template {template.name} has no case_id parameter",
            "its cell tagged `parameters` must set case_id",
        )
    nb = nbformat.read(template, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise WorkbenchError(
            f"template {template.name} has {len(cells)} cells tagged `parameters`",
            "keep exactly one: it sets case_id",
        )
    cells[0].source = PARAMETERS_SOURCE.format(case_id=validate_case_id(case_id))
    return nb


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
