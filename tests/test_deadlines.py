"""The one watcher thread that ends reads at their time limit (workbench.queries.deadlines)."""

from __future__ import annotations

import threading
import time

from workbench.queries import deadlines


def test_a_deadline_fires_once_its_time_is_up_and_a_cancelled_one_never_does():
    fired: list[str] = []
    long = deadlines.after(30, lambda: fired.append("long"))
    # registered later but due sooner: the watcher must not sleep through it
    soon = deadlines.after(0.1, lambda: fired.append("soon"))
    gone = deadlines.after(0.05, lambda: fired.append("gone"))
    gone.cancel()
    deadline = time.monotonic() + 5
    while not soon.fired and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    long.cancel()
    assert fired == ["soon"] and soon.fired and not gone.fired and not long.fired


def test_cancel_after_firing_waits_for_the_action_and_keeps_fired():
    started, release = threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        release.wait(5)

    d = deadlines.after(0.01, slow)
    assert started.wait(5)
    threading.Timer(0.2, release.set).start()
    t0 = time.monotonic()
    d.cancel()  # returns only once the action is done: the read then sees fired
    assert time.monotonic() - t0 >= 0.15 and d.fired


def test_a_failing_action_does_not_stop_the_watcher():
    def boom() -> None:
        raise RuntimeError("interrupt failed")

    bad = deadlines.after(0.01, boom)
    good = deadlines.after(0.05, lambda: None)
    deadline = time.monotonic() + 5
    while not good.fired and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bad.fired and good.fired
