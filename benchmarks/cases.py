"""Benchmark the case store: filing demo cases, listing, SLA clocks, single-case operations.

    .venv/bin/python benchmarks/cases.py [--cases 10000] [--home DEMO_HOME] [--pg URL]

Uses the demo platform in DEMO_HOME (default WORKBENCH_HOME, built by `workbench demo generate`)
and a throwaway case store (a temporary SQLite file, or the PostgreSQL database given by --pg,
which should be empty). Prints measured figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--home", default=os.environ.get("WORKBENCH_HOME", "var"))
    ap.add_argument("--pg", default=None, help="an empty PostgreSQL database URL")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="wb-bench-cases-"))
    os.environ["WORKBENCH_HOME"] = str(Path(args.home).resolve())
    os.environ["WORKBENCH_CASES_URL"] = args.pg or f"sqlite:///{tmp / 'cases.db'}"
    os.environ.setdefault("WORKBENCH_ANALYST", "bench")

    from workbench import cases, config
    from workbench.cases import notes, sla
    from workbench.demo.cases import file_demo_cases

    s = config.settings(reload=True)
    backend = s.cases_url.get_backend_name()
    t = time.perf_counter()
    res = file_demo_cases(s, n_history=args.cases, seed=7)
    dt = time.perf_counter() - t
    total = len(res.scenario_cases) + res.history_cases
    print(f"store: {backend}")
    print(
        f"file_demo_cases: {total} cases in {dt:.1f} s ({total / dt:.0f} cases/s, "
        f"full lifecycles through the core API)"
    )

    t = time.perf_counter()
    everything = cases.list_cases()
    print(f"list_cases (all {len(everything)}): {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    open_cases = cases.list_cases(open_only=True)
    print(f"list_cases(open_only) ({len(open_cases)}): {(time.perf_counter() - t) * 1000:.0f} ms")
    t = time.perf_counter()
    frame = sla.frame(everything)
    print(f"sla.frame over {len(frame)} cases: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    ids = [c.case_id for c in everything[:200]]
    for cid in ids:
        cases.get(cid)
    print(f"get: {(time.perf_counter() - t) / len(ids) * 1000:.2f} ms per case")
    t = time.perf_counter()
    n = 200
    for i in range(n):
        c = cases.create(category="spam", subjects=[i + 1], summary="bench")
        notes.add_note(c.case_id, "bench note")
    print(
        f"create + note: {(time.perf_counter() - t) / n * 1000:.1f} ms per case (own transactions)"
    )
    t = time.perf_counter()
    hist = sum(len(cases.history(cid)) for cid in ids)
    print(
        f"history: {(time.perf_counter() - t) / len(ids) * 1000:.2f} ms per case "
        f"({hist / len(ids):.1f} changes per case)"
    )
    from workbench.platform.engine import dispose_all

    dispose_all()


if __name__ == "__main__":
    main()
