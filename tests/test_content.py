"""Content viewers: thread view (both sides, language tags, RTL/CJK, escaping, search), profile
cards with their change history, and the reply composer on a real case."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest

from workbench.content.profiles import search_thread, tag_messages
from workbench.errors import InputError
from workbench.widgets.thread_view import thread_html

BODIES = [
    (5, "آپ کیسے ہیں؟ <b>واٹس ایپ</b> پر بات کریں", "ur", "rtl"),
    (
        6,
        "مرحبا، كيف حالك؟ هل يمكننا أن نلتقي في عطلة نهاية الأسبوع؟ & <script>x</script>",
        "ar",
        "rtl",
    ),
    (5, "こんにちは、ギフトカードを買ってくれませんか？", "ja", "ltr"),
    (6, "你好，我们周末一起去喝咖啡吧，我很想认识你。", "zh", "ltr"),
    (5, "안녕하세요, 주말에 만나서 커피 한잔 할래요?", "ko", "ltr"),
    (6, "Send me a gift card & 'bitcoin' <now> \"please\"", "en", "ltr"),
]


def _messages() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "message_id": range(1, len(BODIES) + 1),
            "conversation_id": 9,
            "sender_id": [b[0] for b in BODIES],
            "recipient_id": [11 - b[0] for b in BODIES],
            "sent_at": pd.date_range("2026-10-01", periods=len(BODIES), freq="h", tz="UTC"),
            "body": [b[1] for b in BODIES],
            "has_media": False,
        }
    )


class _Bodies(HTMLParser):
    """Collects each message body's text and attributes, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bodies: list[dict] = []
        self._depth = 0
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "div" and a.get("class") == "wb-body":
            self.bodies.append({"dir": a.get("dir"), "lang": a.get("lang"), "text": ""})
            self._depth = 1
        elif self._depth and tag == "div":
            self._depth += 1

    def handle_endtag(self, tag):
        if self._depth and tag == "div":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.bodies[-1]["text"] += data


def test_rtl_and_cjk_round_trip_through_the_thread_view():
    df = tag_messages(_messages())
    assert df["lang"].tolist() == [b[2] for b in BODIES]
    page = thread_html(df, query="ギフト")
    parser = _Bodies()
    parser.feed(page)
    assert parser.scripts == 0  # message text is escaped, never markup
    assert [b["text"] for b in parser.bodies] == [b[1] for b in BODIES]
    assert [b["dir"] for b in parser.bodies] == [b[3] for b in BODIES]
    assert [b["lang"] for b in parser.bodies] == [b[2] for b in BODIES]
    assert "unicode-bidi:plaintext" in page
    # Both sides: the second sender's messages sit on the right.
    assert page.count("wb-msg wb-right") == 3 and page.count("wb-msg wb-left") == 3
    # Risky phrases are marked in every script.
    assert "<mark class='wb-risk' title='moves off the platform'>واٹس ایپ</mark>" in page
    assert "wb-hit" in page


def test_search_within_a_thread_in_any_script():
    df = tag_messages(_messages())
    assert search_thread(df, "واٹس")["message_id"].tolist() == [1]
    assert search_thread(df, "ＧＩＦＴ CARD")["message_id"].tolist() == [6]
    hit = search_thread(df, "咖啡")
    assert hit["message_id"].tolist() == [4]
    s, e = hit["spans"].iloc[0][0]
    assert BODIES[3][1][s:e] == "咖啡"
    assert search_thread(df, "nothing-like-this").empty
    assert df.loc[df["message_id"] == 6, "risk"].iloc[0] == ["crypto", "gift_cards"]


# --------------------------------------------------------------------------- on the demo


def _a_user_with(wb_env, table: str) -> int:
    import workbench as wb

    return int(
        wb.sql(
            f"SELECT user_id FROM {table} GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1"
        )["user_id"].iloc[0]
    )


def test_profile_card_separates_special_category_data(wb_env):
    from workbench import content
    from workbench.widgets.profile_card import ProfileCardView

    uid = _a_user_with(wb_env, "account_changes")
    from workbench.store import audit

    card = content.profile(uid)
    assert card.user_id == uid
    assert card.special == {}  # not even read with the profile
    special = {"gender_identity", "sexual_orientation", "health_notes"}
    assert not special & set(card.profile)
    assert not card.changes.empty and card.changes["ts"].is_monotonic_decreasing
    with pytest.raises(InputError, match="needs a reason"):
        content.special_fields(uid, reason=" ")
    view = ProfileCardView(uid)
    assert view.special.value == ""  # hidden until asked for
    view.special_toggle.value = True  # no reason typed: nothing is read
    assert "Give a reason" in view.special.value and view.special_toggle.value is False
    assert audit.records(action="content.special").empty
    view.special_reason.value = "checking a health-related threat in the reports"
    view.special_toggle.value = True
    assert "sexual_orientation" in view.special.value
    rec = audit.records(action="content.special").iloc[-1]
    assert rec["reason"] == "checking a health-related threat in the reports"
    assert rec["subjects"] == f"[{uid}]" and rec["row_count"] == 1
    assert "History of changes" in "".join(
        c.value for c in view.children if isinstance(getattr(c, "value", None), str)
    )


def test_demo_scam_threads_are_tagged_with_their_language_and_risky_asks(wb_env, ground_truth):
    """The ring's conversations (several languages): both sides shown, the planted language
    detected, and the scammer's ask (gift cards, crypto) marked as risky."""
    from workbench import content
    from workbench.widgets.thread_view import ThreadView

    ring = next(s for s in ground_truth["scenarios"] if s["kind"] == "romance_scam_ring")["details"]
    asks = {"gift_card": "gift_cards", "crypto": "crypto"}
    right_lang = 0
    for conv in ring["conversations"]:
        df = content.thread(conv["conversation_id"])
        assert set(df["sender_id"]) == {conv["member"], conv["victim"]}
        assert df["sent_at"].is_monotonic_increasing
        tagged = df.loc[df["lang"] != "und", "lang"]
        right_lang += tagged.value_counts().idxmax() == conv["language"]
        risky = set().union(*df["risk"])
        if conv.get("ask") in asks:
            assert asks[conv["ask"]] in risky or "off_platform" in risky, conv
    assert right_lang == len(ring["conversations"])
    view = ThreadView(
        ring["conversations"][0]["conversation_id"], right_user=ring["conversations"][0]["member"]
    )
    assert view.body.value.count("class='wb-body'") == len(view.messages)
    assert "wb-risk" in view.body.value


def test_reply_composer_on_a_demo_case_blocks_the_reporter_and_saves_clean_text(wb_env):
    import workbench as wb
    from workbench import cases, content, replies
    from workbench.cases.notes import add_note
    from workbench.widgets.reply_composer import ReplyComposer

    rep = wb.sql(
        "SELECT reporter_id, reported_user_id FROM reports ORDER BY report_id LIMIT 1"
    ).iloc[0]
    reporter, subject = int(rep["reporter_id"]), int(rep["reported_user_id"])
    case = cases.create(
        category="harassment_hate",
        subjects=[subject],
        reporters=[reporter],
        tags=["brigading_watch"],
    )
    add_note(
        case.case_id, "Reporter is scared; subject sent eleven messages overnight from two devices."
    )
    comp = ReplyComposer(
        case.case_id, scenario="reported_user_action", channel="email", recipient=subject
    )
    # nothing is decided yet, so there is nothing true to tell the member: it asks first
    assert comp.text.value == "" and comp.save_btn.disabled
    assert "Record the decision first" in comp.message.value
    cases.set_status(case.case_id, "triaged")
    cases.set_status(case.case_id, "investigating")
    cases.decide(
        case.case_id, clauses=["CG-3.1"], action="warning", rationale="Abusive messages."
    )  # recorded elsewhere (the decision form): the composer hears it and drafts
    assert "formal warning" in comp.text.value
    assert comp.result is not None and comp.result.ok, comp.result.findings
    assert not comp.save_btn.disabled

    who = content.user(reporter)
    for leak, kind in (
        (who["handle"], "reporter_identity"),
        (who["email"], "reporter_identity"),
        (case.case_id, "case_id"),
        ("brigading_watch", "internal_label"),
        ("sent eleven messages overnight from two devices", "internal_note"),
        ("CG-3.1", "internal_label"),
    ):
        comp.text.value = comp.text.value + f"\n{leak}"
        assert kind in comp.result.kinds, leak
        assert comp.save_btn.disabled
        assert comp.save() is None and "reply not saved" in comp.message.value
        comp.fill()
    # The subject's own name is fine in a private reply to them, not in a public one.
    name = str(content.user(subject)["display_name"])
    assert replies.check(
        f"Hi {name}, thank you.", case=case.case_id, channel="email", recipient=subject
    ).ok
    assert not replies.check(
        f"Hi {name}, thank you.", case=case.case_id, channel="social", recipient=subject
    ).ok

    comp.channel.value = "app_review_google"
    comp.scenario.value = "app_review"
    comp.fill()
    assert comp.result.ok and comp.result.limit == 350
    comp.text.value = comp.text.value + " " + "More words here. " * 30
    assert comp.result.kinds == ["length"] and comp.save_btn.disabled
    comp.fill()
    saved = comp.save()
    assert saved is not None and saved.channel == "app_review_google"
    assert replies.replies(case.case_id)["sha256"].tolist() == [saved.sha256]
