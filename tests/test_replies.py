"""Replies: templates per scenario and channel, the disclosure guard, channel limits, saving."""

from __future__ import annotations

import hashlib

import pytest

from workbench import replies
from workbench.errors import InputError
from workbench.replies import DisclosureContext, DisclosureError, check

CLEAN = (
    "Thank you for your report, and we're sorry this happened. We reviewed the account and, "
    "because it broke our rules against scams, we permanently closed it. You can find support "
    "resources at https://help.hearth.example/safety or write to support@hearth.example. "
    "This happened on 2026-10-12 at 14:00; we answer within 30 days."
)


@pytest.fixture
def store_analyst() -> str:
    return "reply.tester"


@pytest.fixture
def ctx() -> DisclosureContext:
    return DisclosureContext(
        reporter_values={
            "name": {"Priya Sharma"},
            "handle": {"priya_s88"},
            "email": {"priya.sharma@mail.example"},
            "phone": {"+919812345678"},
        },
        other_values={
            "name": {"Marco Bellini"},
            "handle": {"marco.b"},
            "phone": {"+447700900123"},
            "email": {"marco@mail.example"},
        },
        notes=[
            "Subject reused photos of a verified model and moved victims to WhatsApp within a day."
        ],
        case_ids={"ESC-2026-000042"},
        labels={"vip_watch"},
        special_values={"bisexual", "HIV positive, on PrEP"},
    )


LEAKS = {
    "reporter name": ("We spoke to Priya Sharma about your messages.", "reporter_identity"),
    "reporter handle": ("This was reported by @priya_s88.", "reporter_identity"),
    "reporter handle bare": ("The member priya_s88 told us.", "reporter_identity"),
    "reporter email": ("We got an email from PRIYA.SHARMA@mail.example.", "reporter_identity"),
    "reporter phone": ("They called from +91 98123 45678.", "reporter_identity"),
    "other phone +44 spaced": ("Call the member on +44 7700 900123.", "personal_data"),
    "other phone national": ("Call the member on 07700 900123.", "personal_data"),
    "other phone 00-prefix": ("Call the member on 0044 7700-900-123.", "personal_data"),
    "other phone dotted": ("Call the member on +44.7700.900.123.", "personal_data"),
    "other name": ("Marco Bellini has been suspended.", "personal_data"),
    "other email": ("Contact marco@mail.example directly.", "personal_data"),
    "unknown phone": ("Text me at (212) 555-0187 instead.", "personal_data"),
    "case id": ("Your case ESC-2026-000042 is closed.", "case_id"),
    "case id spaced": ("Reference: esc 2026 000042.", "case_id"),
    "other case id": ("See also ESC-2025-000007.", "case_id"),
    "note text": (
        "Our team found the account moved victims to WhatsApp within a day.",
        "internal_note",
    ),
    "clause id": ("This broke CG-1.2 of our rules.", "internal_label"),
    "clause id spaced": ("Under ToS 4.2 we acted.", "internal_label"),
    "internal tag": ("Your account was tagged vip_watch.", "internal_label"),
    "action id": ("Outcome: permanent_ban.", "internal_label"),
    "orientation": ("We know you are bisexual.", "special_category"),
    "health from profile": ("Your profile says HIV positive, on PrEP.", "special_category"),
    "generic health term": ("We understand you live with depression.", "special_category"),
}


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_guard_blocks_planted_leaks(ctx, name):
    text, kind = LEAKS[name]
    result = check(text, context=ctx)
    assert not result.ok
    assert kind in result.kinds, result.findings
    # Every finding points at real text in the reply, never past it.
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(text)
    # The one-line summary names the kind of problem, never the value.
    assert "Priya" not in result.summary() and "7700" not in result.summary()


def test_guard_passes_clean_replies(ctx):
    for channel in ("email", "in_app", "app_review_apple"):
        result = check(CLEAN, context=ctx, channel=channel)
        assert result.ok, result.findings
    assert check(CLEAN, context=ctx).tone.missing == []


def test_recipient_details_are_allowed_only_when_listed(ctx):
    ctx.allowed = {"Priya"}
    assert check("Hi Priya, thank you for your report.", context=ctx).ok


@pytest.mark.parametrize(
    "channel,limit", [("app_review_google", 350), ("app_review_apple", 5970), ("social", 280)]
)
def test_channel_limits_are_enforced(channel, limit):
    assert replies.limit(channel) == limit
    ok_text = ("Thank you. " * 1000)[:limit]
    assert check(ok_text, channel=channel).ok
    over = check(ok_text + "x", channel=channel)
    assert not over.ok and over.kinds == ["length"]
    assert over.length == limit + 1 and over.limit == limit


def test_unknown_channel_and_scenario_are_one_line_errors():
    with pytest.raises(InputError, match="unknown channel"):
        check("hello", channel="fax")
    with pytest.raises(InputError, match="unknown reply scenario"):
        replies.draft(None, "poetry", "email")
    with pytest.raises(InputError, match="no social template for privacy_request"):
        replies.draft(None, "privacy_request", "social")


@pytest.mark.parametrize(
    "row", replies.templates().to_dict("records"), ids=lambda r: f"{r['scenario']}-{r['channel']}"
)
def test_every_template_drafts_within_its_limit_and_passes_the_generic_guard(row):
    d = replies.draft(None, row["scenario"], row["channel"])
    assert d.text.strip()
    assert "{{" not in d.text and "{%" not in d.text
    result = check(d.text, channel=row["channel"])
    assert result.ok, (row, result.findings)
    assert result.tone.items["support"], row


def test_tone_checklist_and_readability():
    weak = check("Account closed.")
    assert not weak.tone.items["acknowledge"] and not weak.tone.items["support"]
    assert weak.tone.grade is None  # too short to score
    good = check(CLEAN).tone
    assert all(good.items.values())
    assert good.grade is not None and 0 < good.grade < 20


# --------------------------------------------------------------------------- saving
def test_save_reply_refuses_leaks_and_records_clean_replies(store_env, ctx):
    from workbench import cases

    case = cases.create(category="scam_fraud", summary="romance scam", subjects=[11])
    ctx.case_ids.add(case.case_id)
    before = cases.get(case.case_id).version
    with pytest.raises(
        DisclosureError, match="reply not saved: it contains the reporter's identity"
    ):
        replies.save_reply(case.case_id, "email", "Priya Sharma reported you.", context=ctx)
    with pytest.raises(DisclosureError, match="too long"):
        replies.save_reply(case.case_id, "app_review_google", CLEAN + " " + CLEAN, context=ctx)
    assert replies.replies(case.case_id).empty
    assert cases.get(case.case_id).version == before  # nothing half-written

    saved = replies.save_reply(case.case_id, "email", CLEAN, scenario="scam_victim", context=ctx)
    assert saved.sha256 == hashlib.sha256(CLEAN.encode()).hexdigest()
    assert saved.who == "reply.tester" and saved.at.tzinfo is not None
    df = replies.replies(case.case_id)
    assert df[["channel", "scenario", "who", "sha256"]].iloc[0].tolist() == [
        "email",
        "scam_victim",
        "reply.tester",
        saved.sha256,
    ]
    log = [c for c in cases.history(case.case_id) if c.action == "reply"]
    assert len(log) == 1 and saved.sha256[:16] in log[0].new and "Priya" not in str(log[0].new)
    from workbench.store import audit

    recs = audit.records(case=case.case_id, action="reply.save")
    assert len(recs) == 1 and recs.iloc[0]["analyst"] == "reply.tester"


def test_case_guard_knows_the_people_the_evidence_names(wb_env, ground_truth):
    """Not only subjects and reporters: someone the subject wrote to (named in a collected
    query result) is protected too, by every identifier the platform holds for them."""
    import workbench as wb
    from workbench import cases
    from workbench.evidence import items as evidence
    from workbench.evidence.redaction import gather_pii

    sender = next(s for s in ground_truth["scenarios"] if s["kind"] == "harassment_campaign")[
        "users"
    ][0]
    cid = cases.create(category="harassment_hate", subjects=[sender], source="moderation").case_id
    msgs = wb.query("messages_by_user", case=cid, user_id=sender)
    other = int(next(u for u in msgs["counterpart_id"] if int(u) != sender))
    name = sorted(gather_pii([other])[other]["name"])[0]
    draft = f"We reviewed the messages you received from {name} and took action on the account."
    assert check(draft, case=cid, channel="email").ok  # nothing collected yet names them

    evidence.add_query_result(cid, msgs)
    result = check(draft, case=cid, channel="email")
    assert not result.ok
    assert any(draft[f.start : f.end] == name for f in result.findings)
    with pytest.raises(DisclosureError):
        replies.save_reply(cid, "email", draft)


# --------------------------------------------------------------------------- reply variants
# The ways the issue found past the old guard: every one is caught now, for the reporter.
@pytest.fixture
def reporter_ctx() -> DisclosureContext:
    return DisclosureContext(
        reporter_values={
            "name": {"Amelia Green"},
            "handle": {"amelia_g"},
            "email": {"amelia.green2881@example.com"},
            "phone": {"+447729316831"},
        },
        other_values={"name": {"David Wilson"}},
        reporter_ids={2881},
        report_ids={22},
        report_texts=["This person asked me for gift cards and wanted to move to WhatsApp."],
    )


VARIANTS = {
    "first name alone": "Thanks to Amelia we could act.",
    "surname alone": "A member called Green told us.",
    "zero-width space in the name": "We heard from Ame\u200blia Green.",
    "soft hyphen in the name": "We heard from Ame\u00adlia.",
    "Cyrillic look-alike letter": "We heard from \u0410melia.",
    "full-width letters": "We heard from \uff21\uff4d\uff45\uff4c\uff49\uff41.",
    "member number": "This was raised by member #2881.",
    "user id": "Reported by user 2881.",
    "e-mail local part": "Our records show amelia.green2881 contacted us.",
    "phone with commas": "They called from 07729,316,831.",
    "phone with underscores": "They called from 0772_931_6831.",
    "phone split in two": "The number starts 07729 and ends 316831.",
    "phone in Arabic-Indic digits": "Call \u0660\u0667\u0667\u0662\u0669\u0663\u0661\u0666\u0668\u0663\u0661.",
    "report id": "This is about report #22.",
    "quote of the report": "someone said you asked me for gift cards and wanted to move on",
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_guard_catches_every_reporter_variant(reporter_ctx, name):
    text = VARIANTS[name]
    result = check(text, context=reporter_ctx)
    assert not result.ok, (name, text)
    assert "reporter_identity" in result.kinds, result.findings
    assert "Amelia" not in result.summary() and "2881" not in result.summary()
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(text)


def test_reply_variants_are_not_saved(store_env, reporter_ctx):
    from workbench import cases

    case = cases.create(category="scam_fraud", summary="scam ring", subjects=[11])
    for text in VARIANTS.values():
        with pytest.raises(DisclosureError, match="reporter's identity"):
            replies.save_reply(case.case_id, "email", text, context=reporter_ctx)
    assert replies.replies(case.case_id).empty


def test_normalised_guard_leaves_ordinary_replies_alone(reporter_ctx):
    for text in (
        CLEAN,
        "We reviewed 2 reports and 14 messages from 2026-10-01 to 2026-10-20.",
        "The account was closed on 12 October; you can appeal within 30 days.",
    ):
        assert check(text, context=reporter_ctx).ok, check(text, context=reporter_ctx).findings
