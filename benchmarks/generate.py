"""Benchmark the demo platform generator: build time, peak memory, rows and size on disk.

    python benchmarks/generate.py                 # 5,000 and 1,000,000 members
    python benchmarks/generate.py --users 5000    # one size (repeatable: --users 5000 --users 20000)

Each size is built in a fresh child process in a temporary home, so figures don't mix. Peak
memory is the largest sum of RSS over the child and its own children (the photo renderers),
sampled every 0.2 s, and the child's own ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

ANCHOR = "2026-11-01"


def _child(users: int, home: str, out: str, seed: int) -> None:
    import resource

    from workbench.demo.generate import generate_demo

    res = generate_demo(
        Path(home),
        seed=seed,
        users=users,
        anchor=datetime.fromisoformat(ANCHOR).replace(tzinfo=UTC),
        progress=True,
    )
    Path(out).write_text(
        json.dumps(
            {
                "seconds": res.seconds,
                "rows": res.rows,
                "db_bytes": res.db_bytes,
                "media_bytes": res.media_bytes,
                "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run(users: int, seed: int, keep: bool) -> dict:
    base = Path(tempfile.mkdtemp(prefix=f"wb-demo-{users}-"))
    home, out = base / "home", base / "result.json"
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = before.ru_utime + before.ru_stime
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--child",
            "--users",
            str(users),
            "--seed",
            str(seed),
            "--home",
            str(home),
            "--out",
            str(out),
        ]
    )
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, _tree_rss(ps))
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child and the renderers it waited for
    if proc.returncode != 0:
        raise SystemExit(f"generation of {users:,} members failed (exit {proc.returncode})")
    res = json.loads(out.read_text())
    res.update(
        users=users,
        wall_seconds=wall,
        peak_tree_rss_mb=peak / 2**20,
        home=str(home),
        cpu_seconds=ru.ru_utime + ru.ru_stime - cpu_before,
    )
    if not keep:
        # unlinking many files can be slow on some disks; don't make the reader wait for it
        subprocess.Popen(["rm", "-rf", "--", str(base)], start_new_session=True)
    return res


def report(res: dict) -> None:
    print(f"\n== {res['users']:,} members ==")
    print(
        f"build time      {res['seconds']:.1f} s (process wall time incl. start-up {res['wall_seconds']:.1f} s)"
    )
    print(f"CPU time        {res['cpu_seconds']:.1f} s (user + system, all processes)")
    print(
        f"peak memory     {res['peak_tree_rss_mb']:.0f} MB RSS (process + renderers, sampled); "
        f"main process max RSS {res['maxrss_mb']:.0f} MB"
    )
    print(
        f"size on disk    platform.duckdb {res['db_bytes'] / 1e6:,.1f} MB, media {res['media_bytes'] / 1e6:,.1f} MB"
    )
    print("rows            " + ", ".join(f"{t} {n:,}" for t, n in res["rows"].items()))
    print(f"machine         {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, action="append", help="members to generate (repeatable)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--keep", action="store_true", help="keep the generated homes (paths are printed)"
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--home", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.users[0], args.home, args.out, args.seed)
        return
    for users in args.users or [5_000, 1_000_000]:
        res = run(users, args.seed, args.keep)
        report(res)
        if args.keep:
            print(f"home            {res['home']}")


if __name__ == "__main__":
    main()
