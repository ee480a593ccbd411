"""`calfeed import`: iCalendar exports of Google Calendar, Outlook/Exchange, The Events Calendar and Meetup
(tests/imports/*.ics) into calfeed's YAML, each compared with its reviewed expected YAML
(tests/imports/*.expected.yaml), and held to an independent oracle: the occurrences recurring-ical-events
reads from the source equal those it reads from the calendar calfeed then serves (UTC instants, titles,
status). Importing again changes nothing; a changed source event updates that event only; comments and
hand-written events are kept; what cannot be expressed, and bad sources, leave the file untouched.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from calfeed.content import read_content
from calfeed.importer import import_events

from conftest import CONTENT

IMPORTS = Path(__file__).parent / "imports"
STYLES = ["google", "outlook", "events-calendar", "meetup"]


def occurrences(ics: bytes) -> list[tuple[object, object, str, str]]:
    """Every occurrence a calendar client shows: (start, end) as UTC instants or dates, title, status.

    A cancelled occurrence of a series (RECURRENCE-ID with STATUS:CANCELLED) is not shown, as in Google
    Calendar and Outlook; calfeed writes it as an `except` date."""
    calendar = icalendar.Calendar.from_ical(ics)
    found = []
    for event in recurring_ical_events.of(calendar).between(date(1900, 1, 1), date(2200, 1, 1)):
        if "RECURRENCE-ID" in event and str(event.get("STATUS")) == "CANCELLED":
            continue
        start, end = event.decoded("DTSTART"), event.decoded("DTEND") if "DTEND" in event else None
        found.append((_instant(start), _instant(end), str(event["SUMMARY"]), str(event.get("STATUS", "CONFIRMED"))))
    return sorted(found, key=repr)


def _instant(moment: object) -> object:
    return moment.astimezone(UTC) if isinstance(moment, datetime) else moment


def served_calendar(make_app, content: Path) -> bytes:
    response = make_app(content).test_client().get("/calendar.ics")
    assert response.status_code == 200, response.data[:500]
    return response.data


def assert_checks(path: Path) -> None:
    site, problems = read_content(path)
    assert site is not None and [str(p) for p in problems if p.severity == "error"] == []


@pytest.mark.parametrize("style", STYLES)
def test_each_calendar_style_imports_as_expected_and_serves_the_same_occurrences(tmp_path, make_app, style):
    source = IMPORTS / f"{style}.ics"
    target = tmp_path / "events.yaml"
    result = import_events(str(source), target)
    assert result.written
    assert target.read_text(encoding="utf-8") == (IMPORTS / f"{style}.expected.yaml").read_text(encoding="utf-8")
    assert_checks(target)
    assert occurrences(served_calendar(make_app, target)) == occurrences(source.read_bytes())
    again = import_events(str(source), target)
    assert not again.written and again.plan.added == again.plan.updated == []


@pytest.mark.parametrize("content", ["ics-every-field.yaml", "ics-weekly-with-exceptions.yaml", "ics-timed-zones.yaml"])
def test_round_trip_of_calfeeds_own_calendar(tmp_path, make_app, content):
    original = served_calendar(make_app, CONTENT / content)
    source = tmp_path / "calendar.ics"
    source.write_bytes(original)
    target = tmp_path / "imported.yaml"
    target.write_text("", encoding="utf-8")  # an empty file
    import_events(str(source), target)
    assert_checks(target)
    assert occurrences(served_calendar(make_app, target)) == occurrences(original)
    before = target.read_bytes()
    assert not import_events(str(source), target).written
    assert target.read_bytes() == before


HAND_WRITTEN = """\
# Our calendar. Keep this comment.
calendar:
  title: Network agenda   # the name people see
  url: https://agenda.example.org/
  timezone: Europe/Madrid

tags:
  # labels
  culture: {en: Culture}

events:
  # Written by hand: an import must never touch it.
  - id: public-space-forum-2026-03-16
    title: "Public Space Forum"
    start: 2026-03-16
    location: Madrid   # not the imported one
    tags: [culture]

# The end of the events.
"""


def test_comments_and_hand_written_events_survive_an_import(tmp_path):
    target = tmp_path / "events.yaml"
    target.write_text(HAND_WRITTEN, encoding="utf-8")
    plan = import_events(str(IMPORTS / "google.ics"), target).plan
    text = target.read_text(encoding="utf-8")
    lines = iter(text.splitlines())
    assert all(line in lines for line in HAND_WRITTEN.splitlines()), "every original line, in order"
    # the imported event with the same title and day as the hand-written one gets another id
    assert "public-space-forum-2026-03-16-2" in plan.added
    assert_checks(target)


def test_reimport_after_the_source_changed_one_event_updates_that_event_only(tmp_path):
    target = tmp_path / "events.yaml"
    target.write_text(HAND_WRITTEN, encoding="utf-8")
    source = tmp_path / "google.ics"
    shutil.copy(IMPORTS / "google.ics", source)
    import_events(str(source), target)
    before = target.read_text(encoding="utf-8")
    ics = source.read_text(encoding="utf-8")
    source.write_text(ics.replace("SUMMARY:Public Space Forum", "SUMMARY:Public Space Forum 2026"), encoding="utf-8")
    plan = import_events(str(source), target).plan
    assert plan.updated == ["public-space-forum-2026-03-16-2"] and plan.added == []
    after = target.read_text(encoding="utf-8")
    changed = [pair for pair in zip(before.splitlines(), after.splitlines(), strict=True) if pair[0] != pair[1]]
    assert changed == [
        ("    title: Public Space Forum", "    title: Public Space Forum 2026"),
        (  # the image's alt text is the event's title
            "    image: {src: 'https://drive.example.com/poster.png', alt: Public Space Forum}",
            "    image: {src: 'https://drive.example.com/poster.png', alt: Public Space Forum 2026}",
        ),
    ]
    assert_checks(target)


def test_dry_run_prints_the_change_and_writes_nothing(tmp_path, runner):
    from calfeed.cli import main

    target = tmp_path / "events.yaml"
    target.write_text(HAND_WRITTEN, encoding="utf-8")
    result = runner.invoke(main, ["import", str(IMPORTS / "meetup.ics"), "--into", str(target), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "+    title: Civic Hack Night" in result.output
    assert "would add civic-hack-night-2026-04-07" in result.output
    assert target.read_text(encoding="utf-8") == HAND_WRITTEN


def test_tag_option_tags_and_declares(tmp_path):
    target = tmp_path / "events.yaml"
    import_events(str(IMPORTS / "meetup.ics"), target, tag="civic-tech")
    site, _ = read_content(target)
    assert site is not None
    assert all("civic-tech" in event.tags for event in site.events)
    assert site.tag_label("civic-tech", "en") == "civic-tech"


CET_RULES = """\
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
"""
DISPLAY_NAME = "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"
VTIMEZONE_DISPLAY_NAME = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:Microsoft Exchange Server 2010
{display}{windows}BEGIN:VEVENT
UID:display-name
SUMMARY:Team lunch
DTSTART;TZID="(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna":20260707T123000
DTEND;TZID="(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna":20260707T133000
RRULE:FREQ=WEEKLY;COUNT=3
LOCATION:Canteen
END:VEVENT
BEGIN:VEVENT
UID:windows-name
SUMMARY:Review
DTSTART;TZID=W. Europe Standard Time:20260710T090000
DTEND;TZID=W. Europe Standard Time:20260710T100000
LOCATION:Room 1
END:VEVENT
END:VCALENDAR
""".format(
    display=f"BEGIN:VTIMEZONE\nTZID:{DISPLAY_NAME}\n{CET_RULES}END:VTIMEZONE\n",
    windows=f"BEGIN:VTIMEZONE\nTZID:W. Europe Standard Time\n{CET_RULES}END:VTIMEZONE\n",
)


def test_outlook_zones_with_a_vtimezone_are_the_calendars_zone(tmp_path, make_app):
    source = tmp_path / "outlook.ics"
    source.write_text(VTIMEZONE_DISPLAY_NAME.replace("\n", "\r\n"), encoding="utf-8")
    target = tmp_path / "events.yaml"
    target.write_text("calendar:\n  title: Office\n  url: https://example.org/\n  timezone: Europe/Berlin\n")
    import_events(str(source), target)
    text = target.read_text(encoding="utf-8")
    assert "start: 2026-07-07 12:30" in text and "start: 2026-07-10 09:00" in text
    assert "timezone:" not in text.split("events:")[1]  # both in the calendar's own zone
    assert occurrences(served_calendar(make_app, target)) == occurrences(source.read_bytes())
