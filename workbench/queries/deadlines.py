"""Time limits of running reads: one watcher thread for every read in the process.

A read registers what to do when its time is up (DuckDB's ``interrupt()``) and cancels it when
it ends. A ``threading.Timer`` per read did the same, but starting and stopping a thread took
about 0.6 ms of every read (``benchmarks/queries.py``), a tenth of a key query's own cost.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable


class Deadline:
    """One registered limit; :meth:`cancel` it when the read ends (fired or not)."""

    __slots__ = ("_action", "_lock", "_live", "fired")

    def __init__(self, action: Callable[[], None]) -> None:
        self._action = action
        self._lock = threading.Lock()
        self._live = True
        self.fired = False

    def cancel(self) -> None:
        """After this returns the action has run (``fired``) or never will."""
        with self._lock:
            self._live = False

    def _fire(self) -> None:
        with self._lock:
            if not self._live:
                return
            self._live = False
            self.fired = True
            self._action()


class _Watcher:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, seconds: float, action: Callable[[], None]) -> Deadline:
        d = Deadline(action)
        with self._cond:
            entry = (time.monotonic() + seconds, next(self._order), d)
            heapq.heappush(self._heap, entry)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="read-deadlines")
                self._thread.daemon = True
                self._thread.start()
            if self._heap[0] is entry:  # sooner than what the watcher waits for
                self._cond.notify()
        return d

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and not self._heap[0][2]._live:
                    heapq.heappop(self._heap)  # ended reads: nothing to wait for
                if not self._heap:
                    self._cond.wait()
                    continue
                due, _, d = self._heap[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            try:
                d._fire()
            except Exception:  # noqa: BLE001 - the read itself reports; the watcher goes on
                pass


_watcher = _Watcher()


def after(seconds: float, action: Callable[[], None]) -> Deadline:
    """Run ``action()`` in the watcher thread once ``seconds`` have passed, unless the returned
    deadline is cancelled first."""
    return _watcher.add(seconds, action)
