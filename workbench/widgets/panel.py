"""The base of the case-notebook widgets: one status line, one way to show what went wrong, and
one way to hear that the case changed elsewhere.

A :class:`Panel` runs each user action through :meth:`Panel.attempt`: a
:class:`~workbench.errors.WorkbenchError` (bad input, a refusal) becomes one line in the panel
that failed; anything else is appended, with its traceback, to ``<home>/logs/widgets.log`` and the
panel says so in one line. Nothing fails silently, and no traceback reaches the page.

:meth:`Panel.listen` subscribes the panel to changes of its case through the event hub
(:mod:`workbench.events`): when another widget, a cell or another module changes the case's
evidence, notes, decision ..., the panel refreshes itself; a failing refresh is one line in
this panel. Widgets never call each other.
"""

from __future__ import annotations

import html
import logging
import traceback
from collections.abc import Callable
from typing import Any, Literal

import ipywidgets as W

from workbench import events
from workbench.config import settings
from workbench.errors import WorkbenchError

Kind = Literal["info", "ok", "error"]
#: The one place the status colours are defined.
COLOURS: dict[str, str] = {"info": "#37474f", "ok": "#2e7d32", "error": "#c62828"}


def status_html(text: str, kind: Kind = "info") -> str:
    """``text`` as one escaped status line of ``kind``."""
    role = " role='alert'" if kind == "error" else ""
    return (
        f"<span class='wb-status wb-{kind}'{role} style='color:{COLOURS[kind]}'>"
        f"{html.escape(text)}</span>"
    )


def log_failure(where: str, err: BaseException) -> str:
    """Append an unexpected failure to ``<home>/logs/widgets.log``; returns the log's path."""
    folder = settings().home / "logs"
    folder.mkdir(exist_ok=True)
    path = folder / "widgets.log"
    logger = logging.getLogger("workbench.widgets")
    if not logger.handlers:
        logger.addHandler(logging.FileHandler(path, encoding="utf-8"))
        logger.propagate = False
    logger.error(
        "%s failed:\n%s",
        where,
        "".join(traceback.format_exception(type(err), err, err.__traceback__)),
    )
    return str(path)


class Panel(W.VBox):
    """A VBox with a status line (``self.message``, made by the subclass's layout)."""

    message: W.HTML

    def status_line(self) -> W.HTML:
        """The status line; put it where the panel's layout wants it."""
        self.message = W.HTML()
        return self.message

    def say(self, text: str, kind: Kind = "info") -> None:
        self.message.value = status_html(text, kind) if text else ""

    def attempt(
        self, action: Callable[[], Any], *, done: str | Callable[[Any], str] | None = None
    ) -> Any | None:
        """Run ``action``; show ``done`` (or what it returns, if text) on success, one line on
        failure. Returns what the action returned, or None when it failed."""
        ok, result = self._guarded(action)
        if not ok:
            return None
        if callable(done):
            self.say(done(result), "ok")
        elif done is not None:
            self.say(done, "ok")
        elif isinstance(result, str):
            self.say(result, "ok")
        else:
            self.say("")
        return result

    def _guarded(self, action: Callable[[], Any]) -> tuple[bool, Any]:
        """(True, result) or, after saying what went wrong in one line, (False, None)."""
        try:
            return True, action()
        except WorkbenchError as err:
            self.say(str(err), "error")
        except Exception as err:  # a bug: log it whole, say one line
            path = log_failure(type(self).__name__, err)
            self.say(f"something went wrong ({type(err).__name__}); details in {path}", "error")
        return False, None

    def listen(self, case_id: str, topics: tuple[str, ...], refresh: Callable[[], Any]) -> None:
        """Run ``refresh`` whenever ``case_id`` changes in one of ``topics`` (anywhere in this
        process, after the change is committed). A failing refresh is one line in this panel.
        The hub holds the panel weakly: a panel that is gone stops listening."""
        subs = self.__dict__.setdefault("_subscriptions", [])
        subs.append(events.subscribe(case_id, topics, self._heard))
        self.__dict__.setdefault("_refreshers", []).append((frozenset(topics), refresh))

    def _heard(self, ev: events.CaseEvent) -> None:
        done = set()
        for topics, refresh in self.__dict__.get("_refreshers", []):
            if ev.topic in topics and id(refresh) not in done:
                done.add(id(refresh))
                self._guarded(refresh)

    def close(self) -> None:
        for sub in self.__dict__.pop("_subscriptions", []):
            sub.close()
        super().close()
