"""Photo-reuse search against 1,000,000 perceptual hashes: index vs brute force, in one run.

Builds 1,000,000 synthetic 64-bit hashes, plants near-duplicates (1..8 flipped bits) of 200
originals, then times per-query search within ``--radius`` bits with:

* ``PhotoIndex`` auto (multi-index hashing for small radii), and its vectorised scan;
* brute force: a plain Python loop with ``int.bit_count`` (the baseline).

Prints per-query median / p95 times and checks every planted copy is found. Target: < 50 ms.

    .venv/bin/python benchmarks/photo_reuse.py [--n 1000000] [--queries 200] [--radius 12]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from workbench.content.photo_reuse import PhotoIndex, brute_force


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--radius", type=int, default=12, help="12 is wb.content's default")
    ap.add_argument(
        "--brute-queries", type=int, default=10, help="brute force is slow: fewer queries"
    )
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()

    rng = np.random.default_rng(a.seed)
    hashes = rng.integers(0, 2**64, size=a.n, dtype=np.uint64)
    originals = rng.choice(a.n, size=a.queries, replace=False)
    planted: dict[int, set[int]] = {}
    slot = 0
    free = np.setdiff1d(np.arange(a.n), originals)
    rng.shuffle(free)
    for o in originals:
        copies = set()
        for _ in range(int(rng.integers(2, 6))):
            bits = rng.choice(64, size=int(rng.integers(1, 9)), replace=False)
            mask = np.uint64(0)
            for b in bits:
                mask |= np.uint64(1) << np.uint64(int(b))
            p = int(free[slot])
            slot += 1
            hashes[p] = hashes[o] ^ mask
            copies.add(p)
        planted[int(o)] = copies

    t0 = time.perf_counter()
    index = PhotoIndex(hashes, ids=np.arange(a.n), owners=np.arange(a.n))
    build = time.perf_counter() - t0
    py_hashes = [int(h) for h in hashes]

    def timed(fn, queries):
        times, results = [], {}
        for o in queries:
            t = time.perf_counter()
            results[o] = fn(o)
            times.append((time.perf_counter() - t) * 1000)
        return times, results

    q = [int(o) for o in originals]
    t_mih, r_mih = timed(
        lambda o: set(index.positions(int(hashes[o]), a.radius, "mih")[0].tolist()), q
    )
    t_scan, r_scan = timed(
        lambda o: set(index.positions(int(hashes[o]), a.radius, "scan")[0].tolist()), q
    )
    t_auto, _ = timed(lambda o: set(index.positions(int(hashes[o]), a.radius)[0].tolist()), q)
    bq = q[: a.brute_queries]
    t_brute, r_brute = timed(lambda o: set(brute_force(py_hashes, py_hashes[o], a.radius)), bq)

    missed = sum(len(planted[o] - r_mih[o]) for o in q)
    total = sum(len(c) for c in planted.values())
    agree = all(r_mih[o] == r_scan[o] for o in q) and all(r_mih[o] == r_brute[o] for o in bq)

    def line(name, ts):
        ts = sorted(ts)
        p95 = ts[min(len(ts) - 1, int(0.95 * len(ts)))]
        return f"  {name:<28} median {statistics.median(ts):8.3f} ms   p95 {p95:8.3f} ms   ({len(ts)} queries)"

    print(
        f"photo reuse: {a.n:,} hashes, radius {a.radius} bits, {total} planted copies of {len(q)} originals"
    )
    print(f"  index build                 {build * 1000:8.1f} ms")
    print(line("index auto", t_auto))
    print(line("index multi-index hashing", t_mih))
    print(line("index vectorised scan", t_scan))
    print(line("brute force (Python loop)", t_brute))
    speed = statistics.median(t_brute) / max(statistics.median(t_auto), 1e-9)
    print(f"  speed-up over brute force   {speed:8.0f}x")
    print(
        f"  planted copies missed       {missed} of {total}; results identical across methods: {agree}"
    )
    print(f"  target < 50 ms per query:   {'MET' if statistics.median(t_auto) < 50 else 'NOT MET'}")


if __name__ == "__main__":
    main()
