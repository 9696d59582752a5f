"""Case ids, timestamps and the case store base."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta, timezone

import pytest

from workbench.errors import InputError
from workbench.ids import case_folder, validate_case_id
from workbench.times import ZonelessTimestamp, parse_interval, parse_timestamp

NOW = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "../x",
        "ESC-2026-00001",
        "ESC-2026-0000012",
        "esc-2026-000001",
        "ESC-2026-000001/..",
        "ESC‐2026‐000001",
        "ЕSC-2026-000001",
        "ESC-２０２６-000001",
        "ESC-2026-000001\n",
        None,
        5,
    ],
)
def test_bad_case_ids_refused(bad):
    with pytest.raises(InputError):
        validate_case_id(bad)


def test_case_folder_stays_inside(tmp_path):
    assert case_folder(tmp_path, "ESC-2026-000123") == (tmp_path / "ESC-2026-000123").resolve()
    with pytest.raises(InputError):
        case_folder(tmp_path, "../ESC-2026-000123")


def test_timestamps():
    assert parse_timestamp("2026-03-29T02:30:00+02:00") == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert parse_timestamp("2026-03-29T00:30:00Z") == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert parse_timestamp("-7d", now=NOW) == NOW - timedelta(days=7)
    assert parse_timestamp("-24h", now=NOW) == NOW - timedelta(hours=24)
    assert parse_timestamp("now", now=NOW) == NOW
    assert parse_interval("90m") == timedelta(minutes=90)


def test_zoneless_timestamp_is_utc_and_said_so():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ts = parse_timestamp("2026-03-29 01:30:00")
    assert ts == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert any(issubclass(w.category, ZonelessTimestamp) for w in caught)


@pytest.mark.parametrize("bad", ["yesterday-ish", "2026-13-01", "-7x", "", 3.5])
def test_malformed_timestamps(bad):
    with pytest.raises(InputError, match="not a timestamp"):
        parse_timestamp(bad)


def test_utc_datetime_column_roundtrip(tmp_path):
    from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

    from workbench.store import UTCDateTime

    md = MetaData()
    t = Table("t", md, Column("id", Integer, primary_key=True), Column("at", UTCDateTime()))
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    md.create_all(engine)
    berlin = datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as conn:
        conn.execute(insert(t), {"id": 1, "at": berlin})
        got = conn.execute(select(t.c.at)).scalar_one()
        assert got == berlin and got.tzinfo is not None and got.utcoffset() == timedelta(0)
        with pytest.raises(Exception, match="zone-less"):
            conn.execute(insert(t), {"id": 2, "at": datetime(2026, 1, 1)})


def test_case_store_on_postgres_upgrades(pg_url):
    from sqlalchemy import create_engine

    from workbench.store.migrate import current, heads, upgrade

    engine = create_engine(pg_url)
    upgrade(engine)
    assert current(engine) == heads()
    assert upgrade(engine) == []  # idempotent
