"""Each case template, opened for the planted case of its type on the demo, runs top to bottom
without errors (Papermill, in its own process and kernel) and shows the case's facts."""
from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from workbench import cases, policies
from workbench.casefiles import open_case_notebook
from workbench.demo_cases import file_demo_cases


def _texts(nb) -> str:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out.append(o.get("text", ""))
            for key in ("text/plain", "text/html", "text/markdown"):
                data = o.get("data", {}).get(key)
                if data:
                    out.append(data if isinstance(data, str) else "".join(data))
    return "\n".join(out)


@pytest.mark.slow
def test_every_template_runs_for_its_planted_case(wb_env, ground_truth, output_dir):
    res = file_demo_cases(wb_env, n_history=40, seed=7)
    tax = policies.taxonomy()
    by_template: dict[str, str] = {}
    for i, sc in enumerate(ground_truth["scenarios"]):
        template = tax.categories[tax.scenario_categories[sc["kind"]]].template
        by_template.setdefault(template, res.scenario_cases[i])
    assert set(by_template) == {p.stem for p in tax.template_path("spam").parent.glob("*.ipynb")}

    jobs = []
    for template, case_id in sorted(by_template.items()):
        nb = open_case_notebook(case_id)
        out = output_dir / f"{template}.ipynb"
        cmd = [sys.executable, "-m", "papermill", str(nb.path), str(out), "--cwd", str(nb.path.parent),
               "--no-progress-bar", "--execution-timeout", "240"]
        jobs.append((template, case_id, out, cmd))
    failures = []
    env = dict(os.environ)
    for k in range(0, len(jobs), 2):          # two kernels at a time (2-core machines)
        batch = [(j, subprocess.Popen(j[3], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True)) for j in jobs[k:k + 2]]
        for (template, case_id, out, _), proc in batch:
            log, _ = proc.communicate(timeout=600)
            if proc.returncode != 0:
                failures.append(f"{template}: {log[-1500:]}")
    assert not failures, "\n\n".join(failures)

    for template, case_id, out, _ in jobs:
        done = nbformat.read(out, as_version=4)
        errors = [o for c in done.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, (template, errors)
        text = _texts(done)
        case = cases.get(case_id)
        assert f"{case_id} · {case.category}" in text, template
        assert str(case.subjects[0]) in text, template
        assert "first response:" in text and "No decision recorded yet" in text, template
        if template == "legal_request":
            assert "Keep the data until" in text
