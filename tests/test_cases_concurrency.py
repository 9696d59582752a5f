"""Two processes working the same store at once: no id is handed out twice, no update is lost,
stale writes are refused. Also the schema upgrade from empty on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import create_engine, inspect

from workbench import cases

CASE_TABLES = {
    "cases",
    "case_id_counters",
    "case_subjects",
    "case_related",
    "case_reporters",
    "case_changes",
    "case_notes",
    "case_decisions",
    "case_decision_clauses",
}

WORKER = textwrap.dedent("""
    import sys
    from workbench import cases
    from workbench.cases import StaleCaseError

    name, shared, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    made, stale = [], 0
    for i in range(n):
        made.append(cases.create(category="spam", subjects=[i + 1], summary=f"{name} {i}").case_id)
        # read-modify-write on the shared case without a version: must never lose the other's key
        cases.update(shared, custom={f"{name}_{i}": i})
        # a write based on a version we know is old must be refused
        try:
            cases.update(shared, title=f"{name} was here", expected_version=1)
        except StaleCaseError:
            stale += 1
    print(stale, " ".join(made))
""")


def _race(n: int = 25) -> None:
    shared = cases.create(category="spam", subjects=[999], summary="shared").case_id
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, name, shared, str(n)],
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in outs]
    stale = [int(out.split()[0]) for out, _ in outs]
    made = [cid for out, _ in outs for cid in out.split()[1:]]
    assert stale == [n, n]  # every stale write refused
    assert len(made) == 2 * n and len(set(made)) == 2 * n  # no id handed out twice
    first = int(shared[-6:])  # and none skipped
    assert sorted(made + [shared]) == [
        f"ESC-{shared[4:8]}-{k:06d}" for k in range(first, first + 2 * n + 1)
    ]
    case = cases.get(shared)
    assert case.custom == {f"{w}_{i}": i for w in ("a", "b") for i in range(n)}  # nothing lost
    assert case.version == 1 + 2 * n and case.title == "shared"
    updates = [ch for ch in cases.history(shared) if ch.action == "update"]
    assert len(updates) == 2 * n
    assert sorted(ch.version for ch in updates) == list(range(2, 2 * n + 2))


def test_two_processes_sqlite(store_env):
    _race()


def test_upgrade_from_empty_sqlite(tmp_path):
    from workbench.store.migrate import current, heads, upgrade

    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert "0003_cases" in upgrade(engine)
    assert current(engine) == heads()
    assert CASE_TABLES <= set(inspect(engine).get_table_names())
    assert upgrade(engine) == []
    engine.dispose()


@pytest.mark.postgres
def test_upgrade_from_empty_and_race_on_postgres(pg_url, store_env, monkeypatch):
    from workbench import config
    from workbench.cases.decisions import decide
    from workbench.store.migrate import current, heads, upgrade

    engine = create_engine(pg_url)
    assert "0003_cases" in upgrade(engine)
    assert current(engine) == heads()
    assert CASE_TABLES <= set(inspect(engine).get_table_names())
    cols = {c["name"]: c for c in inspect(engine).get_columns("cases")}
    assert cols["created_at"]["type"].timezone is True
    engine.dispose()

    monkeypatch.setenv(config.ENV_CASES_URL, pg_url)
    config.settings(reload=True)
    c = cases.create(category="legal_request", subjects=[1], reporters=[2], external_id="PG-1")
    cases.set_status(c.case_id, "triaged")
    cases.set_status(c.case_id, "investigating")
    decide(c.case_id, clauses=["ToS-10.1"], action="request_fulfilled", rationale="answered")
    got = cases.get(c.case_id)
    assert got.status == "decided" and got.preservation_due is not None
    assert got.created_at.tzinfo is not None
    _race(n=15)
