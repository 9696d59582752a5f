"""Settings: defaults, and one-line errors naming the setting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from workbench.config import load_settings
from workbench.errors import SettingsError


def test_defaults(tmp_path):
    s = load_settings({"WORKBENCH_HOME": str(tmp_path / "h")})
    assert s.home == (tmp_path / "h").resolve() and s.home.is_dir()
    assert s.data_url.get_backend_name() == "duckdb"
    assert s.data_url.database.endswith("platform.duckdb")
    assert s.cases_url.get_backend_name() == "sqlite"
    assert s.cases_url.database.endswith("workbench.db")
    assert s.tz_name == "UTC"
    assert s.analyst


@pytest.mark.parametrize(
    "env,setting",
    [
        ({"WORKBENCH_TZ": "Mars/Olympus"}, "WORKBENCH_TZ"),
        ({"WORKBENCH_ANALYST": "robert'); drop table"}, "WORKBENCH_ANALYST"),
        ({"WORKBENCH_DATA_URL": "not a url"}, "WORKBENCH_DATA_URL"),
        ({"WORKBENCH_CASES_URL": "::::"}, "WORKBENCH_CASES_URL"),
        ({"WORKBENCH_CASES_URL": "duckdb:///x.duckdb"}, "WORKBENCH_CASES_URL"),
    ],
)
def test_bad_values_name_the_setting(tmp_path, env, setting):
    with pytest.raises(SettingsError) as err:
        load_settings({"WORKBENCH_HOME": str(tmp_path), **env})
    assert str(err.value).startswith(setting + ":")
    assert "\n" not in str(err.value)


def test_home_that_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(SettingsError, match="^WORKBENCH_HOME:"):
        load_settings({"WORKBENCH_HOME": str(f)})


def test_home_under_a_file_cannot_be_created(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(SettingsError, match="^WORKBENCH_HOME: cannot create"):
        load_settings({"WORKBENCH_HOME": str(tmp_path / "f" / "home")})


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_cli_unreachable_case_store_is_one_line(tmp_path):
    proc = _cli(
        "db",
        "upgrade",
        env={
            "WORKBENCH_HOME": str(tmp_path),
            "WORKBENCH_CASES_URL": "postgresql://nobody@127.0.0.1:1/x",
        },
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: WORKBENCH_CASES_URL: cannot open")
    assert "Traceback" not in proc.stderr


def test_cli_missing_platform_data_names_setting(tmp_path, monkeypatch):
    from workbench.platform.engine import platform_engine

    s = load_settings({"WORKBENCH_HOME": str(tmp_path)})
    with pytest.raises(SettingsError, match="^WORKBENCH_DATA_URL: no platform data"):
        platform_engine(s)


def test_unreachable_platform_database_names_setting(tmp_path):
    from workbench.platform.engine import platform_engine

    s = load_settings(
        {
            "WORKBENCH_HOME": str(tmp_path),
            "WORKBENCH_DATA_URL": "postgresql+psycopg://reader:s3cret@127.0.0.1:1/platform",
        }
    )
    with pytest.raises(SettingsError, match="^WORKBENCH_DATA_URL: ") as err:
        platform_engine(s)
    assert "s3cret" not in str(err.value) and "\n" not in str(err.value)


def test_password_hidden_in_messages(tmp_path):
    proc = _cli(
        "db",
        "upgrade",
        env={
            "WORKBENCH_HOME": str(tmp_path),
            "WORKBENCH_CASES_URL": "postgresql://nobody:s3cret@127.0.0.1:1/x",
        },
    )
    assert "s3cret" not in proc.stderr and "***" in proc.stderr


def test_db_upgrade_twice_on_sqlite(tmp_path):
    env = {"WORKBENCH_HOME": str(tmp_path)}
    first = _cli("db", "upgrade", env=env)
    second = _cli("db", "upgrade", env=env)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    from workbench.store.migrate import heads

    assert "(current)" in second.stdout
    assert all(head in second.stdout for head in heads())
