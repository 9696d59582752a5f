"""Intake: import the frontline queue's export (CSV, JSON array, or JSON Lines) as cases.

Each row needs ``external_id`` (the frontline ticket id) and ``category``; optional columns are
``priority``, ``subjects`` (user ids separated by ``;``, ``,`` or spaces), ``source``, ``title``,
``summary``, ``reporters`` (confidential; same separators), ``received_at`` (ISO-8601 with a
zone; the SLA clocks start there) and ``tags``. Common aliases (``ticket_id``, ``user_ids``,
``description``, ``created_at``...) are accepted.

Bad rows are reported with their line number and reason; good rows are imported (or nothing, with
``strict=True``). A new case that shares a subject with an open case is related to it, and the
result names it (:func:`link_overlapping`; ``workbench case new`` does the same): a ring member
reported twice should not be investigated twice, apart. A ticket already filed, or repeated in the file, is skipped: importing the same
export twice files nothing new. The external id is unique in the store, so even two imports
running at once cannot file a ticket twice.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workbench.cases import lifecycle as cases
from workbench.cases.model import Case, check_priority, check_source
from workbench.cases.taxonomy import check_category
from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.ids import check_user_id
from workbench.store.models import CaseRow
from workbench.times import ZonelessTimestamp, parse_timestamp

ALIASES = {
    "ticket_id": "external_id",
    "ticket": "external_id",
    "id": "external_id",
    "external_ticket_id": "external_id",
    "subject": "subjects",
    "user_id": "subjects",
    "user_ids": "subjects",
    "reported_user_id": "subjects",
    "subject_user_ids": "subjects",
    "description": "summary",
    "details": "summary",
    "created_at": "received_at",
    "received": "received_at",
    "opened_at": "received_at",
    "reporter": "reporters",
    "reporter_id": "reporters",
    "reporter_ids": "reporters",
    "team": "source",
    "source_team": "source",
    "tag": "tags",
}
KNOWN = {
    "external_id",
    "category",
    "priority",
    "subjects",
    "source",
    "title",
    "summary",
    "reporters",
    "received_at",
    "tags",
}
_SPLIT = re.compile(r"[;,\s]+")
MAX_BYTES = 50_000_000


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Overlap:
    """An open case that already had one of a new case's subjects (the two are now related)."""

    case_id: str  # the new case
    other: str
    subjects: tuple[int, ...]
    other_category: str
    other_status: str

    def __str__(self) -> str:
        who = ", ".join(map(str, self.subjects))
        s = "s" if len(self.subjects) > 1 else ""
        return (
            f"open case {self.other} ({self.other_category}, {self.other_status}) already has "
            f"subject{s} {who}; {self.case_id} is now related to it"
        )


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # new case ids
    skipped: list[tuple[int, str]] = field(
        default_factory=list
    )  # (line, external id) already filed
    errors: list[RowError] = field(default_factory=list)
    overlaps: list[tuple[int, Overlap]] = field(default_factory=list)  # (line, overlap)

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------- reading


def _read_csv(text: str) -> Iterator[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise InputError(
            "the CSV file has no header row",
            "the first line names the columns: external_id,category,...",
        )
    start = reader.line_num + 1
    for row in reader:
        extra = row.pop(None, None)
        if extra:
            yield start, {"__error__": f"{len(extra)} more value(s) than columns"}
        else:
            yield start, row
        start = reader.line_num + 1


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t\r\n":
        i += 1
    return i


def _walk_array(s: str, i: int, dec: json.JSONDecoder) -> Iterator[tuple[int, object]]:
    """Elements of the JSON array starting at ``s[i] == '['``, with their start line."""
    i = _skip_ws(s, i + 1)
    if i < len(s) and s[i] == "]":
        return
    while True:
        i = _skip_ws(s, i)
        obj, end = dec.raw_decode(s, i)
        yield s.count("\n", 0, i) + 1, obj
        i = _skip_ws(s, end)
        if i < len(s) and s[i] == ",":
            i += 1
            continue
        if i < len(s) and s[i] == "]":
            return
        raise json.JSONDecodeError("expected ',' or ']'", s, i)


def _read_json(text: str) -> Iterator[tuple[int, object]]:
    dec = json.JSONDecoder()
    s = text
    i = _skip_ws(s, 0)
    if i < len(s) and s[i] == "[":
        yield from _walk_array(s, i, dec)
        return
    if i < len(s) and s[i] == "{":
        # Either a wrapper object {"tickets": [...]} or JSON Lines (one object per line).
        try:
            whole = json.loads(s)
        except json.JSONDecodeError:
            whole = None
        if isinstance(whole, dict):
            key = next(
                (
                    k
                    for k in ("tickets", "cases", "items", "rows")
                    if isinstance(whole.get(k), list)
                ),
                None,
            )
            if key is None:
                yield s.count("\n", 0, i) + 1, whole
                return
            i += 1
            while True:  # find the wrapper's array and walk it, keeping line numbers
                i = _skip_ws(s, i)
                k, i = dec.raw_decode(s, i)
                i = _skip_ws(s, i) + 1  # the ':'
                i = _skip_ws(s, i)
                if k == key:
                    yield from _walk_array(s, i, dec)
                    return
                _, i = dec.raw_decode(s, i)
                i = _skip_ws(s, i) + 1  # the ','
        for n, line in enumerate(s.splitlines(), start=1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield n, {"__error__": f"not valid JSON ({exc.msg})"}
        return
    raise InputError(
        "the JSON file holds no list of tickets",
        'give an array of objects, {"tickets": [...]} or JSON Lines',
    )


def read_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(line, row) pairs of an export file; the format follows the extension."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no file {path}", "give the path of a CSV or JSON export")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(
            f"{path.name} is larger than {MAX_BYTES // 1_000_000} MB",
            "split the export into smaller files",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path.name} is not UTF-8 text", "export the queue as UTF-8") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows: Iterator = _read_csv(text)
    elif suffix in (".json", ".jsonl", ".ndjson"):
        rows = _read_json(text)
    else:
        raise InputError(f"cannot import {path.name}: unknown format", "use a .csv or .json file")
    try:
        for line, row in rows:
            yield line, row if isinstance(row, dict) else {"__error__": "not an object"}
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path.name} is not valid JSON at line {exc.lineno}: {exc.msg}",
            "fix the file and import again (nothing was imported)",
        ) from None
    except csv.Error as exc:
        raise InputError(
            f"{path.name} is not valid CSV: {exc}",
            "fix the file and import again (nothing was imported)",
        ) from None


# --------------------------------------------------------------------------- checking


def _split(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p for p in _SPLIT.split(str(value)) if p]


def _normalise(raw: dict) -> dict:
    out: dict = {}
    for k, v in raw.items():
        key = ALIASES.get(str(k).strip().lower(), str(k).strip().lower())
        if key in KNOWN and v not in (None, ""):
            out[key] = v
    return out


def check_row(raw: dict) -> dict:
    """Keyword arguments for :func:`workbench.cases.create`; :class:`InputError` if bad."""
    if "__error__" in raw:
        raise InputError(raw["__error__"])
    row = _normalise(raw)
    ext = str(row.get("external_id", "")).strip()
    if not ext:
        raise InputError("no external_id (the frontline ticket id)")
    if "category" not in row:
        raise InputError("no category")
    kw: dict = {"external_id": ext, "category": check_category(str(row["category"]).strip())}
    if "priority" in row:
        kw["priority"] = check_priority(str(row["priority"]))
    kw["source"] = check_source(str(row.get("source", "support")))
    kw["subjects"] = [check_user_id(u) for u in _split(row.get("subjects"))]
    kw["reporters"] = [
        int(r) if r.isascii() and r.isdigit() else r for r in _split(row.get("reporters"))
    ]
    kw["tags"] = _split(row.get("tags"))
    for name in ("title", "summary"):
        if name in row:
            kw[name] = str(row[name])
    if "received_at" in row:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ZonelessTimestamp)
            try:
                kw["at"] = parse_timestamp(str(row["received_at"]))
            except ZonelessTimestamp:
                raise InputError(
                    f"received_at {row['received_at']!r} has no time zone",
                    "add one, e.g. 2026-03-01T12:00:00Z",
                ) from None
    if len(kw.get("title", "")) > 200:
        raise InputError("title is longer than 200 characters")
    return kw


# --------------------------------------------------------------------------- importing


def import_file(path: Path | str, *, strict: bool = False, who: str | None = None) -> ImportResult:
    """Import a frontline export; see the module doc. Returns what was created, skipped, refused."""
    path = Path(path)
    parsed: list[tuple[int, dict]] = []
    result = ImportResult()
    for line, raw in read_rows(path):
        try:
            parsed.append((line, check_row(raw)))
        except InputError as err:
            result.errors.append(RowError(line, str(err)))
    if strict and result.errors:
        return result
    for attempt in range(3):
        try:
            created, skipped = _file(parsed, who)
        except IntegrityError:
            if attempt == 2:
                raise WorkbenchError(
                    "another import kept filing the same tickets", "run the import again"
                ) from None
            continue  # a concurrent import filed some of these tickets: look again
        result.created, result.skipped = created, skipped
        lines = {cid: line for (line, _kw), cid in zip(_filed_rows(parsed, skipped), created)}
        for cid in created:
            result.overlaps.extend((lines.get(cid, 0), o) for o in link_overlapping(cid))
        return result
    raise AssertionError("unreachable")


def _filed_rows(rows: list[tuple[int, dict]], skipped: list[tuple[int, str]]) -> list:
    gone = {line for line, _ in skipped}
    return [(line, kw) for line, kw in rows if line not in gone]


def link_overlapping(case_id: str) -> list[Overlap]:
    """Relate ``case_id`` to every other open case that has one of its subjects; returns them
    (already related cases are named too, nothing is linked twice)."""
    case = cases.get(case_id)
    shared: dict[str, list[int]] = {}
    others: dict[str, Case] = {}
    for uid in case.subjects:
        for other in cases.list_cases(subject=uid, open_only=True):
            if other.case_id != case.case_id:
                shared.setdefault(other.case_id, []).append(uid)
                others[other.case_id] = other
    found = []
    for other_id in sorted(shared):
        if other_id not in case.related:
            case = cases.link(case.case_id, other_id)
        o = others[other_id]
        found.append(Overlap(case.case_id, other_id, tuple(shared[other_id]), o.category, o.status))
    return found


def _file(rows: list[tuple[int, dict]], who: str | None) -> tuple[list[str], list[tuple[int, str]]]:
    created: list[str] = []
    skipped: list[tuple[int, str]] = []
    with cases.unit() as s:
        wanted = [kw["external_id"] for _, kw in rows]
        have: set[str] = set()
        for i in range(0, len(wanted), 500):
            have.update(
                s.scalars(
                    select(CaseRow.external_id).where(CaseRow.external_id.in_(wanted[i : i + 500]))
                )
            )
        for line, kw in rows:
            if kw["external_id"] in have:
                skipped.append((line, kw["external_id"]))
                continue
            have.add(kw["external_id"])
            created.append(cases.create(**kw, who=who, session=s).case_id)
    return created, skipped
