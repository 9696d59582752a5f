"""A forger's tools for the bundle tests: read a bundle's entries, edit them, recompute every
hash a verifier checks, write the zip again."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path


def entries(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def write(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def rehash(files: dict[str, bytes], **manifest_changes) -> dict[str, bytes]:
    """``files`` (edited) with every file hash and size, the root hash, the manifest and the
    custody chain made consistent again, as a careful forger would; ``manifest_changes`` are
    set on the manifest first (a new ``bundle_id``, say). The signature is left as it was."""
    from workbench.evidence.bundle import _root_hash
    from workbench.evidence.items import canonical_json, chain_hash

    out = dict(files)
    m = {**json.loads(out["manifest.json"]), **manifest_changes}
    for it in m["items"]:
        for f in it["files"]:
            f["sha256"] = hashlib.sha256(out[f["path"]]).hexdigest()
            f["size"] = len(out[f["path"]])
    m["root_hash"] = _root_hash([f for it in m["items"] for f in it["files"]] + m["documents"])
    out["manifest.json"] = json.dumps(m, sort_keys=True, indent=2).encode()
    lines, prev = [], "0" * 64
    for line in out["custody.jsonl"].decode().splitlines():
        body = json.loads(line)
        body.pop("hash")
        body["prev"] = prev
        if body["event"] == "bundled":
            body["details"]["manifest_sha256"] = hashlib.sha256(out["manifest.json"]).hexdigest()
        prev = chain_hash(body)
        lines.append(canonical_json({**body, "hash": prev}))
    out["custody.jsonl"] = ("\n".join(lines) + "\n").encode()
    return out
