"""Determinism: the same seed and anchor give identical tables (and media); another anchor gives
the same data shifted by a constant; a rebuild replaces the platform atomically."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from workbench.demo.digest import table_digests
from workbench.demo.generate import generate_demo

USERS = 300
ANCHOR = datetime(2026, 3, 1, tzinfo=timezone.utc)
SHIFT = timedelta(days=37, hours=5)


def _digests(home, shift: timedelta = timedelta(0)) -> dict[str, str]:
    con = duckdb.connect(str(home / "platform.duckdb"), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    try:
        return table_digests(lambda sql: con.execute(sql).fetchall(),
                             shift_us=int(shift / timedelta(microseconds=1)))
    finally:
        con.close()


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    a, b, c = (tmp_path_factory.mktemp(n) for n in ("det_a", "det_b", "det_shift"))
    res = [generate_demo(a, seed=11, users=USERS, anchor=ANCHOR),
           generate_demo(b, seed=11, users=USERS, anchor=ANCHOR),
           generate_demo(c, seed=11, users=USERS, anchor=ANCHOR + SHIFT)]
    return (a, b, c), res


def test_same_seed_same_data(builds):
    (a, b, _), (ra, rb, _) = builds
    assert ra.rows == rb.rows and all(n > 0 for n in ra.rows.values())
    assert _digests(a) == _digests(b)
    ta, tb = (json.loads((h / "ground_truth.json").read_text()) for h in (a, b))
    assert ta == tb and ta["seed"] == 11 and ta["users"] == USERS
    files_a = sorted(p.relative_to(a / "media") for p in (a / "media").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b / "media") for p in (b / "media").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a[::7]:
        assert (a / "media" / rel).read_bytes() == (b / "media" / rel).read_bytes(), rel


def test_other_anchor_shifts_everything(builds):
    (a, _, c), _ = builds
    assert _digests(c, SHIFT) == _digests(a)
    assert _digests(c) != _digests(a)
    ta, tc = (json.loads((h / "ground_truth.json").read_text()) for h in (a, c))
    assert [s["users"] for s in ta["scenarios"]] == [s["users"] for s in tc["scenarios"]]
    login_a = datetime.fromisoformat(ta["scenarios"][1]["details"]["login_at"].replace("Z", "+00:00"))
    login_c = datetime.fromisoformat(tc["scenarios"][1]["details"]["login_at"].replace("Z", "+00:00"))
    assert login_c - login_a == SHIFT


def test_different_seed_differs(tmp_path, builds):
    (a, _, _), _ = builds
    generate_demo(tmp_path, seed=12, users=USERS, anchor=ANCHOR)
    da, db_ = _digests(a), _digests(tmp_path)
    assert all(da[t] != db_[t] for t in ("users", "messages", "logins", "photos"))


def test_rebuild_replaces_in_place(builds):
    (a, _, _), _ = builds
    before = _digests(a)
    res = generate_demo(a, seed=11, users=USERS, anchor=ANCHOR)
    assert _digests(a) == before and res.db_path.exists()
    leftovers = [p.name for p in a.iterdir() if p.name.startswith(".") and "tmp" in p.name]
    assert not leftovers
