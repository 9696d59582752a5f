"""Peak memory of the reads the byte limits are for (each in a fresh process, ``ru_maxrss``).

    .venv/bin/python benchmarks/limits.py [--stored] [--users 800]

* ``SELECT repeat('x', 1000000000)``: a 1 GB value computed by a function;
* ``SELECT i, repeat('x', 100000) FROM range(20000)``: 20,000 rows of 100 kB (2 GB);
* with ``--stored``, the same sizes stored in the platform file (``messages.body``): a table
  holding one 1 GB value and 20,000 values of 100 kB (builds a ~3 GB file under
  ``benchmarks/out/limits/``, once).

Each run prints the rows kept, what the user was told, and the process's peak RSS. Target:
under 1 GB. The settings are the defaults (``WORKBENCH_MAX_BYTES`` 256 MB, ``WORKBENCH_MAX_VALUE``
4,000, ``WORKBENCH_DUCKDB_MEMORY`` 512MB) unless overridden in the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

CASES = {
    "computed 1 GB value": "SELECT repeat('x', 1000000000) AS v",
    "computed 20,000 x 100 kB": "SELECT i, repeat('x', 100000) AS v FROM range(20000) AS t(i)",
    "worst: 100,000 x 1 MB": "SELECT i, repeat('x', 1000000) AS v FROM range(100000) AS t(i)",
}
STORED = {
    "stored 1 GB value": "SELECT message_id, body FROM messages WHERE message_id = 900000001",
    "stored 20,000 x 100 kB": "SELECT message_id, body FROM messages WHERE message_id > 900000001",
}


def _child(sql_text: str) -> None:
    import resource
    import warnings

    import workbench as wb

    notes: list[str] = []
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = wb.sql(sql_text)
        notes = [str(w.message) for w in caught]
        longest = int(df.iloc[:, -1].map(len).max()) if len(df) else 0
        outcome = {"rows": len(df), "longest": longest, "notes": notes}
    except Exception as exc:  # a clean refusal is an outcome too
        outcome = {"error": str(exc).splitlines()[0][:200]}
    outcome["seconds"] = round(time.perf_counter() - t0, 2)
    outcome["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(outcome))


HUGE = 900_000_001  # the message holding the 1 GB body; the 100 kB ones follow it


def _build_stored(users: int) -> None:
    """A demo platform plus one 1 GB message body and 20,000 bodies of 100 kB (run in its own
    process: building takes ~3 GB, which must not count in the children's peaks)."""
    import duckdb

    from workbench.demo.generate import generate_demo

    home = OUT / "limits"
    db = home / "platform.duckdb"
    home.mkdir(parents=True, exist_ok=True)
    if not db.exists():
        generate_demo(home, seed=5, users=users)
    con = duckdb.connect(str(db), config={"memory_limit": "6GB"})
    con.execute(f"DELETE FROM messages WHERE message_id >= {HUGE}")
    con.execute(
        f"INSERT INTO messages SELECT * REPLACE ({HUGE} AS message_id, "
        "repeat('x', 1000000000) AS body) FROM messages LIMIT 1"
    )
    con.execute(
        f"INSERT INTO messages SELECT m.* REPLACE ({HUGE} + i AS message_id, "
        "repeat('y', 100000) AS body) FROM (SELECT * FROM messages LIMIT 1) AS m, "
        "range(1, 20001) AS t(i)"
    )
    con.execute("CHECKPOINT")
    con.close()
    (home / "big.done").write_text("ok")


def _stored_platform(users: int) -> Path:
    home = OUT / "limits"
    if not (home / "big.done").exists():
        subprocess.run([sys.executable, __file__, "--build", str(users)], check=True)
    return home


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stored", action="store_true", help="also the stored values (~3 GB file)")
    ap.add_argument("--users", type=int, default=800)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--build", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    if args.build:
        _build_stored(args.build)
        return 0
    runs = dict(CASES)
    homes = {}
    demo = OUT / "limits-demo"
    if not (demo / "platform.duckdb").exists():  # in its own process, as the big file is
        code = "from workbench.demo.generate import generate_demo; import sys; "
        code += (
            f"generate_demo(__import__('pathlib').Path({str(demo)!r}), seed=5, users={args.users})"
        )
        subprocess.run([sys.executable, "-c", code], check=True)
    for name in CASES:
        homes[name] = demo
    if args.stored:
        big = _stored_platform(args.users)
        runs.update(STORED)
        for name in STORED:
            homes[name] = big
    print(f"{'read':<28}{'peak MB':>9}{'seconds':>9}  outcome")
    for name, sql_text in runs.items():
        work = Path(tempfile.mkdtemp(prefix="wb-bench-limits-"))
        (work / "platform.duckdb").symlink_to(homes[name] / "platform.duckdb")
        env = {**os.environ, "WORKBENCH_HOME": str(work), "WORKBENCH_ANALYST": "bench"}
        env.pop("WORKBENCH_DATA_URL", None)
        env.pop("WORKBENCH_CASES_URL", None)
        proc = subprocess.run(
            [sys.executable, __file__, "--child", sql_text],
            env=env,
            capture_output=True,
            text=True,
        )
        try:
            got = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            got = {"error": (proc.stderr.strip().splitlines() or ["crashed"])[-1], "peak_mb": -1}
        told = got.get("error") or "; ".join(got.get("notes", [])) or "(nothing cut)"
        kept = "" if "error" in got else f"{got['rows']:,} rows, longest {got['longest']:,}: "
        print(f"{name:<28}{got['peak_mb']:>9}{got.get('seconds', 0):>9}  {kept}{told}")
    print(f"(target: peak under 1000 MB; load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
