"""Law-enforcement production: `bundle create CASE --audience law_enforcement --request ID`
bundles only the data types and the period the request names, adds the production letter and
the custody record, and the bundle verifies."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime

import pandas as pd
import pytest
from filings_support import planted

pytest_plugins = ["filings_fixtures"]  # filed_store, demo_env

START, END = "2026-01-01T00:00Z", "2026-10-01T00:00Z"


@pytest.mark.usefixtures("demo_env")
def test_production_limited_to_request_with_letter_and_custody(tmp_path, capsys):
    from workbench.cli import main
    from workbench.evidence import items as ev
    from workbench.evidence.verify import verify_bundle
    from workbench.filings import holds, records
    from workbench.queries.run import query

    case_id = planted()["law_enforcement_request"]
    uid = holds.cases.get(case_id).subjects[0]
    # evidence the request does not name: messages and payments collected by the specialist
    other = ev.add_query_result(case_id, query("messages_by_user", case=case_id, user_id=uid))
    req, _ = holds.record_request(
        case_id,
        "LE-7",
        agency="State Bureau of Investigation",
        received_at=datetime(2026, 10, 20, 12, 0, tzinfo=UTC),
        data_types=["logins"],
        start=START,
        end=END,
        reference="SBI-77",
    )
    out = tmp_path / "out"
    out.mkdir()
    capsys.readouterr()
    argv = ["bundle", "create", case_id, "--audience", "law_enforcement", "--request", "LE-7"]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0
    path = next(out.glob("*.zip"))

    report = verify_bundle(path)
    assert report.ok, report.problems
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = zf.namelist()
        labels = {i["item"] if "item" in i else i.get("label") for i in manifest["items"]}
        wanted = {ev.get_item(case_id, i).label for i in req.items}
        letter, custody = (
            records.for_case(case_id, "production_letter")[0],
            records.for_case(case_id, "custody_record")[0],
        )
        assert labels == wanted
        assert (
            records.payload(letter, 0).decode()
            == zf.read("documents/production-letter-LE-7.txt").decode()
        )
        assert records.payload(custody, 0) == zf.read("documents/custody-record-LE-7.txt")
        assert other.label not in labels
        # the rows produced lie inside the period the request names
        for label in wanted:
            csv = next(n for n in names if label in n and n.endswith(".csv"))
            with zf.open(csv) as fh:
                df = pd.read_csv(fh)
            ts = pd.to_datetime(df["ts"], utc=True)
            assert len(df) and ts.min() >= pd.Timestamp(START) and ts.max() < pd.Timestamp(END)
        texts = {n: zf.read(n).decode("utf-8") for n in names if n.startswith("documents/")}
    letter_text = next(t for n, t in texts.items() if "Production of records" in t)
    assert "State Bureau of Investigation" in letter_text and "SBI-77" in letter_text
    assert "Logins: times, IP addresses and devices" in letter_text
    assert "Messages" not in letter_text
    for label in wanted:
        assert label in letter_text
    custody_text = next(t for t in texts.values() if t.startswith("Custody record"))
    for label in wanted:
        assert label in custody_text
    assert other.label not in custody_text


@pytest.mark.usefixtures("demo_env")
def test_request_option_needs_the_law_enforcement_audience(tmp_path):
    from workbench.cli import main

    case_id = planted()["law_enforcement_request"]
    argv = ["bundle", "create", case_id, "--audience", "legal", "--request", "LE-1"]
    assert main([*argv, "--out", str(tmp_path)]) == 2
    argv = ["bundle", "create", case_id, "--audience", "law_enforcement", "--request", "NOPE"]
    assert main([*argv, "--out", str(tmp_path)]) != 0
    assert not list(tmp_path.glob("*.zip"))
