"""The query library and guarded execution: parameters, provenance, limits, planted scenarios,
the CLI and the widgets (driven from Python, no browser)."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

import workbench as wb
from workbench.cli import main
from workbench.errors import InputError, NotFoundError
from workbench.queries import library as queries
from workbench.queries import run as execute
from workbench.store import audit
from workbench.times import ZonelessTimestamp

REQUIRED = [
    "user_overview",
    "messages_by_user",
    "conversation",
    "reports_against_user",
    "reports_by_reporter",
    "logins_by_user",
    "account_changes",
    "linked_accounts",
    "reporter_network",
    "payments_by_user",
    "moderation_history",
    "keyword_search",
    "appeals_by_user",
]
EVER = "2000-01-01T00:00:00Z"


def scenario(ground_truth: dict, kind: str) -> dict:
    found = [s for s in ground_truth["scenarios"] if s["kind"] == kind]
    assert found, f"the demo has no {kind} scenario"
    return found[0]


# --- the library ----------------------------------------------------------------------------


def test_library_has_the_queries_with_complete_headers():
    lib = {q.name: q for q in wb.queries.list()}
    assert set(REQUIRED) <= set(lib)
    for q in lib.values():
        assert q.title and q.description and q.tags, q.name
        assert q.path.name == f"{q.name}.sql"
        for p in q.params:
            assert p.description, (q.name, p.name)
    assert [p.name for p in queries.params("conversation")][:2] == ["user_a", "user_b"]
    assert "body" in lib["messages_by_user"].pii_columns
    assert queries.get("keyword_search").param("terms").type == "list[str]"
    assert (queries.library_dir() / "README.md").exists()


def test_unknown_query_and_parameters_are_one_line_errors():
    with pytest.raises(NotFoundError, match="did you mean logins_by_user"):
        queries.get("login_by_user")
    q = queries.get("logins_by_user")
    with pytest.raises(InputError, match="needs parameter 'user_id'"):
        q.bind({})
    with pytest.raises(InputError, match="has no parameter 'userid'"):
        q.bind({"userid": 1})
    with pytest.raises(InputError, match="'abc' is not a whole number"):
        q.bind({"user_id": "abc"})
    with pytest.raises(InputError, match="is not a timestamp"):
        q.bind({"user_id": 1, "start": "yesterday-ish"})
    for err in (NotFoundError, InputError):
        assert "\n" not in str(err("x"))


def test_parameters_are_converted_and_timestamps_follow_the_rules():
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    q = queries.get("logins_by_user")
    bound = q.bind({"user_id": "42", "start": "-7d"}, now=now)
    assert bound["user_id"] == 42 and bound["limit"] == 1000
    assert bound["start"] == now - timedelta(days=7) and bound["end"] == now
    bound = q.bind({"user_id": 1, "start": "2026-03-01T12:00:00+01:00"}, now=now)
    assert bound["start"] == datetime(2026, 3, 1, 11, tzinfo=UTC)
    with pytest.warns(ZonelessTimestamp, match="treated as UTC"):
        bound = q.bind({"user_id": 1, "start": "2026-03-01T12:00:00"}, now=now)
    assert bound["start"] == datetime(2026, 3, 1, 12, tzinfo=UTC)
    terms = queries.get("keyword_search").bind({"terms": "hola, こんにちは"}, now=now)["terms"]
    assert terms == ["hola", "こんにちは"]
    with pytest.raises(InputError, match="needs at least one value"):
        queries.get("keyword_search").bind({"terms": []})


def test_render_shows_sql_with_binds_and_runs_nothing(wb_env):
    text = queries.render("logins_by_user")
    assert ":user_id" in text and "42" not in text
    sql_text, bound = execute.render("logins_by_user", user_id=42, start="-7d")
    assert ":user_id" in sql_text and bound["user_id"] == 42
    assert len(audit.records()) == 0


def test_a_single_dialect_query_is_transpiled(tmp_path, set_setting, wb_env):
    (tmp_path / "handles_by_year.sql").write_text(
        "-- name: handles_by_year\n-- title: t\n-- description: d\n-- tags: [t]\n"
        "-- dialect: duckdb\n-- params:\n--   user_id: {type: int, description: who}\n"
        "SELECT strftime(created_at, '%Y') AS y FROM users WHERE user_id = :user_id\n"
    )
    set_setting("WORKBENCH_QUERIES", str(tmp_path))
    pg = queries.render("handles_by_year", "postgres")
    assert "TO_CHAR" in pg.upper() and ":user_id" in pg
    assert queries.render("handles_by_year", "duckdb").startswith("SELECT strftime")
    df = wb.query("handles_by_year", user_id=1)
    assert len(df) == 1 and len(df["y"].iloc[0]) == 4


def test_malformed_library_files_are_reported(tmp_path, set_setting):
    set_setting("WORKBENCH_QUERIES", str(tmp_path))
    (tmp_path / "bad.sql").write_text(
        "-- name: bad\n-- params:\n--   x: {type: wibble}\nSELECT :x\n"
    )
    with pytest.raises(InputError, match="bad.sql: parameter 'x' has unknown type 'wibble'"):
        queries.list()
    (tmp_path / "bad.sql").write_text("-- name: bad\n-- params:\n--   x: {type: int}\nSELECT 1\n")
    with pytest.raises(InputError, match="'x' is not used in the SQL"):
        queries.list()


# --- running --------------------------------------------------------------------------------


def _case(*subjects: int) -> str:
    from workbench import cases

    return cases.create(category="account_takeover", subjects=list(subjects) or [1]).case_id


def test_query_result_carries_provenance_and_is_audited(wb_env, ground_truth):
    user = scenario(ground_truth, "account_takeover")["users"][0]
    CASE = _case(user)
    df = wb.query("logins_by_user", case=CASE, user_id=user, start=EVER)
    prov = df.attrs["provenance"]
    assert prov["query"] == "logins_by_user" and ":user_id" in prov["sql"]
    assert prov["params"]["user_id"] == user and prov["params"]["start"] == "2000-01-01T00:00:00Z"
    assert prov["engine"].startswith("duckdb:///") and prov["analyst"] == "test.analyst"
    assert prov["case"] == CASE and prov["row_count"] == len(df) > 0
    assert prov["result_sha256"] == execute.result_sha256(df) and prov["truncated"] is False
    assert datetime.fromisoformat(prov["executed_at"].replace("Z", "+00:00")).tzinfo is not None
    json.dumps(prov)  # evidence stores it as JSON
    rec = audit.records().iloc[-1]
    assert (rec["action"], rec["query_name"], rec["case_id"], rec["outcome"]) == (
        "query.run",
        "logins_by_user",
        CASE,
        "ok",
    )
    assert rec["row_count"] == len(df) and rec["result_sha256"] == prov["result_sha256"]
    assert json.loads(rec["params"])["user_id"] == user


def test_result_hash_is_stable_across_a_parquet_round_trip(wb_env, tmp_path):
    df = wb.sql("SELECT user_id, handle, created_at, verified FROM users ORDER BY user_id LIMIT 50")
    df.to_parquet(tmp_path / "r.parquet")
    back = pd.read_parquet(tmp_path / "r.parquet")
    assert execute.result_sha256(back) == df.attrs["provenance"]["result_sha256"]
    changed = back.copy()
    changed.loc[3, "handle"] = "someone_else"
    assert execute.result_sha256(changed) != df.attrs["provenance"]["result_sha256"]


def test_bad_case_and_bad_params_are_refused_and_audited(wb_env):
    with pytest.raises(InputError, match="is not a case id"):
        wb.query("user_overview", case="../../etc", user_id=1)
    with pytest.raises(InputError, match="needs parameter 'user_id'"):
        wb.query("user_overview")
    with pytest.raises(InputError, match="uses :uid but no value"):
        wb.sql("SELECT * FROM users WHERE user_id = :uid")
    recs = audit.records()
    assert list(recs["outcome"]) == ["refused"] * 3
    assert recs["case_id"].isna().all()


def test_lists_expand_into_bound_parameters(wb_env):
    ids = wb.sql("SELECT user_id FROM users ORDER BY user_id LIMIT 3")["user_id"].tolist()
    df = wb.sql("SELECT user_id FROM users WHERE user_id IN :ids ORDER BY user_id", ids=ids)
    assert df["user_id"].tolist() == ids
    assert wb.sql("SELECT user_id FROM users WHERE user_id IN :ids", ids=[]).empty
    # a value is never pasted into the SQL: a hostile string is just a value
    hostile = "x'); DROP TABLE users; --"
    assert wb.sql("SELECT count(*) AS n FROM users WHERE handle = :h", h=hostile)["n"].iloc[0] == 0
    assert hostile not in audit.records()["sql_text"].iloc[-1]


def test_fetch_limit_cuts_and_says_so(wb_env):
    with pytest.warns(execute.ResultTruncated, match="cut at 7 rows"):
        df = wb.sql("SELECT * FROM logins ORDER BY login_id", max_rows=7)
    assert len(df) == 7 and df.attrs["provenance"]["truncated"] is True
    assert json.loads(audit.records()["details"].iloc[-1]) == {"max_rows": 7, "truncated": True}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(wb.sql("SELECT * FROM users ORDER BY user_id LIMIT 7", max_rows=7)) == 7


def test_fetch_limit_default_is_configurable(wb_env, set_setting):
    from workbench.errors import SettingsError

    set_setting("WORKBENCH_MAX_ROWS", "5")
    with pytest.warns(execute.ResultTruncated):
        assert len(wb.sql("SELECT * FROM users")) == 5
    with pytest.raises(SettingsError, match="^WORKBENCH_MAX_ROWS:"):
        set_setting("WORKBENCH_MAX_ROWS", "lots")


@pytest.mark.postgres
def test_fetch_limit_streams_on_postgres(pg_env):
    with pytest.warns(execute.ResultTruncated):
        df = wb.sql("SELECT a FROM generate_series(1, 5000000) AS g(a)", max_rows=10, timeout=20)
    assert df["a"].tolist() == list(range(1, 11))
    assert df.attrs["provenance"]["duration_ms"] < 5000  # five million rows were never fetched


# --- planted scenarios ----------------------------------------------------------------------


def test_linked_accounts_finds_the_whole_ring_from_any_member(wb_env, ground_truth):
    ring = set(scenario(ground_truth, "romance_scam_ring")["users"])
    for member in sorted(ring):
        df = wb.query("linked_accounts", user_id=member)
        linked = set(df["linked_user_id"])
        assert ring - {member} <= linked, (member, sorted(ring - linked))
        rows = df[df["linked_user_id"].isin(ring)]
        assert (rows["reasons"].str.len() > 0).all() and (rows["hops"] >= 1).all()
        assert (rows["hops"] <= 2).all()


def test_reporter_network_links_the_false_reporters(wb_env, ground_truth):
    sc = scenario(ground_truth, "false_reporting")
    target, reporters = _false_reporting_roles(sc)
    df = wb.query("reporter_network", user_id=target, start=EVER)
    in_pairs = set(df["reporter_a"]) | set(df["reporter_b"])
    assert set(reporters) <= in_pairs, sorted(set(reporters) - in_pairs)
    assert (df["reasons"].str.len() > 0).all()


def _false_reporting_roles(sc: dict) -> tuple[int, list[int]]:
    d = sc.get("details", {})
    target = (
        d.get("target") or d.get("target_user_id") or d.get("reported_user_id") or sc["users"][0]
    )
    reporters = (
        d.get("reporters") or d.get("reporter_ids") or [u for u in sc["users"] if u != target]
    )
    return int(target), [int(r) for r in reporters]


def test_logins_by_user_flags_the_takeover_login(wb_env, ground_truth):
    sc = scenario(ground_truth, "account_takeover")
    victim = sc["users"][0]
    df = wb.query("logins_by_user", user_id=victim, start=EVER, end="2100-01-01T00:00:00Z")
    flagged = df[df["new_country"] & df["new_device"]]
    assert len(flagged) >= 1
    d = sc.get("details", {})
    login_id = d.get("login_id") or d.get("takeover_login_id")
    if login_id is not None:
        assert int(login_id) in set(flagged["login_id"])
    # the account's ordinary history is not flagged wholesale
    assert len(flagged) <= max(3, len(df) // 4)


def test_keyword_search_matches_across_scripts(wb_env):
    bodies = wb.sql("SELECT message_id, body FROM messages ORDER BY message_id")
    probes = {}
    for script, pattern in {
        "japanese": r"[\u3040-\u30ff\u4e00-\u9fff]{2,}",
        "thai": r"[\u0e00-\u0e7f]{2,}",
        "urdu": r"[\u0600-\u06ff]{2,}",
    }.items():
        hits = bodies["body"].str.extract(f"({pattern})", expand=False).dropna()
        if len(hits):
            probes[script] = (hits.iloc[0][1:3], bodies.loc[hits.index[0], "message_id"])
    assert probes, "the demo messages have no Japanese, Thai or Urdu text"
    for script, (term, message_id) in probes.items():
        df = wb.query("keyword_search", terms=[term], start=EVER, limit=100000)
        assert message_id in set(df["message_id"]), script
        assert all(term in b.lower() for b in df["body"])
    latin = bodies["body"].str.extract(r"\b([A-Za-z]{4,})\b", expand=False).dropna().iloc[0]
    df = wb.query("keyword_search", terms=[latin.upper()], start=EVER, limit=100000)
    assert len(df) and all(latin.lower() in b.lower() for b in df["body"])


# --- CLI ------------------------------------------------------------------------------------


def test_cli_lists_shows_and_runs(wb_env, capsys, ground_truth):
    assert main(["query", "list"]) == 0
    assert "linked_accounts" in capsys.readouterr().out
    assert main(["query", "show", "logins_by_user", "--dialect", "postgres"]) == 0
    out = capsys.readouterr().out
    assert "user_id (int, required)" in out and "FROM logins" in out
    user = scenario(ground_truth, "account_takeover")["users"][0]
    CASE = _case(user)
    assert (
        main(
            [
                "query",
                "run",
                "logins_by_user",
                "-p",
                f"user_id={user}",
                "-p",
                f"start={EVER}",
                "--case",
                CASE,
                "--format",
                "json",
            ]
        )
        == 0
    )
    got = capsys.readouterr()
    rows = json.loads(got.out)
    assert rows and {"login_id", "new_country", "new_device"} <= set(rows[0])
    assert "audit record" in got.err
    assert (
        main(
            [
                "query",
                "run",
                "logins_by_user",
                "-p",
                f"user_id={user}",
                "--format",
                "csv",
                "-p",
                "start=2026-01-01T00:00:00",
            ]
        )
        == 0
    )
    got = capsys.readouterr()
    assert got.out.startswith("login_id,") and "treated as UTC" in got.err
    assert (
        main(
            [
                "sql",
                "SELECT user_id FROM users WHERE user_id IN :ids",
                "-p",
                f"ids={user},{user}",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.split() == ["user_id", str(user)]


def test_cli_refusals_exit_non_zero_with_the_reason(wb_env, capsys):
    assert main(["sql", "DELETE FROM users"]) == 4
    err = capsys.readouterr().err
    assert err.strip() == (
        "error: refused: DELETE is not allowed: only read-only queries "
        "(SELECT, WITH, VALUES, EXPLAIN) may run"
    )
    assert main(["query", "run", "nope"]) == 3
    assert main(["query", "run", "user_overview", "-p", "user_id=abc"]) == 2
    assert main(["query", "run", "user_overview", "-p", "oops"]) == 2
    assert main(["sql", "SELECT 1", "--format", "xml"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 4


# --- widgets --------------------------------------------------------------------------------


def test_query_panel_pages_sorts_and_hands_results_to_evidence(wb_env, ground_truth):
    from workbench.widgets import QueryPanel

    got = []
    user = scenario(ground_truth, "account_takeover")["users"][0]
    CASE = _case(user)
    panel = QueryPanel(
        case=CASE,
        query="logins_by_user",
        user_id=user,
        start=EVER,
        on_add_to_evidence=lambda df: got.append(df) or "collected",
    )
    assert set(panel.fields) == {"user_id", "start", "end", "limit"}
    df = panel.run()
    assert df is not None and "rows in" in panel.w_status.value
    table = panel.table
    table.w_size.value = 25
    assert table.w_html.value.count("<tr") <= 26  # header + one page, never the whole result
    table.w_sort.value = "ts"
    table.w_desc.value = True
    assert table.page_frame()["ts"].is_monotonic_decreasing
    panel.w_show_sql.value = True
    assert ":user_id" in panel.w_sql.value
    panel.w_add.click()
    assert got and got[0] is df and "collected" in panel.w_status.value
    panel.set_param("user_id", "not-a-number")
    assert panel.run() is None and "not a whole number" in panel.w_status.value


def test_sql_editor_runs_behind_the_guard_and_pages(wb_env):
    from workbench.widgets import SqlEditor

    ed = SqlEditor(sql="SELECT login_id FROM logins ORDER BY login_id", page_size=25)
    ed.w_max.value = 60
    df = ed.run()
    assert len(df) == 60 and "cut at 60 rows" in ed.w_status.value
    assert ed.table.w_where.value == "rows 1–25 of 60"
    ed.table.w_next.click()
    ed.table.w_next.click()
    assert ed.table.w_where.value == "rows 51–60 of 60" and ed.table.w_next.disabled
    ed.w_sql.value = "SELECT * FROM users WHERE user_id = :uid"
    ed.w_binds.value = f"uid={int(df['login_id'].iloc[0]) * 0 + 1}"
    assert ed.run() is not None
    ed.w_sql.value = "DROP TABLE users"
    assert ed.run() is None and "refused: DROP" in ed.w_status.value


def test_sql_editor_adds_its_result_to_the_case_evidence_by_default(wb_env):
    from workbench import cases
    from workbench.evidence import items as evidence
    from workbench.widgets import SqlEditor

    ed = SqlEditor(sql="SELECT user_id, country FROM users ORDER BY user_id LIMIT 3")
    assert ed.run() is not None
    ed.w_add.click()  # no case typed: one readable line, nothing collected
    assert "no case is set" in ed.w_status.value
    case = cases.create(category="scam_fraud", subjects=[1])
    ed.w_case.value = case.case_id
    ed.w_add.click()
    items = evidence.list_items(case.case_id)
    assert len(items) == 1 and items[0].kind == "query_result"
    assert f"item {items[0].label}" in ed.w_status.value


def test_a_query_the_database_rejects_is_one_line_and_audited_as_failed(wb_env):
    from workbench.queries.run import QueryFailed

    case = _case()
    with pytest.raises(QueryFailed, match="^the database could not run it: ") as err:
        wb.sql("SELECT no_such_column FROM users", case=case)
    assert "\n" not in str(err.value) and "Traceback" not in str(err.value)
    rec = audit.records().iloc[-1]
    assert (rec["action"], rec["outcome"], rec["case_id"]) == ("sql.run", "failed", case)
    assert "no_such_column" in rec["sql_text"] and "could not run" in rec["reason"]
    assert audit.verify() is None


def test_duckdb_bit_count_is_rendered_for_postgresql():
    """PostgreSQL counts bits of bit strings only: bit_count over an integer gets a bit(64)
    cast; one already over a bit string is left alone."""
    from workbench.queries.library import render_sql

    pg = render_sql(
        "SELECT bit_count(xor(a, b)) AS d, bit_count(CAST(c AS BIGINT)) AS e, "
        "bit_count(CAST(f AS BIT(64))) AS g FROM t",
        "duckdb",
        "postgres",
    )
    assert "BIT_COUNT(CAST(a # b AS BIT(64)))" in pg
    assert "BIT_COUNT(CAST(CAST(c AS BIGINT) AS BIT(64)))" in pg
    assert "BIT_COUNT(CAST(f AS BIT(64)))" in pg and "CAST(CAST(f" not in pg
    for name in ("photo_reuse", "linked_accounts"):
        import re

        sql = re.sub(r"/\*.*?\*/", "", wb.queries.render(name, "postgres"), flags=re.S)
        assert "BIT_COUNT(CAST(" in sql and "AS BIT(64))" in sql and "XOR(" not in sql.upper()
        assert ":user_id" in sql  # binds survive the trip
