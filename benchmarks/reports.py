"""Benchmark: 50 case reports, a serial loop of the `papermill` CLI against
`workbench report --all-open` (parallel workers with warm kernels), in one run.

    .venv/bin/python benchmarks/reports.py [--cases 50] [--workers 2] [--users 800] [--keep DIR]

Builds a throwaway home: the demo platform (seed 7), the planted demo cases and more open cases
up to ``--cases``. Then:

1. serial: ``papermill case_report.ipynb <out>.ipynb -p case_id <ID>`` once per case, one after
   the other (each run starts Python, Papermill and a fresh kernel; no HTML, no evidence);
2. batch: ``workbench report --all-open --workers N`` (executes every report, exports HTML with
   plotly.js embedded, records both files as evidence and the run in the audit log).

Prints reports per minute for both and the ratio (target: batch at least 2x the serial loop).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "reports" / "case_report.ipynb"
ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)


def build_home(home: Path, n_cases: int, users: int) -> list[str]:
    """Demo platform and ``n_cases`` open cases in ``home``; returns the case ids."""
    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ.setdefault("WORKBENCH_ANALYST", "bench.analyst")
    from workbench import cases, config
    from workbench.cases.taxonomy import taxonomy
    from workbench.demo.cases import file_demo_cases
    from workbench.demo.generate import generate_demo

    generate_demo(home, seed=7, users=users, anchor=ANCHOR)
    settings = config.settings(reload=True)
    file_demo_cases(settings, n_history=0, seed=7)
    rng = random.Random(7)
    ids = [c.case_id for c in cases.list_cases(open_only=True)]
    from sqlalchemy import select

    from workbench.platform.engine import platform_engine
    from workbench.platform.schema import users

    with platform_engine().connect() as conn:
        user_ids = list(conn.scalars(select(users.c.user_id).order_by(users.c.user_id)))
    categories = sorted(taxonomy().categories)
    while len(ids) < n_cases:
        c = cases.create(
            category=rng.choice(categories),
            subjects=[rng.choice(user_ids)],
            title="Benchmark case",
            summary="Filed for the report benchmark.",
        )
        ids.append(c.case_id)
    from workbench.platform.engine import dispose_all as dispose_platform
    from workbench.store import dispose_all as dispose_store

    dispose_platform()
    dispose_store()
    return ids[:n_cases]


def serial_loop(ids: list[str], out: Path, env: dict[str, str]) -> tuple[float, int]:
    out.mkdir(parents=True, exist_ok=True)
    ok = 0
    t0 = time.perf_counter()
    for cid in ids:
        proc = subprocess.run(
            [
                str(BIN / "papermill"),
                str(NOTEBOOK),
                str(out / f"{cid}.ipynb"),
                "-p",
                "case_id",
                cid,
                "--no-progress-bar",
                "--log-level",
                "ERROR",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        ok += proc.returncode == 0
        if proc.returncode:
            print(f"  serial run failed for {cid}: {proc.stderr.strip().splitlines()[-1:]}")
    return time.perf_counter() - t0, ok


def batch(workers: int, env: dict[str, str]) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            str(BIN / "workbench"),
            "report",
            "--all-open",
            "--workers",
            str(workers),
            "--no-progress",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - t0
    summary = proc.stdout.strip().splitlines()
    written = int(summary[0].split()[0]) if summary and summary[0][0].isdigit() else 0
    return elapsed, written, "\n".join(summary[:6])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--users", type=int, default=800, help="demo platform size")
    ap.add_argument("--keep", type=Path, help="build the home here and keep it")
    args = ap.parse_args()

    home = args.keep or Path(tempfile.mkdtemp(prefix="wb-report-bench-"))
    home.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        ids = build_home(home, args.cases, args.users)
        print(f"home {home}: {len(ids)} open cases ({time.perf_counter() - t0:.0f} s to build)")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        env = {**os.environ, "WORKBENCH_HOME": str(home)}

        s_time, s_ok = serial_loop(ids, home / "serial-out", env)
        s_rate = s_ok / s_time * 60
        print(
            f"serial papermill CLI loop: {s_ok}/{len(ids)} reports in {s_time:.1f} s "
            f"= {s_rate:.1f} reports/min ({s_time / len(ids):.1f} s per report)"
        )

        b_time, b_ok, summary = batch(args.workers, env)
        b_rate = b_ok / b_time * 60
        print(
            f"workbench report --all-open --workers {args.workers}: {b_ok}/{len(ids)} reports "
            f"in {b_time:.1f} s = {b_rate:.1f} reports/min (with HTML export, evidence, audit)"
        )
        print(summary)
        ratio = b_rate / s_rate if s_rate else float("inf")
        print(
            f"ratio: {ratio:.2f}x the serial loop (target >= 2x): "
            f"{'met' if ratio >= 2 else 'NOT met'}"
        )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        if args.keep is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
