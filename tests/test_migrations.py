"""The case store's migrations: one line of history; the migrated schema is the models' schema
(Alembic's compare_metadata finds nothing); a store filled at any revision, or made by the old
branched history, upgrades to the head with nothing lost. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from workbench.store import migrate
from workbench.store.models import Base

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
CASE = "ESC-2026-000001"

# Per revision: rows an older store would hold, written with plain SQL (the models are the
# newest schema; an old store was filled by old code).
ROWS = {
    "0001_base": [("store_info", {"key": "made_by", "value": "an old release"})],
    "0002_audit": [
        (
            "audit_log",
            {
                "seq": 1,
                "at": NOW,
                "analyst": "a.okafor",
                "action": "query.run",
                "case_id": CASE,
                "outcome": "ok",
                "prev_hash": "0" * 64,
                "hash": "f" * 64,
            },
        )
    ],
    "0003_cases": [
        (
            "cases",
            {
                "case_id": CASE,
                "title": "t",
                "category": "spam",
                "priority": "P2",
                "source": "support",
                "status": "new",
                "tags": "[]",
                "custom": "{}",
                "created_at": NOW,
                "created_by": "x",
                "paused_seconds": 0.0,
                "version": 1,
                "updated_at": NOW,
                "updated_by": "x",
            },
        ),
        ("case_subjects", {"case_id": CASE, "user_id": 42, "position": 0}),
        ("case_notes", {"case_id": CASE, "at": NOW, "author": "x", "body": "kept"}),
    ],
    "0004_content": [
        (
            "content_replies",
            {
                "case_id": CASE,
                "channel": "email",
                "who": "x",
                "at": NOW,
                "sha256": "a" * 64,
                "length": 4,
                "text": "kept",
            },
        )
    ],
    "0005_timeline": [
        (
            "timeline_annotations",
            {
                "case_id": CASE,
                "ref": "messages:1",
                "source": "messages",
                "action": "star",
                "who": "x",
                "at": NOW,
            },
        )
    ],
    "0006_evidence": [
        (
            "evidence_items",
            {
                "case_id": CASE,
                "item_no": 1,
                "kind": "note",
                "title": "t",
                "source": "s",
                "details": "{}",
                "sha256": "b" * 64,
                "size": 1,
                "media_type": "text/markdown",
                "collected_by": "x",
                "collected_at": NOW,
            },
        )
    ],
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        eng = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        eng = create_engine(request.getfixturevalue("pg_url"))
    yield eng
    eng.dispose()


def _fill(engine, revision: str) -> None:
    with engine.begin() as conn:
        for table, row in ROWS.get(revision, []):
            cols = ", ".join(row)
            conn.execute(
                text(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + c for c in row)})"),
                row,
            )


def _count_all(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in {t for rows in ROWS.values() for t, _ in rows}
        }


def test_history_is_one_line():
    line = migrate.history()
    assert line[0] == "0001_base" and line[-1] == migrate.head()
    assert migrate.heads() == {migrate.head()}
    scripts = migrate._scripts()
    for older, newer in zip(line, line[1:]):
        assert scripts.get_revision(newer).down_revision == older


def test_migrated_schema_is_the_models(engine):
    migrate.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_a_store_filled_at_every_revision_upgrades_with_nothing_lost(engine):
    cfg = migrate.alembic_config(engine)
    for rev in migrate.history():
        command.upgrade(cfg, rev)
        _fill(engine, rev)
    before = _count_all(engine)
    assert all(before.values())
    migrate.upgrade(engine)
    assert migrate.current(engine) == {migrate.head()}
    assert _count_all(engine) == before
    with engine.connect() as conn:
        note = conn.execute(text("SELECT body FROM case_notes")).scalar_one()
        width = {
            c["name"]: getattr(c["type"], "length", None)
            for c in inspect(conn).get_columns("evidence_items")
        }
    assert note == "kept" and width["case_id"] == 16


def test_a_store_from_the_first_revision_upgrades(engine):
    command.upgrade(migrate.alembic_config(engine), "0001_base")
    _fill(engine, "0001_base")
    applied = migrate.upgrade(engine)
    assert applied == migrate.history()[1:]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM store_info")).scalar_one() == "an old release"


@pytest.mark.parametrize(
    "old_heads",
    [
        # every old branch applied (how the last branched release left a store)
        ["0003_cases", "0004_content", "0005_timeline", "0006_evidence", "0007_audit_append_only"],
        # a store made when only some branches had landed
        ["0003_cases", "0005_timeline"],
    ],
)
def test_a_store_of_the_old_branched_history_joins_the_line(engine, old_heads):
    have = migrate._old_applied(set(old_heads))
    with engine.connect() as conn:
        for rev in migrate.history():
            if rev in have:
                migrate._run_one(conn, rev)
        conn.commit()
    for rev in migrate.history():
        if rev in have:
            _fill(engine, rev)
    with engine.begin() as conn:  # the old version table: one row per branch head
        conn.execute(
            text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        )
        for h in old_heads:
            conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": h})
    before = _count_all_present(engine)
    applied = migrate.upgrade(engine)
    assert migrate.current(engine) == {migrate.head()}
    assert set(applied) >= set(migrate.history()) - have - {"0001_base"}
    after = _count_all_present(engine)
    assert {t: after[t] for t in before} == before
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def _count_all_present(engine) -> dict[str, int]:
    names = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in {t for rows in ROWS.values() for t, _ in rows}
            if t in names
        }
