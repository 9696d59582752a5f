"""Engine-independent content digests of the platform tables (determinism and load checks).

Each table's rows are read in primary-key order and hashed in a normal form: times as integer
microseconds since the epoch (optionally shifted), decimals as fixed-point text, everything
else as its text. Same digest => same contents, whichever engine holds them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal

from workbench.platform.schema import TABLES

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def primary_key(table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _norm(v: object, shift_us: int) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, datetime):
        delta = v.astimezone(UTC) - _EPOCH
        us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return str(us - shift_us)
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def table_digests(fetch: Callable[[str], Iterable[tuple]], *, shift_us: int = 0) -> dict[str, str]:
    """SHA-256 per table; ``fetch(sql)`` runs a query and yields rows (any engine).

    ``shift_us`` is subtracted from every time: data built with an anchor later by that much
    digests the same as the original."""
    out = {}
    for table in TABLES:
        cols = ", ".join(f'"{c.name}"' for c in table.columns)
        order = ", ".join(f'"{c}"' for c in primary_key(table))
        h = hashlib.sha256()
        for row in fetch(f'SELECT {cols} FROM "{table.name}" ORDER BY {order}'):
            h.update("\x1f".join(_norm(v, shift_us) for v in row).encode("utf-8"))
            h.update(b"\x1e")
        out[table.name] = h.hexdigest()
    return out
