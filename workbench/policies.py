"""Policy taxonomy, enforcement actions and decisions.

``templates/policies.yaml`` holds the Community Guidelines / Terms of Service clauses, the case
categories (each naming its notebook template) and the enforcement actions. A decision records
the clauses, the action, the rationale, who and when, and moves the case to ``decided`` in the
same transaction. :func:`precedents` shows how closed cases under a clause were decided, so
similar cases get similar outcomes.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .case_ids import validate_case_id
from .errors import InputError, WorkbenchError
from .store import Base, UTCDateTime

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
POLICIES_FILE = TEMPLATES_DIR / "policies.yaml"


# --------------------------------------------------------------------------- taxonomy

@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    document: str
    area: str


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    severity: int


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    template: str
    default_priority: str
    clauses: tuple[str, ...]
    preservation: bool = False


@dataclass(frozen=True)
class Taxonomy:
    clauses: dict[str, Clause]
    actions: dict[str, Action]
    categories: dict[str, Category]
    scenario_categories: dict[str, str]

    def template_path(self, category: str) -> Path:
        """The notebook template of ``category``."""
        return TEMPLATES_DIR / "cases" / f"{self.categories[category].template}.ipynb"


def _load(path: Path) -> Taxonomy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise WorkbenchError(f"cannot read the policy taxonomy {path}: {exc}".splitlines()[0],
                             "restore templates/policies.yaml") from None
    try:
        clauses = {k: Clause(k, v["title"], v["document"], v["area"])
                   for k, v in raw["clauses"].items()}
        actions = {k: Action(k, v["title"], int(v["severity"])) for k, v in raw["actions"].items()}
        cats = {k: Category(k, v["title"], v["template"], v["default_priority"],
                            tuple(v["clauses"]), bool(v.get("preservation", False)))
                for k, v in raw["categories"].items()}
        scen = dict(raw.get("scenario_categories") or {})
    except (KeyError, TypeError, AttributeError) as exc:
        raise WorkbenchError(f"{path} is malformed (missing {exc})",
                             "compare it with the shipped templates/policies.yaml") from None
    for c in cats.values():
        missing = [cl for cl in c.clauses if cl not in clauses]
        if missing:
            raise WorkbenchError(f"{path}: category {c.id} cites unknown clause {missing[0]}")
    for kind, cat in scen.items():
        if cat not in cats:
            raise WorkbenchError(f"{path}: scenario {kind} maps to unknown category {cat}")
    return Taxonomy(clauses, actions, cats, scen)


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> Taxonomy:
    return _load(Path(path))


def taxonomy() -> Taxonomy:
    """The policy taxonomy (re-read when the file changes)."""
    path = Path(os.environ.get("WORKBENCH_POLICIES", str(POLICIES_FILE)))
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise WorkbenchError(f"no policy taxonomy at {path}", "restore templates/policies.yaml") from None
    return _cached(str(path), mtime)


def clauses_table() -> pd.DataFrame:
    """Every clause with its document and area."""
    return pd.DataFrame([vars(c) for c in taxonomy().clauses.values()])


# --------------------------------------------------------------------------- decisions

class DecisionRow(Base):
    __tablename__ = "case_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.case_id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    who: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    rationale: Mapped[str] = mapped_column(Text)
    subjects: Mapped[list] = mapped_column(JSON, default=list)


class DecisionClause(Base):
    __tablename__ = "case_decision_clauses"

    decision_id: Mapped[int] = mapped_column(ForeignKey("case_decisions.id"), primary_key=True)
    clause: Mapped[str] = mapped_column(String(48), primary_key=True, index=True)


@dataclass(frozen=True)
class Decision:
    case_id: str
    at: datetime
    who: str
    clauses: tuple[str, ...]
    action: str
    rationale: str
    subjects: tuple[int, ...]


def check_clauses(values: Sequence[str]) -> list[str]:
    tax = taxonomy()
    out = []
    for v in values:
        v = str(v).strip()
        if v not in tax.clauses:
            raise InputError(f"unknown policy clause {v!r}",
                             "see templates/policies.yaml (e.g. CG-1.1, ToS-3.1)")
        if v not in out:
            out.append(v)
    if not out:
        raise InputError("a decision cites at least one policy clause", "pass --clause CLAUSE")
    return out


def check_action(value: str) -> str:
    acts = taxonomy().actions
    if value not in acts:
        raise InputError(f"unknown enforcement action {value!r}", f"use one of: {', '.join(acts)}")
    return value


def decide(case_id: str, *, clauses: Sequence[str], action: str, rationale: str,
           subjects: Sequence[int] | None = None, who: str | None = None,
           at: datetime | str | None = None, expected_version: int | None = None,
           session: Session | None = None) -> Decision:
    """Record the decision on a case under investigation (or waiting) and move it to ``decided``.

    ``subjects`` defaults to every subject of the case. The rationale is required: a decision
    an auditor cannot follow is not a decision.
    """
    from . import cases

    validate_case_id(case_id)
    cl = check_clauses(clauses)
    act = check_action(action)
    rationale = (rationale or "").strip()
    if not rationale:
        raise InputError("a decision needs a rationale", "say why, in a sentence or two")
    who, at = cases._who(who), cases._at(at)
    with cases.unit(session) as s:
        case = cases.get(case_id, session=s)
        subj = [cases.check_user_id(u) for u in subjects] if subjects is not None else list(case.subjects)
        strangers = [u for u in subj if u not in case.subjects]
        if strangers:
            raise InputError(f"user {strangers[0]} is not a subject of case {case_id}",
                             "add them as a subject first")
        cases.set_status(case_id, "decided", who=who, at=at, session=s,
                                 expected_version=expected_version, _decision=True)
        row = DecisionRow(case_id=case_id, at=at, who=who, action=act, rationale=rationale,
                          subjects=subj)
        s.add(row)
        s.flush()
        for c in cl:
            s.add(DecisionClause(decision_id=row.id, clause=c))
        crow = s.get(cases.CaseRow, case_id)
        cases._log(s, crow, who, at, "decide", "decision",
                   None, {"clauses": cl, "action": act, "subjects": subj})
        return Decision(case_id, at, who, tuple(cl), act, rationale, tuple(subj))


def decisions(case_id: str, *, session: Session | None = None) -> list[Decision]:
    """Every decision recorded on the case, oldest first (a reopened case may have several)."""
    from . import cases

    validate_case_id(case_id)
    with cases.unit(session) as s:
        rows = s.scalars(select(DecisionRow).where(DecisionRow.case_id == case_id)
                         .order_by(DecisionRow.id)).all()
        return [_decision(s, r) for r in rows]


def latest_decision(case_id: str, *, session: Session | None = None) -> Decision | None:
    got = decisions(case_id, session=session)
    return got[-1] if got else None


def _decision(s: Session, r: DecisionRow) -> Decision:
    cl = s.scalars(select(DecisionClause.clause).where(DecisionClause.decision_id == r.id)
                   .order_by(DecisionClause.clause)).all()
    return Decision(r.case_id, r.at, r.who, tuple(cl), r.action, r.rationale, tuple(r.subjects or ()))


def precedents(clause: str, *, exclude_case: str | None = None, limit: int = 50,
               session: Session | None = None) -> pd.DataFrame:
    """How closed cases under ``clause`` were decided, newest first.

    Columns: case_id, category, priority, decided_at, action, action_title, clauses, rationale.
    Only closed cases count (their outcome is final); ``exclude_case`` leaves out the case at
    hand. See :func:`precedent_summary` for the share of each action.
    """
    from . import cases

    clause = check_clauses([clause])[0]
    tax = taxonomy()
    q = (select(DecisionRow, cases.CaseRow.category, cases.CaseRow.priority)
         .join(cases.CaseRow, cases.CaseRow.case_id == DecisionRow.case_id)
         .join(DecisionClause, DecisionClause.decision_id == DecisionRow.id)
         .where(DecisionClause.clause == clause, cases.CaseRow.status == "closed")
         .order_by(DecisionRow.at.desc(), DecisionRow.id.desc()))
    if exclude_case:
        q = q.where(DecisionRow.case_id != validate_case_id(exclude_case))
    rows = []
    with cases.unit(session) as s:
        seen: set[str] = set()
        for r, category, priority in s.execute(q):
            if r.case_id in seen:  # a reopened case: its latest decision stands
                continue
            seen.add(r.case_id)
            d = _decision(s, r)
            rows.append({"case_id": r.case_id, "category": category, "priority": priority,
                         "decided_at": r.at, "action": r.action,
                         "action_title": tax.actions[r.action].title if r.action in tax.actions else r.action,
                         "clauses": ", ".join(d.clauses), "rationale": r.rationale})
            if len(rows) >= limit:
                break
    cols = ["case_id", "category", "priority", "decided_at", "action", "action_title", "clauses",
            "rationale"]
    return pd.DataFrame(rows, columns=cols)


def precedent_summary(clause: str, *, exclude_case: str | None = None,
                      session: Session | None = None) -> pd.DataFrame:
    """For ``clause``: how many closed cases ended in each action, and their share."""
    df = precedents(clause, exclude_case=exclude_case, limit=1_000_000, session=session)
    if df.empty:
        return pd.DataFrame(columns=["action", "action_title", "cases", "share"])
    out = (df.groupby(["action", "action_title"]).size().rename("cases").reset_index()
           .sort_values(["cases", "action"], ascending=[False, True], ignore_index=True))
    out["share"] = (out["cases"] / out["cases"].sum()).round(3)
    return out
