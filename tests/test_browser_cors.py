"""CORS in a real browser: a partner page on another loopback origin (another port) fetches the agenda's
/feed.json and /events.json with fetch(), once as a simple request and once with a request header that
makes Chromium send a preflight (OPTIONS) first; and it cannot read an HTML page, which has no CORS."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from test_browser_support import bundled_app, chromium, needs_chromium, serving

pytestmark = needs_chromium

SCRIPT = """async (site) => {
  const read = async (path, headers) => {
    try {
      const response = await fetch(site + path, {headers, mode: "cors"});
      const body = await response.json();
      return {status: response.status, etag: response.headers.get("ETag"), keys: Object.keys(body)};
    } catch (error) {
      return {error: String(error)};
    }
  };
  return {
    feed: await read("/feed.json", {}),
    events: await read("/events.json", {}),
    preflighted: await read("/es/events.json", {"X-Partner": "city"}),
    page: await read("/", {}),
  };
}"""


def _partner(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [b"<!doctype html><html lang='en'><title>Partner</title><h1>Partner</h1></html>"]


def test_a_page_on_another_origin_reads_the_feeds_and_events_json():
    with serving(bundled_app) as site, serving(lambda base: _partner) as partner, chromium() as browser:
        page = browser.new_page()
        page.goto(partner + "/")
        found = page.evaluate(SCRIPT, site)
    assert found["feed"]["status"] == 200 and "items" in found["feed"]["keys"]
    assert found["events"]["status"] == 200 and "events" in found["events"]["keys"]
    assert found["events"]["etag"], "ETag is exposed to the partner's script"
    assert found["preflighted"]["status"] == 200 and "events" in found["preflighted"]["keys"]
    assert "error" in found["page"], "an HTML page must not be readable from another origin"
