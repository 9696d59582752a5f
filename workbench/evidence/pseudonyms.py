"""Pseudonyms: keyed, stable stand-ins for platform user ids.

A pseudonym is an HMAC of the id, so it cannot be turned back into the id by hashing every
id. Keys (:mod:`workbench.keys`): one per case for what leaves in bundles and reports
(``pseudonyms/<CASE>``: two cases never share a pseudonym), and one for the leads' dashboards
(``pseudonyms/dashboards``).
"""

from __future__ import annotations

import hashlib
import hmac

from workbench.config import Settings
from workbench.config import settings as current_settings
from workbench.ids import validate_case_id
from workbench.keys import secret

DASHBOARDS = "dashboards"


def case_key(case_id: str, cfg: Settings | None = None) -> bytes:
    """The case's pseudonym key (``<home>/secrets/pseudonyms/<CASE>.key``)."""
    return secret(f"pseudonyms/{validate_case_id(case_id)}", cfg)


def dashboard_key(cfg: Settings | None = None) -> bytes:
    """The dashboards' pseudonym key (taken over from ``<home>/.pseudonym_key`` if one exists,
    so pseudonyms a lead has seen keep their value)."""
    home = (cfg or current_settings()).home
    return secret(f"pseudonyms/{DASHBOARDS}", cfg, adopt=home / ".pseudonym_key")


def pseudonym(user_id: int, key: bytes) -> str:
    """``S-`` and 8 hex digits for a platform user id under ``key``."""
    digest = hmac.new(key, str(int(user_id)).encode(), hashlib.sha256).hexdigest()
    return f"S-{digest[:8]}"
