"""What a report leaves besides its notebook: the HTML with no code (plotly.js embedded once,
so it opens offline), and the banner of a report that was stopped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from workbench.files import atomic_write


def mark_stopped(path: Path, message: str) -> None:
    """Put an error output on the cell that was running in a stopped report (kept for review)."""
    import nbformat

    if not path.exists():
        return
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # The cell that was running, else the first that had not completed, else the last one.
    target = next(
        (c for c in code if c.get("metadata", {}).get("papermill", {}).get("status") == "running"),
        None,
    )
    if target is None:
        target = next(
            (
                c
                for c in code
                if c.get("metadata", {}).get("papermill", {}).get("status") != "completed"
            ),
            code[-1] if code else None,
        )
    if target is not None:
        target.outputs.append(
            nbformat.v4.new_output(
                "error",
                ename="ReportStopped",
                evalue=message,
                traceback=[f"ReportStopped: {message}"],
            )
        )
        target.setdefault("metadata", {}).setdefault("papermill", {})["status"] = "failed"
    banner = nbformat.v4.new_markdown_cell(
        f"<span style='color:red;font-size:1.5em'>This report was stopped: {message}</span>"
    )
    banner.metadata["tags"] = ["papermill-error-cell-tag"]
    nb.cells.insert(0, banner)
    atomic_write(path, nbformat.writes(nb).encode("utf-8"))


_exporter: Any = None


def exporter() -> Any:
    """The HTML exporter, built once per process (templates load slowly)."""
    global _exporter
    if _exporter is None:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter

        _exporter = HTMLExporter(
            template_name="lab",
            template_file="wb_report.html.j2",
            extra_loaders=[DictLoader({"wb_report.html.j2": _TEMPLATE})],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
    return _exporter


# The lab template without what it loads from CDNs (require.js, MathJax, widgets, Mermaid):
# a report must open offline, and it has no widgets or maths.
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def scan_notebook(notebook: Path, case_id: str, audience: str) -> None:
    """The exit scan of a report notebook for an outside audience (every cell and output);
    :class:`~workbench.evidence.scanner.LeakFound` names the part, never the value."""
    from workbench.evidence.scanner import ExitScanner

    scanner = ExitScanner(case_id, audience)
    if scanner.active:
        scanner.text(f"report notebook {notebook.name}", notebook.read_text(encoding="utf-8"))


_STYLE_RE = re.compile(r"<style[^>]*>.*?</style>", re.S | re.I)


def export_html(notebook: Path, *, case_id: str | None = None, audience: str = "internal") -> Path:
    """``<notebook>.html`` with no code and plotly.js embedded once (works offline). For an
    outside audience the page passes the exit scan before it is written (the template's style
    sheets and plotly.js, our own code, are not platform data and are left out of the scan)."""
    import nbformat

    html = exporter()
    nb = nbformat.read(notebook, as_version=4)
    case = nb.cells and parameter(nb, "case_id")
    body, _ = html.from_notebook_node(
        nb, resources={"metadata": {"name": f"Investigation report {case or notebook.stem}"}}
    )
    if audience != "internal":
        from workbench.evidence.scanner import ExitScanner

        ExitScanner(case_id or str(case), audience).text(
            f"report page {notebook.with_suffix('.html').name}", _STYLE_RE.sub("", body)
        )
    if "plotly-graph-div" in body:
        from plotly.offline import get_plotlyjs

        body = body.replace(
            "</head>", '<script type="text/javascript">' + get_plotlyjs() + "</script>\n</head>", 1
        )
    target = notebook.with_suffix(".html")
    atomic_write(target, body.encode("utf-8"))
    return target


def parameter(nb: Any, name: str) -> Any:
    """A parameter Papermill injected into a report notebook."""
    return (nb.metadata.get("papermill", {}).get("parameters", {}) or {}).get(name)
