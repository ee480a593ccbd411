"""`calfeed serve` is a preview: its links, feeds and calendars lead back to it, not to calendar.url."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from calfeed.cli import main, preview_url

from conftest import BUNDLED, TEMPLATES

PUBLIC = "https://agenda.example.org/"  # the bundled example's calendar.url
LINK = re.compile(rb"""(?:href|src|content)="([a-z]+://[^"]*)\"""")
CALENDAR_URL = re.compile(rb"^URL[^:]*:(.*)\r$", re.MULTILINE)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, runner):
    """Run `calfeed serve ARGS` up to the point it would listen; return the app it would serve."""
    apps: list[Flask] = []
    monkeypatch.setattr(Flask, "run", lambda app, **options: apps.append(app))
    monkeypatch.delenv("CALFEED_BASE_URL", raising=False)

    def serve(*args: str) -> Flask:
        result = runner.invoke(main, ["serve", str(BUNDLED), "--templates", str(TEMPLATES), *args])
        assert result.exit_code == 0, result.output
        return apps[-1]

    return serve


def addresses(app: Flask, path: str) -> list[str]:
    answer = app.test_client().get(path)
    assert answer.status_code == 200
    return [url.decode() for url in LINK.findall(answer.data) + CALENDAR_URL.findall(answer.data)]


def test_preview_links_lead_back_to_the_preview(served) -> None:
    app = served("--port", "8765")
    agenda = addresses(app, "/")
    own = [url for url in agenda if "127.0.0.1:8765" in url]
    assert "webcal://127.0.0.1:8765/calendar.ics" in own
    assert "http://127.0.0.1:8765/feed.atom" in own
    assert not [url for url in agenda if url.startswith(PUBLIC)]
    assert any(url.startswith("http://127.0.0.1:8765/events/") for url in addresses(app, "/calendar.ics"))
    feed = app.test_client().get("/feed.atom").data
    assert b"https://agenda.example.org/" not in feed and b"http://127.0.0.1:8765/events/" in feed


def test_public_urls_flag_keeps_calendar_url(served) -> None:
    agenda = addresses(served("--port", "8765", "--public-urls"), "/")
    assert f"webcal://{PUBLIC.removeprefix('https://')}calendar.ics" in agenda
    assert not [url for url in agenda if "127.0.0.1" in url]


def test_an_explicit_base_url_wins_over_the_preview_address(served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALFEED_BASE_URL", "https://staging.example.net/")
    agenda = addresses(served(), "/")
    assert "webcal://staging.example.net/calendar.ics" in agenda


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000/"),
        ("0.0.0.0", "http://127.0.0.1:8000/"),
        ("::", "http://[::1]:8000/"),
        ("localhost", "http://localhost:8000/"),
    ],
)
def test_the_preview_address_is_one_a_browser_can_open(host: str, url: str) -> None:
    assert preview_url(host, 8000) == url
