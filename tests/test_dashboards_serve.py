"""`workbench serve`: both servers' command lines carry the security settings (and no secret),
the token is kept in the home, and the CLI prints every URL with the token."""

from __future__ import annotations

import os
from pathlib import Path

from workbench.serve import servers as serve


def _flags(cmd: list[str]) -> dict[str, str]:
    return dict(a.lstrip("-").split("=", 1) for a in cmd if a.startswith("--") and "=" in a)


def test_plan_is_local_tokened_stripped_preheated_and_culled(tmp_path, monkeypatch):
    from workbench import config

    monkeypatch.setenv(config.ENV_HOME, str(tmp_path / "home"))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/site/jupyter-config")
    st = config.load_settings()
    p = serve.plan(st, port=18001, voila_port=18002)
    lab, voila = _flags(p.lab_command), _flags(p.voila_command)
    assert lab["ServerApp.ip"] == voila["Voila.ip"] == "127.0.0.1"
    # the token is in a private file of the home, never on a command line (others can read those)
    token_file = Path(p.env["JUPYTER_TOKEN_FILE"])
    assert token_file.read_text() == p.token and len(p.token) == 64
    assert (
        token_file.is_relative_to(st.home / "secrets")
        and token_file.stat().st_mode & 0o777 == 0o600
    )
    assert not [a for a in p.lab_command + p.voila_command if p.token in a or "token=" in a]
    assert serve.plan(st, port=18001, voila_port=18002).token == p.token  # kept across starts
    rotated = serve.plan(st, port=18001, voila_port=18002, new_token=True).token
    assert rotated != p.token and token_file.read_text() == rotated
    p = serve.plan(st, port=18001, voila_port=18002)
    # JupyterLab: the cases only, no terminals, no news, no update checks, a kept login cookie
    assert lab["ServerApp.root_dir"] == str(st.cases_dir) and st.cases_dir.is_dir()
    assert lab["ServerApp.terminals_enabled"] == "False"
    assert lab["LabApp.news_url"] == "None"
    assert lab["LabApp.check_for_updates_class"].endswith("NeverCheckForUpdate")
    assert Path(lab["ServerApp.cookie_secret_file"]).is_relative_to(st.home / "secrets")
    assert voila["VoilaConfiguration.strip_sources"] == "True"
    assert voila["VoilaConfiguration.show_tracebacks"] == "False"
    assert voila["VoilaConfiguration.preheat_kernel"] == "True"
    assert int(voila["VoilaConfiguration.default_pool_size"]) >= 1
    assert int(lab["MappingKernelManager.cull_idle_timeout"]) > 0
    assert int(voila["MappingKernelManager.cull_idle_timeout"]) > 0
    assert str(serve.dashboards_dir()) in p.voila_command
    # our template, found through JUPYTER_PATH, and nothing in it that points at a CDN
    assert voila["VoilaConfiguration.template"] == "workbench"
    template = serve.voila_templates_dir() / "voila" / "templates" / "workbench"
    assert p.env["JUPYTER_PATH"].split(":")[0] == str(serve.voila_templates_dir())
    assert (template / "index.html.j2").is_file() and (template / "page.html").is_file()
    for f in template.iterdir():
        assert "http" not in f.read_text().replace("http-equiv", ""), f.name
    assert p.env["WORKBENCH_HOME"] == str(st.home) and p.env["ITABLES_CONFIG"] == ""
    assert (
        p.app_url("case", "case=ESC-2026-000001")
        == f"http://127.0.0.1:18002/voila/render/case.ipynb?case=ESC-2026-000001&token={p.token}"
    )
    cold = serve.plan(st, port=18001, voila_port=18002, preheat=False)
    assert "--VoilaConfiguration.preheat_kernel=True" not in cold.voila_command
    # the Voilà config file that sets the page hook comes first, the user's config after it
    config_path = p.env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    assert config_path == [
        str(serve.voila_config_dir()),
        str(serve.lab_config_dir()),
        "/site/jupyter-config",
    ]
    page_config = serve.lab_config_dir() / "labconfig" / "page_config.json"
    assert "apputils-extension:announcements" in page_config.read_text()  # no news prompt
    assert (serve.voila_config_dir() / "voila.py").is_file()
    assert "configure(c)" in (serve.voila_config_dir() / "voila.py").read_text()


def test_voila_reads_its_token_and_cookie_secret_from_the_home(tmp_path, monkeypatch):
    from traitlets.config import Config

    from workbench import config
    from workbench.serve.pages import configure

    monkeypatch.setenv(config.ENV_HOME, str(tmp_path / "home"))
    st = config.settings(reload=True)
    try:
        p = serve.plan(st, port=18001, voila_port=18002)
        monkeypatch.setenv("JUPYTER_TOKEN_FILE", p.env["JUPYTER_TOKEN_FILE"])
        c = Config()
        configure(c)
        assert c.Voila.token == p.token and len(c.Voila.cookie_secret) == 32
        again = Config()
        configure(again)
        assert again.Voila.cookie_secret == c.Voila.cookie_secret  # a restart keeps the login
    finally:
        monkeypatch.undo()
        config.settings(reload=True)


def test_each_page_loads_only_the_extensions_its_notebook_needs():
    from workbench.serve.pages import page_config

    every = [
        {"name": n, "load": "static/remoteEntry.js"}
        for n in (
            "@jupyter-widgets/jupyterlab-manager",
            "@voila-dashboards/widgets-manager8",
            "jupyterlab-plotly",
            "anywidget",
            "jupyterlab_pygments",
        )
    ]
    config = {"federated_extensions": every, "baseUrl": "/"}

    def loaded(notebook: str) -> set[str]:
        out = page_config(config, "/", {}, None, None, notebook)
        return {e["name"] for e in out["federated_extensions"]}

    widgets = {"@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"}
    assert loaded("leads.ipynb") == loaded("oncall.ipynb") == widgets
    assert loaded("case.ipynb") == widgets  # its timeline is SVG: no plotly.js
    assert config["federated_extensions"] == every  # Voilà's own config is left alone
    # a notebook that declares nothing, or a path outside the dashboards, gets everything
    assert len(loaded("missing.ipynb")) == len(loaded("../../README.md")) == len(every)


def test_cli_prints_the_urls(tmp_path, monkeypatch, capsys):
    from workbench import config
    from workbench.cli import main

    monkeypatch.setenv(config.ENV_HOME, str(tmp_path / "home"))
    config.settings(reload=True)
    ran = []

    def run(p, on_ready=None):
        ran.append(p)
        on_ready(p)  # as run() does once both servers answer
        return 0

    monkeypatch.setattr(serve, "run", run)
    try:
        assert main(["serve", "--port", "18011", "--voila-port", "18012"]) == 0
        out = capsys.readouterr().out
        assert main(["serve", "--port", "18011", "--voila-port", "18011"]) == 1
        assert "cannot share port 18011" in capsys.readouterr().err
    finally:
        monkeypatch.undo()
        config.settings(reload=True)
    token = ran[0].token
    assert f"http://127.0.0.1:18011/lab?token={token}" in out
    assert f"http://127.0.0.1:18012/voila/render/leads.ipynb?token={token}" in out
    assert "oncall.ipynb" in out and "case.ipynb" in out and "ESC-YYYY-NNNNNN" in out  # no case yet
    assert out.count("The workbench is up") == 1
    assert len(ran) == 1


def test_waiting_for_a_port_another_server_holds_is_an_error():
    """Two servers racing for one port: the loser must not mistake the winner for itself."""
    import http.server
    import threading

    import pytest

    from workbench.errors import WorkbenchError

    class Refuse(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            self.send_response(403 if "token=ours" in self.path else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_port}/"
    try:
        serve.wait_until_up(url, timeout=10)  # no token: any answer means up
        with pytest.raises(WorkbenchError, match="another server"):
            serve.wait_until_up(url, timeout=10, token="ours")
    finally:
        httpd.shutdown()


def test_waiting_until_a_server_and_its_children_are_idle():
    import subprocess
    import sys
    import time

    from workbench.serve.servers import wait_until_idle

    busy_then_idle = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'import time\\nt = time.time()\\nwhile time.time() - t < 3: pass\\ntime.sleep(60)'])\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", busy_then_idle])
    try:
        time.sleep(0.5)
        assert wait_until_idle(proc, limit=1.5) is False  # its child is still busy
        t0 = time.monotonic()
        assert wait_until_idle(proc, limit=30) is True
        assert time.monotonic() - t0 >= 3  # three quiet seconds in a row
    finally:
        from workbench.serve.servers import stop

        stop(proc)
