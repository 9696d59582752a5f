"""Who files: the team's details as registries and authorities know them, the data types a
law-enforcement request may name, and the filing templates, from ``templates/filings/``
(``WORKBENCH_FILINGS_DIR``): ``settings.yaml``, ``statement/`` (decision facts and the
explanation of the ground) and ``letters/`` (preservation and production letters, the
custody record). Re-read when a file changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound

from workbench.config import ENV_FILINGS_DIR, settings
from workbench.errors import InputError, WorkbenchError
from workbench.files import cached, read_yaml_mapping

_PREFIX_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class DataType:
    name: str
    query: str
    title: str


@dataclass(frozen=True)
class Team:
    provider: str
    service: str
    statement_language: str
    puid_prefix: str
    notice_channel: str
    ods_url: str
    cybertip: dict[str, Any]
    law_enforcement: dict[str, str]
    data_types: dict[str, DataType] = field(default_factory=dict)

    def data_type(self, name: str) -> DataType:
        if name not in self.data_types:
            raise InputError(
                f"{name!r} is not a data type a request can name",
                f"use one of {', '.join(self.data_types)} (templates/filings/settings.yaml)",
            )
        return self.data_types[name]


def folder() -> Path:
    """The filing templates (``WORKBENCH_FILINGS_DIR`` or the shipped ``templates/filings``)."""
    return settings().resource("filings_dir")


def _load(path: Path) -> Team:
    raw = read_yaml_mapping(
        path, what="filing settings", hint="restore templates/filings/settings.yaml"
    )

    def text(key: str, default: str = "") -> str:
        return str(raw.get(key) or default).strip()

    prefix = text("puid_prefix", "sor")
    if not _PREFIX_RE.fullmatch(prefix):
        raise WorkbenchError(
            f"{path.name}: puid_prefix {prefix!r} may hold only letters, digits, - and _",
            "shorten it to at most 40 of those",
        )
    channel = text("notice_channel", "email")
    if channel not in ("email", "in_app"):
        raise WorkbenchError(f"{path.name}: notice_channel {channel!r} is not email or in_app")
    types = {}
    for name, spec in (raw.get("data_types") or {}).items():
        if not isinstance(spec, dict) or not spec.get("query"):
            raise WorkbenchError(f"{path.name}: data_types.{name} needs a query")
        types[str(name)] = DataType(str(name), str(spec["query"]), str(spec.get("title") or name))
    return Team(
        provider=text("provider", "the provider"),
        service=text("service", "the service"),
        statement_language=text("statement_language", "en").lower(),
        puid_prefix=prefix,
        notice_channel=channel,
        ods_url=text("ods_url"),
        cybertip=dict(raw.get("cybertip") or {}),
        law_enforcement={k: str(v) for k, v in (raw.get("law_enforcement") or {}).items()},
        data_types=types,
    )


def team() -> Team:
    """The team's filing settings (re-read when ``settings.yaml`` changes)."""
    return cached(
        folder() / "settings.yaml",
        _load,
        what="filing settings",
        hint=f"restore templates/filings/settings.yaml or fix {ENV_FILINGS_DIR}",
    )


def render(name: str, **values: Any) -> str:
    """Fill the filing template ``name`` (a path under the filings folder) with ``values``."""
    env = Environment(
        loader=FileSystemLoader(str(folder())),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    try:
        text = env.get_template(name).render(**values)
    except TemplateNotFound:
        raise WorkbenchError(
            f"no filing template {name} in {folder()}", "restore templates/filings/"
        ) from None
    except TemplateError as exc:
        raise WorkbenchError(
            f"filing template {name} failed: {str(exc).splitlines()[0]}",
            "fix the template (or pass the value it names)",
        ) from None
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
