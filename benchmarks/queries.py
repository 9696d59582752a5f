"""Benchmark the query library on a large demo platform (DuckDB).

    .venv/bin/python benchmarks/queries.py [--users 1000000] [--subjects 100] [--seed 11]

Builds the demo under ``benchmarks/out/demo-<users>/`` if it is not there yet (minutes for a
million users; reused afterwards) and prints, for each library query:

* p50 / p95 latency of ``wb.query`` (everything: bind, guard, run, fetch, DataFrame, hash, audit
  record in a SQLite case store, provenance) over ``--subjects`` random subjects;
* the process CPU time of the same ``wb.query`` calls (all threads, DuckDB's included), p95:
  on a busy shared machine wall time measures the other sessions' load; CPU time is what the
  query costs, and on a quiet 2-core machine the wall time is at most about that;
* the workbench's own overhead: the same call minus a raw ``pandas.read_sql`` of the same SQL
  with the same bound values on the same engine, measured back to back per subject; and the parts
  (guard, result hash, audit append) timed on their own.

Targets: p95 < 300 ms for every per-user query, overhead < 5 ms per query.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
EVER = "2000-01-01T00:00:00Z"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def ensure_demo(users: int, seed: int) -> Path:
    from workbench.demo.generate import generate_demo, outdated

    home = OUT / f"demo-{users}"
    if (home / "platform.duckdb").exists() and (home / "ground_truth.json").exists():
        stale = outdated(home)
        if stale is None:
            print(f"reusing {home}")
            return home
        print(f"rebuilding: {stale}")
    home.mkdir(parents=True, exist_ok=True)
    print(f"generating a {users:,}-user demo in {home} (takes a while) ...", flush=True)
    t0 = time.perf_counter()
    generate_demo(home, seed=seed, users=users, anchor=ANCHOR)
    print(f"generated in {time.perf_counter() - t0:.0f} s", flush=True)
    return home


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--subjects", type=int, default=100)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--only", default="", help="comma-separated query names (default: all)")
    ap.add_argument(
        "--budget",
        type=float,
        default=90.0,
        help="seconds per query; fewer subjects are measured when it runs out",
    )
    args = ap.parse_args(argv)

    demo = ensure_demo(args.users, args.seed)
    work = Path(tempfile.mkdtemp(prefix="wb-bench-queries-"))
    (work / "platform.duckdb").symlink_to(demo / "platform.duckdb")
    os.environ["WORKBENCH_HOME"] = str(work)
    os.environ["WORKBENCH_ANALYST"] = "bench"
    for var in ("WORKBENCH_DATA_URL", "WORKBENCH_CASES_URL"):
        os.environ.pop(var, None)

    import pandas as pd

    import workbench as wb
    from workbench.platform.engine import platform_engine
    from workbench.queries import door, guard
    from workbench.queries import library as queries
    from workbench.queries import run as execute
    from workbench.store import audit

    wb.settings(reload=True)
    engine = platform_engine()
    rnd = random.Random(args.seed)
    lo, hi = wb.sql("SELECT min(user_id) AS lo, max(user_id) AS hi FROM users").iloc[0]
    picks = sorted(
        rnd.sample(range(int(lo), int(hi) + 1), min(args.subjects * 2, int(hi) - int(lo) + 1))
    )
    have = set(wb.sql("SELECT user_id FROM users WHERE user_id IN :ids", ids=picks)["user_id"])
    subjects = [u for u in picks if u in have][: args.subjects]
    rnd.shuffle(subjects)
    partner = {}
    for chunk in range(0, len(subjects), 50):
        part = wb.sql(
            "SELECT sender_id, min(recipient_id) AS other FROM messages "
            "WHERE sender_id IN :ids GROUP BY sender_id",
            ids=subjects[chunk : chunk + 50],
        )
        partner.update(dict(zip(part["sender_id"], part["other"])))
    n_users = int(wb.sql("SELECT count(*) AS n FROM users")["n"].iloc[0])
    n_logins = int(wb.sql("SELECT count(*) AS n FROM logins")["n"].iloc[0])
    n_msgs = int(wb.sql("SELECT count(*) AS n FROM messages")["n"].iloc[0])
    print(
        f"platform: {n_users:,} users, {n_logins:,} logins, {n_msgs:,} messages; "
        f"{len(subjects)} random subjects"
    )

    def params_for(q, u: int) -> dict | None:
        names = {p.name for p in q.params}
        if "user_a" in names:
            return {"user_a": u, "user_b": int(partner.get(u, u + 1)), "start": EVER}
        if "user_id" not in names:
            return None
        out = {"user_id": u}
        if "start" in names:
            out["start"] = EVER
        return out

    rows = []
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    for q in queries.list():
        if params_for(q, subjects[0]) is None or (only and q.name not in only):
            continue
        try:
            for u in subjects[:2]:  # warm caches (DuckDB buffer pool, guard, pandas)
                wb.query(q.name, **params_for(q, u))
        except execute.QueryTimeout:
            rows.append(
                (
                    q.name,
                    float("nan"),
                    float("nan"),
                    float("nan"),
                    float("nan"),
                    float("nan"),
                    float("nan"),
                    float("nan"),
                    0,
                )
            )
            continue
        wb_ms, cpu_ms, raw_ms, n_rows = [], [], [], []
        began = time.perf_counter()
        for u in subjects:
            if time.perf_counter() - began > args.budget:
                break
            p = params_for(q, u)
            t0, c0 = time.perf_counter(), time.process_time()
            df = wb.query(q.name, **p)
            wb_ms.append((time.perf_counter() - t0) * 1000)
            cpu_ms.append((time.process_time() - c0) * 1000)
            n_rows.append(len(df))
            sql_text, bound = execute.render(q.name, **p)
            stmt = door.statement(sql_text, bound, {x.name for x in q.params if x.array})
            t0 = time.perf_counter()
            with engine.connect() as conn:
                pd.read_sql(stmt, conn, params=door.driver_params(bound))
            raw_ms.append((time.perf_counter() - t0) * 1000)
        diffs = [a - b for a, b in zip(wb_ms, raw_ms)]
        rows.append(
            (
                q.name,
                pct(wb_ms, 0.5),
                pct(wb_ms, 0.95),
                pct(cpu_ms, 0.95),
                pct(raw_ms, 0.5),
                pct(raw_ms, 0.95),
                statistics.median(diffs),
                statistics.mean(n_rows),
                len(wb_ms),
            )
        )
        print(f"  {q.name}: {len(wb_ms)} subjects, p95 {pct(wb_ms, 0.95):.0f} ms", flush=True)

    print()
    print(
        f"{'query':<22}{'n':>4}{'p50 ms':>9}{'p95 ms':>9}{'cpu p95':>9}{'raw p50':>9}{'raw p95':>9}"
        f"{'overhead p50':>14}{'rows avg':>10}  target p95<300"
    )
    for name, p50, p95, c95, r50, r95, ov, nr, n in rows:
        ok = "TIMEOUT" if n == 0 else ("ok" if p95 < 300 else "SLOW")
        print(
            f"{name:<22}{n:>4}{p50:>9.1f}{p95:>9.1f}{c95:>9.1f}{r50:>9.1f}{r95:>9.1f}{ov:>14.2f}{nr:>10.1f}  {ok}"
        )
    print(f"(machine load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")

    # keyword search is not per-user: a scan of the messages in the window
    kw = []
    for terms in (["money"], ["こんにちは"], ["สวัสดี", "hola"]):
        t0 = time.perf_counter()
        wb.query("keyword_search", terms=terms, start="-90d")
        kw.append((time.perf_counter() - t0) * 1000)
    print(f"keyword_search (all messages, last 90 days): {', '.join(f'{x:.0f}' for x in kw)} ms")

    # the parts of the overhead on their own
    sample_sql = queries.get("logins_by_user").render("duckdb")
    adhoc = "SELECT l.user_id, count(*) AS n FROM logins l WHERE l.user_id = :u GROUP BY l.user_id"

    def timed(fn, n: int = 200) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - t0) * 1000 / n

    guard._check_cached.cache_clear()
    g_lib = timed(
        lambda: (guard._check_cached.cache_clear(), guard.check(sample_sql, "duckdb")), 50
    )
    g_cached = timed(lambda: guard.check(sample_sql, "duckdb"), 1000)
    g_adhoc = timed(lambda: (guard._check_cached.cache_clear(), guard.check(adhoc, "duckdb")), 100)
    df = wb.query("logins_by_user", user_id=subjects[0], start=EVER)
    h = timed(lambda: execute.result_sha256(df), 200)
    a = timed(lambda: audit.record("bench.noop", details={"n": 1}), 200)
    print()
    print(
        f"overhead parts: guard parse {g_lib:.2f} ms (library query, first time; then cached "
        f"{g_cached * 1000:.1f} µs), guard ad-hoc {g_adhoc:.2f} ms, result hash "
        f"({len(df)} rows) {h:.3f} ms, audit append (SQLite WAL) {a:.2f} ms"
    )
    assert audit.verify() is None
    return 0


if __name__ == "__main__":
    sys.exit(main())
