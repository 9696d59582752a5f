"""The policy taxonomy: the Community Guidelines / Terms of Service clauses, the enforcement
actions and the case categories (each naming its notebook template), from
``templates/policies.yaml`` (``WORKBENCH_POLICIES``). Re-read when the file changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.config import ENV_POLICIES, settings
from workbench.errors import InputError, WorkbenchError
from workbench.files import cached, read_yaml_mapping


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    document: str
    area: str
    url: str = ""  # the clause on its document's public page ("" when the page is not named)


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
    documents: dict[str, str] | None = None  # document -> public page

    def template_path(self, category: str) -> Path:
        """The notebook template of ``category`` (in ``WORKBENCH_CASE_TEMPLATES``)."""
        folder = settings().resource("case_templates_dir")
        return folder / f"{self.categories[category].template}.ipynb"


def _load(path: Path) -> Taxonomy:
    raw = read_yaml_mapping(path, what="policy taxonomy", hint="restore templates/policies.yaml")
    try:
        documents = {str(k): str(v) for k, v in (raw.get("documents") or {}).items()}
        clauses = {
            k: Clause(k, v["title"], v["document"], v["area"], _clause_url(documents, k, v))
            for k, v in raw["clauses"].items()
        }
        actions = {k: Action(k, v["title"], int(v["severity"])) for k, v in raw["actions"].items()}
        cats = {
            k: Category(
                k,
                v["title"],
                v["template"],
                v["default_priority"],
                tuple(v["clauses"]),
                bool(v.get("preservation", False)),
            )
            for k, v in raw["categories"].items()
        }
        scen = dict(raw.get("scenario_categories") or {})
    except (KeyError, TypeError, AttributeError) as exc:
        raise WorkbenchError(
            f"{path} is malformed (missing {exc})",
            "compare it with the shipped templates/policies.yaml",
        ) from None
    for c in cats.values():
        missing = [cl for cl in c.clauses if cl not in clauses]
        if missing:
            raise WorkbenchError(f"{path}: category {c.id} cites unknown clause {missing[0]}")
    for kind, cat in scen.items():
        if cat not in cats:
            raise WorkbenchError(f"{path}: scenario {kind} maps to unknown category {cat}")
    return Taxonomy(clauses, actions, cats, scen, documents)


def _clause_url(documents: dict[str, str], clause: str, spec: dict) -> str:
    page = documents.get(spec["document"], "")
    return f"{page}#{clause.lower().replace('.', '-')}" if page else ""


def taxonomy() -> Taxonomy:
    """The policy taxonomy (re-read when the file changes)."""
    return cached(
        settings().resource("policies_file"),
        _load,
        what="policy taxonomy",
        hint=f"restore templates/policies.yaml or fix {ENV_POLICIES}",
    )


def check_category(value: str) -> str:
    """``value`` if it is a case category of the taxonomy, else :class:`InputError`."""
    cats = taxonomy().categories
    if value not in cats:
        raise InputError(f"unknown category {value!r}", f"use one of: {', '.join(cats)}")
    return value


def check_clauses(values: Sequence[str]) -> list[str]:
    tax = taxonomy()
    out = []
    for v in values:
        v = str(v).strip()
        if v not in tax.clauses:
            raise InputError(
                f"unknown policy clause {v!r}", "see templates/policies.yaml (e.g. CG-1.1, ToS-3.1)"
            )
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
