"""Shared fixtures.

* ``demo_home``: a small demo platform generated once per test session (read it, don't write).
* ``wb_env``: a fresh WORKBENCH_HOME per test, seeing the demo platform data, with an empty
  SQLite case store; settings reloaded and engines disposed around the test.
* ``store_env``: a fresh WORKBENCH_HOME per test with an empty SQLite case store and no
  platform data; yields the reloaded Settings. The analyst is ``store_analyst``
  ("test.analyst"; a module may override that fixture).
* ``fresh_home(monkeypatch, home, analyst=..., links=...)``: what both build on, for modules
  that need a home of their own (import it from ``conftest``).
* ``set_setting(name, value)``: change one ``WORKBENCH_*`` setting for a test.
* ``pg_server``: a throwaway PostgreSQL server for the session; ``pg_url`` an empty database
  per test; ``pg_platform_url`` the demo platform loaded into PostgreSQL once per session, read
  as the restricted reader role (``pg_platform_owner_url`` as its owner); ``pg_reader(url)``
  the reader URL of a database a test filled itself.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pg_server import PostgresServer

TEST_SEED = 7
TEST_USERS = 800
TEST_ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


def dispose_engines() -> None:
    """Drop cached platform and case-store engines (what a kernel restart does)."""
    from workbench.platform.engine import dispose_all as dispose_platform
    from workbench.store import dispose_all as dispose_store

    dispose_platform()
    dispose_store()


def demo_links(demo_home: Path) -> dict[str, Path]:
    """What a home needs from the demo home to read its platform: ``fresh_home(links=...)``."""
    return {
        name: demo_home / name
        for name in ("platform.duckdb", "media", "ground_truth.json")
        if (demo_home / name).exists()
    }


@contextmanager
def fresh_home(
    monkeypatch: pytest.MonkeyPatch,
    home: Path,
    *,
    analyst: str = "test.analyst",
    links: dict[str, Path] | None = None,
) -> Iterator:
    """Point the settings at ``home`` (created, with ``links`` symlinked into it by name) and so
    at an empty SQLite case store; yields the reloaded Settings and restores everything after."""
    from workbench import config

    home.mkdir(parents=True, exist_ok=True)
    for name, target in (links or {}).items():
        (home / name).symlink_to(target)
    for var in (config.ENV_DATA_URL, config.ENV_CASES_URL, config.ENV_TZ, "WORKBENCH_LAB_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv(config.ENV_HOME, str(home))
    monkeypatch.setenv(config.ENV_ANALYST, analyst)
    dispose_engines()
    try:
        yield config.settings(reload=True)
    finally:
        dispose_engines()
        monkeypatch.undo()
        config.settings(reload=True)


@pytest.fixture
def set_setting(monkeypatch):
    """``set_setting("WORKBENCH_X", value)``: change a setting for this test (the settings are
    read again at once, and again after the test, when the environment is restored)."""
    from workbench import config

    def _set(name: str, value: str | None):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
        return config.settings(reload=True)

    yield _set
    monkeypatch.undo()
    config.settings(reload=True)


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    from workbench.demo.generate import generate_demo

    home = tmp_path_factory.mktemp("demo")
    generate_demo(home, seed=TEST_SEED, users=TEST_USERS, anchor=TEST_ANCHOR)
    return home


@pytest.fixture(scope="session")
def ground_truth(demo_home) -> dict:
    return json.loads((demo_home / "ground_truth.json").read_text())


@pytest.fixture
def wb_env(demo_home, tmp_path, monkeypatch):
    """A fresh home that reads the session's demo platform; yields the reloaded Settings."""
    with fresh_home(monkeypatch, tmp_path / "home", links=demo_links(demo_home)) as settings:
        yield settings


@pytest.fixture(scope="session")
def pg_server():
    server = PostgresServer().start()
    yield server
    server.stop()


_db_counter = itertools.count()


@pytest.fixture
def pg_url(pg_server) -> str:
    """An empty database on the throwaway server."""
    return pg_server.create_database(f"t{os.getpid()}_{next(_db_counter)}")


@pytest.fixture(scope="session")
def pg_platform_owner_url(pg_server, demo_home) -> str:
    """The demo platform loaded into PostgreSQL (once per session), as its owner: for tests
    that look behind the reader role. Read it, don't write."""
    from workbench.demo.load import load_into_postgres

    url = pg_server.create_database("platform")
    load_into_postgres(demo_home / "platform.duckdb", url)
    return url


@pytest.fixture(scope="session")
def pg_platform_url(pg_platform_owner_url) -> str:
    """The demo platform in PostgreSQL, read as the role ``workbench demo load`` makes (the
    workbench refuses any role that could write)."""
    from workbench.demo.load import create_reader

    return create_reader(pg_platform_owner_url)


def pg_reader(url: str) -> str:
    """The reader-role URL for a PostgreSQL database a test filled with platform tables."""
    from workbench.demo.load import create_reader

    return create_reader(url)


@pytest.fixture
def pg_env(wb_env, pg_platform_url, monkeypatch):
    """Like ``wb_env``, but the platform data is the demo loaded into PostgreSQL."""
    from workbench import config
    from workbench.platform.engine import dispose_all

    monkeypatch.setenv(config.ENV_DATA_URL, pg_platform_url)
    dispose_all()
    yield config.settings(reload=True)
    dispose_all()


@pytest.fixture
def output_dir(request) -> Path:
    """A per-test folder under ./test-output for screenshots and artefacts worth keeping."""
    folder = OUTPUT / request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Tests that start Jupyter kernels, Voilà or Chromium run one after another on one xdist worker
# (`--dist loadgroup`): on a 2-core machine two of them at once starve each other.
KERNEL_HEAVY_MODULES = {
    "test_voila_browser",
    "test_lab_golden_paths",
    "test_serve",
    "test_case_templates",
    "test_dashboards_notebooks",
    "test_reports",
    "test_wheel",
}


def pytest_itemcollected(item):
    # marked as each item is collected, so xdist's worker finds the group when it writes it
    # into the node id (pytest 9.2 stopped honouring that rewrite: hence pytest 9.1.1)
    module = getattr(item, "module", None)
    if module is not None and module.__name__ in KERNEL_HEAVY_MODULES:
        item.add_marker(pytest.mark.xdist_group("kernels"))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # keeps each phase's report on the item (item.rep_call ...) so a fixture can tell, at
    # teardown, that its test failed and print what explains it
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


@pytest.fixture
def store_analyst() -> str:
    """The analyst ``store_env`` works as; a module overrides this fixture to work as someone else."""
    return "test.analyst"


@pytest.fixture
def store_env(tmp_path, monkeypatch, store_analyst):
    """A fresh home with an empty SQLite case store (no platform data needed).

    Yields the reloaded Settings; a test that changes settings mid-way takes ``monkeypatch`` too
    (the same one) and reloads them.
    """
    with fresh_home(monkeypatch, tmp_path / "home", analyst=store_analyst) as settings:
        yield settings
