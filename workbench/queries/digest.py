"""The SHA-256 of a result, the same for the same rows wherever they are (``wb-rows-v1``).

SHA-256 of UTF-8 lines joined by ``\\n``: first the JSON array of column names, then one JSON
array per row in result order (JSON with no spaces, not ASCII-escaped, keys sorted). Values:
missing (None/NaN/NaT/NA) -> ``null``; booleans; integers and integral floats -> integers; other
floats and decimals -> JSON numbers (as floats); aware times -> text ``YYYY-MM-DDTHH:MM:SS.ffffffZ``
in UTC; dates -> ISO text; intervals -> ``"<seconds>s"``; bytes -> hex; lists -> arrays. The same
rows give the same hash after a Parquet round trip.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

HASH_METHOD = "wb-rows-v1"


def _canon(v: Any) -> Any:
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (bool, str)):
        return v
    if (
        hasattr(v, "item")
        and not isinstance(v, (pd.Timestamp, pd.Timedelta))
        and getattr(v, "ndim", 0) == 0
    ):
        v = v.item()  # numpy scalar -> Python
        if v is None or isinstance(v, (bool, str)):
            return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if isinstance(v, Decimal):  # as pandas holds it (coerce_float): a float
        return _canon(float(v))
    if isinstance(v, datetime):  # includes pd.Timestamp
        if v.tzinfo is None:
            return v.isoformat(timespec="microseconds")
        return v.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, timedelta):
        return f"{v.total_seconds()}s"
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    if isinstance(v, dict):
        return {str(k): _canon(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)) or hasattr(v, "tolist"):
        return [_canon(x) for x in (v.tolist() if hasattr(v, "tolist") else v)]
    return str(v)


_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


class RowHasher:
    """The result hash, fed rows batch by batch (the rows need not all be held at once)."""

    def __init__(self, columns: list) -> None:
        self._h = hashlib.sha256()
        self._h.update(_dumps([str(c) for c in columns]).encode("utf-8"))

    def update(self, rows: Any) -> None:
        for row in rows:
            self._h.update(b"\n")
            self._h.update(_dumps([_canon(v) for v in row]).encode("utf-8"))

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def hash_rows(columns: list, rows: Any) -> str:
    """The result hash of ``rows`` (tuples) under ``columns``."""
    h = RowHasher(columns)
    h.update(rows)
    return h.hexdigest()


def result_sha256(df: pd.DataFrame) -> str:
    """SHA-256 (hex) of a result, computed as described in this module's docstring."""
    plain = df.copy(deep=False)
    plain.attrs = {}  # pandas copies attrs on every column access; provenance is not hashed
    columns = [plain.iloc[:, i].tolist() for i in range(plain.shape[1])]
    return hash_rows(list(df.columns), zip(*columns))
