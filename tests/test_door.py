"""One audited door to the platform: nothing in the package reaches the platform engine another
way (the package is walked), every read path leaves exactly one audit record naming what it
read, for whom and why, and a read for a case needs the case to exist."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import workbench
from workbench.errors import InputError, NotFoundError
from workbench.store import audit

PACKAGE = Path(workbench.__file__).resolve().parent
DOOR = "queries/door.py"
#: Modules that open databases themselves, and why that is not a way around the door.
OPENERS = {
    "platform/engine.py": "the platform engine itself (only the door calls it)",
    "store/engine.py": "the case store (not platform data)",
    "demo/generate.py": "writes the demo platform file before anything serves it",
    "demo/load.py": "copies the demo platform into PostgreSQL and makes the reader role",
}
_ENGINE_NAMES = {"platform_engine", "_engines", "_open", "_duckdb", "_postgres"}
_OPEN_CALLS = {
    ("duckdb", "connect"),
    ("psycopg", "connect"),
    ("sqlalchemy", "create_engine"),
    ("", "create_engine"),
}


def violations(source: str, where: str) -> list[str]:
    """Ways ``source`` (the module at ``where``, relative to the package) reaches a platform
    engine other than through the door."""
    out = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("platform.engine"):
            for alias in node.names:
                if alias.name in _ENGINE_NAMES and where not in (DOOR, "platform/engine.py"):
                    out.append(f"{where}:{node.lineno} imports {alias.name}")
        if isinstance(node, (ast.Attribute, ast.Name)):
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            if name == "platform_engine" and where not in (DOOR, "platform/engine.py"):
                out.append(f"{where}:{node.lineno} uses platform_engine")
        if isinstance(node, ast.Call) and where not in OPENERS:
            f = node.func
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                key = (f.value.id, f.attr)
            elif isinstance(f, ast.Name):
                key = ("", f.id)
            else:
                continue
            if key in _OPEN_CALLS:
                out.append(
                    f"{where}:{node.lineno} opens a database ({'.'.join(filter(None, key))})"
                )
    return out


def test_nothing_in_the_package_reaches_the_platform_engine_around_the_door():
    found = []
    files = sorted(p for p in PACKAGE.rglob("*.py") if "resources" not in p.parts)
    assert len(files) > 80
    for path in files:
        where = path.relative_to(PACKAGE).as_posix()
        found += violations(path.read_text(encoding="utf-8"), where)
    assert found == []
    assert "platform_engine" in (PACKAGE / DOOR).read_text()


def test_the_walk_would_notice_a_way_around():
    sneaky = {
        "from workbench.platform.engine import platform_engine\n": "imports platform_engine",
        "from workbench.platform import engine\nengine.platform_engine()\n": "uses platform_engine",
        "import duckdb\nduckdb.connect('platform.duckdb')\n": "opens a database",
        "from sqlalchemy import create_engine\ncreate_engine('duckdb:///x')\n": "opens a database",
    }
    for source, what in sneaky.items():
        (found,) = violations(source, "content/sneaky.py")
        assert what in found


# --------------------------------------------------------------------------- one record each


@pytest.fixture
def people(wb_env, ground_truth):
    import workbench as wb
    from workbench import cases

    row = wb.sql(
        "SELECT r.reporter_id, r.reported_user_id, m.conversation_id FROM reports r "
        "JOIN messages m ON m.sender_id = r.reported_user_id ORDER BY r.report_id LIMIT 1"
    ).iloc[0]
    subject, reporter = int(row["reported_user_id"]), int(row["reporter_id"])
    case = cases.create(category="harassment_hate", subjects=[subject], reporters=[reporter])
    return {
        "case": case.case_id,
        "subject": subject,
        "reporter": reporter,
        "conversation": int(row["conversation_id"]),
    }


def _one_record(call, action: str, case: str | None = None) -> dict:
    before = len(audit.records())
    call()
    recs = audit.records().iloc[before:]
    assert list(recs["action"]) == [action], list(recs["action"])
    rec = recs.iloc[0].to_dict()
    shown_case = rec["case_id"] if isinstance(rec["case_id"], str) else None
    assert rec["outcome"] == "ok" and shown_case == case
    assert rec["row_count"] is not None and len(rec["result_sha256"] or "") == 64
    return rec


def test_every_read_path_leaves_exactly_one_record(people):
    import workbench as wb
    from workbench import content, replies, timeline
    from workbench.content import media
    from workbench.evidence.redaction import gather_pii, gather_reports, gather_special, people_for
    from workbench.replies.drafts import draft

    case, subject = people["case"], people["subject"]
    paths = {
        "query.run": lambda: wb.query("user_overview", case=case, user_id=subject),
        "sql.run": lambda: wb.sql("SELECT count(*) AS n FROM users", case=case),
        "content.user": lambda: content.user(subject, case=case),
        "content.users": lambda: content.users([subject, people["reporter"]], case=case),
        "content.profile": lambda: content.profile(subject, case=case),
        "content.changes": lambda: content.changes(subject, case=case),
        "content.photos": lambda: content.photos(subject, case=case),
        "content.conversations": lambda: content.conversations(subject, case=case),
        "content.thread": lambda: content.thread(people["conversation"], case=case),
        "content.similar_photos": lambda: content.similar_photos(user_id=subject, case=case),
        "timeline.view": lambda: timeline.view(case=case),
        "sql.run ": lambda: timeline.events(case=case),
        "reply.context": lambda: replies.disclosure.build_context(case),
        "content.user ": lambda: draft(case, "takeover_victim", "email", recipient=subject),
    }
    for action, call in paths.items():
        rec = _one_record(call, action.strip(), case)
        if action.strip() not in ("sql.run",):
            assert str(subject) in (rec["subjects"] or ""), action
    rec = _one_record(lambda: gather_pii([subject]), "redaction.gather_pii")
    assert rec["subjects"] == f"[{subject}]" and rec["row_count"] > 0
    rec = _one_record(lambda: gather_special([subject]), "redaction.gather_special")
    assert rec["subjects"] == f"[{subject}]" and rec["row_count"] == 1
    reporter = people["reporter"]
    rec = _one_record(lambda: gather_reports([reporter]), "redaction.gather_reports")
    assert rec["subjects"] == f"[{reporter}]" and rec["row_count"] > 0
    rec = _one_record(lambda: people_for([subject], [reporter], []), "redaction.gather_pii")
    assert rec["subjects"] == str(sorted([subject, reporter])).replace(" ", "")
    assert rec["details"] and '"reads"' in rec["details"]
    photo = wb.sql("SELECT photo_id FROM photos ORDER BY photo_id LIMIT 1")["photo_id"].iloc[0]
    rec = _one_record(lambda: media.item(f"photo:{photo}", case=case), "media.item", case)
    assert isinstance(rec["subjects"], str)


def test_showing_special_category_fields_asks_for_a_reason(people):
    from workbench import content

    with pytest.raises(InputError, match="needs a reason"):
        content.special_fields(people["subject"], reason="", case=people["case"])
    rec = _one_record(
        lambda: content.special_fields(
            people["subject"], reason="threat mentions a health condition", case=people["case"]
        ),
        "content.special",
        people["case"],
    )
    assert rec["reason"] == "threat mentions a health condition"


def test_showing_the_reporters_asks_for_a_reason(people):
    from workbench.cases.reporters import show_reporters

    with pytest.raises(InputError, match="needs a reason"):
        show_reporters(people["case"], reason=None)
    reps = show_reporters(people["case"], reason="checking for a coordinated report burst")
    assert [r.user_id for r in reps] == [people["reporter"]]
    rec = audit.records(people["case"], action="case.reporters").iloc[-1]
    assert rec["reason"] == "checking for a coordinated report burst"


def test_a_case_given_with_a_read_must_exist(wb_env, capsys):
    import workbench as wb
    from workbench.cli import main

    with pytest.raises(NotFoundError, match="there is no case ESC-2026-999999"):
        wb.query("user_overview", case="ESC-2026-999999", user_id=1)
    with pytest.raises(NotFoundError):
        wb.sql("SELECT 1 AS one", case="ESC-2026-999999")
    from workbench import content

    with pytest.raises(NotFoundError):
        content.profile(1, case="ESC-2026-999999")
    rec = audit.records().iloc[-1]
    assert rec["outcome"] == "refused" and rec["case_id"] is None
    assert "ESC-2026-999999" in rec["reason"]
    assert main(["sql", "SELECT 1 AS one", "--case", "ESC-2026-999999"]) == 3
    assert "there is no case ESC-2026-999999" in capsys.readouterr().err
    assert all(audit.records()["case_id"].isna())  # nothing audited against a case not there


def test_reads_inside_one_act_are_one_record(people):
    from workbench import content
    from workbench.queries import door

    before = len(audit.records())
    with door.act("investigation.step", case=people["case"], reason="triage") as act:
        content.user(people["subject"])
        content.photos(people["subject"])
        act.about([people["reporter"]])
    recs = audit.records().iloc[before:]
    assert len(recs) == 1
    rec = recs.iloc[0]
    assert json_ids(rec["subjects"]) == sorted([people["subject"], people["reporter"]])
    assert rec["reason"] == "triage" and '"reads":2' in rec["details"]


def json_ids(text: str) -> list[int]:
    import json

    return json.loads(text)
