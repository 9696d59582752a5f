"""One small event hub: "case X changed (its evidence, notes, decision ...)", told to whoever in
this process listens for that case.

The case store is the only place a case changes, so the hub listens there rather than asking
every module to announce its writes: every ORM row written for a case (evidence items, custody
events, notes, decisions, annotations, replies, subjects, the case row itself) becomes a
:class:`CaseEvent` once its transaction has **committed** (a rolled-back write announces
nothing). Listeners are called in the thread that committed, after the commit; a listener that
fails is logged and never disturbs the writer or the other listeners.

Widgets subscribe for their case (``workbench.widgets.panel.Panel.listen``) and refresh
themselves; nobody calls another widget. Code outside the store may :func:`publish` too.
A subscription belongs to the case store that was current when it was made (case ids are
unique within one store only).

Topics: ``case`` (status, assignee, priority, fields), ``subjects`` (subjects, related cases),
``evidence``, ``notes``, ``decision``, ``timeline`` (annotations), ``reply``, ``media``
(reveals).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from workbench.config import settings

TOPICS = (
    "case",
    "subjects",
    "evidence",
    "notes",
    "decision",
    "timeline",
    "reply",
    "media",
    "filing",
)
# case-store table -> topic; tables not named here (the audit log, counters) announce nothing
TABLE_TOPICS = {
    "cases": "case",
    "case_subjects": "subjects",
    "case_related": "subjects",
    "case_notes": "notes",
    "case_decisions": "decision",
    "evidence_items": "evidence",
    "evidence_custody": "evidence",
    "timeline_annotations": "timeline",
    "content_replies": "reply",
    "content_reveals": "media",
    "filings": "filing",
    "legal_requests": "filing",
    "preservation_holds": "filing",
    "filing_file_reviews": "filing",
}
# columns of the case row that every write bumps: changing only these is no news
HOUSEKEEPING = frozenset({"version", "updated_at", "updated_by", "first_action_at"})
_PENDING = "workbench.events"
_log = logging.getLogger("workbench.events")


@dataclass(frozen=True)
class CaseEvent:
    """Something about ``case_id`` changed; ``topic`` says what (one of :data:`TOPICS`)."""

    case_id: str
    topic: str


Listener = Callable[[CaseEvent], Any]


class Subscription:
    """A listener for some topics of one case; :meth:`close` stops it. The hub holds bound
    methods weakly, so a widget that is gone stops listening by itself."""

    def __init__(self, case_id: str, topics: Iterable[str], listener: Listener) -> None:
        wanted = frozenset(topics)
        unknown = wanted - set(TOPICS)
        if unknown:
            raise ValueError(f"unknown topic(s) {sorted(unknown)}; known: {', '.join(TOPICS)}")
        self.case_id, self.topics = case_id, wanted
        self.store = _store_key(settings().cases_url)
        self._ref: Callable[[], Listener | None]
        if hasattr(listener, "__self__") and hasattr(listener, "__func__"):
            self._ref = weakref.WeakMethod(listener)
        else:
            self._ref = lambda: listener
        self.closed = False

    def close(self) -> None:
        self.closed = True
        with _lock:
            if self in _subscriptions:
                _subscriptions.remove(self)

    def _deliver(self, ev: CaseEvent) -> bool:
        fn = self._ref()
        if fn is None:  # its widget is gone
            self.close()
            return False
        fn(ev)
        return True


_lock = threading.Lock()
_subscriptions: list[Subscription] = []


def subscribe(case_id: str, topics: Iterable[str], listener: Listener) -> Subscription:
    """Call ``listener(event)`` after each committed change of ``case_id`` in ``topics``."""
    _install()
    sub = Subscription(case_id, topics, listener)
    with _lock:
        _subscriptions.append(sub)
    return sub


def _store_key(url: URL | str) -> str:
    return url.render_as_string(hide_password=False) if isinstance(url, URL) else str(url)


def publish(case_id: str, topic: str, *, store: URL | str | None = None) -> int:
    """Tell the listeners of ``case_id`` (in ``store``, default: the current case store) that
    ``topic`` changed; returns how many heard it."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}; known: {', '.join(TOPICS)}")
    ev = CaseEvent(case_id, topic)
    key = _store_key(store if store is not None else settings().cases_url)
    with _lock:
        targets = [
            s
            for s in _subscriptions
            if s.case_id == case_id and topic in s.topics and s.store == key
        ]
    heard = 0
    for sub in targets:
        if sub.closed:
            continue
        try:
            heard += sub._deliver(ev)
        except Exception:  # a listener's bug must not reach the writer (its commit is done)
            _log.exception("listener of %s/%s failed", case_id, topic)
    return heard


# --------------------------------------------------------------------------- the store's side


def _topic(obj: Any) -> str | None:
    table = getattr(getattr(obj, "__table__", None), "name", None)
    topic = TABLE_TOPICS.get(table or "")
    if topic == "case":
        state = inspect(obj)
        changed = {a.key for a in state.attrs if a.history.has_changes()}
        if state.pending:
            return None  # a new case: nobody can be listening for it yet
        if not changed - HOUSEKEEPING:
            return None
    return topic


def _after_flush(session: Session, _context: Any) -> None:
    found = session.info.setdefault(_PENDING, set())
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        case_id = getattr(obj, "case_id", None)
        if not isinstance(case_id, str):
            continue
        topic = _topic(obj)
        if topic is not None:
            found.add((case_id, topic))


def _after_commit(session: Session) -> None:
    found = session.info.pop(_PENDING, None)
    if not found:
        return
    bind = session.get_bind()
    for case_id, topic in sorted(found):
        publish(case_id, topic, store=bind.engine.url)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


_installed = False


def _install() -> None:
    """Listen to every ORM session (idempotent). Done on the first subscription, so processes
    with no listener (the command line, report workers) pay nothing."""
    global _installed
    with _lock:
        if _installed:
            return
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _installed = True
