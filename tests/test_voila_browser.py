"""The Voilà apps in a real browser: headless Debian Chromium driven by Playwright against a
Voilà server started here (as ``workbench serve`` starts it: token, no sources, no tracebacks,
preheated kernels) on a free port, over a case store whose numbers are known.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from browser_support import chromium, only_from

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

FIRST_RENDER_MS = 180_000  # a first kernel on a busy 2-core machine can be slow
UPDATE_MS = 60_000
WARMING_S = 1.5  # after a refill kernel starts: it is then importing, well before its wait


@pytest.fixture(scope="module")
def app_env(tmp_path_factory, demo_home):
    """A home reading the small demo platform, with known cases (their subjects are demo
    users 101-104), the settings pointing at it for this module."""
    from conftest import demo_links, fresh_home
    from test_dashboards import file_known_cases

    from workbench.evidence import items as evidence

    mp = pytest.MonkeyPatch()
    mp.delenv("QUERY_STRING", raising=False)
    with fresh_home(
        mp,
        tmp_path_factory.mktemp("voila") / "home",
        analyst="test.lead",
        links=demo_links(demo_home),
    ) as settings:
        ids = file_known_cases(datetime.now(UTC))
        evidence.add_note(
            ids["harass_done"],
            "Screenshots of the abusive messages reviewed.",
            title="Reviewer note",
        )
        yield settings, ids


@pytest.fixture(scope="module")
def server_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("voila-log") / "voila.log"


@pytest.fixture(scope="module")
def voila_process(app_env, server_log):
    """Voilà on a free port, configured exactly as ``workbench serve`` configures it: its plan
    and its process."""
    from workbench.serve import servers as serve

    settings, _ = app_env
    port = serve.free_port(18866)
    plan = serve.plan(settings, voila_port=port, port=serve.free_port(18966, skip=(port,)))
    proc = serve.start(plan.voila_command, plan.env, log=server_log)
    try:
        serve.wait_until_up(plan.voila_base + "/", proc, timeout=120, token=plan.token)
        yield plan, proc
    finally:
        serve.stop(proc)


@pytest.fixture(scope="module")
def server(voila_process):
    return voila_process[0]


def wait_until_preheated(proc, limit: float = 120) -> None:
    """Every pooled kernel has run its notebook up to the wait for a page request (as
    ``benchmarks/voila.py`` waits before a preheated run)."""
    from workbench.serve.servers import wait_until_idle

    wait_until_idle(proc, limit)


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, server, server_log, request):
    """A fresh page. Everything it loads must come from our server: a request for any other
    host is refused at once (so it cannot hold the page's load) and fails the test. When the
    test fails, the end of the server's log is printed with it (tracebacks go there, never to
    the browser)."""
    ctx, elsewhere = only_from(browser, server.voila_base, viewport={"width": 1400, "height": 1000})
    # what the pages did, printed if the test fails: console lines, requests still open
    seen: list[str] = []
    pending: dict[object, str] = {}

    def watch(pg) -> None:
        pg.on("console", lambda m: seen.append(f"console {m.type}: {m.text[:300]}"))
        pg.on("pageerror", lambda e: seen.append(f"page error: {e}"[:400]))
        pg.on("request", lambda r: pending.__setitem__(r, r.url.split("?")[0]))
        pg.on("requestfinished", lambda r: pending.pop(r, None))
        pg.on(
            "requestfailed", lambda r: seen.append(f"failed {pending.pop(r, r.url)}: {r.failure}")
        )

    ctx.on("page", watch)
    pg = ctx.new_page()
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        print(
            "--- pages ---\n"
            + "\n".join(seen[-60:])
            + "\n--- requests still open ---\n"
            + "\n".join(pending.values())
        )
        if server_log.exists():
            print(f"--- end of {server_log} ---\n" + server_log.read_text(errors="replace")[-6000:])
    ctx.close()
    assert not elsewhere, f"the page asked another host for {elsewhere}"


def _kpis(page) -> dict[str, str]:
    return dict(
        page.eval_on_selector_all(
            "[data-kpi]", "els => els.map(e => [e.dataset.kpi, e.dataset.value])"
        )
    )


def _expected(filters=None) -> dict:
    from workbench import dashboards as dash

    snap = dash.apply_filters(dash.load(), filters)
    return {"headline": dash.headline(snap), "watch": dash.sla_watch(snap), "snap": snap}


def test_leads_dashboard_shows_the_store_numbers_and_filters_update_them(
    server, app_env, page, output_dir: Path
):
    from test_dashboards import bar_values

    from workbench import dashboards as dash

    _, ids = app_env
    page.goto(server.app_url("leads"), timeout=FIRST_RENDER_MS)
    page.wait_for_selector(".wb-ready", timeout=FIRST_RENDER_MS)
    page.wait_for_function(
        "document.querySelectorAll('.wb-figure svg').length >= 5", timeout=UPDATE_MS
    )
    exp = _expected()
    got = _kpis(page)
    h = exp["headline"]
    assert (h["cases"], h["open"], h["unclaimed"], h["at_risk"], h["breached"], h["resolved"]) == (
        6,
        4,
        2,
        2,
        1,
        2,
    )  # the known store, recomputed now
    for key in (
        "cases",
        "open",
        "unclaimed",
        "at_risk",
        "breached",
        "resolved",
        "median_resolution_h",
    ):
        assert got[key] == str(h[key]), key
    # the SLA table lists the watched cases, most urgent first, each linking to the case app
    links = page.eval_on_selector_all(
        "table[data-table='sla'] a[data-case]", "els => els.map(e => e.dataset.case)"
    )
    assert (
        links == list(exp["watch"]["case_id"]) == [ids["scam_new"], ids["threat"], ids["scam_late"]]
    )
    # the queue figure carries the store's counts: status by status, as labelled bars
    queue_svg = page.inner_html("[data-figure='queue']")
    assert "by status" in queue_svg
    assert bar_values(queue_svg, "queue") == [
        str(n)
        for by in ("status", "priority", "category", "team")
        for n in dash.queue(exp["snap"], by)["cases"]
    ]
    for label in dash.queue(exp["snap"], "status")["status"]:
        assert f">{label}<" in queue_svg
    # this page loads no plotly: the leads' dashboard does not need it (workbench.serve.pages)
    scripts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in scripts if "jupyterlab-plotly" in u or "anywidget" in u]
    # subjects are pseudonyms on the dashboard, never user ids
    repeat = page.inner_text("table[data-table='repeat']")
    assert dash.pseudonym(101, exp["snap"].key) in repeat and "101" not in repeat.split()
    # no code on show
    html_text = page.content()
    assert "LeadsDashboard(" not in html_text and "when_requested" not in html_text
    page.screenshot(path=str(output_dir / "leads.png"), full_page=True)

    # a filter changes every number
    page.select_option("select >> nth=0", "scam_fraud")  # category
    want = _expected(dash.Filters(category="scam_fraud"))["headline"]
    # the status line is written last, after every view has been redrawn
    page.wait_for_selector(f".wb-ready[data-cases='{want['cases']}']", timeout=UPDATE_MS)
    got = _kpis(page)
    assert (got["cases"], got["open"], got["resolved"]) == ("3", "2", "1")
    assert got["breached"] == str(want["breached"]) and got["at_risk"] == str(want["at_risk"])
    assert page.inner_text("span.wb-ready").startswith("3 of 6 cases")
    queue_svg = page.inner_html("[data-figure='queue']")  # redrawn for the filter
    assert ">scam_fraud<" in queue_svg and ">harassment_hate<" not in queue_svg
    filtered = dash.apply_filters(dash.load(), dash.Filters(category="scam_fraud"))
    assert bar_values(queue_svg, "queue") == [
        str(n)
        for by in ("status", "priority", "category", "team")
        for n in dash.queue(filtered, by)["cases"]
    ]
    page.select_option("select >> nth=2", "support")  # team: no scam case came from support
    page.wait_for_selector(".wb-ready[data-cases='0']", timeout=UPDATE_MS)
    assert _kpis(page)["cases"] == "0"
    assert "No open case is at risk" in page.inner_text("body")
    page.screenshot(path=str(output_dir / "leads-filtered.png"), full_page=True)


def test_drill_down_to_the_case_app(server, app_env, page, output_dir: Path):
    _, ids = app_env
    page.goto(server.app_url("leads"), timeout=FIRST_RENDER_MS)
    page.wait_for_selector(
        f"table[data-table='sla'] a[data-case='{ids['threat']}']", timeout=FIRST_RENDER_MS
    )
    with page.context.expect_page(timeout=UPDATE_MS) as new:
        page.click(f"table[data-table='sla'] a[data-case='{ids['threat']}']")
    case_page = new.value
    case_page.wait_for_selector(f"[data-case-id='{ids['threat']}']", timeout=FIRST_RENDER_MS)
    assert "Violent threats" in case_page.inner_text("h2")


def test_case_app_shows_the_case_and_answers_bad_ids(server, app_env, page, output_dir: Path):
    _, ids = app_env
    cid = ids["harass_done"]
    page.goto(server.app_url("case", f"case={cid}"), timeout=FIRST_RENDER_MS)
    page.wait_for_selector(f"[data-case-id='{cid}']", timeout=FIRST_RENDER_MS)
    body = page.inner_text("body")
    assert "harassment_hate" in body and "decided" in body
    assert "warning" in page.inner_text("table[data-table='decisions']")
    assert "first offence" in page.inner_text("table[data-table='notes']")
    assert page.get_attribute("[data-kpi='subjects']", "data-value") == "1"
    assert "103" not in page.inner_text("table[data-table='subjects']").split()  # pseudonym only
    assert "Reviewer note" in page.inner_text("table[data-table='evidence']")
    # key query results come from the query library, with PII masked
    overview = page.inner_text("table[data-table='query_user_overview']")
    assert "vi•••" in overview and "vikasgupta103" not in overview
    page.wait_for_selector("[data-figure='timeline'] svg .wb-event", timeout=UPDATE_MS)
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in loaded if "jupyterlab-plotly" in u]  # no plotly.js to load
    page.screenshot(path=str(output_dir / "case.png"), full_page=True)

    # (a missing ?case= is covered in test_dashboards; each page here costs a kernel start)
    for query, message in (
        ("case=../../etc/passwd", "is not a case id"),
        ("case=ESC-2026-999999", "no case ESC-2026-999999"),
    ):
        page.goto(server.app_url("case", query), timeout=FIRST_RENDER_MS)
        page.wait_for_selector(".wb-error", timeout=FIRST_RENDER_MS)
        text = page.inner_text(".wb-error")
        assert message in text and "Traceback" not in page.inner_text("body")
    page.screenshot(path=str(output_dir / "case-bad-id.png"), full_page=True)


def test_oncall_app(server, app_env, page, output_dir: Path):
    from workbench import dashboards as dash

    _, ids = app_env
    page.goto(server.app_url("oncall"), timeout=FIRST_RENDER_MS)
    page.wait_for_selector(".wb-ready", timeout=FIRST_RENDER_MS)
    oc = dash.oncall(dash.load())
    got = _kpis(page)
    assert got["unclaimed"] == str(len(oc.unclaimed)) == "2"
    assert got["due_soon"] == str(len(oc.due_soon)) == "2"
    listed = page.eval_on_selector_all(
        "table[data-table='unclaimed'] a[data-case]", "els => els.map(e => e.dataset.case)"
    )
    assert listed == [ids["threat"], ids["scam_new"]]
    page.screenshot(path=str(output_dir / "oncall.png"), full_page=True)


def test_without_the_token_the_server_refuses(server, page):
    for url in (
        server.app_url("leads", token=False),
        server.app_url("leads", "token=wrong", token=False),
    ):
        page.goto(url, timeout=FIRST_RENDER_MS)
        assert page.query_selector(".wb-ready") is None
        assert "/login" in page.url  # sent to the token form instead
    for path in ("/", "/voila/render/leads.ipynb", "/voila/render/case.ipynb?case=ESC-2026-000001"):
        req = urllib.request.Request(server.voila_base + path)
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as err:
            opener.open(req, timeout=30)
        assert err.value.code in (302, 403)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_page_asked_for_while_its_kernel_is_still_warming_up_completes(
    server, server_log, browser
):
    """Voilà hands a request the pooled kernel even before that kernel has run the notebook up
    to its wait for the request. The page must still complete: Voilà stalled when it had to run
    a further cell after such a hand-over, so each dashboard is one cell
    (notebooks/dashboards/README.md). The second page is asked for while the kernel that
    replaces the first page's is still starting and importing."""
    import time

    def filled() -> int:
        return server_log.read_text(errors="replace").count("Kernel pool of leads.ipynb is filled")

    pages = []
    try:
        for _ in range(2):
            before = filled()
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            pg = ctx.new_page()
            pages.append(ctx)
            pg.goto(server.app_url("leads"), timeout=UPDATE_MS)
            pg.wait_for_selector(".wb-ready", timeout=UPDATE_MS)
            # this page took the pooled kernel: wait for its replacement to start, then ask at
            # once, while the replacement is still importing and loading
            deadline = time.monotonic() + 60
            while filled() == before and time.monotonic() < deadline:
                time.sleep(0.05)
            assert filled() > before, "Voilà did not start a kernel to refill its pool"
            time.sleep(WARMING_S)
    finally:
        for ctx in pages:
            ctx.close()


def test_the_case_app_opened_twenty_times_renders_every_time(
    voila_process, server_log, app_env, browser
):
    """The pooled-kernel race: one case-app load in six never rendered (its pooled kernel never
    got its page request). Twenty openings in a row, at a lead's pace (each page read and closed,
    the next case opened once the pool has a preheated kernel again): every one renders its case
    within 5 s, and each closed page gives its kernel back. (A kernel handed a request while it
    is still warming up is the test above; back to back with no pause, the pages outrun the
    kernels' warm-up on 2 cores, which no pool size fixes.)"""
    import time

    from playwright.sync_api import TimeoutError as PageTimeout

    server, proc = voila_process
    _, ids = app_env
    cid = ids["harass_done"]
    url = server.app_url("case", f"case={cid}")

    def log() -> str:
        return server_log.read_text(errors="replace")

    def filled() -> int:
        return log().count("Kernel pool of case.ipynb is filled")

    deadline = time.monotonic() + 300  # the case app's pool, preheated
    while not filled() and time.monotonic() < deadline:
        time.sleep(0.5)
    first_fill = filled()
    shut_before = log().count("Kernel shutdown:")
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    times, failed = [], []
    try:
        for i in range(20):
            # the kernel the previous page took has been replaced, and the pool is warm
            deadline = time.monotonic() + 120
            while filled() < first_fill + i and time.monotonic() < deadline:
                time.sleep(0.2)
            wait_until_preheated(proc)
            pg = ctx.new_page()
            t0 = time.monotonic()
            try:
                pg.goto(url, timeout=60_000)
                pg.wait_for_selector(f"[data-case-id='{cid}']", timeout=60_000)
                pg.wait_for_selector("[data-figure='timeline'] svg", timeout=60_000)
                times.append(round(time.monotonic() - t0, 2))
            except PageTimeout:
                failed.append(i)
            finally:
                pg.close(run_before_unload=True)  # the page's beacon shuts its kernel down
    finally:
        ctx.close()
    assert not failed, f"openings {failed} never rendered; times {times}\n{log()[-4000:]}"
    # each under 5 s; on two cores shared with the other test worker one opening in twenty
    # may be caught behind that worker's burst, so the slowest one gets 10 s
    assert sorted(times)[-2] < 5 and max(times) < 10, times
    deadline = time.monotonic() + 30
    while log().count("Kernel shutdown:") - shut_before < 18 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert log().count("Kernel shutdown:") - shut_before >= 18, "closed pages kept their kernels"
