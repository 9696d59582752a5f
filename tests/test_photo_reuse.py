"""Photo reuse: exact Hamming search, near-duplicates of real images, precision and recall on the
demo's planted rings, and the portable `photo_reuse` library query."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

import imagehash
import numpy as np
import pytest
from PIL import Image, ImageDraw

from workbench.content.photo_reuse import PhotoIndex, brute_force, parse_hash, signed_int64
from workbench.errors import InputError


def test_index_matches_brute_force_exactly():
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, 2**64, size=4_000, dtype=np.uint64)
    # Plant copies of 20 originals with 1..12 flipped bits.
    for k in range(20):
        for j in range(3):
            bits = rng.choice(64, size=int(rng.integers(1, 13)), replace=False)
            mask = 0
            for b in bits:
                mask |= 1 << int(b)
            hashes[100 + k * 3 + j] = np.uint64(int(hashes[k]) ^ mask)
    index = PhotoIndex(hashes)
    py = [int(h) for h in hashes]
    for q in range(20):
        for radius in (0, 5, 11, 14):
            expected = sorted(brute_force(py, py[q], radius))
            for method in ("mih", "scan", "auto"):
                pos, dist = index.positions(py[q], radius, method)
                assert sorted(pos.tolist()) == expected, (q, radius, method)
                assert all(d <= radius for d in dist.tolist())
            assert q in expected


def test_bad_hashes_and_radii_are_one_line_errors():
    index = PhotoIndex([1, 2, 3])
    with pytest.raises(InputError, match="not a 64-bit perceptual hash"):
        index.search("xyz", 4)
    with pytest.raises(InputError, match="max distance"):
        index.search(1, 65)
    assert parse_hash("00000000000000ff") == 255


def test_signed_form_keeps_all_64_bits():
    assert signed_int64("0000000000000000") == 0
    assert signed_int64("7fffffffffffffff") == 2**63 - 1
    assert signed_int64("8000000000000000") == -(2**63)
    assert signed_int64("ffffffffffffffff") == -1
    with pytest.raises(InputError):
        signed_int64("not a hash")


def test_ingest_fills_the_integer_hash_like_python_and_skips_malformed_ones():
    import duckdb

    from workbench.platform import derived

    con = duckdb.connect()
    con.execute("CREATE TABLE photos(phash VARCHAR, phash_int BIGINT)")
    good = [
        "ffffffffffffffff",
        "8000000000000000",
        "7fffffffffffffff",
        "0000000000000001",
        "c3d2a1b0f0e1d2c3",
    ]
    con.executemany(
        "INSERT INTO photos VALUES (?, NULL)",
        [(h,) for h in good + ["zz00000000000000", "abc", None]],
    )
    con.execute(derived._PHASH_INT_DUCKDB)
    got = dict(con.execute("SELECT phash, phash_int FROM photos").fetchall())
    assert {h: got[h] for h in good} == {h: signed_int64(h) for h in good}
    assert got["zz00000000000000"] is None and got["abc"] is None and got[None] is None


# --------------------------------------------------------------------------- real images


def _picture(seed: int, size: int = 256) -> Image.Image:
    rng = random.Random(seed)
    img = Image.new("RGB", (size, size), tuple(rng.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(img)
    for _ in range(14):
        x, y = rng.randrange(size), rng.randrange(size)
        d.ellipse(
            [x, y, x + rng.randrange(20, 120), y + rng.randrange(20, 120)],
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    return img


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue()))


@pytest.fixture(scope="module")
def _photo_db(tmp_path_factory):
    """A tiny platform whose photos are real images: 12 originals, each re-uploaded by another
    account as a re-encode, a crop and a resize, plus 40 unrelated photos."""
    import duckdb

    path = tmp_path_factory.mktemp("photos") / "platform.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE users(user_id BIGINT PRIMARY KEY, handle VARCHAR, display_name VARCHAR,"
        " email VARCHAR, phone VARCHAR, country VARCHAR, language VARCHAR, created_at TIMESTAMPTZ,"
        " status VARCHAR, verified BOOLEAN)"
    )
    con.execute(
        "CREATE TABLE photos(photo_id BIGINT PRIMARY KEY, user_id BIGINT, path VARCHAR,"
        " uploaded_at TIMESTAMPTZ, width INT, height INT, phash VARCHAR, phash_int BIGINT,"
        " is_primary BOOLEAN, status VARCHAR)"
    )
    at = datetime(2026, 10, 1, tzinfo=UTC)
    planted: dict[int, set[int]] = {}
    rows, pid = [], 0

    def add(uid, img):
        nonlocal pid
        pid += 1
        h = str(imagehash.phash(img))
        rows.append((pid, uid, None, at, 256, 256, h, signed_int64(h), True, "active"))
        return pid

    for k in range(12):
        base = _picture(k)
        orig = add(1000 + k, base)
        copies = {
            add(2000 + k, _jpeg(base, 35)),
            add(3000 + k, base.crop((8, 8, 248, 248)).resize((256, 256))),
            add(4000 + k, base.resize((128, 128))),
        }
        planted[orig] = copies
    for k in range(40):
        add(5000 + k, _picture(500 + k))
    users = sorted({r[1] for r in rows})
    con.executemany(
        "INSERT INTO users VALUES (?, ?, ?, ?, NULL, 'GB', 'en', ?, 'active', false)",
        [(u, f"u{u}", f"User {u}", f"u{u}@mail.example", at) for u in users],
    )
    con.executemany("INSERT INTO photos VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.close()
    return path, planted


@pytest.fixture
def photo_platform(_photo_db, tmp_path, monkeypatch):
    from workbench import config
    from workbench.platform.engine import dispose_all

    path, planted = _photo_db
    monkeypatch.setenv(config.ENV_HOME, str(tmp_path))
    monkeypatch.setenv(config.ENV_DATA_URL, f"duckdb:///{path}")
    dispose_all()
    config.settings(reload=True)
    yield planted
    dispose_all()
    monkeypatch.undo()
    config.settings(reload=True)


def test_similar_photos_finds_reencodes_crops_and_resizes(photo_platform):
    from workbench import content

    found_total, false_matches, returned = 0, 0, 0
    for orig, copies in photo_platform.items():
        df = content.similar_photos(photo_id=orig)
        got = set(df["photo_id"])
        assert copies <= got, (orig, copies - got)
        found_total += len(copies & got)
        false_matches += len(got - copies)
        returned += len(got)
        assert df["distance"].is_monotonic_increasing
    assert false_matches / returned <= 0.05
    # By user: the original's owner sees every other account that re-used the picture.
    owner = 1000
    accounts = set(content.reused_by(owner)["user_id"])
    assert {2000, 3000, 4000} <= accounts


def test_similar_photos_input_errors(photo_platform):
    from workbench import content
    from workbench.errors import NotFoundError

    with pytest.raises(InputError, match="exactly one"):
        content.similar_photos()
    with pytest.raises(InputError, match="exactly one"):
        content.similar_photos(user_id=1000, photo_id=1)
    with pytest.raises(InputError, match="max_distance"):
        content.similar_photos(photo_id=1, max_distance=99)
    with pytest.raises(NotFoundError, match="no photo 999999"):
        content.similar_photos(photo_id=999999)


def test_library_query_matches_the_index(photo_platform):
    """`photo_reuse` computes the same distances in SQL (over photos.phash_int)."""
    import workbench as wb
    from workbench import content

    for owner in (1000, 1003, 1007):
        df = wb.query("photo_reuse", user_id=owner, max_distance=12)
        via_index = content.similar_photos(user_id=owner, max_distance=12)
        assert sorted(zip(df["other_photo_id"], df["distance"])) == sorted(
            zip(via_index["photo_id"], via_index["distance"])
        )
        assert len(df) >= 3


def test_platform_without_the_integer_hash_gets_a_readable_failure(tmp_path, monkeypatch):
    """Platform data from before photos.phash_int: the query fails with what to do, and the
    failure is audited."""
    import duckdb

    import workbench as wb
    from workbench import config
    from workbench.platform.engine import dispose_all
    from workbench.queries.run import QueryFailed
    from workbench.store import audit

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE photos(photo_id BIGINT, user_id BIGINT, phash VARCHAR, status VARCHAR,"
        " uploaded_at TIMESTAMPTZ)"
    )
    con.close()
    monkeypatch.setenv(config.ENV_HOME, str(tmp_path))
    monkeypatch.setenv(config.ENV_DATA_URL, f"duckdb:///{path}")
    dispose_all()
    config.settings(reload=True)
    try:
        with pytest.raises(QueryFailed, match=r"phash_int.*workbench demo generate") as err:
            wb.query("photo_reuse", user_id=1)
        assert "\n" not in str(err.value)
        assert audit.records().iloc[-1]["outcome"] == "failed"
    finally:
        dispose_all()
        monkeypatch.undo()
        config.settings(reload=True)


# --------------------------------------------------------------------------- the demo's rings


def _planted_groups(ground_truth: dict) -> list[set[int]]:
    """Each planted set of copies of one picture: a ring's photo group (original + copies) or an
    impersonation's (original, copy) pair."""
    groups = []
    for s in ground_truth["scenarios"]:
        d = s.get("details", {})
        if s["kind"] == "romance_scam_ring":
            for g in d.get("photo_groups", []):
                groups.append(
                    {int(g["original_photo_id"])} | {int(c["photo_id"]) for c in g["copies"]}
                )
        elif s["kind"] == "impersonation":
            for p in d.get("photo_pairs", []):
                groups.append({int(p["original_photo_id"]), int(p["copy_photo_id"])})
    return groups


def test_demo_planted_near_duplicates_precision_and_recall(wb_env, ground_truth):
    """Every planted copy is found from every other member of its group (on another account);
    few other photos come back."""
    from workbench import content

    groups = _planted_groups(ground_truth)
    assert len(groups) >= 4, "the demo plants reused photos in its ring and impersonation"
    owner = {
        int(p): int(u)
        for p, u in content.photo_index()[1][["photo_id", "user_id"]].itertuples(index=False)
    }
    expected_pairs = returned_pairs = correct_pairs = 0
    missed = []
    for group in groups:
        for pid in sorted(group):
            expected = {q for q in group if q != pid and owner[q] != owner[pid]}
            got = set(content.similar_photos(photo_id=pid)["photo_id"])
            missed += [(pid, q) for q in expected - got]
            expected_pairs += len(expected)
            returned_pairs += len(got)
            correct_pairs += len(got & expected)
    recall = correct_pairs / expected_pairs
    precision = correct_pairs / returned_pairs
    print(
        f"photo reuse on the demo: recall {recall:.3f}, precision {precision:.3f} "
        f"({expected_pairs} planted pairs, {returned_pairs} returned)"
    )
    assert not missed, missed
    assert precision >= 0.9


def test_linked_accounts_gains_photo_links(wb_env, ground_truth):
    """The impersonator is linked to the real member through the copied photos."""
    import workbench as wb

    sc = next(s for s in ground_truth["scenarios"] if s["kind"] == "impersonation")
    d = sc["details"]
    df = wb.query("linked_accounts", user_id=int(d["impersonator"]), max_hops=1)
    row = df[df["linked_user_id"] == int(d["real_user"])]
    assert len(row) == 1 and "photo" in row["reasons"].iloc[0]


@pytest.mark.postgres
def test_library_query_gives_the_same_answer_on_postgresql(
    _photo_db, pg_url, tmp_path, monkeypatch
):
    import duckdb
    from sqlalchemy import create_engine

    import workbench as wb
    from workbench import config
    from workbench.platform import schema as S
    from workbench.platform.engine import dispose_all
    from workbench.queries.run import QueryFailed

    path, planted = _photo_db
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute("SELECT * FROM photos ORDER BY photo_id").fetchall()
    cols = [d[0] for d in con.description]
    con.close()
    eng = create_engine(pg_url)
    S.photos.create(eng)
    with eng.begin() as conn:
        conn.execute(S.photos.insert(), [dict(zip(cols, r)) for r in rows])
    eng.dispose()

    monkeypatch.setenv(config.ENV_HOME, str(tmp_path))
    results = {}
    from conftest import pg_reader

    for name, url in (("duckdb", f"duckdb:///{path}"), ("postgresql", pg_reader(pg_url))):
        monkeypatch.setenv(config.ENV_DATA_URL, url)
        dispose_all()
        config.settings(reload=True)
        df = wb.query("photo_reuse", user_id=1000, max_distance=12)
        results[name] = sorted(zip(df["photo_id"], df["other_photo_id"], df["distance"]))
        if name == "postgresql":  # this database has photos only: no account_identifiers
            with pytest.raises(QueryFailed, match=r"account_identifiers.*workbench demo generate"):
                wb.query("linked_accounts", user_id=1000)
    dispose_all()
    assert results["duckdb"] == results["postgresql"]
    assert {p for _, p, _ in results["postgresql"]} >= planted[1]
