"""The Art. 17 notice: the statement of reasons told to the member, in their language and on
their channel.

It says what the statement of reasons says (:mod:`workbench.filings.sor`, prepared first if it
was not: the notice and the database entry are one decision): the restriction with its scope
and duration, the facts (what was reviewed, whether a notice or our own initiative started it;
never who notified), the contractual or legal ground with the rule's public page, whether
automated means were used, and the ways to seek redress (Art. 17(3)(f), which has no database
field): the internal complaint system, free of charge, for six months from the notice
(Art. 20), a certified out-of-court dispute settlement body (Art. 21), and the courts.

It is drafted by the reply composer (:func:`workbench.replies.draft`, scenario
``statement_of_reasons``, one template per language under
``templates/responses/statement_of_reasons/``; English where the member's language has none,
and the notice says so in its record) and saved through the composer's disclosure guard and
exit scan (:func:`workbench.replies.save_reply`): a notice that would name the reporter, quote
a note or carry anyone's personal data is refused, and nothing is recorded.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from workbench.cases.taxonomy import taxonomy
from workbench.content.profiles import users as platform_users
from workbench.errors import InputError
from workbench.filings import records, sor, tdb
from workbench.filings.mapping import dsa_map
from workbench.filings.team import team
from workbench.replies.disclosure import DisclosureError
from workbench.replies.drafts import check_channel, draft, responses_dir
from workbench.replies.saved import SavedReply, save_reply
from workbench.times import utcnow

KIND = "notice"
SCENARIO = "statement_of_reasons"
CHANNELS = ("email", "in_app")
COMPLAINT_MONTHS = 6  # DSA Art. 20(1): at least six months from when the member is told
ODS_URL = "https://digital-strategy.ec.europa.eu/en/policies/dsa-out-court-dispute-settlement"


@dataclass(frozen=True)
class Notice:
    case_id: str
    subject: int
    channel: str
    language: str  # the language it is written in
    wanted_language: str  # the member's language
    text: str
    puid: str
    filing: records.Filing
    reply: SavedReply | None = None  # None when an earlier run recorded it
    already: bool = False

    @property
    def fallback(self) -> bool:
        """True when the member's language has no template and the notice is in English."""
        return self.language != self.wanted_language


def add_months(day: date, months: int) -> date:
    """``months`` calendar months after ``day``; a day the month lacks (31 August + 6) moves
    to the first of the next month: a complaint window is never cut short."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    last = calendar.monthrange(year, month)[1]
    if day.day <= last:
        return date(year, month, day.day)
    return date(year + (month == 12), month % 12 + 1, 1)


def languages() -> list[str]:
    """The languages the notice has a template in."""
    folder = responses_dir() / SCENARIO
    return sorted(
        p.name.removesuffix(".txt.j2")
        for p in folder.glob("*.txt.j2")
        if len(p.name.removesuffix(".txt.j2")) == 2
    )


def member_language(subject: int) -> str:
    """The member's language (their account's, ISO 639-1), ``en`` when unknown."""
    df = platform_users([subject])
    lang = "" if df.empty else str(df.iloc[0].get("language") or "")
    return lang.split("-")[0].lower() or "en"


def _variables(stmt: sor.Statement, language: str, short: bool) -> dict[str, Any]:
    body = stmt.body
    tax = taxonomy()
    m = dsa_map()
    rules = []
    for c in sor.latest(stmt.case_id).clauses:
        clause = tax.clauses[c]
        page = m.documents.get(clause.document, "")
        rules.append(
            {
                "title": clause.title,
                "document": clause.document,
                "url": f"{page}#{c.lower().replace('.', '-')}" if page else "",
            }
        )
    restrictions = [
        v
        for f in tdb.RESTRICTIONS
        for v in (body[f] if isinstance(body.get(f), list) else [body.get(f)])
        if v
    ]
    ends = [body[e] for e in tdb.END_DATES.values() if body.get(e)]
    scope = list(body.get("territorial_scope") or [])
    told = utcnow().date()
    return {
        "language": language,
        "short": short,
        "restrictions": restrictions,
        "end_date": max(ends) if ends else None,
        "decision_date": body["application_date"],
        "scope_eea": sorted(scope) == sorted(tdb.EEA),
        "scope": scope,
        "ground": "illegal" if body["decision_ground"] == tdb.ILLEGAL else "terms",
        "legal_ground": body.get("illegal_content_legal_ground", ""),
        "rules": rules,
        "source_type": body["source_type"],
        "automated_detection": body["automated_detection"] == "Yes",
        "content_types": list(body["content_type"]),
        "complaint_until": add_months(told, COMPLAINT_MONTHS).isoformat(),
        "reference": stmt.puid,
        "ods_url": team().ods_url or ODS_URL,
    }


def _key(puid: str, channel: str) -> str:
    return f"notice:{puid}:{channel}"


def prepare(
    case_id: str,
    subject: int | None = None,
    *,
    channel: str | None = None,
    language: str | None = None,
) -> Notice:
    """Draft, check and record the member's notice for the case's decision (see the module
    docstring). A notice recorded earlier for the same statement and channel is returned as
    recorded: a re-run never tells the member twice."""
    channel = check_channel(channel or team().notice_channel)
    if channel not in CHANNELS:
        raise InputError(
            f"a notice goes to the member by {' or '.join(CHANNELS)}, not {channel}",
            "pass --channel email or --channel in_app",
        )
    stmt = sor.prepare(case_id, subject)
    wanted = (language or member_language(stmt.subject)).lower()
    have = languages()
    if language is not None and language.lower() not in have:
        raise InputError(
            f"the notice has no {language} template", f"languages with one: {', '.join(have)}"
        )
    used = wanted if wanted in have else "en"
    key = _key(stmt.puid, channel)
    earlier = records.find(key)
    if earlier is not None:
        text = records.payload(earlier).decode("utf-8")
        return Notice(
            case_id,
            stmt.subject,
            channel,
            str(earlier.details.get("language", used)),
            wanted,
            text,
            stmt.puid,
            earlier,
            None,
            True,
        )
    values = _variables(stmt, used, short=channel == "in_app")
    text = draft(case_id, SCENARIO, channel, recipient=stmt.subject, **values).text
    try:
        reply = save_reply(case_id, channel, text, scenario=SCENARIO, recipient=stmt.subject)
    except DisclosureError:
        # The member's chosen name can copy a protected person's (an impersonator's display
        # name is the victim's): greet without it rather than refuse a notice the law requires.
        # Anything else the guard finds still stops the notice.
        plain = draft(
            case_id, SCENARIO, channel, recipient=stmt.subject, **{**values, "greeting_name": ""}
        ).text
        if plain == text:
            raise
        reply = save_reply(case_id, channel, plain, scenario=SCENARIO, recipient=stmt.subject)
        text = plain
    filing = records.record(
        KIND,
        key,
        [records.Payload(f"notice-{stmt.puid}-{channel}.txt", text.encode("utf-8"), "text/plain")],
        case_id=case_id,
        decision_id=stmt.decision_id,
        subject=stmt.subject,
        details={
            "puid": stmt.puid,
            "channel": channel,
            "language": used,
            "member_language": wanted,
            "reply_id": reply.id,
            "complaint_until": values["complaint_until"],
        },
    )
    return Notice(case_id, stmt.subject, channel, used, wanted, text, stmt.puid, filing, reply)
