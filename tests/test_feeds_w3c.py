"""The W3C Feed Validation Service's own rules, run locally on every Atom and RSS variant.

The service (validator.w3.org/feed) is the `feedvalidator` Python package from
https://github.com/w3c/feedvalidator. It cannot be reached from the tests, so the tests
run its code: point CALFEED_FEEDVALIDATOR at the ``src`` folder of a checkout (it needs
``html5lib``), e.g.

    git clone https://github.com/w3c/feedvalidator /opt/feedvalidator
    .venv/bin/pip install html5lib
    CALFEED_FEEDVALIDATOR=/opt/feedvalidator/src .venv/bin/pytest tests/test_feeds_w3c.py

Each feed is fetched over HTTP from the app on loopback, as the service fetches it
(so the media type, compression and the rel="self" address are checked too), and
everything the service would report (errors, warnings, and its "recommendations")
fails the test, with one exception explained in `ACCEPTED`.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import urllib.request  # noqa: F401  feedvalidator uses urllib.request but imports only urllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from calfeed.content import load_site
from calfeed.routes import every_route, path

from conftest import BUNDLED, CONTENT

VALIDATOR = os.environ.get("CALFEED_FEEDVALIDATOR", "")
pytestmark = pytest.mark.skipif(not VALIDATOR, reason="CALFEED_FEEDVALIDATOR (w3c/feedvalidator's src) not set")

# "Two entries with the same value for atom:updated" (DuplicateUpdated): the service's own
# documentation says no action is needed when the entries did change at the same time. Content
# has publication dates, not times, and an event is published with the news post announcing
# it: both really are of that day, and inventing distinct times would make the dates dishonest.
ACCEPTED = {"DuplicateUpdated"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["bundled", "feed-events", "linked-site"])
def served(request, tmp_path, make_app) -> Iterator[tuple[str, list[str]]]:
    """The content served on loopback with calendar.url set to where it is served: (base, feed paths)."""
    source = BUNDLED if request.param == "bundled" else CONTENT / f"{request.param}.yaml"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    content = tmp_path / "events.yaml"
    text = source.read_text(encoding="utf-8")
    url = load_site(source).calendar.url
    content.write_text(text.replace(f"url: {url}", f"url: {base}/"), encoding="utf-8")
    history = source.with_name(source.stem + ".history.json")
    if history.exists():
        shutil.copy(history, tmp_path / "events.history.json")
    server = make_server("127.0.0.1", port, make_app(events=content), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site = load_site(content)
    paths = [path(route) for route in every_route(site) if route.format in {"atom", "rss"}]
    try:
        yield base, paths
    finally:
        server.shutdown()
        thread.join()


def test_atom_and_rss_are_clean_under_the_w3c_feed_validator(served):
    sys.path.insert(0, str(Path(VALIDATOR)))
    import feedvalidator  # type: ignore[import-not-found]
    from feedvalidator import compatibility  # type: ignore[import-not-found]
    from feedvalidator.formatter.text_plain import Formatter  # type: ignore[import-not-found]

    base, paths = served
    assert paths
    reports = {}
    for feed_path in paths:
        try:
            events = feedvalidator.validateURL(base + feed_path, firstOccurrenceOnly=1)["loggedEvents"]
        except feedvalidator.logging.ValidationFailure as failure:
            events = [failure.event]
        found = [event for event in compatibility.AAA(events) if type(event).__name__ not in ACCEPTED]
        if found:
            reports[feed_path] = Formatter(found)
    assert not reports, "\n".join(f"{where}: {line}" for where, lines in reports.items() for line in lines)
