"""Byte limits as well as row limits: a 1 GB value and a 20,000 x 100 kB result are cut and the
user is told; one value over the cap is cut in the database and on fetch; a large result's
frame is the same as a small one's would be. (Peak memory: ``benchmarks/limits.py``.)"""

from __future__ import annotations

import json
import math
import warnings

import pandas as pd
import pytest

import workbench as wb
from workbench.errors import InputError
from workbench.queries import frames
from workbench.queries import run as execute
from workbench.queries.digest import result_sha256
from workbench.store import audit


def _cut(call) -> tuple[pd.DataFrame, str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = call()
    notes = [str(w.message) for w in caught if issubclass(w.category, execute.ResultTruncated)]
    assert len(notes) == 1, notes
    return df, notes[0]


def test_a_1_gb_value_is_cut_and_the_user_told(wb_env):
    df, note = _cut(lambda: wb.sql("SELECT repeat('x', 1000000000) AS v"))
    assert len(df) == 1 and len(df["v"].iloc[0]) == wb_env.max_value == 4_000
    assert "1 value(s) cut to 4,000 characters" in note
    assert df.attrs["provenance"]["truncated"] is True
    details = json.loads(audit.records()["details"].iloc[-1])
    assert details["cut_values"] == 1 and details["max_value"] == 4_000


def test_a_20000_by_100_kb_result_is_cut_at_the_byte_limit(wb_env, set_setting):
    set_setting("WORKBENCH_MAX_VALUE", "200000")
    set_setting("WORKBENCH_MAX_BYTES", "20000000")
    sql = "SELECT i, repeat('x', 100000) AS v FROM range(20000) AS t(i)"
    df, note = _cut(lambda: wb.sql(sql))
    assert 150 < len(df) < 200 and df["i"].is_unique
    assert (df["v"].str.len() == 100_000).all()
    assert f"result cut at {len(df):,} rows" in note and "WORKBENCH_MAX_BYTES" in note
    details = json.loads(audit.records()["details"].iloc[-1])
    assert details["over_bytes"] is True and details["max_bytes"] == 20_000_000
    assert audit.records()["row_count"].iloc[-1] == len(df)


def test_with_the_defaults_the_same_result_keeps_every_row_cut_to_the_value_cap(
    wb_env, set_setting
):
    set_setting("WORKBENCH_MAX_VALUE", "1000")  # 20 MB instead of the defaults' 200 MB
    df, note = _cut(lambda: wb.sql("SELECT i, repeat('x', 100000) AS v FROM range(20000) t(i)"))
    assert len(df) == 20_000 and (df["v"].str.len() == 1000).all()
    assert "20,000 value(s) cut to 1,000 characters" in note


def _stored_values_are_cut_in_the_database(set_setting):
    set_setting("WORKBENCH_MAX_VALUE", "10")
    full = wb.sql("SELECT count(*) AS n FROM messages WHERE length(body) > 10")["n"].iloc[0]
    assert full > 0
    df, note = _cut(
        lambda: wb.sql("SELECT message_id, body FROM messages ORDER BY message_id DESC LIMIT 300")
    )
    assert df["body"].dropna().str.len().max() == 10
    assert df["message_id"].is_monotonic_decreasing  # the order survives the cutting wrapper
    assert "value(s) cut to 10 characters" in note


def test_stored_values_are_cut_in_the_database_on_duckdb(wb_env, set_setting):
    _stored_values_are_cut_in_the_database(set_setting)
    set_setting("WORKBENCH_MAX_VALUE", "10")
    df, _ = _cut(lambda: wb.sql("SELECT CAST(repeat('ab', 50) AS BLOB) AS b"))
    assert df["b"].iloc[0] == b"ababababab"


@pytest.mark.postgres
def test_stored_values_are_cut_in_the_database_on_postgres(pg_env, set_setting):
    from workbench import config
    from workbench.platform.engine import dispose_all

    _stored_values_are_cut_in_the_database(set_setting)
    assert config.settings().data_url.get_backend_name() == "postgresql"
    df, _ = _cut(lambda: wb.sql("SELECT CAST(repeat('ab', 50) AS BYTEA) AS b"))
    assert bytes(df["b"].iloc[0]) == b"ababababab"
    dispose_all()


def test_timeouts_and_row_limits_are_checked(wb_env):
    for bad in (math.inf, math.nan, 0, -1, "10"):
        with pytest.raises(InputError, match="finite positive number of seconds"):
            wb.sql("SELECT 1 AS one", timeout=bad)
    with pytest.raises(InputError, match="max_rows"):
        wb.sql("SELECT 1 AS one", max_rows=0)


def test_a_large_result_gives_the_frame_a_small_one_would(wb_env, monkeypatch):
    sql = (
        "SELECT i, CAST(i AS VARCHAR) || repeat('é', i % 7) AS t, "
        "CASE WHEN i % 3 = 0 THEN NULL ELSE 'x' END AS sometimes, "
        "CAST(NULL AS VARCHAR) AS never, i / 3 AS f, "
        "TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '1 second' AS ts, "
        "CAST(i AS DECIMAL(10, 2)) AS d, [i, i + 1] AS l "
        "FROM range(3000) AS r(i) ORDER BY i"
    )
    small = wb.sql(sql)
    monkeypatch.setattr(frames, "COLUMNAR_BYTES", 1000)  # columnar almost at once
    large = wb.sql(sql)
    pd.testing.assert_frame_equal(small, large)
    assert large.attrs["provenance"]["result_sha256"] == small.attrs["provenance"]["result_sha256"]
    assert result_sha256(large) == large.attrs["provenance"]["result_sha256"]
    assert str(large["t"].dtype) == "str" and large["never"].dtype == object
