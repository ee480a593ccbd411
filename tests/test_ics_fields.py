"""What each event field becomes in the calendar, and which events a windowed calendar keeps."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import icalendar
import vobject

from calfeed.content import load_site
from calfeed.render import View
from calfeed.render.ics import render_calendar, render_event

from conftest import CONTENT

EVERY_FIELD = CONTENT / "ics-every-field.yaml"


def events_of(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]).split("@")[0]: e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def assembly(lang: str = "en") -> icalendar.Event:
    return events_of(render_calendar(load_site(EVERY_FIELD), View(lang)))["assembly-2030"]


def test_the_description_is_plain_text_with_an_html_alternative():
    event = assembly()
    plain = str(event["DESCRIPTION"])
    assert plain.startswith("Members meet once a year.\n\nThe assembly elects the board.")
    assert "**" not in plain and "<" not in plain
    assert "programme (https://www.example.org/programme)" in plain  # the link survives as text
    assert plain.endswith("Online: https://stream.example.org/assembly")
    alternative = event["X-ALT-DESC"]
    assert alternative.params["FMTTYPE"] == "text/html"
    assert "<strong>assembly</strong>" in alternative.to_ical().decode()


def test_place_coordinates_link_tags_and_status():
    event = assembly()
    assert str(event["LOCATION"]) == "Congress Hall, Avinguda Reina Maria Cristina, Barcelona, Spain"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (41.3726, 2.1519)
    assert str(event["URL"]) == "https://www.example.org/assembly"  # its own url, not our page
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Culture", "Rights, rules; and more"]
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["TRANSP"]) == "TRANSPARENT"  # three all-day days do not make subscribers busy


def test_the_organizer_online_link_and_image_are_addresses_clients_understand():
    event = assembly()
    assert str(event["ORGANIZER"]) == "mailto:events@example.org"
    assert event["ORGANIZER"].params["CN"] == "Secretariat, World Office"
    assert str(event["CONFERENCE"]) == "https://stream.example.org/assembly"
    assert event["CONFERENCE"].params["VALUE"] == "URI"
    image = "https://agenda.example.org/images/assembly.png"  # src was relative to calendar.url
    assert str(event["ATTACH"]) == image and event["ATTACH"].params["FMTTYPE"] == "image/png"
    assert str(event["IMAGE"]) == image and event["IMAGE"].params["VALUE"] == "URI"
    body = render_calendar(load_site(EVERY_FIELD), View("en"))
    [other] = [e for e in vobject.readOne(body.decode()).vevent_list if e.uid.value.startswith("assembly")]
    assert other.organizer.params["CN"] == ["Secretariat, World Office"]
    assert other.attach.value == image


def test_an_image_without_a_file_is_not_attached_and_an_absolute_one_is_kept():
    events = events_of(render_calendar(load_site(EVERY_FIELD), View("en")))
    assert "ATTACH" not in events["cancelled-forum-2030"] and "IMAGE" not in events["cancelled-forum-2030"]
    assert str(events["remote-image-2030"]["IMAGE"]) == "https://cdn.example.org/workshop.jpg"
    assert events["remote-image-2030"]["IMAGE"].params["FMTTYPE"] == "image/jpeg"


def test_an_organizer_known_only_by_name_is_named_in_the_description_in_its_language():
    site = load_site(EVERY_FIELD)
    event = events_of(render_calendar(site, View("en")))["cancelled-forum-2030"]
    assert "ORGANIZER" not in event  # ORGANIZER needs an address
    assert str(event["DESCRIPTION"]) == "Organiser: Forum team"
    spanish = events_of(render_calendar(site, View("es", path="/es/calendar.ics")))["cancelled-forum-2030"]
    assert str(spanish["DESCRIPTION"]) == "Organización: Forum team"


def test_a_cancelled_event_stays_in_every_calendar_as_cancelled():
    site = load_site(EVERY_FIELD)
    for body in (render_calendar(site, View("en")), render_calendar(site, View("es"))):
        assert str(events_of(body)["cancelled-forum-2030"]["STATUS"]) == "CANCELLED"
    single = events_of(render_event(site, View("en", item="cancelled-forum-2030")))
    assert str(single["cancelled-forum-2030"]["STATUS"]) == "CANCELLED"


def test_texts_fall_back_to_the_default_language_field_by_field():
    event = assembly("es")
    assert str(event["SUMMARY"]) == "Asamblea General"
    assert str(event["LOCATION"]).startswith("Palacio de Congresos, ")
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Cultura", "Rights, rules; and more"]
    assert str(event["DESCRIPTION"]).startswith("Members meet once a year.")  # written in English only
    spanish_page = events_of(render_calendar(load_site(EVERY_FIELD), View("es")))["cancelled-forum-2030"]["URL"]
    assert str(spanish_page) == "https://agenda.example.org/es/events/cancelled-forum-2030/"


def test_the_refresh_interval_follows_the_setting():
    calendar = icalendar.Calendar.from_ical(render_calendar(load_site(EVERY_FIELD), View("en")))
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=12)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT12H"


def windowed(today: date) -> list[str]:
    site = load_site(CONTENT / "ics-window.yaml")
    return sorted(events_of(render_calendar(site, View("en", today=today))))


def test_a_window_keeps_recent_events_cancelled_or_not_and_endless_repeats():
    assert windowed(date(2021, 6, 1)) == [
        "cancelled-last-week",
        "last-week",
        "ten-weeks-from-march",  # its last occurrence, 3 May, ended 29 days before
        "weekly-since-2020",
    ]
    assert windowed(date(2021, 6, 5)) == ["cancelled-last-week", "last-week", "weekly-since-2020"]
    assert windowed(date(2030, 1, 1)) == ["weekly-since-2020"]


def test_without_a_window_every_event_is_kept():
    site = load_site(EVERY_FIELD)
    assert site.calendar.past_days is None
    assert len(events_of(render_calendar(site, View("en", today=date(2099, 1, 1))))) == 3


def test_the_served_calendar_applies_the_window_to_today(make_app):
    client = make_app(events=CONTENT / "ics-window.yaml").test_client()
    served = events_of(client.get("/calendar.ics").data)
    assert datetime.now().year >= 2026  # every dated event of the fixture ended years ago
    assert sorted(served) == ["weekly-since-2020"]
    single = client.get("/events/long-ago.ics")  # a download is not windowed
    assert single.status_code == 200 and "long-ago" in events_of(single.data)
