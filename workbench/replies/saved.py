"""Saved replies: a reply that passed the disclosure guard, recorded on the case (who, when,
channel, SHA-256 of the text) and in its change log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select

from workbench import cases
from workbench.config import settings as current_settings
from workbench.errors import InputError
from workbench.evidence.scanner import ExitScanner
from workbench.ids import validate_case_id
from workbench.replies.disclosure import (
    DisclosureContext,
    DisclosureError,
    build_context,
    check,
    context_protected,
)
from workbench.replies.drafts import check_channel, check_scenario, reply_settings
from workbench.store import audit
from workbench.store.models import ReplyRow
from workbench.times import utcnow

# --------------------------------------------------------------------------- saving


@dataclass(frozen=True)
class SavedReply:
    id: int
    case_id: str
    channel: str
    scenario: str | None
    who: str
    at: datetime
    sha256: str
    length: int


def save_reply(
    case: str,
    channel: str,
    text: str,
    *,
    scenario: str | None = None,
    recipient: int | None = None,
    who: str | None = None,
    context: DisclosureContext | None = None,
) -> SavedReply:
    """Record a reply on the case after the guard passes; :class:`DisclosureError` if not."""
    validate_case_id(case)
    check_channel(channel)
    if scenario is not None:
        check_scenario(scenario)
    if not isinstance(text, str) or not text.strip():
        raise InputError("the reply is empty", "write or draft a reply first")
    ctx = context or build_context(case, recipient=recipient, channel=channel)
    result = check(text, case=case, channel=channel, recipient=recipient, context=ctx)
    if not result.ok:
        raise DisclosureError(
            f"reply not saved: it {result.summary()}", "edit the highlighted parts and check again"
        )
    text = result.text
    # The last wall: the exit scan of what leaves for the member, with the guard's own values.
    allowed = set(ctx.allowed) | {str(a) for a in reply_settings().get("allowed_contacts") or []}
    ExitScanner(case, "external", protected=context_protected(ctx, allowed)).text(
        f"{channel} reply", text
    )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    who = who or current_settings().analyst
    at = utcnow()
    with cases.unit() as s:
        cases.record_action(
            s,
            case,
            who=who,
            at=at,
            action="reply",
            field="replies",
            new=f"{channel} reply, sha256 {digest[:16]}",
        )
        row = ReplyRow(
            case_id=case,
            channel=channel,
            scenario=scenario,
            who=who,
            at=at,
            sha256=digest,
            length=len(text),
            text=text,
        )
        s.add(row)
        s.flush()
        saved = SavedReply(row.id, case, channel, scenario, who, at, digest, len(text))
    audit.record(
        "reply.save",
        case=case,
        details={"channel": channel, "scenario": scenario, "sha256": digest},
    )
    return saved


def replies(case: str) -> pd.DataFrame:
    """Replies saved on the case, oldest first (who, when, channel, hash, text)."""
    validate_case_id(case)
    with cases.unit() as s:
        cases.get(case, session=s)
        rows = s.scalars(
            select(ReplyRow).where(ReplyRow.case_id == case).order_by(ReplyRow.id)
        ).all()
        data = [
            {
                "id": r.id,
                "at": r.at,
                "who": r.who,
                "channel": r.channel,
                "scenario": r.scenario,
                "length": r.length,
                "sha256": r.sha256,
                "text": r.text,
            }
            for r in rows
        ]
    return pd.DataFrame(
        data, columns=["id", "at", "who", "channel", "scenario", "length", "sha256", "text"]
    )
