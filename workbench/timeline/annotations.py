"""Stars, tags and comments on timeline events, kept in the case store.

An event is named by its timeline ``ref`` (``"messages:123"``, ``"logins:9"``). Every act is an
appended row (who, when, what) in ``timeline_annotations``: nothing is updated or deleted, so the
table is the audit trail and the current state (starred? which tags? comments) is folded from
it. Being in the case store, annotations survive kernel restarts and are shared by the team.

:func:`add_to_evidence` hands selected events to the evidence module as a timeline excerpt and
records that on the events too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select

from workbench import cases
from workbench.config import settings
from workbench.errors import InputError
from workbench.ids import validate_case_id
from workbench.store import audit, session
from workbench.store.models import AnnotationRow
from workbench.times import parse_timestamp, utcnow

ACTIONS = ("star", "unstar", "tag", "untag", "comment", "evidence")
_REF_RE = re.compile(r"^[a-z_][a-z0-9_]*:[^\s]{1,180}$")
_TAG_RE = re.compile(r"^[\w][\w .:/+-]{0,47}$", re.UNICODE)
MAX_COMMENT = 4000


# --- inputs ---------------------------------------------------------------------------------


def _targets(events: Any) -> list[tuple[str, datetime | None]]:
    """(ref, event time) pairs from a ref, a list of refs, or a DataFrame with ``ref`` (+ ``ts``)."""
    if isinstance(events, pd.DataFrame):
        if "ref" not in events.columns:
            raise InputError(
                "the events table has no 'ref' column", "pass rows of wb.timeline.events"
            )
        times = events["ts"] if "ts" in events.columns else [None] * len(events)
        pairs = [
            (str(r), None if t is None or pd.isna(t) else parse_timestamp(t))
            for r, t in zip(events["ref"], times)
        ]
    elif isinstance(events, str):
        pairs = [(events, None)]
    elif isinstance(events, Iterable):
        pairs = [(str(r), None) for r in events]
    else:
        raise InputError(
            f"{events!r} does not name timeline events", "pass refs like 'messages:123'"
        )
    out: dict[str, datetime | None] = {}
    for ref, ts in pairs:
        ref = ref.strip()
        if not _REF_RE.match(ref):
            raise InputError(
                f"{ref[:60]!r} is not a timeline event reference", "refs look like 'messages:123'"
            )
        out[ref] = out.get(ref) or ts
    if not out:
        raise InputError("no events selected", "select one or more events first")
    return list(out.items())


def _tag(tag: str) -> str:
    tag = str(tag).strip()
    if not _TAG_RE.match(tag):
        raise InputError(
            f"{tag[:60]!r} is not a usable tag",
            "use up to 48 letters, digits, spaces and . : / + - _",
        )
    return tag


def _require_case(case: str) -> str:

    case = validate_case_id(case)
    cases.get(case)  # NotFoundError with a hint when it does not exist
    return case


def _record(
    case: str,
    events: Any,
    action: str,
    value: str | None,
    who: str | None,
    at: datetime | str | None,
) -> int:

    case = _require_case(case)
    who = who or settings().analyst
    when = parse_timestamp(at) if at is not None else utcnow()
    targets = _targets(events)
    with session() as s:
        for ref, ts in targets:
            s.add(
                AnnotationRow(
                    case_id=case,
                    ref=ref,
                    source=ref.split(":", 1)[0],
                    event_ts=ts,
                    action=action,
                    value=value,
                    who=who,
                    at=when,
                )
            )
    _audit(case, action, [ref for ref, _ in targets], who)
    return len(targets)


def _audit(case: str, action: str, refs: list[str], who: str) -> None:
    """Also append the act to the workbench audit log (ids and counts only, never content).

    The annotation rows are the authoritative trail; this puts annotating next to the queries
    run for the case in the hash-chained log.
    """
    audit.record(
        "timeline.annotate",
        case=case,
        target={"refs": refs[:100]},
        details={"action": action, "count": len(refs)},
    )


# --- acts -----------------------------------------------------------------------------------


def star(
    case: str, events: Any, *, who: str | None = None, at: datetime | str | None = None
) -> int:
    """Star events (a ref, refs, or rows of the timeline); returns how many."""
    return _record(case, events, "star", None, who, at)


def unstar(
    case: str, events: Any, *, who: str | None = None, at: datetime | str | None = None
) -> int:
    return _record(case, events, "unstar", None, who, at)


def tag(
    case: str, events: Any, tag: str, *, who: str | None = None, at: datetime | str | None = None
) -> int:
    """Put ``tag`` on events."""
    return _record(case, events, "tag", _tag(tag), who, at)


def untag(
    case: str, events: Any, tag: str, *, who: str | None = None, at: datetime | str | None = None
) -> int:
    return _record(case, events, "untag", _tag(tag), who, at)


def comment(
    case: str, events: Any, text: str, *, who: str | None = None, at: datetime | str | None = None
) -> int:
    """Comment on events (comments are kept, never edited; add another to correct one)."""
    text = (text or "").strip()
    if not text:
        raise InputError("the comment is empty", "write something")
    if len(text) > MAX_COMMENT:
        raise InputError(f"the comment is longer than {MAX_COMMENT} characters", "shorten it")
    return _record(case, events, "comment", text, who, at)


# --- reading --------------------------------------------------------------------------------


def history(case: str) -> pd.DataFrame:
    """Every annotation act on the case, oldest first: ref, source, event_ts, action, value, who, at."""
    case = validate_case_id(case)
    with session() as s:
        rows = s.scalars(
            select(AnnotationRow).where(AnnotationRow.case_id == case).order_by(AnnotationRow.id)
        ).all()
    return pd.DataFrame(
        {
            "ref": pd.Series([r.ref for r in rows], dtype="string"),
            "source": pd.Series([r.source for r in rows], dtype="string"),
            "event_ts": pd.to_datetime([r.event_ts for r in rows], utc=True),
            "action": pd.Series([r.action for r in rows], dtype="string"),
            "value": pd.Series([r.value for r in rows], dtype="string"),
            "who": pd.Series([r.who for r in rows], dtype="string"),
            "at": pd.to_datetime([r.at for r in rows], utc=True),
        }
    )


def current(case: str) -> pd.DataFrame:
    """The current state per annotated event: ref, source, ts, starred, tags, comments, evidence.

    ``tags`` is a sorted tuple; ``comments`` a tuple of "who: text" in order. Events whose last
    star was taken back and that have no tags or comments are left out.
    """
    hist = history(case)
    state: dict[str, dict[str, Any]] = {}
    for row in hist.itertuples(index=False):
        st = state.setdefault(
            row.ref,
            {
                "ref": row.ref,
                "source": row.source,
                "ts": None,
                "starred": False,
                "tags": set(),
                "comments": [],
                "evidence": False,
            },
        )
        if row.event_ts is not None and not pd.isna(row.event_ts):
            st["ts"] = row.event_ts
        if row.action == "star":
            st["starred"] = True
        elif row.action == "unstar":
            st["starred"] = False
        elif row.action == "tag":
            st["tags"].add(row.value)
        elif row.action == "untag":
            st["tags"].discard(row.value)
        elif row.action == "comment":
            st["comments"].append(f"{row.who}: {row.value}")
        elif row.action == "evidence":
            st["evidence"] = True
    rows = [
        dict(st, tags=tuple(sorted(st["tags"])), comments=tuple(st["comments"]))
        for st in state.values()
        if st["starred"] or st["tags"] or st["comments"] or st["evidence"]
    ]
    cols = ["ref", "source", "ts", "starred", "tags", "comments", "evidence"]
    df = pd.DataFrame(rows, columns=cols)
    df["ref"] = df["ref"].astype("string")
    df["ts"] = pd.to_datetime(df["ts"], utc=True)
    df["starred"] = df["starred"].astype(bool)
    df["evidence"] = df["evidence"].astype(bool)
    return df


def refs_with(case: str, *, tags: Sequence[str] | None = None, starred: bool = False) -> list[str]:
    """Refs of events carrying any of ``tags`` (and starred, if ``starred``)."""
    cur = current(case)
    keep = pd.Series(True, index=cur.index)
    if tags:
        wanted = {_tag(t) for t in tags}
        keep &= cur["tags"].map(lambda ts: bool(wanted & set(ts)))
    if starred:
        keep &= cur["starred"]
    return [str(r) for r in cur.loc[keep, "ref"]]


def attach(events: pd.DataFrame, case: str | None) -> pd.DataFrame:
    """``events`` with starred, tags and comments columns from the case's annotations."""
    out = events.copy()
    cur = current(case) if case else None
    if cur is None or cur.empty:
        out["starred"] = False
        out["tags"] = [()] * len(out)
        out["comments"] = [()] * len(out)
        return out
    by_ref = cur.set_index("ref")
    refs = out["ref"].astype(str)
    starred = by_ref["starred"].to_dict()
    out["starred"] = [bool(starred.get(r, False)) for r in refs]
    tags = by_ref["tags"].to_dict()
    comments = by_ref["comments"].to_dict()
    out["tags"] = [tags.get(r, ()) for r in refs]
    out["comments"] = [comments.get(r, ()) for r in refs]
    return out


# --- evidence -------------------------------------------------------------------------------


def mark_evidence(case: str, events: Any, label: str | None, *, who: str | None = None) -> int:
    """Mark events as collected into evidence item ``label`` (see
    :func:`workbench.evidence.items.add_timeline_events`, which collects them)."""
    return _record(case, events, "evidence", label, who, None)
