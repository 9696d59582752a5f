"""Headless Chromium for the browser tests: the Debian package, never a downloaded browser,
with the flags this machine needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (a Playwright ``Browser``), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def only_from(browser: Any, base: str, **context: Any) -> tuple[Any, list[str]]:
    """A new browser context whose requests to anything but ``base`` (and data:/blob: URLs)
    are refused at once, so they cannot hold a page's load; returns it and the list of refused
    URLs, which a test asserts is empty."""
    ctx = browser.new_context(**context)
    elsewhere: list[str] = []

    def only_ours(route: Any) -> None:
        url = route.request.url
        if url.startswith(base + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    ctx.route("**/*", only_ours)
    return ctx, elsewhere
