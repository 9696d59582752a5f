"""Intake: CSV / JSON / JSON Lines exports, per-row errors with line numbers, idempotency."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from workbench import cases
from workbench.cases.intake import import_file
from workbench.errors import InputError

CSV = """external_id,category,priority,subjects,source,summary,reporters,received_at
T-100,scam_fraud,P1,11;12,support,gift card requests,77,2026-05-01T10:00:00Z
T-101,nonsense,P1,11,support,x,,
T-102,harassment_hate,,13,moderation,"multi-line
summary here",,
T-103,impersonation,P2,abc,support,x,,
,spam,P3,14,support,no ticket id,,
T-105,spam,P3,15,support,zoneless,,2026-05-01 10:00:00
T-106,spam,P9,16,support,bad priority,,
T-107,spam,P3,17,support,too,many,values,here
T-100,scam_fraud,P1,11,support,same ticket again in the file,,
T-108,legal_request,,18,legal,preservation,,2026-05-02T00:00:00+02:00
"""


def test_csv_rows_errors_and_idempotency(store_env, tmp_path):
    f = tmp_path / "queue.csv"
    f.write_text(CSV)
    res = import_file(f)
    errors = {e.line: e.reason for e in res.errors}
    assert set(errors) == {3, 6, 7, 8, 9, 10}
    assert "unknown category 'nonsense'" in errors[3]
    assert "'abc' is not a platform user id" in errors[6]  # after a 2-line record
    assert "no external_id" in errors[7]
    assert "no time zone" in errors[8]
    assert "unknown priority" in errors[9]
    assert "more value(s) than columns" in errors[10]
    assert res.skipped == [(11, "T-100")]  # repeated within the file
    assert len(res.created) == 3
    got = {c.external_id: c for c in cases.list_cases()}
    assert set(got) == {"T-100", "T-102", "T-108"}
    t100 = got["T-100"]
    assert t100.subjects == (11, 12) and t100.priority == "P1" and t100.source == "support"
    assert t100.created_at == datetime(2026, 5, 1, 10, tzinfo=UTC)  # SLA from receipt
    assert cases.confidential_reporters(t100.case_id) == [cases.Reporter(77, None)]
    assert got["T-102"].summary == "multi-line\nsummary here" and got["T-102"].priority == "P2"
    assert got["T-108"].preservation_due is not None
    # importing the same export again files nothing
    again = import_file(f)
    assert again.created == [] and [ext for _, ext in again.skipped] == [
        "T-100",
        "T-102",
        "T-100",
        "T-108",
    ]
    assert len(cases.list_cases()) == 3


def test_strict_imports_nothing_when_a_row_is_bad(store_env, tmp_path):
    f = tmp_path / "queue.csv"
    f.write_text(CSV)
    res = import_file(f, strict=True)
    assert res.errors and res.created == []
    assert cases.list_cases() == []


def test_json_array_wrapper_and_lines(store_env, tmp_path):
    rows = [
        {"ticket_id": "J-1", "category": "spam", "user_ids": [5, 6], "description": "spam"},
        {"ticket_id": "J-2", "category": "spam", "user_ids": ["x"]},
        {
            "ticket_id": "J-3",
            "category": "account_takeover",
            "subject": 7,
            "created_at": "2026-04-01T00:00:00+00:00",
        },
    ]
    arr = tmp_path / "a.json"
    arr.write_text(json.dumps(rows, indent=2))
    res = import_file(arr)
    assert [(e.line, "is not a platform user id" in e.reason) for e in res.errors] == [(11, True)]
    assert len(res.created) == 2
    wrapped = tmp_path / "w.json"
    wrapped.write_text(json.dumps({"exported": "today", "tickets": rows}, indent=1))
    res = import_file(wrapped)
    assert res.created == [] and [line for line, _ in res.skipped] == [4, 20]
    assert [e.line for e in res.errors] == [13]
    jl = tmp_path / "q.jsonl"
    jl.write_text(
        "\n".join(json.dumps(r) for r in rows[:1] + [{"ticket_id": "J-4", "category": "spam"}])
        + "\n{broken\n"
    )
    res = import_file(jl)
    assert res.skipped == [(1, "J-1")] and len(res.created) == 1
    assert [(e.line, "not valid JSON" in e.reason) for e in res.errors] == [(3, True)]


def test_malformed_files_are_refused_whole(store_env, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"ticket_id": "B-1", "category": "spam"},\n {"ticket_id": ')
    with pytest.raises(InputError, match="not valid JSON at line 2"):
        import_file(bad)
    other = tmp_path / "queue.xlsx"
    other.write_text("x")
    with pytest.raises(InputError, match="unknown format"):
        import_file(other)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="no header"):
        import_file(empty)
    assert cases.list_cases() == []


def test_cli_import_reports_lines(store_env, tmp_path, capsys):
    from workbench.cli import main

    f = tmp_path / "queue.csv"
    f.write_text(CSV)
    assert main(["case", "import", str(f)]) == 2
    cap = capsys.readouterr()
    assert "imported 3 case(s); skipped 1 already filed; 6 bad row(s)" in cap.out
    assert "line 3: unknown category 'nonsense'" in cap.err
    assert cap.err.splitlines()[-1].startswith("error: 6 bad row(s) in queue.csv were not imported")
    assert main(["case", "import", str(tmp_path / "missing.csv")]) == 3


def test_two_imports_at_once_file_each_ticket_once(store_env, tmp_path):
    lines = ["external_id,category,subjects"] + [f"C-{i},spam,{i + 1}" for i in range(40)]
    f = tmp_path / "big.csv"
    f.write_text("\n".join(lines) + "\n")
    code = f"from workbench.cases.intake import import_file; r = import_file({str(f)!r}); print(len(r.created))"
    env = dict(os.environ)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert sum(int(o.strip()) for o, _ in outs) == 40
    filed = cases.list_cases()
    assert len(filed) == 40 and len({c.external_id for c in filed}) == 40


def test_import_relates_new_cases_to_open_cases_that_share_a_subject(store_env, tmp_path):
    from workbench import cases
    from workbench.cases.intake import import_file

    ring = cases.create(category="scam_fraud", subjects=[787], summary="ring member")
    f = tmp_path / "queue.csv"
    f.write_text(
        "external_id,category,subjects,summary\n"
        "T-1,scam_fraud,787;900,again\n"
        "T-2,spam,901,unrelated\n"
    )
    res = import_file(f)
    assert len(res.created) == 2 and len(res.overlaps) == 1
    line, overlap = res.overlaps[0]
    assert line == 2 and overlap.other == ring.case_id and overlap.subjects == (787,)
    assert f"open case {ring.case_id}" in str(overlap) and "subject 787" in str(overlap)
    new = cases.get(res.created[0])
    assert ring.case_id in new.related and new.case_id in cases.get(ring.case_id).related
    assert not cases.get(res.created[1]).related
