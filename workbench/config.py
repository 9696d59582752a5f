"""Settings, read from the environment.

=====================  ======================================  ==============================
setting                meaning                                  default
=====================  ======================================  ==============================
WORKBENCH_HOME         state folder (data, case store, cases)  ``./var``
WORKBENCH_DATA_URL     platform data, read-only                DuckDB file ``<home>/platform.duckdb``
WORKBENCH_CASES_URL    case store, read-write                  SQLite file ``<home>/workbench.db``
WORKBENCH_ANALYST      who is acting (audit log)               the OS user
WORKBENCH_TZ           display time zone (IANA name)           ``UTC``
=====================  ======================================  ==============================

A bad value gives a :class:`~workbench.errors.SettingsError` whose one-line message names the
setting. Nothing here connects to a database; the stores do that and report unreachable
databases against the setting that named them.
"""
from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .errors import SettingsError

ENV_HOME = "WORKBENCH_HOME"
ENV_DATA_URL = "WORKBENCH_DATA_URL"
ENV_CASES_URL = "WORKBENCH_CASES_URL"
ENV_ANALYST = "WORKBENCH_ANALYST"
ENV_TZ = "WORKBENCH_TZ"

_ANALYST_RE = re.compile(r"^[A-Za-z0-9._@+-]{1,64}$")


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`load_settings`."""

    home: Path
    data_url: URL
    cases_url: URL
    analyst: str
    tz: ZoneInfo

    @property
    def platform_file(self) -> Path:
        """Where the embedded DuckDB platform data lives (used when no URL is set)."""
        return self.home / "platform.duckdb"

    @property
    def media_dir(self) -> Path:
        return self.home / "media"

    @property
    def cases_dir(self) -> Path:
        return self.home / "cases"

    @property
    def tz_name(self) -> str:
        return self.tz.key


def _home(env: dict[str, str]) -> Path:
    raw = env.get(ENV_HOME, "").strip() or "./var"
    home = Path(raw).expanduser().resolve()
    if home.exists() and not home.is_dir():
        raise SettingsError(ENV_HOME, f"{raw!r} exists and is not a folder", "point it at a folder")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(ENV_HOME, f"cannot create {raw!r}: {exc.strerror}",
                            "choose a folder you can write") from None
    if not os.access(home, os.W_OK | os.X_OK):
        raise SettingsError(ENV_HOME, f"{raw!r} is not writable", "choose a folder you can write")
    return home


def _url(env: dict[str, str], name: str, default: str) -> URL:
    raw = env.get(name, "").strip()
    if not raw:
        return make_url(default)
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SettingsError(name, "is not a database URL",
                            "use a SQLAlchemy URL such as postgresql://user@host/db") from None
    return url


def _analyst(env: dict[str, str]) -> str:
    raw = env.get(ENV_ANALYST, "").strip()
    if not raw:
        try:
            raw = getpass.getuser()
        except Exception:  # no user name in the environment (containers)
            raw = "unknown"
    if not _ANALYST_RE.match(raw):
        raise SettingsError(ENV_ANALYST, f"{raw!r} is not a valid analyst name",
                            "use letters, digits and . _ @ + - (at most 64)")
    return raw


def _tz(env: dict[str, str]) -> ZoneInfo:
    raw = env.get(ENV_TZ, "").strip() or "UTC"
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(ENV_TZ, f"{raw!r} is not a known time zone",
                            "use an IANA name such as Europe/Berlin or UTC") from None


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read and validate the settings from ``env`` (default: ``os.environ``)."""
    env = dict(os.environ if env is None else env)
    home = _home(env)
    data_url = _url(env, ENV_DATA_URL, f"duckdb:///{home / 'platform.duckdb'}")
    cases_url = _url(env, ENV_CASES_URL, f"sqlite:///{home / 'workbench.db'}")
    if cases_url.get_backend_name() == "duckdb":
        raise SettingsError(ENV_CASES_URL, "DuckDB cannot hold the case store (one writer per file)",
                            "use sqlite:///path or postgresql://...")
    return Settings(home=home, data_url=data_url, cases_url=cases_url,
                    analyst=_analyst(env), tz=_tz(env))


_current: Settings | None = None


def settings(reload: bool = False) -> Settings:
    """The process-wide settings, read once; ``reload=True`` reads the environment again."""
    global _current
    if _current is None or reload:
        _current = load_settings()
    return _current


def safe_url(url: URL) -> str:
    """The URL as text with any password hidden, for logs, provenance and messages."""
    return url.render_as_string(hide_password=True)
