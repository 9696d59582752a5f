"""The wheel works anywhere: built from the repository, installed into a fresh virtual
environment and used from a folder outside the checkout, it finds its query library, policies,
templates and notebooks inside the installed package, and ``workbench serve`` renders the leads'
dashboard in Chromium.

The fresh environment borrows the project environment's third-party packages (a ``.pth`` line,
and links to their data files under ``share/`` and ``etc/``, so nothing is downloaded); the
workbench itself comes only from the wheel: the test checks that
``import workbench`` resolves inside the new environment, never in the checkout.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ]
    )
    (found,) = dist.glob("ts_workbench-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("venv")
    base = getattr(sys, "_base_executable", sys.executable)
    _run([base, "-m", "venv", "--without-pip", str(root)])
    site = Path(sysconfig.get_paths(vars={"base": str(root), "platbase": str(root)})["purelib"])
    ours = Path(sysconfig.get_paths()["purelib"])
    (site / "project-deps.pth").write_text(f"{ours}\n")  # third-party packages only
    project = Path(sys.prefix)
    for data in ("share", "etc"):  # their data files: Jupyter's templates, lab assets, config
        if (project / data).is_dir():
            (root / data).symlink_to(project / data, target_is_directory=True)
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(root / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ]
    )
    return root


@pytest.fixture
def outside(tmp_path, venv) -> dict[str, str]:
    """An environment for commands run from a folder outside the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "PYTHON"))}
    env.update(
        {
            "WORKBENCH_HOME": str(tmp_path / "home"),
            "WORKBENCH_ANALYST": "wheel.tester",
            "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    return env


def _wb(venv: Path, env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return _run([str(venv / "bin" / "workbench"), *args], env=env, cwd=cwd)


def test_the_wheel_carries_the_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "workbench/resources/queries/linked_accounts.sql",
        "workbench/resources/templates/policies.yaml",
        "workbench/resources/templates/cases/scam_fraud.ipynb",
        "workbench/resources/templates/voila/templates/workbench/index.html.j2",
        "workbench/resources/notebooks/dashboards/leads.ipynb",
        "workbench/resources/notebooks/reports/case_report.ipynb",
        "workbench/store/migrations/versions/0001_base.py",
    ):
        assert expected in names, expected
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/"))]


def test_installed_workbench_comes_from_the_wheel(venv, outside, tmp_path):
    code = (
        "import json, workbench, workbench.resources as r; "
        "print(json.dumps([workbench.__file__, str(r.path(r.QUERIES)), workbench.__version__]))"
    )
    out = _run([str(venv / "bin" / "python"), "-c", code], env=outside, cwd=tmp_path).stdout
    module, queries, version = json.loads(out)
    assert Path(module).is_relative_to(venv) and Path(queries).is_relative_to(venv)
    assert not Path(queries).is_symlink() and version


def test_commands_from_another_folder(venv, outside, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    home = Path(outside["WORKBENCH_HOME"])
    _wb(
        venv,
        outside,
        work,
        "demo",
        "generate",
        "--users",
        "400",
        "--cases",
        "20",
        "--no-progress",
        "--anchor",
        "2026-11-01",
    )
    assert (home / "platform.duckdb").is_file()
    listing = _wb(venv, outside, work, "query", "list").stdout
    assert "linked_accounts" in listing and "user_overview" in listing
    truth = json.loads((home / "ground_truth.json").read_text())
    ring = next(s for s in truth["scenarios"] if s["kind"] == "romance_scam_ring")
    member = ring["users"][0]
    _wb(
        venv,
        outside,
        work,
        "query",
        "run",
        "user_overview",
        "-p",
        f"user_id={member}",
        "--format",
        "json",
    )
    cases = _wb(venv, outside, work, "case", "list", "--status", "investigating").stdout
    case_id = re.search(r"ESC-\d{4}-\d{6}", cases).group(0)
    opened = _wb(venv, outside, work, "case", "open", case_id).stdout
    assert (home / "cases" / case_id / "investigation.ipynb").is_file(), opened
    screenshot = work / "screenshot.txt"
    screenshot.write_text("what the member sent us\n")
    _wb(venv, outside, work, "evidence", "add", case_id, str(screenshot), "--note", "from support")
    bundle = work / "bundle.zip"
    _wb(
        venv,
        outside,
        work,
        "bundle",
        "create",
        case_id,
        "--audience",
        "internal",
        "--out",
        str(bundle),
    )
    assert "OK" in _wb(venv, outside, work, "bundle", "verify", str(bundle)).stdout
    _wb(venv, outside, work, "report", case_id, "--timeout", "600")
    assert list((home / "cases" / case_id / "reports").glob("*.html"))


@pytest.mark.browser
def test_serve_from_the_wheel_renders_the_dashboards(venv, outside, tmp_path):
    from browser_support import chromium

    from workbench.serve import servers

    work = tmp_path / "elsewhere"
    work.mkdir()
    _wb(
        venv,
        outside,
        work,
        "demo",
        "generate",
        "--users",
        "300",
        "--cases",
        "10",
        "--no-progress",
        "--anchor",
        "2026-11-01",
    )
    port = servers.free_port(19111)
    voila_port = servers.free_port(19211, skip=(port,))
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [
            str(venv / "bin" / "workbench"),
            "serve",
            "--port",
            str(port),
            "--voila-port",
            str(voila_port),
        ],
        env=outside,
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        start_new_session=True,
    )
    try:
        leads = None
        for line in proc.stdout:
            if "leads.ipynb" in line:
                leads = line.split()[-1]
                break
        assert leads, (tmp_path / "serve.log").read_text()[-3000:]
        token = leads.split("token=")[1]
        servers.wait_until_up(f"http://127.0.0.1:{voila_port}/", proc, timeout=180, token=token)
        with chromium() as browser:
            page = browser.new_page()
            page.goto(leads, timeout=180_000, wait_until="commit")  # a first kernel can be slow
            page.wait_for_selector(".wb-ready", timeout=180_000)
            assert "cases" in page.inner_text("body").lower()
    finally:
        servers.stop(proc)
        log.close()
