"""nbval runs every dashboard notebook headless (a kernel per notebook, no browser) against a
store with known cases; the case app is given its case the way Voilà gives it, through
QUERY_STRING."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_dashboards import file_known_cases

DASHBOARDS = Path(__file__).resolve().parent.parent / "notebooks" / "dashboards"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_dashboard_notebooks_run_under_nbval(store_env, tmp_path):  # noqa: F811
    ids = file_known_cases(datetime.now(UTC))
    notebooks = sorted(DASHBOARDS.glob("*.ipynb"))
    assert {p.stem for p in notebooks} >= {"leads", "oncall", "case"}
    env = {
        **os.environ,
        "WORKBENCH_HOME": str(store_env.home),
        "QUERY_STRING": f"case={ids['scam_done']}",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "--nbval-cell-timeout=300",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            *map(str, notebooks),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=580,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(rf"\b{len(notebooks)} passed\b", proc.stdout)  # one code cell per notebook
