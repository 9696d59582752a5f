"""Determinism: the same seed and anchor give identical tables (and media); another anchor gives
the same data shifted by a constant; a rebuild replaces the platform atomically."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from workbench.demo.digest import table_digests
from workbench.demo.generate import generate_demo

USERS = 300
ANCHOR = datetime(2026, 3, 1, tzinfo=UTC)
SHIFT = timedelta(days=37, hours=5)


def _digests(home, shift: timedelta = timedelta(0)) -> dict[str, str]:
    con = duckdb.connect(str(home / "platform.duckdb"), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    try:
        return table_digests(
            lambda sql: con.execute(sql).fetchall(), shift_us=int(shift / timedelta(microseconds=1))
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """A: the reference build. C: the same with a later anchor, digested, then rebuilt in place
    with A's anchor (B): three builds cover sameness, the shift and atomic replacement."""
    a, c = tmp_path_factory.mktemp("det_a"), tmp_path_factory.mktemp("det_c")
    ra = generate_demo(a, seed=11, users=USERS, anchor=ANCHOR)
    generate_demo(c, seed=11, users=USERS, anchor=ANCHOR + SHIFT)
    shifted = {
        "digests": _digests(c, SHIFT),
        "raw": _digests(c),
        "truth": json.loads((c / "ground_truth.json").read_text()),
    }
    rb = generate_demo(c, seed=11, users=USERS, anchor=ANCHOR)
    return a, c, ra, rb, shifted


def test_same_seed_same_data(builds):
    a, b, ra, rb, _ = builds
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
    a, _, _, _, shifted = builds
    reference = _digests(a)
    assert shifted["digests"] == reference
    assert all(shifted["raw"][t] != reference[t] for t in ("users", "messages", "logins"))
    ta, tc = json.loads((a / "ground_truth.json").read_text()), shifted["truth"]
    assert [s["users"] for s in ta["scenarios"]] == [s["users"] for s in tc["scenarios"]]
    login_a = datetime.fromisoformat(
        ta["scenarios"][1]["details"]["login_at"].replace("Z", "+00:00")
    )
    login_c = datetime.fromisoformat(
        tc["scenarios"][1]["details"]["login_at"].replace("Z", "+00:00")
    )
    assert login_c - login_a == SHIFT


def test_rebuild_replaces_in_place(builds):
    _, b, _, rb, _ = builds
    assert rb.db_path.exists() and (b / "media").is_dir()
    leftovers = [p.name for p in b.iterdir() if p.name.startswith(".") and "tmp" in p.name]
    assert not leftovers
