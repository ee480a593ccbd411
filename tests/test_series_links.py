"""How a repeating event is added to Google Calendar, and how an event without an end is shown."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

from calfeed.content import load_site
from calfeed.render import View, feeds, html
from calfeed.render.html import make_environment
from calfeed.render.text import format_span, google_event

from conftest import CONTENT, TEMPLATES

SITE = CONTENT / "google-series.yaml"
TODAY = date(2026, 3, 10)  # a Tuesday: the reading group (Mondays) began in February


def query_of(event_id: str, today: date = TODAY) -> dict[str, list[str]]:
    site = load_site(SITE)
    event = site.event(event_id)
    assert event is not None
    return parse_qs(urlsplit(google_event(site, event, "en", "https://agenda.example.org/", today)).query)


def test_a_weekly_series_carries_its_rule_from_its_next_occurrence():
    query = query_of("reading-group")
    assert query["recur"] == ["RRULE:FREQ=WEEKLY;UNTIL=20260602T200000Z"]
    assert query["dates"] == ["20260323T170000Z/20260323T183000Z"]  # 18:00 in Brussels; 16 March is skipped
    assert query["ctz"] == ["Europe/Brussels"]


def test_a_series_not_yet_started_links_its_first_occurrence():
    query = query_of("reading-group", date(2026, 1, 1))
    assert query["dates"] == ["20260202T170000Z/20260202T183000Z"]
    assert query["recur"] == ["RRULE:FREQ=WEEKLY;UNTIL=20260602T200000Z"]


def test_a_running_series_with_a_count_keeps_its_last_occurrence():
    """Six talks from 24 February: from 10 March, four remain, the last on 31 March."""
    query = query_of("six-talks")
    assert query["dates"] == ["20260310T110000Z/20260310T120000Z"]
    assert query["recur"] == ["RRULE:FREQ=WEEKLY;UNTIL=20260331T100000Z"]


def test_an_all_day_monthly_series_links_its_next_day():
    query = query_of("market")
    assert query["dates"] == ["20260310/20260311"]
    assert query["recur"] == ["RRULE:FREQ=MONTHLY"]


def test_an_event_that_does_not_repeat_has_no_rule():
    assert "recur" not in query_of("doors-open")


def test_an_event_without_an_end_shows_its_start_alone():
    site = load_site(SITE)
    event = site.event("doors-open")
    assert event is not None and not event.has_end
    assert format_span(event, "en") == "2 April 2026, 19:00 (Europe/Brussels)"
    view = View("en", today=TODAY, item="doors-open", path="/events/doors-open/", templates=make_environment(TEMPLATES))
    page = html.render_event(site, view).decode()
    assert "19:00" in page and "19:00–19:00" not in page and "19:00 –" not in page
    assert "19:00–19:00" not in feeds.render_atom(site, View("en")).decode()
