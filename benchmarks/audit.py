"""How long one audit record takes to append to the embedded (SQLite, WAL) case store, with the
store's stamps (identity, time, seq), the format-2 hash and the chain trigger; and how long
``audit verify`` and a signed checkpoint take.

    .venv/bin/python benchmarks/audit.py [--records 2000]

Target: append under 1 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=2000)
    args = ap.parse_args(argv)
    home = tempfile.mkdtemp(prefix="wb-bench-audit-")
    os.environ["WORKBENCH_HOME"] = home
    os.environ["WORKBENCH_ANALYST"] = "bench"
    for var in ("WORKBENCH_DATA_URL", "WORKBENCH_CASES_URL"):
        os.environ.pop(var, None)

    import workbench as wb
    from workbench.store import anchors, audit

    wb.settings(reload=True)
    audit.record("bench.warmup")  # opens and migrates the store
    times = []
    for i in range(args.records):
        t0 = time.perf_counter()
        audit.record(
            "query.run",
            query_name="logins_by_user",
            sql="SELECT * FROM logins WHERE user_id = :user_id",
            params={"user_id": i},
            row_count=12,
            result_sha256="a" * 64,
            duration_ms=3.25,
            subjects=[i],
        )
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    print(
        f"audit append (SQLite WAL, {args.records} records): p50 {p50:.3f} ms, "
        f"p95 {p95:.3f} ms, mean {statistics.fmean(times):.3f} ms  target < 1 ms "
        f"{'ok' if p50 < 1 else 'SLOW'}"
    )
    t0 = time.perf_counter()
    assert audit.verify() is None
    print(f"verify {args.records + 1} records: {(time.perf_counter() - t0) * 1000:.0f} ms")
    t0 = time.perf_counter()
    anchors.anchor()
    print(f"signed checkpoint: {(time.perf_counter() - t0) * 1000:.1f} ms")
    t0 = time.perf_counter()
    bad, n = anchors.verify()
    assert bad is None and n == 1
    print(f"verify against the checkpoint: {(time.perf_counter() - t0) * 1000:.0f} ms")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
