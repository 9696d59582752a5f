"""The import-layer contract of ``../shared/DESIGN.md``: imports point down only, and no module
imports itself round a circle. Every import counts, at the top of a module or inside a function.

Layers, lowest first. A package may import from any lower layer, never from a higher one, and
packages that share a layer do not import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "workbench"

LAYERS: list[set[str]] = [
    {"errors"},
    {"resources", "ids", "times", "files", "phones"},
    {"config"},
    {"keys", "engines", "events"},
    {"store", "platform"},
    {"queries"},
    {"cases"},
    {"hunt"},  # files cases; the demo, dashboards and widgets use it
    {"content"},
    {"timeline"},
    {"evidence"},
    {"replies"},
    {"filings"},  # filings from a case: they use the evidence and the reply composer; the
    # case report, the dashboards and the command line show and run them
    {"reports", "dashboards", "demo"},
    {"widgets"},
    {"serve"},
    {"cli"},
]
# the lazy facade (``import workbench as wb``) and ``python -m workbench`` sit above everything
TOP = {"__init__", "__main__"}
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every workbench module ``name`` imports (resolved; ``from pkg import submodule`` counts
    as importing the submodule)."""
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "workbench")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "workbench":
                continue
            subs = {f"{mod}.{a.name}" for a in node.names} & known
            out.update(subs or {mod})
            if len(subs) < len(node.names):
                out.add(mod)
    out.discard(name)
    return {m for m in out if m in known}


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {name: _imports(name, path, known) for name, path in mods.items()}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_package_has_a_layer():
    missing = sorted({_part(m) for m in _modules()} - set(RANK) - TOP)
    assert not missing, f"put these in LAYERS: {missing}"


def test_imports_point_down_only():
    bad = []
    for module, targets in _graph().items():
        src = _part(module)
        if src in TOP:
            continue
        for target in sorted(targets):
            dst = _part(target)
            if dst == src:
                continue
            if dst in TOP or RANK[dst] >= RANK[src]:
                bad.append(f"{module} -> {target}")
    assert not bad, "imports that point up or sideways:\n" + "\n".join(bad)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles():
    assert _cycles(_graph()) == []


@pytest.mark.parametrize(
    "graph,expected",
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_circle_finder_finds_circles(graph, expected):
    assert _cycles(graph) == expected


def test_no_data_found_through_file_parents():
    """Shipped files are found with importlib.resources (workbench.resources), never from a
    source checkout's layout."""
    bad = [
        str(p.relative_to(ROOT))
        for p in PACKAGE.rglob("*.py")
        if "Path(__file__)" in p.read_text(encoding="utf-8")
    ]
    assert not bad, bad
