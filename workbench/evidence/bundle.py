"""Evidence bundles: one zip per audience, with a verifiable manifest and chain of custody.

``create_bundle(case_id, audience, out)`` writes a zip holding:

* ``manifest.json``: bundle id, case id, audience, created_at, created_by, tool version, and per
  item its type, source, query and params, collector, time, original sha256/size/media type, the
  files in the zip (path, sha256, size, media type), redactions applied and the parent item of
  derived (redacted) copies, plus ``root_hash``: sha256 over ``"<sha256>  <path>\\n"`` of every
  listed file in manifest order (``sha256sum`` format);
* ``custody.jsonl``: one hash-chained line per handling event (collected, redacted, bundled,
  exported); the ``bundled`` line holds the manifest's sha256, so an edited manifest is caught;
* ``index.html``: case summary, item list and data shown as tables (escaped, ``dir="auto"``);
* data as CSV and Parquet, notes, figures, files and media.

**Deterministic.** The same case state (current items and their payloads, platform PII of the
case's people, pseudonym key), audience and analyst give a byte-identical zip: entries in a fixed
order with fixed times (1980-01-01) and modes, CSV/Parquet written in fixed batches, JSON with
sorted keys. So ``created_at`` is the case-state time (the newest item's collection time) and
the bundle id is a hash of what went in. The real wall-clock time of creation and export is
recorded in the case store's custody chain and the audit log, not in the zip.

**Atomic and streamed.** The zip is written to a hidden ``.partial`` file next to the target and
renamed only when complete. Payloads are hashed (and checked against their collection hash) while
they are copied, 1 MiB at a time; tables are converted in batches, so memory stays bounded.
Already-compressed media are stored, text is deflated.

``verify_bundle(path)`` checks every file hash, the root hash, the manifest against the custody
chain, and the chain itself, and names each problem (changed, missing, extra, renamed file,
edited manifest, broken or reordered custody line).
"""

from __future__ import annotations

import hashlib
import io
import json
import mimetypes
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, BinaryIO, cast

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from jinja2 import Environment

from workbench.config import settings
from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.evidence import items as ev
from workbench.evidence.pseudonyms import case_key
from workbench.evidence.redaction import (
    Person,
    Profile,
    Redactor,
    load_profile,
    people_for,
    profile_path,
)
from workbench.files import AtomicFile
from workbench.store import audit

FORMAT = "workbench-evidence-bundle/1"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
BATCH_ROWS = 65_536
PREVIEW_ROWS = 200
DEFLATE_LEVEL = 1
MANIFEST = "manifest.json"
CUSTODY = "custody.jsonl"
INDEX = "index.html"
_COMPRESSED = ("image/", "audio/", "video/")
_COMPRESSED_TYPES = {
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "application/pdf",
    ev.PARQUET,
}
_TEXT_TYPES = {"application/json", ev.PLOTLY_JSON, "application/xml", "application/x-ndjson"}
_FOLDER = {
    "query_result": "data",
    "timeline_excerpt": "data",
    "content": "content",
    "figure": "figures",
    "note": "notes",
    "file": "files",
}
_EXT = {
    "text/markdown": ".md",
    ev.PLOTLY_JSON: ".json",
    ev.PARQUET: ".parquet",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
}

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class BundleResult:
    """What :func:`create_bundle` wrote."""

    path: Path
    bundle_id: str
    case_id: str
    audience: str
    created_at: datetime
    root_hash: str
    manifest_sha256: str
    items: int
    files: int
    omitted: int
    size: int


@dataclass
class VerifyReport:
    """Outcome of :func:`verify_bundle`: ``ok`` is True only when ``problems`` is empty."""

    path: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    bundle_id: str | None = None
    case_id: str | None = None
    audience: str | None = None
    files_checked: int = 0
    custody_events: int = 0
    known_to_store: bool = False  # this case store recorded the bundle when it was made

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        head = (
            f"{self.path.name}: {'OK' if self.ok else 'FAILED'} — bundle {self.bundle_id or '?'}, "
            f"case {self.case_id or '?'}, audience {self.audience or '?'}, "
            f"{self.files_checked} files, {self.custody_events} custody events"
        )
        return "\n".join(
            [head] + [f"  {p}" for p in self.problems] + [f"  note: {n}" for n in self.notes]
        )


# --------------------------------------------------------------------------- zip writing


def _zinfo(name: str, media_type: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    compressed = media_type.startswith(_COMPRESSED) or media_type in _COMPRESSED_TYPES
    info.compress_type = zipfile.ZIP_STORED if compressed else zipfile.ZIP_DEFLATED
    # fixed (determinism); a fast level: bundles are big, CPUs few
    info._compresslevel = DEFLATE_LEVEL  # type: ignore[attr-defined]
    info.create_system = 3  # fixed, so the same bytes come out on any OS
    info.external_attr = 0o100644 << 16
    return info


class _Writer:
    """Adds entries to the zip, hashing what goes in; remembers (path, sha256, size, type)."""

    def __init__(self, zf: zipfile.ZipFile, progress: Progress | None, total: int) -> None:
        self.zf = zf
        self.progress = progress
        self.total = total
        self.done = 0

    def tick(self, n: int, label: str) -> None:
        self.done += n
        if self.progress:
            self.progress(min(self.done, self.total), self.total, label)

    def entry(self, name: str, media_type: str, fill: Callable[[BinaryIO], Any]) -> dict[str, Any]:
        with self.zf.open(_zinfo(name, media_type), "w", force_zip64=True) as dst:
            sink = ev.HashingWriter(cast(BinaryIO, dst))
            fill(cast(BinaryIO, sink))
        return {"path": name, "sha256": sink.hexdigest, "size": sink.size, "media_type": media_type}

    def copy_verified(self, name: str, item: ev.EvidenceItem) -> dict[str, Any]:
        """Copy a payload unchanged, checking it against the hash taken at collection."""
        hasher = hashlib.sha256()
        size = 0
        with (
            ev.open_payload(item) as src,
            self.zf.open(_zinfo(name, item.media_type), "w", force_zip64=True) as dst,
        ):
            while chunk := src.read(ev.CHUNK):
                hasher.update(chunk)
                dst.write(chunk)
                size += len(chunk)
                self.tick(len(chunk), item.label)
        if hasher.hexdigest() != item.sha256:
            raise WorkbenchError(
                f"{item.label} has changed on disk since it was collected "
                f"(sha256 {hasher.hexdigest()[:12]}…, expected {item.sha256[:12]}…)",
                "restore the case folder from backup; nothing was written",
            )
        return {"path": name, "sha256": item.sha256, "size": size, "media_type": item.media_type}


def _check_payload(item: ev.EvidenceItem) -> None:
    sha, _ = ev.sha256_file(item.path)
    if sha != item.sha256:
        raise WorkbenchError(
            f"{item.label} has changed on disk since it was collected",
            "restore the case folder from backup; nothing was written",
        )


# --------------------------------------------------------------------------- items


def _route(item: ev.EvidenceItem) -> str:
    mt = item.media_type
    if item.is_table:
        return "table"
    if mt.startswith(_COMPRESSED):
        return "media"
    if mt.startswith("text/") or mt in _TEXT_TYPES:
        return "text"
    return "other"


def _ext(item: ev.EvidenceItem) -> str:
    name = str(item.details.get("file_name", ""))
    suffix = Path(name).suffix.lower()
    if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix):
        return suffix
    return _EXT.get(item.media_type) or mimetypes.guess_extension(item.media_type) or ".bin"


def _iter_frames(item: ev.EvidenceItem):
    pf = pq.ParquetFile(item.path)
    for batch in pf.iter_batches(batch_size=BATCH_ROWS):
        yield batch.to_pandas()


def _first_frame(item: ev.EvidenceItem) -> pd.DataFrame:
    """The first rows of a table, for the preview in index.html."""
    batch = next(pq.ParquetFile(item.path).iter_batches(batch_size=PREVIEW_ROWS), None)
    return _empty_frame(item) if batch is None else batch.to_pandas()


def _empty_frame(item: ev.EvidenceItem) -> pd.DataFrame:
    return pq.ParquetFile(item.path).schema_arrow.empty_table().to_pandas()


def _tables(item: ev.EvidenceItem, redact: Callable[[pd.DataFrame], pd.DataFrame] | None):
    """(schema, factory of an iterator of Arrow tables): as stored, or redacted batch by batch."""
    pf = pq.ParquetFile(item.path)
    if redact is None:
        schema = pf.schema_arrow

        def raw():
            for batch in pf.iter_batches(batch_size=BATCH_ROWS):
                yield pa.Table.from_batches([batch], schema=schema)

        return schema, raw
    schema = _arrow_schema(redact(_empty_frame(item)))

    def redacted():
        for df in _iter_frames(item):
            yield pa.Table.from_pandas(redact(df), schema=schema, preserve_index=False)

    return schema, redacted


def _csv_safe(table: pa.Table) -> pa.Table:
    # The CSV writer takes flat columns only; nested values (lists, structs) are written as JSON.
    for i, f in enumerate(table.schema):
        if pa.types.is_nested(f.type):
            values = [
                None
                if v is None
                else json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)
                for v in table.column(i).to_pylist()
            ]
            table = table.set_column(
                i, pa.field(f.name, pa.large_string()), pa.array(values, pa.large_string())
            )
    return table


def _csv_fill(schema: pa.Schema, tables: Callable[[], Any]) -> Callable[[BinaryIO], None]:
    def fill(sink: BinaryIO) -> None:
        writer = None
        for table in tables():
            table = _csv_safe(table)
            if writer is None:
                writer = pa_csv.CSVWriter(sink, table.schema)
            writer.write_table(table)
        if writer is None:
            writer = pa_csv.CSVWriter(sink, _csv_safe(schema.empty_table()).schema)
        writer.close()

    return fill


def _parquet_fill(schema: pa.Schema, tables: Callable[[], Any]) -> Callable[[BinaryIO], None]:
    def fill(sink: BinaryIO) -> None:
        with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
            for table in tables():
                writer.write_table(table)

    return fill


def _arrow_schema(df: pd.DataFrame) -> pa.Schema:
    fields = []
    for col in df.columns:
        if df[col].dtype == object:
            fields.append(pa.field(str(col), pa.large_string()))
        else:
            fields.append(
                pa.field(
                    str(col),
                    pa.Schema.from_pandas(df[[col]], preserve_index=False).field(str(col)).type,
                )
            )
    return pa.schema(fields)


# --------------------------------------------------------------------------- case people


def _people(case: ev.CaseInfo, items: list[ev.EvidenceItem], profile: Profile) -> list[Person]:
    people = people_for(case.subjects, case.reporters, ev.people_in_tables(items))
    # Outside references of reporters (names, e-mails given in a ticket) are hidden as well.
    for n, ref in enumerate(case.reporter_refs, start=1):
        people.append(Person(user_id=-n, role="reporter", values={"name": {ref}}))
    return people


# --------------------------------------------------------------------------- index.html

_INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evidence bundle {{ m.bundle_id }} — {{ m.case_id }}</title>
<style>
body { font-family: system-ui, "Segoe UI", "Noto Sans", "Noto Sans CJK JP", "Noto Sans Arabic",
       "Noto Sans Devanagari", "Noto Sans Thai", sans-serif; margin: 2rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .85rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: start; vertical-align: top; }
th { background: #f2f2f2; }
code, .hash { font-family: ui-monospace, monospace; font-size: .8rem; word-break: break-all; }
pre { white-space: pre-wrap; background: #f7f7f7; padding: .75rem; }
.meta th { width: 12rem; }
</style>
</head>
<body>
<h1>Evidence bundle for {{ m.case_id }}</h1>
<table class="meta">
<tr><th>Audience</th><td>{{ m.audience }}</td></tr>
<tr><th>Bundle id</th><td><code>{{ m.bundle_id }}</code></td></tr>
<tr><th>Case state as of</th><td>{{ m.created_at }} (UTC)</td></tr>
<tr><th>Prepared by</th><td dir="auto">{{ m.created_by }}</td></tr>
<tr><th>Tool</th><td>{{ m.tool.name }} {{ m.tool.version }}</td></tr>
<tr><th>Root hash</th><td class="hash">{{ m.root_hash }}</td></tr>
</table>
<h2>Case</h2>
<table class="meta">
<tr><th>Title</th><td dir="auto">{{ m.case.title }}</td></tr>
<tr><th>Category</th><td>{{ m.case.category }}</td></tr>
<tr><th>Priority</th><td>{{ m.case.priority }}</td></tr>
<tr><th>Status</th><td>{{ m.case.status }}</td></tr>
<tr><th>Subjects</th><td dir="auto">{{ m.case.subjects | join(", ") }}</td></tr>
<tr><th>Summary</th><td dir="auto">{{ m.case.summary }}</td></tr>
</table>
{% if m.audience != "internal" %}<p>People are shown under pseudonyms ("Person A") that are consistent
throughout this bundle. Fields and values removed for this audience are listed per item.</p>{% endif %}
<h2>Items</h2>
<table>
<tr><th>Item</th><th>Type</th><th>Title</th><th>Source</th><th>Collected</th><th>By</th><th>Files</th><th>Original sha256</th></tr>
{% for it in m["items"] %}<tr>
<td><a href="#{{ it.item }}">{{ it.item }}</a></td><td>{{ it.type }}</td><td dir="auto">{{ it.title }}</td>
<td dir="auto">{{ it.source }}</td><td>{{ it.collected_at }}</td><td>{{ it.collected_by }}</td>
<td>{% for f in it.files %}<a href="{{ f.path }}">{{ f.path }}</a><br>{% endfor %}</td>
<td class="hash">{{ it.original.sha256 }}</td></tr>
{% endfor %}</table>
{% if m.omitted %}<h3>Left out for this audience</h3><ul>
{% for o in m.omitted %}<li>{{ o.item }} ({{ o.type }}): {{ o.reason }}</li>{% endfor %}</ul>{% endif %}
{% for it in m["items"] %}
<section id="{{ it.item }}">
<h2 dir="auto">{{ it.item }}: {{ it.title }}</h2>
{% if it.note %}<p dir="auto">{{ it.note }}</p>{% endif %}
{% if it.query %}<p>Query <code>{{ it.query.name or "ad-hoc SQL" }}</code>{% if it.query.row_count is not none %},
{{ it.query.row_count }} rows{% endif %}{% if it.query.executed_at %}, run {{ it.query.executed_at }}{% endif %}.</p>
{% if it.query.params %}<p>Parameters: <code dir="auto">{{ it.query.params | tojson }}</code></p>{% endif %}
{% if it.query.sql %}<pre dir="auto">{{ it.query.sql }}</pre>{% endif %}{% endif %}
{% if it.redactions %}<p>Redactions: {% for r in it.redactions %}{{ r.field }} {{ r.action }}{% if r.reason %} ({{ r.reason }}){% endif %}{% if not loop.last %}; {% endif %}{% endfor %}{% if it.replacements %}; replaced in text: {% for k, v in it.replacements.items() %}{{ k }} ×{{ v }}{% if not loop.last %}, {% endif %}{% endfor %}{% endif %}.</p>{% endif %}
{% set pv = previews.get(it.item) %}
{% if pv is not none %}
{% if pv.kind == "table" %}<p>{{ pv.shown }} of {{ pv.rows }} rows shown; the full data is in the CSV and Parquet files.</p>
<table><tr>{% for c in pv.columns %}<th dir="auto">{{ c }}</th>{% endfor %}</tr>
{% for row in pv.data %}<tr>{% for v in row %}<td dir="auto">{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>
{% elif pv.kind == "text" %}<pre dir="auto">{{ pv.text }}</pre>
{% elif pv.kind == "media" %}<details><summary>Show {{ it.media_type }} (may be distressing)</summary>
{% if it.media_type.startswith("image/") %}<img src="{{ pv.path }}" alt="{{ it.item }}" style="max-width:40rem">
{% else %}<a href="{{ pv.path }}">{{ pv.path }}</a>{% endif %}</details>{% endif %}
{% endif %}
</section>
{% endfor %}
<p>Verify with <code>workbench bundle verify &lt;this zip&gt;</code>: every file's sha256 is in manifest.json,
the root hash covers them all, and custody.jsonl holds the hash-chained handling events.</p>
</body>
</html>
"""


def _render_index(manifest: dict[str, Any], previews: dict[str, dict[str, Any]]) -> bytes:
    env = Environment(autoescape=True, keep_trailing_newline=True)
    return env.from_string(_INDEX).render(m=manifest, previews=previews).encode("utf-8")


def _preview_table(df: pd.DataFrame, rows: int) -> dict[str, Any]:
    head = df.head(PREVIEW_ROWS)
    data = [
        ["" if (not isinstance(v, (list, dict)) and pd.isna(v)) else str(v) for v in r]
        for r in head.itertuples(index=False, name=None)
    ]
    return {
        "kind": "table",
        "columns": [str(c) for c in df.columns],
        "data": data,
        "rows": rows,
        "shown": len(data),
    }


# --------------------------------------------------------------------------- create


def _root_hash(files: list[dict[str, Any]]) -> str:
    text = "".join(f"{f['sha256']}  {f['path']}\n" for f in files)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _line(body: dict[str, Any]) -> tuple[str, str]:
    digest = ev.chain_hash(body)
    return ev.canonical_json({**body, "hash": digest}), digest


def _target(out: Path, case_id: str, audience: str, bundle_id: str) -> Path:
    out = Path(out).expanduser()
    if out.is_dir():
        out = out / f"{case_id}-{audience}-{bundle_id}.zip"
    if out.suffix.lower() != ".zip":
        raise InputError(f"{out} does not end in .zip", "give a .zip file name or a folder")
    if not out.parent.is_dir():
        raise NotFoundError(f"no folder {out.parent}", "create it first or choose another --out")
    if out.exists():
        raise InputError(
            f"{out} already exists", "choose another name; bundles are never overwritten"
        )
    return out


def create_bundle(
    case_id: str,
    audience: str,
    out: Path | str,
    *,
    why: str | None = None,
    progress: Progress | None = None,
) -> BundleResult:
    """Write the case's evidence for ``audience`` into a zip at ``out`` (a .zip path or a folder)."""
    profile = load_profile(audience)
    case = ev.case_info(case_id)
    items = ev.list_items(case_id, current_only=True)
    if not items:
        raise InputError(
            f"{case_id} has no evidence yet",
            "collect some with wb.evidence or `workbench evidence add` first",
        )
    for item in items:
        if not item.path.is_file():
            raise NotFoundError(
                f"the payload of {item.label} is missing from {item.path.parent}",
                "restore the case folder from backup",
            )
    cfg = settings()
    analyst = cfg.analyst
    profile_sha = hashlib.sha256(profile_path(audience).read_bytes()).hexdigest()
    created_at = max(i.collected_at for i in items)
    identity = {
        "case": case_id,
        "audience": audience,
        "by": analyst,
        "tool": version("ts-workbench"),
        "profile": profile_sha,
        "why": why,
        "items": [[i.id, i.sha256] for i in items],
    }
    bundle_id = "B-" + hashlib.sha256(ev.canonical_json(identity).encode()).hexdigest()[:16]
    target = _target(Path(out), case_id, audience, bundle_id)

    key = case_key(case_id, cfg)
    people = _people(case, items, profile) if profile.changes_anything else []
    red = Redactor(profile, key, people)
    redacting = profile.changes_anything
    text = red.text if profile.free_text == "mask" else (lambda s: s)

    total = sum(i.size for i in items)
    try:
        with AtomicFile(target, if_exists="fail") as raw:
            with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
                w = _Writer(zf, progress, total)
                manifest_items, omitted, previews, redacted_events = _write_items(
                    w, items, profile, red, text, redacting
                )
                files = [f for it in manifest_items for f in it["files"]]
                manifest: dict[str, Any] = {
                    "format": FORMAT,
                    "bundle_id": bundle_id,
                    "case_id": case_id,
                    "audience": audience,
                    "created_at": ev.iso(created_at),
                    "created_by": analyst,
                    "tool": {"name": "ts-workbench", "version": version("ts-workbench")},
                    "profile": {
                        "audience": audience,
                        "sha256": profile_sha,
                        "description": profile.description,
                    },
                    "pseudonyms": (
                        "consistent within the bundle; HMAC-SHA256 keyed per case, key not included"
                        if redacting
                        else "none"
                    ),
                    "case": _case_summary(case, profile, red, text),
                    "items": manifest_items,
                    "omitted": omitted,
                    "root_hash_method": "sha256 over '<sha256>  <path>\\n' for items[].files then "
                    "documents, in manifest order",
                }
                # index.html shows the root over the item files; the manifest's root adds index.html.
                manifest["root_hash"] = _root_hash(files)
                index = _render_index(manifest, previews)
                doc = w.entry(INDEX, "text/html", lambda s: s.write(index))
                manifest["documents"] = [doc]
                manifest["root_hash"] = _root_hash(files + [doc])
                manifest_bytes = (
                    json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
                ).encode("utf-8")
                w.entry(MANIFEST, "application/json", lambda s: s.write(manifest_bytes))
                manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
                custody_bytes = _custody_lines(
                    case_id, items, manifest, manifest_sha, redacted_events, text, why
                )
                w.entry(CUSTODY, "application/x-ndjson", lambda s: s.write(custody_bytes))
            raw.flush()
            size = raw.tell()
            # Recorded before the zip appears under its name: no bundle exists unrecorded.
            details = {
                "audience": audience,
                "manifest_sha256": manifest_sha,
                "root_hash": manifest["root_hash"],
                "items": [i.label for i in items],
                "file": target.name,
                "size": size,
            }
            ev.record_custody(
                case_id,
                "bundled",
                what=f"bundle {bundle_id} for {audience}",
                why=why,
                bundle_id=bundle_id,
                details=details,
            )
            _audit(
                "bundle.create",
                case_id,
                {
                    "bundle_id": bundle_id,
                    "audience": audience,
                    "file": target.name,
                    "manifest_sha256": manifest_sha,
                    "root_hash": manifest["root_hash"],
                    "size": size,
                },
                "ok",
            )
    except BaseException as exc:
        if isinstance(exc, WorkbenchError):
            _audit_quietly(
                "bundle.create",
                case_id,
                {"audience": audience, "bundle_id": bundle_id},
                "failed",
                str(exc),
            )
        raise
    ev.record_custody(
        case_id,
        "exported",
        what=f"bundle {bundle_id} written to {target.name}",
        why=why,
        bundle_id=bundle_id,
        details={"path": str(target), "size": size},
    )
    return BundleResult(
        path=target,
        bundle_id=bundle_id,
        case_id=case_id,
        audience=audience,
        created_at=created_at,
        root_hash=manifest["root_hash"],
        manifest_sha256=manifest_sha,
        items=len(manifest_items),
        files=len(files) + 3,
        omitted=len(omitted),
        size=size,
    )


def _case_summary(
    case: ev.CaseInfo, profile: Profile, red: Redactor, text: Callable[[str], str]
) -> dict[str, Any]:
    return {
        "title": text(case.title),
        "category": case.category,
        "priority": case.priority,
        "status": case.status,
        "summary": text(case.summary),
        "subjects": [str(red.label(u)) for u in case.subjects],
    }
    # reporters are never listed in a bundle, whatever the audience: they are in the case store.


def _query_block(item: ev.EvidenceItem, red: Redactor, text: Callable[[str], str]) -> dict | None:
    prov = item.details.get("provenance") or {}
    if not isinstance(prov, dict):  # a timeline excerpt holds one provenance per source
        prov = {}
    if item.kind != "query_result" and not prov:
        return None
    name = prov.get("query") or prov.get("query_name") or prov.get("name")
    return {
        "name": name,
        "sql": text(prov.get("sql") or prov.get("sql_text") or ""),
        "params": red.params(prov.get("params") or {}),
        "engine": prov.get("engine") or prov.get("engine_url"),
        "row_count": prov.get("row_count", item.details.get("rows")),
        "result_sha256": prov.get("result_sha256") or prov.get("sha256"),
        "executed_at": prov.get("executed_at"),
        "analyst": prov.get("analyst"),
    }


def _write_items(
    w: _Writer,
    items: list[ev.EvidenceItem],
    profile: Profile,
    red: Redactor,
    text: Callable[[str], str],
    redacting: bool,
):
    manifest_items: list[dict[str, Any]] = []
    omitted: list[dict[str, Any]] = []
    previews: dict[str, dict[str, Any]] = {}
    redacted_events: list[dict[str, Any]] = []
    by_id = {i.id: i for i in items}
    for item in items:
        route = _route(item)
        base = f"{_FOLDER[item.kind]}/{item.label}"
        if route == "media" and item.kind == "content":
            base = f"media/{item.label}"
        before = dict(red.counts)
        redactions: list[dict[str, str]] = []
        files: list[dict[str, Any]] = []
        if (
            route == "media"
            and profile.media == "drop"
            or route == "other"
            and profile.other_files == "drop"
        ):
            omitted.append(
                {
                    "item": item.label,
                    "type": item.kind,
                    "reason": "media are not shared with this audience"
                    if route == "media"
                    else "this file type cannot be redacted",
                }
            )
            w.tick(item.size, item.label)
            continue
        if route == "table":
            if redacting:
                _check_payload(item)
                applied: list[dict[str, str]] = []

                def redact(df: pd.DataFrame, _applied=applied) -> pd.DataFrame:
                    out, acts = red.frame(df)
                    if not _applied:
                        _applied.extend(acts)
                    return out

                schema, tables = _tables(item, redact)
                files.append(w.entry(f"{base}.csv", "text/csv", _csv_fill(schema, tables)))
                files.append(w.entry(f"{base}.parquet", ev.PARQUET, _parquet_fill(schema, tables)))
                redactions = applied
                first = _first_frame(item)
                previews[item.label] = _preview_table(
                    redact(first), int(item.details.get("rows", 0))
                )
                w.tick(item.size, item.label)
            else:
                schema, tables = _tables(item, None)
                files.append(w.entry(f"{base}.csv", "text/csv", _csv_fill(schema, tables)))
                files.append(w.copy_verified(f"{base}.parquet", item))
                first = _first_frame(item)
                previews[item.label] = _preview_table(first, int(item.details.get("rows", 0)))
        elif route == "text" and profile.free_text == "mask":
            _check_payload(item)
            files.append(w.entry(f"{base}{_ext(item)}", item.media_type, _text_fill(item, text)))
            w.tick(item.size, item.label)
            if files[-1]["sha256"] != item.sha256:
                redactions = [{"field": "text", "action": "mask", "reason": "PII in text"}]
        else:
            files.append(w.copy_verified(f"{base}{_ext(item)}", item))
        if route == "text":
            with open(item.path, "rb") as fh:
                sample = fh.read(20_000).decode("utf-8", "replace")
            previews[item.label] = {"kind": "text", "text": text(sample)}
        elif route == "media":
            previews[item.label] = {"kind": "media", "path": files[-1]["path"]}
        counts = {k: v - before.get(k, 0) for k, v in red.counts.items() if v - before.get(k, 0)}
        derived = [f for f in files if f["sha256"] != item.sha256]
        original = {"sha256": item.sha256, "size": item.size, "media_type": item.media_type}
        entry = {
            "item": item.label,
            "type": item.kind,
            "title": text(item.title),
            "source": item.source,
            "collected_by": item.collected_by,
            "collected_at": ev.iso(item.collected_at),
            "note": text(item.note or "") or None,
            "media_type": item.media_type,
            "original": original,
            "query": _query_block(item, red, text),
            "content_kind": item.details.get("content_kind"),
            "supersedes": (
                by_id[item.supersedes].label
                if item.supersedes in by_id
                else ({"item_id": item.supersedes} if item.supersedes else None)
            ),
            "files": [
                {
                    **f,
                    "derived": f["sha256"] != item.sha256,
                    "parent": (
                        {"item": item.label, "sha256": item.sha256}
                        if f["sha256"] != item.sha256
                        else None
                    ),
                }
                for f in files
            ],
            "redactions": redactions,
            "replacements": dict(sorted(counts.items())),
        }
        manifest_items.append(entry)
        if redacting:
            for f in derived:
                redacted_events.append(
                    {
                        "item": item.label,
                        "path": f["path"],
                        "sha256": f["sha256"],
                        "parent_sha256": item.sha256,
                        "fields": [f"{r['field']}:{r['action']}" for r in redactions],
                        "replacements": entry["replacements"],
                    }
                )
    return manifest_items, omitted, previews, redacted_events


def _text_fill(item: ev.EvidenceItem, text: Callable[[str], str]) -> Callable[[BinaryIO], None]:
    def fill(sink: BinaryIO) -> None:
        with ev.open_payload(item) as fh:
            reader = io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="")
            for line in reader:  # line by line: bounded memory for large text files
                sink.write(text(line).encode("utf-8"))

    return fill


def _custody_lines(
    case_id: str,
    items: list[ev.EvidenceItem],
    manifest: dict[str, Any],
    manifest_sha: str,
    redacted: list[dict[str, Any]],
    text: Callable[[str], str],
    why: str | None,
) -> bytes:
    wanted = {i.id: i for i in items}
    events = [e for e in ev.custody(case_id) if e.event == "collected" and e.item_id in wanted]
    by = manifest["created_by"]
    at = manifest["created_at"]
    bodies: list[dict[str, Any]] = []
    for e in events:
        assert e.item_id is not None  # collected events name their item
        item = wanted[e.item_id]
        bodies.append(
            {
                "event": "collected",
                "at": ev.iso(e.at),
                "actor": e.actor,
                "item": item.label,
                "what": text(e.what),
                "why": text(e.why or "") or None,
                "details": {
                    "sha256": item.sha256,
                    "size": item.size,
                    "media_type": item.media_type,
                    "store_hash": e.hash,
                },
            }
        )
    for r in redacted:
        bodies.append(
            {
                "event": "redacted",
                "at": at,
                "actor": by,
                "item": r["item"],
                "what": f"{r['path']} derived from {r['item']}",
                "why": f"redaction profile {manifest['audience']}",
                "details": r,
            }
        )
    bodies.append(
        {
            "event": "bundled",
            "at": at,
            "actor": by,
            "item": None,
            "what": f"bundle {manifest['bundle_id']}: {len(manifest['items'])} items",
            "why": text(why or "") or None,
            "details": {"manifest_sha256": manifest_sha, "root_hash": manifest["root_hash"]},
        }
    )
    bodies.append(
        {
            "event": "exported",
            "at": at,
            "actor": by,
            "item": None,
            "what": f"exported for audience {manifest['audience']}",
            "why": text(why or "") or None,
            "details": {"bundle_id": manifest["bundle_id"]},
        }
    )
    lines, prev = [], ev.GENESIS
    for n, body in enumerate(bodies, start=1):
        line, prev = _line({**body, "n": n, "prev": prev})
        lines.append(line)
    return ("\n".join(lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- verify


def _hash_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str | None, int, str | None]:
    hasher, size = hashlib.sha256(), 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(ev.CHUNK):
                hasher.update(chunk)
                size += len(chunk)
    except Exception as exc:  # CRC or deflate errors: the bytes were altered
        return None, size, str(exc).splitlines()[0][:120]
    return hasher.hexdigest(), size, None


def _check_custody(raw: bytes, report: VerifyReport) -> list[dict[str, Any]]:
    lines = raw.decode("utf-8", "replace").splitlines()
    events: list[dict[str, Any]] = []
    prev: str | None = ev.GENESIS
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            report.problems.append(f"custody.jsonl line {n}: empty line (custody was edited)")
            continue
        try:
            body = json.loads(line)
            stored = body.pop("hash")
        except (ValueError, KeyError, AttributeError):
            report.problems.append(f"custody.jsonl line {n}: not a custody record (edited)")
            prev = None
            continue
        if ev.chain_hash(body) != stored:
            report.problems.append(
                f"custody.jsonl line {n} ({body.get('event')}) was edited: "
                "its hash does not match its content"
            )
        if body.get("prev") != prev or body.get("n") != n:
            report.problems.append(
                f"custody.jsonl line {n} ({body.get('event')}): chain broken — "
                "a line was removed, inserted or reordered"
            )
        prev = stored
        events.append(body)
    report.custody_events = len(events)
    return events


def verify_bundle(path: Path | str) -> VerifyReport:
    """Check a bundle: every file hash, the root hash, the manifest and the custody chain."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise NotFoundError(f"no bundle at {path}", "give the path of a bundle .zip")
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path.name} is not a zip file", "give the path of a bundle .zip")
    report = VerifyReport(path=path)
    try:
        _verify(path, report)
    except zipfile.BadZipFile as exc:
        report.problems.append(f"the zip structure is damaged: {exc}")
    _after_verify(report)
    return report


def _verify(path: Path, report: VerifyReport) -> None:
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        seen: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename in seen:
                report.problems.append(f"duplicate entry {info.filename} (a file was added twice)")
            seen[info.filename] = info
        custody_events: list[dict[str, Any]] = []
        if CUSTODY in seen:
            custody_events = _check_custody(zf.read(CUSTODY), report)
        else:
            report.problems.append("missing file: custody.jsonl")
        if MANIFEST not in seen:
            report.problems.append("missing file: manifest.json")
            return
        manifest_bytes = zf.read(MANIFEST)
        try:
            manifest = json.loads(manifest_bytes)
            files = [f for it in manifest["items"] for f in it["files"]] + list(
                manifest["documents"]
            )
            for f in files:
                f["path"], f["sha256"], f["size"]
        except (ValueError, KeyError, TypeError):
            report.problems.append("manifest.json was edited: it is not a valid bundle manifest")
            return
        report.bundle_id = manifest.get("bundle_id")
        report.case_id = manifest.get("case_id")
        report.audience = manifest.get("audience")
        manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
        bundled = [e for e in custody_events if e.get("event") == "bundled"]
        if custody_events and not bundled:
            report.problems.append("custody.jsonl has no 'bundled' event (custody was edited)")
        for e in bundled:
            if (e.get("details") or {}).get("manifest_sha256") != manifest_sha:
                report.problems.append(
                    "manifest.json was edited: its sha256 does not match the one "
                    "recorded in custody.jsonl when the bundle was made"
                )
        if _root_hash(files) != manifest.get("root_hash"):
            report.problems.append(
                "manifest.json was edited: its root hash does not match the item hashes"
            )
        listed = {f["path"]: f for f in files}
        missing: list[str] = []
        changed: list[str] = []
        for name, f in listed.items():
            entry = seen.get(name)
            if entry is None:
                missing.append(name)
                continue
            sha, size, err = _hash_entry(zf, entry)
            report.files_checked += 1
            if err:
                changed.append(f"changed file: {name} (its bytes were altered: {err})")
            elif sha != f["sha256"] or size != f["size"]:
                changed.append(
                    f"changed file: {name} (sha256 {(sha or '')[:12]}…, manifest says {f['sha256'][:12]}…)"
                )
        extra = [n for n in seen if n not in listed and n not in (MANIFEST, CUSTODY)]
        extra_hashes = {n: _hash_entry(zf, seen[n])[0] for n in extra}
        for name in list(missing):
            match = next((e for e in extra if extra_hashes.get(e) == listed[name]["sha256"]), None)
            if match:
                report.problems.append(f"renamed file: {name} -> {match}")
                missing.remove(name)
                extra.remove(match)
        report.problems.extend(changed)
        report.problems.extend(f"missing file: {n}" for n in missing)
        report.problems.extend(f"extra file: {n} (not in the manifest)" for n in extra)
        _cross_check_store(manifest, manifest_sha, report)


def _cross_check_store(manifest: dict[str, Any], manifest_sha: str, report: VerifyReport) -> None:
    """Compare with what the case store recorded when the bundle was made (if it knows it)."""
    case_id, bundle_id = manifest.get("case_id"), manifest.get("bundle_id")
    try:
        events = [
            e for e in ev.custody(str(case_id)) if e.bundle_id == bundle_id and e.event == "bundled"
        ]
    except WorkbenchError:
        report.notes.append("the case store here does not know this case; checked the zip alone")
        return
    if not events:
        report.notes.append(
            "the case store here has no record of this bundle; checked the zip alone"
        )
        return
    report.known_to_store = True
    recorded = {e.details.get("manifest_sha256") for e in events}
    if manifest_sha not in recorded:
        report.problems.append(
            "manifest.json differs from the one recorded in the case store "
            "when the bundle was made (the bundle was rebuilt or edited)"
        )


def _after_verify(report: VerifyReport) -> None:
    outcome = "ok" if report.ok else "failed"
    details = {
        "bundle_id": report.bundle_id,
        "file": report.path.name,
        "outcome": outcome,
        "problems": report.problems[:20],
    }
    case_id = report.case_id
    try:
        if case_id and report.bundle_id and report.known_to_store:
            ev.record_custody(
                case_id,
                "verified",
                what=f"bundle {report.bundle_id} verified: {outcome}",
                bundle_id=report.bundle_id,
                details=details,
            )
    except WorkbenchError:
        pass  # a bundle from another store, or a damaged case id: nothing to append to
    _audit("bundle.verify", case_id if _valid_case(case_id) else None, details, outcome)


def _valid_case(case_id: Any) -> bool:
    try:
        ev.validate_case_id(case_id)
        return True
    except WorkbenchError:
        return False


def _audit(
    action: str,
    case_id: str | None,
    details: dict[str, Any],
    outcome: str,
    reason: str | None = None,
) -> None:
    """Record a bundle action in the audit log; raises if it cannot."""
    audit.record(action, case=case_id, outcome=outcome, details=details, reason=reason)


def _audit_quietly(
    action: str, case_id: str | None, details: dict[str, Any], outcome: str, reason: str
) -> None:
    # A failure is reported to the user as it is; a failing audit write must not mask it.
    try:
        _audit(action, case_id, details, outcome, reason)
    except Exception:
        pass
