"""Planted scenarios: the abuse an investigator should find, written on top of ordinary activity.

The actors (scam rings, harasser, sextortionist, impersonator, false reporters) are members like
any other, drawn from across the id range (:func:`cast_actors`): ids follow sign-up order, and a
ring's accounts were made in one burst, so they sit near each other, mixed with ordinary members
who signed up the same days. Ordinary activity is generated for them as for everyone; what they
do on top is scripted here. Victims, targets and request subjects are ordinary members picked
after the ordinary data is loaded, by SQL over it (active, with history, photos rendered, and for
the mass-reported member: never reported, never sanctioned).

Decoys (:meth:`Planter.decoys`) are innocent sharing, listed in ``ground_truth.json`` under
``decoys`` so that precision can be scored: carrier-grade NAT, mobile-carrier and campus IPs and
a VPN exit node shared by 50-500 members, families sharing a tablet, couples sharing a card, and
a photographer whose portfolio holds copies of clients' profile photos.

Each scenario returns ``{"kind", "users", "details"}`` for ``ground_truth.json``; the details
carry the ids tests and investigators need (shared identifiers, message/report/login ids, times).
Times in the details are ISO 8601 UTC; most planted activity happens in the last three weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import imagehash
import numpy as np

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

NEAR_DUP_MAX = 8  # planted copies are kept within this many bits of their original
SIBLING_MAX = 10  # ... and of each other copy of the same picture
TRANSFORMS = ("reencode", "crop", "resize")
COUNTRY_INDEX = {c.code: i for i, c in enumerate(COUNTRIES)}


@dataclass(frozen=True)
class RingSpec:
    """One romance-scam ring: how it is linked, who it writes to, when its accounts were made."""

    style: str
    countries: tuple[str, ...]  # the homes its members claim, one per member
    victim_languages: tuple[str, ...]  # one victim per entry
    age_days: tuple[int, int]  # the accounts were created in one burst this many days ago
    template: str | None = None  # RING_TEMPLATES language of its pasted opener

    @property
    def size(self) -> int:
        return len(self.countries)


RINGS = (
    # shares devices, IPs, payment instruments and a stolen photo set; writes in eight languages
    RingSpec(
        "linked_every_way",
        ("US", "GB", "DE", "US", "FR", "ES"),
        ("en", "es", "pt", "fr", "de", "ja", "ko", "th"),
        (45, 75),
    ),
    # no shared device or IP: only a stolen photo set and payment instruments link it
    RingSpec("photos_and_payments", ("ES", "MX", "ES", "MX"), ("es",) * 6, (20, 40), "es"),
    # an aged operation of fifteen accounts passing a pool of phones around, from two offices
    RingSpec("rotating_devices", ("FR",) * 15, ("fr",) * 12, (280, 320), "fr"),
    # three accounts, one card, one IP, one pasted opener
    RingSpec("small_template", ("JP",) * 3, ("ja",) * 4, (10, 30), "ja"),
)
BURST_DAYS = 5  # a ring's accounts are created within this many days of each other


@dataclass
class Actors:
    """User indices of everyone whose behaviour is scripted, spread over the id range."""

    rings: list[list[int]]
    harasser: int
    sextortionist: int
    impersonator: int
    false_reporters: list[int]

    def all(self) -> list[int]:
        return [i for r in self.rings for i in r] + [
            self.harasser,
            self.sextortionist,
            self.impersonator,
            *self.false_reporters,
        ]


def _burst(
    pop: Population, rng: np.random.Generator, taken: set[int], k: int, age: tuple[int, int]
) -> tuple[list[int], int]:
    """``k`` members to become a group made in one burst ``age`` days ago, and the moment:
    the members who signed up around then (their sign-up times are moved into the burst by
    :func:`cast_actors`, which keeps ids in sign-up order)."""
    at = -int(rng.integers(age[0], age[1] + 1)) * DAY
    # those who really signed up in the burst's days stay ordinary: they end up between the
    # group's ids, as on a real platform
    inside = range(
        int(np.searchsorted(pop.created, at - BURST_DAYS * DAY)),
        int(np.searchsorted(pop.created, at)),
    )
    lo, hi = inside.start, inside.stop
    while True:
        free = [i for i in range(lo, hi) if i not in taken and i not in inside]
        if len(free) >= 2 * k or (lo == 0 and hi == pop.n):
            break
        lo, hi = max(0, lo - k), min(pop.n, hi + k)
    if len(free) < k:
        raise RuntimeError("too few members to plant the scenarios; generate more users")
    chosen = sorted(int(i) for i in rng.choice(free, k, replace=False))
    taken.update(chosen)
    return chosen, at


def cast_actors(pop: Population, seed: int) -> Actors:
    """Pick the actors among all members (ordinary activity is generated for them too, as for
    anyone) and give them their claimed countries and languages."""
    rng = stream(seed, 0xACE)
    taken: set[int] = set()
    groups = [_burst(pop, rng, taken, spec.size, spec.age_days) for spec in RINGS]
    groups.append(_burst(pop, rng, taken, 1, (300, 600)))  # harasser: a long-standing member
    groups.append(_burst(pop, rng, taken, 1, (60, 200)))  # sextortionist
    groups.append(_burst(pop, rng, taken, 1, (20, 40)))  # impersonator: a fresh account
    groups.append(_burst(pop, rng, taken, 5, (25, 60)))  # false reporters: sock puppets
    for members, at in groups:  # each group signs up within BURST_DAYS
        offsets = np.sort(rng.integers(0, BURST_DAYS * DAY, len(members)))
        pop.created[members] = at - BURST_DAYS * DAY + offsets
    # ids follow sign-up order again: members are renumbered, their attributes go with them
    order = np.argsort(pop.created, kind="stable")
    where = np.empty_like(order)
    where[order] = np.arange(len(order))
    pop.created, pop.country, pop.lang = pop.created[order], pop.country[order], pop.lang[order]
    moved = [sorted(int(where[i]) for i in members) for members, _ in groups]
    rings = moved[: len(RINGS)]
    harasser, sextortionist, impersonator = (m[0] for m in moved[len(RINGS) : len(RINGS) + 3])
    actors = Actors(rings, harasser, sextortionist, impersonator, moved[-1])

    def home(i: int, code: str) -> None:
        pop.country[i] = COUNTRY_INDEX[code]
        pop.lang[i] = LANG_INDEX[BY_CODE[code].language]

    for spec, members in zip(RINGS, rings):
        for i, code in zip(members, spec.countries):
            home(i, code)
    home(harasser, "GB")
    home(sextortionist, "US")
    for i in actors.false_reporters:  # one friend group
        home(i, "BR")
    pop.by_lang = [np.flatnonzero(pop.lang == i) for i in range(len(pop.by_lang))]
    return actors


class Planter:
    """Writes every planted scenario; ``plant()`` returns the ground-truth entries."""

    def __init__(
        self,
        con,
        sink: Sink,
        seed: int,
        pop: Population,
        actors: Actors,
        ordinary: Ordinary,
        counters: Counters,
        anchor: datetime,
        anchor_us: int,
        media_root: Path,
    ) -> None:
        self.con, self.sink, self.seed, self.pop, self.actors, self.o = (
            con,
            sink,
            seed,
            pop,
            actors,
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
        self.used: set[int] = {i + 1 for i in actors.all()}  # user ids: actors are never victims
        self.actor_slot = 0  # extra identifier slots for shared/attacker values
        self.crowd_slot = 0  # IP slots from the top of the range down, for shared crowd IPs
        self.k_shared = ids.mix64(np.array([seed], dtype=np.uint64), 0x5AAD)[0]
        self.photo_hash: dict[int, str] = {}
        self.attachments: list[tuple[str, bytes]] = []
        self.vpn_ip = ""  # the VPN exit node's address, once the decoys are planted

    # ------------------------------------------------------------------ small helpers
    def iso(self, off: int) -> str:
        return (self.anchor + timedelta(microseconds=int(off))).isoformat().replace("+00:00", "Z")

    def uid(self, idx: int) -> int:
        return int(idx) + 1

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

    def crowd_ip(self, octet: int) -> str:
        """An address many members share (carrier NAT, campus, VPN): slots above every member's."""
        self.crowd_slot += 1
        slot = np.array([2**24 - self.crowd_slot], dtype=np.uint64)
        return ids.ipv4(slot, np.array([octet]), self.o.k_ip)[0].as_py()

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
        limit = min(self.pop.n, RENDER_LIMIT)
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
        limits: tuple[int, int] = (NEAR_DUP_MAX, SIBLING_MAX),
    ) -> tuple[int, int]:
        """A modified copy of picture ``seed`` within ``limits[0]`` bits (NEAR_DUP_MAX) of the
        original and within ``limits[1]`` (SIBLING_MAX) of the other copies (so any copy finds
        all the others)."""
        base = imagehash.hex_to_hash(original_hash)
        others = [imagehash.hex_to_hash(h) for h in siblings]
        for tweak in range(int(self.rng.integers(1, 2**30)), 2**31):
            cand = imagehash.hex_to_hash(
                phash_hex(jpeg_bytes(PhotoJob("", seed, transform, tweak)))
            )
            dist = int(base - cand)
            if dist <= limits[0] and all(int(o - cand) <= limits[1] for o in others):
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
    def plant(self) -> tuple[list[dict], list[dict]]:
        """Write every scenario's and decoy's rows; returns the ground-truth entries (scenarios,
        decoys), in a fixed order."""
        pool = self.ordinary_pool()
        clean = self.ordinary_pool(clean=True)
        self.vpn_ip = self.crowd_ip(45)  # rings log in through it too: decoys they touch
        first, *others = [
            self.romance_scam_ring(spec, members, pool)
            for spec, members in zip(RINGS, self.actors.rings)
        ]
        out = [
            first,
            self.account_takeover(clean),
            self.harassment_campaign(pool),
            self.sextortion(pool),
            self.impersonation(pool),
            self.false_reporting(clean),
            self.law_enforcement_request(pool),
            self.privacy_request(pool),
            *others,  # later rings go last: the earlier entries keep their places
        ]
        decoys = self.decoys(out)
        self.rows.flush(self.sink)
        return out, decoys

    def _ring_links(self, spec: RingSpec, members: list[int]) -> tuple[list, list, list, dict]:
        """Shared devices, IPs and instruments of a ring, and who holds which (by member)."""
        n = len(members)
        if spec.style == "linked_every_way":
            devices = [self.shared_device() for _ in range(3)]
            ips = [self.hostile_ip("NG"), self.hostile_ip("GH"), self.hostile_ip("NG")]
            fps = [self.instrument(), self.instrument()]
            # every member shares something with another, and the ring is one piece
            dev_of = {0: [0, 2], 1: [0], 2: [0, 1], 3: [1], 4: [2], 5: [2]}
            ip_of = {0: [0], 1: [1], 2: [1], 3: [0], 4: [1, 2], 5: [0, 2]}
            fp_of = {0: [0], 1: [0], 2: [0], 3: [1], 4: [1], 5: [0]}
        elif spec.style == "photos_and_payments":
            devices, ips = [], []
            fps = [self.instrument() for _ in range(3)]  # a chain of prepaid cards
            dev_of, ip_of = {k: [] for k in range(n)}, {k: [] for k in range(n)}
            fp_of = {0: [0], 1: [0, 2], 2: [1, 2], 3: [1]}
        elif spec.style == "rotating_devices":
            devices = [self.shared_device() for _ in range(6)]  # phones passed around
            ips = [self.hostile_ip("RO"), self.hostile_ip("RO")]  # two offices
            fps = []
            dev_of = {k: [k % 6, (k + 1) % 6] for k in range(n)}
            ip_of = {k: [k % 2] for k in range(n)}
            fp_of = {k: [] for k in range(n)}
        else:  # small_template
            devices, ips, fps = [], [self.hostile_ip("VN")], [self.instrument()]
            dev_of = {k: [] for k in range(n)}
            ip_of = {k: [0] for k in range(n)}
            fp_of = {k: [0] for k in range(n)}
        return devices, ips, fps, {"dev": dev_of, "ip": ip_of, "fp": fp_of}

    def _ring_activity(self, spec, members, devices, ips, fps, of) -> None:
        """Devices, logins and payments of a ring's members."""
        ip_country = {ip: c for ip, c in zip(ips, self._hostile_countries(spec, len(ips)))}
        for k, m in enumerate(members):
            uid = self.uid(m)
            model = k % len(DEVICES)
            created = int(self.pop.created[m])
            own = self.own_device(m)
            mine = [devices[d] for d in of["dev"][k]] or [own]
            for j, dev in enumerate(mine):
                if dev != own:
                    self.device(dev, uid, model, created + HOUR + j * 9 * DAY, -DAY)
            for j, dev in enumerate(mine):
                for i in of["ip"][k] or [None]:
                    ip = ips[i] if i is not None else self.own_ip(m)
                    country = ip_country.get(ip, spec.countries[k])
                    if spec.style == "rotating_devices":  # one phone after another
                        self.rotation_logins(m, ip, dev, country, model, j, len(mine))
                    else:
                        self.actor_background(m, ip, dev, country, model, n=3)
            for f in of["fp"][k]:
                self.payment(uid, created + 2 * DAY, 4.99, "USD", fps[f], "succeeded")

    @staticmethod
    def _hostile_countries(spec: RingSpec, n: int) -> list[str]:
        return {
            "linked_every_way": ["NG", "GH", "NG"],
            "rotating_devices": ["RO", "RO"],
            "small_template": ["VN"],
        }.get(spec.style, [])[:n]

    def rotation_logins(
        self, idx: int, ip: str, device: str, country: str, model: int, j: int, of: int
    ) -> None:
        """Logins on the ``j``-th of ``of`` devices a member uses in turn, in its share of time."""
        created = int(self.pop.created[idx])
        span = -DAY - created - HOUR
        lo = created + HOUR + span * j // of
        hi = created + HOUR + span * (j + 1) // of
        for t in sorted(int(lo + self.rng.random() * (hi - lo)) for _ in range(3)):
            self.login(self.uid(idx), t, ip, device, country, None, model=model)

    def _stolen_photos(self, spec: RingSpec, uids: list[int], members: list[int]) -> list[dict]:
        """A stolen photo set: the originals on member 0, modified copies on the others."""
        if spec.style not in ("linked_every_way", "photos_and_payments"):
            return []
        n_pics = 3 if spec.style == "linked_every_way" else 2
        seeds = [int(s) for s in self.rng.integers(0, 2**62, n_pics)]
        groups, originals = [], []
        for j, sd in enumerate(seeds):
            pid = self.photo(
                uids[0],
                PhotoJob("", sd),
                int(self.pop.created[members[0]]) + HOUR + j * 7 * MINUTE,
                j == 0,
            )
            originals.append(pid)
            groups.append({"original_photo_id": pid, "copies": []})
        for k in range(1, len(uids)):
            if spec.style == "linked_every_way":  # two of the three pictures each
                pics, limits = ((k - 1) % 3, k % 3), (NEAR_DUP_MAX, SIBLING_MAX)
            else:  # the whole set, lightly re-encoded or resized (as re-uploads are)
                pics, limits = tuple(range(n_pics)), (6, 8)
            for j in pics:
                tr = (
                    TRANSFORMS[(k + j) % 3]
                    if spec.style == "linked_every_way"
                    else ("reencode" if (k + j) % 2 else "resize")
                )
                siblings = [self.photo_hash[c["photo_id"]] for c in groups[j]["copies"]]
                cp, dist = self.near_duplicate(
                    seeds[j],
                    uids[k],
                    int(self.pop.created[members[k]]) + HOUR,
                    j == pics[0],
                    tr,
                    self.photo_hash[originals[j]],
                    siblings,
                    limits=limits,
                )
                groups[j]["copies"].append(
                    {"photo_id": cp, "user_id": uids[k], "transform": tr, "distance": dist}
                )
        return groups

    def _opener(self, spec: RingSpec, lg: str, victim: int) -> str:
        """The ring's first message: its pasted template (the victim's name put in, an emoji
        now and then) or, for a ring without one, the usual short line."""
        if spec.template is None:
            return text.ROMANCE_OPENER[lg][0]
        first = self.query("SELECT display_name FROM users WHERE user_id = ?", [victim])[0][0]
        name = first.split()[0] if " " in first else first
        line = text.RING_TEMPLATES[spec.template][0].format(name=name)
        if self.rng.random() < 0.5:
            line += " " + text.EMOJI[int(self.rng.integers(0, len(text.EMOJI)))]
        return line

    def romance_scam_ring(self, spec: RingSpec, members: list[int], pool: list[int]) -> dict:
        uids = [self.uid(m) for m in members]
        devices, ips, fps, of = self._ring_links(spec, members)
        self._ring_activity(spec, members, devices, ips, fps, of)
        action_ids, appeal_ids = [], []
        if spec.style == "linked_every_way":
            self.payment(
                uids[4], -12 * DAY, 59.99, "USD", fps[1], "chargeback", product="premium_6m"
            )
            action_ids, appeal_ids = self._warning_and_appeal(uids[2])
        groups = self._stolen_photos(spec, uids, members)
        # scripted conversations with victims in their own languages
        victims = [self.choose(pool, lang=lg)[0] for lg in spec.victim_languages]
        convs, msg_ids = [], {"opener": [], "off_platform": [], "gift_card": [], "crypto": []}
        reports = []
        writers = len(uids) if spec.style != "rotating_devices" else len(victims)
        for v_i, victim in enumerate(victims):
            k = v_i % min(writers, len(uids))
            scammer = uids[k]
            lg = spec.template or self.lang(victim - 1)
            conv = self.new_id("conversation")
            t = -int(self.rng.integers(8 * DAY, 20 * DAY))
            at = self.times(t, 8, 20 * MINUTE, 10 * HOUR)
            app = self.pick(text.APPS[lg])
            ask = "gift_card" if v_i % 2 == 0 else "crypto"
            amount = "200 USD" if ask == "gift_card" else "500 USDT"
            script = [
                (scammer, self._opener(spec, lg, victim), "opener"),
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
                    "amount": amount,
                }
            )
            if v_i % 3 != 2:  # most victims report, not all
                rl = self.lang(victim - 1)
                at_r = at[-1] + int(self.rng.integers(HOUR, DAY))
                free_text = text.REPORT_TEXT[rl]["scam"]
                rid = self.report(victim, scammer, at_r, "scam", ask_id, free_text)
                reports.append((at_r, rid, victim, scammer, free_text))
        first = min(reports)  # what frontline sends: the first report, about one member
        return {
            "kind": "romance_scam_ring",
            "users": uids,
            "details": {
                "style": spec.style,
                "members": uids,
                "reported_member": first[3],
                "frontline_report": {
                    "report_id": first[1],
                    "reporter": first[2],
                    "reported_user_id": first[3],
                    "text": first[4],
                    "created_at": self.iso(first[0]),
                },
                "victims": victims,
                "reporters": [r[2] for r in reports],
                "report_ids": [r[1] for r in reports],
                "shared_devices": devices,
                "shared_ips": ips,
                "shared_instruments": fps,
                "links": {
                    str(uids[k]): {
                        "devices": [devices[d] for d in of["dev"][k]],
                        "ips": [ips[i] for i in of["ip"][k]],
                        "instruments": [fps[f] for f in of["fp"][k]],
                    }
                    for k in range(len(uids))
                },
                "photo_groups": groups,
                "template_language": spec.template,
                "conversations": convs,
                "message_ids": msg_ids,
                "moderation_action_ids": action_ids,
                "appeal_ids": appeal_ids,
                "languages": sorted({c["language"] for c in convs}),
                "created_from": self.iso(min(int(self.pop.created[m]) for m in members)),
                "created_to": self.iso(max(int(self.pop.created[m]) for m in members)),
            },
        }

    def _warning_and_appeal(self, uid: int) -> tuple[list[int], list[int]]:
        """An earlier automated warning on one member, appealed and still pending."""
        warned_at = -int(self.rng.integers(15 * DAY, 20 * DAY))
        action_id = self.new_id("action")
        self.rows.add(
            "moderation_actions",
            action_id=action_id,
            user_id=uid,
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
            user_id=uid,
            action_id=action_id,
            created_at=warned_at + 3 * HOUR,
            text=text.APPEAL_TEXT["en"][0],
            status="pending",
            decided_at=None,
        )
        return [action_id], [appeal_id]

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
        h_idx = self.actors.harasser
        harasser = self.uid(h_idx)
        ip, device = self.own_ip(h_idx), self.own_device(h_idx)
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
        s_idx = self.actors.sextortionist
        perp = self.uid(s_idx)
        ip, device = self.hostile_ip("GH"), self.own_device(s_idx)
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
        i_idx = self.actors.impersonator
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
        group = list(self.actors.false_reporters)
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

    # ------------------------------------------------------------------ decoys
    def _members(self, k: int, *, country: str | None = None, taken: set[int]) -> list[int]:
        """``k`` user ids of ordinary members (never actors), from ``country`` where possible."""
        if not hasattr(self, "_actor_ids"):
            self._actor_ids = {i + 1 for i in self.actors.all()}
        skip = self._actor_ids | taken | self.used  # decoys are bystanders
        out: list[int] = []
        pools = [np.arange(self.pop.n)]
        if country is not None:
            home = np.flatnonzero(self.pop.country == COUNTRY_INDEX[country])
            pools = [home, np.arange(self.pop.n)]
        for pool in pools:
            # random picks until enough: no pass over the whole population per group
            for _ in range(4):
                need = k - len(out)
                if need <= 0 or not len(pool):
                    break
                for i in self.rng.choice(pool, min(len(pool), 4 * need + 8), replace=False):
                    u = int(i) + 1
                    if u not in skip and u not in out and len(out) < k:
                        out.append(u)
            if len(out) < k and len(pool) <= 4 * k + 64:  # a small pool: take it in order
                out += [
                    int(i) + 1 for i in pool if int(i) + 1 not in skip and int(i) + 1 not in out
                ][: k - len(out)]
        taken.update(out)
        return out

    def _crowd_logins(self, uid: int, ip: str, country: str, n: int) -> None:
        idx = uid - 1
        created = int(self.pop.created[idx])
        lo = max(created + HOUR, -170 * DAY)
        for _ in range(n):
            t = int(lo + self.rng.random() * (-HOUR - lo))
            self.login(uid, t, ip, self.own_device(idx), country, None, model=int(idx % 5))

    def decoys(self, scenarios: list[dict]) -> list[dict]:
        """Innocent sharing of identifiers, for precision to be scored against."""
        n = self.pop.n
        taken: set[int] = set()
        out = []
        harassed = next(s for s in scenarios if s["kind"] == "harassment_campaign")
        rings = [s for s in scenarios if s["kind"] == "romance_scam_ring"]
        # crowds behind one address: (kind, octet, country, size, planted members also using it)
        crowds = (
            (
                "carrier_nat_ip",
                23,
                "US",
                min(500, max(60, n // 10)),
                harassed["details"]["reporters"][:2],
            ),
            ("mobile_carrier_ip", 177, "BR", min(300, max(50, n // 16)), rings[1]["users"][:2]),
            ("campus_ip", 84, "DE", min(200, max(50, n // 20)), []),
            ("vpn_exit_ip", 45, None, min(400, max(50, n // 16)), rings[0]["users"]),
        )
        for kind, octet, country, size, planted in crowds:
            ip = self.vpn_ip if kind == "vpn_exit_ip" else self.crowd_ip(octet)
            # a member may be behind several crowds (a phone on a carrier, a laptop on a VPN)
            users = self._members(size, country=country, taken=set(planted))
            for u in users:
                self._crowd_logins(
                    u,
                    ip,
                    country or COUNTRIES[int(self.pop.country[u - 1])].code,
                    int(self.rng.integers(2, 6)),
                )
            for u in planted:  # planted accounts behind the same address: investigations meet it
                self._crowd_logins(u, ip, country or "NL", 2)
            out.append(
                {
                    "kind": kind,
                    "users": users,
                    "details": {"ip": ip, "country": country, "also_planted": list(planted)},
                }
            )
        for _ in range(min(40, max(3, n // 200))):  # families sharing a tablet at home
            first = self._members(1, taken=taken)[0]
            home = COUNTRIES[int(self.pop.country[first - 1])].code
            fam = [first] + self._members(int(self.rng.integers(2, 4)), country=home, taken=taken)
            tablet, wifi = self.shared_device(), self.own_ip(first - 1)
            for u in fam:
                created = int(self.pop.created[u - 1])
                self.device(tablet, u, 6, created + HOUR, -DAY)
                self._crowd_logins(u, wifi, home, 1)
                lo = max(created + HOUR, -170 * DAY)
                for _ in range(int(self.rng.integers(2, 5))):
                    t = int(lo + self.rng.random() * (-HOUR - lo))
                    self.login(u, t, wifi, tablet, home, None, model=6)
            out.append(
                {
                    "kind": "family_device",
                    "users": fam,
                    "details": {"device_id": tablet, "ip": wifi},
                }
            )
        for _ in range(min(40, max(3, n // 200))):  # couples paying with one card
            a = self._members(1, taken=taken)[0]
            home = COUNTRIES[int(self.pop.country[a - 1])].code
            pair = [a] + self._members(1, country=home, taken=taken)
            card = self.instrument()
            cur = COUNTRIES[int(self.pop.country[a - 1])].currency
            for u in pair:
                for _ in range(int(self.rng.integers(2, 4))):
                    t = -int(self.rng.integers(2 * DAY, 150 * DAY))
                    self.payment(u, t, 14.99, cur, card, "succeeded", "premium_1m")
            out.append(
                {"kind": "shared_card", "users": pair, "details": {"instrument_fingerprint": card}}
            )
        out.append(self.photographer(taken))
        return out

    def photographer(self, taken: set[int]) -> dict:
        """A photographer whose portfolio holds, with consent, copies of clients' profile photos."""
        pool = [
            u
            for u in self.ordinary_pool(min_sent=1)
            if u not in self.used and u not in taken and self.o.user_photos.get(u)
        ]
        order = [pool[i] for i in self.rng.permutation(len(pool))]
        photographer, clients = order[0], order[1 : 1 + min(12, max(5, self.pop.n // 100))]
        taken.update([photographer, *clients])
        self.con.execute(
            "UPDATE profiles SET occupation = 'photographer' WHERE user_id = ?", [photographer]
        )
        pairs = []
        for j, c in enumerate(clients):
            orig_pid, seed = self.o.user_photos[c][0]
            orig_hash = phash_hex(jpeg_bytes(PhotoJob("", seed)))
            at = -int(self.rng.integers(10 * DAY, 150 * DAY))
            tr = "resize" if j % 2 else "reencode"
            cp, dist = self.near_duplicate(
                seed, photographer, at, False, tr, orig_hash, limits=(6, 64)
            )
            pairs.append(
                {
                    "client": c,
                    "client_photo_id": orig_pid,
                    "portfolio_photo_id": cp,
                    "distance": dist,
                }
            )
        return {
            "kind": "photographer",
            "users": [photographer, *clients],
            "details": {"photographer": photographer, "clients": clients, "photo_pairs": pairs},
        }
