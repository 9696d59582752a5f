"""Settings: every ``WORKBENCH_*`` option, read from the environment into one :class:`Settings`.

============================  ==========================================  =========================
setting                       meaning                                     default
============================  ==========================================  =========================
WORKBENCH_HOME                state folder (data, case store, cases)      ``./var``
WORKBENCH_DATA_URL            platform data, read-only                    ``<home>/platform.duckdb``
WORKBENCH_CASES_URL           case store, read-write                      ``<home>/workbench.db``
WORKBENCH_ANALYST             display name of who is acting               ``JUPYTERHUB_USER`` or the OS user
WORKBENCH_TZ                  display time zone (IANA name)               ``UTC``
WORKBENCH_MAX_ROWS            rows fetched per query before the cut       ``100000``
WORKBENCH_QUERY_TIMEOUT       seconds before a query is cancelled         ``60``
WORKBENCH_LAB_URL             JupyterLab tree URL of the cases folder     ``http://127.0.0.1:8888/lab/tree``
WORKBENCH_QUERIES             folder of the SQL query library             shipped ``queries/``
WORKBENCH_POLICIES            policy taxonomy file                        shipped ``policies.yaml``
WORKBENCH_SLA                 SLA policy file                             shipped ``sla.yaml``
WORKBENCH_CASE_TEMPLATES      folder of per-category notebook templates   shipped ``templates/cases``
WORKBENCH_RESPONSES_DIR       reply templates                             shipped ``templates/responses``
WORKBENCH_TERMS_DIR           risk-term lists                             shipped ``templates/terms``
WORKBENCH_REDACTION_DIR       redaction profiles per audience             shipped ``templates/redaction``
WORKBENCH_FILINGS_DIR         filing templates, contacts, letters         shipped ``templates/filings``
WORKBENCH_MAX_BYTES           bytes fetched per query before the cut      ``256000000`` (256 MB)
WORKBENCH_MAX_VALUE           characters (or bytes) kept of one value     ``4000``
WORKBENCH_DUCKDB_MEMORY       DuckDB memory_limit for the platform        ``512MB``
WORKBENCH_DUCKDB_THREADS      DuckDB threads for the platform             ``2``
WORKBENCH_ANCHOR_DIR          where signed audit checkpoints are appended ``<home>/anchors``
WORKBENCH_ANCHOR_KEY          Ed25519 key file that signs checkpoints     ``<home>/secrets/audit-anchor.pem``
WORKBENCH_ANCHOR_PUBLIC_KEY   public key that checks them (PEM file)      from the signing key
WORKBENCH_ANCHOR_SYSLOG       also send checkpoints to syslog             off (``/dev/log``, ``host:514``)
WORKBENCH_ANCHOR_EVERY        seconds between checkpoints (serve, batch)  ``300``
WORKBENCH_BUNDLE_KEY          the team's Ed25519 bundle signing key       ``<home>/secrets/bundles.pem``
WORKBENCH_EVIDENCE_MAX_BYTES  largest file ``evidence add`` takes         ``4294967296`` (4 GiB)
============================  ==========================================  =========================

A bad value gives a :class:`~workbench.errors.SettingsError` whose one-line message names the
setting. Nothing here connects to a database; the stores do that and report unreachable
databases against the setting that named them. Shipped files are found through
:mod:`workbench.resources`.
"""

from __future__ import annotations

import getpass
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from workbench import resources
from workbench.errors import InputError, SettingsError

ENV_HOME = "WORKBENCH_HOME"
ENV_DATA_URL = "WORKBENCH_DATA_URL"
ENV_CASES_URL = "WORKBENCH_CASES_URL"
ENV_ANALYST = "WORKBENCH_ANALYST"
ENV_TZ = "WORKBENCH_TZ"
ENV_MAX_ROWS = "WORKBENCH_MAX_ROWS"
ENV_QUERY_TIMEOUT = "WORKBENCH_QUERY_TIMEOUT"
ENV_LAB_URL = "WORKBENCH_LAB_URL"
ENV_QUERIES = "WORKBENCH_QUERIES"
ENV_POLICIES = "WORKBENCH_POLICIES"
ENV_SLA = "WORKBENCH_SLA"
ENV_CASE_TEMPLATES = "WORKBENCH_CASE_TEMPLATES"
ENV_RESPONSES_DIR = "WORKBENCH_RESPONSES_DIR"
ENV_TERMS_DIR = "WORKBENCH_TERMS_DIR"
ENV_REDACTION_DIR = "WORKBENCH_REDACTION_DIR"
ENV_FILINGS_DIR = "WORKBENCH_FILINGS_DIR"
ENV_MAX_BYTES = "WORKBENCH_MAX_BYTES"
ENV_MAX_VALUE = "WORKBENCH_MAX_VALUE"
ENV_DUCKDB_MEMORY = "WORKBENCH_DUCKDB_MEMORY"
ENV_DUCKDB_THREADS = "WORKBENCH_DUCKDB_THREADS"
ENV_ANCHOR_DIR = "WORKBENCH_ANCHOR_DIR"
ENV_ANCHOR_KEY = "WORKBENCH_ANCHOR_KEY"
ENV_ANCHOR_PUBLIC_KEY = "WORKBENCH_ANCHOR_PUBLIC_KEY"
ENV_ANCHOR_SYSLOG = "WORKBENCH_ANCHOR_SYSLOG"
ENV_ANCHOR_EVERY = "WORKBENCH_ANCHOR_EVERY"
#: Set by JupyterHub in each user's server: the hub account the server runs for.
ENV_HUB_USER = "JUPYTERHUB_USER"
ENV_BUNDLE_KEY = "WORKBENCH_BUNDLE_KEY"
ENV_EVIDENCE_MAX_BYTES = "WORKBENCH_EVIDENCE_MAX_BYTES"

DEFAULT_MAX_ROWS = 100_000
DEFAULT_QUERY_TIMEOUT_S = 60.0
DEFAULT_LAB_URL = "http://127.0.0.1:8888/lab/tree"
DEFAULT_MAX_BYTES = 256_000_000
DEFAULT_MAX_VALUE = 4_000
DEFAULT_DUCKDB_MEMORY = "512MB"  # below a 1 GB value (refused) and bounds a scan's buffer pool
DEFAULT_DUCKDB_THREADS = 2
DEFAULT_ANCHOR_EVERY_S = 300.0
_MEMORY_RE = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
DEFAULT_EVIDENCE_MAX_BYTES = 4 << 30

ANALYST_NAME_RE = re.compile(r"^[A-Za-z0-9._@+-]{1,64}$")
ANALYST_NAME_HINT = "use letters, digits and . _ @ + - (at most 64)"


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :func:`load_settings`; the process's own with :func:`settings`."""

    home: Path
    data_url: URL
    cases_url: URL
    analyst: str
    tz: ZoneInfo
    max_rows: int = DEFAULT_MAX_ROWS
    query_timeout: float = DEFAULT_QUERY_TIMEOUT_S
    lab_url: str = DEFAULT_LAB_URL
    queries_dir: Path | None = None
    policies_file: Path | None = None
    sla_file: Path | None = None
    case_templates_dir: Path | None = None
    responses_dir: Path | None = None
    terms_dir: Path | None = None
    redaction_dir: Path | None = None
    filings_dir: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    max_value: int = DEFAULT_MAX_VALUE
    duckdb_memory: str = DEFAULT_DUCKDB_MEMORY
    duckdb_threads: int = DEFAULT_DUCKDB_THREADS
    anchor_dir: Path | None = None
    anchor_key: Path | None = None
    anchor_public_key: Path | None = None
    anchor_syslog: str | None = None
    anchor_every: float = DEFAULT_ANCHOR_EVERY_S
    hub_user: str | None = None
    bundle_key: Path | None = None  # a team's signing key file; None: made under the home
    evidence_max_bytes: int = DEFAULT_EVIDENCE_MAX_BYTES

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
    def anchors_dir(self) -> Path:
        """Where signed audit checkpoints are appended (``$WORKBENCH_ANCHOR_DIR``)."""
        return self.anchor_dir if self.anchor_dir is not None else self.home / "anchors"

    @property
    def tz_name(self) -> str:
        return self.tz.key

    def resource(self, name: str) -> Path:
        """The folder or file a resource setting names (``queries_dir``, ``sla_file``, ...):
        the override when one is set, else the shipped copy."""
        value = getattr(self, name)
        return value if value is not None else resources.path(_SHIPPED[name])


_SHIPPED = {
    "queries_dir": resources.QUERIES,
    "policies_file": resources.POLICIES,
    "sla_file": resources.SLA,
    "case_templates_dir": resources.CASE_TEMPLATES,
    "responses_dir": resources.RESPONSES,
    "terms_dir": resources.TERMS,
    "redaction_dir": resources.REDACTION,
    "filings_dir": resources.FILINGS,
}
_RESOURCE_ENV = {
    "queries_dir": ENV_QUERIES,
    "policies_file": ENV_POLICIES,
    "sla_file": ENV_SLA,
    "case_templates_dir": ENV_CASE_TEMPLATES,
    "responses_dir": ENV_RESPONSES_DIR,
    "terms_dir": ENV_TERMS_DIR,
    "redaction_dir": ENV_REDACTION_DIR,
    "filings_dir": ENV_FILINGS_DIR,
}


def _home(env: Mapping[str, str]) -> Path:
    raw = env.get(ENV_HOME, "").strip() or "./var"
    home = Path(raw).expanduser().resolve()
    if home.exists() and not home.is_dir():
        raise SettingsError(ENV_HOME, f"{raw!r} exists and is not a folder", "point it at a folder")
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(
            ENV_HOME, f"cannot create {raw!r}: {exc.strerror}", "choose a folder you can write"
        ) from None
    if not os.access(home, os.W_OK | os.X_OK):
        raise SettingsError(ENV_HOME, f"{raw!r} is not writable", "choose a folder you can write")
    return home


def _url(env: Mapping[str, str], name: str, default: str) -> URL:
    raw = env.get(name, "").strip()
    if not raw:
        return make_url(default)
    try:
        return make_url(raw)
    except ArgumentError:
        raise SettingsError(
            name, "is not a database URL", "use a SQLAlchemy URL such as postgresql://user@host/db"
        ) from None


def check_analyst_name(value: str) -> str:
    """``value`` if it can name an analyst (an assignee, a display name), else InputError."""
    if not isinstance(value, str) or not ANALYST_NAME_RE.match(value):
        raise InputError(f"{value!r} is not a valid analyst name", ANALYST_NAME_HINT)
    return value


def _analyst(env: Mapping[str, str]) -> str:
    raw = env.get(ENV_ANALYST, "").strip() or env.get(ENV_HUB_USER, "").strip()
    if not raw:
        try:
            raw = getpass.getuser()
        except Exception:  # no user name in the environment (containers)
            raw = "unknown"
    if not ANALYST_NAME_RE.match(raw):
        raise SettingsError(ENV_ANALYST, f"{raw!r} is not a valid analyst name", ANALYST_NAME_HINT)
    return raw


def _tz(env: Mapping[str, str]) -> ZoneInfo:
    raw = env.get(ENV_TZ, "").strip() or "UTC"
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            ENV_TZ,
            f"{raw!r} is not a known time zone",
            "use an IANA name such as Europe/Berlin or UTC",
        ) from None


def _positive_int(env: Mapping[str, str], name: str, default: int, example: str) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise SettingsError(name, f"{raw!r} is not a positive whole number", f"e.g. {example}")
    return int(raw)


def _positive_seconds(env: Mapping[str, str], name: str, default: float, example: str) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value)):
        raise SettingsError(name, f"{raw!r} is not a positive number of seconds", f"e.g. {example}")
    return value


def _memory(env: Mapping[str, str]) -> str:
    raw = env.get(ENV_DUCKDB_MEMORY, "").strip() or DEFAULT_DUCKDB_MEMORY
    if not _MEMORY_RE.match(raw):
        raise SettingsError(ENV_DUCKDB_MEMORY, f"{raw!r} is not an amount of memory", "e.g. 1GB")
    return raw


def _hub_user(env: Mapping[str, str]) -> str | None:
    raw = env.get(ENV_HUB_USER, "").strip()
    if raw and not ANALYST_NAME_RE.match(raw):
        raise SettingsError(ENV_HUB_USER, f"{raw!r} is not a valid user name", ANALYST_NAME_HINT)
    return raw or None


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name, "").strip()
    return Path(raw).expanduser().resolve() if raw else None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings from ``env`` (default: ``os.environ``)."""
    env = dict(os.environ if env is None else env)
    home = _home(env)
    data_url = _url(env, ENV_DATA_URL, f"duckdb:///{home / 'platform.duckdb'}")
    cases_url = _url(env, ENV_CASES_URL, f"sqlite:///{home / 'workbench.db'}")
    if cases_url.get_backend_name() == "duckdb":
        raise SettingsError(
            ENV_CASES_URL,
            "DuckDB cannot hold the case store (one writer per file)",
            "use sqlite:///path or postgresql://...",
        )
    return Settings(
        home=home,
        data_url=data_url,
        cases_url=cases_url,
        analyst=_analyst(env),
        tz=_tz(env),
        max_rows=_positive_int(env, ENV_MAX_ROWS, DEFAULT_MAX_ROWS, "100000"),
        query_timeout=_positive_seconds(env, ENV_QUERY_TIMEOUT, DEFAULT_QUERY_TIMEOUT_S, "60"),
        lab_url=env.get(ENV_LAB_URL, "").strip() or DEFAULT_LAB_URL,
        **{field: _path(env, var) for field, var in _RESOURCE_ENV.items()},
        max_bytes=_positive_int(env, ENV_MAX_BYTES, DEFAULT_MAX_BYTES, "256000000"),
        max_value=_positive_int(env, ENV_MAX_VALUE, DEFAULT_MAX_VALUE, "1000000"),
        duckdb_memory=_memory(env),
        duckdb_threads=_positive_int(env, ENV_DUCKDB_THREADS, DEFAULT_DUCKDB_THREADS, "2"),
        anchor_dir=_path(env, ENV_ANCHOR_DIR),
        anchor_key=_path(env, ENV_ANCHOR_KEY),
        anchor_public_key=_path(env, ENV_ANCHOR_PUBLIC_KEY),
        anchor_syslog=env.get(ENV_ANCHOR_SYSLOG, "").strip() or None,
        anchor_every=_positive_seconds(env, ENV_ANCHOR_EVERY, DEFAULT_ANCHOR_EVERY_S, "300"),
        hub_user=_hub_user(env),
        bundle_key=_path(env, ENV_BUNDLE_KEY),
        evidence_max_bytes=_positive_int(
            env, ENV_EVIDENCE_MAX_BYTES, DEFAULT_EVIDENCE_MAX_BYTES, "1073741824"
        ),
    )


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
