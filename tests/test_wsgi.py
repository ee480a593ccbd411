"""wsgi.py under real gunicorn: the production entry point serves the bundled example."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import icalendar
import pytest

from conftest import BUNDLED

ROOT = BUNDLED.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn():
    port = _free_port()
    env = {**os.environ, "CALFEED_EVENTS": str(ROOT / "events.yaml"), "CALFEED_RELOAD_INTERVAL": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode() if server.stdout else ""
                    pytest.fail(f"gunicorn did not come up:\n{output}")
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_serves_every_route(gunicorn):
    for path, media_type in [
        ("/", "text/html; charset=utf-8"),
        ("/calendar.ics", "text/calendar; charset=utf-8"),
        ("/feed.atom", "application/atom+xml; charset=utf-8"),
        ("/feed.rss", "application/rss+xml; charset=utf-8"),
    ]:
        with urllib.request.urlopen(gunicorn + path, timeout=5) as response:
            assert response.status == 200, path
            assert response.headers["Content-Type"] == media_type, path
            body = response.read()
        if path == "/calendar.ics":
            assert len(icalendar.Calendar.from_ical(body).walk("VEVENT")) == 4
