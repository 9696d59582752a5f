"""Files written all-or-nothing, and files read once until they change.

* :class:`AtomicFile` writes a file next to its target, fsyncs it and only then puts it in
  place, so a reader never sees half a file and a crash leaves at most a ``.part`` file.
* :func:`cached` parses a file (or a folder of files) once and again only when it changes, so
  kernels that stay up for days see edits to the query library or the taxonomy at once.
"""

from __future__ import annotations

import fnmatch
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Literal, TypeVar

from workbench.errors import InputError, NotFoundError

T = TypeVar("T")
IfExists = Literal["replace", "fail", "keep"]


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: some file systems refuse)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicFile:
    """``with AtomicFile(target) as fh: fh.write(...)`` writes ``target`` all-or-nothing.

    ``if_exists``: ``replace`` (default) swaps the new file in; ``fail`` raises
    ``FileExistsError`` if ``target`` exists by the end (hard link, so two writers cannot both
    win); ``keep`` leaves an existing ``target`` and drops the new bytes (content-addressed
    stores). ``mode`` sets the file's permissions before it appears. ``target`` may be set
    inside the block when its name depends on what was written (``af.target = folder / sha``).
    """

    def __init__(
        self,
        target: Path | None = None,
        *,
        folder: Path | None = None,
        if_exists: IfExists = "replace",
        mode: int | None = None,
    ) -> None:
        if target is None and folder is None:
            raise ValueError("AtomicFile needs a target or a folder")
        self.target = Path(target) if target is not None else None
        self.folder = Path(folder) if folder is not None else Path(target).parent  # type: ignore[arg-type]
        self.if_exists = if_exists
        self.mode = mode
        self.written = False  # True when the new bytes were put in place
        self._tmp: Path | None = None
        self._fh: BinaryIO | None = None

    def __enter__(self) -> BinaryIO:
        name = self.target.name if self.target is not None else "incoming"
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=self.folder)
        self._tmp = Path(tmp)
        self._fh = os.fdopen(fd, "wb")
        return self._fh

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._fh is not None and self._tmp is not None
        try:
            if exc_type is None:
                self._fh.flush()
                os.fsync(self._fh.fileno())
        finally:
            self._fh.close()
        try:
            if exc_type is None:
                self._publish()
        finally:
            self._tmp.unlink(missing_ok=True)

    def _publish(self) -> None:
        assert self._tmp is not None
        if self.target is None:
            raise ValueError("AtomicFile: the target was never named")
        if self.mode is not None:
            os.chmod(self._tmp, self.mode)
        if self.if_exists == "keep" and self.target.exists():
            return
        if self.if_exists == "replace":
            os.replace(self._tmp, self.target)
        else:
            try:
                os.link(self._tmp, self.target)  # atomic, and refuses to replace
            except FileExistsError:
                if self.if_exists == "fail":
                    raise
                return
        self.written = True
        fsync_dir(self.target.parent)


def atomic_write(
    target: Path, data: bytes | str, *, if_exists: IfExists = "replace", mode: int | None = None
) -> bool:
    """Write ``data`` to ``target`` all-or-nothing; True when it was written (see AtomicFile)."""
    blob = data.encode("utf-8") if isinstance(data, str) else data
    af = AtomicFile(Path(target), if_exists=if_exists, mode=mode)
    with af as fh:
        fh.write(blob)
    return af.written


# --------------------------------------------------------------------------- YAML


def read_yaml_mapping(path: Path, *, what: str, hint: str) -> dict[str, Any]:
    """The mapping a YAML file holds (an empty file is an empty mapping); a file that cannot be
    read, is not YAML or holds something else is one :class:`InputError` naming ``what``."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"no {what} at {path}", hint) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"cannot read the {what} {Path(path).name}: {first}", hint) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"the {what} {Path(path).name} is not a mapping", hint)
    return data


# --------------------------------------------------------------------------- cached reading

_cache: dict[tuple[int, str], tuple[tuple, object]] = {}
_cache_lock = threading.Lock()


def _stamp(path: Path, pattern: str | None) -> tuple:
    if pattern is None:
        st = path.stat()
        return (st.st_mtime_ns, st.st_size)
    # one scandir and one stat per file: this runs on every library query
    with os.scandir(path) as entries:
        found = [(e.name, e.stat()) for e in entries if fnmatch.fnmatchcase(e.name, pattern)]
    return tuple(sorted((name, st.st_mtime_ns, st.st_size) for name, st in found))


def cached(
    path: Path, parse: Callable[[Path], T], *, what: str, hint: str, pattern: str | None = None
) -> T:
    """``parse(path)``, computed again only when the file changes (for a folder, when any file
    matching ``pattern`` is added, removed or changed). A missing file or folder is a
    :class:`NotFoundError` naming ``what``, with ``hint``."""
    path = Path(path)
    if not (path.is_dir() if pattern is not None else path.is_file()):
        raise NotFoundError(f"no {what} at {path}", hint)
    stamp = _stamp(path, pattern)
    key = (id(parse), str(path))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]  # type: ignore[return-value]
    value = parse(path)
    with _cache_lock:
        _cache[key] = (stamp, value)
    return value
