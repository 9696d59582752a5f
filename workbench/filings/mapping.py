"""The editable mapping from our taxonomy to what regulators take: the ``dsa:`` and
``cybertip:`` sections of ``templates/policies.yaml`` (``WORKBENCH_POLICIES``).

Every wire value in the mapping is checked against the Transparency Database's own lists
(:mod:`workbench.filings.tdb`) when the file is read, so a typo or a value the database has
removed (``STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR``, say) is one line naming the key, not
a refused filing later. Re-read when the file changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.cases.taxonomy import taxonomy
from workbench.config import ENV_POLICIES, settings
from workbench.errors import WorkbenchError
from workbench.files import cached, read_yaml_mapping
from workbench.filings import tdb

GROUNDS = {"terms": tdb.INCOMPATIBLE, "illegal": tdb.ILLEGAL}


@dataclass(frozen=True)
class ClauseMap:
    clause: str
    category: str
    keywords: tuple[str, ...] = ()
    other: str = ""
    ground: str = tdb.INCOMPATIBLE
    legal_ground: str = ""
    also_illegal: str | None = None


@dataclass(frozen=True)
class Restriction:
    """What an action imposes: the four kinds of Art. 17(1) restriction and, for a temporary
    one, how many days it lasts."""

    visibility: tuple[str, ...] = ()
    monetary: str | None = None
    provision: str | None = None
    account: str | None = None
    days: int | None = None
    visibility_other: str = ""
    monetary_other: str = ""

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.visibility:
            out["decision_visibility"] = list(self.visibility)
        for name in ("monetary", "provision", "account"):
            if getattr(self, name):
                out[f"decision_{name}"] = getattr(self, name)
        return out


@dataclass(frozen=True)
class DsaMap:
    clauses: dict[str, ClauseMap]
    actions: dict[str, Restriction | None]
    territorial_scope: tuple[str, ...]
    account_type: str | None
    default_content_type: tuple[str, ...]
    content_type_other: str
    trusted_flagger_tag: str
    authority_sources: tuple[str, ...]
    automated_detection_tags: tuple[str, ...]
    complaint_reason: re.Pattern
    cybertip_categories: tuple[str, ...] = ()
    cybertip_clauses: tuple[str, ...] = ()
    documents: dict[str, str] = field(default_factory=dict)

    def restriction(self, action: str) -> Restriction | None:
        return self.actions.get(action)

    def clause(self, clause: str) -> ClauseMap:
        try:
            return self.clauses[clause]
        except KeyError:
            raise WorkbenchError(
                f"policies: clause {clause} has no statement-of-reasons mapping",
                "add it under dsa: clauses: in templates/policies.yaml",
            ) from None


def _bad(path: Path, where: str, what: str) -> WorkbenchError:
    return WorkbenchError(
        f"{path.name}: {where}: {what}",
        "fix the dsa:/cybertip: sections of templates/policies.yaml",
    )


def _one(path: Path, where: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        why = tdb.REMOVED_CATEGORIES.get(str(value))
        raise _bad(
            path,
            where,
            f"{value!r} is not a value the database takes" + (f" ({why})" if why else ""),
        )
    return str(value)


def _many(path: Path, where: str, values: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if values is None:
        return ()
    if not isinstance(values, list):
        raise _bad(path, where, "must be a list")
    return tuple(_one(path, where, v, allowed) for v in values)


def _load(path: Path) -> DsaMap:
    raw = read_yaml_mapping(path, what="policy taxonomy", hint="restore templates/policies.yaml")
    dsa = raw.get("dsa")
    if not isinstance(dsa, dict):
        raise _bad(path, "dsa", "the section is missing (the statement-of-reasons mapping)")
    tax = taxonomy()
    clauses: dict[str, ClauseMap] = {}
    for clause, spec in (dsa.get("clauses") or {}).items():
        where = f"dsa.clauses.{clause}"
        if clause not in tax.clauses:
            raise _bad(path, where, "is not a clause of the taxonomy")
        if not isinstance(spec, dict):
            raise _bad(path, where, "must be a mapping")
        ground = spec.get("ground", "terms")
        if ground not in GROUNDS:
            raise _bad(path, f"{where}.ground", f"{ground!r} is not terms or illegal")
        legal = str(spec.get("legal_ground") or "").strip()
        if ground == "illegal" and not legal:
            raise _bad(path, f"{where}.legal_ground", "an illegal-content ground names its law")
        also = spec.get("also_illegal")
        if also is not None:
            also = _one(path, f"{where}.also_illegal", str(also), tdb.YES_NO)
        clauses[clause] = ClauseMap(
            clause,
            _one(path, f"{where}.category", spec.get("category"), tdb.CATEGORIES),
            _many(path, f"{where}.keywords", spec.get("keywords"), tdb.KEYWORDS),
            str(spec.get("other") or "").strip(),
            GROUNDS[ground],
            legal,
            also,
        )
    missing = sorted(set(tax.clauses) - set(clauses))
    if missing:
        raise _bad(path, f"dsa.clauses.{missing[0]}", "has no mapping (every clause needs one)")
    actions: dict[str, Restriction | None] = {}
    for action, spec in (dsa.get("actions") or {}).items():
        where = f"dsa.actions.{action}"
        if action not in tax.actions:
            raise _bad(path, where, "is not an action of the taxonomy")
        if spec is None:
            actions[action] = None
            continue
        if not isinstance(spec, dict):
            raise _bad(path, where, "must be a mapping or null")
        days = spec.get("days")
        if days is not None and (not isinstance(days, int) or days < 1):
            raise _bad(path, f"{where}.days", "must be a whole number of days (1 or more)")
        r = Restriction(
            _many(path, f"{where}.visibility", spec.get("visibility"), tdb.VISIBILITIES),
            _one(path, f"{where}.monetary", spec["monetary"], tdb.MONETARIES)
            if spec.get("monetary")
            else None,
            _one(path, f"{where}.provision", spec["provision"], tdb.PROVISIONS)
            if spec.get("provision")
            else None,
            _one(path, f"{where}.account", spec["account"], tdb.ACCOUNTS)
            if spec.get("account")
            else None,
            days,
            str(spec.get("visibility_other") or ""),
            str(spec.get("monetary_other") or ""),
        )
        if not r.fields():
            raise _bad(path, where, "imposes no restriction: write null instead")
        actions[action] = r
    missing = sorted(set(tax.actions) - set(actions))
    if missing:
        raise _bad(
            path, f"dsa.actions.{missing[0]}", "has no mapping (null if it restricts nothing)"
        )
    scope = dsa.get("territorial_scope", "EEA")
    if scope == "EEA":
        scope_codes = tdb.EEA
    elif scope == "EU":
        scope_codes = tuple(tdb.EU)
    else:
        scope_codes = _many(path, "dsa.territorial_scope", scope, tdb.EEA)
    try:
        complaint = re.compile(str(dsa.get("complaint_reason") or "(?i)appeal|complaint"))
    except re.error as exc:
        raise _bad(path, "dsa.complaint_reason", f"is not a regular expression ({exc})") from None
    tip = raw.get("cybertip") or {}
    tip_cats = tuple(str(c) for c in tip.get("categories") or ())
    for c in tip_cats:
        if c not in tax.categories:
            raise _bad(path, "cybertip.categories", f"{c!r} is not a category")
    tip_clauses = tuple(str(c) for c in tip.get("clauses") or ())
    for c in tip_clauses:
        if c not in tax.clauses:
            raise _bad(path, "cybertip.clauses", f"{c!r} is not a clause")
    account_type = dsa.get("account_type")
    return DsaMap(
        clauses=clauses,
        actions=actions,
        territorial_scope=tuple(sorted(scope_codes)),
        account_type=_one(path, "dsa.account_type", account_type, tdb.ACCOUNT_TYPES)
        if account_type
        else None,
        default_content_type=_many(
            path, "dsa.default_content_type", dsa.get("default_content_type"), tdb.CONTENT_TYPES
        )
        or ("CONTENT_TYPE_OTHER",),
        content_type_other=str(dsa.get("content_type_other") or "Member account"),
        trusted_flagger_tag=str(dsa.get("trusted_flagger_tag") or "trusted_flagger"),
        authority_sources=tuple(str(s) for s in dsa.get("authority_sources") or ("legal",)),
        automated_detection_tags=tuple(str(t) for t in dsa.get("automated_detection_tags") or ()),
        complaint_reason=complaint,
        cybertip_categories=tip_cats,
        cybertip_clauses=tip_clauses,
        # the public pages of the policy documents, where the taxonomy names them
        documents={str(k): str(v) for k, v in (raw.get("documents") or {}).items()},
    )


def dsa_map() -> DsaMap:
    """The filing mapping of ``templates/policies.yaml`` (re-read when the file changes)."""
    return cached(
        settings().resource("policies_file"),
        _load,
        what="policy taxonomy",
        hint=f"restore templates/policies.yaml or fix {ENV_POLICIES}",
    )
