"""What the browser tests share: Debian's Chromium under Playwright, and real HTTP servers on loopback.

No tests here. `tests/test_browser_pages.py` and `tests/test_browser_embed.py` each start one browser
and one server per module. Playwright drives ``/usr/bin/chromium`` (``executable_path``); it never
downloads a browser, so the tests skip, saying why, when that file is absent (CI installs it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from calfeed.web import create_app

from conftest import BUNDLED, TEMPLATES

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium; .ci/run does); "
    "Playwright is never allowed to download a browser",
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # one line per request would drown the test output


@contextmanager
def serving(make_app: Callable[[str], WSGIApp]) -> Iterator[str]:
    """Serve ``make_app(base_url)`` on a free loopback port in a thread; yield its base URL ("http://127.0.0.1:N").

    The port is bound before the app is made, so the app can know its own address (calendar.url).
    """
    app: list[WSGIApp] = []

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return app[0](environ, start_response)

    server = make_server("127.0.0.1", 0, dispatch, threaded=True, request_handler=_QuietHandler)
    base = f"http://127.0.0.1:{server.port}"
    app.append(make_app(base))
    thread = threading.Thread(target=server.serve_forever, name=f"http {base}", daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def bundled_app(base: str) -> WSGIApp:
    """An app factory for `serving`: the bundled example, published at the server's own address
    (``CALFEED_BASE_URL``), so that its absolute links lead back to the test server, never to the network."""
    return create_app(
        {
            "CALFEED_EVENTS": str(BUNDLED),
            "CALFEED_TEMPLATES": str(TEMPLATES),
            "CALFEED_RELOAD_INTERVAL": "0",
            "CALFEED_BASE_URL": f"{base}/",
        }
    )


def assert_fits_the_width(page: Page) -> None:
    """No horizontal scrolling, and nothing sticking out of the viewport (even where overflow is hidden)."""
    sizes = page.evaluate(
        """() => ({
            scrollWidth: document.scrollingElement.scrollWidth,
            innerWidth: window.innerWidth,
            widest: Math.max(...[...document.body.querySelectorAll('*')].map(e => e.getBoundingClientRect().right)),
        })"""
    )
    assert sizes["scrollWidth"] <= sizes["innerWidth"], sizes
    assert sizes["widest"] <= sizes["innerWidth"] + 1, sizes


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, with nothing that phones home."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
