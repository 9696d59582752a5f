"""The base of the case-notebook widgets: one status line, and one way to show what went wrong.

A :class:`Panel` runs each user action through :meth:`Panel.attempt`: a
:class:`~workbench.errors.WorkbenchError` (bad input, a refusal) becomes one line in the panel
that failed; anything else is appended, with its traceback, to ``<home>/logs/widgets.log`` and the
panel says so in one line. Nothing fails silently, and no traceback reaches the page.
"""

from __future__ import annotations

import html
import logging
import traceback
from collections.abc import Callable
from typing import Any, Literal

import ipywidgets as W

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
        try:
            result = action()
        except WorkbenchError as err:
            self.say(str(err), "error")
            return None
        except Exception as err:  # a bug: log it whole, say one line
            path = log_failure(type(self).__name__, err)
            self.say(f"something went wrong ({type(err).__name__}); details in {path}", "error")
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
