"""The demo platform: every planted scenario present and consistent with ground_truth.json,
no accidental links between ordinary members, real media, multilingual text, schema, CLI errors.

Runs on the session's ``demo_home`` (conftest: 800 members, seed 7, anchor 2026-11-01)."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

import duckdb
import imagehash
import numpy as np
import pytest

from workbench.platform.schema import TABLES


@pytest.fixture(scope="module")
def db(demo_home):
    con = duckdb.connect(str(demo_home / "platform.duckdb"), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield con
    con.close()


@pytest.fixture(scope="module")
def truth(demo_home) -> dict:
    return json.loads((demo_home / "ground_truth.json").read_text(encoding="utf-8"))


def q(db, sql: str, *params) -> list[tuple]:
    return db.execute(sql, list(params)).fetchall()


def scenario(truth: dict, kind: str) -> dict:
    found = [s for s in truth["scenarios"] if s["kind"] == kind]
    assert len(found) == 1, kind
    return found[0]


def rings(truth: dict) -> list[dict]:
    return [s for s in truth["scenarios"] if s["kind"] == "romance_scam_ring"]


def ring(truth: dict, style: str) -> dict:
    (found,) = [s for s in rings(truth) if s["details"]["style"] == style]
    return found


STYLES = ("linked_every_way", "photos_and_payments", "rotating_devices", "small_template")
CROWDS = ("carrier_nat_ip", "mobile_carrier_ip", "campus_ip", "vpn_exit_ip")


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def identifiers(db) -> dict[tuple[str, str], set[int]]:
    """(kind, value) -> users, for every device, successful-login IP and payment instrument."""
    out: dict[tuple[str, str], set[int]] = {}
    for kind, sql in (
        ("device", "SELECT device_id, user_id FROM devices"),
        ("ip", "SELECT DISTINCT ip, user_id FROM logins WHERE success"),
        ("instrument", "SELECT DISTINCT instrument_fingerprint, user_id FROM payments"),
    ):
        for value, user in q(db, sql):
            out.setdefault((kind, value), set()).add(user)
    return out


def connected(members: list[int], links: list[set[int]]) -> bool:
    seen, todo = {members[0]}, [members[0]]
    while todo:
        u = todo.pop()
        for group in links:
            if u in group:
                for v in group - seen:
                    seen.add(v)
                    todo.append(v)
    return set(members) <= seen


# --------------------------------------------------------------------------- ground truth


def test_ground_truth_shape(truth, db):
    assert (
        truth["seed"] == 7
        and truth["users"] == 800
        and ts(truth["anchor"]) == datetime(2026, 11, 1, tzinfo=UTC)
    )
    kinds = [s["kind"] for s in truth["scenarios"]]
    assert sorted(kinds) == sorted(
        [
            *["romance_scam_ring"] * 4,
            "account_takeover",
            "harassment_campaign",
            "sextortion",
            "impersonation",
            "false_reporting",
            "law_enforcement_request",
            "privacy_request",
        ]
    )
    all_users = {u for (u,) in q(db, "SELECT user_id FROM users")}
    for s in truth["scenarios"]:
        assert s["users"] and set(s["users"]) <= all_users, s["kind"]
        assert isinstance(s["details"], dict)
    assert q(db, "SELECT count(*) FROM users")[0][0] == 800


def test_only_planted_accounts_and_decoys_share_identifiers(db, truth):
    """Ordinary members never share an identifier by chance: whatever is shared belongs to a
    planted group or to a decoy (with the planted accounts that also use a decoy's address)."""
    groups = [set(s["users"]) for s in rings(truth)]
    groups.append(set(scenario(truth, "false_reporting")["details"]["reporters"]))
    groups += [set(d["users"]) | set(d["details"].get("also_planted", [])) for d in truth["decoys"]]
    shared = {k: users for k, users in identifiers(db).items() if len(users) > 1}
    assert shared, "the planted groups share identifiers"
    for (kind, value), users in shared.items():
        assert any(users <= g for g in groups), (kind, value, sorted(users))


def test_decoys_are_present_and_listed(db, truth):
    """Innocent sharing is planted beside the abuse and listed in the ground truth."""
    kinds = [d["kind"] for d in truth["decoys"]]
    assert set(CROWDS) <= set(kinds)
    assert {"family_device", "shared_card", "photographer"} <= set(kinds)
    actors = {u for s in truth["scenarios"] if s["kind"] != "false_reporting" for u in s["users"]}
    actors |= set(scenario(truth, "false_reporting")["details"]["reporters"])
    actors |= {scenario(truth, "false_reporting")["details"]["target"]}
    ids_ = identifiers(db)
    for d in truth["decoys"]:
        users, det = set(d["users"]), d["details"]
        if d["kind"] in CROWDS:
            assert 50 <= len(users) <= 500, d["kind"]
            assert users <= ids_[("ip", det["ip"])]
            assert len(ids_[("ip", det["ip"])]) == len(users) + len(det["also_planted"])
        elif d["kind"] == "family_device":
            assert 3 <= len(users) <= 4 and ids_[("device", det["device_id"])] == users
            assert ids_[("ip", det["ip"])] == users  # the household's Wi-Fi too
        elif d["kind"] == "shared_card":
            assert len(users) == 2
            assert ids_[("instrument", det["instrument_fingerprint"])] == users
        else:  # the photographer's portfolio: copies of clients' photos, nothing else shared
            owners = dict(q(db, "SELECT photo_id, user_id FROM photos"))
            hashes = dict(q(db, "SELECT photo_id, phash FROM photos"))
            assert len(det["clients"]) >= 5
            for p in det["photo_pairs"]:
                assert owners[p["portfolio_photo_id"]] == det["photographer"]
                assert owners[p["client_photo_id"]] == p["client"]
                dist = imagehash.hex_to_hash(
                    hashes[p["portfolio_photo_id"]]
                ) - imagehash.hex_to_hash(hashes[p["client_photo_id"]])
                assert dist == p["distance"] <= 8
        assert not users & actors, d["kind"]  # decoys are ordinary members
    # the rings meet the decoys: their members log in through the VPN exit and a carrier
    vpn = next(d for d in truth["decoys"] if d["kind"] == "vpn_exit_ip")
    assert set(vpn["details"]["also_planted"]) == set(ring(truth, "linked_every_way")["users"])


def test_planted_accounts_are_spread_over_the_ids(db, truth):
    """Ids follow sign-up order; planted accounts are drawn from across the range (as a group
    not in the top 1 %), and a ring is not a contiguous run of ids."""
    n = truth["users"]
    rows = q(db, "SELECT user_id, created_at FROM users ORDER BY user_id")
    created = [t for _, t in rows]
    assert created == sorted(created), "ids follow sign-up order"
    planted = {u for s in rings(truth) for u in s["users"]}
    for kind in ("harassment_campaign", "sextortion", "impersonation"):
        planted |= set(scenario(truth, kind)["users"])
    planted |= set(scenario(truth, "false_reporting")["details"]["reporters"])
    top = sorted(planted, reverse=True)
    assert sum(u > n * 0.99 for u in planted) <= 1, top[:5]
    assert min(planted) < n * 0.5 and np.median(sorted(planted)) < n * 0.95
    for s in rings(truth):
        members = sorted(s["users"])
        span = set(range(members[0], members[-1] + 1))
        assert span - set(members), f"{s['details']['style']} is a contiguous run of ids"
        made = [created[u - 1] for u in members]
        assert max(made) - min(made) <= timedelta(days=7), "a ring's accounts are made in a burst"


def test_account_takeover_in_order(db, truth):
    sc = scenario(truth, "account_takeover")
    d = sc["details"]
    v = d["victim"]
    assert sc["users"] == [v]
    login = q(
        db,
        "SELECT ts, country, device_id, ip, success FROM logins WHERE login_id = ?",
        d["login_id"],
    )[0]
    assert login[4] and login[1] == d["country"] and login[1] != d["home_country"]
    before = q(
        db,
        "SELECT country, device_id FROM logins WHERE user_id = ? AND ts < ? AND login_id <> ALL(?)",
        v,
        login[0],
        d["failed_login_ids"],
    )
    assert len(before) >= 2, "the victim had a normal history"
    assert login[1] not in {c for c, _ in before} and login[2] not in {dv for _, dv in before}
    home = q(db, "SELECT country FROM users WHERE user_id = ?", v)[0][0]
    assert sum(c == home for c, _ in before) >= len(before) * 0.8
    ch = {
        f: q(db, "SELECT ts, field FROM account_changes WHERE change_id = ?", d[f"{f}_change_id"])[
            0
        ]
        for f in ("email", "phone", "password")
    }
    assert all(ch[f][1] == f for f in ch)
    spam = q(
        db,
        "SELECT sent_at, recipient_id, body FROM messages WHERE message_id IN (SELECT unnest(?)) ORDER BY sent_at",
        d["spam_message_ids"],
    )
    assert login[0] < ch["email"][0] < ch["phone"][0] < ch["password"][0] < spam[0][0]
    assert ch["password"][0] - login[0] < timedelta(hours=1)
    assert ts(d["login_at"]) == login[0] and ts(d["email_changed_at"]) == ch["email"][0]
    assert len(spam) >= 20 and len({r for _, r, _ in spam}) == len(spam)
    assert spam[-1][0] - spam[0][0] < timedelta(hours=1)
    stripped = {re.sub(r"https://\S+", "", b) for _, _, b in spam}
    assert len(stripped) == 1 and all("https://" in b for _, _, b in spam)
    pays = q(
        db,
        "SELECT ts, instrument_fingerprint FROM payments WHERE payment_id IN (SELECT unnest(?))",
        d["payment_ids"],
    )
    assert pays and all(t > spam[0][0] and fp == d["instrument_fingerprint"] for t, fp in pays)
    earlier = q(
        db,
        "SELECT count(*) FROM payments WHERE user_id = ? AND instrument_fingerprint = ? AND ts < ?",
        v,
        d["instrument_fingerprint"],
        login[0],
    )[0][0]
    assert earlier == 0
    assert ts(d["login_at"]) > ts(truth["anchor"]) - timedelta(days=21)


def test_harassment_campaign(db, truth):
    d = scenario(truth, "harassment_campaign")["details"]
    h = d["harasser"]
    rows = q(
        db,
        "SELECT recipient_id, sent_at, message_id FROM messages WHERE message_id IN ?",
        d["message_ids"],
    )
    recipients = {r for r, _, _ in rows}
    assert len(recipients) >= 10 and recipients == set(d["victims"])
    assert all(
        s == h
        for (s,) in q(db, "SELECT sender_id FROM messages WHERE message_id IN ?", d["message_ids"])
    )
    times = [t for _, t, _ in rows]
    assert max(times) - min(times) > timedelta(days=2)
    reporters = {
        r
        for (r,) in q(
            db,
            "SELECT reporter_id FROM reports WHERE report_id IN ?",
            d["report_ids"],
        )
    }
    assert len(reporters) >= 4 and reporters <= recipients and reporters == set(d["reporters"])


def test_sextortion(db, truth):
    d = scenario(truth, "sextortion")["details"]
    atts = q(
        db,
        """SELECT a.kind, m.sent_at FROM attachments a JOIN messages m USING (message_id)
                    WHERE a.attachment_id IN (SELECT unnest(?))""",
        d["image_attachment_ids"],
    )
    assert len(atts) == 2 and all(k == "image" for k, _ in atts)
    threats = q(
        db,
        "SELECT sent_at, body, sender_id FROM messages WHERE message_id IN (SELECT unnest(?))",
        d["threat_message_ids"],
    )
    assert threats and all(s == d["perpetrator"] for _, _, s in threats)
    assert max(t for _, t in atts) < min(t for t, _, _ in threats)
    assert any(d["demand"].split()[0] in b for _, b, _ in threats)
    rep = q(
        db, "SELECT reporter_id, reported_user_id FROM reports WHERE report_id = ?", d["report_id"]
    )[0]
    assert rep == (d["victim"], d["perpetrator"])


def test_impersonation(db, truth):
    d = scenario(truth, "impersonation")["details"]
    real, imp = d["real_user"], d["impersonator"]
    (rv, rname), (iv, iname) = (
        q(db, "SELECT verified, display_name FROM users WHERE user_id = ?", u)[0]
        for u in (real, imp)
    )
    assert rv and not iv and rname != iname
    assert difflib.SequenceMatcher(None, rname, iname).ratio() >= 0.8
    hashes = dict(q(db, "SELECT photo_id, phash FROM photos"))
    owners = dict(q(db, "SELECT photo_id, user_id FROM photos"))
    assert len(d["photo_pairs"]) >= 2
    for p in d["photo_pairs"]:
        assert owners[p["original_photo_id"]] == real and owners[p["copy_photo_id"]] == imp
        dist = imagehash.hex_to_hash(hashes[p["original_photo_id"]]) - imagehash.hex_to_hash(
            hashes[p["copy_photo_id"]]
        )
        assert dist <= 10 and dist == p["distance"]
    rep = q(
        db,
        "SELECT reporter_id, reported_user_id, reason FROM reports WHERE report_id = ?",
        d["report_id"],
    )[0]
    assert rep == (real, imp, "impersonation")


def test_false_reporting(db, truth):
    sc = scenario(truth, "false_reporting")
    d = sc["details"]
    target, group = d["target"], d["reporters"]
    assert sc["users"][0] == target and 4 <= len(group) <= 6
    links = [users for users in identifiers(db).values() if len(users) > 1 and users <= set(group)]
    assert connected(group, links)
    reps = q(db, "SELECT reporter_id, created_at FROM reports WHERE reported_user_id = ?", target)
    assert {r for r, _ in reps} == set(group), "only the group ever reported the target"
    times = [t for _, t in reps]
    assert max(times) - min(times) <= timedelta(hours=3) and len(reps) >= 2 * len(group)
    assert ts(d["burst_start"]) == min(times) and ts(d["burst_end"]) == max(times)
    clean = q(db, "SELECT count(*) FROM moderation_actions WHERE user_id = ?", target)[0][0]
    sent = q(db, "SELECT count(*) FROM messages WHERE sender_id = ?", target)[0][0]
    assert clean == 0 and sent >= 3
    assert q(db, "SELECT status FROM users WHERE user_id = ?", target)[0][0] == "active"


def test_intake_requests(db, truth):
    le = scenario(truth, "law_enforcement_request")
    pr = scenario(truth, "privacy_request")
    for sc in (le, pr):
        subject = sc["details"]["subject"]
        assert sc["users"] == [subject]
        assert q(db, "SELECT count(*) FROM messages WHERE sender_id = ?", subject)[0][0] > 0
        assert ts(sc["details"]["received_at"]) < ts(truth["anchor"])
    assert (
        le["details"]["preservation"] is True
        and le["details"]["agency"]
        and le["details"]["case_ref"]
    )
    assert pr["details"]["request_type"] in ("data_access", "deletion")


# --------------------------------------------------------------------------- content


def test_languages_and_scripts(db):
    langs = {
        lg
        for (lg,) in q(
            db, "SELECT DISTINCT u.language FROM messages m JOIN users u ON u.user_id = m.sender_id"
        )
    }
    assert {"en", "es", "pt", "fr", "de", "ja", "ko", "th", "hi", "ur"} <= langs
    scripts = {
        "ur": r"[\u0600-\u06FF]",
        "th": r"[\u0E00-\u0E7F]",
        "ja": r"[\u3040-\u30FF]",
        "ko": r"[\uAC00-\uD7AF]",
        "hi": r"[\u0900-\u097F]",
    }
    for lg, pattern in scripts.items():
        bodies = [
            b
            for (b,) in q(
                db,
                """SELECT body FROM messages m JOIN users u ON u.user_id = m.sender_id
                                         WHERE u.language = ? LIMIT 50""",
                lg,
            )
        ]
        assert bodies and all(re.search(pattern, b) for b in bodies), lg
    emoji = q(
        db, "SELECT count(*) FROM messages WHERE regexp_matches(body, '[\\x{1F300}-\\x{1FAFF}]')"
    )[0][0]
    assert emoji > 0
    names = [
        n
        for (n,) in q(
            db, "SELECT display_name FROM users WHERE language IN ('ja', 'ko', 'th', 'hi', 'ur')"
        )
    ]
    assert names and all(not n.isascii() for n in names)


def test_contact_details_are_plausible_and_reserved(db):
    import phonenumbers

    rows = q(db, "SELECT email, phone, country FROM users")
    assert all(
        e.rsplit("@", 1)[1] in ("example.com", "example.org", "example.net") for e, _, _ in rows
    )
    phones = [(p, c) for _, p, c in rows if p]
    assert len(phones) > len(rows) * 0.8
    for p, _ in phones:
        assert re.fullmatch(r"\+[1-9]\d{7,14}", p), p
        assert phonenumbers.is_possible_number(phonenumbers.parse(p)), p
    # ordinary members' numbers belong to their country (the takeover changed one on purpose)
    same = [phonenumbers.region_code_for_number(phonenumbers.parse(p)) == c for p, c in phones]
    assert sum(same) >= len(phones) - 2
    verified = q(db, "SELECT avg(verified::INT) FROM users")[0][0]
    assert 0.005 < verified < 0.1


def test_times_are_utc_and_anchored(db, truth):
    anchor = ts(truth["anchor"])
    types = dict(
        q(
            db,
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'messages'",
        )
    )
    assert types["sent_at"] == "TIMESTAMP WITH TIME ZONE"
    lo, hi = q(db, "SELECT min(sent_at), max(sent_at) FROM messages")[0]
    assert hi < anchor and lo >= anchor - timedelta(days=181)
    for t in TABLES:
        for c in t.columns:
            if (
                "TIMESTAMP" in str(c.type.compile()).upper()
                or c.type.__class__.__name__ == "DateTime"
            ):
                late = q(db, f'SELECT count(*) FROM "{t.name}" WHERE "{c.name}" >= ?', anchor)[0][0]
                if c.name != "expires_at":  # a suspension may run past the anchor
                    assert late == 0, (t.name, c.name)


def test_schema_matches_metadata_and_ids_are_unique(db):
    for t in TABLES:
        cols = [
            c
            for (c,) in q(
                db,
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position",
                t.name,
            )
        ]
        assert cols == [c.name for c in t.columns], t.name
        n = q(db, f'SELECT count(*) FROM "{t.name}"')[0][0]
        assert n > 0, f"{t.name} is empty"
        pk = ", ".join(c.name for c in t.primary_key.columns)
        assert q(db, f'SELECT count(DISTINCT ({pk})) FROM "{t.name}"')[0][0] == n, t.name
    refs = q(
        db,
        """SELECT (SELECT count(*) FROM messages m LEFT JOIN users u ON u.user_id = m.sender_id WHERE u.user_id IS NULL),
                           (SELECT count(*) FROM attachments a LEFT JOIN messages m USING (message_id) WHERE m.message_id IS NULL),
                           (SELECT count(*) FROM appeals p LEFT JOIN moderation_actions a USING (action_id) WHERE a.action_id IS NULL),
                           (SELECT count(*) FROM messages WHERE sender_id = recipient_id)""",
    )[0]
    assert refs == (0, 0, 0, 0)
    assert (
        q(db, "SELECT count(*) FROM messages WHERE has_media")[0][0]
        == q(db, "SELECT count(*) FROM attachments")[0][0]
    )


# --------------------------------------------------------------------------- media


def test_media_files_match_the_tables(db, demo_home):
    media = demo_home / "media"
    for path, size, sha, kind, _mtype in q(
        db, "SELECT DISTINCT path, size_bytes, sha256, kind, media_type FROM attachments"
    ):
        data = (media / path).read_bytes()
        assert len(data) == size and hashlib.sha256(data).hexdigest() == sha, path
        magic = {"image": b"\xff\xd8", "audio": b"RIFF", "video": b"\x1a\x45\xdf\xa3"}[kind]
        assert data.startswith(magic) or (kind == "video" and data.startswith(b"RIFF")), (
            kind,
            path,
        )
    kinds = {k for (k,) in q(db, "SELECT DISTINCT kind FROM attachments")}
    assert kinds == {"image", "audio", "video"}
    photos = q(db, "SELECT path, phash FROM photos WHERE path IS NOT NULL ORDER BY photo_id")
    assert (
        photos and q(db, "SELECT count(*) FROM photos WHERE path IS NULL")[0][0] == 0
    )  # all rendered at this size
    from PIL import Image

    for path, h in photos[:: max(1, len(photos) // 40)]:
        with Image.open(media / path) as im:
            assert im.format == "JPEG" and str(imagehash.phash(im)) == h


def test_every_hash_has_its_integer_form(db):
    """photos.phash_int holds phash's 64 bits (signed), so SQL's bit_count(xor()) is the distance."""
    from workbench.content.photo_reuse import signed_int64

    rows = q(db, "SELECT phash, phash_int FROM photos ORDER BY photo_id")
    assert rows and all(signed_int64(h) == v for h, v in rows)
    assert any(v < 0 for _, v in rows)  # a phash's first bit (the DC term) is nearly always set
    (h1, v1), (h2, v2) = rows[0], rows[1]
    expected = bin(int(h1, 16) ^ int(h2, 16)).count("1")
    assert (
        q(db, "SELECT bit_count(xor(CAST(? AS BIGINT), CAST(? AS BIGINT)))", v1, v2)[0][0]
        == expected
    )


def test_account_identifiers_hold_every_identifier_numbered_by_value(db, truth):
    held = set(
        q(
            db,
            "SELECT user_id, 'device', device_id FROM devices UNION "
            "SELECT user_id, 'ip', ip FROM logins WHERE success UNION "
            "SELECT user_id, 'payment_instrument', instrument_fingerprint FROM payments",
        )
    )
    rows = q(db, "SELECT user_id, kind, value, identifier_id, holders FROM account_identifiers")
    assert {(u, k, v) for u, k, v, _, _ in rows} == held and len(rows) == len(held)
    number: dict[tuple[str, str], int] = {}
    holders: dict[tuple[str, str], int] = {}
    for _, k, v, i, _h in rows:
        assert number.setdefault((k, v), i) == i  # one number per identifier ...
        holders[(k, v)] = holders.get((k, v), 0) + 1
    assert len(set(number.values())) == len(number)  # ... and one identifier per number
    assert all(h == holders[(k, v)] for _, k, v, _, h in rows)  # how many accounts hold it
    ring = rings(truth)[0]["details"]["members"]
    shared = q(
        db,
        "SELECT identifier_id FROM account_identifiers WHERE user_id IN ? "
        "GROUP BY identifier_id HAVING count(*) > 1",
        ring,
    )
    assert shared, "the ring's members share identifiers"


def test_ordinary_photos_are_far_apart(db, truth):
    copied = [u for s in rings(truth) for u in s["users"]]
    copied.append(scenario(truth, "impersonation")["details"]["impersonator"])
    copied += next(d for d in truth["decoys"] if d["kind"] == "photographer")["users"]
    rows = q(
        db,
        "SELECT phash FROM photos WHERE user_id <> ALL(?) ORDER BY photo_id LIMIT 300",
        copied,
    )
    hs = [imagehash.hex_to_hash(h) for (h,) in rows]
    d = np.array([a - b for a, b in combinations(hs, 2)])
    assert (d > 20).mean() > 0.95 and np.median(d) >= 28


# --------------------------------------------------------------------------- CLI


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--users", "abc"], "--users"),
        (["--users", "10"], "users must be"),
        (["--users", "-5"], "users must be"),
        (["--anchor", "2026-13-45"], "--anchor"),
        (["--seed", "x"], "--seed"),
    ],
)
def test_cli_bad_arguments_give_one_line(tmp_path, capsys, args, needle):
    from workbench.cli import main

    code = main(["demo", "generate", "--home", str(tmp_path / "h"), "--no-progress", *args])
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code != 0 and len(lines) == 1 and needle in lines[0] and "Traceback" not in err, err
    assert not (tmp_path / "h" / "platform.duckdb").exists()


def test_cli_unwritable_home(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = _cli(
        "demo", "generate", "--home", str(blocker / "home"), "--users", "300", "--no-progress"
    )
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert (
        res.returncode != 0
        and len(lines) == 1
        and "cannot write" in lines[0]
        and "Traceback" not in res.stderr
    )


def test_cli_load_without_platform(tmp_path, capsys):
    from workbench.cli import main

    code = main(
        ["demo", "load", "--url", "postgresql://nobody@127.0.0.1:1/none", "--home", str(tmp_path)]
    )
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code != 0 and len(lines) == 1 and "no demo platform" in lines[0]


def test_an_older_demo_is_named_outdated(tmp_path, demo_home):
    from workbench.demo.generate import GENERATOR_VERSION, outdated

    assert outdated(demo_home) is None  # just generated
    assert outdated(tmp_path) is None  # no demo at all: nothing to say
    (tmp_path / "ground_truth.json").write_text(
        json.dumps(
            {"generator_version": 1, "seed": 11, "users": 20000, "anchor": "2026-10-01T00:00:00Z"}
        )
    )
    msg = outdated(tmp_path)
    assert msg and f"version {GENERATOR_VERSION}" in msg
    # rebuilt with the same seed, size and anchor: the same members, so filed cases still fit
    assert "workbench demo generate" in msg and "--seed 11 --users 20000 --anchor 2026-10-01" in msg


def test_api_rejects_bad_arguments(tmp_path):
    from workbench.demo.generate import generate_demo
    from workbench.errors import InputError

    for kw in ({"users": 5}, {"users": True}, {"seed": -1}, {"anchor": "2026-01-01"}):
        with pytest.raises(InputError):
            generate_demo(tmp_path, **kw)


def test_schema_doc_covers_every_column():
    doc = (Path(__file__).resolve().parent.parent / "queries" / "SCHEMA.md").read_text(
        encoding="utf-8"
    )
    for t in TABLES:
        assert f"### `{t.name}`" in doc, t.name
        section = doc.split(f"### `{t.name}`", 1)[1].split("### ", 1)[0]
        for c in t.columns:
            line = next(
                (ln for ln in section.splitlines() if ln.startswith(f"| `{c.name}` |")), None
            )
            assert line, (t.name, c.name)
            if c.info.get("special_category"):
                assert "special category" in line, (t.name, c.name)
            elif c.info.get("pii"):
                assert "PII" in line, (t.name, c.name)
    assert "UTC" in doc and "remote image store, hashes only" in doc
