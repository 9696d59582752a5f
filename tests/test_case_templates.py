"""Each case template, opened for the planted case of its type on the demo, runs top to bottom
without errors (Papermill, in its own process and kernel, and nbval) and shows the case's facts, its
timeline (the plotly widget with the subjects' platform events), its evidence tray, the content
viewers of its type and the reply composer."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from workbench import cases, content
from workbench.cases.notebooks import open_case_notebook
from workbench.cases.taxonomy import taxonomy
from workbench.demo.cases import file_demo_cases
from workbench.timeline.figures import REF_INDEX

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
THREAD_TEMPLATES = {"scam_fraud", "harassment_hate", "threats_sextortion"}


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


def _widget_models(nb, call: str) -> list[dict]:
    """Every widget model displayed by the code cell that makes ``call`` (the cell's widget and
    all its descendants, from the widget state Papermill saved)."""
    cell = next((c for c in nb.cells if c.cell_type == "code" and call in c.source), None)
    assert cell is not None, f"no cell calling {call!r}"
    state = (
        nb.metadata.get("widgets", {})
        .get("application/vnd.jupyter.widget-state+json", {})
        .get("state", {})
    )
    todo = [
        o["data"][WIDGET_VIEW]["model_id"]
        for o in cell.get("outputs", [])
        if WIDGET_VIEW in o.get("data", {})
    ]
    assert todo, f"the cell calling {call!r} displayed no widget"
    seen, models = set(), []
    while todo:
        mid = todo.pop()
        if mid in seen or mid not in state:
            continue
        seen.add(mid)
        models.append(state[mid])
        refs = [v for v in state[mid]["state"].values() if isinstance(v, (str, list))]
        for v in refs:
            for r in v if isinstance(v, list) else [v]:
                if isinstance(r, str) and r.startswith("IPY_MODEL_"):
                    todo.append(r[len("IPY_MODEL_") :])
    return models


def _html(models: list[dict]) -> str:
    return "\n".join(m["state"].get("value", "") for m in models if m["model_name"] == "HTMLModel")


def _check_timeline(nb, template: str) -> None:
    models = _widget_models(nb, "wb.widgets.TimelineView(")
    figures = [m for m in models if m["model_name"] == "AnyModel" and "_widget_data" in m["state"]]
    assert len(figures) == 1, template
    traces = figures[0]["state"]["_widget_data"]
    refs = [row[REF_INDEX] for t in traces for row in (t.get("customdata") or [])]
    assert refs, f"{template}: the timeline figure has no events"
    # the subjects' platform events, not only the case's own milestones
    assert any(not r.startswith("case:") for r in refs), (template, refs[:10])
    assert "events in view" in _html(models), template


def _check_evidence(nb, template: str, case_id: str) -> None:
    models = _widget_models(nb, "wb.widgets.EvidenceTray(")
    assert f"Evidence — {case_id}" in _html(models), template
    buttons = {m["state"].get("description") for m in models if m["model_name"] == "ButtonModel"}
    assert {"Create bundle", "Verify", "Add note"} <= buttons, (template, buttons)


@pytest.mark.slow
def test_every_template_runs_for_its_planted_case(wb_env, ground_truth, output_dir):
    res = file_demo_cases(wb_env, n_history=40, seed=7)
    tax = taxonomy()
    by_template: dict[str, str] = {}
    for i, sc in enumerate(ground_truth["scenarios"]):
        template = tax.categories[tax.scenario_categories[sc["kind"]]].template
        by_template.setdefault(template, res.scenario_cases[i])
    assert set(by_template) == {p.stem for p in tax.template_path("spam").parent.glob("*.ipynb")}

    jobs = []
    for template, case_id in sorted(by_template.items()):
        nb = open_case_notebook(case_id)
        out = output_dir / f"{template}.ipynb"
        cmd = [
            sys.executable,
            "-m",
            "papermill",
            str(nb.path),
            str(out),
            "--cwd",
            str(nb.path.parent),
            "--no-progress-bar",
            "--execution-timeout",
            "240",
        ]
        jobs.append((template, case_id, out, cmd))
    failures = []
    env = dict(os.environ)
    for k in range(0, len(jobs), 2):  # two kernels at a time (2-core machines)
        batch = [
            (
                j,
                subprocess.Popen(
                    j[3], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
                ),
            )
            for j in jobs[k : k + 2]
        ]
        for (template, _case, _out, _), proc in batch:
            log, _ = proc.communicate(timeout=600)
            if proc.returncode != 0:
                failures.append(f"{template}: {log[-1500:]}")
    assert not failures, "\n\n".join(failures)

    # nbval too: each notebook as prepared for its case (never executed in place) runs cell by
    # cell with no error (--nbval-lax: outputs hold ids and times, so they are not compared)
    prepared = [str(open_case_notebook(case_id).path) for _, case_id, _, _ in jobs]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "--nbval-cell-timeout=240",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(output_dir),
            *prepared,
        ],
        env=env,
        cwd=output_dir,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0 and " passed" in proc.stdout, (
        proc.stdout[-4000:] + proc.stderr[-2000:]
    )
    assert "failed" not in proc.stdout.splitlines()[-1]

    for template, case_id, out, _ in jobs:
        done = nbformat.read(out, as_version=4)
        errors = [
            o for c in done.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
        ]
        assert not errors, (template, errors)
        text = _texts(done)
        case = cases.get(case_id)
        assert f"{case_id} · {case.category}" in text, template
        assert str(case.subjects[0]) in text, template
        assert "first response:" in text and "No decision recorded yet" in text, template
        if template == "legal_request":
            assert "Keep the data until" in text
        _check_timeline(done, template)
        _check_evidence(done, template, case_id)
        if template in THREAD_TEMPLATES:
            thread = _html(_widget_models(done, "ThreadView(int("))
            assert "wb-thread" in thread and "data-message-id=" in thread, template
        if template == "impersonation":
            images = [
                m
                for m in _widget_models(done, "PhotoGrid.for_user(")
                if m["model_name"] == "ImageModel"
            ]
            n_photos = len(content.photos(case.subjects[0]))
            assert n_photos and len(images) == n_photos, (n_photos, len(images))
        if template != "legal_request":
            drafts = [
                m["state"].get("value", "")
                for m in _widget_models(done, "ReplyComposer(case_id")
                if m["model_name"] == "TextareaModel"
            ]
            assert any(d.strip() for d in drafts), f"{template}: the reply composer has no draft"
