"""The command line says what it left out and reads like the notebook: `case list` names how
many matched, `timeline` prints the events in time order (`--summary` the counts), a SQL typo
is one plain line with its position, and `case new` names the open cases it relates to."""

from __future__ import annotations

import re

from workbench import cases
from workbench.cli import main


def test_case_list_says_how_many_it_shows(store_env, capsys):
    for i in range(7):
        cases.create(category="spam", subjects=[100 + i], summary=f"spam {i}")
    assert main(["case", "list", "--limit", "5"]) == 0
    out, err = capsys.readouterr()
    assert len([x for x in out.splitlines() if x.startswith("ESC-")]) == 5
    assert "5 of 7 cases" in err and "--all" in err and "--limit N" in err
    assert main(["case", "list", "--all"]) == 0
    out, err = capsys.readouterr()
    assert len([x for x in out.splitlines() if x.startswith("ESC-")]) == 7 and err == ""
    assert main(["case", "list", "--limit", "5", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert "of 7" not in out and "5 of 7" in err  # data only on stdout
    assert cases.count_cases(category="spam") == 7 and cases.count_cases(status="closed") == 0


def test_timeline_prints_events_in_time_order_and_a_summary_on_request(wb_env, capsys):
    import workbench as wb

    subject = int(wb.sql("SELECT sender_id FROM messages ORDER BY sent_at LIMIT 1").iloc[0, 0])
    cid = cases.create(category="scam_fraud", subjects=[subject], summary="tl").case_id
    assert main(["timeline", cid, "--limit", "0"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("events, oldest first, times in UTC")
    stamps = [line[:19] for line in out[1:]]
    assert stamps and stamps == sorted(stamps)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", s) for s in stamps)
    assert any("messages" in line for line in out[1:])
    assert main(["timeline", cid, "--limit", "3"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 4 and "3 of" in err
    assert main(["timeline", cid, "--summary"]) == 0
    summary = capsys.readouterr().out
    assert "events, times in UTC" in summary and " .. " in summary


def test_a_sql_typo_is_one_plain_line_with_its_position(wb_env, capsys):
    assert main(["sql", "SELECT * FROM users WHERE user_id = 1 *"]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "sqlglot" not in err and "Required keyword" not in err and "<class" not in err
    assert "a multiplication (*) is incomplete" in err and "line 1, column" in err
    assert main(["sql", "SELECT count(* FROM users"]) != 0
    assert "a ')' is missing, at line 1, column 19 near 'FROM'" in capsys.readouterr().err


def test_case_new_names_open_cases_that_share_a_subject_and_relates_them(store_env, capsys):
    ring = cases.create(category="scam_fraud", subjects=[787, 788], summary="ring")
    closed = cases.create(category="scam_fraud", subjects=[788], summary="old")
    cases.set_status(closed.case_id, "triaged")
    cases.set_status(closed.case_id, "investigating")
    cases.decide(closed.case_id, clauses=["CG-1.1"], action="warning", rationale="old")
    cases.set_status(closed.case_id, "closed")
    assert main(["case", "new", "-c", "scam_fraud", "-s", "788", "--summary", "again"]) == 0
    out, err = capsys.readouterr()
    new = out.strip()
    assert f"open case {ring.case_id} (scam_fraud, new) already has subject 788" in err
    assert closed.case_id not in err  # closed cases are history, not a second investigation
    assert ring.case_id in cases.get(new).related and new in cases.get(ring.case_id).related
