"""Language tags per message, search across scripts, per-language risk terms."""

from __future__ import annotations

import pytest

from workbench.content.language import contains, detect, find, fold
from workbench.content.risk_terms import categories_in, find_risky, languages

SAMPLES = {
    "es": "Hola, ¿cómo estás? Me encanta la playa y salir a cenar con amigos.",
    "fr": "Bonjour, tu viens souvent ici ? J'aimerais bien te rencontrer ce week-end.",
    "de": "Hallo, wie geht es dir heute? Ich würde dich gern besser kennenlernen.",
    "pt": "Oi, tudo bem? Eu adoraria conhecer você melhor neste fim de semana.",
    "en": "Hi there, I really enjoyed our chat yesterday and would love to meet for coffee.",
    "ja": "こんにちは、元気ですか？週末に会えたら嬉しいです。",
    "zh": "你好，我们周末一起去喝咖啡吧，我很想认识你。",
    "ko": "안녕하세요, 주말에 만나서 커피 한잔 할래요?",
    "th": "สวัสดีครับ คุณสบายดีไหม อยากเจอกันสุดสัปดาห์นี้",
    "hi": "नमस्ते, आप कैसे हैं? क्या हम इस सप्ताहांत मिल सकते हैं?",
    "ur": "آپ کیسے ہیں؟ میں ٹھیک ہوں، کیا ہم ہفتے کو مل سکتے ہیں؟",
    "ar": "مرحبا، كيف حالك؟ هل يمكننا أن نلتقي في عطلة نهاية الأسبوع؟",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_detects_language_and_direction(lang):
    d = detect(SAMPLES[lang])
    assert d.lang == lang
    assert d.direction == ("rtl" if lang in ("ur", "ar") else "ltr")


def test_short_or_empty_text_is_undetermined_not_guessed():
    for text in ("", None, "ok", "👍👍", "12:30"):
        assert detect(text).lang == "und"


def test_detection_is_cached_per_distinct_text():
    detect.cache_clear()
    for _ in range(3):
        detect(SAMPLES["de"])
    info = detect.cache_info()
    assert info.misses == 1 and info.hits == 2


@pytest.mark.parametrize(
    "text,query,expected",
    [
        ("Ich möchte GELD über Western Union", "uber", "über"),
        ("ＬＩＮＥで話そう", "line", "ＬＩＮＥ"),
        ("ｷﾞﾌﾄカードを買って", "ギフト", "ｷﾞﾌﾄ"),
        ("ابعث لي بطاقة هدية الآن", "بطاقة هدية", "بطاقة هدية"),
        ("میں تمہیں گفٹ کارڈ بھیجوں گا", "گفٹ کارڈ", "گفٹ کارڈ"),
        ("ส่งบัตรของขวัญมาให้หน่อย", "บัตรของขวัญ", "บัตรของขวัญ"),
        ("CAFÉ crème", "cafe", "CAFÉ"),
    ],
)
def test_search_works_across_scripts_and_maps_back_to_the_original(text, query, expected):
    spans = find(text, query)
    assert spans, (text, query)
    s, e = spans[0]
    assert text[s:e] == expected
    assert contains(text, query)


def test_fold_is_idempotent_and_search_misses_what_is_absent():
    assert fold(fold("Ａｂｃ Ü")) == fold("Ａｂｃ Ü") == "abc u"
    assert find("hello world", "bitcoin") == []


@pytest.mark.parametrize(
    "text,category,phrase",
    [
        ("Add me on WhatsApp, it's easier", "off_platform", "WhatsApp"),
        ("Can you buy me an iTunes card?", "gift_cards", "iTunes card"),
        ("Envíame una tarjeta de regalo por favor", "gift_cards", "tarjeta de regalo"),
        ("Je vais te tuer si tu parles", "threats", "Je vais te tuer"),
        ("Investiere in Bitcoin, garantierte Rendite!", "crypto", "Bitcoin"),
        ("请加我微信，我们聊", "off_platform", "加我微信"),
        ("ギフトカードを送ってください", "gift_cards", "ギフトカード"),
        ("비트코인 투자 하실래요", "crypto", "비트코인"),
        ("मुझे गिफ्ट कार्ड भेजो", "gift_cards", "गिफ्ट कार्ड"),
        ("ส่งบิตคอยน์มา", "crypto", "บิตคอยน์"),
        ("مجھے گفٹ کارڈ بھیجو", "gift_cards", "گفٹ کارڈ"),
        ("سأنشر صورك إذا لم تدفع", "threats", "سأنشر صورك"),
    ],
)
def test_risk_terms_highlight_phrases_in_many_languages(text, category, phrase):
    hits = [h for h in find_risky(text) if h.category == category]
    assert hits, text
    assert any(text[h.start : h.end] == phrase for h in hits)


def test_latin_terms_match_whole_words_only():
    assert find_risky("The cryptographer scattered cards") == []
    assert categories_in("no risky words here, just dinner plans") == []


def test_every_shipped_term_list_loads():
    assert {"en", "es", "fr", "de", "pt", "ja", "zh", "ko", "th", "hi", "ur", "ar"} <= set(
        languages()
    )
