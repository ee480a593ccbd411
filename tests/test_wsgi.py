"""calfeed.wsgi under real gunicorn with calfeed.gunicorn_conf: the production entry point serves the bundled example.

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

from calfeed.content import load_site
from calfeed.store import counted

from conftest import BUNDLED, CONTENT

ROOT = BUNDLED.parent
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:calfeed.gunicorn_conf", "calfeed.wsgi:app"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 20, up: int = 500) -> None:
    """Wait until `url` answers with a status below `up`, or fail with the server's log."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as error:
            if error.code < up:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{url} did not come up:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.1)


@contextlib.contextmanager
def run_gunicorn(events: Path, log: Path, *, workers: int = 2, up: int = 500, **env: str) -> Iterator[str]:
    """The README's command (gunicorn with calfeed's packaged settings and app) on a free loopback port;
    yields its base URL, logs to `log`. The templates are calfeed's own, as installed."""
    port = free_port()
    environ = {
        **os.environ,
        "CALFEED_EVENTS": str(events),
        "CALFEED_RELOAD_INTERVAL": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        **env,
    }
    command = GUNICORN
    with log.open("ab") as sink:
        server = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", server, log, up=up)
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


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"CALFEED_MAX_AGE": "soon"}, "calfeed cannot start: CALFEED_MAX_AGE='soon' is not a whole number"),
        ({"CALFEED_TEMPLATES": "/no/such/folder"}, "calfeed cannot start: CALFEED_TEMPLATES='/no/such/folder' is not"),
    ],
)
def test_a_setting_that_cannot_work_stops_gunicorn_with_one_line(tmp_path, setting, message):
    environ = {**os.environ, "CALFEED_EVENTS": str(BUNDLED), "GUNICORN_BIND": f"127.0.0.1:{free_port()}", **setting}
    finished = subprocess.run(GUNICORN, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=60)
    lines = (finished.stdout + finished.stderr).splitlines()
    assert finished.returncode != 0
    assert "Traceback" not in finished.stderr
    assert [line for line in lines if "calfeed" in line] == [
        next(line for line in lines if message in json.loads(line)["message"])
    ], "\n".join(lines)
    assert len(lines) <= 3, "\n".join(lines)  # gunicorn's start line, the reason, nothing respawned


def test_a_worker_that_cannot_load_says_why_in_one_line_and_gunicorn_stops(tmp_path):
    """Without the packaged settings' early check (another gunicorn config): the worker says it, once.

    One worker: when two fail together, gunicorn 27 itself prints a traceback (its halt reaps the second
    worker and raises HaltServer again, uncaught); the packaged settings avoid that by checking first."""
    environ = {**os.environ, "CALFEED_MAX_AGE": "soon", "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{free_port()}"}
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", "calfeed.wsgi:app"]
    finished = subprocess.run(command, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert "Traceback" not in finished.stderr
    reasons = [line for line in finished.stderr.splitlines() if "CALFEED_MAX_AGE" in line]
    assert reasons and set(reasons) == {"calfeed cannot start: CALFEED_MAX_AGE='soon' is not a whole number"}
    assert "App failed to load" in finished.stderr  # gunicorn halts instead of respawning


def test_content_with_problems_starts_and_answers_503_logging_them(tmp_path):
    with run_gunicorn(CONTENT / "end_before_start.yaml", tmp_path / "gunicorn.log", workers=1, up=504) as base:
        for path in ("/", "/healthz"):
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(base + path, timeout=5)
            assert answer.value.code == 503
            assert b"is before start" not in answer.value.read()  # the public is not shown the content's problems
    assert "is before start" in (tmp_path / "gunicorn.log").read_text(errors="replace")


def test_the_log_counts_a_versions_items_in_words():
    assert counted(load_site(BUNDLED)) == "4 events, 6 news posts"
    assert counted(load_site(CONTENT / "calendar_without_timezone.yaml")) == "1 event, 0 news posts"
