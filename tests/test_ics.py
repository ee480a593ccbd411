"""The subscribable calendar of the bundled example, over HTTP, read back by two parsers.

Every calendar variant the site serves (/calendar.ics, per tag, per language, and each
/events/<id>.ics) is parsed with `icalendar` and with `vobject`, an independent parser.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import pytest
import vobject
from flask.testing import FlaskClient
from instants import icaljs_missing, read_icaljs

from calfeed.content import load_site
from calfeed.routes import every_route, path

from conftest import BUNDLED, CONTENT

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def calendar_paths() -> list[str]:
    site = load_site(BUNDLED)
    return [path(route) for route in every_route(site) if route.format in ("calendar", "event-ics")]


def expected_uids(url: str) -> set[str]:
    """The events a calendar path should hold, from the content itself."""
    site = load_site(BUNDLED)
    if url.endswith("calendar.ics"):
        tag = url.split("/tags/", 1)[1].split("/", 1)[0] if "/tags/" in url else None
        return {f"{e.id}@agenda.example.org" for e in site.events if tag is None or tag in e.tags}
    return {url.rsplit("/", 1)[1].removesuffix(".ics") + "@agenda.example.org"}


def fetch(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == CALENDAR_TYPE
    return response.data


def physical_lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    assert not any(b"\n" in line or b"\r" in line for line in lines), "a bare LF or CR"
    return lines


def unfolded(body: bytes) -> list[str]:
    """The content lines of `body`, unfolded."""
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def by_uid(body: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_the_site_serves_every_calendar_variant():
    paths = calendar_paths()
    assert "/calendar.ics" in paths
    assert "/es/calendar.ics" in paths and "/fr/tags/intermediary-cities/calendar.ics" in paths
    assert "/events/intermediary-cities-forum-2021.ics" in paths and "/fr/events/culturopolis-2022.ics" in paths


@pytest.mark.parametrize("url", calendar_paths())
def test_every_variant_is_valid_icalendar_to_two_parsers(client: FlaskClient, url: str):
    body = fetch(client, url)
    for line in physical_lines(body):
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never cuts a character in two
    parsed = icalendar.Calendar.from_ical(body)
    other = vobject.readOne(body.decode("utf-8"))
    uids = [str(event["UID"]) for event in parsed.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    assert set(uids) == expected_uids(url)  # /tags/accessibility/ has news only: an empty calendar
    assert sorted(uids) == sorted(event.uid.value for event in other.contents.get("vevent", []))
    assert all(uid.endswith("@agenda.example.org") for uid in uids)
    zones = {str(zone["TZID"]) for zone in parsed.walk("VTIMEZONE")}
    used = {line.split("TZID=", 1)[1].split(":", 1)[0].split(";")[0] for line in unfolded(body) if "TZID=" in line}
    assert used <= zones


def test_the_kutahya_forum_spans_its_four_days(client: FlaskClient):
    body = fetch(client, "/calendar.ics")
    lines = unfolded(body)
    assert "DTSTART;VALUE=DATE:20211005" in lines
    assert "DTEND;VALUE=DATE:20211009" in lines  # the day after the last day, 8 October
    forum = by_uid(body)["intermediary-cities-forum-2021@agenda.example.org"]
    assert forum.decoded("DTSTART") == date(2021, 10, 5) and forum.decoded("DTEND") == date(2021, 10, 9)
    assert "Kütahya" in str(forum["LOCATION"])
    [other] = [e for e in vobject.readOne(body.decode()).vevent_list if e.uid.value.startswith("intermediary")]
    assert (other.dtstart.value, other.dtend.value) == (date(2021, 10, 5), date(2021, 10, 9))
    assert other.categories.value == ["Intermediary Cities"]


def test_the_culture_summit_and_the_training_span_their_days(client: FlaskClient):
    body = fetch(client, "/calendar.ics")
    events = {event.uid.value: event for event in vobject.readOne(body.decode()).vevent_list}
    summit = events["culture-summit-2021@agenda.example.org"]
    assert (summit.dtstart.value, summit.dtend.value) == (date(2021, 9, 9), date(2021, 9, 12))  # 9–11 September
    assert summit.location.value == "Izmir, Turkey"
    training = events["resilient-city-training-2021@agenda.example.org"]
    assert (training.dtstart.value, training.dtend.value) == (date(2021, 9, 6), date(2021, 9, 27))  # 6–26 September
    parsed = by_uid(body)
    assert parsed["culture-summit-2021@agenda.example.org"].decoded("DTEND") == date(2021, 9, 12)
    assert parsed["resilient-city-training-2021@agenda.example.org"].decoded("DTSTART") == date(2021, 9, 6)


def test_the_calendar_names_itself_and_asks_to_be_refreshed(client: FlaskClient):
    calendar = icalendar.Calendar.from_ical(fetch(client, "/calendar.ics"))
    assert str(calendar["PRODID"]) and str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN" and str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == "UCLG Events and News"
    assert str(calendar["X-WR-CALDESC"]).startswith("Events and news of United Cities")
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar.decoded("REFRESH-INTERVAL").total_seconds() == 6 * 3600
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT6H"


def test_uids_and_bytes_are_stable_across_two_apps(make_app):
    first = make_app().test_client().get("/calendar.ics").data
    second = make_app().test_client().get("/calendar.ics").data
    assert first == second
    assert set(by_uid(first)) == {
        "culture-summit-2021@agenda.example.org",
        "resilient-city-training-2021@agenda.example.org",
        "intermediary-cities-forum-2021@agenda.example.org",
        "culturopolis-2022@agenda.example.org",
    }


def test_a_tag_calendar_holds_only_that_tag_and_says_so_in_its_name(client: FlaskClient):
    calendar = icalendar.Calendar.from_ical(fetch(client, "/tags/intermediary-cities/calendar.ics"))
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == ["intermediary-cities-forum-2021@agenda.example.org"]
    assert str(calendar["X-WR-CALNAME"]) == "UCLG Events and News – Intermediary Cities"


def test_a_language_variant_links_to_the_pages_in_that_language(client: FlaskClient):
    events = by_uid(fetch(client, "/es/calendar.ics"))
    summit = events["culture-summit-2021@agenda.example.org"]
    assert str(summit["URL"]) == "https://agenda.example.org/es/events/culture-summit-2021/"
    assert str(summit["SUMMARY"]) == "4th UCLG Culture Summit"  # no Spanish title: the English one


def test_one_event_downloads_without_a_calendar_name(client: FlaskClient):
    response = client.get("/events/culture-summit-2021.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CALENDAR_TYPE
    assert response.headers["Content-Disposition"] == 'attachment; filename="culture-summit-2021.ics"'
    calendar = icalendar.Calendar.from_ical(response.data)
    for name in ("NAME", "X-WR-CALNAME", "X-WR-CALDESC", "REFRESH-INTERVAL", "X-PUBLISHED-TTL", "X-WR-TIMEZONE"):
        assert name not in calendar, name  # Outlook would make a new calendar of it
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == ["culture-summit-2021@agenda.example.org"]


@pytest.mark.parametrize(
    "url", ["/tags/no-such-tag/calendar.ics", "/events/no-such-event.ics", "/de/calendar.ics", "/de/events/x.ics"]
)
def test_unknown_tags_events_and_languages_are_plain_404s(client: FlaskClient, url: str):
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/plain")


def test_the_calendar_is_not_negotiated_on_accept(client: FlaskClient):
    for accept in (None, "text/html", "application/json", "*/*"):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/calendar.ics", headers=headers)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == CALENDAR_TYPE


def test_every_field_fixture_is_served_in_both_its_languages(make_app):
    client = make_app(events=CONTENT / "ics-every-field.yaml").test_client()
    spanish = icalendar.Calendar.from_ical(fetch(client, "/es/calendar.ics"))
    assert str(spanish["X-WR-CALNAME"]) == "Todos los campos"
    assembly = next(e for e in spanish.walk("VEVENT") if str(e["UID"]).startswith("assembly"))
    assert str(assembly["SUMMARY"]) == "Asamblea General"
    assert str(assembly["DESCRIPTION"]).startswith("Members meet once a year.")  # no Spanish summary: English
    assert "Palacio de Congresos" in str(assembly["LOCATION"])


@pytest.mark.parametrize("zone", ["Europe/Brussels", "UTC", "America/Santiago"])
def test_a_calendar_with_no_event_still_holds_a_component(make_app, tmp_path, zone: str):
    """RFC 5545's grammar wants a component in every VCALENDAR, and strict readers refuse one without: a
    calendar with nothing to show (news only, or a tag only news posts have) holds its zone's VTIMEZONE."""
    content = tmp_path / "events.yaml"
    content.write_text(
        f"calendar:\n  title: Quiet\n  url: https://example.org/\n  timezone: {zone}\n"
        "news:\n  - id: hello\n    title: Hello\n    date: 2026-03-01\n    tags: [notes]\n    summary: Hi.\n",
        encoding="utf-8",
    )
    client = make_app(content).test_client()
    for url in ("/calendar.ics", "/tags/notes/calendar.ics"):
        body = fetch(client, url)
        parsed = icalendar.Calendar.from_ical(body)
        assert [component.name for component in parsed.subcomponents] == ["VTIMEZONE"], url
        assert str(parsed.subcomponents[0]["TZID"]) == zone
        other = vobject.readOne(body.decode("utf-8"))
        assert "vevent" not in other.contents and "vtimezone" in other.contents
    if icaljs_missing() is None:  # ical.js reads it as a calendar with no occurrence, not as an error
        assert read_icaljs([body], (datetime(1999, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))) == [{}]
