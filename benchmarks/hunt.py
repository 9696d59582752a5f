"""Benchmark the platform-wide hunt: time and peak memory of ``workbench.hunt.rings`` at scale.

    .venv/bin/python benchmarks/hunt.py [--users 1000000] [--seed 11]

Uses the demo under ``benchmarks/out/demo-<users>/`` (built by ``benchmarks/queries.py``'s
``ensure_demo`` if missing: minutes for a million members). The sweep runs in a fresh child
process; its peak memory is the largest RSS sampled every 0.1 s (DuckDB's buffers included),
and its ``ru_maxrss``. Then prints the top 10 clusters, labelled from the ground truth: every
planted ring should be there, no decoy group. Targets: under 60 s and 4 GB at 1,000,000 members.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _child(home: str, out: str, anchor: str) -> None:
    import resource

    os.environ["WORKBENCH_HOME"] = home
    os.environ["WORKBENCH_ANALYST"] = "bench"
    for var in ("WORKBENCH_DATA_URL", "WORKBENCH_CASES_URL"):
        os.environ.pop(var, None)
    from workbench import hunt

    t0 = time.perf_counter()
    result = hunt.rings(as_of=anchor)
    seconds = time.perf_counter() - t0
    doc = result.as_dict()
    doc["wall_seconds"] = seconds
    doc["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out).write_text(json.dumps(doc))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    from queries import ensure_demo  # benchmarks/queries.py

    demo = ensure_demo(args.users, args.seed)
    truth = json.loads((demo / "ground_truth.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="wb-bench-hunt-"))
    (work / "platform.duckdb").symlink_to(demo / "platform.duckdb")
    out = work / "result.json"
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(work), str(out), truth["anchor"]]
    )
    ps, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.Error:
            pass
        time.sleep(0.1)
    if proc.returncode:
        print(f"the sweep failed (exit {proc.returncode})")
        return 1
    doc = json.loads(out.read_text())
    label = {}
    for s in truth["scenarios"]:
        for u in s["users"]:
            label.setdefault(u, s["details"].get("style") or s["kind"])
    for d in truth["decoys"]:
        for u in d["users"]:
            label.setdefault(u, f"DECOY {d['kind']}")
    print(
        f"hunt at {args.users:,} members: {doc['wall_seconds']:.1f} s, peak RSS "
        f"{peak / 1e9:.2f} GB (ru_maxrss {doc['maxrss_mb'] / 1024:.2f} GB), "
        f"{doc['edges']:,} links, {len(doc['clusters'])} clusters "
        f"({doc['below_min_score']} more below the minimum score)"
    )
    rings = [s for s in truth["scenarios"] if s["kind"] == "romance_scam_ring"]
    top = doc["clusters"][:10]
    for i, c in enumerate(top):
        who = Counter(label.get(u, "ordinary") for u in c["members"])
        print(
            f"  {i + 1:2d}. score {c['score']:5.1f}  {len(c['members']):3d} accounts  {dict(who)}"
        )
    found = [any(set(r["users"]) <= set(c["members"]) for c in top) for r in rings]
    decoys = {label[u] for c in top for u in c["members"] if label.get(u, "").startswith("DECOY")}
    print(f"planted rings in the top 10: {sum(found)} of {len(rings)}")
    print(f"decoy groups in the top 10: {', '.join(sorted(decoys)) or 'none'}")
    ok = doc["wall_seconds"] < 60 and peak < 4e9 and all(found) and not decoys
    print("targets (< 60 s, < 4 GB, every ring, no decoy):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
