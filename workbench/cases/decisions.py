"""Decisions: the clauses, the action, the rationale, who and when. Recording one moves the case
to ``decided`` in the same transaction. :func:`precedents` shows how closed cases under a clause
were decided, so similar cases get similar outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.cases import lifecycle
from workbench.cases.taxonomy import check_action, check_clauses, taxonomy
from workbench.errors import InputError
from workbench.ids import check_user_id, validate_case_id
from workbench.store.models import CaseRow, DecisionClause, DecisionRow


@dataclass(frozen=True)
class Decision:
    case_id: str
    at: datetime
    who: str
    clauses: tuple[str, ...]
    action: str
    rationale: str
    subjects: tuple[int, ...]


def decide(
    case_id: str,
    *,
    clauses: Sequence[str],
    action: str,
    rationale: str,
    subjects: Sequence[int] | None = None,
    who: str | None = None,
    at: datetime | str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
) -> Decision:
    """Record the decision on a case under investigation (or waiting) and move it to ``decided``.

    ``subjects`` defaults to every subject of the case. The rationale is required: a decision
    an auditor cannot follow is not a decision.
    """
    validate_case_id(case_id)
    cl = check_clauses(clauses)
    act = check_action(action)
    rationale = (rationale or "").strip()
    if not rationale:
        raise InputError("a decision needs a rationale", "say why, in a sentence or two")
    who, at = lifecycle.analyst_or_default(who), lifecycle.time_or_now(at)
    with lifecycle.unit(session) as s:
        case = lifecycle.get(case_id, session=s)
        subj = [check_user_id(u) for u in subjects] if subjects is not None else list(case.subjects)
        strangers = [u for u in subj if u not in case.subjects]
        if strangers:
            raise InputError(
                f"user {strangers[0]} is not a subject of case {case_id}",
                "add them as a subject first",
            )
        crow = lifecycle.mark_decided(
            case_id, who=who, at=at, session=s, expected_version=expected_version
        )
        row = DecisionRow(
            case_id=case_id, at=at, who=who, action=act, rationale=rationale, subjects=subj
        )
        s.add(row)
        s.flush()
        for c in cl:
            s.add(DecisionClause(decision_id=row.id, clause=c))
        lifecycle.log_change(
            s,
            crow,
            who,
            at,
            "decide",
            "decision",
            None,
            {"clauses": cl, "action": act, "subjects": subj},
        )
        return Decision(case_id, at, who, tuple(cl), act, rationale, tuple(subj))


def decisions(case_id: str, *, session: Session | None = None) -> list[Decision]:
    """Every decision recorded on the case, oldest first (a reopened case may have several)."""
    validate_case_id(case_id)
    with lifecycle.unit(session) as s:
        rows = s.scalars(
            select(DecisionRow).where(DecisionRow.case_id == case_id).order_by(DecisionRow.id)
        ).all()
        return [_decision(s, r) for r in rows]


def latest_decision(case_id: str, *, session: Session | None = None) -> Decision | None:
    got = decisions(case_id, session=session)
    return got[-1] if got else None


def _decision(s: Session, r: DecisionRow) -> Decision:
    cl = s.scalars(
        select(DecisionClause.clause)
        .where(DecisionClause.decision_id == r.id)
        .order_by(DecisionClause.clause)
    ).all()
    return Decision(
        r.case_id, r.at, r.who, tuple(cl), r.action, r.rationale, tuple(r.subjects or ())
    )


def precedents(
    clause: str, *, exclude_case: str | None = None, limit: int = 50, session: Session | None = None
) -> pd.DataFrame:
    """How closed cases under ``clause`` were decided, newest first.

    Columns: case_id, category, priority, decided_at, action, action_title, clauses, rationale.
    Only closed cases count (their outcome is final); ``exclude_case`` leaves out the case at
    hand. See :func:`precedent_summary` for the share of each action.
    """
    clause = check_clauses([clause])[0]
    tax = taxonomy()
    q = (
        select(DecisionRow, CaseRow.category, CaseRow.priority)
        .join(CaseRow, CaseRow.case_id == DecisionRow.case_id)
        .join(DecisionClause, DecisionClause.decision_id == DecisionRow.id)
        .where(DecisionClause.clause == clause, CaseRow.status == "closed")
        .order_by(DecisionRow.at.desc(), DecisionRow.id.desc())
    )
    if exclude_case:
        q = q.where(DecisionRow.case_id != validate_case_id(exclude_case))
    rows = []
    with lifecycle.unit(session) as s:
        seen: set[str] = set()
        for r, category, priority in s.execute(q):
            if r.case_id in seen:  # a reopened case: its latest decision stands
                continue
            seen.add(r.case_id)
            d = _decision(s, r)
            rows.append(
                {
                    "case_id": r.case_id,
                    "category": category,
                    "priority": priority,
                    "decided_at": r.at,
                    "action": r.action,
                    "action_title": tax.actions[r.action].title
                    if r.action in tax.actions
                    else r.action,
                    "clauses": ", ".join(d.clauses),
                    "rationale": r.rationale,
                }
            )
            if len(rows) >= limit:
                break
    cols = [
        "case_id",
        "category",
        "priority",
        "decided_at",
        "action",
        "action_title",
        "clauses",
        "rationale",
    ]
    return pd.DataFrame(rows, columns=cols)


def precedent_summary(
    clause: str, *, exclude_case: str | None = None, session: Session | None = None
) -> pd.DataFrame:
    """For ``clause``: how many closed cases ended in each action, and their share."""
    df = precedents(clause, exclude_case=exclude_case, limit=1_000_000, session=session)
    if df.empty:
        return pd.DataFrame(columns=["action", "action_title", "cases", "share"])
    out = (
        df.groupby(["action", "action_title"])
        .size()
        .rename("cases")
        .reset_index()
        .sort_values(["cases", "action"], ascending=[False, True], ignore_index=True)
    )
    out["share"] = (out["cases"] / out["cases"].sum()).round(3)
    return out
