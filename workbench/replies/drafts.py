"""Reply drafts: a Jinja2 template (``templates/responses/<scenario>/<channel>.txt.j2``) filled
from a case: the action and the rule in plain words, the policy page the taxonomy names for the
rule, links to help; never ids, and no name but the recipient's own (the name they chose on the
platform). The reply settings (brand, links, plain words, guard and tone cues) live beside the
templates.

A reply that tells the member what was decided (:data:`NEEDS_DECISION`) is drafted only once
the case has a decision: before that there is nothing true to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound

from workbench import cases
from workbench.cases import decisions
from workbench.cases.taxonomy import taxonomy
from workbench.config import settings as current_settings
from workbench.content.profiles import user
from workbench.errors import InputError, WorkbenchError
from workbench.files import cached, read_yaml_mapping
from workbench.ids import validate_case_id

SCENARIOS = {
    "scam_victim": "Someone targeted by a scam",
    "takeover_victim": "The owner of an account someone else took over: secured, what we did, next steps",
    "reported_user_action": "A reported user told of an action on their account",
    "reporter_update": "An update to the person who reported",
    "appeal_outcome": "The outcome of an appeal",
    "privacy_request": "A privacy (data-subject) request answered",
    "app_review": "A public reply to an app-store review",
    "social_reply": "A public reply on social media",
    # written by workbench.filings.notice (the DSA Art. 17 notice; one template per language)
    "statement_of_reasons": "The statement of reasons for a restriction (DSA Art. 17)",
}
#: Channel -> character limit (None: no platform limit).
CHANNELS: dict[str, int | None] = {
    "email": None,
    "in_app": 2000,
    "social": 280,
    "app_review_google": 350,
    "app_review_apple": 5970,
}
PUBLIC_CHANNELS = frozenset({"social", "app_review_google", "app_review_apple"})
#: Scenarios whose reply says what was decided: drafted only after the decision is recorded.
NEEDS_DECISION = frozenset(
    {"scam_victim", "reported_user_action", "reporter_update", "appeal_outcome"}
)
# Who a scenario's reply goes to by default: the case's (first) subject, or the member who
# reported it (confidential: the reply goes to them, it never names them to anyone else).
_TO_SUBJECT = frozenset(
    {"reported_user_action", "takeover_victim", "privacy_request", "appeal_outcome"}
)
_TO_REPORTER = frozenset({"scam_victim", "reporter_update"})

# --------------------------------------------------------------------------- settings


def responses_dir() -> Path:
    """The reply templates (``WORKBENCH_RESPONSES_DIR`` or the shipped ones)."""
    return current_settings().resource("responses_dir")


def _read_settings(path: Path) -> dict:
    data = read_yaml_mapping(
        path, what="reply settings", hint="restore templates/responses/settings.yaml"
    )
    return data


def reply_settings() -> dict:
    """``templates/responses/settings.yaml``: brand, links, plain words, guard and tone cues."""
    return cached(
        responses_dir() / "settings.yaml",
        _read_settings,
        what="reply settings",
        hint="restore templates/responses/settings.yaml",
    )


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise InputError(f"unknown channel {channel!r}", f"use one of: {', '.join(CHANNELS)}")
    return channel


def check_scenario(scenario: str) -> str:
    if scenario not in SCENARIOS:
        raise InputError(
            f"unknown reply scenario {scenario!r}", f"use one of: {', '.join(SCENARIOS)}"
        )
    return scenario


def limit(channel: str) -> int | None:
    """The channel's character limit (None when it has none)."""
    return CHANNELS[check_channel(channel)]


def templates() -> pd.DataFrame:
    """Every (scenario, channel) that has a template, with the channel's limit."""
    rows = []
    for scen in SCENARIOS:
        for path in sorted((responses_dir() / scen).glob("*.txt.j2")):
            ch = path.name.removesuffix(".txt.j2")
            if ch in CHANNELS:
                rows.append(
                    {
                        "scenario": scen,
                        "channel": ch,
                        "limit": CHANNELS[ch],
                        "description": SCENARIOS[scen],
                    }
                )
    return pd.DataFrame(rows, columns=["scenario", "channel", "limit", "description"])


# --------------------------------------------------------------------------- drafting


@dataclass(frozen=True)
class Draft:
    scenario: str
    channel: str
    text: str
    limit: int | None


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(responses_dir())),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def default_recipient(case_id: str, scenario: str) -> int | None:
    """The member a ``scenario`` reply on this case goes to, when nobody is named: the first
    subject, or the first reporting member; None for public replies or when there is none."""
    check_scenario(scenario)
    if scenario in _TO_SUBJECT:
        subjects = cases.get(case_id).subjects
        return int(subjects[0]) if subjects else None
    if scenario in _TO_REPORTER:
        ids = [r.user_id for r in cases.confidential_reporters(case_id) if r.user_id is not None]
        return int(ids[0]) if ids else None
    return None


def needs_decision(case_id: str | None, scenario: str) -> bool:
    """True when ``scenario``'s reply says what was decided and the case has no decision yet."""
    return (
        case_id is not None
        and check_scenario(scenario) in NEEDS_DECISION
        and decisions.latest_decision(case_id) is None
    )


def _plain(case_id: str | None) -> dict:
    """Action and rule in plain words from the case's latest decision (or its category), and
    the public page of the rule (the taxonomy names it)."""
    cfg = reply_settings()
    out = {
        "action_plain": "we took action on the account",
        "rule_plain": "our community guidelines",
        "rule_url": cfg.get("guidelines_url") or cfg.get("support_url", ""),
        "no_action": False,
    }
    if not case_id:
        return out
    case = cases.get(case_id)
    tax = taxonomy()
    dec = decisions.latest_decision(case_id)
    clauses = list(dec.clauses) if dec else list(tax.categories[case.category].clauses)
    if clauses and clauses[0] in tax.clauses:
        clause = tax.clauses[clauses[0]]
        out["rule_plain"] = cfg.get("areas", {}).get(clause.area, out["rule_plain"])
        out["rule_url"] = clause.url or out["rule_url"]
    if dec:
        out["action_plain"] = cfg.get("actions", {}).get(
            dec.action, "we took action on the account"
        )
        out["no_action"] = dec.action == "no_violation"
    return out


def draft(
    case: str | None, scenario: str, channel: str, *, recipient: int | None = None, **extra
) -> Draft:
    """A reply filled from ``case`` for ``scenario`` on ``channel``, ready to edit.

    ``recipient`` (platform user id) greets them by the name they chose (their display name)
    on private channels. ``extra`` fills template variables such as ``outcome="upheld"`` for
    appeals. A scenario that reports the decision is refused until there is one.
    """
    check_scenario(scenario)
    check_channel(channel)
    if case is not None:
        validate_case_id(case)
        if needs_decision(case, scenario):
            raise InputError(
                f"record the decision first: a {scenario.replace('_', ' ')} reply says what was"
                " decided",
                "the draft follows once the decision is saved",
            )
    cfg = reply_settings()
    ctx = {
        k: cfg.get(k, "")
        for k in (
            "brand",
            "signature",
            "support_url",
            "safety_url",
            "appeal_url",
            "privacy_url",
            "account_security_url",
        )
    }
    ctx.update(_plain(case))
    ctx["greeting_name"] = ""
    if recipient is not None and channel not in PUBLIC_CHANNELS:
        # the name the member chose, as they wrote it (a first word is not a first name
        # everywhere: family names come first in Japanese, Korean, Hungarian ...)
        ctx["greeting_name"] = " ".join(
            str(user(recipient, case=case).get("display_name") or "").split()
        )
    ctx.setdefault("outcome", "upheld")
    ctx.update(extra)
    name = f"{scenario}/{channel}.txt.j2"
    try:
        text = _env().get_template(name).render(**ctx)
    except TemplateNotFound:
        have = templates()
        chans = have.loc[have["scenario"] == scenario, "channel"].tolist()
        raise InputError(
            f"no {channel} template for {scenario}",
            f"channels with a template: {', '.join(chans) or 'none'}",
        ) from None
    except TemplateError as exc:
        raise WorkbenchError(
            f"template {name} failed: {str(exc).splitlines()[0]}",
            "fix the template or pass the missing value",
        ) from None
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + ("\n" if channel == "email" else "")
    return Draft(scenario, channel, text, CHANNELS[channel])
