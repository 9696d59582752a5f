"""Verifying an evidence bundle, in bounded memory, with nothing heavier than the standard
library until the archive has passed its checks (pandas and the case store are loaded only to
cross-check a bundle that is safe to read).

``verify_bundle(path, trust=...)`` checks, in order: the zip itself (:mod:`~workbench.evidence.
safezip`: bombs, encrypted entries, unknown compression, unsafe names, overlaps; one-line
:class:`BundleRefused`), the manifest's size and types (one line too), the Ed25519 signature
against the trusted keys (default: this home's bundle key; an unsigned bundle, one signed by
another key, or an edited manifest fails), every file's sha256 and size, the root hash, the
custody chain, and what this case store recorded when the bundle was made.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import InputError, NotFoundError, WorkbenchError
from workbench.evidence import safezip, signing
from workbench.evidence.signing import PUBLIC_KEY, SIGNATURE
from workbench.ids import validate_case_id
from workbench.keys import fingerprint

MANIFEST = "manifest.json"
CUSTODY = "custody.jsonl"
GENESIS = "0" * 64


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
    signed_by: str | None = None  # fingerprint of the trusted key that signed it

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        head = (
            f"{self.path.name}: {'OK' if self.ok else 'FAILED'} — bundle {self.bundle_id or '?'}, "
            f"case {self.case_id or '?'}, audience {self.audience or '?'}, "
            f"{self.files_checked} files, {self.custody_events} custody events"
            + (f", signed by {self.signed_by}" if self.signed_by else "")
        )
        return "\n".join(
            [head] + [f"  {p}" for p in self.problems] + [f"  note: {n}" for n in self.notes]
        )


def _root_hash(files: list[dict[str, Any]]) -> str:
    text = "".join(f"{f['sha256']}  {f['path']}\n" for f in files)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- verify


MAX_MANIFEST = 64 << 20
MAX_CUSTODY = 64 << 20
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class BundleRefused(InputError):
    """A file that is not a bundle the workbench can check (a zip bomb, an encrypted or oddly
    compressed entry, a huge or malformed manifest): one line, nothing more is read."""


def _hash_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str | None, int, str | None]:
    hasher, size = hashlib.sha256(), 0
    try:
        for chunk in safezip.stream(zf, info):
            hasher.update(chunk)
            size += len(chunk)
    except safezip.UnsafeZip as exc:  # CRC or deflate errors: the bytes were altered
        return None, size, exc.message[:120]
    return hasher.hexdigest(), size, None


def _chain_hash(body: dict[str, Any]) -> str:
    # the same canonical form as workbench.evidence.items.canonical_json (sorted, compact)
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_custody(raw: bytes, report: VerifyReport) -> list[dict[str, Any]]:
    lines = raw.decode("utf-8", "replace").splitlines()
    events: list[dict[str, Any]] = []
    prev: str | None = GENESIS
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            report.problems.append(f"custody.jsonl line {n}: empty line (custody was edited)")
            continue
        try:
            body = json.loads(line)
            stored = body.pop("hash")
        except (ValueError, KeyError, AttributeError, TypeError):
            report.problems.append(f"custody.jsonl line {n}: not a custody record (edited)")
            prev = None
            continue
        if not isinstance(body, dict):
            report.problems.append(f"custody.jsonl line {n}: not a custody record (edited)")
            continue
        if _chain_hash(body) != stored:
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


def verify_bundle(path: Path | str, *, trust: Iterable[Any] | None = None) -> VerifyReport:
    """Check a bundle: its signature against trusted keys (``trust``: public key files or
    keys; default: this home's bundle key), every file hash, the root hash, the manifest and
    the custody chain. Reads in bounded memory; an unsafe or malformed zip is
    :class:`BundleRefused` (one line)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise NotFoundError(f"no bundle at {path}", "give the path of a bundle .zip")
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path.name} is not a zip file", "give the path of a bundle .zip")
    trusted = _trusted(trust)
    report = VerifyReport(path=path)
    try:
        with open(path, "rb") as fp:
            zf, infos = safezip.open_checked(fp)
            with zf:
                _verify(zf, infos, report, trusted)
    except safezip.UnsafeZip as exc:
        _audit_quietly("bundle.verify", None, {"file": path.name}, "refused", exc.message)
        raise BundleRefused(f"{path.name}: {exc.message}", exc.hint) from None
    except BundleRefused as exc:
        _audit_quietly("bundle.verify", None, {"file": path.name}, "refused", exc.message)
        raise
    _after_verify(report)
    return report


def _trusted(trust: Iterable[Any] | None) -> list[Any]:
    if trust is None:
        own = signing.home_public_key()
        return [own] if own is not None else []
    out = []
    for t in [trust] if isinstance(trust, (str, Path)) else trust:
        out.append(signing.load_trusted(t) if isinstance(t, (str, Path)) else t)
    return out


def _manifest_files(m: Any) -> list[dict[str, Any]]:
    """The manifest's file records, after checking their types (BundleRefused if wrong)."""

    def bad(where: str, what: str) -> BundleRefused:
        return BundleRefused(
            f"manifest.json is not a bundle manifest: {where} {what}",
            "this is not a bundle the workbench wrote, or it was damaged",
        )

    if not isinstance(m, dict):
        raise bad("the top level", "is not an object")
    for key in ("bundle_id", "case_id", "audience", "root_hash"):
        if not isinstance(m.get(key), str):
            raise bad(key, "is missing or not text")
    items, docs = m.get("items"), m.get("documents")
    if not isinstance(items, list) or not isinstance(docs, list):
        raise bad("items or documents", "is missing or not a list")
    files: list[dict[str, Any]] = []
    for n, it in enumerate(items):
        if not isinstance(it, dict) or not isinstance(it.get("files"), list):
            raise bad(f"items[{n}]", "has no list of files")
        files.extend(it["files"])
    files.extend(docs)
    for n, f in enumerate(files):
        if not isinstance(f, dict):
            raise bad(f"file record {n}", "is not an object")
        if not isinstance(f.get("path"), str) or not f["path"]:
            raise bad(f"file record {n}", "has no path")
        if not isinstance(f.get("sha256"), str) or not _HEX64.match(f["sha256"]):
            raise bad(f"file record {n}", "has no sha256")
        if type(f.get("size")) is not int or f["size"] < 0:
            raise bad(f"file record {n}", "has no size")
    return files


def _check_signature(
    zf: zipfile.ZipFile,
    seen: dict[str, zipfile.ZipInfo],
    manifest: dict[str, Any],
    manifest_bytes: bytes,
    trusted: list[Any],
    report: VerifyReport,
) -> None:
    if SIGNATURE not in seen:
        report.problems.append("unsigned: the bundle carries no signature (manifest.sig)")
        return
    sig = safezip.read_small(zf, seen[SIGNATURE], 1024, SIGNATURE)
    if not trusted:
        report.problems.append(
            "no trusted key to check the signature against: pass --trust with the sender's key"
        )
        return
    for key in trusted:
        if signing.check(key, sig, manifest_bytes):
            report.signed_by = fingerprint(key)
            claimed = (manifest.get("signature") or {}).get("key_fingerprint")
            if claimed != report.signed_by:
                report.problems.append(
                    "manifest.json names another signing key than the one that signed it"
                )
            return
    embedded = None
    if PUBLIC_KEY in seen:
        try:
            pem = safezip.read_small(zf, seen[PUBLIC_KEY], 4096, PUBLIC_KEY)
            embedded = signing.load_trusted_pem(pem)
        except (InputError, safezip.UnsafeZip):
            embedded = None
    if embedded is not None and signing.check(embedded, sig, manifest_bytes):
        report.problems.append(
            f"signed by another key ({fingerprint(embedded)}), not by a trusted one"
        )
    else:
        report.problems.append(
            "manifest.json was edited after it was signed (the signature does not match)"
        )


def _verify(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], report: VerifyReport, trusted: list[Any]
) -> None:
    seen = {info.filename: info for info in infos}
    custody_events: list[dict[str, Any]] = []
    if CUSTODY in seen:
        custody_events = _check_custody(
            safezip.read_small(zf, seen[CUSTODY], MAX_CUSTODY, CUSTODY), report
        )
    else:
        report.problems.append("missing file: custody.jsonl")
    if MANIFEST not in seen:
        report.problems.append("missing file: manifest.json")
        return
    manifest_bytes = safezip.read_small(zf, seen[MANIFEST], MAX_MANIFEST, MANIFEST)
    try:
        manifest = json.loads(manifest_bytes)
    except (ValueError, RecursionError):
        report.problems.append("manifest.json was edited: it is not valid JSON")
        return
    files = _manifest_files(manifest)
    report.bundle_id = manifest.get("bundle_id")
    report.case_id = manifest.get("case_id")
    report.audience = manifest.get("audience")
    _check_signature(zf, seen, manifest, manifest_bytes, trusted, report)
    manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
    bundled = [e for e in custody_events if e.get("event") == "bundled"]
    if custody_events and not bundled:
        report.problems.append("custody.jsonl has no 'bundled' event (custody was edited)")
    for e in bundled:
        details = e.get("details")
        if not isinstance(details, dict) or details.get("manifest_sha256") != manifest_sha:
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
    own = (MANIFEST, CUSTODY, SIGNATURE, PUBLIC_KEY)
    extra = [n for n in seen if n not in listed and n not in own and not seen[n].is_dir()]
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
    from workbench.evidence import items as ev  # the case store: only for a readable bundle

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
    from workbench.evidence import items as ev

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
        validate_case_id(case_id)
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
    from workbench.store import audit

    audit.record(action, case=case_id, outcome=outcome, details=details, reason=reason)


def _audit_quietly(
    action: str, case_id: str | None, details: dict[str, Any], outcome: str, reason: str
) -> None:
    # A failure is reported to the user as it is; a failing audit write must not mask it.
    try:
        _audit(action, case_id, details, outcome, reason)
    except Exception:
        pass
