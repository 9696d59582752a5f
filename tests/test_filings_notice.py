"""The Art. 17 notice: in the member's language and on their channel, stating the facts, the
ground, scope and duration, automation and every way to seek redress; written through the reply
composer and its disclosure guard; recorded once."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from filings_support import decide, planted

from workbench import cases, replies
from workbench.evidence import items as ev
from workbench.filings import notice, records, sor
from workbench.replies.disclosure import DisclosureError
from workbench.store import audit
from workbench.times import utcnow

pytest_plugins = ["filings_fixtures"]  # filed_store, demo_env

REDRESS = {  # language -> words each notice must carry about the three ways of redress
    "en": ("free of charge", "out-of-court dispute settlement body", "court"),
    "es": ("de forma gratuita", "resolución extrajudicial", "tribunales"),
    "fr": ("gratuitement", "règlement extrajudiciaire", "tribunal"),
    "de": ("kostenlos", "außergerichtliche Streitbeilegungsstelle", "Gericht"),
    "pt": ("gratuitamente", "resolução extrajudicial", "tribunais"),
}


# language -> what the email notice says of the scope, an open-ended duration, automation and
# the ground, in that language's template
STATES = {
    "en": (
        "everywhere in the European Union",
        "has no end date",
        "it was not taken by automated means",
        "breaks our",
    ),
    "es": (
        "toda la Unión Europea",
        "no tiene fecha de fin",
        "no se tomó por medios automatizados",
        "infringe nuestras normas",
    ),
    "fr": (
        "toute l'Union européenne",
        "n'a pas de date de fin",
        "pas été prise par des moyens automatisés",
        "enfreint",
    ),
    "de": (
        "gesamten Europäischen Union",
        "nicht befristet",
        "nicht automatisiert getroffen",
        "verstößt",
    ),
    "pt": (
        "toda a União Europeia",
        "não tem data de fim",
        "não foi tomada por meios automatizados",
        "viola as nossas regras",
    ),
}


def test_the_notice_is_in_the_members_language_and_names_every_way_of_redress(demo_env):
    ids = planted()
    decide(ids["account_takeover"], "account_takeover")
    # the member's own language, read from the platform (the demo draws it per seed)
    language = notice.member_language(cases.get(ids["account_takeover"]).subjects[0])
    assert language in REDRESS, f"the demo's takeover victim speaks {language}: pick a case"
    n = notice.prepare(ids["account_takeover"])
    assert n.wanted_language == language and n.language == language and not n.fallback
    stmt = sor.recorded(ids["account_takeover"])[0]
    until = notice.add_months(utcnow().date(), 6).isoformat()
    for words in (*REDRESS[language], until, stmt.puid, "https://help.hearth.example/appeals"):
        assert words in n.text, words
    assert stmt.body["application_date"] in n.text  # when
    for words in STATES[language]:  # the scope, the duration, automation, the ground
        assert words in n.text, words
    assert "Account security" in n.text  # the clause's title
    # written through the reply composer: a saved reply, checked by the guard, on the channel
    saved = replies.replies(ids["account_takeover"])
    assert saved["scenario"].tolist() == ["statement_of_reasons"]
    assert saved["channel"].tolist() == ["email"] and saved["text"].iloc[0] == n.text
    # and a filing: evidence, change log, audit
    item = ev.get_item(ids["account_takeover"], n.filing.items[0])
    assert item.kind == "filing" and records.payload(n.filing).decode() == n.text
    assert len(audit.records(ids["account_takeover"], action="filing.notice")) == 1
    # a re-run tells the member nothing twice
    again = notice.prepare(ids["account_takeover"])
    assert again.already and again.text == n.text
    assert len(replies.replies(ids["account_takeover"])) == 1


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "pt"])
def test_each_language_states_the_same_notice(demo_env, language):
    ids = planted()
    decide(ids["harassment_campaign"], "harassment_campaign")  # a suspension with an end date
    n = notice.prepare(ids["harassment_campaign"], language=language, channel="in_app")
    body = sor.recorded(ids["harassment_campaign"])[0].body
    assert n.language == language and len(n.text) <= 2000  # the in-app limit
    assert body["end_date_account_restriction"] in n.text and body["application_date"] in n.text
    for words in REDRESS[language]:
        assert words in n.text, words
    assert n.puid in n.text


def test_a_member_whose_language_has_no_template_gets_english_and_is_told_so(demo_env):
    ids = planted()
    decide(ids["sextortion"], "sextortion")  # the subject's account is in English anyway
    subject = cases.get(ids["sextortion"]).subjects[0]
    n = notice.prepare(ids["sextortion"], channel="email")
    assert n.language == notice.member_language(subject) == "en"
    with pytest.raises(Exception, match="no hi template"):
        notice.prepare(ids["sextortion"], channel="in_app", language="hi")


def test_the_disclosure_guard_stops_a_notice_that_names_a_reporter(demo_env, monkeypatch, tmp_path):
    from workbench import config

    ids = planted()
    decide(ids["sextortion"], "sextortion")
    reporter = next(r.user_id for r in cases.confidential_reporters(ids["sextortion"]) if r.user_id)
    folder = tmp_path / "responses"
    shutil.copytree(config.settings().resource("responses_dir"), folder)
    en = folder / "statement_of_reasons" / "en.txt.j2"
    en.write_text(
        en.read_text().replace("Please quote", f"Reported by member {reporter}. Please quote")
    )
    monkeypatch.setenv(config.ENV_RESPONSES_DIR, str(folder))
    config.settings(reload=True)
    with pytest.raises(DisclosureError, match="reporter's identity"):
        notice.prepare(ids["sextortion"], channel="email")
    assert replies.replies(ids["sextortion"]).empty
    assert records.for_case(ids["sextortion"], "notice") == []


def test_a_decision_without_a_restriction_has_no_notice(demo_env):
    ids = planted()
    decide(ids["false_reporting"], "false_reporting")
    with pytest.raises(sor.NoStatementDue):
        notice.prepare(ids["false_reporting"])
    with pytest.raises(Exception, match="email or in_app"):
        notice.prepare(ids["false_reporting"], channel="social")


def test_the_complaint_window_is_never_cut_short():
    assert notice.add_months(date(2026, 11, 30), 6) == date(2027, 5, 30)
    assert notice.add_months(date(2026, 8, 31), 6) == date(2027, 3, 1)  # no 31 February
    assert notice.add_months(date(2027, 8, 29), 6) == date(2028, 2, 29)  # a leap year
    assert notice.add_months(date(2026, 12, 31), 2) == date(2027, 3, 1)


def test_cli_notice(demo_env, tmp_path, capsys):
    from workbench.cli import main

    ids = planted()
    decide(ids["impersonation"], "impersonation")
    out = tmp_path / "notice.txt"
    assert main(["filing", "notice", ids["impersonation"], "--out", str(out)]) == 0
    text = out.read_text()
    assert "removed the content" in text and "Reference" not in text or "reference" in text
    # the impersonator's chosen name copies the victim's (a reporter): greeted without it
    from workbench import content

    subject = cases.get(ids["impersonation"]).subjects[0]
    assert content.user(subject, case=ids["impersonation"])["display_name"] not in text
    assert "saved as a reply" in capsys.readouterr().out
    assert main(["filing", "notice", ids["impersonation"], "--channel", "fax"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
