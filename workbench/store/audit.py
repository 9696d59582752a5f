"""The audit log: who looked at what, for which case, and what came of it.

Every query run (library or ad hoc; ok, refused, failed or timed out) and other sensitive acts
(evidence bundles, reports, content reveals, ...) append one record with :func:`record`. The log
lives in the case store (table ``audit_log``) and is append-only and hash-chained:

* records are numbered ``seq`` 1, 2, 3, ... with no gaps;
* each record holds ``prev_hash``, the ``hash`` of the record before it (64 zeros for the first);
* ``hash`` is the SHA-256 of the record's canonical JSON (every column but ``hash``; see
  :func:`record_hash`).

:func:`verify` walks the chain and names the first record that was edited, deleted, inserted or
reordered. A removed *tail* leaves a valid shorter chain, so :func:`head` gives the last
``(seq, hash)`` to note elsewhere and ``verify(expected_head=...)`` checks against it.

Results are never stored: a query's record holds its row count and the result's SHA-256 only;
parameters are stored (they are ids and search terms).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Table, select, text
from sqlalchemy.exc import IntegrityError

from workbench.config import settings
from workbench.errors import InputError
from workbench.ids import validate_case_id
from workbench.store.engine import cases_engine
from workbench.store.models import AuditRow
from workbench.times import utcnow

GENESIS = "0" * 64
OUTCOMES = ("ok", "refused", "failed", "timeout")
_PG_LOCK_KEY = 7_310_043  # arbitrary, fixed: "workbench audit append"
_HASHED = (
    "seq",
    "at",
    "analyst",
    "action",
    "case_id",
    "query_name",
    "sql_text",
    "params",
    "engine",
    "row_count",
    "result_sha256",
    "duration_ms",
    "outcome",
    "reason",
    "target",
    "details",
    "prev_hash",
)


_TABLE = AuditRow.__table__
assert isinstance(_TABLE, Table)
_LAST = select(_TABLE.c.seq, _TABLE.c.hash).order_by(_TABLE.c.seq.desc()).limit(1)
_INSERT = _TABLE.insert()


@dataclass(frozen=True)
class BadRecord:
    """The first record where the chain breaks, and why."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit record {self.seq}: {self.problem}"


# --- canonical forms ------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (times as ISO-8601 UTC, decimals as text, sets sorted)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, pd.Timestamp)):
        if value.tzinfo is None:
            return value.isoformat()
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.total_seconds()}s"
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=repr)
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    return str(value)


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _ts_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of a record: canonical JSON (sorted keys, no spaces, UTF-8) of every column
    in ``_HASHED``, the time written as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    payload = {k: fields.get(k) for k in _HASHED}
    payload["at"] = _ts_text(fields["at"])
    if payload["duration_ms"] is not None:
        payload["duration_ms"] = repr(float(payload["duration_ms"]))
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# --- writing --------------------------------------------------------------------------------


def record(
    action: str,
    *,
    case: str | None = None,
    outcome: str = "ok",
    target: Any = None,
    details: Any = None,
    reason: str | None = None,
    query_name: str | None = None,
    sql: str | None = None,
    params: Any = None,
    engine: str | None = None,
    row_count: int | None = None,
    result_sha256: str | None = None,
    duration_ms: float | None = None,
    analyst: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Append one record and return it (as a dict, including ``seq`` and ``hash``).

    ``action`` names the act (``query.run``, ``sql.run``, ``bundle.create``, ...); ``case`` a case
    id (validated) or None; ``outcome`` one of ok, refused, failed, timeout; ``target`` and
    ``details`` JSON-able descriptions (ids, counts: no content). The query fields are filled by
    :mod:`workbench.queries.run`. Raises if the record cannot be written: an act that
    cannot be audited must not go unrecorded silently.
    """
    if not isinstance(action, str) or not action.strip() or len(action) > 64:
        raise InputError(f"audit action {action!r} is not a short name", "use e.g. 'query.run'")
    if outcome not in OUTCOMES:
        raise InputError(
            f"audit outcome {outcome!r} is unknown", f"use one of {', '.join(OUTCOMES)}"
        )
    if case is not None:
        validate_case_id(case)
    fields: dict[str, Any] = {
        "at": (at or utcnow()).astimezone(UTC),
        "analyst": analyst or settings().analyst,
        "action": action.strip(),
        "case_id": case,
        "query_name": query_name,
        "sql_text": sql,
        "params": _dump(params),
        "engine": engine,
        "row_count": None if row_count is None else int(row_count),
        "result_sha256": result_sha256,
        "duration_ms": None if duration_ms is None else round(float(duration_ms), 3),
        "outcome": outcome,
        "reason": reason,
        "target": _dump(target),
        "details": _dump(details),
    }
    eng = cases_engine()
    for attempt in range(5):
        try:
            with eng.begin() as conn:  # SQLite: BEGIN IMMEDIATE serialises appenders
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                last = conn.execute(_LAST).first()
                fields["seq"] = (last.seq + 1) if last else 1
                fields["prev_hash"] = last.hash if last else GENESIS
                fields["hash"] = record_hash(fields)
                conn.execute(_INSERT, fields)
            return dict(fields)
        except IntegrityError:  # another writer took this seq (should not happen with the locks)
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


# --- reading --------------------------------------------------------------------------------


def _row_fields(row: Any) -> dict[str, Any]:
    fields = dict(row._mapping)
    at = fields["at"]
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    fields["at"] = at if at.tzinfo else at.replace(tzinfo=UTC)
    return fields


def verify(expected_head: tuple[int, str] | None = None) -> BadRecord | None:
    """Walk the chain; return the first bad record (or None when the log is intact).

    ``expected_head`` is a ``(seq, hash)`` noted earlier with :func:`head`: the log must still
    hold that record unchanged (this catches a truncated tail).
    """
    prev, expected_seq = GENESIS, 1
    seen_head = expected_head is None
    with cases_engine().connect() as conn:
        rows = conn.execution_options(yield_per=2000).execute(select(_TABLE).order_by(_TABLE.c.seq))
        for row in rows:
            fields = _row_fields(row)
            seq = int(fields["seq"])
            if seq != expected_seq:
                if seq > expected_seq:
                    return BadRecord(
                        seq, f"record(s) {expected_seq}..{seq - 1} are missing (deleted)"
                    )
                return BadRecord(seq, f"is out of order (expected record {expected_seq})")
            if fields["prev_hash"] != prev:
                return BadRecord(
                    seq,
                    "does not follow the record before it "
                    "(a record was deleted, inserted or reordered)",
                )
            if record_hash(fields) != fields["hash"]:
                return BadRecord(seq, "was edited: its contents do not match its hash")
            if expected_head is not None and seq == expected_head[0]:
                if fields["hash"] != expected_head[1]:
                    return BadRecord(seq, "is not the record noted as the head earlier")
                seen_head = True
            prev, expected_seq = fields["hash"], seq + 1
    if expected_head is not None and not seen_head:
        return BadRecord(
            int(expected_head[0]),
            f"is missing: the log was cut short after record {expected_seq - 1}",
        )
    return None


def head() -> tuple[int, str] | None:
    """The last record's ``(seq, hash)``, to note outside the store; None for an empty log."""
    with cases_engine().connect() as conn:
        last = conn.execute(
            select(_TABLE.c.seq, _TABLE.c.hash).order_by(_TABLE.c.seq.desc()).limit(1)
        ).first()
    return (int(last.seq), last.hash) if last else None


def records(
    case: str | None = None, *, limit: int | None = None, action: str | None = None
) -> pd.DataFrame:
    """Records, oldest first (``limit``: the newest N); ``case`` narrows to one case."""
    q = select(_TABLE)
    if case is not None:
        q = q.where(_TABLE.c.case_id == validate_case_id(case))
    if action is not None:
        q = q.where(_TABLE.c.action == action)
    if limit is not None:
        if int(limit) < 1:
            raise InputError(f"limit {limit} is not positive", "use a number of records >= 1")
        q = q.order_by(_TABLE.c.seq.desc()).limit(int(limit))
    with cases_engine().connect() as conn:
        rows = [_row_fields(r) for r in conn.execute(q)]
    df = pd.DataFrame(rows, columns=[c.name for c in _TABLE.columns])
    df = df.sort_values("seq", kind="stable").reset_index(drop=True)
    if len(df):
        df["at"] = pd.to_datetime(df["at"], utc=True)
    for col in ("seq", "row_count"):
        df[col] = df[col].astype("Int64")
    return df
