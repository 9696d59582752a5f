"""Fast near-duplicate search over 64-bit perceptual hashes (Hamming distance).

Two exact strategies over the same arrays, chosen per query:

* **multi-index hashing** (Norouzi et al.): the 64 bits are cut into 4 bands of 16. If two hashes
  differ in at most ``r`` bits, then by pigeonhole at least one band differs in at most
  ``r // 4`` bits. Each band keeps its values sorted, so the candidates are found with a few
  hundred vectorised binary searches (every 16-bit value within ``r // 4`` flips of the query's
  band), then verified with a popcount. Sub-millisecond on a million hashes for small radii.
* **vectorised scan**: XOR and ``numpy.bitwise_count`` over the whole array (~2 ms per million
  hashes); used for large radii where the band neighbourhoods get big.

Both return exactly the hashes within the radius (no approximation).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from workbench.config import settings
from workbench.content import profiles
from workbench.errors import InputError
from workbench.platform import schema as S
from workbench.queries import door

BANDS = 4
BAND_BITS = 64 // BANDS
# Above this per-band flip budget the neighbourhood (sum C(16, k)) outgrows a scan.
MAX_BAND_FLIPS = 2


def parse_hash(value: object) -> int:
    """A 64-bit hash as an int, from 16 hex characters (or an int); :class:`InputError` if not."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        v = int(value)
        if 0 <= v < 2**64:
            return v
    elif isinstance(value, str):
        s = value.strip().lower()
        if s.startswith("0x"):
            s = s[2:]
        if 0 < len(s) <= 16 and all(c in "0123456789abcdef" for c in s):
            return int(s, 16)
    raise InputError(
        f"{str(value)[:40]!r} is not a 64-bit perceptual hash",
        "give 16 hexadecimal characters, as stored in photos.phash",
    )


def signed_int64(value: object) -> int:
    """A hash (hex or int) as the signed 64-bit integer stored in ``photos.phash_int``: the same
    bits in two's complement, because PostgreSQL's BIGINT has no unsigned form."""
    v = parse_hash(value)
    return v - 2**64 if v >= 2**63 else v


def hashes_from_hex(values: Iterable[object]) -> np.ndarray:
    """An array of uint64 from hex strings (None/empty values are refused; filter them first)."""
    return np.fromiter((parse_hash(v) for v in values), dtype=np.uint64)


@lru_cache(maxsize=8)
def _flip_masks(flips: int) -> np.ndarray:
    """Every 16-bit mask with at most ``flips`` bits set (0 included)."""
    masks = [0]
    for k in range(1, flips + 1):
        for bits in combinations(range(BAND_BITS), k):
            m = 0
            for b in bits:
                m |= 1 << b
            masks.append(m)
    return np.array(masks, dtype=np.uint64)


@dataclass(frozen=True)
class Match:
    """One hit: position in the index, its id, owner and distance."""

    pos: int
    id: int
    owner: int
    distance: int


class PhotoIndex:
    """Hashes with ids and owners; ``search(hash, radius)`` finds all within ``radius`` bits."""

    def __init__(
        self,
        hashes: np.ndarray | Sequence[int],
        ids: Sequence[int] | np.ndarray | None = None,
        owners: Sequence[int] | np.ndarray | None = None,
    ) -> None:
        self.hashes = np.ascontiguousarray(np.asarray(hashes, dtype=np.uint64))
        n = len(self.hashes)
        self.ids = np.arange(n, dtype=np.int64) if ids is None else np.asarray(ids, dtype=np.int64)
        self.owners = (
            np.zeros(n, dtype=np.int64) if owners is None else np.asarray(owners, dtype=np.int64)
        )
        if len(self.ids) != n or len(self.owners) != n:
            raise InputError("hashes, ids and owners must have the same length")
        # Per band: the band values sorted, and the positions that sort them.
        self._order: list[np.ndarray] = []
        self._sorted: list[np.ndarray] = []
        for b in range(BANDS):
            band = ((self.hashes >> np.uint64(b * BAND_BITS)) & np.uint64(0xFFFF)).astype(np.uint16)
            order = np.argsort(band, kind="stable")
            self._order.append(order)
            self._sorted.append(band[order])

    @classmethod
    def from_hex(
        cls, hex_hashes: Iterable[object], ids: Sequence[int], owners: Sequence[int]
    ) -> PhotoIndex:
        return cls(hashes_from_hex(hex_hashes), ids, owners)

    def __len__(self) -> int:
        return len(self.hashes)

    # ------------------------------------------------------------------ search

    def positions(
        self, query: object, radius: int, method: str = "auto"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions of all hashes within ``radius`` bits of ``query`` and their distances,
        sorted by (distance, position). ``method``: ``auto``, ``mih`` or ``scan``."""
        q = np.uint64(parse_hash(query))
        if (
            not isinstance(radius, (int, np.integer))
            or isinstance(radius, bool)
            or not 0 <= radius <= 64
        ):
            raise InputError(
                f"max distance {radius!r} is not a number of bits from 0 to 64",
                "near-duplicates are usually within 10 bits",
            )
        if method == "auto":
            method = "mih" if radius // BANDS <= MAX_BAND_FLIPS else "scan"
        if method == "scan":
            pos = self._scan(q, int(radius))
        elif method == "mih":
            pos = self._mih(q, int(radius))
        else:
            raise InputError(f"unknown search method {method!r}", "use auto, mih or scan")
        dist = (
            np.bitwise_count(self.hashes[pos] ^ q).astype(np.int64)
            if len(pos)
            else np.empty(0, np.int64)
        )
        order = np.lexsort((pos, dist))
        return pos[order], dist[order]

    def search(self, query: object, radius: int, method: str = "auto") -> list[Match]:
        pos, dist = self.positions(query, radius, method)
        return [
            Match(int(p), int(self.ids[p]), int(self.owners[p]), int(d)) for p, d in zip(pos, dist)
        ]

    def _scan(self, q: np.uint64, radius: int) -> np.ndarray:
        return np.flatnonzero(np.bitwise_count(self.hashes ^ q) <= radius)

    def _mih(self, q: np.uint64, radius: int) -> np.ndarray:
        masks = _flip_masks(radius // BANDS)
        found = []
        for b in range(BANDS):
            qb = (q >> np.uint64(b * BAND_BITS)) & np.uint64(0xFFFF)
            keys = np.unique((masks ^ qb).astype(np.uint16))
            srt = self._sorted[b]
            lo = np.searchsorted(srt, keys, side="left")
            hi = np.searchsorted(srt, keys, side="right")
            hit = hi > lo
            if not hit.any():
                continue
            lo, hi = lo[hit], hi[hit]
            # Concatenate the ranges [lo, hi) without a Python loop.
            lengths = hi - lo
            starts = np.repeat(lo - np.cumsum(np.r_[0, lengths[:-1]]), lengths)
            idx = starts + np.arange(lengths.sum())
            found.append(self._order[b][idx])
        if not found:
            return np.empty(0, dtype=np.int64)
        cand = np.concatenate(found)
        keep = np.bitwise_count(self.hashes[cand] ^ q) <= radius
        return np.unique(cand[keep])  # a hash close in several bands is found several times


def brute_force(hashes: Sequence[int], query: int, radius: int) -> list[int]:
    """Reference: a plain Python loop (for tests and the benchmark's baseline)."""
    return [i for i, h in enumerate(hashes) if (h ^ query).bit_count() <= radius]


#: Default Hamming radius for "the same photo": re-encodes and resizes land within a few bits,
#: light crops (~5% a side) and filters within about twelve; unrelated photos sit near 32.
DEFAULT_MAX_DISTANCE = 12


# --------------------------------------------------------------------------- photo reuse on the platform

_index_lock = threading.Lock()
_index_cache: dict[str, tuple[tuple, PhotoIndex, pd.DataFrame]] = {}


def photo_index(refresh: bool = False) -> tuple[PhotoIndex, pd.DataFrame]:
    """The hash index over every photo with a hash, and the photo rows in index order (read
    through the door: ``content.photo_index``, or part of the act that asks)."""
    key = settings().data_url.render_as_string(hide_password=False)
    t = S.photos
    hashed = t.c.phash.is_not(None)
    stamp = tuple(
        profiles.read(
            select(func.count().label("n"), func.max(t.c.photo_id).label("last")).where(hashed),
            "content.photo_index",
            subjects=[],
        ).iloc[0]
    )
    with _index_lock:
        cached = _index_cache.get(key)
        if cached and cached[0] == stamp and not refresh:
            return cached[1], cached[2]
        rows = profiles.read(
            select(t.c.photo_id, t.c.user_id, t.c.phash, t.c.status, t.c.path)
            .where(hashed)
            .order_by(t.c.photo_id),
            "content.photo_index",
            subjects=[],
            whole=True,
        )
        index = PhotoIndex.from_hex(
            rows["phash"], rows["photo_id"].to_numpy(), rows["user_id"].to_numpy()
        )
        _index_cache[key] = (stamp, index, rows)
        return index, rows


SIMILAR_COLUMNS = [
    "query_photo_id",
    "query_user_id",
    "photo_id",
    "user_id",
    "distance",
    "status",
    "path",
]


def similar_photos(
    user_id: object | None = None,
    photo_id: object | None = None,
    *,
    max_distance: int = DEFAULT_MAX_DISTANCE,
    include_same_user: bool = False,
    phash: str | None = None,
    case: str | None = None,
) -> pd.DataFrame:
    """Photos on other accounts within ``max_distance`` bits of a user's photos, of one photo,
    or of a raw ``phash``: re-uploads, crops and re-encodes. Closest first. One audit record
    (``content.similar_photos``) names the users whose photos matched."""
    given = [v is not None for v in (user_id, photo_id, phash)]
    if sum(given) != 1:
        raise InputError(
            "give exactly one of user_id, photo_id or phash",
            "e.g. similar_photos(user_id=123) or similar_photos(photo_id=456)",
        )
    if (
        isinstance(max_distance, bool)
        or not isinstance(max_distance, int)
        or not 0 <= max_distance <= 32
    ):
        raise InputError(
            f"max_distance {max_distance!r} is not a number of bits from 0 to 32",
            f"near-duplicates are usually within {DEFAULT_MAX_DISTANCE} bits",
        )
    with door.act("content.similar_photos", case=case, subjects=_given_user(user_id)) as act:
        return _similar(act, user_id, photo_id, phash, max_distance, include_same_user)


def _given_user(user_id: object | None) -> list[int]:
    try:
        return [] if user_id is None else [int(user_id)]  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return []


def _similar(act, user_id, photo_id, phash, max_distance, include_same_user) -> pd.DataFrame:
    queries: list[tuple[int | None, int | None, str]]
    if phash is not None:
        queries = [(None, None, phash)]
    elif photo_id is not None:
        p = profiles.photo(photo_id)
        if not p.get("phash"):
            raise InputError(
                f"photo {p['photo_id']} has no perceptual hash", "it was not hashed at ingest"
            )
        queries = [(int(p["photo_id"]), int(p["user_id"]), p["phash"])]
    else:
        uid = int(profiles.user(user_id)["user_id"])
        mine = profiles.photos(uid)
        queries = [
            (int(r.photo_id), uid, r.phash) for r in mine.itertuples() if isinstance(r.phash, str)
        ]
    index, rows = photo_index()
    out = []
    for qpid, quid, h in queries:
        pos, dist = index.positions(h, max_distance)
        for p, d in zip(pos.tolist(), dist.tolist()):
            pid, owner = int(index.ids[p]), int(index.owners[p])
            if pid == qpid or (not include_same_user and quid is not None and owner == quid):
                continue
            out.append((qpid, quid, pid, owner, int(d), rows["status"].iat[p], rows["path"].iat[p]))
    df = pd.DataFrame(out, columns=SIMILAR_COLUMNS)
    act.about([q for _, q, _ in queries if q is not None] + list(df["user_id"]))
    if not df.empty:
        df = (
            df.sort_values(["distance", "photo_id"])
            .drop_duplicates(["query_photo_id", "photo_id"])
            .reset_index(drop=True)
        )
    return df


def reused_by(
    user_id: object, *, max_distance: int = DEFAULT_MAX_DISTANCE, case: str | None = None
) -> pd.DataFrame:
    """Accounts whose photos match ``user_id``'s: one row per account, closest match first."""
    df = similar_photos(user_id=user_id, max_distance=max_distance, case=case)
    if df.empty:
        return pd.DataFrame(columns=["user_id", "photos", "min_distance"])
    return (
        df.groupby("user_id")
        .agg(photos=("photo_id", "nunique"), min_distance=("distance", "min"))
        .reset_index()
        .sort_values(["min_distance", "user_id"], ignore_index=True)
    )
