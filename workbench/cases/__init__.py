"""Cases: what a case is (:mod:`~workbench.cases.model`), its lifecycle and change log
(:mod:`~workbench.cases.lifecycle`), the policy taxonomy (:mod:`~workbench.cases.taxonomy`),
decisions and precedents (:mod:`~workbench.cases.decisions`), SLA clocks
(:mod:`~workbench.cases.sla`), notes, intake from the frontline queue and per-case notebooks.

The names a notebook or a script needs most are here: ``from workbench import cases`` then
``cases.get(case_id)``, ``cases.decide(...)``, ``cases.clocks(case)``; the submodules
(``cases.notes.notes(case_id)``, ``cases.decisions.decisions(case_id)``) hold the rest.
"""

from workbench.cases.decisions import (
    Decision,
    decide,
    latest_decision,
    precedent_summary,
    precedents,
)
from workbench.cases.lifecycle import (
    add_reporters,
    add_subjects,
    assign,
    claim,
    confidential_reporters,
    count_cases,
    counts_by_status,
    create,
    get,
    history,
    link,
    list_cases,
    record_action,
    renew_preservation,
    set_status,
    table,
    unit,
    update,
)
from workbench.cases.model import (
    OPEN_STATUSES,
    PRIORITIES,
    SOURCES,
    STATUSES,
    TRANSITIONS,
    Case,
    Change,
    Reporter,
    StaleCaseError,
)
from workbench.cases.notes import Note, add_note
from workbench.cases.sla import clocks, show_time
from workbench.cases.taxonomy import taxonomy

__all__ = [
    "Case",
    "Change",
    "Decision",
    "Note",
    "Reporter",
    "StaleCaseError",
    "OPEN_STATUSES",
    "PRIORITIES",
    "SOURCES",
    "STATUSES",
    "TRANSITIONS",
    "add_note",
    "add_reporters",
    "add_subjects",
    "assign",
    "claim",
    "clocks",
    "confidential_reporters",
    "count_cases",
    "counts_by_status",
    "create",
    "decide",
    "get",
    "history",
    "latest_decision",
    "link",
    "list_cases",
    "precedent_summary",
    "precedents",
    "record_action",
    "renew_preservation",
    "set_status",
    "show_time",
    "table",
    "taxonomy",
    "unit",
    "update",
]
