"""What each Voilà page loads in the browser, and how ``workbench serve`` configures Voilà
(:func:`configure`, called from ``templates/voila/voila.py``).

Voilà sends every installed JupyterLab extension to every page, and the browser loads them all
before the first widget appears. jupyterlab-plotly alone is a 4.8 MB bundle that took ~0.5 s
to evaluate here, on a page (the leads' dashboard) that draws no plotly figure. So each
dashboard notebook names, in its metadata, the extensions it needs beyond the widget manager::

    "metadata": {"workbench": {"labextensions": ["jupyterlab-plotly"]}}

and :func:`page_config` (Voilà's ``page_config_hook``, set in ``templates/voila/voila.py``)
drops the others from that page. A notebook without the key gets every extension.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from pathlib import Path
from typing import Any

from workbench import resources

# The widget manager, always: without it no widget renders.
ALWAYS = ("@jupyter-widgets/", "@voila-dashboards/")


def needed_extensions(notebook: Path) -> list[str] | None:
    """The extensions a notebook declares it needs, or None when it declares nothing."""
    try:
        meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return None
    ours = meta.get("workbench") if isinstance(meta, dict) else None
    wanted = ours.get("labextensions") if isinstance(ours, dict) else None
    return [str(x) for x in wanted] if isinstance(wanted, list) else None


def page_config(
    current: dict[str, Any],
    base_url: str,
    settings: dict[str, Any],
    log: logging.Logger,
    voila_configuration: Any,
    notebook_path: str,
    **_: Any,
) -> dict[str, Any]:
    """Voilà's page_config_hook: keep only the extensions the page's notebook needs."""
    root = resources.path(resources.DASHBOARDS).resolve()
    notebook = (root / notebook_path).resolve()
    if root not in notebook.parents:
        return current
    wanted = needed_extensions(notebook)
    if wanted is None:
        return current
    out = dict(current)
    out["federated_extensions"] = [
        ext
        for ext in current.get("federated_extensions", [])
        if ext.get("name", "").startswith(ALWAYS) or ext.get("name") in wanted
    ]
    return out


def configure(c: Any) -> None:
    """Voilà's configuration under ``workbench serve``: the page hook above, the login token
    from the file named by ``JUPYTER_TOKEN_FILE`` (never on the command line), a cookie secret
    kept in the home (a restart keeps the login), and closed pages releasing their kernels."""
    c.VoilaConfiguration.page_config_hook = page_config
    token_file = os.environ.get("JUPYTER_TOKEN_FILE")
    if token_file:
        c.Voila.token = Path(token_file).read_text(encoding="ascii").strip()
        from workbench import keys
        from workbench.serve.servers import VOILA_COOKIE_KEY

        c.Voila.cookie_secret = keys.secret(VOILA_COOKIE_KEY)
    set_xsrf_cookie_on_pages()
    keep_request_info()


def set_xsrf_cookie_on_pages() -> None:
    """A closing Voilà page sends a beacon that shuts its kernel down, carrying the ``_xsrf``
    cookie. Preheated pages are rendered before their request, so nothing ever set that cookie:
    every beacon was refused (403, voila-dashboards/voila#1458) and each closed page kept a
    kernel (a quarter of a gigabyte) until culled. Touching ``xsrf_token`` when the page is
    requested sets the cookie (tornado does, on first access)."""
    from voila.tornado.handler import TornadoVoilaHandler

    original = TornadoVoilaHandler.get
    if getattr(original, "_workbench_xsrf", False):
        return

    @functools.wraps(original)
    async def get(self, path=None):
        self.xsrf_token  # noqa: B018 - the property sets the cookie
        return await original(self, path)

    get._workbench_xsrf = True  # type: ignore[attr-defined]
    TornadoVoilaHandler.get = get


def keep_request_info() -> None:
    """The case-app race with pooled kernels, fixed on the server's side.

    A page request reaches its preheated kernel as a message on the kernel's ``/voila/query``
    websocket. Voilà kept the message for later only when no socket of that kernel was open at
    that moment, and its ``on_close`` removed *some* registered socket when the closing one was
    no longer registered (the last one it looked at, possibly another kernel's). On a busy
    machine a kernel still warming up gives up a first handshake the server completes a moment
    later; its request then went to a socket nobody read, or its live socket was dropped from
    the registry, and the page never rendered. Now every request is kept until its kernel has
    it (a kernel connecting again gets it on connect; the kernel side retries:
    ``workbench.widgets.dashboards.parts.when_requested``), and a closing socket removes only
    itself.
    """
    from voila.request_info_handler import RequestInfoSocketHandler as Handler

    if getattr(Handler, "_workbench_kept", False):
        return

    def send_updates(cls, msg) -> None:
        kernel_id, payload = msg["kernel_id"], msg["payload"]
        cls._cache[kernel_id] = payload  # a later connection of this kernel gets it on open
        while len(cls._cache) > KEPT_REQUESTS:
            cls._cache.pop(next(iter(cls._cache)))
        waiter = cls._waiters.get(kernel_id)
        if waiter is not None:
            try:
                waiter.write_message(payload)
            except Exception:  # closing under us: the kernel's next connection gets it
                logging.getLogger("workbench.serve").info("request for %s kept", kernel_id)

    def on_close(self) -> None:
        for kernel_id, waiter in list(type(self)._waiters.items()):
            if waiter is self:
                del type(self)._waiters[kernel_id]

    Handler.send_updates = classmethod(send_updates)
    Handler.on_close = on_close
    Handler._workbench_kept = True


KEPT_REQUESTS = 1000  # page requests remembered for kernels (a few hundred bytes each)
