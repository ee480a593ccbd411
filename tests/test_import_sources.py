"""Bad sources for `calfeed import` get one clear line and leave the file untouched: not iCalendar, truncated,
too large, an event calfeed cannot express, a URL that fails, times out or redirects forever. URLs are served
by a server on loopback (tests never use the network)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from calfeed.cli import main

IMPORTS = Path(__file__).parent / "imports"
BEFORE = "# untouched\ncalendar:\n  title: Agenda\n  url: https://agenda.example.org/\n  timezone: Europe/Madrid\n"
GOOD = (IMPORTS / "meetup.ics").read_bytes()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(1.5)
            self.send_response(200)
            self.end_headers()
        elif self.path == "/calendar.ics":
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def loopback() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _import(runner, tmp_path: Path, source: str, *options: str) -> tuple[int, str, Path]:
    target = tmp_path / "events.yaml"
    target.write_text(BEFORE, encoding="utf-8")
    result = runner.invoke(main, ["import", source, "--into", str(target), *options])
    return result.exit_code, result.output, target


def _file(tmp_path: Path, text: str) -> str:
    source = tmp_path / "source.ics"
    source.write_text(text, encoding="utf-8")
    return str(source)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<html><body>Not a calendar</body></html>\n", "not an iCalendar file (expected BEGIN:VCALENDAR on line 1"),
        (GOOD.decode()[:900], "truncated: it ends at line"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026\r\nEND:VCALENDAR\r\n", "not valid iCalendar"),
    ],
    ids=["html", "truncated", "broken"],
)
def test_a_file_that_is_not_a_whole_calendar_is_refused(runner, tmp_path, text, expected):
    code, output, target = _import(runner, tmp_path, _file(tmp_path, text))
    assert code == 1 and expected in output and "Traceback" not in output
    assert "was left as it was" in output
    assert target.read_text(encoding="utf-8") == BEFORE


def test_a_source_over_the_limit_is_refused(runner, tmp_path):
    code, output, target = _import(runner, tmp_path, str(IMPORTS / "meetup.ics"), "--max-bytes", "1000")
    assert code == 1 and "more than the limit of 1,000 bytes" in output
    assert target.read_text(encoding="utf-8") == BEFORE


def test_an_event_calfeed_cannot_express_is_named_and_nothing_is_written(runner, tmp_path):
    text = GOOD.decode().replace(
        "UID:event_301234567@meetup.com", "UID:event_301234567@meetup.com\r\nRDATE:20260501T183000"
    )
    code, output, target = _import(runner, tmp_path, _file(tmp_path, text))
    assert code == 1
    assert "VEVENT event_301234567@meetup.com 'Civic Hack Night': RDATE" in output
    assert "nothing was written" in output
    assert target.read_text(encoding="utf-8") == BEFORE


def test_a_url_is_imported(runner, tmp_path):
    with loopback() as base:
        code, output, target = _import(runner, tmp_path, base + "/calendar.ics")
    assert code == 0, output
    assert "2 new" in output and "Civic Hack Night" in target.read_text(encoding="utf-8")
    assert target.read_text(encoding="utf-8").startswith(BEFORE)


@pytest.mark.parametrize(
    ("path", "options", "expected"),
    [
        ("/loop", [], "redirected too many times (a redirect loop?)"),
        ("/slow", ["--timeout", "0.3"], "no answer within 0.3 seconds (timed out)"),
        ("/missing.ics", [], "the server answered 404"),
    ],
    ids=["redirect-loop", "timeout", "not-found"],
)
def test_a_url_that_fails_is_refused(runner, tmp_path, path, options, expected):
    with loopback() as base:
        code, output, target = _import(runner, tmp_path, base + path, *options)
    assert code == 1 and expected in output and "Traceback" not in output
    assert target.read_text(encoding="utf-8") == BEFORE
