"""Build the demo platform: ``generate_demo(home, seed=7, users=5000, anchor=None)``.

Writes, under ``home``:

* ``platform.duckdb``: every table of :mod:`workbench.platform.schema`, built in a temporary
  file next to it and moved into place with ``os.replace`` (readers never see half a file);
* ``media/photos/...`` (JPEG profile photos) and ``media/attachments/...`` (images, WAV voice
  notes, WebM clips; content-addressed by SHA-256), swapped in as a whole folder;
* ``ground_truth.json``: ``{"seed", "anchor", "users", "generator_version", "scenarios": [{"kind",
  "users", "details"}], "decoys": [{"kind", "users", "details"}]}``: what was planted, and the
  innocent sharing planted beside it (so that precision can be scored).

Deterministic: the same seed, user count and anchor give identical table contents (and media
files); another anchor shifts every timestamp by the same constant. All randomness comes from
``numpy.random.Generator(PCG64(...))`` seeded from ``seed``.

Scale: ordinary activity is generated with numpy a chunk of 20,000 members at a time and
bulk-inserted through Arrow (``INSERT ... SELECT`` from a registered Arrow table), so memory stays
bounded at a million members (20M+ messages, 6M+ logins). Photo files are rendered for the first
20,000 ordinary members and every planted actor; beyond that, ``photos.path`` is NULL and
``photos.phash`` holds a hash drawn at random: those photos live in "a remote image store,
hashes only". DuckDB tables carry no primary-key indexes (bulk loading stays fast); ids are
unique by construction and the tests check it. Before publishing, each table is rewritten in
the order of its lookup key (:mod:`workbench.demo.layout`) so per-account queries read a few
row groups instead of whole columns.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import duckdb
import pyarrow as pa

from workbench.demo import layout, media, scenarios
from workbench.demo.ordinary import CHUNK, Counters, MediaPool, Ordinary, Population, stream
from workbench.errors import InputError, WorkbenchError
from workbench.platform import derived
from workbench.platform.engine import dispose_all
from workbench.platform.schema import TABLES

MIN_USERS = 200
MAX_USERS = 2_000_000  # identifier uniqueness is guaranteed up to here (see ids.ipv4)
POOL_IMAGES, POOL_AUDIO, POOL_VIDEO = 40, 8, 6
GENERATOR_VERSION = 3  # 2: photos.phash_int, account_identifiers; 3: holders, spread actors, decoys


def outdated(home: Path) -> str | None:
    """Why the demo in ``home`` predates this generator (its tables lack what the query
    library needs), or None when it is current or is not a generated demo."""
    try:
        truth = json.loads((Path(home) / "ground_truth.json").read_text(encoding="utf-8"))
        made_by = truth.get("generator_version")
    except (OSError, ValueError, AttributeError):
        return None
    if made_by == GENERATOR_VERSION:
        return None
    # the same seed, size and anchor give the same members, so filed cases stay valid
    again = " ".join(
        f"--{k} {truth[k] if k != 'anchor' else str(truth[k])[:10]}"
        for k in ("seed", "users", "anchor")
        if truth.get(k) is not None
    )
    return (
        f"the demo platform in {home} was made by generator version {made_by}, this "
        f"workbench needs version {GENERATOR_VERSION}: some queries will fail. Rebuild it "
        f"with `workbench demo generate --home {home} {again}` (the same members; cases "
        f"already filed are kept)"
    )


@dataclass
class GenerateResult:
    """What a build produced: where, from what, how long, how many rows and bytes."""

    home: Path
    seed: int
    users: int
    anchor: datetime
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    db_bytes: int = 0
    media_bytes: int = 0

    @property
    def bytes(self) -> int:
        return self.db_bytes + self.media_bytes

    @property
    def db_path(self) -> Path:
        return self.home / "platform.duckdb"


def default_anchor() -> datetime:
    """Today at 00:00 UTC."""
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _check_args(seed: int, users: int, anchor: datetime | None) -> datetime:
    if isinstance(users, bool) or not isinstance(users, int) or not MIN_USERS <= users <= MAX_USERS:
        raise InputError(
            f"users must be a whole number from {MIN_USERS} to {MAX_USERS:,}, not {users!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InputError(f"seed must be a non-negative whole number, not {seed!r}")
    if anchor is None:
        return default_anchor()
    if not isinstance(anchor, datetime):
        raise InputError(f"anchor must be a datetime, not {type(anchor).__name__}")
    if anchor.tzinfo is None:
        anchor = anchor.replace(tzinfo=UTC)
    return anchor.astimezone(UTC)


def _prepare_home(home: Path) -> Path:
    home = Path(home).expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise WorkbenchError(
            f"cannot write the demo platform to {home}: {exc.strerror or exc}",
            "choose a folder you can write (--home or WORKBENCH_HOME)",
        ) from None
    return home.resolve()


def _make_sink(con: duckdb.DuckDBPyConnection):
    def sink(table: str, data: pa.Table) -> None:
        con.register("_chunk", data)
        try:
            con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _chunk')
        finally:
            con.unregister("_chunk")

    return sink


def _media_pool(seed: int, root: Path) -> MediaPool:
    """Write the shared attachment files (images, voice notes, clips); content-addressed."""
    rng = stream(seed, 0xBEEF)
    suffix, vtype = media.video_suffix()
    entries = []

    def put(kind: str, data: bytes, ext: str, mtype: str) -> None:
        sha = media.sha256_hex(data)
        rel = f"attachments/{sha[:2]}/{sha}{ext}"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entries.append(
            {"kind": kind, "path": rel, "media_type": mtype, "size_bytes": len(data), "sha256": sha}
        )

    for s in rng.integers(0, 2**62, POOL_IMAGES):
        put("image", media.jpeg_bytes(media.PhotoJob("", int(s))), ".jpg", "image/jpeg")
    for s in rng.integers(0, 2**62, POOL_AUDIO):
        put("audio", media.wav_bytes(int(s)), ".wav", "audio/wav")
    for s in rng.integers(0, 2**62, POOL_VIDEO):
        put("video", media.webm_bytes(int(s)), suffix, vtype)
    return MediaPool(entries)


class _PhotoRenderer:
    """Renders photo jobs in worker processes while the main process carries on; when the main
    process collects, it renders itself every batch no worker has started yet."""

    BATCH = 100

    def __init__(self, root: Path, jobs: list[media.PhotoJob]) -> None:
        self.root = str(root)
        self.batches = [jobs[i : i + self.BATCH] for i in range(0, len(jobs), self.BATCH)]
        self.executor: ProcessPoolExecutor | None = None
        self.futures: list[Future] = []
        workers = min(2, os.cpu_count() or 1)
        # spawned workers re-import __main__: impossible when it was read from stdin
        main_file = getattr(sys.modules.get("__main__"), "__file__", None)
        importable = main_file is None or Path(main_file).exists()
        if len(jobs) > 2000 and workers > 1 and importable:  # fewer: starting workers costs more
            # spawn, not fork: the parent holds DuckDB threads and locks a fork would copy
            self.executor = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
            self.futures = [
                self.executor.submit(media._render_batch, self.root, b) for b in self.batches
            ]

    def collect(self) -> list[tuple[str, int, int]]:
        """``(phash, width, height)`` per job, in job order."""
        parts: list[list[tuple[str, int, int]] | None] = [None] * len(self.batches)
        if self.executor is None:
            parts = [media._render_batch(self.root, b) for b in self.batches]
        else:
            # workers take batches from the front; the main process takes them from the back
            for i in range(len(self.batches) - 1, -1, -1):
                if not self.futures[i].cancel():
                    break
                parts[i] = media._render_batch(self.root, self.batches[i])
            for i, fut in enumerate(self.futures):
                if parts[i] is None:
                    try:
                        parts[i] = fut.result()
                    except BrokenProcessPool:  # a worker died: render its batch here
                        parts[i] = media._render_batch(self.root, self.batches[i])
        return [r for part in parts for r in part]

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)


def _remove_later(path: Path) -> None:
    """Delete a folder in a detached process: unlinking thousands of media files can take long
    on a disk mounted with ``discard``, and nobody needs to wait for it."""
    if path.exists():
        import subprocess

        subprocess.Popen(
            ["rm", "-rf", "--", str(path)],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def _dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def generate_demo(
    home: Path,
    *,
    seed: int = 7,
    users: int = 5000,
    anchor: datetime | None = None,
    progress: bool = False,
) -> GenerateResult:
    """Generate the demo platform under ``home`` (see the module docstring); returns a summary."""
    anchor = _check_args(seed, users, anchor)
    home = _prepare_home(home)
    t0 = time.perf_counter()
    pid = os.getpid()
    tmp_db = home / f".platform.duckdb.tmp-{pid}"
    tmp_sorted = home / f".platform.duckdb.sorted-{pid}"
    tmp_media = home / f".media.tmp-{pid}"
    for p in (tmp_db, Path(f"{tmp_db}.wal"), tmp_sorted, Path(f"{tmp_sorted}.wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(tmp_media, ignore_errors=True)
    renderer: _PhotoRenderer | None = None
    try:
        con = duckdb.connect(str(tmp_db))
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET threads = {max(1, min(4, os.cpu_count() or 1))}")
        layout.create_tables(con)
        sink = _make_sink(con)
        anchor_us = int(anchor.timestamp()) * 1_000_000 + anchor.microsecond

        pop = Population.draw(seed, users)
        actors = scenarios.cast_actors(pop, seed)  # members like any other, spread over the ids
        counters = Counters()
        pool = _media_pool(seed, tmp_media)
        gen = Ordinary(seed, pop, anchor_us, pool, counters)

        chunks = [(no, lo, min(lo + CHUNK, users)) for no, lo in enumerate(range(0, users, CHUNK))]
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=users, unit="member", desc="demo platform")
        for no, lo, hi in chunks:
            gen.chunk(no, lo, hi, sink)
            if no == 0:  # chunk 0 holds every member whose photos are rendered: start them now
                renderer = _PhotoRenderer(tmp_media, [j for _, j in gen.photo_jobs])
            if bar:
                bar.update(hi - lo)
        if bar:
            bar.close()

        planter = scenarios.Planter(
            con, sink, seed, pop, actors, gen, counters, anchor, anchor_us, tmp_media
        )
        truth, decoys = planter.plant()
        for rel, data in planter.attachments:
            (tmp_media / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_media / rel).write_bytes(data)

        # rendered photos: their rows go in once the hashes are known
        results = renderer.collect() if renderer else []
        if gen.rendered_rows:
            table = pa.concat_tables(gen.rendered_rows)
            table = table.append_column("phash", pa.array([r[0] for r in results], pa.string()))
            table = table.set_column(
                table.schema.get_field_index("width"),
                "width",
                pa.array([r[1] for r in results], pa.int32()),
            )
            table = table.set_column(
                table.schema.get_field_index("height"),
                "height",
                pa.array([r[2] for r in results], pa.int32()),
            )
            sink("photos", table)

        con.execute("SET memory_limit = '1GB'")  # from here on sorts spill instead of growing
        derived.derive(con)  # phash_int, account_identifiers
        rows = {
            t.name: con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in TABLES
        }
        # the published file is a sorted copy: each table in the order investigations look it up
        layout.write_clustered(con, tmp_sorted)
        con.close()
        for p in (tmp_db, Path(f"{tmp_db}.wal")):
            p.unlink(missing_ok=True)
        truth_doc = {
            "seed": seed,
            "anchor": anchor.isoformat().replace("+00:00", "Z"),
            "users": users,
            "generator_version": GENERATOR_VERSION,
            "scenarios": truth,
            "decoys": decoys,
        }

        # publish: media folder, database file, then the ground truth

        dispose_all()  # no cached engine keeps the old file open
        old_media = home / f".media.old-{pid}"
        if (home / "media").exists():
            os.replace(home / "media", old_media)
        os.replace(tmp_media, home / "media")
        _remove_later(old_media)
        os.replace(tmp_sorted, home / "platform.duckdb")
        tmp_truth = home / f".ground_truth.json.tmp-{pid}"
        tmp_truth.write_text(json.dumps(truth_doc, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp_truth, home / "ground_truth.json")
    except BaseException:
        for p in (tmp_db, Path(f"{tmp_db}.wal"), tmp_sorted, Path(f"{tmp_sorted}.wal")):
            p.unlink(missing_ok=True)
        _remove_later(tmp_media)
        raise
    finally:
        if renderer is not None:
            renderer.close()
    return GenerateResult(
        home=home,
        seed=seed,
        users=users,
        anchor=anchor,
        seconds=time.perf_counter() - t0,
        rows=rows,
        db_bytes=(home / "platform.duckdb").stat().st_size,
        media_bytes=_dir_bytes(home / "media"),
    )
