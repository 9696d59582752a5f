"""Ordinary activity: members, profiles, photos, devices, logins, conversations, reports,
account changes, payments, moderation actions and appeals, generated with numpy a chunk of
members at a time and handed to a sink as Arrow tables (never row by row).

Time is kept as integer microseconds *relative to the anchor* (negative = before it) until the
very last step, so another anchor shifts every timestamp by the same constant and nothing else.
Members are user ids ``1..n``; member ``i`` (0-based index) is user ``i + 1``. Ids follow
sign-up order, as on a real platform: member ``i`` signed up no later than member ``i + 1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.demo import ids, text
from workbench.demo.media import PhotoJob
from workbench.demo.people import (
    COUNTRIES,
    DEVICES,
    EMAIL_DOMAINS,
    GENDER_IDENTITIES,
    HEALTH_NOTES,
    LOOKING_FOR,
    OCCUPATIONS,
    ORIENTATIONS,
    TRAVEL,
)

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WINDOW = 180 * DAY  # ordinary activity happens in the 180 days before the anchor
CHUNK = 20_000  # members per chunk; fixed so output never depends on the machine
RENDER_LIMIT = 20_000  # photo files are rendered for the first 20,000 members only
LOGIN_SLOTS = 8  # per member: 2 home IPs + 6 travel IPs
DEVICE_SLOTS = 4
INSTRUMENT_SLOTS = 4

Sink = Callable[[str, pa.Table], None]

# stream numbers: each table draws from its own generator, so changing one leaves the rest alone
(
    S_USERS,
    S_PROFILES,
    S_DEVICES,
    S_LOGINS,
    S_MESSAGES,
    S_REPORTS,
    S_CHANGES,
    S_PAYMENTS,
    S_MOD,
    S_PHOTOS,
) = range(10)

PRODUCTS = (
    ("premium_1m", 14.99),
    ("premium_6m", 59.99),
    ("premium_12m", 89.99),
    ("boost", 4.99),
    ("super_likes_5", 7.99),
)
RATES = {
    "USD": 1,
    "GBP": 0.79,
    "EUR": 0.92,
    "MXN": 17,
    "BRL": 5,
    "JPY": 150,
    "KRW": 1350,
    "THB": 36,
    "INR": 83,
    "PKR": 280,
}
REPORT_REASONS = ("spam", "scam", "harassment", "fake_profile", "inappropriate", "other")
REPORT_WEIGHTS = (0.2, 0.15, 0.2, 0.2, 0.2, 0.05)
ACTIONS = (
    ("warning", "spam"),
    ("content_removed", "harassment_hate"),
    ("suspension", "scams_fraud"),
    ("ban", "spam"),
    ("warning", "harassment_hate"),
    ("content_removed", "sexual_exploitation"),
    ("suspension", "impersonation"),
    ("ban", "scams_fraud"),
    ("warning", "privacy"),
    ("suspension", "violent_threats"),
)
ACTION_REASONS = {
    "warning": "First offence: warned.",
    "content_removed": "Content removed after review.",
    "suspension": "Temporary suspension.",
    "ban": "Account banned after repeated violations.",
}


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent generator for (seed, key...): PCG64 seeded through a SeedSequence."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def key_of(seed: int, purpose: int) -> int:
    return int(ids.mix64(np.array([seed], dtype=np.uint64), 0xA5A5_0000 + purpose)[0])


def _flat(groups: list[tuple]) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Concatenate per-group value lists: (values, start per group, count per group)."""
    vals, starts, counts = [], [], []
    for g in groups:
        starts.append(len(vals))
        counts.append(len(g))
        vals.extend(g)
    return pa.array(vals, pa.string()), np.array(starts), np.array(counts)


def _pick(
    rng: np.random.Generator, group: np.ndarray, starts: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    return starts[group] + (rng.random(len(group)) * counts[group]).astype(np.int64)


def ts_array(anchor_us: int, offsets: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Timestamps (UTC, microseconds) from anchor-relative offsets; ``mask`` marks NULLs."""
    return pa.array(
        anchor_us + np.asarray(offsets, dtype=np.int64),
        type=pa.timestamp("us", tz="UTC"),
        mask=mask,
    )


def _segment_ranks(group_sizes: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each consecutive group of the given sizes."""
    total = int(group_sizes.sum())
    starts = np.repeat(np.cumsum(group_sizes) - group_sizes, group_sizes)
    return np.arange(total) - starts


LANG_INDEX = {lang: i for i, lang in enumerate(text.LANGUAGES)}
COUNTRY_LANG = np.array([LANG_INDEX[c.language] for c in COUNTRIES])
COUNTRY_CODES = pa.array([c.code for c in COUNTRIES])
LANG_CODES = pa.array(list(text.LANGUAGES))


@dataclass
class Counters:
    """Next id per table; ids are dense and assigned in generation order."""

    next: dict[str, int] = field(
        default_factory=lambda: {
            k: 1
            for k in (
                "photo",
                "message",
                "conversation",
                "attachment",
                "report",
                "login",
                "change",
                "payment",
                "action",
                "appeal",
            )
        }
    )

    def take(self, name: str, n: int) -> np.ndarray:
        start = self.next[name]
        self.next[name] = start + n
        return np.arange(start, start + n, dtype=np.int64)


@dataclass
class Population:
    """Per-member attributes every chunk needs (a few bytes per member)."""

    n: int
    country: np.ndarray  # index into COUNTRIES
    lang: np.ndarray  # index into text.LANGUAGES
    created: np.ndarray  # anchor-relative microseconds
    by_lang: list[np.ndarray]

    @classmethod
    def draw(cls, seed: int, n: int) -> Population:
        rng = stream(seed, 0xFFFF)
        w = np.array([c.weight for c in COUNTRIES], dtype=float)
        country = rng.choice(len(COUNTRIES), size=n, p=w / w.sum()).astype(np.int16)
        lang = COUNTRY_LANG[country].astype(np.int16)
        # ids follow sign-up order: the oldest account has the smallest id
        created = -np.sort(rng.integers(3 * DAY, 720 * DAY, n, dtype=np.int64))[::-1].copy()
        by_lang = [np.flatnonzero(lang == i) for i in range(len(text.LANGUAGES))]
        return cls(n, country, lang, created, by_lang)


class MediaPool:
    """The attachment files ordinary messages point at (a deduplicated media store)."""

    def __init__(self, entries: list[dict]) -> None:
        self.entries = entries
        self.by_kind = {
            k: np.array([i for i, e in enumerate(entries) if e["kind"] == k])
            for k in ("image", "audio", "video")
        }
        self.path = pa.array([e["path"] for e in entries])
        self.media_type = pa.array([e["media_type"] for e in entries])
        self.size = np.array([e["size_bytes"] for e in entries], dtype=np.int64)
        self.sha = pa.array([e["sha256"] for e in entries])
        self.kind = pa.array([e["kind"] for e in entries])


class Ordinary:
    """Generates ordinary activity for members ``0..n-1`` chunk by chunk."""

    def __init__(
        self, seed: int, pop: Population, anchor_us: int, pool: MediaPool, counters: Counters
    ) -> None:
        self.seed, self.pop, self.anchor_us, self.pool, self.ids = (
            seed,
            pop,
            anchor_us,
            pool,
            counters,
        )
        self.k_dev, self.k_ip, self.k_pay = key_of(seed, 1), key_of(seed, 2), key_of(seed, 3)
        self.first = _flat([tuple(f[0] for f in c.first) for c in COUNTRIES])
        self.last = _flat([tuple(f[0] for f in c.last) for c in COUNTRIES])
        self.first_native = pa.array([f[0] for c in COUNTRIES for f in c.first])
        self.first_latin = pa.array([f[1] for c in COUNTRIES for f in c.first])
        self.last_native = pa.array([f[0] for c in COUNTRIES for f in c.last])
        self.last_latin = pa.array([f[1] for c in COUNTRIES for f in c.last])
        self.cities, self.city_start, self.city_count = _flat([c.cities for c in COUNTRIES])
        self.bios, self.bio_start, self.bio_count = _flat(
            [text.BIOS[lang] for lang in text.LANGUAGES]
        )
        self.chat, spans = text.chat_bank()
        self.chat_arr = pa.array(self.chat)
        self.chat_start = np.array([spans[lang][0] for lang in text.LANGUAGES])
        self.chat_lines = np.array([len(text.ORDINARY[lang]) for lang in text.LANGUAGES])
        self.photo_jobs: list[tuple[int, PhotoJob]] = []  # (photo_id, job) to render
        self.rendered_rows: list[pa.Table] = []  # photo rows waiting for their hashes
        self.user_photos: dict[
            int, list[tuple[int, int]]
        ] = {}  # user id -> [(photo_id, seed)] rendered

    # ------------------------------------------------------------------ helpers
    def _ts(self, off: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        return ts_array(self.anchor_us, off, mask)

    def _window_start(self, idx: np.ndarray) -> np.ndarray:
        return np.maximum(self.pop.created[idx], -WINDOW)

    def _uniform_time(
        self, rng: np.random.Generator, idx: np.ndarray, end: int = -MINUTE
    ) -> np.ndarray:
        lo = self._window_start(idx)
        return lo + (rng.random(len(idx)) * (end - lo)).astype(np.int64)

    def device_ids(self, user_idx: np.ndarray, slot: np.ndarray) -> pa.Array:
        return ids.hex_ids(
            user_idx.astype(np.uint64) * DEVICE_SLOTS + slot.astype(np.uint64), self.k_dev
        )

    def ips(self, user_idx: np.ndarray, slot: np.ndarray, octets: np.ndarray) -> pa.Array:
        return ids.ipv4(
            user_idx.astype(np.uint64) * LOGIN_SLOTS + slot.astype(np.uint64), octets, self.k_ip
        )

    def home_octets(
        self, rng: np.random.Generator, user_idx: np.ndarray, slot: np.ndarray
    ) -> np.ndarray:
        """A member's home IPs sit in their country's ranges (stable per member and slot)."""
        out = np.empty(len(user_idx), dtype=np.int64)
        c = self.pop.country[user_idx]
        for ci, country in enumerate(COUNTRIES):
            m = c == ci
            if m.any():
                oct_ = np.array(country.ip_octets)
                out[m] = oct_[(user_idx[m] * 7 + slot[m] * 3) % len(oct_)]
        return out

    # ------------------------------------------------------------------ chunk
    def chunk(self, no: int, lo: int, hi: int, sink: Sink) -> None:
        """Generate every table's rows for members ``lo..hi-1`` and hand them to ``sink``."""
        idx = np.arange(lo, hi)
        status, mod = self._moderation(no, idx)
        cols = self.users_table(no, idx, status)
        sink("users", cols)
        prof = self.profiles_table(no, idx)
        sink("profiles", prof)
        primary_photo = self._photos(no, idx, sink)
        nd = self._devices_and_logins(no, idx, prof, sink)
        self._messages(no, idx, sink)
        self._changes(no, idx, cols, prof, primary_photo, nd, sink)
        self._payments(no, idx, sink)
        if mod is not None:
            sink("moderation_actions", mod[0])
            if mod[1] is not None:
                sink("appeals", mod[1])

    def users_table(self, no: int, idx: np.ndarray, status: np.ndarray) -> pa.Table:
        rng = stream(self.seed, no, S_USERS)
        m = len(idx)
        c = self.pop.country[idx]
        fi = _pick(rng, c, *self.first[1:])
        li = _pick(rng, c, *self.last[1:])
        fam_first = np.array([x.family_first for x in COUNTRIES])[c]
        joiner = pa.array([x.joiner for x in COUNTRIES]).take(pa.array(c))
        fn, ln = self.first_native.take(pa.array(fi)), self.last_native.take(pa.array(li))
        full = pc.if_else(
            pa.array(fam_first),
            pc.binary_join_element_wise(ln, fn, joiner),
            pc.binary_join_element_wise(fn, ln, joiner),
        )
        display = pc.if_else(pa.array(rng.random(m) < 0.3), fn, full)  # some show a first name only
        uid = pc.cast(pa.array(idx + 1), pa.string())
        flat_, llat = self.first_latin.take(pa.array(fi)), self.last_latin.take(pa.array(li))
        sep = pa.array(["", ".", "_"]).take(pa.array(rng.integers(0, 3, m)))
        handle = pc.binary_join_element_wise(flat_, sep, llat, uid, "")
        domain = pa.array(list(EMAIL_DOMAINS)).take(pa.array(rng.integers(0, 3, m)))
        email = pc.binary_join_element_wise(flat_, ".", llat, uid, "@", domain, "")
        phone = self.phones(rng, c, rng.random(m) < 0.07)
        return pa.table(
            {
                "user_id": pa.array(idx + 1),
                "handle": handle,
                "display_name": display,
                "email": email,
                "phone": phone,
                "country": COUNTRY_CODES.take(pa.array(c)),
                "language": LANG_CODES.take(pa.array(self.pop.lang[idx])),
                "created_at": self._ts(self.pop.created[idx]),
                "status": pa.array(status),
                "verified": pa.array(rng.random(m) < 0.03),
            }
        )

    @staticmethod
    def phones(rng: np.random.Generator, c: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
        """Plausible E.164 numbers for members of countries ``c`` (``null`` marks members without)."""
        prefixes, pstart, pcount = _flat([x.phone_prefixes for x in COUNTRIES])
        pi = _pick(rng, c, pstart, pcount)
        d = np.array([x.phone_digits for x in COUNTRIES])[c]
        number = rng.integers(2 * 10 ** (d - 1), 10**d)
        out = pc.binary_join_element_wise(
            prefixes.take(pa.array(pi)), pc.cast(pa.array(number), pa.string()), ""
        )
        if null is not None:
            out = pc.if_else(pa.array(null), pa.nulls(len(c), pa.string()), out)
        return out

    def profiles_table(self, no: int, idx: np.ndarray) -> pa.Table:
        rng = stream(self.seed, no, S_PROFILES)
        m = len(idx)
        lang, c = self.pop.lang[idx], self.pop.country[idx]
        bio = self.bios.take(pa.array(_pick(rng, lang, self.bio_start, self.bio_count)))
        city_i = _pick(rng, c, self.city_start, self.city_count)

        def sparse(values: tuple[str, ...], p: float) -> pa.Array:
            v = pa.array(list(values)).take(pa.array(rng.integers(0, len(values), m)))
            return pc.if_else(pa.array(rng.random(m) < p), v, pa.nulls(m, pa.string()))

        created = self.pop.created[idx]
        return pa.table(
            {
                "user_id": pa.array(idx + 1),
                "bio": pc.if_else(pa.array(rng.random(m) < 0.85), bio, pa.nulls(m, pa.string())),
                "birth_year": pa.array(rng.integers(1960, 2006, m).astype(np.int16)),
                "city": self.cities.take(pa.array(city_i)),
                "occupation": sparse(OCCUPATIONS, 0.7),
                "looking_for": sparse(LOOKING_FOR, 0.9),
                "gender_identity": sparse(GENDER_IDENTITIES, 0.35),
                "sexual_orientation": sparse(ORIENTATIONS, 0.3),
                "health_notes": sparse(HEALTH_NOTES, 0.03),
                "updated_at": self._ts(
                    created + (rng.random(m) * (-MINUTE - created)).astype(np.int64)
                ),
            }
        )

    def _photos(self, no: int, idx: np.ndarray, sink: Sink) -> np.ndarray:
        """Photo rows; rendered ones wait for their hashes. Returns each member's primary photo id."""
        rng = stream(self.seed, no, S_PHOTOS)
        m = len(idx)
        n_ph = 1 + (rng.random(m) < 0.5) + (rng.random(m) < 0.15)
        owner = np.repeat(idx, n_ph)
        rank = _segment_ranks(n_ph)
        pid = self.ids.take("photo", len(owner))
        seeds = rng.integers(0, 2**62, len(owner))
        created = self.pop.created[owner]
        up = created + (
            rng.random(len(owner)) * (-MINUTE - created) * (0.2 + 0.8 * rank / 3)
        ).astype(np.int64)
        status = np.where(rng.random(len(owner)) < 0.03, "removed", "active")
        rendered = owner < RENDER_LIMIT
        paths = (
            np.array(
                [f"photos/{(o + 1) // 1000:04d}/{p}.jpg" for o, p in zip(owner, pid)], dtype=object
            )
            if rendered.any()
            else None
        )
        rand_hash = ids.hex_ids(rng.integers(0, 2**63, len(owner)).astype(np.uint64), self.k_pay)
        rand_hash = pc.utf8_slice_codeunits(rand_hash, 0, 16)  # 64 random bits as 16 hex chars
        table = pa.table(
            {
                "photo_id": pa.array(pid),
                "user_id": pa.array(owner + 1),
                "path": pa.array(
                    paths if paths is not None else np.full(len(owner), None),
                    pa.string(),
                    mask=~rendered,
                ),
                "uploaded_at": self._ts(up),
                "width": pa.array(np.full(len(owner), 128, np.int32)),
                "height": pa.array(np.full(len(owner), 128, np.int32)),
                "phash": rand_hash,
                "is_primary": pa.array(rank == 0),
                "status": pa.array(status),
            }
        )
        if rendered.any():
            sel = np.flatnonzero(rendered)
            for k in sel:
                job = PhotoJob(paths[k], int(seeds[k]))
                self.photo_jobs.append((int(pid[k]), job))
                self.user_photos.setdefault(int(owner[k]) + 1, []).append(
                    (int(pid[k]), int(seeds[k]))
                )
            self.rendered_rows.append(table.take(pa.array(sel)).drop_columns(["phash"]))
            table = table.filter(pa.array(~rendered))
        if table.num_rows:
            sink("photos", table)
        return pid[rank == 0]

    def _devices_and_logins(
        self, no: int, idx: np.ndarray, prof: pa.Table, sink: Sink
    ) -> np.ndarray:
        rng = stream(self.seed, no, S_DEVICES)
        m = len(idx)
        nd = 1 + (rng.random(m) < 0.45) + (rng.random(m) < 0.12)
        dev_model = rng.integers(0, len(DEVICES), (m, DEVICE_SLOTS))
        rng = stream(self.seed, no, S_LOGINS)
        nl = 1 + rng.poisson(5.2, m)
        owner = np.repeat(np.arange(m), nl)
        u = idx[owner]
        n = len(owner)
        ts = self._uniform_time(rng, u)
        dslot = (rng.random(n) * nd[owner]).astype(np.int64)
        travel = rng.random(n) < 0.04
        tr_i = rng.integers(0, len(TRAVEL), n)
        slot = np.where(travel, 2 + _segment_ranks(nl) % (LOGIN_SLOTS - 2), rng.integers(0, 2, n))
        octet = np.where(
            travel, np.array([t[1] for t in TRAVEL])[tr_i], self.home_octets(rng, u, slot)
        )
        home_c = COUNTRY_CODES.take(pa.array(self.pop.country[u]))
        country = pc.if_else(
            pa.array(travel), pa.array([t[0] for t in TRAVEL]).take(pa.array(tr_i)), home_c
        )
        travel_city = pa.array(["Rome", "Amsterdam", "Toronto", "Dubai", "Istanbul", "Singapore"])
        city = pc.if_else(
            pa.array(travel),
            travel_city.take(pa.array(tr_i)),
            prof.column("city").take(pa.array(owner)),
        )
        model = dev_model[owner, dslot]
        agents = pa.array([d[2] for d in DEVICES])
        order = np.lexsort((ts, owner))  # ids follow (member, time)
        logins = pa.table(
            {
                "login_id": pa.array(self.ids.take("login", n)),
                "user_id": pa.array(u[order] + 1),
                "ts": self._ts(ts[order]),
                "ip": self.ips(u, slot, octet).take(pa.array(order)),
                "device_id": self.device_ids(u, dslot).take(pa.array(order)),
                "country": country.take(pa.array(order)),
                "city": city.take(pa.array(order)),
                "user_agent": agents.take(pa.array(model[order])),
                "success": pa.array((rng.random(n) >= 0.03)[order]),
            }
        )
        sink("logins", logins)
        # devices: first and last seen from the logins (or sign-up, for a device never logged in)
        flat = owner * DEVICE_SLOTS + dslot
        first = np.full(m * DEVICE_SLOTS, np.iinfo(np.int64).max)
        last = np.full(m * DEVICE_SLOTS, np.iinfo(np.int64).min)
        np.minimum.at(first, flat, ts)
        np.maximum.at(last, flat, ts)
        d_owner = np.repeat(np.arange(m), nd)
        d_slot = _segment_ranks(nd)
        f = first[d_owner * DEVICE_SLOTS + d_slot]
        la = last[d_owner * DEVICE_SLOTS + d_slot]
        unseen = f == np.iinfo(np.int64).max
        signup = self.pop.created[idx[d_owner]] + HOUR
        f = np.where(unseen, signup, f)
        la = np.where(unseen, signup, la)
        dm = dev_model[d_owner, d_slot]
        sink(
            "devices",
            pa.table(
                {
                    "device_id": self.device_ids(idx[d_owner], d_slot),
                    "user_id": pa.array(idx[d_owner] + 1),
                    "os": pa.array([d[0] for d in DEVICES]).take(pa.array(dm)),
                    "model": pa.array([d[1] for d in DEVICES]).take(pa.array(dm)),
                    "first_seen": self._ts(f),
                    "last_seen": self._ts(la),
                }
            ),
        )
        return nd

    def _messages(self, no: int, idx: np.ndarray, sink: Sink) -> None:
        rng = stream(self.seed, no, S_MESSAGES)
        pop = self.pop
        nc = rng.poisson(2.1, len(idx))
        init = np.repeat(idx, nc)
        c = len(init)
        # partners: mostly people writing the same language, sometimes anyone
        lang = pop.lang[init]
        same = rng.random(c) < 0.85
        partner = rng.integers(0, pop.n, c)
        for li, group in enumerate(pop.by_lang):
            sel = same & (lang == li)
            if sel.any() and len(group) > 1:
                partner[sel] = group[(rng.random(int(sel.sum())) * len(group)).astype(np.int64)]
        clash = partner == init
        partner[clash] = (partner[clash] + 1) % pop.n
        ok = partner != init
        init, partner = init[ok], partner[ok]
        c = len(init)
        lo = np.maximum(np.maximum(pop.created[init], pop.created[partner]), -WINDOW) + HOUR
        k = np.minimum(1 + rng.geometric(1 / 9.5, c), 80)
        n = int(k.sum())
        conv = np.repeat(np.arange(c), k)
        rank = _segment_ranks(k)
        gaps = rng.exponential(45 * MINUTE, n) * np.where(rng.random(n) < 0.08, 40, 1)
        gaps[rank == 0] = 0
        csum = np.cumsum(gaps)
        starts_at = np.cumsum(k) - k
        within = csum - csum[starts_at][conv]
        duration = within[starts_at + k - 1]
        avail = (-HOUR - lo).astype(float)
        scale = np.minimum(1.0, avail * 0.9 / np.maximum(duration, 1))
        begin = lo + (rng.random(c) * np.maximum(avail - duration * scale, 0)).astype(np.int64)
        sent = begin[conv] + (within * scale[conv]).astype(np.int64)
        switch = rng.random(n) < 0.7
        switch[rank == 0] = False
        side = np.cumsum(switch)
        side = (side - side[starts_at][conv]) % 2
        sender = np.where(side == 0, init[conv], partner[conv])
        recipient = np.where(side == 0, partner[conv], init[conv])
        slang = pop.lang[sender]
        line = (rng.random(n) * self.chat_lines[slang]).astype(np.int64)
        variant = np.where(rng.random(n) < 0.7, 0, rng.integers(1, 8, n))
        body = (self.chat_start[slang] + line * 8 + variant).astype(np.int32)
        has_media = rng.random(n) < 0.01
        conv_id = self.ids.take("conversation", c)
        mid = self.ids.take("message", n)
        sink(
            "messages",
            pa.table(
                {
                    "message_id": pa.array(mid),
                    "conversation_id": pa.array(conv_id[conv]),
                    "sender_id": pa.array(sender + 1),
                    "recipient_id": pa.array(recipient + 1),
                    "sent_at": self._ts(sent),
                    "body": pa.DictionaryArray.from_arrays(pa.array(body), self.chat_arr),
                    "has_media": pa.array(has_media),
                }
            ),
        )
        self._attachments(rng, mid[has_media], sink)
        self._reports(no, conv, rank, k, init, partner, sender, sent, mid, sink)

    def _attachments(self, rng: np.random.Generator, mids: np.ndarray, sink: Sink) -> None:
        n = len(mids)
        if not n:
            return
        kind = rng.choice(3, n, p=[0.82, 0.11, 0.07])
        pick = np.empty(n, dtype=np.int64)
        for ki, name in enumerate(("image", "audio", "video")):
            sel = kind == ki
            options = self.pool.by_kind[name]
            pick[sel] = options[rng.integers(0, len(options), int(sel.sum()))]
        p = pa.array(pick)
        sink(
            "attachments",
            pa.table(
                {
                    "attachment_id": pa.array(self.ids.take("attachment", n)),
                    "message_id": pa.array(mids),
                    "kind": self.pool.kind.take(p),
                    "path": self.pool.path.take(p),
                    "media_type": self.pool.media_type.take(p),
                    "size_bytes": pa.array(self.pool.size[pick]),
                    "sha256": self.pool.sha.take(p),
                }
            ),
        )

    def _reports(
        self,
        no: int,
        conv: np.ndarray,
        rank: np.ndarray,
        k: np.ndarray,
        init: np.ndarray,
        partner: np.ndarray,
        sender: np.ndarray,
        sent: np.ndarray,
        mid: np.ndarray,
        sink: Sink,
    ) -> None:
        rng = stream(self.seed, no, S_REPORTS)
        c = len(init)
        chosen = np.flatnonzero(rng.random(c) < 0.012)
        if not len(chosen):
            return
        reporter, reported = init[chosen], partner[chosen]
        # the reported member's first message in the conversation, if they wrote one
        in_sel = np.isin(conv, chosen) & (sender == partner[conv])
        first_msg = {}
        for cv, m_id in zip(conv[in_sel][::-1], mid[in_sel][::-1]):
            first_msg[int(cv)] = int(m_id)
        msg = np.array([first_msg.get(int(cv), -1) for cv in chosen])
        ends = (np.cumsum(k) - 1)[chosen]
        created = np.minimum(sent[ends] + rng.integers(10 * MINUTE, 2 * DAY, len(chosen)), -MINUTE)
        reason_i = rng.choice(len(REPORT_REASONS), len(chosen), p=REPORT_WEIGHTS)
        langs = self.pop.lang[reporter]
        texts = [
            text.REPORT_TEXT[text.LANGUAGES[lg]].get(REPORT_REASONS[r])
            if rng.random() < 0.6
            else None
            for lg, r in zip(langs, reason_i)
        ]
        order = np.argsort(created, kind="stable")
        sink(
            "reports",
            pa.table(
                {
                    "report_id": pa.array(self.ids.take("report", len(chosen))),
                    "reporter_id": pa.array(reporter[order] + 1),
                    "reported_user_id": pa.array(reported[order] + 1),
                    "message_id": pa.array(msg[order], mask=msg[order] < 0),
                    "reason": pa.array([REPORT_REASONS[r] for r in reason_i[order]]),
                    "free_text": pa.array([texts[i] for i in order], pa.string()),
                    "created_at": self._ts(created[order]),
                }
            ),
        )

    def _changes(
        self,
        no: int,
        idx: np.ndarray,
        users: pa.Table,
        prof: pa.Table,
        primary: np.ndarray,
        nd: np.ndarray,
        sink: Sink,
    ) -> None:
        rng = stream(self.seed, no, S_CHANGES)
        m = len(idx)
        who = np.flatnonzero(rng.random(m) < 0.1)
        if not len(who):
            return
        fields = np.array(["email", "phone", "password", "display_name", "bio", "photo"])
        f = fields[rng.choice(6, len(who), p=[0.2, 0.15, 0.3, 0.1, 0.15, 0.1])]
        u = idx[who]
        w = pa.array(who)
        email, phone = users.column("email").take(w), users.column("phone").take(w)
        display, bio = users.column("display_name").take(w), prof.column("bio").take(w)
        # an e-mail change leaves the current address as new_value; the old one was elsewhere
        old_email = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(email, 0, 3),
            pc.cast(pa.array(rng.integers(100, 99999, len(who))), pa.string()),
            "@example.net",
            "",
        )
        old_phone = self.phones(rng, self.pop.country[u])
        old_bio = self.bios.take(
            pa.array(_pick(rng, self.pop.lang[u], self.bio_start, self.bio_count))
        )
        old_display = pc.utf8_slice_codeunits(display, 0, 4)
        null = pa.nulls(len(who), pa.string())
        old = null
        new = null
        for name, o, nw in (
            ("email", old_email, email),
            ("phone", old_phone, phone),
            ("display_name", old_display, display),
            ("bio", old_bio, bio),
            ("photo", null, pc.cast(pa.array(primary[who]), pa.string())),
        ):
            sel = pa.array(f == name)
            old, new = pc.if_else(sel, o, old), pc.if_else(sel, nw, new)
        ts = self._uniform_time(rng, u)
        order = np.argsort(ts, kind="stable")
        o = pa.array(order)
        zero = np.zeros(len(who), dtype=np.int64)
        sink(
            "account_changes",
            pa.table(
                {
                    "change_id": pa.array(self.ids.take("change", len(who))),
                    "user_id": pa.array(u[order] + 1),
                    "ts": self._ts(ts[order]),
                    "field": pa.array(f[order]),
                    "old_value": old.take(o),
                    "new_value": new.take(o),
                    "ip": self.ips(u, zero, self.home_octets(rng, u, zero)).take(o),
                    "device_id": self.device_ids(u, zero).take(o),
                }
            ),
        )

    def instrument(self, user_idx: np.ndarray, slot: np.ndarray) -> pa.Array:
        return ids.hex_ids(
            user_idx.astype(np.uint64) * INSTRUMENT_SLOTS + slot.astype(np.uint64), self.k_pay
        )

    def _payments(self, no: int, idx: np.ndarray, sink: Sink) -> None:
        rng = stream(self.seed, no, S_PAYMENTS)
        payers = idx[rng.random(len(idx)) < 0.18]
        if not len(payers):
            return
        n_pay = rng.integers(1, 6, len(payers))
        n_inst = 1 + (rng.random(len(payers)) < 0.15)
        inst_type = rng.choice(4, (len(payers), 2), p=[0.6, 0.15, 0.15, 0.1])
        u = np.repeat(payers, n_pay)
        own = np.repeat(np.arange(len(payers)), n_pay)
        n = len(u)
        slot = (rng.random(n) * n_inst[own]).astype(np.int64)
        prod = rng.choice(len(PRODUCTS), n, p=[0.35, 0.1, 0.05, 0.35, 0.15])
        cur = np.array([c.currency for c in COUNTRIES])[self.pop.country[u]]
        rate = np.array([RATES[x] for x in cur])
        usd = np.array([p[1] for p in PRODUCTS])[prod]
        whole = np.isin(cur, ["JPY", "KRW"])
        amount = np.where(whole, np.round(usd * rate, -1), np.floor(usd * rate) + 0.99)
        status = np.array(["succeeded", "failed", "refunded", "chargeback"])[
            rng.choice(4, n, p=[0.93, 0.04, 0.02, 0.01])
        ]
        ts = self._uniform_time(rng, u)
        order = np.lexsort((ts, u))
        o = pa.array(order)
        sink(
            "payments",
            pa.table(
                {
                    "payment_id": pa.array(self.ids.take("payment", n)),
                    "user_id": pa.array(u[order] + 1),
                    "ts": self._ts(ts[order]),
                    "amount": pa.array(amount[order]),
                    "currency": pa.array(cur[order]),
                    "instrument_fingerprint": self.instrument(u, slot).take(o),
                    "instrument_type": pa.array(
                        np.array(["card", "paypal", "apple_pay", "google_pay"])[
                            inst_type[own, slot]
                        ][order]
                    ),
                    "product": pa.array(np.array([p[0] for p in PRODUCTS])[prod][order]),
                    "status": pa.array(status[order]),
                }
            ),
        )

    def _moderation(self, no: int, idx: np.ndarray) -> tuple[np.ndarray, tuple | None]:
        """Members' status and the actions behind it (a ban makes 'banned', a running
        suspension 'suspended'); a few appeals against those actions."""
        rng = stream(self.seed, no, S_MOD)
        m = len(idx)
        status = np.where(rng.random(m) < 0.004, "deleted", "active").astype(object)
        hit = np.flatnonzero(rng.random(m) < 0.02)
        if not len(hit):
            return status, None
        a = rng.integers(0, len(ACTIONS), len(hit))
        action = np.array([x[0] for x in ACTIONS])[a]
        clause = np.array([x[1] for x in ACTIONS])[a]
        u = idx[hit]
        lo = self._window_start(u)
        # severe actions come late in a member's history: little activity after them
        late = np.isin(action, ["ban", "suspension"])
        ts = np.where(
            late,
            -(rng.random(len(hit)) * 10 * DAY).astype(np.int64) - HOUR,
            lo + (rng.random(len(hit)) * (-HOUR - lo)).astype(np.int64),
        )
        expires = np.where(action == "suspension", ts + 7 * DAY, 0)
        status[hit[action == "ban"]] = "banned"
        status[hit[(action == "suspension") & (expires > 0)]] = "suspended"
        actor = np.where(
            rng.random(len(hit)) < 0.4,
            "automated",
            np.char.add("mod-", rng.integers(100, 140, len(hit)).astype(str)),
        )
        order = np.argsort(ts, kind="stable")
        aid = self.ids.take("action", len(hit))
        actions = pa.table(
            {
                "action_id": pa.array(aid),
                "user_id": pa.array(u[order] + 1),
                "ts": self._ts(ts[order]),
                "action": pa.array(action[order]),
                "clause": pa.array(clause[order]),
                "reason": pa.array([ACTION_REASONS[x] for x in action[order]]),
                "actor": pa.array(actor[order]),
                "message_id": pa.nulls(len(hit), pa.int64()),
                "expires_at": self._ts(expires[order], mask=(action[order] != "suspension")),
            }
        )
        appealed = np.flatnonzero((rng.random(len(hit)) < 0.35) & (action[order] != "warning"))
        appeals = None
        if len(appealed):
            a_ts = ts[order][appealed] + rng.integers(HOUR, 3 * DAY, len(appealed))
            a_ts = np.minimum(a_ts, -MINUTE)
            decided = a_ts + rng.integers(HOUR, 5 * DAY, len(appealed))
            pending = decided >= 0
            st = np.where(
                pending,
                "pending",
                np.where(rng.random(len(appealed)) < 0.75, "upheld", "overturned"),
            )
            au = u[order][appealed]
            texts = [
                text.APPEAL_TEXT[text.LANGUAGES[self.pop.lang[x]]][int(r)]
                for x, r in zip(au, rng.integers(0, 2, len(appealed)))
            ]
            appeals = pa.table(
                {
                    "appeal_id": pa.array(self.ids.take("appeal", len(appealed))),
                    "user_id": pa.array(au + 1),
                    "action_id": pa.array(aid[appealed]),
                    "created_at": self._ts(a_ts),
                    "text": pa.array(texts),
                    "status": pa.array(st),
                    "decided_at": self._ts(decided, mask=pending),
                }
            )
        return status, (actions, appeals)
