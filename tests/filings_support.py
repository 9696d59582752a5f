"""Shared helpers for the filings tests: the planted cases and how a specialist decides them.
The fixtures (the demo's cases filed once per session, a fresh copy per test) are in
``filings_fixtures``."""

from __future__ import annotations

#: How a specialist decides each planted scenario: (clauses, action, rationale).
DECISIONS = {
    "romance_scam_ring": (
        ["CG-1.2"],
        "permanent_ban",
        "Linked accounts asked several members for gift cards after weeks of romance.",
    ),
    "account_takeover": (
        ["ToS-3.1"],
        "feature_restriction",
        "Messaging restricted while the owner secures the account after a takeover.",
    ),
    "harassment_campaign": (
        ["CG-3.1", "CG-3.3"],
        "temporary_suspension",
        "A burst of abusive messages to many members; first serious breach.",
    ),
    "sextortion": (
        ["CG-5.2"],
        "permanent_ban",
        "Threatened to share intimate images unless paid; the messages confirm it.",
    ),
    "impersonation": (
        ["CG-2.1"],
        "content_removal",
        "The profile used another member's photos; the copies were removed.",
    ),
    "false_reporting": (["CG-7.2"], "no_violation", "The reports were coordinated and false."),
    "law_enforcement_request": (
        ["ToS-10.1"],
        "request_fulfilled",
        "Request verified; records preserved and produced within its scope.",
    ),
    "privacy_request": (["ToS-9.1"], "request_fulfilled", "Access request answered."),
}
RESTRICTING = {k for k, (_, action, _) in DECISIONS.items() if action != "no_violation"} - {
    "law_enforcement_request",
    "privacy_request",
}


def planted() -> dict[str, str]:
    """Planted scenario kind -> its case id."""
    from workbench import cases

    return {
        c.custom["scenario"]: c.case_id
        for c in cases.list_cases()
        if "planted" in c.tags and c.custom.get("scenario")
    }


def work(case_id: str, who: str = "f.tester") -> None:
    """Bring a case to investigating, as a specialist does before deciding."""
    from workbench import cases

    c = cases.get(case_id)
    path = {"new": ["triaged", "investigating"], "triaged": ["investigating"], "waiting": []}
    for status in path.get(c.status, []):
        cases.set_status(case_id, status, who=who)


def decide(case_id: str, kind: str) -> None:
    from workbench.cases import decisions

    clauses, action, rationale = DECISIONS[kind]
    work(case_id)
    decisions.decide(case_id, clauses=clauses, action=action, rationale=rationale)


def decide_planted() -> dict[str, str]:
    ids = planted()
    for kind, case_id in ids.items():
        decide(case_id, kind)
    return ids
