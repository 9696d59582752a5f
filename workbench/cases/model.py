"""What a case is: its statuses and their moves, priorities, source teams, and the read-only
snapshots (:class:`Case`, :class:`Change`, :class:`Reporter`) that every view works from.

Reporters are confidential: :class:`Case` does not carry them. Internal views ask for them
explicitly (:func:`workbench.cases.lifecycle.confidential_reporters`); anything meant to leave
the team must not.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from workbench.errors import InputError, WorkbenchError

STATUSES = ("new", "triaged", "investigating", "waiting", "decided", "closed")


TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("triaged",),
    "triaged": ("investigating",),
    "investigating": ("waiting", "decided"),
    "waiting": ("investigating", "decided"),
    "decided": ("closed", "investigating"),
    "closed": ("investigating",),
}


REOPEN_FROM = ("decided", "closed")


OPEN_STATUSES = ("new", "triaged", "investigating", "waiting")


# The resolution clock does not run in these statuses (see workbench.cases.sla).
PAUSED_STATUSES = ("waiting", "decided", "closed")


PRIORITIES = ("P0", "P1", "P2", "P3")


SOURCES = ("support", "moderation", "trust_safety", "safety_compliance", "legal", "other")


EDITABLE = ("title", "summary", "category", "priority", "source", "tags", "custom")


class StaleCaseError(WorkbenchError):
    """The case changed since the caller read it; reload and try again."""

    exit_code = 4


@dataclass(frozen=True)
class Case:
    """A read-only snapshot of a case (reporters deliberately absent)."""

    case_id: str
    title: str
    summary: str | None
    category: str
    priority: str
    source: str
    status: str
    assignee: str | None
    tags: tuple[str, ...]
    custom: dict
    subjects: tuple[int, ...]
    related: tuple[str, ...]
    external_id: str | None
    created_at: datetime
    created_by: str
    claimed_at: datetime | None
    first_action_at: datetime | None
    decided_at: datetime | None
    closed_at: datetime | None
    paused_seconds: float
    paused_since: datetime | None
    preservation_due: datetime | None
    version: int
    updated_at: datetime
    updated_by: str

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def allowed_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]

    def as_dict(self) -> dict:
        return asdict(self)

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = [
            ("Status", self.status),
            ("Priority", self.priority),
            ("Category", self.category),
            ("Assignee", self.assignee or "unassigned"),
            ("Subjects", ", ".join(map(str, self.subjects)) or "none"),
            ("Created", self.created_at.strftime("%Y-%m-%d %H:%M UTC")),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{esc(k)}</th><td>{esc(str(v))}</td></tr>"
            for k, v in rows
        )
        return f"<h3>{esc(self.case_id)}: {esc(self.title)}</h3><table>{body}</table>"


@dataclass(frozen=True)
class Change:
    """One row of a case's change log."""

    case_id: str
    at: datetime
    who: str
    action: str
    field: str | None
    old: Any
    new: Any
    reason: str | None
    version: int


@dataclass(frozen=True)
class Reporter:
    """A confidential reporter: a platform user id and/or an outside reference."""

    user_id: int | None
    ref: str | None


def check_priority(value: str) -> str:
    v = str(value).strip().upper()
    if v not in PRIORITIES:
        raise InputError(f"unknown priority {value!r}", "use P0 (most urgent), P1, P2 or P3")
    return v


def check_source(value: str) -> str:
    v = str(value).strip().lower().replace(" & ", "_").replace(" ", "_").replace("-", "_")
    v = {
        "trust_and_safety": "trust_safety",
        "t&s": "trust_safety",
        "safety_and_compliance": "safety_compliance",
        "other_department": "other",
    }.get(v, v)
    if v not in SOURCES:
        raise InputError(f"unknown source team {value!r}", f"use one of: {', '.join(SOURCES)}")
    return v


def check_custom(custom: object) -> dict:
    if not isinstance(custom, dict):
        raise InputError("custom fields are given as a mapping of name to value")
    try:
        json.dumps(custom)
    except (TypeError, ValueError):
        raise InputError(
            "custom field values must be text, numbers, true/false, lists or mappings",
            "convert times to ISO-8601 text",
        ) from None
    bad = [k for k in custom if not isinstance(k, str) or not k.strip() or len(k) > 48]
    if bad:
        raise InputError(f"custom field name {bad[0]!r} is not valid", "use 1 to 48 characters")
    return custom


def clean_tags(tags: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    for t in tags or ():
        t = str(t).strip()
        if t and t not in out:
            out.append(t)
    return out
