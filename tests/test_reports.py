"""Investigation reports: Papermill runs of the report notebook, singly, in batch, on Dask.

Kernel start-up is slow on the 2-core machine, so the report executions are few and shared:
one batch over every planted case (one per category) plus a broken case, one external report
on a Dask LocalCluster, one timed-out report and one nbval run of the notebook.
"""

from __future__ import annotations

import hashlib
import html as htmlmod
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import text

from workbench.demo.cases import file_demo_cases

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "reports" / "case_report.ipynb"
PLOTLYJS_MARK = "plotly.js v"  # the licence header at the top of the embedded plotly.min.js


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _visible_text(page: str) -> str:
    """What a reader sees: the body without scripts, styles and tags."""
    body = page[page.index("<body") :]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    body = re.sub(r"<style.*?</style>", " ", body, flags=re.S)
    return htmlmod.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _only(folder: Path, pattern: str) -> Path:
    got = sorted(folder.glob(pattern))
    assert len(got) == 1, f"expected one {pattern} in {folder}, found {[p.name for p in got]}"
    return got[0]


@pytest.fixture
def report_cases(wb_env, ground_truth):
    """The planted cases (one per scenario) filed in a fresh home: {scenario kind: case id}."""
    res = file_demo_cases(wb_env, n_history=0, seed=7)
    kinds = {i: s["kind"] for i, s in enumerate(ground_truth["scenarios"])}
    by_kind: dict[str, str] = {}
    for i, cid in sorted(res.scenario_cases.items()):
        by_kind.setdefault(kinds[i], cid)
    return by_kind


def test_batch_of_every_category_with_a_broken_case(wb_env, report_cases, capsys):
    """`workbench report --all-open`: a report per planted case (each category) in parallel;
    the HTML holds the case's facts, a plotly timeline with plotly.js embedded once and the
    evidence hashes; a case whose data breaks a cell fails alone, listed with its error."""
    from workbench import cases, content, replies
    from workbench.cases.taxonomy import taxonomy
    from workbench.cli import main
    from workbench.evidence import items as evidence
    from workbench.store import audit, session

    scam = report_cases["romance_scam_ring"]
    subject = cases.get(scam).subjects[0]
    note = evidence.add_note(scam, "Subject asked for gift cards after three weeks of messages.")
    reply = (
        "Thank you for telling us about this. We reviewed the account you reported and "
        "closed it because it broke our rules against scams. If anyone asks you for money "
        "or gift cards, please stop replying and report them in the app."
    )
    replies.save_reply(scam, "email", reply, scenario="scam_victim")
    # the categories no planted scenario has
    extra = {
        cat: cases.create(category=cat, subjects=[subject], title=f"{cat} report").case_id
        for cat in ("violent_threats", "minor_safety")
    }
    broken = cases.create(category="spam", subjects=[subject], title="Spam burst").case_id
    with session() as s:  # a record no current code writes: an unknown priority
        s.execute(text("UPDATE cases SET priority = 'P9' WHERE case_id = :c"), {"c": broken})

    n = len(cases.list_cases(open_only=True))  # every planted case (four rings), extra, broken
    assert n >= len(report_cases) + len(extra) + 1
    t0 = time.monotonic()
    code = main(["report", "--all-open", "--workers", "2", "--timeout", "300", "--no-progress"])
    elapsed = time.monotonic() - t0
    out = capsys.readouterr().out
    assert code == 1, out
    assert f"{n - 1} of {n} report(s) written, 1 failed" in out
    assert re.search(r"^total \d+\.\d s", out, re.MULTILINE), out[-300:]  # the whole run's time
    failed = [line for line in out.splitlines() if "FAILED" in line]
    assert len(failed) == 1 and broken in failed[0] and "KeyError" in failed[0], out

    # The broken case kept its notebook, with the error on the cell that failed; no HTML.
    folder = wb_env.cases_dir / broken / "reports"
    nb = nbformat.read(_only(folder, "*.ipynb"), as_version=4)
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert errors and errors[0]["ename"] == "KeyError"
    assert not list(folder.glob("*.html"))
    assert _report_outcomes(audit, broken) == ["failed"]

    tax = taxonomy()
    for kind, cid in {**report_cases, **extra}.items():
        case = cases.get(cid)
        folder = wb_env.cases_dir / cid / "reports"
        nb_path, html_path = _only(folder, "*.ipynb"), _only(folder, "*.html")
        assert nb_path.stem == html_path.stem and re.fullmatch(r"\d{8}T\d{6}Z", nb_path.stem)
        page = html_path.read_text(encoding="utf-8")
        seen = _visible_text(page)
        # No code in the HTML: the notebook's calls are not shown.
        assert "CaseReport.load" not in seen and "report.summary()" not in seen
        # Summary facts.
        assert cid in seen and case.priority in seen and case.status in seen
        assert tax.categories[case.category].title in seen
        assert "Resolution" in seen and "SLA state" in seen
        # Internal audience: subjects are shown by name.
        for acct in content.users(list(case.subjects)).to_dict("records"):
            assert acct["handle"] in seen, (kind, acct["user_id"])
        # The timeline is a plotly figure, plotly.js embedded exactly once.
        assert page.count('class="plotly-graph-div"') == 1, kind
        assert page.count(PLOTLYJS_MARK) == 1, kind
        assert "<script src=" not in page  # nothing loaded from elsewhere: opens offline
        # Findings run the library queries that fit the category.
        assert "library query" in seen
        # The report and its HTML are evidence of the case, with matching hashes.
        items = {i.title: i for i in evidence.list_items(cid)}
        nb_item = next(i for t, i in items.items() if t.endswith(": notebook"))
        html_item = next(i for t, i in items.items() if t.endswith(": HTML"))
        assert nb_item.sha256 == _sha(nb_path) and html_item.sha256 == _sha(html_path)
        assert nb_item.sha256 == _sha(nb_item.path)
        assert _report_outcomes(audit, cid) == ["ok"]

    # Evidence collected before the run is listed with the hash of its stored payload.
    page = _only(wb_env.cases_dir / scam / "reports", "*.html").read_text(encoding="utf-8")
    assert note.sha256 == _sha(note.path) and note.sha256 in page and note.label in page
    # The reply sent is in the report, with its channel.
    seen = _visible_text(page)
    assert reply in seen and re.search(r"email reply, \d{4}-\d{2}-\d{2}", seen)
    # Category-specific findings.
    ato = _visible_text(
        _only(wb_env.cases_dir / report_cases["account_takeover"] / "reports", "*.html").read_text(
            encoding="utf-8"
        )
    )
    assert "Logins of the account" in ato and "logins_by_user" in ato
    fr = _visible_text(
        _only(wb_env.cases_dir / report_cases["false_reporting"] / "reports", "*.html").read_text(
            encoding="utf-8"
        )
    )
    assert "reporter_network" in fr
    print(f"{n} reports in {elapsed:.1f} s")


def _report_outcomes(audit, case_id: str) -> list[str]:
    return audit.records(case_id, action="report.run")["outcome"].tolist()


def test_external_reports_on_a_dask_local_cluster(wb_env, report_cases):
    """The batch runs on a Dask cluster (LocalCluster on loopback, worker processes); an
    external report pseudonymises people and leaves out reporters and identifiers."""
    from distributed import LocalCluster

    from workbench import cases, content, reports

    cid = report_cases["romance_scam_ring"]
    case = cases.get(cid)
    reporters = [r.user_id for r in cases.confidential_reporters(cid) if r.user_id]
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        worker_dashboard_address=None,
    ) as cluster:
        results = reports.run_many(
            [cid], scheduler=cluster.scheduler_address, timeout=300, audience="external"
        )
    (res,) = results
    assert res.ok, res.error
    assert res.notebook.name.endswith("-external.ipynb") and res.worker != f"pid {os.getpid()}"
    page = res.html.read_text(encoding="utf-8")
    seen = _visible_text(page)
    assert "Person A" in seen and "Redacted for this audience" in seen
    people = content.users(list(case.subjects) + reporters).to_dict("records")
    assert people
    for acct in people:  # nowhere in the page, not even inside the figure's data
        for field in ("handle", "display_name", "email"):
            assert str(acct[field]) not in page, field
    assert "Reporters (confidential)" not in seen
    assert page.count('class="plotly-graph-div"') == 1 and page.count(PLOTLYJS_MARK) == 1


def test_a_report_over_its_time_limit_is_stopped_and_kept(wb_env, report_cases):
    from workbench import reports
    from workbench.store import audit

    cid = report_cases["account_takeover"]
    t0 = time.monotonic()
    res = reports.run(cid, timeout=0.2)
    assert time.monotonic() - t0 < 120
    assert not res.ok and res.timed_out and "timed out after 0.2 s" in res.error
    assert res.html is None and res.notebook is not None and res.notebook.exists()
    nb = nbformat.read(res.notebook, as_version=4)
    stopped = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error" and o["ename"] == "ReportStopped"
    ]
    assert len(stopped) == 1
    assert not list(res.notebook.parent.glob(".*.running.ipynb"))
    assert _report_outcomes(audit, cid) == ["timeout"]


def test_bad_input_is_refused_before_any_kernel_starts(wb_env, report_cases, capsys):
    from workbench import reports
    from workbench.cli import main
    from workbench.errors import InputError, NotFoundError

    cid = report_cases["impersonation"]
    with pytest.raises(NotFoundError):
        reports.run("ESC-2026-999999")
    with pytest.raises(InputError, match="audience"):
        reports.run(cid, audience="press")
    with pytest.raises(InputError, match="time zone"):
        reports.run_many([cid], display_tz="Mars/Olympus")
    with pytest.raises(InputError):
        reports.run_many([cid], workers=0)
    with pytest.raises(InputError, match="scheduler"):
        reports.run_many([cid], scheduler="localhost:8786")
    assert main(["report"]) == 2
    assert main(["report", "../etc", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)
    assert not (wb_env.cases_dir / cid / "reports").exists()


def test_nbval_runs_the_report_notebook(wb_env, report_cases, tmp_path):
    """The notebook as shipped runs top to bottom (defaults: the newest open case)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["WORKBENCH_HOME"] = str(wb_env.home)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "--rootdir",
            str(tmp_path),
            str(NOTEBOOK),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", proc.stdout), proc.stdout[-2000:]


def test_a_hung_worker_is_killed_with_its_kernel_and_the_batch_goes_on(
    wb_env, report_cases, monkeypatch
):
    """The batch parent's hard limit: a worker whose report hangs (here: a platform database
    that accepts the connection and never answers) is killed together with its kernel; the
    report fails as timed out with its notebook kept, and nothing is left running."""
    import socket
    import threading

    import psutil

    from workbench import reports

    cid = report_cases["impersonation"]
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    held: list[socket.socket] = []
    threading.Thread(
        target=lambda: [held.append(silent.accept()[0]) for _ in range(8)], daemon=True
    ).start()
    monkeypatch.setenv(
        "WORKBENCH_DATA_URL",
        f"postgresql+psycopg://nobody@127.0.0.1:{silent.getsockname()[1]}/platform",
    )
    # The parent's limit (timeout + grace) falls long before the worker's own watchdog.
    from workbench.reports import batch

    monkeypatch.setattr(batch, "_grace", lambda timeout: 8.0 - timeout)
    t0 = time.monotonic()
    try:
        (res,) = reports.run_many([cid], workers=1, timeout=300)
    finally:
        silent.close()
        for conn in held:
            conn.close()
    assert time.monotonic() - t0 < 90
    assert not res.ok and res.timed_out and "the worker was killed" in res.error
    assert res.notebook is not None and res.notebook.exists()
    nb = nbformat.read(res.notebook, as_version=4)
    assert any(
        o.output_type == "error" and o["ename"] == "ReportStopped"
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    time.sleep(1)
    home = str(wb_env.home)
    leftovers = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            cmd = " ".join(proc.info["cmdline"] or ())
            if ("ipykernel" in cmd or "spawn_main" in cmd) and proc.environ().get(
                "WORKBENCH_HOME"
            ) == home:
                leftovers.append(cmd)  # a kernel or a worker of this test's batch
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    assert leftovers == []


@pytest.mark.parametrize("audience", ["legal", "external"])
def test_report_sections_for_outside_audiences(wb_env, report_cases, audience):
    """The report's content, built in-process (what each notebook cell displays): no reporter
    ever, people pseudonymised as the audience's redaction profile says."""
    from workbench import cases, content
    from workbench.reports.sections import CaseReport, StaticFigure

    cid = report_cases["false_reporting"]
    case = cases.get(cid)
    reporters = [r.user_id for r in cases.confidential_reporters(cid) if r.user_id]
    assert reporters
    rep = CaseReport.load(cid, audience=audience, display_tz="Europe/Berlin")
    parts = []
    for name in (
        "header",
        "summary",
        "subjects",
        "timeline",
        "findings",
        "content",
        "evidence",
        "decision",
        "reply",
        "changes",
    ):
        shown = getattr(rep, name)()
        if isinstance(shown, StaticFigure):
            bundle = shown._repr_mimebundle_()
            assert (
                "application/vnd.plotly.v1+json" in bundle
                and "plotly-graph-div" in bundle["text/html"]
            )
            parts.append(bundle["text/html"] + json.dumps(bundle["application/vnd.plotly.v1+json"]))
        else:
            parts.append(shown._repr_html_())
    page = "\n".join(parts)
    assert "Europe/Berlin" in page and "Person " in page
    for acct in content.users(reporters).to_dict("records"):
        for field in ("handle", "display_name", "email"):
            assert str(acct[field]) not in page, (audience, field)
    subjects = content.users(list(case.subjects)).to_dict("records")
    for acct in subjects:
        # legal sees the subjects by name; external sees nobody by name
        assert (str(acct["handle"]) in page) == (audience == "legal"), audience
