"""Planted scenarios: the abuse an investigator should find, written on top of ordinary activity.

The actors (scam ring, harasser, sextortionist, impersonator, false reporters) are the last
``N_ACTORS`` user ids; everything they do is scripted here. Victims, targets and request
subjects are ordinary members picked after the ordinary data is loaded, by SQL over it (active,
with history, photos rendered, and for the mass-reported member: never reported, never sanctioned).

Each scenario returns ``{"kind", "users", "details"}`` for ``ground_truth.json``; the details
carry the ids tests and investigators need (shared identifiers, message/report/login ids, times).
Times in the details are ISO 8601 UTC; most planted activity happens in the last three weeks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import imagehash
import numpy as np
import pyarrow as pa

from workbench.demo import ids, text
from workbench.demo.media import PhotoJob, jpeg_bytes, phash_hex, sha256_hex
from workbench.demo.ordinary import (
    DAY,
    HOUR,
    LANG_INDEX,
    MINUTE,
    RENDER_LIMIT,
    SECOND,
    Counters,
    Ordinary,
    Population,
    Sink,
    stream,
)
from workbench.demo.people import BY_CODE, COUNTRIES, DEVICES, HOSTILE
from workbench.demo.rows import Rows

RING, HARASSER, SEXTORTION, IMPERSONATOR, FALSE_REPORTERS = 6, 1, 1, 1, 5
N_ACTORS = RING + HARASSER + SEXTORTION + IMPERSONATOR + FALSE_REPORTERS
NEAR_DUP_MAX = 8  # planted copies are kept within this many bits of their original
SIBLING_MAX = 10  # ... and of each other copy of the same picture
TRANSFORMS = ("reencode", "crop", "resize")
COUNTRY_INDEX = {c.code: i for i, c in enumerate(COUNTRIES)}
ACTOR_COUNTRIES = [
    "US",
    "GB",
    "DE",
    "US",
    "FR",
    "ES",  # ring (claimed homes)
    "GB",  # harasser
    "US",  # sextortionist
    None,  # impersonator: copies the real member
    "BR",
    "BR",
    "BR",
    "BR",
    "BR",
]  # false reporters: one friend group


def cast_actors(pop: Population, n_ord: int, seed: int) -> None:
    """Give the actors (indices ``n_ord..``) their countries, languages and recent sign-ups."""
    rng = stream(seed, 0xACE)
    for k, code in enumerate(ACTOR_COUNTRIES):
        i = n_ord + k
        if code is not None:
            pop.country[i] = COUNTRY_INDEX[code]
            pop.lang[i] = LANG_INDEX[BY_CODE[code].language]
        pop.created[i] = -int(rng.integers(25 * DAY, 60 * DAY))


class Planter:
    """Writes every planted scenario; ``plant()`` returns the ground-truth entries."""

    def __init__(
        self,
        con,
        sink: Sink,
        seed: int,
        pop: Population,
        n_ord: int,
        ordinary: Ordinary,
        counters: Counters,
        anchor: datetime,
        anchor_us: int,
        media_root: Path,
    ) -> None:
        self.con, self.sink, self.seed, self.pop, self.n_ord, self.o = (
            con,
            sink,
            seed,
            pop,
            n_ord,
            ordinary,
        )
        self.ids, self.anchor, self.anchor_us, self.media_root = (
            counters,
            anchor,
            anchor_us,
            media_root,
        )
        self.rng = stream(seed, 0x5CE)
        self.rows = Rows(anchor_us)
        self.used: set[int] = set()
        self.actor_slot = 0  # extra identifier slots for shared/attacker values
        self.k_shared = ids.mix64(np.array([seed], dtype=np.uint64), 0x5AAD)[0]
        self.photo_hash: dict[int, str] = {}
        self.attachments: list[tuple[str, bytes]] = []

    # ------------------------------------------------------------------ small helpers
    def iso(self, off: int) -> str:
        return (self.anchor + timedelta(microseconds=int(off))).isoformat().replace("+00:00", "Z")

    def uid(self, idx: int) -> int:
        return int(idx) + 1

    def actor(self, k: int) -> int:
        """User index of actor ``k``."""
        return self.n_ord + k

    def lang(self, idx: int) -> str:
        return text.LANGUAGES[int(self.pop.lang[idx])]

    def pick(self, lines: tuple[str, ...], **fmt) -> str:
        return lines[int(self.rng.integers(0, len(lines)))].format(**fmt)

    def new_id(self, name: str) -> int:
        return int(self.ids.take(name, 1)[0])

    def shared_device(self) -> str:
        """A device id nobody ordinary can have (slots beyond every member's)."""
        self.actor_slot += 1
        return ids.hex_ids(np.array([2**40 + self.actor_slot], dtype=np.uint64), self.o.k_dev)[
            0
        ].as_py()

    def hostile_ip(self, code: str) -> str:
        octet = dict(HOSTILE)[code]
        self.actor_slot += 1
        return ids.ipv4(np.array([self.actor_slot]), np.array([octet]), self.o.k_ip)[0].as_py()

    def own_device(self, idx: int, slot: int = 0) -> str:
        return self.o.device_ids(np.array([idx]), np.array([slot]))[0].as_py()

    def own_ip(self, idx: int, slot: int = 0) -> str:
        u, s = np.array([idx]), np.array([slot])
        return self.o.ips(u, s, self.o.home_octets(self.rng, u, s))[0].as_py()

    def instrument(self) -> str:
        self.actor_slot += 1
        return ids.hex_ids(np.array([2**41 + self.actor_slot], dtype=np.uint64), self.o.k_pay)[
            0
        ].as_py()

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def ordinary_pool(self, *, clean: bool = False, min_sent: int = 3) -> list[int]:
        """Active members (user ids) with rendered photos, some history and (``clean``) no
        reports or sanctions, in id order."""
        limit = min(self.n_ord, RENDER_LIMIT)
        cond = ""
        if clean:
            cond = """AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.reported_user_id = u.user_id)
                      AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.reporter_id = u.user_id)
                      AND NOT EXISTS (SELECT 1 FROM moderation_actions a WHERE a.user_id = u.user_id)"""
        rows = self.query(
            f"""
            WITH sent AS (SELECT sender_id, count(*) AS n FROM messages WHERE sender_id <= {limit}
                          GROUP BY sender_id)
            SELECT u.user_id FROM users u JOIN sent s ON s.sender_id = u.user_id
            WHERE u.user_id <= {limit} AND u.status = 'active' AND s.n >= {min_sent}
              AND u.created_at < ?::TIMESTAMPTZ - INTERVAL 40 DAY {cond}
            ORDER BY u.user_id""",
            [self.anchor],
        )
        return [r[0] for r in rows]

    def choose(self, pool: list[int], k: int = 1, *, lang: str | None = None) -> list[int]:
        """``k`` unused members from ``pool`` (user ids), preferring language ``lang``."""
        order = [pool[i] for i in self.rng.permutation(len(pool))]
        free = [u for u in order if u not in self.used]
        if lang is not None:
            free = [u for u in free if self.lang(u - 1) == lang] + [
                u for u in free if self.lang(u - 1) != lang
            ]
        if len(free) < k:
            raise RuntimeError("too few members to plant the scenarios; generate more users")
        out = free[:k]
        self.used.update(out)
        return out

    def message(
        self, conv: int, sender: int, recipient: int, at: int, body: str, *, media: bool = False
    ) -> int:
        mid = self.new_id("message")
        self.rows.add(
            "messages",
            message_id=mid,
            conversation_id=conv,
            sender_id=sender,
            recipient_id=recipient,
            sent_at=at,
            body=body,
            has_media=media,
        )
        return mid

    def report(
        self,
        reporter: int,
        reported: int,
        at: int,
        reason: str,
        message_id: int | None,
        free_text: str | None,
    ) -> int:
        rid = self.new_id("report")
        self.rows.add(
            "reports",
            report_id=rid,
            reporter_id=reporter,
            reported_user_id=reported,
            message_id=message_id,
            reason=reason,
            free_text=free_text,
            created_at=at,
        )
        return rid

    def login(
        self,
        user: int,
        at: int,
        ip: str,
        device: str,
        country: str,
        city: str | None,
        success: bool = True,
        model: int = 0,
    ) -> int:
        lid = self.new_id("login")
        self.rows.add(
            "logins",
            login_id=lid,
            user_id=user,
            ts=at,
            ip=ip,
            device_id=device,
            country=country,
            city=city,
            user_agent=DEVICES[model][2],
            success=success,
        )
        return lid

    def device(self, device_id: str, user: int, model: int, first: int, last: int) -> None:
        self.rows.add(
            "devices",
            device_id=device_id,
            user_id=user,
            os=DEVICES[model][0],
            model=DEVICES[model][1],
            first_seen=first,
            last_seen=last,
        )

    def payment(
        self,
        user: int,
        at: int,
        amount: float,
        currency: str,
        fp: str,
        status: str,
        product: str = "boost",
        kind: str = "card",
    ) -> int:
        pid = self.new_id("payment")
        self.rows.add(
            "payments",
            payment_id=pid,
            user_id=user,
            ts=at,
            amount=amount,
            currency=currency,
            instrument_fingerprint=fp,
            instrument_type=kind,
            product=product,
            status=status,
        )
        return pid

    def photo(self, user: int, job: PhotoJob, at: int, primary: bool) -> int:
        """Render one planted photo now (a handful) and add its row; returns the photo id."""
        pid = self.new_id("photo")
        rel = f"photos/{user // 1000:04d}/{pid}.jpg"
        job = PhotoJob(rel, job.seed, job.transform, job.tweak)
        data = jpeg_bytes(job)
        path = self.media_root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        h = phash_hex(path)
        self.photo_hash[pid] = h
        from PIL import Image

        with Image.open(path) as im:
            w, hgt = im.size
        self.rows.add(
            "photos",
            photo_id=pid,
            user_id=user,
            path=rel,
            uploaded_at=at,
            width=w,
            height=hgt,
            phash=h,
            is_primary=primary,
            status="active",
        )
        return pid

    def near_duplicate(
        self,
        seed: int,
        user: int,
        at: int,
        primary: bool,
        transform: str,
        original_hash: str,
        siblings: list[str] = (),
    ) -> tuple[int, int]:
        """A modified copy of picture ``seed`` within NEAR_DUP_MAX bits of the original and within
        SIBLING_MAX bits of the other copies (so any copy finds all the others)."""
        base = imagehash.hex_to_hash(original_hash)
        others = [imagehash.hex_to_hash(h) for h in siblings]
        for tweak in range(int(self.rng.integers(1, 2**30)), 2**31):
            cand = imagehash.hex_to_hash(
                phash_hex(jpeg_bytes(PhotoJob("", seed, transform, tweak)))
            )
            dist = int(base - cand)
            if dist <= NEAR_DUP_MAX and all(int(o - cand) <= SIBLING_MAX for o in others):
                pid = self.photo(user, PhotoJob("", seed, transform, tweak), at, primary)
                return pid, dist
        raise AssertionError("unreachable")

    def attachment(self, mid: int, seed: int) -> int:
        data = jpeg_bytes(PhotoJob("", seed))
        sha = sha256_hex(data)
        rel = f"attachments/{sha[:2]}/{sha}.jpg"
        self.attachments.append((rel, data))
        aid = self.new_id("attachment")
        self.rows.add(
            "attachments",
            attachment_id=aid,
            message_id=mid,
            kind="image",
            path=rel,
            media_type="image/jpeg",
            size_bytes=len(data),
            sha256=sha,
        )
        return aid

    def times(self, start: int, n: int, lo_gap: int, hi_gap: int) -> list[int]:
        out, t = [], start
        for _ in range(n):
            out.append(t)
            t += int(self.rng.integers(lo_gap, hi_gap))
        return out

    def actor_background(
        self, idx: int, ip: str, device: str, country: str, model: int, n: int = 6
    ) -> None:
        """Sign-up-to-now logins for an actor on the given device and IP."""
        uid = self.uid(idx)
        created = int(self.pop.created[idx])
        ts = sorted(
            int(created + HOUR + self.rng.random() * (-DAY - created - HOUR)) for _ in range(n)
        )
        for t in ts:
            self.login(uid, t, ip, device, country, None, model=model)

    # ------------------------------------------------------------------ scenarios
    def plant(self) -> list[dict]:
        """Write every scenario's rows; returns the ground-truth entries, in a fixed order."""
        self.actor_rows()
        pool = self.ordinary_pool()
        clean = self.ordinary_pool(clean=True)
        out = [
            self.romance_scam_ring(pool),
            self.account_takeover(clean),
            self.harassment_campaign(pool),
            self.sextortion(pool),
            self.impersonation(pool),
            self.false_reporting(clean),
            self.law_enforcement_request(pool),
            self.privacy_request(pool),
        ]
        self.rows.flush(self.sink)
        return out

    def actor_rows(self) -> None:
        """Users and profiles of the actors, from the ordinary generator, then adjusted."""
        idx = np.arange(self.n_ord, self.n_ord + N_ACTORS)
        status = np.array(["active"] * N_ACTORS, dtype=object)
        users = self.o.users_table(0xAC7, idx, status)
        prof = self.o.profiles_table(0xAC7, idx)
        users = users.set_column(
            users.schema.get_field_index("verified"), "verified", pa.array([False] * N_ACTORS)
        )
        self.sink("users", users)
        self.sink("profiles", prof)

    def romance_scam_ring(self, pool: list[int]) -> dict:
        members = [self.actor(k) for k in range(RING)]
        uids = [self.uid(m) for m in members]
        devices = [self.shared_device() for _ in range(3)]
        ips = [self.hostile_ip("NG"), self.hostile_ip("GH"), self.hostile_ip("NG")]
        fps = [self.instrument(), self.instrument()]
        # who shares what: every member shares something with another, and the ring is connected
        dev_of = {0: [0, 2], 1: [0], 2: [0, 1], 3: [1], 4: [2], 5: [2]}
        ip_of = {0: [0], 1: [1], 2: [1], 3: [0], 4: [1, 2], 5: [0, 2]}
        fp_of = {0: [0], 1: [0], 2: [0], 3: [1], 4: [1], 5: [0]}
        ip_country = ["NG", "GH", "NG"]
        for k, m in enumerate(members):
            model = k % len(DEVICES)
            created = int(self.pop.created[m])
            for d in dev_of[k]:
                self.device(devices[d], uids[k], model, created + HOUR, -DAY)
            for d in dev_of[k]:
                for i in ip_of[k]:
                    self.actor_background(m, ips[i], devices[d], ip_country[i], model, n=3)
            for f in fp_of[k]:
                self.payment(uids[k], created + 2 * DAY, 4.99, "USD", fps[f], "succeeded")
        self.payment(uids[4], -12 * DAY, 59.99, "USD", fps[1], "chargeback", product="premium_6m")
        # an earlier automated warning on one member, appealed and still pending
        warned_at = -int(self.rng.integers(15 * DAY, 20 * DAY))
        action_id = self.new_id("action")
        self.rows.add(
            "moderation_actions",
            action_id=action_id,
            user_id=uids[2],
            ts=warned_at,
            action="warning",
            clause="scams_fraud",
            reason="Automated: off-platform payment request detected.",
            actor="automated",
            message_id=None,
            expires_at=None,
        )
        appeal_id = self.new_id("appeal")
        self.rows.add(
            "appeals",
            appeal_id=appeal_id,
            user_id=uids[2],
            action_id=action_id,
            created_at=warned_at + 3 * HOUR,
            text=text.APPEAL_TEXT["en"][0],
            status="pending",
            decided_at=None,
        )
        # one stolen photo set: the originals on member 0, modified copies across the others
        seeds = [int(s) for s in self.rng.integers(0, 2**62, 3)]
        groups = []
        originals = []
        for j, s in enumerate(seeds):
            pid = self.photo(
                uids[0],
                PhotoJob("", s),
                int(self.pop.created[members[0]]) + HOUR + j * 7 * MINUTE,
                j == 0,
            )
            originals.append(pid)
            groups.append({"original_photo_id": pid, "copies": []})
        for k in range(1, RING):
            for j in ((k - 1) % 3, k % 3):
                tr = TRANSFORMS[(k + j) % 3]
                siblings = [self.photo_hash[c["photo_id"]] for c in groups[j]["copies"]]
                cp, dist = self.near_duplicate(
                    seeds[j],
                    uids[k],
                    int(self.pop.created[members[k]]) + HOUR,
                    j == (k - 1) % 3,
                    tr,
                    self.photo_hash[originals[j]],
                    siblings,
                )
                groups[j]["copies"].append(
                    {"photo_id": cp, "user_id": uids[k], "transform": tr, "distance": dist}
                )
        # scripted conversations with victims in their own languages
        langs = ["en", "es", "pt", "fr", "de", "ja", "ko", "th"]
        victims = [self.choose(pool, lang=lg)[0] for lg in langs]
        convs, msg_ids = [], {"opener": [], "off_platform": [], "gift_card": [], "crypto": []}
        report_ids, reporters = [], []
        for v_i, victim in enumerate(victims):
            k = v_i % RING
            scammer = uids[k]
            lg = self.lang(victim - 1)
            conv = self.new_id("conversation")
            t = -int(self.rng.integers(8 * DAY, 20 * DAY))
            at = self.times(t, 8, 20 * MINUTE, 10 * HOUR)
            app = self.pick(text.APPS[lg])
            ask = "gift_card" if v_i % 2 == 0 else "crypto"
            amount = "200 USD" if ask == "gift_card" else "500 USDT"
            script = [
                (scammer, text.ROMANCE_OPENER[lg][0], "opener"),
                (victim, self.pick(text.ORDINARY[lg]), None),
                (scammer, text.ROMANCE_OPENER[lg][1], "opener"),
                (victim, self.pick(text.ORDINARY[lg]), None),
                (scammer, self.pick(text.OFF_PLATFORM[lg], app=app), "off_platform"),
                (victim, self.pick(text.ORDINARY[lg]), None),
                (
                    scammer,
                    self.pick(
                        text.GIFT_CARD[lg] if ask == "gift_card" else text.CRYPTO[lg], amount=amount
                    ),
                    ask,
                ),
                (victim, self.pick(text.ORDINARY[lg]), None),
            ]
            ask_id = None
            for (sender, body, tag), when in zip(script, at):
                rcpt = victim if sender == scammer else scammer
                mid = self.message(conv, sender, rcpt, when, body)
                if tag:
                    msg_ids[tag].append(mid)
                if tag == ask:
                    ask_id = mid
            convs.append(
                {
                    "conversation_id": conv,
                    "member": scammer,
                    "victim": victim,
                    "language": lg,
                    "ask": ask,
                }
            )
            if v_i % 3 != 2:  # most victims report, not all
                rid = self.report(
                    victim,
                    scammer,
                    at[-1] + int(self.rng.integers(HOUR, DAY)),
                    "scam",
                    ask_id,
                    text.REPORT_TEXT[lg]["scam"],
                )
                report_ids.append(rid)
                reporters.append(victim)
        return {
            "kind": "romance_scam_ring",
            "users": uids,
            "details": {
                "members": uids,
                "victims": victims,
                "reporters": reporters,
                "report_ids": report_ids,
                "shared_devices": devices,
                "shared_ips": ips,
                "shared_instruments": fps,
                "links": {
                    str(uids[k]): {
                        "devices": [devices[d] for d in dev_of[k]],
                        "ips": [ips[i] for i in ip_of[k]],
                        "instruments": [fps[f] for f in fp_of[k]],
                    }
                    for k in range(RING)
                },
                "photo_groups": groups,
                "conversations": convs,
                "message_ids": msg_ids,
                "moderation_action_ids": [action_id],
                "appeal_ids": [appeal_id],
                "languages": sorted({c["language"] for c in convs}),
            },
        }

    def account_takeover(self, clean: list[int]) -> dict:
        victim = self.choose(clean)[0]
        v = victim - 1
        home = COUNTRIES[int(self.pop.country[v])].code
        seen = {
            r[0]
            for r in self.query("SELECT DISTINCT country FROM logins WHERE user_id = ?", [victim])
        }
        country = next(c for c, _ in HOSTILE if c not in seen and c != home)
        ip, device = self.hostile_ip(country), self.shared_device()
        email, phone = self.query("SELECT email, phone FROM users WHERE user_id = ?", [victim])[0]
        t0 = -int(self.rng.integers(3 * DAY, 10 * DAY))
        failed = [
            self.login(victim, t0 - 20 * MINUTE, ip, device, country, None, False, 5),
            self.login(victim, t0 - 12 * MINUTE, ip, device, country, None, False, 5),
        ]
        login_id = self.login(victim, t0, ip, device, country, None, True, 5)
        self.device(device, victim, 5, t0 - 20 * MINUTE, t0 + 2 * HOUR)
        t_email = t0 + int(self.rng.integers(5, 15)) * MINUTE
        t_phone = t0 + int(self.rng.integers(16, 28)) * MINUTE
        t_pass = t0 + int(self.rng.integers(30, 45)) * MINUTE
        new_email = f"recover.{int(self.rng.integers(10000, 99999))}@example.org"
        new_phone = f"+849{int(self.rng.integers(10_000_000, 99_999_999))}"
        changes = {}
        for field, at, old, new in (
            ("email", t_email, email, new_email),
            ("phone", t_phone, phone, new_phone),
            ("password", t_pass, None, None),
        ):
            cid = self.new_id("change")
            self.rows.add(
                "account_changes",
                change_id=cid,
                user_id=victim,
                ts=at,
                field=field,
                old_value=old,
                new_value=new,
                ip=ip,
                device_id=device,
            )
            changes[field] = (cid, at)
        self.con.execute(
            "UPDATE users SET email = ?, phone = ? WHERE user_id = ?",
            [new_email, new_phone, victim],
        )
        # spam burst: near-identical messages with a link, to many, minutes apart
        partners = [
            r[0]
            for r in self.query(
                """SELECT DISTINCT recipient_id FROM messages WHERE sender_id = ? ORDER BY recipient_id""",
                [victim],
            )
        ]
        others = [u for u in self.ordinary_pool(min_sent=1) if u != victim and u not in partners]
        extra = [others[i] for i in self.rng.permutation(len(others))[: max(0, 40 - len(partners))]]
        recipients = (partners + extra)[:40]
        lg = self.lang(v)
        t_spam = t0 + int(self.rng.integers(50, 58)) * MINUTE
        spam_ids = []
        t = t_spam
        for r in recipients:
            code = "".join(
                "abcdefghjkmnpqrstuvwxyz23456789"[int(x)] for x in self.rng.integers(0, 31, 6)
            )
            body = text.SPAM[lg][0].format(link=f"https://usdt-bonus.example.net/r/{code}")
            spam_ids.append(self.message(self.new_id("conversation"), victim, r, t, body))
            t += int(self.rng.integers(8, 40)) * SECOND
        report_ids = []
        for r, mid in list(zip(recipients, spam_ids))[:: max(1, len(recipients) // 3)][:3]:
            rl = self.lang(r - 1)
            report_ids.append(
                self.report(
                    r,
                    victim,
                    t + int(self.rng.integers(HOUR // 2, 6 * HOUR)),
                    "spam",
                    mid,
                    text.REPORT_TEXT[rl]["spam"],
                )
            )
        fp = self.instrument()
        cur = COUNTRIES[int(self.pop.country[v])].currency
        pays = [
            self.payment(victim, t + 25 * MINUTE, 89.99, "USD", fp, "succeeded", "premium_12m"),
            self.payment(victim, t + 40 * MINUTE, 59.99, "USD", fp, "chargeback", "premium_6m"),
        ]
        return {
            "kind": "account_takeover",
            "users": [victim],
            "details": {
                "victim": victim,
                "home_country": home,
                "currency": cur,
                "login_id": login_id,
                "login_at": self.iso(t0),
                "country": country,
                "ip": ip,
                "device_id": device,
                "failed_login_ids": failed,
                "email_change_id": changes["email"][0],
                "email_changed_at": self.iso(t_email),
                "phone_change_id": changes["phone"][0],
                "phone_changed_at": self.iso(t_phone),
                "password_change_id": changes["password"][0],
                "password_changed_at": self.iso(t_pass),
                "spam_message_ids": spam_ids,
                "spam_recipients": recipients,
                "spam_started_at": self.iso(t_spam),
                "spam_ended_at": self.iso(t),
                "spam_report_ids": report_ids,
                "payment_ids": pays,
                "instrument_fingerprint": fp,
            },
        }

    def harassment_campaign(self, pool: list[int]) -> dict:
        h_idx = self.actor(RING)
        harasser = self.uid(h_idx)
        ip, device = self.own_ip(h_idx), self.own_device(h_idx)
        self.device(device, harasser, 2, int(self.pop.created[h_idx]) + HOUR, -DAY)
        self.actor_background(h_idx, ip, device, "GB", 2, n=10)
        self.photo(
            harasser,
            PhotoJob("", int(self.rng.integers(0, 2**62))),
            int(self.pop.created[h_idx]) + HOUR,
            True,
        )
        victims = self.choose(pool, 12)
        start = -int(self.rng.integers(14 * DAY, 18 * DAY))
        msg_ids, first_to = [], {}
        times_all = []
        for j, v in enumerate(victims):
            lg = self.lang(v - 1)
            conv = self.new_id("conversation")
            t = start + j * int(self.rng.integers(6 * HOUR, 14 * HOUR))
            for _n in range(int(self.rng.integers(2, 4))):
                mid = self.message(conv, harasser, v, t, self.pick(text.HARASSMENT[lg]))
                msg_ids.append(mid)
                first_to.setdefault(v, (mid, t))
                times_all.append(t)
                t += int(self.rng.integers(20 * MINUTE, 8 * HOUR))
        reporters = victims[1::2][:5]
        report_ids = []
        for v in reporters:
            mid, t = first_to[v]
            report_ids.append(
                self.report(
                    v,
                    harasser,
                    t + int(self.rng.integers(30 * MINUTE, 20 * HOUR)),
                    "harassment",
                    mid,
                    text.REPORT_TEXT[self.lang(v - 1)]["harassment"],
                )
            )
        return {
            "kind": "harassment_campaign",
            "users": [harasser],
            "details": {
                "harasser": harasser,
                "victims": victims,
                "recipients": victims,
                "reporters": reporters,
                "report_ids": report_ids,
                "message_ids": msg_ids,
                "first_message_at": self.iso(min(times_all)),
                "last_message_at": self.iso(max(times_all)),
                "languages": sorted({self.lang(v - 1) for v in victims}),
            },
        }

    def sextortion(self, pool: list[int]) -> dict:
        s_idx = self.actor(RING + HARASSER)
        perp = self.uid(s_idx)
        ip, device = self.hostile_ip("GH"), self.own_device(s_idx)
        self.device(device, perp, 3, int(self.pop.created[s_idx]) + HOUR, -DAY)
        self.actor_background(s_idx, ip, device, "GH", 3, n=8)
        self.photo(
            perp,
            PhotoJob("", int(self.rng.integers(0, 2**62))),
            int(self.pop.created[s_idx]) + HOUR,
            True,
        )
        victim = self.choose(pool, lang="es")[0]
        lg = self.lang(victim - 1)
        conv = self.new_id("conversation")
        at = self.times(-int(self.rng.integers(7 * DAY, 10 * DAY)), 10, 10 * MINUTE, 3 * HOUR)
        demand = "500 USD"
        script = [
            (perp, text.ROMANCE_OPENER[lg][0], None),
            (victim, self.pick(text.ORDINARY[lg]), None),
            (perp, text.ROMANCE_OPENER[lg][1], None),
            (victim, self.pick(text.ORDINARY[lg]), None),
            (perp, "📷", "image"),
            (victim, "📷", "image"),
            (perp, text.SEXTORTION[lg][0].format(amount=demand), "threat"),
            (victim, self.pick(text.ORDINARY[lg][:1]), None),
            (perp, text.SEXTORTION[lg][1].format(amount=demand), "threat"),
            (perp, text.THREAT[lg][1], "threat"),
        ]
        image_msgs, image_atts, threats = [], [], []
        for (sender, body, tag), when in zip(script, at):
            rcpt = victim if sender == perp else perp
            mid = self.message(conv, sender, rcpt, when, body, media=tag == "image")
            if tag == "image":
                image_msgs.append(mid)
                image_atts.append(self.attachment(mid, int(self.rng.integers(0, 2**62))))
            elif tag == "threat":
                threats.append(mid)
        rid = self.report(
            victim, perp, at[-1] + 2 * HOUR, "threats", threats[0], text.REPORT_TEXT[lg]["threats"]
        )
        return {
            "kind": "sextortion",
            "users": [perp],
            "details": {
                "perpetrator": perp,
                "victim": victim,
                "victims": [victim],
                "conversation_id": conv,
                "image_message_ids": image_msgs,
                "image_attachment_ids": image_atts,
                "threat_message_ids": threats,
                "report_id": rid,
                "report_ids": [rid],
                "demand": demand,
                "language": lg,
                "first_threat_at": self.iso(at[6]),
            },
        }

    def impersonation(self, pool: list[int]) -> dict:
        real = self.choose([u for u in pool if len(self.o.user_photos.get(u, ())) >= 2], lang="en")[
            0
        ]
        i_idx = self.actor(RING + HARASSER + SEXTORTION)
        imp = self.uid(i_idx)
        self.con.execute("UPDATE users SET verified = true WHERE user_id = ?", [real])
        name, handle, country, language = self.query(
            "SELECT display_name, handle, country, language FROM users WHERE user_id = ?", [real]
        )[0]
        similar = name.replace("i", "í", 1) if "i" in name else name + "."
        similar_handle = (handle.replace("o", "0", 1) if "o" in handle else handle + "_")[
            :60
        ] + "_x"
        phone = self.o.phones(self.rng, np.array([COUNTRY_INDEX.get(country, 0)]))[0].as_py()
        self.con.execute(
            "UPDATE users SET display_name = ?, handle = ?, email = ?, phone = ?, country = ?, "
            "language = ? WHERE user_id = ?",
            [
                similar,
                similar_handle,
                f"{similar_handle}@example.net",
                phone,
                country,
                language,
                imp,
            ],
        )
        self.pop.lang[i_idx] = LANG_INDEX[language]
        ip, device = self.hostile_ip("RO"), self.own_device(i_idx)
        self.device(device, imp, 6, int(self.pop.created[i_idx]) + HOUR, -DAY)
        self.actor_background(i_idx, ip, device, "RO", 6, n=5)
        pairs = []
        for j, (orig_pid, seed) in enumerate(self.o.user_photos[real]):
            tr = TRANSFORMS[j % 3]
            orig_hash = phash_hex(jpeg_bytes(PhotoJob("", seed)))
            cp, dist = self.near_duplicate(
                seed, imp, int(self.pop.created[i_idx]) + HOUR, j == 0, tr, orig_hash
            )
            pairs.append(
                {
                    "original_photo_id": orig_pid,
                    "copy_photo_id": cp,
                    "transform": tr,
                    "distance": dist,
                }
            )
        # the impersonator writes to the real member's contacts, asking for money
        contacts = [
            r[0]
            for r in self.query(
                "SELECT DISTINCT recipient_id FROM messages WHERE sender_id = ? ORDER BY recipient_id LIMIT 3",
                [real],
            )
        ]
        msg_ids = []
        t = -int(self.rng.integers(5 * DAY, 7 * DAY))
        for c in contacts:
            msg_ids.append(
                self.message(
                    self.new_id("conversation"),
                    imp,
                    c,
                    t,
                    text.IMPERSONATION_ASK[language][0].format(amount="150 USD"),
                )
            )
            t += int(self.rng.integers(HOUR, 5 * HOUR))
        rid = self.report(
            real, imp, t + DAY, "impersonation", None, text.REPORT_TEXT[language]["impersonation"]
        )
        return {
            "kind": "impersonation",
            "users": [imp],
            "details": {
                "impersonator": imp,
                "real_user": real,
                "victim": real,
                "victims": [real],
                "reporters": [real],
                "report_id": rid,
                "report_ids": [rid],
                "photo_pairs": pairs,
                "contacted": contacts,
                "message_ids": msg_ids,
            },
        }

    def false_reporting(self, clean: list[int]) -> dict:
        target = self.choose(clean)[0]
        group = [
            self.actor(RING + HARASSER + SEXTORTION + IMPERSONATOR + k)
            for k in range(FALSE_REPORTERS)
        ]
        uids = [self.uid(g) for g in group]
        devices = [self.shared_device(), self.shared_device()]
        ips = [self.own_ip(group[0]), self.own_ip(group[1])]
        dev_of = {0: [0], 1: [0], 2: [0, 1], 3: [1], 4: [1]}
        ip_of = {0: [0, 1], 1: [0], 2: [1], 3: [1], 4: [0]}
        for k, g in enumerate(group):
            created = int(self.pop.created[g])
            for d in dev_of[k]:
                self.device(devices[d], uids[k], 2 + k % 3, created + HOUR, -DAY)
                for i in ip_of[k]:
                    self.actor_background(g, ips[i], devices[d], "BR", 2 + k % 3, n=3)
            self.photo(
                uids[k], PhotoJob("", int(self.rng.integers(0, 2**62))), created + HOUR, True
            )
        start = -int(self.rng.integers(3 * DAY, 6 * DAY))
        reasons = ["fake_profile", "scam", "harassment", "inappropriate"]
        report_ids, times = [], []
        for k, u in enumerate(uids):
            for n in range(int(self.rng.integers(2, 4))):
                t = start + int(self.rng.integers(0, 90 * MINUTE))
                reason = reasons[(k + n) % len(reasons)]
                report_ids.append(
                    self.report(u, target, t, reason, None, text.REPORT_TEXT["pt"]["fake_profile"])
                )
                times.append(t)
        return {
            "kind": "false_reporting",
            "users": [target] + uids,
            "details": {
                "target": target,
                "reporters": uids,
                "report_ids": report_ids,
                "shared_devices": devices,
                "shared_ips": ips,
                "burst_start": self.iso(min(times)),
                "burst_end": self.iso(max(times)),
            },
        }

    def law_enforcement_request(self, pool: list[int]) -> dict:
        subject = self.choose(pool)[0]
        received = -int(self.rng.integers(1 * DAY, 4 * DAY))
        return {
            "kind": "law_enforcement_request",
            "users": [subject],
            "details": {
                "subject": subject,
                "request_id": f"LE-{int(self.rng.integers(100000, 999999))}",
                "agency": "Northshire Police (fictional)",
                "case_ref": f"NP/{int(self.rng.integers(1000, 9999))}/CY",
                "received_at": self.iso(received),
                "preservation": True,
                "request_type": "preservation_and_disclosure",
                "requested_data": ["subscriber_info", "logins", "messages", "payments"],
                "period_days": 90,
            },
        }

    def privacy_request(self, pool: list[int]) -> dict:
        eu = [
            u
            for u in pool
            if COUNTRIES[int(self.pop.country[u - 1])].code in ("DE", "FR", "ES", "PT")
        ]
        subject = self.choose(eu or pool)[0]
        received = -int(self.rng.integers(1 * DAY, 6 * DAY))
        return {
            "kind": "privacy_request",
            "users": [subject],
            "details": {
                "subject": subject,
                "request_id": f"DSR-{int(self.rng.integers(100000, 999999))}",
                "request_type": "data_access",
                "regulation": "GDPR",
                "channel": "web_form",
                "received_at": self.iso(received),
            },
        }
