"""What both stores share about their SQLAlchemy engines: one cached engine per URL in a
process, and a first connection that either answers or says, in one line, which setting names
a database that does not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from workbench.config import safe_url
from workbench.errors import SettingsError


def first_line(exc: BaseException, limit: int = 160) -> str:
    """The driver's own message of a database error, first line only."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:limit]


def answering(engine: Engine, setting: str) -> Engine:
    """``engine`` once it has answered ``SELECT 1``; else it is disposed and the error names
    ``setting`` (the password hidden)."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (DBAPIError, SQLAlchemyError) as exc:
        engine.dispose()
        raise SettingsError(
            setting,
            f"cannot open {safe_url(engine.url)}: {first_line(exc)}",
            "check the URL and that the database is running",
        ) from None
    return engine


class EngineCache:
    """Engines by URL, opened once per process with ``opener``."""

    def __init__(self, opener: Callable[[URL], Engine]) -> None:
        self._opener = opener
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()

    def get(self, url: URL) -> Engine:
        key = url.render_as_string(hide_password=False)
        with self._lock:
            if key not in self._engines:
                self._engines[key] = self._opener(url)
            return self._engines[key]

    def dispose_all(self) -> None:
        with self._lock:
            while self._engines:
                self._engines.popitem()[1].dispose()
