"""wsgi.py under real gunicorn with gunicorn.conf.py: the production entry point serves the bundled example.

`run_gunicorn` is also what tests/test_nginx.py and tests/test_reload_load.py start servers with.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest

from conftest import BUNDLED, TEMPLATES

ROOT = BUNDLED.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    """Wait until `url` answers (any status below 500), or fail with the server's log."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{url} did not come up:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.1)


@contextlib.contextmanager
def run_gunicorn(events: Path, log: Path, *, workers: int = 2, **env: str) -> Iterator[str]:
    """gunicorn -c gunicorn.conf.py wsgi:app on a free loopback port; yields its base URL, logs to `log`."""
    port = free_port()
    environ = {
        **os.environ,
        "CALFEED_EVENTS": str(events),
        "CALFEED_TEMPLATES": str(TEMPLATES),
        "CALFEED_RELOAD_INTERVAL": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        **env,
    }
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"]
    with log.open("ab") as sink:
        server = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", server, log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def gunicorn(tmp_path):
    with run_gunicorn(BUNDLED, tmp_path / "gunicorn.log") as base:
        yield base


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


def test_logs_are_json_lines_and_carry_calfeeds_messages(tmp_path):
    log = tmp_path / "gunicorn.log"
    with run_gunicorn(BUNDLED, log, workers=1, CALFEED_ACCESS_LOG="-") as base:
        with urllib.request.urlopen(base + "/calendar.ics?x=1", timeout=5) as response:
            response.read()
        time.sleep(0.2)
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(e.get("logger") == "calfeed" and "serving content version" in e["message"] for e in entries)
    assert any(e.get("logger") == "calfeed" and "events.yaml:" in e["message"] for e in entries)  # warnings
    access = [e for e in entries if e.get("path") == "/calendar.ics"]
    assert access and access[0]["status"] == 200 and access[0]["query"] == "x=1"


def test_gunicorn_answers_head_and_conditional_gets_from_memory(gunicorn):
    host, port = gunicorn.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.request("GET", "/calendar.ics", headers={"Accept-Encoding": "br"})
    full = connection.getresponse()
    body = full.read()
    assert full.status == 200 and full.headers["Content-Encoding"] == "br"
    for _ in range(3):  # the same connection: kept alive; the later answers come from memory
        connection.request("HEAD", "/calendar.ics", headers={"Accept-Encoding": "br"})
        head = connection.getresponse()
        assert head.read() == b"" and head.status == 200
        assert head.headers["Content-Length"] == str(len(body)) and head.headers["ETag"] == full.headers["ETag"]
        connection.request("GET", "/calendar.ics", headers={"If-None-Match": full.headers["ETag"]})
        conditional = connection.getresponse()
        assert conditional.status == 304 and conditional.read() == b""
    connection.close()
