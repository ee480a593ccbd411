"""Renderers on hand-built sites: what goes in comes back out of a real parser."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from calfeed.dates import repeated
from calfeed.model import CalendarSettings, Event, Site, Text
from calfeed.render import View
from calfeed.render.feeds import render_atom
from calfeed.render.ics import render_ics

ZONES = ("Europe/Brussels", "Europe/Istanbul", "America/New_York", "Asia/Tokyo", "UTC")
SETTINGS = CalendarSettings(
    title=Text({"en": "Test"}), url="https://agenda.example.org/", timezone="Europe/Brussels", languages=("en",)
)


@st.composite
def events(draw: st.DrawFn) -> Event:
    event_id = draw(st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,8}){0,2}", fullmatch=True))
    title = draw(st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=120))
    first = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2037, 12, 31)))
    if draw(st.booleans()):
        last = first + timedelta(days=draw(st.integers(0, 30)))
        return Event(id=event_id, title=Text({"en": title}), start=first, end=last)
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    start = datetime(first.year, first.month, first.day, draw(st.integers(0, 23)), draw(st.integers(0, 59)))
    start = start.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)  # a wall time that exists
    end = start + timedelta(minutes=draw(st.integers(0, 60 * 48)))
    return Event(id=event_id, title=Text({"en": title}), start=start, end=end, timezone=zone.key)


def _site(items: list[Event]) -> Site:
    unique = {event.id: event for event in items}
    return Site(calendar=SETTINGS, events=tuple(sorted(unique.values(), key=lambda e: e.id)), news=())


@settings(max_examples=50, deadline=None)
@given(st.lists(events(), min_size=1, max_size=8))
def test_ics_round_trip_keeps_uids_starts_ends_and_titles(items):
    site = _site(items)
    body = render_ics(site, lang="en")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    parsed = {str(c["UID"]): c for c in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert set(parsed) == {f"{event.id}@agenda.example.org" for event in site.events}
    for event in site.events:
        component = parsed[f"{event.id}@agenda.example.org"]
        assert str(component["SUMMARY"]) == event.title.values["en"]
        assert component.decoded("DTSTART") == event.start
        if event.has_end:
            assert component.decoded("DTEND") == event.end_exclusive
        else:  # a timed event without an end has no DTEND (RFC 5545 §3.6.1)
            assert "DTEND" not in component
        written_in_zone = not event.all_day and not (repeated(event.start) or repeated(event.end))
        if written_in_zone and event.timezone != "UTC":  # a time that happens twice is written in UTC
            assert component["DTSTART"].params["TZID"] == event.timezone


@settings(max_examples=20, deadline=None)
@given(st.lists(events(), min_size=1, max_size=8))
def test_atom_round_trip_keeps_every_event_once(items):
    site = _site(items)
    feed = feedparser.parse(render_atom(site, View("en")))
    assert feed.bozo == 0
    assert sorted(entry.id for entry in feed.entries) == sorted(
        f"https://agenda.example.org/events/{event.id}/" for event in site.events
    )


def test_renders_are_byte_identical():
    site = _site([Event(id="a", title=Text({"en": "A"}), start=date(2021, 9, 9), end=date(2021, 9, 11))])
    assert render_ics(site, lang="en") == render_ics(site, lang="en")
    assert render_atom(site, View("en")) == render_atom(site, View("en"))
    assert b"DTSTAMP:20210909T000000Z" in render_ics(site, lang="en")  # from the content, not the clock
    assert datetime.now(UTC).strftime("%Y%m%d").encode() not in render_ics(site, lang="en")


def test_a_future_event_is_stamped_with_its_publication_not_its_start():
    from calfeed.model import NewsEntry

    later = Event(id="summit-2030", title=Text({"en": "Summit"}), start=date(2030, 5, 1), end=date(2030, 5, 3))
    announced = Event(id="forum-2029", title=Text({"en": "Forum"}), start=date(2029, 1, 1), end=date(2029, 1, 1))
    news = NewsEntry(
        id="forum-announced", title=Text({"en": "Forum announced"}), date=date(2026, 3, 2), events=("forum-2029",)
    )
    site = Site(calendar=SETTINGS, events=(announced, later), news=(news,))
    stamps = {
        str(c["UID"]): c.decoded("DTSTAMP")
        for c in icalendar.Calendar.from_ical(render_ics(site, lang="en")).walk("VEVENT")
    }
    assert stamps["forum-2029@agenda.example.org"] == datetime(2026, 3, 2, tzinfo=UTC)  # its announcement
    assert stamps["summit-2030@agenda.example.org"] == datetime(2026, 3, 2, tzinfo=UTC)  # the oldest content date
    assert site.updated == datetime(2026, 3, 2, tzinfo=UTC)
