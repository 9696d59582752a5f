"""Signed checkpoints of the audit chain, kept outside the case store.

A hash chain shows edits, deletions and insertions, but someone who can write the store can
also rewrite the whole chain, or cut its tail, and it is a chain again. A checkpoint fixes the
chain from the outside: ``(store, seq, head hash, time)`` signed with Ed25519
(:mod:`workbench.keys`), appended as one JSON line to ``<anchor dir>/<store id>.jsonl``
(``$WORKBENCH_ANCHOR_DIR``, default ``<home>/anchors``; an operator points it at an append-only
place: a WORM-mounted bucket, a ``chattr +a`` folder of another account) and, when
``$WORKBENCH_ANCHOR_SYSLOG`` names one, to syslog as well.

In a team deployment the signing key (``$WORKBENCH_ANCHOR_KEY``) belongs to the service account
that runs ``workbench serve`` and the report batch, which anchor every
``$WORKBENCH_ANCHOR_EVERY`` seconds and when they stop (:func:`anchoring`); the analysts'
accounts cannot read it, and check checkpoints with the public key
(``$WORKBENCH_ANCHOR_PUBLIC_KEY``). Alone, the key is ``<home>/secrets/audit-anchor.pem``.

:func:`verify` checks every checkpoint's signature, then the chain against every checkpoint:
a record that differs from a checkpoint (a rewrite) or a checkpoint beyond the end of the log (a
cut tail) is named, as the chain's own breaks are.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from workbench.config import ENV_ANCHOR_SYSLOG, Settings
from workbench.config import settings as current_settings
from workbench.errors import InputError, SettingsError, WorkbenchError
from workbench.keys import fingerprint, load_public_key, signing_key, verify_signature
from workbench.store import audit
from workbench.times import utcnow

KEY_NAME = "audit-anchor"
VERSION = 1
log = logging.getLogger("workbench.audit")


class AnchorBroken(WorkbenchError):
    """A checkpoint file holds a line that is not a checkpoint signed by the anchor key."""

    exit_code = 1


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint: the head of a store's chain at a time."""

    v: int
    store: str
    seq: int
    hash: str
    head_at: str  # the store's time of the head record
    at: str  # when it was signed
    key: str  # fingerprint of the signing key
    signature: str = ""  # Ed25519 over payload(), hex

    def payload(self) -> bytes:
        """What is signed: canonical JSON (sorted keys, no spaces) of all but the signature."""
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def _cfg(cfg: Settings | None) -> Settings:
    return cfg or current_settings()


def _private_key(cfg: Settings) -> Any:
    return signing_key(KEY_NAME, cfg, path=cfg.anchor_key)


def public_key(cfg: Settings | None = None) -> Any:
    """The key checkpoints are checked with: ``$WORKBENCH_ANCHOR_PUBLIC_KEY``, else the public
    half of the signing key."""
    cfg = _cfg(cfg)
    if cfg.anchor_public_key is not None:
        try:
            return load_public_key(cfg.anchor_public_key.read_bytes())
        except OSError as exc:
            raise InputError(
                f"cannot read the anchor public key {cfg.anchor_public_key}: {exc.strerror}",
                "check WORKBENCH_ANCHOR_PUBLIC_KEY",
            ) from None
    return _private_key(cfg).public_key()


def anchor_file(cfg: Settings | None = None, store: str | None = None) -> Path:
    """``<anchor dir>/<store id>.jsonl``."""
    cfg = _cfg(cfg)
    return cfg.anchors_dir / f"{store or audit.store_id()}.jsonl"


def _stamp(at: Any) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:  # one write of one whole line: lines from two processes never interleave
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _syslog(address: str, line: str) -> None:
    from logging.handlers import SysLogHandler

    if address.startswith("/"):
        target: Any = address
    else:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise SettingsError(ENV_ANCHOR_SYSLOG, f"{address!r} is not /path or host:port")
        target = (host, int(port))
    handler = SysLogHandler(address=target, facility=SysLogHandler.LOG_AUTH)
    try:
        handler.emit(logging.makeLogRecord({"msg": f"workbench-audit: {line}", "levelno": 20}))
    finally:
        handler.close()


def last_checkpoint(cfg: Settings | None = None) -> Checkpoint | None:
    """The newest checkpoint of this store (not checked; :func:`verify` checks)."""
    found = None
    for _, cp in _lines(anchor_file(cfg)):
        if cp is not None:
            found = cp
    return found


def anchor(cfg: Settings | None = None, *, force: bool = False) -> Checkpoint | None:
    """Sign and append a checkpoint of the chain's head (None when the log is empty). Nothing
    is appended when the newest checkpoint already holds this head, unless ``force``."""
    cfg = _cfg(cfg)
    head = audit.head()
    if head is None:
        return None
    store = audit.store_id()
    path = anchor_file(cfg, store)
    last = last_checkpoint(cfg)
    if last is not None and (last.seq, last.hash) == head and not force:
        return last
    key = _private_key(cfg)
    head_at = audit.head_time()
    cp = Checkpoint(
        VERSION, store, head[0], head[1], _stamp(head_at), _stamp(utcnow()), fingerprint(key)
    )
    cp = Checkpoint(**{**asdict(cp), "signature": key.sign(cp.payload()).hex()})
    _append(path, cp.line())
    if cfg.anchor_syslog:
        _syslog(cfg.anchor_syslog, cp.line())
    return cp


def _lines(path: Path) -> Iterator[tuple[int, Checkpoint | None]]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                yield n, Checkpoint(**json.loads(raw))
            except (ValueError, TypeError):
                yield n, None


def checkpoints(cfg: Settings | None = None) -> list[Checkpoint]:
    """Every checkpoint of this store, each checked: a line that is not one signed by the
    anchor key raises :class:`AnchorBroken` naming it."""
    cfg = _cfg(cfg)
    path = anchor_file(cfg)
    pub = public_key(cfg)
    want = fingerprint(pub)
    store = audit.store_id()
    out = []
    for n, cp in _lines(path):
        where = f"{path.name} line {n}"
        if cp is None:
            raise AnchorBroken(f"{where} is not a checkpoint", "the checkpoint file was changed")
        if cp.key != want or cp.store != store:
            raise AnchorBroken(
                f"{where} was signed by another key or for another store",
                "check WORKBENCH_ANCHOR_PUBLIC_KEY",
            )
        try:
            good = verify_signature(pub, bytes.fromhex(cp.signature), cp.payload())
        except ValueError:
            good = False
        if not good:
            raise AnchorBroken(f"{where}: its signature does not verify", "it was forged or edited")
        out.append(cp)
    return out


def verify(cfg: Settings | None = None) -> tuple[audit.BadRecord | None, int]:
    """The chain checked against every checkpoint: (the first bad record or None, how many
    checkpoints were checked)."""
    cps = checkpoints(cfg)
    expected = [
        audit.Expected(cp.seq, cp.hash, f"the record the checkpoint signed at {cp.at} holds")
        for cp in cps
    ]
    return audit.verify(expected=expected), len(cps)


# --------------------------------------------------------------------------- periodically


class Anchorer:
    """A thread that anchors every ``every`` seconds, and once more when stopped."""

    def __init__(self, every: float, cfg: Settings | None = None) -> None:
        self.every = every
        self.cfg = cfg
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="audit-anchor", daemon=True)

    def _once(self) -> None:
        try:
            anchor(self.cfg)
        except Exception as exc:  # an anchor missed is logged; the service keeps running
            log.warning("audit checkpoint failed: %s", str(exc).splitlines()[0])

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._once()

    def start(self) -> Anchorer:
        self._once()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self._once()


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def anchoring(every: float | None = None, cfg: Settings | None = None) -> Iterator[Anchorer]:
    """Anchor now, every ``every`` seconds (``$WORKBENCH_ANCHOR_EVERY``) while the block runs,
    and when it ends (``workbench serve``, the report batch). A SIGTERM (``systemctl stop``,
    ``kill``) ends the block as Ctrl-C does, so the last checkpoint is written then too; a
    handler someone else installed is left alone."""
    previous = None
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    ):
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        worker = Anchorer(every if every is not None else _cfg(cfg).anchor_every, cfg).start()
        try:
            yield worker
        finally:
            worker.stop()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
