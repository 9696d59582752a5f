"""Showing who reported a case: only with a reason, which the audit log keeps with the read.

:func:`workbench.cases.confidential_reporters` is what exporters use to *leave reporters out*;
a person who wants to *see* them (``workbench case show --internal``) goes through
:func:`show_reporters`.
"""

from __future__ import annotations

from workbench.cases.lifecycle import confidential_reporters, get
from workbench.cases.model import Reporter
from workbench.errors import InputError
from workbench.store import audit


def show_reporters(case_id: str, *, reason: str | None) -> list[Reporter]:
    """The confidential reporters of ``case_id``, for a team-internal view. ``reason`` (one
    line) is required and recorded with the read (``case.reporters``)."""
    if reason is None or not str(reason).strip():
        raise InputError(
            "showing the confidential reporters needs a reason",
            'give one with --reason "..." (it is recorded in the audit log)',
        )
    why = audit.check_reason(reason)
    case = get(case_id).case_id  # NotFoundError for an unknown case
    reps = confidential_reporters(case)
    audit.record(
        "case.reporters",
        case=case,
        reason=why,
        row_count=len(reps),
        subjects=[r.user_id for r in reps if r.user_id is not None],
        details={"outside_refs": sum(1 for r in reps if r.user_id is None)},
    )
    return reps
