"""Reply drafts say true things: the takeover victim hears their account is secured (not that
it broke our rules), links go to the policy page the taxonomy names for the rule, the greeting
uses the name the member chose, and a reply that reports a decision waits for one."""

from __future__ import annotations

import re

import pytest

from workbench import cases, replies
from workbench.cases.taxonomy import taxonomy
from workbench.errors import InputError


@pytest.fixture
def store_analyst() -> str:
    return "replies.day"


def _decide(case_id: str, clause: str, action: str) -> None:
    cases.set_status(case_id, "triaged")
    cases.set_status(case_id, "investigating")
    cases.decide(case_id, clauses=[clause], action=action, rationale="Evidence reviewed.")


def test_the_takeover_victim_is_told_their_account_is_secured(wb_env, ground_truth):
    victim = next(s for s in ground_truth["scenarios"] if s["kind"] == "account_takeover")
    owner = int(victim["details"]["victim"])
    case = cases.create(category="account_takeover", subjects=[owner], summary="locked out")
    assert replies.default_recipient(case.case_id, "takeover_victim") == owner
    assert not replies.needs_decision(case.case_id, "takeover_victim")
    d = replies.draft(case.case_id, "takeover_victim", "email", recipient=owner)
    text = d.text.lower()
    assert "secure again" in text and "what you can do next" in text
    assert "two-step verification" in text and "not your fault" in text
    assert "broke our rules" not in text and "appeal" not in text
    assert taxonomy().clauses["ToS-3.1"].url in d.text  # the rule's page, not /contact
    check = replies.check(d.text, case=case.case_id, channel="email", recipient=owner)
    assert check.ok, check.findings
    assert all(check.tone.items.values()), check.tone.items
    short = replies.draft(case.case_id, "takeover_victim", "in_app", recipient=owner)
    assert short.limit and len(short.text) <= short.limit


def test_links_go_to_the_policy_pages_the_taxonomy_names(wb_env):
    tax = taxonomy()
    assert tax.documents and set(tax.documents) == {c.document for c in tax.clauses.values()}
    for clause in tax.clauses.values():
        assert clause.url.startswith(tax.documents[clause.document] + "#"), clause.id
    case = cases.create(category="harassment_hate", subjects=[5], summary="abuse")
    _decide(case.case_id, "CG-3.1", "warning")
    d = replies.draft(case.case_id, "reported_user_action", "email")
    links = [u.rstrip(".;,") for u in re.findall(r"https://\S+", d.text)]
    assert tax.clauses["CG-3.1"].url in links
    assert f"read the rule at {tax.clauses['CG-3.1'].url}" in d.text  # not the contact form
    # a decision of no violation does not tell the member they broke a rule
    other = cases.create(category="false_reporting", subjects=[6], summary="burst")
    _decide(other.case_id, "CG-7.2", "no_violation")
    fair = replies.draft(other.case_id, "reported_user_action", "email").text
    assert "did not find a breach" in fair and "broke" not in fair and "appeal" not in fair


def test_the_greeting_uses_the_chosen_name_and_decisions_come_first(wb_env):
    from workbench.content import user

    member = 101
    name = " ".join(str(user(member)["display_name"]).split())
    case = cases.create(category="scam_fraud", subjects=[787], reporters=[member], summary="x")
    assert replies.default_recipient(case.case_id, "scam_victim") == member
    assert replies.needs_decision(case.case_id, "scam_victim")
    with pytest.raises(InputError, match="record the decision first"):
        replies.draft(case.case_id, "scam_victim", "email", recipient=member)
    _decide(case.case_id, "CG-1.2", "permanent_ban")
    d = replies.draft(case.case_id, "scam_victim", "email", recipient=member)
    assert d.text.startswith(f"Hi {name},"), d.text[:60]  # the whole name, as they wrote it
    public = replies.draft(case.case_id, "social_reply", "social", recipient=member)
    assert name not in public.text
