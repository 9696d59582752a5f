"""Parsing and showing times.

All times are stored in UTC and are timezone-aware. Input may be ISO-8601 with a zone, a
relative form (``-7d``, ``-24h``, ``-30m``, ``-2w``, ``now``) or a zone-less ISO value, which is
treated as UTC and *said so* (a :class:`ZonelessTimestamp` warning), never as local time.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from workbench.errors import InputError

_RELATIVE_RE = re.compile(r"^\s*([+-])\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_HINT = "use ISO-8601 with a zone (2026-03-01T12:00:00+01:00) or a relative form like -7d or -24h"


class ZonelessTimestamp(UserWarning):
    """A timestamp without a zone was given and has been treated as UTC."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_interval(value: object) -> timedelta:
    """``7d``, ``24h``, ``90m``, ``2w``, ``30s``, or a ``timedelta``."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        m = _INTERVAL_RE.match(value)
        if m:
            return timedelta(**{_UNITS[m.group(2).lower()]: float(m.group(1))})
        try:
            return pd.Timedelta(value).to_pytimedelta()
        except (ValueError, TypeError):
            pass
    raise InputError(f"{value!r} is not an interval", "use forms like 30m, 24h, 7d or 2w")


def parse_timestamp(value: object, *, now: datetime | None = None) -> datetime:
    """Parse ``value`` into an aware UTC ``datetime``; raise :class:`InputError` if malformed."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        text = value.strip()
        if text.lower() == "now":
            return (now or utcnow()).astimezone(UTC)
        m = _RELATIVE_RE.match(text)
        if m:
            delta = timedelta(**{_UNITS[m.group(3).lower()]: float(m.group(2))})
            base = (now or utcnow()).astimezone(UTC)
            return base - delta if m.group(1) == "-" else base + delta
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            shown = text if len(text) <= 40 else text[:40] + "…"
            raise InputError(f"{shown!r} is not a timestamp", _HINT) from None
    else:
        raise InputError(f"{value!r} is not a timestamp", _HINT)
    if dt.tzinfo is None or dt.utcoffset() is None:
        warnings.warn(
            f"timestamp {dt.isoformat()} has no zone; treated as UTC",
            ZonelessTimestamp,
            stacklevel=2,
        )
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def series_to_zone(s: pd.Series, tz: ZoneInfo | str) -> pd.Series:
    """Convert an aware datetime Series into a display zone (refusing zone-less data)."""
    key = tz.key if isinstance(tz, ZoneInfo) else tz
    if getattr(s.dt, "tz", None) is None:
        raise InputError("zone-less times cannot be shown in a display zone", "store times in UTC")
    return s.dt.tz_convert(key)
