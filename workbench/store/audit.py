"""The audit log: who looked at what, for which case, and what came of it.

Every read of the platform (:mod:`workbench.queries.door`: library and ad-hoc queries, content,
timelines, redaction, reply context; ok, refused, failed or timed out) and other sensitive acts
(evidence bundles, reports, media reveals, ...) append one record with :func:`record`. The log
lives in the case store (table ``audit_log``), append-only and hash-chained:

* records are numbered ``seq`` 1, 2, 3, ... with no gaps, and their times never go backwards;
* each record holds ``prev_hash``, the ``hash`` of the record before it (64 zeros for the first);
* ``hash`` is the SHA-256 of the record's canonical form (:func:`record_hash`).

Who and when are the store's, never the caller's. ``identity`` is the account the store saw:
on PostgreSQL the database role the analyst connected as (``session_user``), stamped by a
trigger with the server's clock, through the SECURITY DEFINER function
``workbench_audit_append`` (analysts may call it and read the log, nothing else); on SQLite the
OS account of the process (``os:<name>``), or under JupyterHub the hub's user of the server
(``hub:<name>``, from ``JUPYTERHUB_USER``). ``analyst`` is only the display name
(``WORKBENCH_ANALYST``), kept beside it. There is no way to pass either, or the time.

:func:`verify` walks the chain and names the first record that was edited, deleted, inserted or
reordered, or whose time goes backwards; checked against noted heads or signed checkpoints
(:mod:`workbench.store.anchors`), a rewritten log and a cut-off tail are found as well.

Results are never stored: a read's record holds its row count and the result's SHA-256 only;
parameters are stored (they are ids and search terms).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pwd
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import Table, select, text
from sqlalchemy.exc import IntegrityError

from workbench.config import Settings, settings
from workbench.errors import InputError
from workbench.ids import validate_case_id
from workbench.store.engine import cases_engine
from workbench.store.models import AuditRow
from workbench.times import utcnow

GENESIS = "0" * 64
OUTCOMES = ("ok", "refused", "failed", "timeout")
#: Format 2 (this code): identity, subjects and the length-prefixed canonical form.
HASH_FORMAT = 2
_ASKED = (  # what the record says was done, in both formats
    "analyst",
    "action",
    "case_id",
    "query_name",
    "sql_text",
    "params",
    "engine",
    "row_count",
    "result_sha256",
)
_CAME = ("outcome", "reason", "target", "details")  # and what came of it
_V1_HASHED = ("seq", "at", *_ASKED, "duration_ms", *_CAME, "prev_hash")
#: The fields of a format-2 record in the order they are hashed (``duration_us``: the
#: duration in whole microseconds). The PostgreSQL trigger of migration 0009 follows it too.
V2_HASHED = ("seq", "at", "identity", *_ASKED, "duration_us", *_CAME, "subjects", "prev_hash")

_TABLE = AuditRow.__table__
assert isinstance(_TABLE, Table)
_LAST = select(_TABLE.c.seq, _TABLE.c.hash, _TABLE.c.at).order_by(_TABLE.c.seq.desc()).limit(1)
_INSERT = _TABLE.insert()
_STORE_ID = text("SELECT value FROM store_info WHERE key = 'store_id'")
_PG_APPEND = text(
    "SELECT seq, at, identity, prev_hash, hash FROM workbench_audit_append("
    ":analyst, :action, :case_id, :query_name, :sql_text, :params, :engine, :row_count, "
    ":result_sha256, :duration_ms, :outcome, :reason, :target, :details, :subjects)"
)


@dataclass(frozen=True)
class BadRecord:
    """The first record where the chain breaks, and why."""

    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit record {self.seq}: {self.problem}"


@dataclass(frozen=True)
class Expected:
    """A ``(seq, hash)`` the log must still hold: a head noted earlier or a signed checkpoint
    (``what`` says which, for the message)."""

    seq: int
    hash: str
    what: str = "the record noted as the head earlier"


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


def _v1_hash(fields: dict[str, Any]) -> str:
    payload = {k: fields.get(k) for k in _V1_HASHED}
    payload["at"] = _ts_text(fields["at"])
    if payload["duration_ms"] is not None:
        payload["duration_ms"] = repr(float(payload["duration_ms"]))
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _field(name: str, value: str | None) -> str:
    if value is None:
        return f"{name}=~\n"
    return f"{name}={len(value.encode('utf-8'))}:{value}\n"


def _v2_hash(fields: dict[str, Any]) -> str:
    values = dict(fields)
    values["at"] = _ts_text(fields["at"])
    ms = fields.get("duration_ms")
    values["duration_us"] = None if ms is None else str(round(float(ms) * 1000))
    for k in ("seq", "row_count"):
        values[k] = None if fields.get(k) is None else str(int(fields[k]))
    blob = "".join(_field(k, values.get(k)) for k in V2_HASHED)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def record_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of a record.

    Format 2 (``hash_format`` 2): the fields of :data:`V2_HASHED` in that order, each written
    ``name=~`` when missing or ``name=<length of the UTF-8 text in bytes>:<text>``, one per line
    (``\\n``), UTF-8; the time as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC, the duration as whole
    microseconds. Format 1 (rows older than migration 0009): canonical JSON (sorted keys, no
    spaces, UTF-8) of the other columns but ``hash``, ``duration_ms`` as ``repr(float)``."""
    if fields.get("hash_format", HASH_FORMAT) == 1:
        return _v1_hash(fields)
    return _v2_hash(fields)


# --- who ------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _os_account(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name  # the account itself, not $USER or $LOGNAME
    except KeyError:
        return f"uid{uid}"


def identity(cfg: Settings | None = None) -> str:
    """Who this process acts as for the embedded store: ``hub:<user>`` under JupyterHub (the
    hub sets ``JUPYTERHUB_USER`` in each user's server), else ``os:<account>``. A PostgreSQL
    store records its ``session_user`` instead (``pg:<role>``)."""
    hub = (cfg or settings()).hub_user
    account = _os_account(os.geteuid())
    return f"hub:{hub} (os:{account})" if hub else f"os:{account}"


# --- writing --------------------------------------------------------------------------------


def _check(action: str, outcome: str, case: str | None) -> None:
    if not isinstance(action, str) or not action.strip() or len(action) > 64:
        raise InputError(f"audit action {action!r} is not a short name", "use e.g. 'query.run'")
    if outcome not in OUTCOMES:
        raise InputError(
            f"audit outcome {outcome!r} is unknown", f"use one of {', '.join(OUTCOMES)}"
        )
    if case is not None:
        validate_case_id(case)


def check_reason(reason: str | None) -> str | None:
    """A reason given for a read (why special-category data or reporters are shown): one line
    of at most 500 characters, spaces tidied; None stays None."""
    if reason is None:
        return None
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("the reason is empty", "say in a few words why you need to see it")
    if len(reason) > 500 or "\n" in reason.strip():
        raise InputError("the reason must be one line of at most 500 characters")
    return " ".join(reason.split())


def _subjects(subjects: Iterable[Any] | None) -> str | None:
    if subjects is None:
        return None
    ids = sorted({int(s) for s in subjects})
    return json.dumps(ids, separators=(",", ":")) if ids else None


def _sqlite_append(conn, fields: dict[str, Any], cfg: Settings) -> None:
    last = conn.execute(_LAST).first()
    fields["seq"] = (last.seq + 1) if last else 1
    fields["prev_hash"] = last.hash if last else GENESIS
    now = utcnow()
    if last is not None:  # times only go forward, whatever the clock did
        last_at = last.at if last.at.tzinfo else last.at.replace(tzinfo=UTC)
        now = max(now, last_at)
    fields["at"] = now
    fields["identity"] = identity(cfg)
    fields["hash"] = record_hash(fields)
    conn.execute(_INSERT, fields)


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
    subjects: Sequence[Any] | None = None,
    cfg: Settings | None = None,
) -> dict[str, Any]:
    """Append one record and return it (as a dict, including ``seq``, ``at``, ``identity`` and
    ``hash``, all set by the store).

    ``action`` names the act (``query.run``, ``content.profile``, ``bundle.create``, ...);
    ``case`` a case id (validated) or None; ``outcome`` one of ok, refused, failed, timeout;
    ``target`` and ``details`` JSON-able descriptions (ids, counts: no content); ``subjects``
    the platform users the act was about; ``reason`` why (a refusal's reason, or the purpose
    given for showing special-category data or reporters); ``cfg`` the settings whose store
    to write to (default: the process's). The query fields are filled by
    :mod:`workbench.queries.door`. Raises if the record cannot be written: an act that cannot
    be audited must not go unrecorded silently.
    """
    _check(action, outcome, case)
    cfg = cfg or settings()
    fields: dict[str, Any] = {
        "analyst": cfg.analyst,
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
        "subjects": _subjects(subjects),
        "hash_format": HASH_FORMAT,
    }
    eng = cases_engine(cfg)
    if eng.dialect.name == "postgresql":
        with eng.begin() as conn:  # the database numbers, times, stamps and hashes it
            row = conn.execute(_PG_APPEND, fields).one()
        fields.update(row._mapping)
        return fields
    for attempt in range(5):
        try:
            with eng.begin() as conn:  # SQLite: BEGIN IMMEDIATE serialises appenders
                _sqlite_append(conn, fields, cfg)
            return dict(fields)
        except IntegrityError:  # another writer took this seq (should not happen with the lock)
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


def _walk(expected: dict[int, Expected]) -> tuple[BadRecord | None, int]:
    """Check every record in order; (the first problem or None, the last seq seen)."""
    prev, expected_seq, last_at = GENESIS, 1, None
    with cases_engine().connect() as conn:
        rows = conn.execution_options(yield_per=2000).execute(select(_TABLE).order_by(_TABLE.c.seq))
        for row in rows:
            fields = _row_fields(row)
            seq = int(fields["seq"])
            if seq != expected_seq:
                if seq > expected_seq:
                    return BadRecord(
                        seq, f"record(s) {expected_seq}..{seq - 1} are missing (deleted)"
                    ), seq
                return BadRecord(seq, f"is out of order (expected record {expected_seq})"), seq
            if fields["prev_hash"] != prev:
                return BadRecord(
                    seq,
                    "does not follow the record before it "
                    "(a record was deleted, inserted or reordered)",
                ), seq
            if record_hash(fields) != fields["hash"]:
                return BadRecord(seq, "was edited: its contents do not match its hash"), seq
            if fields.get("hash_format") == HASH_FORMAT:
                if last_at is not None and fields["at"] < last_at:
                    return BadRecord(
                        seq, "is dated before the record ahead of it (a backdated insert)"
                    ), seq
                last_at = fields["at"]
            want = expected.get(seq)
            if want is not None and fields["hash"] != want.hash:
                return BadRecord(
                    seq, f"is not {want.what}: the log was rewritten at or before it"
                ), seq
            prev, expected_seq = fields["hash"], seq + 1
    return None, expected_seq - 1


def verify(
    expected_head: tuple[int, str] | None = None, *, expected: Iterable[Expected] = ()
) -> BadRecord | None:
    """Walk the chain; return the first bad record (or None when the log is intact).

    ``expected_head`` is a ``(seq, hash)`` noted earlier with :func:`head`; ``expected`` more
    such points (signed checkpoints). The log must still hold each of them unchanged: this
    catches a rewritten log and a truncated tail.
    """
    points = {e.seq: e for e in expected}
    if expected_head is not None:
        points[int(expected_head[0])] = Expected(int(expected_head[0]), expected_head[1])
    bad, last = _walk(points)
    if bad is not None:
        return bad
    beyond = sorted(s for s in points if s > last)
    if beyond:
        want = points[beyond[0]]
        return BadRecord(
            want.seq,
            f"is missing: the log was cut short after record {last} "
            f"({want.what} holds record {want.seq})",
        )
    return None


def head() -> tuple[int, str] | None:
    """The last record's ``(seq, hash)``, to note outside the store; None for an empty log."""
    with cases_engine().connect() as conn:
        last = conn.execute(_LAST).first()
    return (int(last.seq), last.hash) if last else None


def head_time() -> datetime | None:
    """The time of the last record (the store's clock), None for an empty log."""
    with cases_engine().connect() as conn:
        last = conn.execute(_LAST).first()
    if last is None:
        return None
    return _row_fields(last)["at"]


def store_id() -> str:
    """The case store's identity (``store_info.store_id``, made on first use): names the
    store in its signed checkpoints."""
    eng = cases_engine()
    with eng.connect() as conn:
        value = conn.execute(_STORE_ID).scalar()
    if value is None:
        try:
            with eng.begin() as conn:
                conn.execute(
                    text("INSERT INTO store_info (key, value) VALUES ('store_id', :v)"),
                    {"v": str(uuid.uuid4())},
                )
        except IntegrityError:
            pass  # another process made it first
        with eng.connect() as conn:
            value = conn.execute(_STORE_ID).scalar()
    return str(value)


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
