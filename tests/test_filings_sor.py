"""DSA statements of reasons: every planted case that ends in a restriction yields a statement
that keeps every rule of the Transparency Database; invalid statements are refused naming their
rule; the puid is stable across re-runs; batches hold 1 to 100; the mapping and the facts are
editable; the case's people never reach the public statement."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest
from filings_support import DECISIONS, RESTRICTING, decide, decide_planted, planted, work

from workbench import cases
from workbench.errors import InputError, WorkbenchError
from workbench.evidence import items as ev
from workbench.evidence.scanner import LeakFound
from workbench.filings import records, sor, tdb
from workbench.store import audit

pytest_plugins = ["filings_fixtures"]  # filed_store, demo_env

EXPECTED = {  # kind -> (category, the restriction field and value, an end date?)
    "romance_scam_ring": (
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "decision_account",
        "DECISION_ACCOUNT_TERMINATED",
        False,
    ),
    "account_takeover": (
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "decision_provision",
        "DECISION_PROVISION_PARTIAL_SUSPENSION",
        False,
    ),
    "harassment_campaign": (
        "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "decision_account",
        "DECISION_ACCOUNT_SUSPENDED",
        True,
    ),
    "sextortion": (
        "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "decision_account",
        "DECISION_ACCOUNT_TERMINATED",
        False,
    ),
    "impersonation": (
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "decision_visibility",
        ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        False,
    ),
}


def _collect_messages(case_id: str, user_id: int) -> None:
    import workbench as wb

    df = wb.query("messages_by_user", case=case_id, user_id=user_id, start="2026-01-01T00:00Z")
    ev.add_query_result(case_id, df, note="the messages the decision rests on")


def test_every_planted_restriction_yields_a_statement_that_keeps_the_rules(demo_env):
    ids = decide_planted()
    subject = cases.get(ids["harassment_campaign"]).subjects[0]
    _collect_messages(ids["harassment_campaign"], subject)
    seen_puids: set[str] = set()
    for kind in sorted(RESTRICTING):
        case_id = ids[kind]
        got = sor.prepare_case(case_id)
        assert len(got) == len(cases.get(case_id).subjects)
        for st in got:
            body = st.body
            assert tdb.violations(body) == [], (kind, tdb.violations(body))
            category, field, value, ends = EXPECTED[kind]
            assert body["category"] == category and body[field] == value
            assert (tdb.END_DATES[field] in body) is ends
            assert (
                body["decision_ground"] == tdb.INCOMPATIBLE and body["incompatible_content_ground"]
            )
            assert body["territorial_scope"] == sorted(tdb.EEA)
            assert body["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
            assert body["content_date"] <= body["application_date"]
            assert "source_identity" not in body  # notifiers are never named
            assert st.puid not in seen_puids
            seen_puids.add(st.puid)
            # the statement is evidence: the recorded file is the statement, hashed
            item = ev.get_item(case_id, st.filing.items[0])
            assert item.kind == "filing" and item.media_type == "application/json"
            assert json.loads(records.payload(st.filing)) == body
        assert any(c.action == "filing" for c in cases.history(case_id))
    # intake: a case with reporters came from a notice, one without on our own initiative
    for kind in RESTRICTING:
        reported = bool(cases.confidential_reporters(ids[kind]))
        source = sor.recorded(ids[kind])[0].body["source_type"]
        assert source == ("SOURCE_ARTICLE_16" if reported else "SOURCE_VOLUNTARY"), kind
    assert sor.recorded(ids["sextortion"])[0].body["source_type"] == "SOURCE_ARTICLE_16"
    # the evidence gives the content type, its date and language
    harassment = sor.recorded(ids["harassment_campaign"])[0].body
    assert harassment["content_type"] == ["CONTENT_TYPE_TEXT"]
    assert harassment["content_language"] in tdb.LANGUAGES
    assert harassment["category_specification"] == [
        "KEYWORD_CYBER_HARASSMENT",
        "KEYWORD_CYBER_BULLYING_INTIMIDATION",
    ]
    # decisions that restrict nothing get no statement, said in one line
    for kind in set(DECISIONS) - RESTRICTING:
        with pytest.raises(sor.NoStatementDue, match="restricts nothing: no statement"):
            sor.prepare_case(ids[kind])
    acts = audit.records(action="filing.sor")
    assert len(acts) == len(seen_puids)


def test_the_illegal_ground_names_its_law(demo_env):
    from workbench.cases import decisions

    minor = cases.list_cases(category="minor_safety")[0]
    case = cases.create(
        category="minor_safety", summary="Under-age member", subjects=[minor.subjects[0]]
    )
    work(case.case_id)
    decisions.decide(
        case.case_id, clauses=["CG-6.1"], action="permanent_ban", rationale="Under 18."
    )
    body = sor.prepare(case.case_id).body
    assert body["decision_ground"] == tdb.ILLEGAL
    assert "2011/93/EU" in body["illegal_content_legal_ground"]
    assert body["illegal_content_explanation"] and "incompatible_content_ground" not in body
    assert body["category"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    assert body["source_type"] == "SOURCE_VOLUNTARY"  # filed without a reporter


def test_the_puid_is_stable_and_a_rerun_never_files_twice(demo_env):
    ids = planted()
    decide(ids["sextortion"], "sextortion")
    first = sor.prepare(ids["sextortion"])
    assert re.fullmatch(r"hearth-sor-[a-z]{26}", first.puid) and not first.already
    items = len(ev.list_items(ids["sextortion"]))
    again = sor.prepare(ids["sextortion"])
    assert again.already and again.puid == first.puid and again.filing.id == first.filing.id
    assert again.body == first.body
    assert len(ev.list_items(ids["sextortion"])) == items  # nothing new written
    assert sor.derive(ids["sextortion"]).puid == first.puid
    assert len(records.for_case(ids["sextortion"], "sor")) == 1
    # a new decision (reopened, decided again) is a new statement with a new puid
    cases.set_status(ids["sextortion"], "investigating", reason="Appeal with new evidence")
    from workbench.cases import decisions

    decisions.decide(
        ids["sextortion"],
        clauses=["CG-5.2"],
        action="temporary_suspension",
        rationale="Re-decided.",
    )
    second = sor.prepare(ids["sextortion"])
    assert second.puid != first.puid and not second.already


def test_batches_since_a_date_hold_each_statement_once(demo_env):
    ids = decide_planted()
    run = sor.prepare_since("2026-01-01T00:00Z")
    total = len(run.statements)
    # the planted restrictions (one statement per member) and every historical restriction
    assert total >= sum(len(cases.get(ids[k]).subjects) for k in RESTRICTING)
    assert all(1 <= len(b) <= tdb.BATCH_MAX for b in run.batches)
    assert len(run.batches) == -(-total // tdb.BATCH_MAX)  # as few batches as the cap allows
    for body in run.bodies():
        tdb.check_batch(body["statements"])
    puids = [s.puid for s in run.statements]
    assert len(puids) == len(set(puids))
    rerun = sor.prepare_since("2026-01-01T00:00Z")
    assert rerun.statements == [] and len(rerun.skipped) == total
    with pytest.raises(InputError, match="1 to 100 statements, not 101"):
        tdb.check_batch([run.statements[0].body] * 101)
    with pytest.raises(InputError, match="1 to 100 statements, not 0"):
        tdb.check_batch([])
    dup = [run.statements[0].body, run.statements[0].body]
    with pytest.raises(tdb.StatementRefused, match="appears twice in the batch"):
        tdb.check_batch(dup)


# --------------------------------------------------------------------------- refused statements

VALID = {
    "decision_account": "DECISION_ACCOUNT_SUSPENDED",
    "end_date_account_restriction": "2026-11-15",
    "account_type": "ACCOUNT_TYPE_PRIVATE",
    "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
    "incompatible_content_ground": "Community Guidelines section CG-3.1: Harassment and bullying",
    "incompatible_content_explanation": "The messages are incompatible with the guidelines.",
    "content_type": ["CONTENT_TYPE_TEXT"],
    "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "category_specification": ["KEYWORD_CYBER_HARASSMENT"],
    "territorial_scope": ["DE", "FR"],
    "content_language": "DE",
    "content_date": "2026-10-20",
    "application_date": "2026-11-01",
    "decision_facts": "On 2026-11-01 we suspended the account until 2026-11-15.",
    "source_type": "SOURCE_ARTICLE_16",
    "automated_detection": "No",
    "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
    "puid": "hearth-sor-abcdefghijklmnopqrstuvwxyz",
}


def _without(*names):
    def edit(b):
        for n in names:
            b.pop(n)

    return edit


def _set(**values):
    def edit(b):
        b.update(values)

    return edit


ILLEGAL_NO_LAW = {"decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"}
REFUSED = [
    ("missing ground", _without("decision_ground"), "decision_ground", "required"),
    (
        "illegal without its law",
        lambda b: (
            b.update(ILLEGAL_NO_LAW),
            b.pop("incompatible_content_ground"),
            b.pop("incompatible_content_explanation"),
        ),
        "illegal_content_legal_ground",
        "required_if:decision_ground,DECISION_GROUND_ILLEGAL_CONTENT",
    ),
    (
        "terms without its ground",
        _without("incompatible_content_ground"),
        "incompatible_content_ground",
        "required_if:decision_ground,DECISION_GROUND_INCOMPATIBLE_CONTENT",
    ),
    (
        "the other ground's field",
        _set(illegal_content_legal_ground="Some law"),
        "illegal_content_legal_ground",
        "exclude_unless:decision_ground,DECISION_GROUND_ILLEGAL_CONTENT",
    ),
    (
        "no restriction",
        _without("decision_account", "end_date_account_restriction"),
        "decision_visibility",
        "required_without_all:decision_monetary,decision_provision,decision_account",
    ),
    (
        "visibility other without its text",
        _set(decision_visibility=["DECISION_VISIBILITY_OTHER"]),
        "decision_visibility_other",
        "required_if:decision_visibility,DECISION_VISIBILITY_OTHER",
    ),
    (
        "content type other without its text",
        _set(content_type=["CONTENT_TYPE_OTHER"]),
        "content_type_other",
        "required_if:content_type,CONTENT_TYPE_OTHER",
    ),
    (
        "monetary other without its text",
        _set(decision_monetary="DECISION_MONETARY_OTHER"),
        "decision_monetary_other",
        "required_if:decision_monetary,DECISION_MONETARY_OTHER",
    ),
    (
        "a removed category",
        _set(category="STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR"),
        "category",
        "in",
    ),
    ("the old account type", _set(account_type="PRIVATE"), "account_type", "in"),
    ("a lower-case language", _set(content_language="de"), "content_language", "in"),
    (
        "a keyword the database dropped",
        _set(category_specification=["KEYWORD_DANGEROUS_TOYS"]),
        "category_specification",
        "in",
    ),
    ("Greece as EL", _set(territorial_scope=["EL"]), "territorial_scope", "in"),
    ("a wrong content type", _set(content_type=["CONTENT_TYPE_PHOTO"]), "content_type", "in"),
    ("detection as a boolean", _set(automated_detection=True), "automated_detection", "in:Yes,No"),
    ("facts too long", _set(decision_facts="x" * 5001), "decision_facts", "max:5000"),
    (
        "explanation too long",
        _set(incompatible_content_explanation="y" * 2001),
        "incompatible_content_explanation",
        "max:2000",
    ),
    ("puid too long", _set(puid="p" * 501), "puid", "max:500"),
    ("puid with a space", _set(puid="hearth sor 1"), "puid", "regex:/^[a-zA-Z0-9-_]+$/D"),
    ("puid with a newline", _set(puid="hearth-sor-1\n"), "puid", "regex:/^[a-zA-Z0-9-_]+$/D"),
    ("a date not zero-padded", _set(content_date="2026-3-4"), "content_date", "date_format:Y-m-d"),
    (
        "an application before 2020",
        _set(application_date="2019-12-31", content_date="2019-12-01"),
        "application_date",
        "after_or_equal:2020-01-01",
    ),
    (
        "an end before the decision",
        _set(end_date_account_restriction="2026-10-31"),
        "end_date_account_restriction",
        "ours:end_date_on_or_after_application_date",
    ),
    (
        "an end after 2038",
        _set(end_date_account_restriction="2038-01-02"),
        "end_date_account_restriction",
        "before_or_equal:2038-01-01",
    ),
    (
        "an end for a restriction not made",
        _set(end_date_visibility_restriction="2026-12-01"),
        "end_date_visibility_restriction",
        "ours:end_date_needs_decision_visibility",
    ),
    (
        "content after the decision",
        _set(content_date="2026-11-02"),
        "content_date",
        "ours:content_date_not_after_application_date",
    ),
    (
        "a notifier of our own initiative",
        _set(source_type="SOURCE_VOLUNTARY", source_identity="Ms X"),
        "source_identity",
        "exclude_if:source_type,SOURCE_VOLUNTARY",
    ),
    (
        "an e-mail in the facts",
        _set(decision_facts="Reported by ana.lopez@example.com."),
        "decision_facts",
        "ours:no_personal_data",
    ),
    (
        "a phone in the facts",
        _set(decision_facts="They gave +34 612 345 678 to victims."),
        "decision_facts",
        "ours:no_personal_data",
    ),
    (
        "an IP in the facts",
        _set(decision_facts="Logins came from 41.39.105.156."),
        "decision_facts",
        "ours:no_personal_data",
    ),
    (
        "a handle in the explanation",
        _set(incompatible_content_explanation="Messages from @rosa_m."),
        "incompatible_content_explanation",
        "ours:no_personal_data",
    ),
    ("a null field", _set(category_addition=None), "category_addition", "ours:omit_null"),
    (
        "a field the server makes",
        _set(uuid="0f8fad5b-d9cb-469f-a165-70867728950e"),
        "uuid",
        "ours:known_field",
    ),
    (
        "a string restriction list",
        _set(decision_visibility="DECISION_VISIBILITY_CONTENT_REMOVED"),
        "decision_visibility",
        "array",
    ),
]


@pytest.mark.parametrize("name,edit,field,rule", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_statement_that_breaks_a_rule_is_refused_naming_it(name, edit, field, rule):
    assert tdb.violations(VALID) == []
    body = copy.deepcopy(VALID)
    edit(body)
    with pytest.raises(tdb.StatementRefused) as err:
        tdb.check(body)
    v = err.value.violation
    assert (v.field, v.rule) == (field, rule), tdb.violations(body)
    line = str(err.value)
    assert "\n" not in line and field in line and rule in line and "nothing was written" in line


def test_the_case_people_never_reach_the_public_statement(demo_env, monkeypatch, tmp_path):
    """A team's facts template that names the member is stopped by the exit scanner; nothing
    is recorded."""
    from workbench import config
    from workbench.content.profiles import user

    ids = planted()
    decide(ids["sextortion"], "sextortion")
    subject = cases.get(ids["sextortion"]).subjects[0]
    handle = user(subject)["handle"]
    folder = tmp_path / "filings"
    shutil.copytree(config.settings().resource("filings_dir"), folder)
    facts = folder / "statement" / "decision_facts.txt.j2"
    # the member's handle written out without its @ (so only the exit scanner can know it)
    facts.write_text(facts.read_text() + f"\nThe account {handle.lstrip('@')} was closed.\n")
    monkeypatch.setenv(config.ENV_FILINGS_DIR, str(folder))
    config.settings(reload=True)
    before = len(ev.list_items(ids["sextortion"]))
    with pytest.raises(LeakFound, match="handle"):
        sor.prepare(ids["sextortion"])
    assert records.for_case(ids["sextortion"]) == []
    assert len(ev.list_items(ids["sextortion"])) == before


def test_the_facts_template_and_the_mapping_are_editable(demo_env, monkeypatch, tmp_path):
    from workbench import config

    ids = planted()
    decide(ids["sextortion"], "sextortion")
    folder = tmp_path / "filings"
    shutil.copytree(config.settings().resource("filings_dir"), folder)
    (folder / "statement" / "decision_facts.txt.j2").write_text(
        "Closed on {{ decision_date }} after {{ source_type }}.\n"
    )
    policies = tmp_path / "policies.yaml"
    text = Path(config.settings().resource("policies_file")).read_text()
    policies.write_text(
        text.replace(
            "temporary_suspension: {account: DECISION_ACCOUNT_SUSPENDED, days: 14}",
            "temporary_suspension: {account: DECISION_ACCOUNT_SUSPENDED, days: 30}",
        ).replace("territorial_scope: EEA", "territorial_scope: [DE, AT]")
    )
    monkeypatch.setenv(config.ENV_FILINGS_DIR, str(folder))
    monkeypatch.setenv(config.ENV_POLICIES, str(policies))
    config.settings(reload=True)
    body = sor.derive(ids["sextortion"]).body
    assert (
        body["decision_facts"] == f"Closed on {body['application_date']} after SOURCE_ARTICLE_16."
    )
    assert body["territorial_scope"] == ["AT", "DE"]
    # a removed category in the mapping is refused when the file is read, naming its key
    policies.write_text(
        text.replace(
            "CG-5.2: {category: STATEMENT_CATEGORY_CYBER_VIOLENCE",
            "CG-5.2: {category: STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
        )
    )
    with pytest.raises(
        WorkbenchError, match=r"dsa\.clauses\.CG-5\.2\.category: .*removed on 1 July 2025"
    ):
        sor.derive(ids["sextortion"])


def test_cli_writes_one_statement_and_batches(demo_env, ground_truth, tmp_path, capsys):
    from workbench.cli import main

    # the ring's case starts from its reported member; the investigation adds the others
    ring_members = next(
        s["users"] for s in ground_truth["scenarios"] if s["kind"] == "romance_scam_ring"
    )
    cases.add_subjects(planted()["romance_scam_ring"], ring_members)
    ids = decide_planted()
    out = tmp_path / "sor.json"
    assert main(["filing", "sor", ids["sextortion"], "--out", str(out)]) == 0
    body = json.loads(out.read_text())
    assert tdb.violations(body) == [] and body["puid"] in capsys.readouterr().out
    assert main(["filing", "sor", ids["sextortion"], "--out", str(out)]) == 2  # never overwritten
    assert "already exists" in capsys.readouterr().err
    again = tmp_path / "again.json"
    assert main(["filing", "sor", ids["sextortion"], "--out", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()
    assert "already prepared" in capsys.readouterr().out
    # a case whose decision covers several members writes them as one batch
    ring = tmp_path / "ring.json"
    assert main(["filing", "sor", ids["romance_scam_ring"], "--out", str(ring)]) == 0
    batch = json.loads(ring.read_text())["statements"]
    assert len(batch) == len(cases.get(ids["romance_scam_ring"]).subjects)
    folder = tmp_path / "batches"
    folder.mkdir()
    assert (
        main(
            ["filing", "sor", "--all-decided", "--since", "2026-01-01T00:00Z", "--out", str(folder)]
        )
        == 0
    )
    files = sorted(folder.glob("*.json"))
    assert files and all(1 <= len(json.loads(f.read_text())["statements"]) <= 100 for f in files)
    for f in files:
        tdb.check_batch(json.loads(f.read_text())["statements"])
    capsys.readouterr()
    # bad input: one line, non-zero, nothing written
    assert main(["filing", "sor", ids["false_reporting"]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "restricts nothing" in err
    assert main(["filing", "sor", "--all-decided"]) == 2
    assert "--since" in capsys.readouterr().err
    assert main(["filing", "sor", "ESC-BAD"]) != 0
    assert capsys.readouterr().err.count("\n") == 1


def test_every_filing_is_evidence_in_custody_audited_and_in_the_case_report(demo_env):
    import hashlib

    from workbench.filings import notice
    from workbench.reports.sections import CaseReport

    ids = planted()
    cid = ids["harassment_campaign"]
    decide(cid, "harassment_campaign")
    stmt = sor.prepare_case(cid)[0]
    told = notice.prepare(cid, channel="email")
    filed = records.for_case(cid)
    assert {f.kind for f in filed} == {"sor", "notice"}
    in_custody = {e.item_id for e in ev.custody(cid)}
    for f in filed:
        item = ev.get_item(cid, f.items[0])
        data = records.payload(f)
        # hashed: the item's and the filing's sha256 are those of the bytes stored
        assert item.kind == "filing" and item.sha256 == hashlib.sha256(data).hexdigest()
        assert item.id in in_custody
        # the filing's own sha256 binds each file's hash to its name (sha256sum's format)
        lines = "".join(
            f"{ev.get_item(cid, i).sha256}  {name}\n"
            for i, name in zip(f.items, f.details["files"])
        )
        assert f.sha256 == hashlib.sha256(lines.encode()).hexdigest()
        assert len(audit.records(cid, action=f"filing.{f.kind}")) == 1
    assert ev.verify_custody(cid) == []
    # in the case report: each filing with its key and hash; the member pseudonymised outside
    internal = CaseReport.load(cid).filings()
    assert internal.text == "2 filing(s)"
    for f in filed:
        assert f.key in internal.html and f.sha256[:12] in internal.html
    assert stmt.puid in internal.html and told.puid in internal.html
    outside = CaseReport.load(cid, audience="external").filings()
    assert f">{stmt.subject}<" in internal.html and f">{stmt.subject}<" not in outside.html
    assert stmt.puid in outside.html
    # and a case with none says so
    empty = CaseReport.load(ids["impersonation"]).filings()
    assert empty.text == "no filings"


def test_the_notebook_preview_checks_but_records_nothing(demo_env):
    ids = planted()
    assert sor.preview(ids["impersonation"]) == []  # not decided yet
    decide(ids["false_reporting"], "false_reporting")
    assert sor.preview(ids["false_reporting"]) == []  # decided, restricts nothing
    decide(ids["impersonation"], "impersonation")
    (body,) = sor.preview(ids["impersonation"])
    assert body["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert records.for_case(ids["impersonation"]) == []  # nothing recorded
    assert sor.prepare_case(ids["impersonation"])[0].body == body  # what filing will record
