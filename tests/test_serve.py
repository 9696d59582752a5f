"""``workbench serve`` as a user runs it, in its own process: one URL block once both servers
answer (with a real case URL), quiet output, SIGTERM and Ctrl-C stop both servers and every
kernel with no process or listening port left and no traceback, and a restart keeps the login
(same token, and a browser that logged in before is still logged in)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]
UP_S = 240


@pytest.fixture(scope="module")
def serve_home(tmp_path_factory, demo_home):
    from conftest import demo_links, fresh_home

    from workbench.demo.cases import file_demo_cases

    mp = pytest.MonkeyPatch()
    with fresh_home(
        mp,
        tmp_path_factory.mktemp("serve") / "home",
        analyst="serve.lead",
        links=demo_links(demo_home),
    ) as settings:
        file_demo_cases(settings, n_history=10, seed=7)
        yield settings


class Serve:
    """One ``workbench serve`` process, its output read as it comes."""

    def __init__(self, settings, port: int, voila_port: int, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_TOKEN")}
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "workbench",
                "serve",
                "--port",
                str(port),
                "--voila-port",
                str(voila_port),
            ],
            env={**env, "WORKBENCH_HOME": str(settings.home)},
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            start_new_session=True,
        )
        self.lines: list[tuple[float, str]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    @property
    def out(self) -> str:
        return "\n".join(text for _, text in self.lines)

    def block(self) -> str:
        deadline = time.monotonic() + UP_S
        while "Press Ctrl-C" not in self.out:
            assert self.proc.poll() is None, (self.out, Path(self.log.name).read_text())
            assert time.monotonic() < deadline, self.out
            time.sleep(0.2)
        return self.out

    def url(self, marker: str) -> str:
        return next(t.split()[-1] for _, t in self.lines if marker in t and "http" in t)

    def tree(self) -> list[psutil.Process]:
        return psutil.Process(self.proc.pid).children(recursive=True)

    def stop(self, sig: int) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(90)
        self.reader.join(10)
        self.log.close()
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=10)
        return True
    except urllib.error.HTTPError:
        return True  # an answer (a redirect to the login form, say)
    except OSError:
        return False


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _gone(procs: list[psutil.Process], timeout: float = 15) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return []
        time.sleep(0.3)
    return [f"{p.pid} {' '.join(p.cmdline()[:4])}" for p in alive]


def _kernels(s: Serve) -> list[psutil.Process]:
    return [p for p in s.tree() if "ipykernel_launcher" in " ".join(p.cmdline())]


def test_serve_prints_once_both_answer_stops_cleanly_and_keeps_the_login(
    serve_home, tmp_path, output_dir
):
    from browser_support import chromium

    from workbench.serve import servers

    port = servers.free_port(19311)
    voila_port = servers.free_port(19411, skip=(port,))
    first = Serve(serve_home, port, voila_port, tmp_path / "serve1.err")
    try:
        out = first.block()
        lab, leads = first.url("/lab?token="), first.url("leads.ipynb")
        token = leads.split("token=")[1]
        # the block comes after both servers answer: at that moment both do
        assert _answers(f"http://127.0.0.1:{port}/api/status?token={token}")
        assert _answers(f"http://127.0.0.1:{voila_port}/?token={token}")
        assert out.count("The workbench is up") == 1 and len(out.splitlines()) <= 16, out
        # a real case: the most urgent open one, not the ESC-YYYY-NNNNNN placeholder
        urgent, _why = servers.most_urgent_case(serve_home)
        assert f"case={urgent}&token={token}" in out and "ESC-YYYY" not in out
        assert "Traceback" not in out and "[I " not in out  # the servers' logs go to files
        assert (serve_home.home / "logs" / "jupyterlab.log").stat().st_size > 0
        # every kernel Voilà preheats, and a specialist's kernel in JupyterLab, must go too
        deadline = time.monotonic() + UP_S
        while len(_kernels(first)) < 3 and time.monotonic() < deadline:
            time.sleep(0.5)
        with chromium() as browser:
            ctx = browser.new_context()
            page = ctx.new_page()
            page.goto(leads, timeout=180_000)
            page.wait_for_selector(".wb-ready", timeout=180_000)
            page.goto(lab, timeout=180_000)
            page.wait_for_selector("#jp-main-dock-panel", timeout=180_000)
            page.close()
            tree = first.tree()
            assert len(_kernels(first)) >= 3, [" ".join(p.cmdline()[:3]) for p in tree]

            assert first.stop(signal.SIGTERM) == 0
            assert "Traceback" not in first.out
            assert "Traceback" not in Path(first.log.name).read_text()
            assert _gone(tree) == [], "orphans after SIGTERM"
            assert not _listening(port) and not _listening(voila_port)

            # a restart: the same token, and the browser that logged in is still logged in
            second = Serve(serve_home, port, voila_port, tmp_path / "serve2.err")
            try:
                second.block()
                assert second.url("leads.ipynb").split("token=")[1] == token
                page = ctx.new_page()
                page.goto(
                    f"http://127.0.0.1:{voila_port}/voila/render/leads.ipynb", timeout=180_000
                )
                page.wait_for_selector(".wb-ready", timeout=180_000)
                assert "/login" not in page.url
                page.goto(f"http://127.0.0.1:{port}/lab", timeout=180_000)
                page.wait_for_selector("#jp-main-dock-panel", timeout=180_000)
                assert "/login" not in page.url
                page.screenshot(path=str(output_dir / "lab-after-restart.png"))
                page.close()
                tree = second.tree()
                # Ctrl-C (SIGINT) stops everything the same way
                assert second.stop(signal.SIGINT) == 0
                assert "Traceback" not in second.out
                assert "Traceback" not in Path(second.log.name).read_text()
                assert _gone(tree) == [], "orphans after Ctrl-C"
                assert not _listening(port) and not _listening(voila_port)
            finally:
                second.kill()
    finally:
        first.kill()
