"""Library query latency of this checkout against another revision, measured in lockstep.

    git worktree add --detach /tmp/before <rev>
    .venv/bin/python benchmarks/compare_queries.py --against /tmp/before [--users 1000000]
                     [--subjects 200] [--only user_overview,messages_by_user]

Sequential runs of ``benchmarks/queries.py`` on a shared or virtual machine differ by half
between one minute and the next, which hides a 10 % change. Here two worker processes, one
importing this checkout's ``workbench`` and one the other revision's, read the same demo
platform (``benchmarks/out/demo-<users>/``, built by ``queries.py``) and take turns: for each
subject one ``wb.query`` call in each, in alternating order. Both see the same machine at the
same moment, so the paired figures compare the code, not the minute.

Prints, per query: p50 and p95 of both, the p95 ratio (target: at most 1.10), and the median of
the paired differences.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVER = "2000-01-01T00:00:00Z"

WORKER = r"""
import json, os, sys, tempfile, time
from pathlib import Path
work = Path(tempfile.mkdtemp(prefix="wb-compare-"))
(work / "platform.duckdb").symlink_to(sys.argv[1])
os.environ["WORKBENCH_HOME"] = str(work)
os.environ["WORKBENCH_ANALYST"] = "bench"
for var in ("WORKBENCH_DATA_URL", "WORKBENCH_CASES_URL"):
    os.environ.pop(var, None)
import workbench as wb
wb.settings(reload=True)
print("ready", flush=True)
for line in sys.stdin:
    name, params = json.loads(line)
    t0 = time.perf_counter()
    wb.query(name, **params)
    print((time.perf_counter() - t0) * 1000, flush=True)
"""


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class Worker:
    def __init__(self, tree: Path, platform: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(platform)],
            cwd=tree,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise SystemExit(f"the worker for {tree} did not start")

    def call(self, name: str, params: dict) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps([name, params]) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"a worker stopped on {name} {params}")
        return float(line)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def subjects_and_partners(platform: Path, n: int, seed: int) -> tuple[list[int], dict[int, int]]:
    import duckdb

    con = duckdb.connect(str(platform), read_only=True)
    try:
        ids = [r[0] for r in con.execute("SELECT user_id FROM users ORDER BY user_id").fetchall()]
        picks = random.Random(seed).sample(ids, min(n, len(ids)))
        rows = con.execute(
            "SELECT sender_id, min(recipient_id) FROM messages WHERE sender_id IN "
            "(SELECT unnest(?)) GROUP BY sender_id",
            [picks],
        ).fetchall()
    finally:
        con.close()
    return picks, {int(a): int(b) for a, b in rows}


def params_for(param_names: set[str], u: int, partner: dict[int, int]) -> dict | None:
    if "user_a" in param_names:
        return {"user_a": u, "user_b": partner.get(u, u + 1), "start": EVER}
    if "user_id" not in param_names:
        return None
    return {"user_id": u, **({"start": EVER} if "start" in param_names else {})}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", type=Path, required=True, help="a checkout of the other revision")
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--subjects", type=int, default=200)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--only", default="", help="comma-separated query names (default: all)")
    args = ap.parse_args(argv)

    platform = HERE / "out" / f"demo-{args.users}" / "platform.duckdb"
    if not platform.is_file():
        raise SystemExit(f"no demo at {platform}: run benchmarks/queries.py --users {args.users}")
    other = args.against.resolve()
    if not (other / "workbench" / "__init__.py").is_file():
        raise SystemExit(f"{other} is not a checkout of the workbench")
    subjects, partner = subjects_and_partners(platform, args.subjects, args.seed)

    os.environ["WORKBENCH_HOME"] = tempfile.mkdtemp(prefix="wb-compare-lib-")
    sys.path.insert(0, str(HERE.parent))
    from workbench.queries import library

    only = {n.strip() for n in args.only.split(",") if n.strip()}
    todo = [
        (q.name, {p.name for p in q.params})
        for q in library.list()
        if (not only or q.name in only)
        and params_for({p.name for p in q.params}, subjects[0], partner) is not None
    ]
    ours, theirs = Worker(HERE.parent, platform), Worker(other, platform)
    print(f"{len(subjects)} subjects; this checkout against {other}")
    print(
        f"{'query':<22}{'p50 now':>9}{'p50 then':>10}{'p95 now':>9}{'p95 then':>10}"
        f"{'p95 ratio':>11}{'paired diff p50':>17}"
    )
    try:
        for name, names in todo:
            for u in subjects[:3]:  # warm both: buffer pool, guard, pandas
                ours.call(name, params_for(names, u, partner) or {})
                theirs.call(name, params_for(names, u, partner) or {})
            now, then = [], []
            for i, u in enumerate(subjects):
                p = params_for(names, u, partner) or {}
                if i % 2:
                    now.append(ours.call(name, p))
                    then.append(theirs.call(name, p))
                else:
                    then.append(theirs.call(name, p))
                    now.append(ours.call(name, p))
            ratio = pct(now, 0.95) / pct(then, 0.95)
            diff = pct([a - b for a, b in zip(now, then)], 0.5)
            flag = "" if ratio <= 1.10 else "  over 10 %"
            print(
                f"{name:<22}{pct(now, 0.5):>9.1f}{pct(then, 0.5):>10.1f}{pct(now, 0.95):>9.1f}"
                f"{pct(then, 0.95):>10.1f}{ratio:>11.2f}{diff:>+17.2f}{flag}",
                flush=True,
            )
    finally:
        ours.close()
        theirs.close()
    print(f"(machine load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
