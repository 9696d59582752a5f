"""Whether a read may be done for a case: the case must exist.

Every read of the platform that names a case (``--case`` on the command line, ``case=`` in
Python) passes through :func:`case_for_read` first, so a read is never audited against a case
that is not there. It is also where per-case access rules will go.
"""

from __future__ import annotations

from sqlalchemy import select

from workbench.config import Settings
from workbench.errors import NotFoundError
from workbench.ids import validate_case_id
from workbench.store.engine import cases_engine
from workbench.store.models import CaseRow


def case_for_read(case_id: object, cfg: Settings | None = None) -> str:
    """``case_id`` checked (format, then existence); :class:`NotFoundError` if there is no such
    case."""
    case = validate_case_id(case_id)
    with cases_engine(cfg).connect() as conn:
        found = conn.execute(select(CaseRow.case_id).where(CaseRow.case_id == case)).first()
    if found is None:
        raise NotFoundError(f"there is no case {case}", "check the id with `workbench case list`")
    return case
