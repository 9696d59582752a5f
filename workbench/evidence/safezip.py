"""Reading zips someone else made, in bounded memory: bundles handed back to be verified.

:func:`open_checked` reads the central directory and refuses, before a byte is inflated, an
archive with too many entries, an entry or a total that declares too much, an entry that would
inflate beyond :attr:`Limits.max_ratio`, encrypted entries, compression methods other than
stored and deflate, unsafe names (absolute, ``..``, drive letters, NUL), symbolic links,
duplicate names, and entries that overlap (one local file shared by many directory records).
:func:`stream` then reads one entry in chunks and stops as soon as it produces more than it
declared. Every refusal is one :class:`UnsafeZip` line.
"""

from __future__ import annotations

import stat
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from workbench.errors import InputError


class UnsafeZip(InputError):
    """The archive breaks a limit or is malformed; ``reason`` is a short code."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(f"refused: {detail}", "this is not a bundle the workbench wrote")


@dataclass(frozen=True)
class Limits:
    max_entries: int = 10_000
    max_entry_bytes: int = 64 << 30  # media can be big; streaming keeps memory flat
    max_total_bytes: int = 256 << 30
    max_ratio: float = 200.0  # inflated / compressed, for entries over ratio_floor_bytes
    ratio_floor_bytes: int = 1 << 20
    max_name_len: int = 1024
    chunk: int = 1 << 20


METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


def _check_name(name: str, lim: Limits) -> None:
    if len(name) > lim.max_name_len or "\x00" in name:
        raise UnsafeZip("bad_name", "an entry has an unusable name")
    p = name.replace("\\", "/")
    if p.startswith("/") or (len(p) > 1 and p[1] == ":") or ".." in PurePosixPath(p).parts:
        raise UnsafeZip("path", f"the entry {name[:80]!r} points outside the archive")


def check(zf: zipfile.ZipFile, fp: BinaryIO, lim: Limits) -> list[zipfile.ZipInfo]:
    """The archive's entries, after every check that needs no inflating."""
    infos = zf.infolist()
    if len(infos) > lim.max_entries:
        raise UnsafeZip("entries", f"{len(infos):,} entries (at most {lim.max_entries:,})")
    total, seen = 0, set()
    for i in infos:
        _check_name(i.filename, lim)
        if i.filename in seen:
            raise UnsafeZip("duplicate", f"the entry {i.filename[:80]!r} appears twice")
        seen.add(i.filename)
        if i.flag_bits & 0x1:
            raise UnsafeZip("encrypted", f"the entry {i.filename[:80]!r} is encrypted")
        if i.compress_type not in METHODS:
            raise UnsafeZip(
                "method", f"the entry {i.filename[:80]!r} uses compression method {i.compress_type}"
            )
        if stat.S_ISLNK(i.external_attr >> 16):
            raise UnsafeZip("symlink", f"the entry {i.filename[:80]!r} is a symbolic link")
        if i.file_size > lim.max_entry_bytes:
            raise UnsafeZip("size", f"the entry {i.filename[:80]!r} declares {i.file_size:,} bytes")
        if i.file_size >= lim.ratio_floor_bytes and i.file_size > lim.max_ratio * max(
            i.compress_size, 1
        ):
            ratio = i.file_size / max(i.compress_size, 1)
            raise UnsafeZip(
                "ratio",
                f"the entry {i.filename[:80]!r} would inflate {ratio:,.0f} times (a zip bomb)",
            )
        total += i.file_size
        if total > lim.max_total_bytes:
            raise UnsafeZip("total", f"the entries declare more than {lim.max_total_bytes:,} bytes")
    spans = []
    for i in infos:
        fp.seek(i.header_offset)
        h = fp.read(30)
        if len(h) != 30 or h[:4] != b"PK\x03\x04":
            raise UnsafeZip("header", f"the entry {i.filename[:80]!r} has no local header")
        n, m = struct.unpack("<HH", h[26:30])
        spans.append((i.header_offset, i.header_offset + 30 + n + m + i.compress_size, i.filename))
    spans.sort()
    for (_, e1, n1), (s2, _, _n2) in zip(spans, spans[1:]):
        if s2 < e1:
            raise UnsafeZip("overlap", f"entries overlap in the archive ({n1[:60]!r})")
    return infos


def open_checked(
    fp: BinaryIO, lim: Limits = Limits()
) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The checked archive and its entries; :class:`UnsafeZip` for anything unsafe."""
    try:
        zf = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UnsafeZip("not_zip", f"not a readable zip ({str(exc)[:80]})") from None
    try:
        return zf, check(zf, fp, lim)
    except BaseException:
        zf.close()
        raise


def stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, lim: Limits = Limits()) -> Iterator[bytes]:
    """The entry's bytes in chunks; never more than it declared (:class:`UnsafeZip` if so), and
    a damaged entry (bad CRC, bad deflate data) is :class:`UnsafeZip` too."""
    produced = 0
    try:
        with zf.open(info) as f:
            while True:
                b = f.read(min(lim.chunk, info.file_size - produced + 1))
                if not b:
                    break
                produced += len(b)
                if produced > info.file_size:
                    raise UnsafeZip(
                        "size", f"the entry {info.filename[:80]!r} is larger than declared"
                    )
                yield b
    except UnsafeZip:
        raise
    except zipfile.BadZipFile as exc:
        raise UnsafeZip(
            "corrupt", f"the entry {info.filename[:80]!r} is damaged ({str(exc)[:60]})"
        ) from None
    except (NotImplementedError, RuntimeError, EOFError, OSError, ValueError) as exc:
        raise UnsafeZip(
            "unreadable", f"the entry {info.filename[:80]!r} cannot be read ({type(exc).__name__})"
        ) from None
    if produced != info.file_size:
        raise UnsafeZip("size", f"the entry {info.filename[:80]!r} is not the size it declares")


def read_small(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, what: str) -> bytes:
    """A whole entry that must stay small (a manifest, the custody log)."""
    if info.file_size > cap:
        raise UnsafeZip("big", f"{what} declares {info.file_size:,} bytes (at most {cap:,})")
    return b"".join(stream(zf, info))
