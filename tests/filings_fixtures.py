"""The filings tests' fixtures, loaded with ``pytest_plugins = ["filings_fixtures"]``: the
demo's cases filed once per session into a case store that each test gets a fresh copy of."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import demo_links, fresh_home

N_HISTORY = 300  # historical cases filed besides the planted ones


@pytest.fixture(scope="session")
def filed_store(demo_home, tmp_path_factory) -> Path:
    """A case store holding the demo's planted and historical cases (built once)."""
    from workbench.demo.cases import file_demo_cases

    home = tmp_path_factory.mktemp("filed") / "home"
    with pytest.MonkeyPatch.context() as mp:
        with fresh_home(mp, home, links=demo_links(demo_home)) as settings:
            file_demo_cases(settings, n_history=N_HISTORY, seed=7)
    return home / "workbench.db"


@pytest.fixture
def demo_env(demo_home, filed_store, tmp_path, monkeypatch):
    """A fresh home reading the demo platform, with a copy of the filed case store."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(filed_store, home / "workbench.db")
    with fresh_home(monkeypatch, home, analyst="f.tester", links=demo_links(demo_home)) as s:
        yield s
