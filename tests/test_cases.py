"""Cases: lifecycle rules, change-log completeness, optimistic versions, ids, confidentiality,
decisions and precedents, notes, per-case notebooks and the `workbench case` CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import nbformat
import pytest

from workbench import cases
from workbench.cases import decisions, notes
from workbench.cases.model import StaleCaseError
from workbench.cases.taxonomy import taxonomy
from workbench.errors import InputError, NotFoundError
from workbench.ids import validate_case_id

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _new(**kw) -> cases.Case:
    args = {
        "category": "harassment_hate",
        "subjects": [101],
        "summary": "abusive messages",
        "at": T0,
    }
    args.update(kw)
    return cases.create(**args)


def _walk_to_investigating(cid: str, start: datetime = T0) -> None:
    cases.set_status(cid, "triaged", at=start + timedelta(minutes=10))
    cases.set_status(cid, "investigating", at=start + timedelta(minutes=20))


def test_lifecycle_rules(store_env):
    c = _new()
    assert c.status == "new" and c.version == 1 and c.priority == "P2"  # category default
    with pytest.raises(InputError, match="cannot go from new to investigating.*can go to: triaged"):
        cases.set_status(c.case_id, "investigating")
    with pytest.raises(InputError, match="unknown status"):
        cases.set_status(c.case_id, "done")
    _walk_to_investigating(c.case_id)
    with pytest.raises(
        InputError, match="cannot go from investigating to closed.*waiting, decided"
    ):
        cases.set_status(c.case_id, "closed")
    with pytest.raises(InputError, match="decided by recording a decision"):
        cases.set_status(c.case_id, "decided")
    cases.set_status(c.case_id, "waiting", at=T0 + timedelta(hours=1))
    cases.set_status(c.case_id, "investigating", at=T0 + timedelta(hours=2))
    decisions.decide(
        c.case_id,
        clauses=["CG-3.1"],
        action="warning",
        rationale="insults",
        at=T0 + timedelta(hours=3),
    )
    got = cases.get(c.case_id)
    assert got.status == "decided" and got.decided_at == T0 + timedelta(hours=3)
    cases.set_status(c.case_id, "closed", at=T0 + timedelta(hours=4))
    with pytest.raises(InputError, match="is closed"):
        cases.claim(c.case_id)
    with pytest.raises(InputError, match="needs a reason"):
        cases.set_status(c.case_id, "investigating")
    with pytest.raises(InputError, match="can go to: investigating"):
        cases.set_status(c.case_id, "triaged", reason="x")
    re = cases.set_status(
        c.case_id, "investigating", reason="appeal with new evidence", at=T0 + timedelta(days=2)
    )
    assert re.status == "investigating" and re.decided_at is None and re.closed_at is None
    with pytest.raises(NotFoundError):
        cases.get("ESC-2026-999999")


def test_change_log_is_complete(store_env):
    c = _new(reporters=[555], tags=["vip"], custom={"ticket_url": "https://support/1"})
    cid = c.case_id
    cases.claim(cid, who="ana", at=T0 + timedelta(minutes=5))
    cases.assign(cid, "ben", who="lead", at=T0 + timedelta(minutes=6))
    _walk_to_investigating(cid)
    cases.update(
        cid,
        priority="P1",
        title="Harassment by 101",
        custom={"ticket_url": None, "lang": "de"},
        at=T0 + timedelta(minutes=30),
    )
    cases.add_subjects(cid, [102], at=T0 + timedelta(minutes=31))
    other = _new(subjects=[103])
    cases.link(cid, other.case_id, at=T0 + timedelta(minutes=32))
    notes.add_note(cid, "first look", at=T0 + timedelta(minutes=33))
    decisions.decide(
        cid,
        clauses=["CG-3.1", "CG-3.3"],
        action="temporary_suspension",
        rationale="repeated",
        at=T0 + timedelta(hours=1),
    )
    cases.set_status(cid, "closed", at=T0 + timedelta(hours=2))
    cases.set_status(cid, "investigating", reason="appeal", who="lead", at=T0 + timedelta(days=1))

    log = cases.history(cid)
    by = {(ch.action, ch.field): ch for ch in log}
    created = {ch.field for ch in log if ch.action == "create"}
    assert {
        "title",
        "summary",
        "category",
        "priority",
        "source",
        "status",
        "subjects",
        "tags",
        "custom",
        "reporters",
    } <= created
    assert by[("claim", "assignee")].new == "ana" and by[("claim", "assignee")].who == "ana"
    assign = by[("assign", "assignee")]
    assert (assign.old, assign.new, assign.who) == ("ana", "ben", "lead")
    statuses = [(ch.old, ch.new) for ch in log if ch.field == "status" and ch.action != "create"]
    assert statuses == [
        ("new", "triaged"),
        ("triaged", "investigating"),
        ("investigating", "decided"),
        ("decided", "closed"),
        ("closed", "investigating"),
    ]
    assert by[("update", "priority")].old == "P2" and by[("update", "priority")].new == "P1"
    assert by[("update", "title")].new == "Harassment by 101"
    assert by[("update", "custom.ticket_url")].old == "https://support/1"
    assert by[("update", "custom.ticket_url")].new is None
    assert by[("update", "custom.lang")].new == "de"
    assert by[("update", "subjects")].new == [101, 102]
    assert by[("update", "related")].new == other.case_id
    assert by[("decide", "decision")].new == {
        "clauses": ["CG-3.1", "CG-3.3"],
        "action": "temporary_suspension",
        "subjects": [101, 102],
    }
    assert by[("note", "notes")].who == "test.analyst"  # WORKBENCH_ANALYST by default
    reopen = by[("reopen", "status")]
    assert reopen.reason == "appeal" and reopen.who == "lead"
    assert by[("reopen", "decided_at")].new is None and by[("reopen", "closed_at")].new is None
    # one version per write, no gaps, and the case agrees
    versions = sorted({ch.version for ch in log})
    assert versions == list(range(1, versions[-1] + 1))
    assert cases.get(cid).version == versions[-1]
    # the related case got its side of the link logged too
    assert any(ch.field == "related" and ch.new == cid for ch in cases.history(other.case_id))
    third = _new(related=[cid])
    assert cases.get(cid).related == (other.case_id, third.case_id)
    last = cases.history(cid)[-1]
    assert (last.field, last.new, last.version) == (
        "related",
        third.case_id,
        cases.get(cid).version,
    )


def test_snapshots_in_one_unit_of_work_stay_exact(store_env):
    with cases.unit() as s:  # long units of work (demo filing, imports) cache subjects per version
        c = _new(subjects=[1], session=s)
        cases.claim(c.case_id, session=s)
        assert cases.add_subjects(c.case_id, [2], session=s).subjects == (1, 2)
        assert cases.set_status(c.case_id, "triaged", session=s).subjects == (1, 2)
        d = _new(subjects=[3], related=[c.case_id], session=s)
        assert cases.get(c.case_id, session=s).related == (d.case_id,)
        assert cases.claim(c.case_id, session=s).related == (d.case_id,)
    assert cases.get(c.case_id).subjects == (1, 2) and cases.get(c.case_id).related == (d.case_id,)


def test_stale_write_is_refused_and_nothing_saved(store_env):
    c = _new()
    mine = cases.get(c.case_id)  # kernel A reads version 1
    cases.claim(c.case_id, who="someone.else")  # kernel B writes: version 2
    before = cases.history(c.case_id)
    with pytest.raises(
        StaleCaseError, match=r"at version 2, not 1.*someone\.else.*nothing was saved"
    ):
        cases.update(c.case_id, title="mine", expected_version=mine.version)
    with pytest.raises(StaleCaseError):
        cases.set_status(c.case_id, "triaged", expected_version=mine.version)
    after = cases.get(c.case_id)
    assert after.title == c.title and after.status == "new" and after.version == 2
    assert cases.history(c.case_id) == before
    # with the current version the write goes through
    assert cases.update(c.case_id, title="mine", expected_version=2).version == 3


def test_ids_are_sequential_per_year_and_valid(store_env):
    a = _new(at=datetime(2025, 12, 31, 23, 59, tzinfo=UTC))
    b = _new(at=datetime(2026, 1, 1, 0, 1, tzinfo=UTC))
    c = _new(at=datetime(2026, 1, 2, tzinfo=UTC))
    assert (a.case_id, b.case_id, c.case_id) == (
        "ESC-2025-000001",
        "ESC-2026-000001",
        "ESC-2026-000002",
    )
    for x in (a, b, c):
        assert validate_case_id(x.case_id) == x.case_id


@pytest.mark.parametrize(
    "bad", ["../x", "", "ЕSC-2026-000001", "ESC-2026-000001/..", "ESC-２０２６-000001"]
)
def test_bad_ids_are_refused_everywhere(store_env, bad):
    from workbench.cases.notebooks import open_case_notebook

    for call in (
        lambda: cases.get(bad),
        lambda: cases.claim(bad),
        lambda: cases.history(bad),
        lambda: open_case_notebook(bad),
        lambda: notes.add_note(bad, "x"),
        lambda: _new(related=[bad]),
    ):
        with pytest.raises(InputError):
            call()
    assert not any(store_env.cases_dir.glob("*")) if store_env.cases_dir.exists() else True


def test_bad_fields_are_refused(store_env):
    with pytest.raises(InputError, match="unknown category"):
        _new(category="nope")
    with pytest.raises(InputError, match="unknown priority"):
        _new(priority="P9")
    for bad in ("abc", "１２", "-5", 0, 2**63, True, "1.5"):
        with pytest.raises(InputError, match="not a platform user id"):
            _new(subjects=[bad])
    with pytest.raises(InputError, match="unknown source"):
        _new(source="marketing")
    c = _new(external_id="T-1")
    with pytest.raises(InputError, match="already filed"):
        _new(external_id="T-1")
    with pytest.raises(InputError, match="cannot change 'status'"):
        cases.update(c.case_id, status="closed")
    with pytest.raises(InputError, match="custom field values"):
        cases.update(c.case_id, custom={"seen": datetime.now(UTC)})
    with pytest.raises(InputError, match="custom field values"):
        _new(custom={"seen": object()})
    assert len(cases.list_cases()) == 1


def test_reporters_are_confidential(store_env, capsys):
    from workbench.cli import main

    c = _new(reporters=[987654321, "frontline ticket 77"])
    assert not hasattr(c, "reporters")
    assert "987654321" not in json.dumps([vars(ch) for ch in cases.history(c.case_id)], default=str)
    assert "987654321" not in cases.table([c]).to_csv()
    assert cases.confidential_reporters(c.case_id) == [
        cases.Reporter(987654321, None),
        cases.Reporter(None, "frontline ticket 77"),
    ]
    assert main(["case", "show", c.case_id]) == 0
    assert "987654321" not in capsys.readouterr().out
    assert main(["case", "show", c.case_id, "--internal"]) == 2  # a reason is needed
    assert "needs a reason" in capsys.readouterr().err
    why = "checking the reporter is not the subject's ex"
    assert main(["case", "show", c.case_id, "--internal", "--reason", why]) == 0
    out = capsys.readouterr().out
    assert "987654321" in out and "CONFIDENTIAL" in out
    from workbench.store import audit

    rec = audit.records(c.case_id, action="case.reporters").iloc[-1]
    assert rec["reason"] == why and rec["row_count"] == 2 and rec["subjects"] == "[987654321]"


def test_decisions_and_precedents(store_env):
    outcomes = ["warning", "warning", "temporary_suspension"]
    ids = []
    for i, action in enumerate(outcomes):
        c = _new(subjects=[200 + i])
        _walk_to_investigating(c.case_id)
        decisions.decide(
            c.case_id,
            clauses=["CG-3.1"],
            action=action,
            rationale=f"r{i}",
            at=T0 + timedelta(hours=1 + i),
        )
        cases.set_status(c.case_id, "closed", at=T0 + timedelta(hours=5))
        ids.append(c.case_id)
    still_open = _new(subjects=[300])
    _walk_to_investigating(still_open.case_id)
    decisions.decide(
        still_open.case_id,
        clauses=["CG-3.1"],
        action="permanent_ban",
        rationale="x",
        at=T0 + timedelta(hours=6),
    )  # decided, not closed: no precedent yet
    df = decisions.precedents("CG-3.1")
    assert list(df["case_id"]) == ids[::-1]  # newest first
    assert set(df["action"]) == {"warning", "temporary_suspension"}
    summ = decisions.precedent_summary("CG-3.1")
    assert summ.iloc[0]["action"] == "warning" and summ.iloc[0]["cases"] == 2
    assert summ["share"].sum() == pytest.approx(1.0, abs=0.01)
    assert len(decisions.precedents("CG-3.1", exclude_case=ids[0])) == 2
    assert decisions.precedents("CG-1.1").empty

    c = _new(subjects=[400, 401])
    _walk_to_investigating(c.case_id)
    with pytest.raises(InputError, match="unknown policy clause"):
        decisions.decide(c.case_id, clauses=["CG-99"], action="warning", rationale="x")
    with pytest.raises(InputError, match="unknown enforcement action"):
        decisions.decide(c.case_id, clauses=["CG-3.1"], action="shame", rationale="x")
    with pytest.raises(InputError, match="needs a rationale"):
        decisions.decide(c.case_id, clauses=["CG-3.1"], action="warning", rationale=" ")
    with pytest.raises(InputError, match="not a subject"):
        decisions.decide(
            c.case_id, clauses=["CG-3.1"], action="warning", rationale="x", subjects=[999]
        )
    d = decisions.decide(
        c.case_id,
        clauses=["CG-3.1"],
        action="no_violation",
        rationale="banter between friends",
        subjects=[401],
        who="ana",
    )
    assert (d.action, d.subjects, d.who) == ("no_violation", (401,), "ana")
    assert decisions.decisions(c.case_id) == [d]
    assert cases.get(c.case_id).status == "decided"


def test_every_category_has_a_template_and_scenarios_map():
    from workbench.cases.notebooks import template_for

    tax = taxonomy()
    for cat in tax.categories:
        assert template_for(cat).is_file()
    assert set(tax.scenario_categories) == {
        "romance_scam_ring",
        "account_takeover",
        "harassment_campaign",
        "sextortion",
        "impersonation",
        "false_reporting",
        "law_enforcement_request",
        "privacy_request",
    }
    assert tax.categories[tax.scenario_categories["false_reporting"]].template == "harassment_hate"
    assert "no_violation" in tax.actions and "law_enforcement_referral" in tax.actions


def test_notes(store_env):
    c = _new()
    n = notes.add_note(
        c.case_id, "## Findings\n\n* three accounts", author="ana", at=T0 + timedelta(minutes=3)
    )
    assert notes.notes(c.case_id) == [n] and n.author == "ana"
    assert cases.get(c.case_id).first_action_at == T0 + timedelta(minutes=3)
    with pytest.raises(InputError, match="empty"):
        notes.add_note(c.case_id, "  ")
    with pytest.raises(NotFoundError):
        notes.add_note("ESC-2026-999999", "x")


def test_legal_preservation_and_renewal(store_env):
    c = _new(category="legal_request", subjects=[5])
    assert c.preservation_due == T0 + timedelta(days=90)  # UTC display zone
    r = cases.renew_preservation(c.case_id, at=T0 + timedelta(days=80))
    assert r.preservation_due == T0 + timedelta(days=180)
    log = [ch for ch in cases.history(c.case_id) if ch.action == "renew"]
    assert len(log) == 1 and log[0].field == "preservation_due"
    assert log[0].old == (T0 + timedelta(days=90)).isoformat()
    assert log[0].new == (T0 + timedelta(days=180)).isoformat()
    with pytest.raises(InputError, match="no preservation deadline"):
        cases.renew_preservation(_new().case_id)


def test_open_case_notebook(store_env, set_setting):
    from workbench.cases.notebooks import open_case_notebook
    from workbench.config import DEFAULT_LAB_URL

    c = _new(category="sexual_exploitation", subjects=[42])
    nb = open_case_notebook(c.case_id)
    assert nb.created and nb.path == store_env.cases_dir / c.case_id / "investigation.ipynb"
    assert nb.url == f"{DEFAULT_LAB_URL}/{c.case_id}/investigation.ipynb"  # lab's root: cases/
    doc = nbformat.read(nb.path, as_version=4)
    assert doc.metadata.kernelspec.name == "python3"
    tags = [cell.metadata.get("tags", []) for cell in doc.cells]
    i = tags.index(["parameters"])
    assert f'case_id = "{c.case_id}"' in doc.cells[i].source
    # one case_id cell: the template's placeholder is replaced, nothing is injected after it
    assert [t for t in tags if "injected-parameters" in t] == []
    assert sum("case_id = " in cell.source for cell in doc.cells if cell.cell_type == "code") == 1
    assert all(
        not cell.get("outputs") for cell in doc.cells if cell.cell_type == "code"
    )  # not executed
    assert "Threats and sextortion" in doc.cells[0].source
    # the specialist's work is never overwritten
    nb.path.write_text(nb.path.read_text().replace("Threats and sextortion", "MY EDITS"))
    again = open_case_notebook(c.case_id)
    assert not again.created and "MY EDITS" in again.path.read_text()
    assert [p.name for p in again.path.parent.iterdir()] == ["investigation.ipynb"]  # no temp left
    set_setting("WORKBENCH_LAB_URL", "https://lab.example/user/ana/lab/tree/")
    assert (
        open_case_notebook(c.case_id).url
        == f"https://lab.example/user/ana/lab/tree/{c.case_id}/investigation.ipynb"
    )


def test_cli_round_trip(store_env, capsys):
    from workbench.cli import main

    assert (
        main(
            [
                "case",
                "new",
                "--category",
                "scam_fraud",
                "--priority",
                "p0",
                "--subject",
                "7",
                "--subject",
                "8",
                "--source",
                "support",
                "--summary",
                "gift card scam",
                "--external-id",
                "Z-1",
            ]
        )
        == 0
    )
    cid = capsys.readouterr().out.strip()
    assert validate_case_id(cid) == cid
    assert main(["case", "status", cid, "closed"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "from new it can go to: triaged" in err
    assert main(["case", "claim", cid]) == 0
    assert main(["case", "claim", cid, "--version", "1"]) == 4  # stale
    assert "not 1" in capsys.readouterr().err
    assert main(["case", "assign", cid, "ben"]) == 0
    assert main(["case", "status", cid, "triaged"]) == 0
    assert main(["case", "status", cid, "investigating"]) == 0
    assert main(["case", "note", cid, "found the **ring**"]) == 0
    assert main(["case", "update", cid, "--field", "lang=de", "--tag", "ring"]) == 0
    assert (
        main(
            [
                "case",
                "decide",
                cid,
                "--clause",
                "CG-1.2",
                "--action",
                "permanent_ban",
                "--rationale",
                "money requests",
            ]
        )
        == 0
    )
    assert main(["case", "status", cid, "closed"]) == 0
    assert main(["case", "precedents", "CG-1.2"]) == 0
    assert cid in capsys.readouterr().out
    assert main(["case", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["case_id"] for r in rows] == [cid] and rows[0]["status"] == "closed"
    assert main(["case", "open", cid]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("created: ") and out[0].endswith(f"/cases/{cid}/investigation.ipynb")
    assert out[1].endswith(f"/lab/tree/{cid}/investigation.ipynb")  # JupyterLab's root: cases/
    assert main(["case", "show", "../etc"]) == 2
    assert (
        main(["case", "new", "--category", "spam", "--summary", "no subject"]) == 2
    )  # usage error
    assert "Missing option '--subject'" in capsys.readouterr().err
