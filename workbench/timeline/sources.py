"""Where timeline events come from: a registry of sources.

A *platform source* is a library query (``queries/<name>.sql``) plus a column mapping: one SQL
expression per timeline column, written over the query's result columns. The timeline wraps the
library query as a subquery and applies the mapping in the database, so filtering, density
binning and export all run there. A *case source* (milestones, notes) reads the case store
through a loader function instead.

Adding a source is one :func:`register` call; figures and widgets only read the registry and
the ``source`` column, so they need no change.

Mapping expressions must be portable between DuckDB and PostgreSQL: plain columns, string
literals, ``CASE WHEN``, ``COALESCE``, ``CAST(x AS VARCHAR)``, ``||`` and ``substr``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from workbench import cases
from workbench.cases.notes import notes
from workbench.errors import InputError

#: The columns every source yields, in this order (``subject`` is added by the timeline).
COLUMNS = ["ts", "source", "kind", "actor", "target", "summary", "severity", "ref", "subject"]

#: Severity levels, least to most severe (figures colour them in this order).
SEVERITIES = ["info", "low", "medium", "high"]

#: A case-source loader: (case id or None, subjects, start, end) -> DataFrame with COLUMNS.
Loader = Callable[[str | None, Sequence[int], datetime, datetime], pd.DataFrame]


@dataclass(frozen=True)
class Source:
    """One kind of event on the timeline.

    Platform sources set ``query`` and the SQL mapping fields; case sources set ``loader``.
    ``ts`` must name a timezone-aware timestamp column of the query's result.
    """

    name: str
    label: str
    query: str | None = None
    ts: str = "ts"
    id: str = "id"
    kind: str = "'event'"
    actor: str = "NULL"
    target: str = "NULL"
    summary: str = "NULL"
    severity: str = "'info'"
    subject_param: str = "user_id"
    distinct: bool = False
    loader: Loader | None = field(default=None, compare=False)
    description: str = ""
    users_as_parties: bool = False  # actor and target are platform user ids (redacted as people)

    @property
    def is_case_source(self) -> bool:
        return self.loader is not None

    def select_list(self) -> str:
        """The mapping as a SELECT list over the library query's columns (no ``subject``)."""
        return ", ".join(
            [
                f"{self.ts} AS ts",
                f"CAST('{self.name}' AS VARCHAR) AS source",
                f"CAST({self.kind} AS VARCHAR) AS kind",
                f"CAST({self.actor} AS VARCHAR) AS actor",
                f"CAST({self.target} AS VARCHAR) AS target",
                f"CAST({self.summary} AS VARCHAR) AS summary",
                f"CAST({self.severity} AS VARCHAR) AS severity",
                f"CAST('{self.name}:' || CAST({self.id} AS VARCHAR) AS VARCHAR) AS ref",
            ]
        )


_REGISTRY: dict[str, Source] = {}


def register(source: Source, *, replace: bool = False) -> Source:
    """Add a source to the registry (``replace=True`` to redefine one)."""
    if not source.name.isidentifier():
        raise InputError(
            f"source name {source.name!r} is not a plain identifier",
            "use letters, digits and underscores",
        )
    if (source.query is None) == (source.loader is None):
        raise InputError(f"source {source.name!r} needs exactly one of query= or loader=")
    if source.name in _REGISTRY and not replace:
        raise InputError(f"source {source.name!r} is already registered", "pass replace=True")
    _REGISTRY[source.name] = source
    return source


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def get(name: str) -> Source:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(
            f"unknown timeline source {name!r}", f"choose from {', '.join(_REGISTRY)}"
        ) from None


def names() -> list[str]:
    """Registered source names in lane order."""
    return list(_REGISTRY)


def resolve(sources: Sequence[str] | str | None) -> list[Source]:
    """The sources named (all when ``None``), in registry order, unknown names refused."""
    if sources is None:
        return list(_REGISTRY.values())
    wanted = [sources] if isinstance(sources, str) else list(sources)
    chosen = {get(n).name for n in wanted}
    return [s for s in _REGISTRY.values() if s.name in chosen]


def label(name: str) -> str:
    src = _REGISTRY.get(name)
    return src.label if src else name


def user_party_sources() -> frozenset[str]:
    """Sources whose actor and target hold platform user ids (elsewhere they hold a country,
    a field name, a clause, an action id, an analyst or a case id)."""
    return frozenset(n for n, src in _REGISTRY.items() if src.users_as_parties)


def user_party_rows(df: pd.DataFrame) -> list[bool]:
    """Per row of an events frame: are its actor and target platform user ids?"""
    if "source" not in df.columns:
        return [False] * len(df)
    return df["source"].astype(object).isin(user_party_sources()).tolist()


# --- built-in platform sources -------------------------------------------------------------
# Expressions name the result columns of each library query (queries/<query>.sql). Personal
# values (message bodies aside, which the specialist reads here) stay out of the summaries:
# reporters, old/new account values, IPs and device ids are left to the queries themselves.
# Column names follow the library queries in queries/*.sql (see each file's header).

register(
    Source(
        name="messages",
        label="Messages",
        query="messages_by_user",
        ts="sent_at",
        id="message_id",
        kind="'message_' || direction",
        actor="sender_id",
        target="recipient_id",
        users_as_parties=True,
        summary="CASE WHEN has_media THEN '[media] ' ELSE '' END || COALESCE(substr(body, 1, 120), '')",
        severity="'info'",
        description="Direct messages sent or received by the subject.",
    )
)

register(
    Source(
        name="reports",
        label="Reports",
        query="reports_against_user",
        ts="created_at",
        id="report_id",
        kind="'report_' || reason",
        # The reporter is confidential: never on a timeline (reporter_id is not mapped).
        actor="NULL",
        target="NULL",
        summary="'reported for ' || reason || COALESCE(': ' || substr(free_text, 1, 100), '')",
        severity="CASE WHEN reason IN ('threats', 'violent_threats', 'sextortion', 'minor_safety', "
        "'sexual_exploitation', 'csam', 'violence') THEN 'high' ELSE 'medium' END",
        description="Reports filed against the subject (reporter withheld).",
    )
)

register(
    Source(
        name="logins",
        label="Logins",
        query="logins_by_user",
        ts="ts",
        id="login_id",
        kind="CASE WHEN NOT success THEN 'login_failed' "
        "WHEN new_country THEN 'login_new_country' "
        "WHEN new_device THEN 'login_new_device' ELSE 'login' END",
        actor="NULL",
        target="country",
        summary="'login ' || CASE WHEN success THEN 'ok' ELSE 'failed' END || ' from ' || country"
        " || COALESCE(' / ' || city, '')"
        " || CASE WHEN new_country THEN ' (new country)' ELSE '' END"
        " || CASE WHEN new_device THEN ' (new device)' ELSE '' END",
        severity="CASE WHEN new_country THEN 'high' WHEN new_device THEN 'medium' "
        "WHEN NOT success THEN 'low' ELSE 'info' END",
        description="Login attempts; new countries and devices flagged by the library query.",
    )
)

register(
    Source(
        name="account_changes",
        label="Account changes",
        query="account_changes",
        ts="ts",
        id="change_id",
        kind="'change_' || field",
        actor="NULL",
        target="field",
        # Old and new values are not summarised: they are personal data (see the query for them).
        summary="field || ' changed' || CASE WHEN from_new_device THEN ' from a new device' ELSE '' END",
        severity="CASE WHEN field IN ('email', 'phone', 'password') OR from_new_device THEN 'high' "
        "WHEN field IN ('handle', 'display_name') THEN 'medium' ELSE 'low' END",
        description="Changes to account and profile fields (values withheld from the summary).",
    )
)

register(
    Source(
        name="payments",
        label="Payments",
        query="payments_by_user",
        ts="ts",
        id="payment_id",
        kind="'payment_' || status",
        actor="NULL",
        target="product",
        summary="product || ' ' || CAST(amount AS VARCHAR) || ' ' || currency || ' (' || status || ', '"
        " || instrument_type || ')'",
        severity="CASE WHEN status = 'chargeback' THEN 'high' WHEN status = 'refunded' THEN 'medium' "
        "WHEN status = 'failed' THEN 'low' ELSE 'info' END",
        description="Purchases, with failed payments, refunds and chargebacks.",
    )
)

register(
    Source(
        name="moderation",
        label="Moderation",
        query="moderation_history",
        ts="ts",
        id="action_id",
        kind="'mod_' || action",
        actor="actor",
        target="clause",
        summary="action || COALESCE(' under ' || clause, '') || COALESCE(': ' || substr(reason, 1, 100), '')",
        severity="CASE WHEN action IN ('permanent_ban', 'ban', 'temporary_suspension', 'suspension', "
        "'law_enforcement_referral', 'escalate_to_legal') THEN 'high' "
        "WHEN action IN ('warning', 'no_violation') THEN 'low' ELSE 'medium' END",
        distinct=True,  # the query joins appeals: an action with two appeals comes twice
        description="Enforcement taken on the platform.",
    )
)

register(
    Source(
        name="appeals",
        label="Appeals",
        query="appeals_by_user",
        ts="created_at",
        id="appeal_id",
        kind="'appeal_' || status",
        actor="NULL",
        target="action_id",
        summary="'appeal against ' || COALESCE(action, 'action') || COALESCE(' under ' || clause, '')"
        " || ' (' || status || ')'",
        severity="CASE WHEN status = 'overturned' THEN 'medium' ELSE 'low' END",
        description="Appeals against moderation actions.",
    )
)


# --- built-in case sources (case store) ----------------------------------------------------

_MILESTONE_KINDS = {
    "triaged": "triaged",
    "investigating": "investigating",
    "waiting": "waiting",
    "decided": "decided",
    "closed": "closed",
}


def _case_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS[:-1])
    df["subject"] = pd.array([pd.NA] * len(df), dtype="Int64")
    return df


def _case_milestones(
    case: str | None, subjects: Sequence[int], start: datetime, end: datetime
) -> pd.DataFrame:
    """Opened, claimed, assigned, status changes, decided, closed, reopened: from the change log."""
    if case is None:
        return _case_frame([])

    rows = []
    for i, ch in enumerate(cases.history(case)):
        kind = None
        summary = ""
        if ch.action == "create" and ch.field == "status":
            kind, summary, sev = "opened", f"case opened by {ch.who}", "medium"
        elif ch.action == "claim":
            kind, summary, sev = "claimed", f"claimed by {ch.who}", "low"
        elif ch.action == "assign":
            kind, summary, sev = "assigned", f"assigned to {ch.new or 'nobody'} by {ch.who}", "low"
        elif ch.action in ("status", "reopen") and ch.field == "status":
            new = str(ch.new)
            if new == "decided" and ch.action == "status":
                continue  # the decision row right after it says what was decided
            kind = "reopened" if ch.action == "reopen" else _MILESTONE_KINDS.get(new, "status")
            sev = "high" if new == "decided" else "medium" if ch.action == "reopen" else "low"
            summary = f"status {ch.old} -> {new} by {ch.who}" + (
                f" ({ch.reason})" if ch.reason else ""
            )
        elif ch.action == "decide" or ch.field == "decision":
            detail = ch.new if isinstance(ch.new, dict) else {}
            clauses = ", ".join(detail.get("clauses") or [])
            summary = (
                f"decided: {detail.get('action', 'decision')}"
                + (f" under {clauses}" if clauses else "")
                + f" by {ch.who}"
            )
            kind, sev = "decided", "high"
        if kind is None:
            continue
        rows.append(
            {
                "ts": ch.at,
                "source": "case",
                "kind": kind,
                "actor": ch.who,
                "target": case,
                "summary": summary,
                "severity": sev,
                "ref": f"case:{case}.{i}",
            }
        )
    return _case_frame(rows)


def _case_notes(
    case: str | None, subjects: Sequence[int], start: datetime, end: datetime
) -> pd.DataFrame:
    """The case's notes (first line as the summary)."""
    if case is None:
        return _case_frame([])

    rows = []
    for n in notes(case):
        first = (n.body.strip().splitlines() or [""])[0]
        rows.append(
            {
                "ts": n.at,
                "source": "notes",
                "kind": "note",
                "actor": n.author,
                "target": case,
                "summary": first[:160],
                "severity": "info",
                "ref": f"notes:{n.id}",
            }
        )
    return _case_frame(rows)


register(
    Source(
        name="case",
        label="Case milestones",
        loader=_case_milestones,
        description="Opened, claimed, status changes and decision, from the case change log.",
    )
)
register(
    Source(name="notes", label="Case notes", loader=_case_notes, description="The case's notes.")
)
