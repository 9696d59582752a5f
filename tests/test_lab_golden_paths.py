"""The specialist's day in a real browser: headless Debian Chromium driving JupyterLab as
``workbench serve`` starts it (rooted at the cases folder, token login, no terminals, no news).

For each case type the planted demo case's notebook is opened and run (Run → Run All Cells):
no error output, every widget rendered. For the ring case, in the same page, the day goes on:
five events selected on the timeline, added to evidence (the tray lists them), a bundle for law
enforcement created and verified, a decision recorded, the reply drafted and saved, the report
generated. What the browser did is then checked in the stores.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1800)]

RUN_S = 420  # Run All on a busy 2-core machine (kernel start, imports, ~20 queries)
STEP_MS = 120_000
TEMPLATES = (
    "account_takeover",
    "harassment_hate",
    "impersonation",
    "legal_request",
    "privacy_request",
    "threats_sextortion",
)


@pytest.fixture(scope="module")
def lab_home(tmp_path_factory, demo_home, ground_truth):
    """A home reading the small demo platform with the demo cases filed; maps each case
    template to its planted case."""
    from conftest import demo_links, fresh_home

    from workbench.cases.notebooks import open_case_notebook
    from workbench.cases.taxonomy import taxonomy
    from workbench.demo.cases import file_demo_cases

    mp = pytest.MonkeyPatch()
    with fresh_home(
        mp,
        tmp_path_factory.mktemp("lab") / "home",
        analyst="lab.specialist",
        links=demo_links(demo_home),
    ) as settings:
        res = file_demo_cases(settings, n_history=30, seed=7)
        tax = taxonomy()
        planted: dict[str, str] = {}
        for i, sc in enumerate(ground_truth["scenarios"]):
            template = tax.categories[tax.scenario_categories[sc["kind"]]].template
            if sc["kind"] == "romance_scam_ring":
                template = "ring"
            planted.setdefault(template, res.scenario_cases[i])
        for case_id in planted.values():
            open_case_notebook(case_id)
        yield settings, planted


@pytest.fixture(scope="module")
def lab_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("lab-log") / "jupyterlab.log"


@pytest.fixture(scope="module")
def lab(lab_home, lab_log):
    """JupyterLab exactly as ``workbench serve`` configures it, on free ports."""
    from workbench.serve import servers as serve

    settings, _ = lab_home
    port = serve.free_port(18988)
    plan = serve.plan(settings, port=port, voila_port=serve.free_port(18888, skip=(port,)))
    proc = serve.start(plan.lab_command, plan.env, log=lab_log)
    try:
        serve.wait_until_up(plan.lab_base + "/api/status", proc, timeout=180, token=plan.token)
        yield plan
    finally:
        serve.stop(proc)


@pytest.fixture(scope="module")
def browser():
    from browser_support import chromium

    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, lab, lab_log, request):
    """A fresh page; anything it asks of another host is refused and fails the test."""
    from browser_support import only_from

    ctx, elsewhere = only_from(browser, lab.lab_base, viewport={"width": 1500, "height": 1000})
    seen: list[str] = []
    pg = ctx.new_page()
    pg.on("console", lambda m: seen.append(f"console {m.type}: {m.text[:300]}"))
    pg.on("pageerror", lambda e: seen.append(f"page error: {e}"[:400]))
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        print("--- page ---\n" + "\n".join(seen[-60:]))
        if lab_log.exists():
            print(f"--- end of {lab_log} ---\n" + lab_log.read_text(errors="replace")[-5000:])
    _shut_kernels(lab)
    ctx.close()
    assert not elsewhere, f"the page asked another host for {elsewhere}"


def _api(lab, path: str, method: str = "GET"):
    req = urllib.request.Request(f"{lab.lab_base}{path}?token={lab.token}", method=method)
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
    return json.loads(body) if body else None


def _shut_kernels(lab) -> None:
    """One notebook's kernel at a time on a 2-core machine."""
    for k in _api(lab, "/api/kernels") or []:
        _api(lab, f"/api/kernels/{k['id']}", "DELETE")


def _widget_cells(case_id: str, settings) -> int:
    from workbench.cases.notebooks import NOTEBOOK_NAME

    nb = nbformat.read(settings.cases_dir / case_id / NOTEBOOK_NAME, as_version=4)
    return sum(
        1
        for c in nb.cells
        if c.cell_type == "code" and re.search(r"\bwb\.widgets\.\w+\(", c.source)
    )


def run_all(page, lab, case_id: str, output_dir: Path) -> dict:
    """Open the case notebook, Run All Cells, wait until every cell ran; what the page shows."""
    # a workspace of its own (reset): only this notebook open, nothing restored from before
    page.goto(
        f"{lab.lab_base}/lab/workspaces/{case_id.lower()}/tree/{case_id}/investigation.ipynb"
        f"?reset&token={lab.token}",
        timeout=STEP_MS,
    )
    page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=STEP_MS)
    page.wait_for_function(
        "() => /\\| Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent || '')",
        timeout=RUN_S * 1000,
    )
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(
        """() => {
            const p = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]
                .map(e => e.textContent.trim());
            return p.length && p.every(t => /^\\[\\d+\\]:$/.test(t));
        }""",
        timeout=RUN_S * 1000,
    )
    # widget views render after their cell's output arrives
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-OutputArea-output')]"
        ".some(e => /Loading widget/.test(e.textContent))",
        timeout=STEP_MS,
    )
    time.sleep(1)
    page.screenshot(path=str(output_dir / f"{case_id}.png"))
    return page.evaluate(
        """() => {
            const outs = [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output')];
            return {
              code_cells: document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell').length,
              errors: [...document.querySelectorAll(
                  '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],'
                  + ' .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')]
                  .map(e => e.textContent.slice(0, 300)),
              widget_views: outs.filter(e => e.querySelector(':scope > .jupyter-widgets')).length,
              widget_errors: outs.filter(e => /Error displaying widget|Loading widget/.test(e.textContent))
                  .map(e => e.textContent.slice(0, 200)),
              failing_panels: [...document.querySelectorAll('.wb-status.wb-error')]
                  .map(e => e.textContent),
              grids: document.querySelectorAll('.wb-results-grid').length,
              empty_or_table: [...document.querySelectorAll('.wb-results-grid')].every(
                  g => g.querySelector('table.dataTable') || g.querySelector('.wb-no-rows')),
              plotly: document.querySelectorAll('.wb-timeline .js-plotly-plot').length,
            };
        }"""
    )


def _check_clean(info: dict, expected_widgets: int, case_id: str) -> None:
    assert info["errors"] == [], (case_id, info["errors"])
    assert info["widget_errors"] == [], (case_id, info["widget_errors"])
    assert info["failing_panels"] == [], (case_id, info["failing_panels"])
    assert info["widget_views"] == expected_widgets, (case_id, info)
    assert info["grids"] and info["empty_or_table"], (case_id, info)
    assert info["plotly"] == 1, (case_id, info)


@pytest.mark.parametrize("template", TEMPLATES)
def test_case_notebook_runs_clean_in_jupyterlab(template, lab_home, lab, page, output_dir):
    settings, planted = lab_home
    case_id = planted[template]
    info = run_all(page, lab, case_id, output_dir)
    _check_clean(info, _widget_cells(case_id, settings), case_id)
    if template == "account_takeover":
        # the reply to the owner of the account: secured, not "you broke our rules"
        draft = page.locator(".wb-reply-composer textarea").input_value()
        assert "secure again" in draft and "broke our rules" not in draft


def test_jupyterlab_shows_the_cases_only_and_offers_no_terminal(lab_home, lab, page):
    settings, planted = lab_home
    names = {item["name"] for item in _api(lab, "/api/contents")["content"]}
    assert names and names <= set(planted.values()) | {p.name for p in settings.cases_dir.iterdir()}
    assert all(n.startswith("ESC-") for n in names), names  # no platform data, truth, store
    with pytest.raises(urllib.error.HTTPError):
        _api(lab, "/api/terminals")
    page.goto(f"{lab.lab_base}/lab?token={lab.token}", timeout=STEP_MS)
    page.wait_for_selector(".jp-Launcher, .jp-DirListing", timeout=STEP_MS)
    time.sleep(3)
    text = page.inner_text("body")
    assert "Jupyter news" not in text and "Terminal" not in text


def test_the_ring_case_day_in_one_page(lab_home, lab, page, output_dir):
    from workbench import cases, replies
    from workbench.evidence import items as evidence
    from workbench.evidence.bundle import verify_bundle

    settings, planted = lab_home
    case_id = planted["ring"]
    info = run_all(page, lab, case_id, output_dir)
    _check_clean(info, _widget_cells(case_id, settings), case_id)
    case = cases.get(case_id)
    # every subject is covered: each query's selector offers all of them, and all at once
    options = page.locator(".wb-case-query select").first.evaluate(
        "s => [...s.options].map(o => o.textContent.replace(/\\s+/g, ' ').trim())"
    )
    assert options[0] == f"all {len(case.subjects)} subjects", options
    assert options[1:] == [f"user {s}" for s in case.subjects]

    # 1. five events selected on the timeline (its events table: a click, a shift-click)
    timeline = page.locator(".wb-timeline")
    rows = timeline.locator("table.dataTable tbody tr")
    rows.nth(0).click()
    rows.nth(4).click(modifiers=["Shift"])
    timeline.get_by_text("5 events selected").wait_for(timeout=STEP_MS)

    # 2. added to evidence; the tray (another widget) lists them
    timeline.get_by_role("button", name="Add to evidence").click()
    timeline.get_by_text("added 5 events to evidence as E0001").wait_for(timeout=STEP_MS)
    tray = page.locator(".wb-evidence-tray")
    tray.get_by_text("timeline excerpt (5 events)").first.wait_for(timeout=STEP_MS)
    assert "No evidence yet" not in tray.inner_text()

    # 3. a bundle for law enforcement, created and verified
    tray.locator(".widget-dropdown", has_text="Audience").locator("select").select_option(
        "law_enforcement"
    )
    tray.get_by_placeholder("reason for the handover").fill("police preservation request")
    tray.get_by_role("button", name="Create bundle").click()
    tray.locator(".wb-status.wb-ok", has_text="wrote ").wait_for(timeout=STEP_MS)
    tray.get_by_role("button", name="Verify").click()
    tray.locator(".wb-status.wb-ok", has_text=": OK").wait_for(timeout=STEP_MS)

    # 4. the decision
    form = page.locator(".wb-decision-form")
    form.locator(".widget-dropdown", has_text="Action").locator("select").select_option(
        label="Permanent ban"
    )
    form.locator("textarea").fill("Ring confirmed by shared devices and money requests.")
    form.get_by_role("button", name="Record decision").click()
    form.locator(".wb-status.wb-ok", has_text="recorded: permanent_ban").wait_for(timeout=STEP_MS)

    # 5. the reply: drafted once the decision is in (the composer heard it), then saved
    composer = page.locator(".wb-reply-composer")
    page.wait_for_function(
        "() => (document.querySelector('.wb-reply-composer textarea')?.value || '').startsWith('Hi ')",
        timeout=STEP_MS,
    )
    composer.get_by_role("button", name="Save reply").click()
    composer.locator(".wb-status.wb-ok", has_text="Saved (email").wait_for(timeout=STEP_MS)

    # 6. the report
    report = page.locator(".wb-report-panel")
    report.get_by_role("button", name="Generate report").click()
    report.locator(".wb-status.wb-ok", has_text="report written in").wait_for(timeout=300_000)
    page.screenshot(path=str(output_dir / "ring-day.png"))

    # what the browser did, in the stores
    items = evidence.list_items(case_id)
    excerpt = next(i for i in items if i.kind == "timeline_excerpt")
    assert len(evidence.load_frame(excerpt)) == 5
    bundles = sorted((settings.cases_dir / case_id / "bundles").glob("*law_enforcement*.zip"))
    assert bundles and verify_bundle(bundles[-1]).ok
    decision = cases.latest_decision(case_id)
    assert decision is not None and decision.action == "permanent_ban"
    assert cases.get(case_id).status == "decided" and case.status == "investigating"
    saved = replies.replies(case_id)
    assert len(saved) == 1
    assert list((settings.cases_dir / case_id / "reports").glob("*.html"))
    titles = [i.title for i in evidence.list_items(case_id)]
    assert [t for t in titles if t.endswith(": HTML")] and [
        t for t in titles if t.endswith(": notebook")
    ]
    # the tray heard of the report's evidence too
    tray.get_by_text(": HTML").first.wait_for(timeout=STEP_MS)
