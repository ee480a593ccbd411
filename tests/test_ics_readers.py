"""Every subscriber sees the right instants: the calendar as independent clients read it.

For every event, the occurrences computed from the content model (tests/instants.py: zoneinfo and
dateutil's rrule on the model, never our calendar code) must be the occurrences that each reader
expands from the served bytes: recurring-ical-events (on icalendar, through our VTIMEZONEs),
vobject (dateutil), and ical.js (Thunderbird's library, run with node). A failure names the event
and prints the expected and the read instants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from instants import (
    Occurrence,
    Window,
    differences,
    expected_calendar,
    icaljs_missing,
    read_icaljs,
    read_recurring,
    read_vobject,
)

from calfeed.content import load_site
from calfeed.dates import repeated
from calfeed.model import CalendarSettings, Event, Site, Status, Text
from calfeed.render import View, ics
from calfeed.routes import every_route, path

from conftest import CONTENT

FIXTURE = CONTENT / "ics-differential.yaml"
WINDOW: Window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))
READERS: dict[str, Callable[[bytes, Window], dict[str, list[Occurrence]]]] = {
    "recurring-ical-events": read_recurring,
    "vobject": read_vobject,
}
needs_icaljs = pytest.mark.skipif(icaljs_missing() is not None, reason=icaljs_missing() or "")


def served(client: FlaskClient) -> dict[str, bytes]:
    """Every calendar variant the fixture's site serves (whole, per language, each event), by path."""
    site = load_site(FIXTURE)
    paths = [path(route) for route in every_route(site) if route.format in ("calendar", "event-ics")]
    bodies = {}
    for url in paths:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.data
    return bodies


def expected_for(site: Site, url: str, window: Window) -> dict[str, list[Occurrence]]:
    """What the calendar at `url` should hold: every event, or the one it is the download of."""
    if url.endswith("/calendar.ics"):
        return expected_calendar(site, site.events, window)
    event = site.event(url.rsplit("/", 1)[1].removesuffix(".ics"))
    assert event is not None
    return expected_calendar(site, (event,), window)


@pytest.fixture(scope="module")
def fixture_site() -> Site:
    return load_site(FIXTURE)


@pytest.fixture
def fixture_bodies(make_app) -> dict[str, bytes]:
    return served(make_app(FIXTURE).test_client())


def test_the_fixture_covers_what_it_claims(fixture_site: Site, fixture_bodies: dict[str, bytes]):
    """Both languages, single downloads, and the repeated hour written so no reader can get it wrong."""
    assert {"/calendar.ics", "/es/calendar.ics", "/events/no-end.ics", "/es/events/no-end.ics"} <= set(fixture_bodies)
    body = fixture_bodies["/calendar.ics"]
    assert b"DTSTART:20271107T063000Z\r\n" in body  # the second 01:30 in New York, as an instant
    zones = {str(e.timezone) for e in fixture_site.events}
    assert {"Europe/Istanbul", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Lord_Howe"} <= zones
    assert "Africa/Casablanca" in zones and b"RDATE" not in body


@pytest.mark.parametrize("reader", READERS)
def test_every_variant_of_the_fixture_reads_as_the_model_says(
    reader: str, fixture_site: Site, fixture_bodies: dict[str, bytes]
):
    for url, body in fixture_bodies.items():
        wrong = differences(expected_for(fixture_site, url, WINDOW), READERS[reader](body, WINDOW), reader)
        assert not wrong, f"{url}:\n{wrong}"


@needs_icaljs
def test_every_variant_of_the_fixture_reads_in_icaljs_as_the_model_says(
    fixture_site: Site, fixture_bodies: dict[str, bytes]
):
    urls = list(fixture_bodies)
    for url, read in zip(urls, read_icaljs([fixture_bodies[url] for url in urls], WINDOW), strict=True):
        wrong = differences(expected_for(fixture_site, url, WINDOW), read, "ical.js")
        assert not wrong, f"{url}:\n{wrong}"


# -- generated content ----------------------------------------------------------------------------

ZONES = (
    "Europe/Istanbul",
    "America/New_York",
    "Asia/Kolkata",
    "UTC",
    "Australia/Lord_Howe",
    "Africa/Casablanca",
    "Europe/Berlin",
)
GENERATED_WINDOW: Window = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC))


@st.composite
def events(draw: st.DrawFn, n: int) -> Event:
    """An event somewhere in 2024–2030: all-day or timed in one of ZONES (or a fixed offset), maybe
    without an end, maybe repeating with exceptions, COUNT or UNTIL; its start near a clock change
    half of the time."""
    first = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 6, 30)))
    repeat = draw(
        st.sampled_from(
            [None, None, "FREQ=WEEKLY;COUNT=8", "FREQ=DAILY;INTERVAL=3;COUNT=5", "FREQ=MONTHLY", "FREQ=YEARLY;COUNT=3"]
        )
    )
    skipped = draw(st.lists(st.integers(1, 4), max_size=2, unique=True)) if repeat else []
    common = dict(id=f"e{n}", title=Text({"en": f"Event {n}"}), status=draw(st.sampled_from(Status)))
    if draw(st.integers(0, 3)) == 0:  # all-day
        last = first + timedelta(days=draw(st.integers(0, 5)))
        if repeat and draw(st.booleans()):
            repeat = f"FREQ=WEEKLY;UNTIL={first + timedelta(weeks=6):%Y%m%d}"
        step = timedelta(weeks=1) if repeat and "WEEKLY" in repeat else None
        exceptions = tuple(first + n * step for n in skipped) if step else ()
        return Event(start=first, end=last, repeat=repeat, exceptions=exceptions, **common)  # type: ignore[arg-type]
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    instant = datetime(first.year, first.month, first.day, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 1439)))
    if draw(st.booleans()):  # near a clock change of the zone, when it has one that year
        instant = draw(st.sampled_from(_changes(zone, first.year) or [instant])) + timedelta(
            minutes=draw(st.integers(-120, 120))
        )
    start = instant.astimezone(zone)
    if repeat and repeated(start):
        repeat = None  # content.py rejects a series that starts in a repeated hour
    if draw(st.booleans()):
        start = start.astimezone(UTC)  # a fixed offset with no zone: kept in UTC
    length = timedelta(minutes=draw(st.sampled_from([0, 30, 90, 60 * 9, 60 * 30])))
    end = (start.astimezone(UTC) + length).astimezone(start.tzinfo)  # an instant later, not a wall time
    if repeat and (end.replace(tzinfo=None) - start.replace(tzinfo=None) != length or repeated(end)):
        # a series whose first occurrence spans a clock change: readers disagree on how long the later
        # ones last (ical.js adds DTEND − DTSTART in real time, dateutil's readers on the clock), and
        # nothing in RFC 5545's DTEND or DURATION makes them agree (docs/calendar.md); nor when it ends in
        # a repeated hour (ical.js adds the length on the clock and takes the second of two equal times)
        repeat = None
    exceptions = ()
    if repeat and "WEEKLY" in repeat:
        exceptions = tuple(
            (start.replace(tzinfo=None) + timedelta(weeks=n)).replace(tzinfo=start.tzinfo) for n in skipped
        )
    timezone = zone.key if isinstance(start.tzinfo, ZoneInfo) else None
    return Event(start=start, end=end, timezone=timezone, repeat=repeat, exceptions=exceptions, **common)  # type: ignore[arg-type]


@cache
def _changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """The instants (UTC, to the hour) in `year` at which `zone`'s offset changes."""
    hour = datetime(year, 1, 1, tzinfo=UTC)
    found = []
    for _ in range(366 * 24):
        later = hour + timedelta(hours=1)
        if hour.astimezone(zone).utcoffset() != later.astimezone(zone).utcoffset():
            found.append(later)
        hour = later
    return found


@st.composite
def sites(draw: st.DrawFn) -> Site:
    count = draw(st.integers(1, 5))
    found = [draw(events(n)) for n in range(count)]
    calendar = CalendarSettings(
        title=Text({"en": "Generated", "es": "Generado"}),
        url="https://agenda.example.org/",
        timezone=draw(st.sampled_from(ZONES)),
        languages=("en", "es"),
    )
    return Site(calendar=calendar, events=tuple(sorted(found, key=lambda e: (e.first_day, e.id))), news=())


def generated_bodies(site: Site) -> dict[str, bytes]:
    bodies = {"/calendar.ics": ics.render_calendar(site, View("en")), "/es/calendar.ics": b""}
    bodies["/es/calendar.ics"] = ics.render_calendar(site, View("es"))
    for event in site.events:
        bodies[f"/events/{event.id}.ics"] = ics.render_event(site, View("en", item=event.id))
    return bodies


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sites())
def test_generated_calendars_read_as_the_model_says(site: Site):
    bodies = generated_bodies(site)
    for url, body in bodies.items():
        expected = expected_for(site, url, GENERATED_WINDOW)
        for reader, read in READERS.items():
            wrong = differences(expected, read(body, GENERATED_WINDOW), reader)
            assert not wrong, f"{url}:\n{wrong}"


@needs_icaljs
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sites())
def test_generated_calendars_read_in_icaljs_as_the_model_says(site: Site):
    bodies = generated_bodies(site)
    urls = list(bodies)
    for url, read in zip(urls, read_icaljs([bodies[url] for url in urls], GENERATED_WINDOW), strict=True):
        wrong = differences(expected_for(site, url, GENERATED_WINDOW), read, "ical.js")
        assert not wrong, f"{url}:\n{wrong}"
