"""Risky phrases are found in every supported language: insults and contempt as harassment,
and moves to other apps named in the language's own script; a Latin brand name next to
Japanese or Chinese text is still a word."""

from __future__ import annotations

import pytest

from workbench.content.risk_terms import CATEGORIES, categories_in, find_risky, languages
from workbench.files import read_yaml_mapping
from workbench.resources import TERMS, path

LANGUAGES = ("ar", "de", "en", "es", "fr", "hi", "ja", "ko", "pt", "th", "ur", "zh")


def test_every_language_has_every_list():
    assert set(languages()) == set(LANGUAGES)
    folder = path(TERMS)
    for lang in LANGUAGES:
        raw = read_yaml_mapping(folder / f"{lang}.yaml", what="term list", hint="")
        for cat in CATEGORIES:
            assert raw.get(cat), (lang, cat)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Nobody wants you here, you pathetic clown", "harassment"),
        ("Telegramで追加して", "off_platform"),  # Latin brand, Japanese particle after it
        ("WhatsApp上加我", "off_platform"),
        ("テレグラムで話そう", "off_platform"),
        ("LINE交換しよう", "off_platform"),
        ("카톡으로 연락해", "off_platform"),
        ("텔레그램으로 와", "off_platform"),
        ("แอดไลน์มานะ", "off_platform"),
        ("टेलीग्राम पर आओ", "off_platform"),
        ("ٹیلی گرام پر بات کرو", "off_platform"),
        ("تيليجرام أفضل", "off_platform"),
        ("加我微信吧", "off_platform"),
        ("消えろ、キモい", "harassment"),
        ("꺼져 한심해", "harassment"),
        ("ไม่มีใครต้องการแก", "harassment"),
        ("कोई तुम्हें नहीं चाहता", "harassment"),
        ("کوئی تمہیں نہیں چاہتا", "harassment"),
        ("لا أحد يريدك", "harassment"),
        ("没人要你，滚开", "harassment"),
        ("nadie te quiere, payaso", "harassment"),
        ("personne ne veut de toi", "harassment"),
        ("niemand will dich, du Versager", "harassment"),
        ("ninguém te quer, palhaço", "harassment"),
    ],
)
def test_found_in_every_language(text, category):
    assert category in categories_in(text), (text, [(h.category, h.term) for h in find_risky(text)])


def test_latin_terms_stay_whole_words():
    assert find_risky("see you online, the lineup is great, telegramm") == []
    hits = find_risky("Nobody wants you here, you pathetic clown")
    assert len(hits) >= 2 and {h.category for h in hits} == {"harassment"}
