"""How well the standard investigation and the hunt find what the demo planted.

    python benchmarks/effectiveness.py --seed 7 --users 5000
    python benchmarks/effectiveness.py --seed 7 --seed 11 --users 5000 [--home DIR]

For each seed a demo platform is built in a temporary home (or ``--home``, reused when it holds
that seed and size), then ``workbench.demo.effectiveness.evaluate`` runs the scam template's
``linked_accounts`` from each ring's one reported member at one and two hops, the takeover and
false-reporting checks, and the hunt. It prints, per ring, recall and precision of members and
the decoys wrongly linked, the hunt's rank for it, and whether each target is met; and the same
investigation with unweighted links (every shared identifier counts) for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ANCHOR = "2026-11-01"


def _build(home: Path, seed: int, users: int) -> None:
    from workbench.demo.generate import generate_demo

    truth = home / "ground_truth.json"
    if truth.exists():
        t = json.loads(truth.read_text())
        if (t.get("seed"), t.get("users")) == (seed, users):
            return
    generate_demo(
        home, seed=seed, users=users, anchor=datetime.fromisoformat(ANCHOR).replace(tzinfo=UTC)
    )


def run(seed: int, users: int, home: Path) -> bool:
    import pandas as pd

    from workbench import config
    from workbench.demo.effectiveness import evaluate
    from workbench.hunt import rings

    _build(home, seed, users)
    os.environ[config.ENV_HOME] = str(home)
    for var in (config.ENV_DATA_URL, config.ENV_CASES_URL):
        os.environ.pop(var, None)
    config.settings(reload=True)
    truth = json.loads((home / "ground_truth.json").read_text())
    swept = rings(as_of=truth["anchor"])
    eff = evaluate(truth, hunt=swept)
    plain = evaluate(truth, hunt=swept, min_weight=1e-6)
    print(f"\n== seed {seed}, {users:,} members ==")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(pd.DataFrame(eff.table()).to_string(index=False))
    print(f"takeover sequence in order: {'yes' if eff.takeover_in_order else 'NO'}")
    print(
        f"false-reporting group linked: {'yes' if eff.false_reporters_linked else 'NO'}; "
        f"coordinated reporting flagged: {'yes' if eff.coordinated_flagged else 'NO'}"
    )
    print(f"decoy groups in the hunt's top 10: {', '.join(eff.hunt_top_decoys) or 'none'}")
    print(f"hunt: {eff.hunt_seconds:.1f} s")
    unweighted = ", ".join(
        f"{r.style} {r.precision_2hop:.0%} ({', '.join(r.decoys_linked) or 'no decoys'})"
        for r in plain.rings
    )
    print(f"unweighted links, precision at two hops: {unweighted}")
    for name, ok in eff.targets_met.items():
        print(f"target {name}: {'met' if ok else 'MISSED'}")
    return all(eff.targets_met.values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, action="append", help="repeatable (default 7)")
    ap.add_argument("--users", type=int, default=5000)
    ap.add_argument("--home", type=Path, help="build (or reuse) the platform here")
    args = ap.parse_args()
    ok = True
    for seed in args.seed or [7]:
        if args.home:
            home = args.home / f"seed-{seed}-{args.users}"
            home.mkdir(parents=True, exist_ok=True)
            ok &= run(seed, args.users, home)
        else:
            with tempfile.TemporaryDirectory(prefix="wb-effect-") as tmp:
                ok &= run(seed, args.users, Path(tmp))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
