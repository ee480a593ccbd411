"""Timed events land on the right instants, and repeating events on the right dates.

Instants are checked in UTC, through `icalendar` (which reads TZIDs from the zone
database) and through `vobject` (which reads them from our own VTIMEZONE blocks),
so a wrong VTIMEZONE shows up as a wrong hour. Repeats are expanded by
`recurring-ical-events`, as a calendar client would.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateutil.tz
import icalendar
import pytest
import recurring_ical_events
import vobject
from dateutil.rrule import rrulestr

from calfeed.content import load_site
from calfeed.model import CalendarSettings, Event, Site, Text
from calfeed.recurrence import utc_rule
from calfeed.render import View, ics_zones
from calfeed.render.ics import render_calendar, zone_component

from conftest import CONTENT


@pytest.fixture(autouse=True)
def vobject_forgets_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    """vobject keeps the first VTIMEZONE it reads for a TZID for the whole process: make it read ours."""
    monkeypatch.setattr(vobject.icalendar, "__tzidMap", {"UTC": vobject.icalendar.utc})


def calendar_of(name: str) -> bytes:
    return render_calendar(load_site(CONTENT / name), View("en"))


def instants(body: bytes) -> dict[str, tuple[datetime, datetime]]:
    """Each event's start and end in UTC, as icalendar reads them; checked against vobject's reading."""
    ours = {
        str(e["UID"]).split("@")[0]: (e.decoded("DTSTART").astimezone(UTC), e.decoded("DTEND").astimezone(UTC))
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }
    theirs = {
        e.uid.value.split("@")[0]: (e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC))
        for e in vobject.readOne(body.decode()).vevent_list
    }
    assert ours == theirs
    return ours


def test_a_timed_event_in_istanbul_is_at_its_hour_in_utc():
    body = calendar_of("ics-timed-zones.yaml")
    assert b"DTSTART;TZID=Europe/Istanbul:20210909T100000\r\n" in body
    start, end = instants(body)["opening-session"]
    assert (start, end) == (datetime(2021, 9, 9, 7, tzinfo=UTC), datetime(2021, 9, 9, 9, tzinfo=UTC))


def test_a_berlin_event_across_the_end_of_summer_time_lasts_nine_hours():
    start, end = instants(calendar_of("ics-timed-zones.yaml"))["night-shift"]
    assert start == datetime(2021, 10, 30, 20, tzinfo=UTC)  # 22:00 CEST
    assert end == datetime(2021, 10, 31, 5, tzinfo=UTC)  # 06:00 CET
    assert end - start == timedelta(hours=9)


def test_a_time_with_an_offset_and_no_zone_is_written_in_utc():
    body = calendar_of("ics-timed-zones.yaml")
    assert b"DTSTART:20210910T100000Z\r\n" in body
    assert instants(body)["call-from-karachi"][0] == datetime(2021, 9, 10, 10, tzinfo=UTC)


def test_each_zone_used_has_one_vtimezone_from_the_zone_database():
    calendar = icalendar.Calendar.from_ical(calendar_of("ics-timed-zones.yaml"))
    zones = {str(zone["TZID"]): zone for zone in calendar.walk("VTIMEZONE")}
    assert sorted(zones) == ["Europe/Berlin", "Europe/Istanbul"]  # not UTC, not the unused Brussels
    berlin = zones["Europe/Berlin"]
    changes = sorted(sub.decoded("DTSTART") for sub in berlin.walk() if sub.name in ("STANDARD", "DAYLIGHT"))
    assert datetime(2021, 10, 31, 3) in changes and datetime(2021, 3, 28, 3) in changes


def test_x_wr_timezone_is_written_only_when_every_timed_event_is_in_that_zone():
    mixed = icalendar.Calendar.from_ical(calendar_of("ics-timed-zones.yaml"))
    assert "X-WR-TIMEZONE" not in mixed  # a client honouring it would read Istanbul times as Brussels ones
    single = icalendar.Calendar.from_ical(calendar_of("ics-one-zone.yaml"))
    assert str(single["X-WR-TIMEZONE"]) == "Europe/Brussels"


def occurrences(body: bytes, uid: str) -> list[date | datetime]:
    calendar = icalendar.Calendar.from_ical(body)
    found = recurring_ical_events.of(calendar).between(date(2020, 1, 1), date(2023, 1, 1))
    return sorted(e.decoded("DTSTART") for e in found if str(e["UID"]).startswith(uid + "@"))


def test_a_weekly_timed_event_skips_its_exceptions_and_keeps_its_hour_across_dst():
    body = calendar_of("ics-weekly-with-exceptions.yaml")
    assert b"EXDATE;TZID=Europe/Berlin:20210322T180000,20210405T180000\r\n" in body
    starts = occurrences(body, "weekly-call")
    assert [s.astimezone(UTC) for s in starts] == [
        datetime(2021, 3, 15, 17, tzinfo=UTC),  # 18:00 CET
        datetime(2021, 3, 29, 16, tzinfo=UTC),  # 18:00 CEST
        datetime(2021, 4, 12, 16, tzinfo=UTC),
    ]
    [call] = [e for e in vobject.readOne(body.decode()).vevent_list if e.uid.value.startswith("weekly-call")]
    assert [s.astimezone(UTC) for s in call.getrruleset()] == [s.astimezone(UTC) for s in starts]


def test_a_weekly_all_day_event_skips_its_exception():
    body = calendar_of("ics-weekly-with-exceptions.yaml")
    assert b"EXDATE;VALUE=DATE:20210327\r\n" in body
    assert occurrences(body, "weekly-walk") == [date(2021, 3, 20), date(2021, 4, 3), date(2021, 4, 10)]


def test_until_is_written_as_a_date_on_all_day_events_and_in_utc_on_timed_ones():
    body = calendar_of("ics-weekly-with-exceptions.yaml")
    assert b"RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20210501\r\n" in body
    assert occurrences(body, "fortnightly-market") == [date(2021, 4, 3), date(2021, 4, 17), date(2021, 5, 1)]
    assert [d.date() for d in occurrences(body, "monthly-board")] == [
        date(2021, 1, 4),
        date(2021, 2, 1),
        date(2021, 3, 1),
        date(2021, 4, 5),
    ]
    berlin = load_site(CONTENT / "ics-weekly-with-exceptions.yaml").event("weekly-call")
    assert berlin is not None
    assert utc_rule("FREQ=DAILY;UNTIL=20210320", berlin.start) == "FREQ=DAILY;UNTIL=20210320T225900Z"


def test_an_endless_weekly_event_keeps_its_summer_hour_years_later_in_our_vtimezone():
    berlin = ZoneInfo("Europe/Berlin")
    call = Event(
        id="weekly-call",
        title=Text({"en": "Weekly call"}),
        start=datetime(2021, 1, 4, 18, tzinfo=berlin),
        end=datetime(2021, 1, 4, 19, tzinfo=berlin),
        timezone="Europe/Berlin",
        repeat="FREQ=WEEKLY",
    )
    settings = CalendarSettings(Text({"en": "T"}), "https://example.org/", "Europe/Berlin", ("en",))
    body = render_calendar(Site(calendar=settings, events=(call,), news=()), View("en"))
    [event] = vobject.readOne(body.decode()).vevent_list  # vobject reads times through our VTIMEZONE
    summer = event.getrruleset().after(datetime(2045, 7, 1, tzinfo=UTC))
    assert summer.astimezone(UTC) == datetime(2045, 7, 3, 16, tzinfo=UTC)  # 18:00 CEST
    assert len(body) < 8_000  # the zone's rules for decades, not for every year to 9999


# -- VTIMEZONEs: icalendar's, found without its long scan, and right when read back -------

ZONES = (
    "Europe/Brussels",
    "Europe/Berlin",
    "Europe/Istanbul",  # no DST since 2016
    "America/Sao_Paulo",  # no DST since 2019
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kolkata",  # no DST
    "Pacific/Apia",  # skipped 30 December 2011
    "America/New_York",
    "Africa/Casablanca",  # DST suspended for Ramadan, then +01 with +00 in Ramadan
)
RANGES = (
    (date(2005, 1, 1), date(2031, 1, 1)),
    (date(2021, 1, 1), date(2027, 1, 1)),
    (date(2011, 1, 1), date(2012, 1, 1)),
)


def observed(component: icalendar.Timezone, end: date) -> set[tuple[str, datetime, timedelta, timedelta]]:
    """Each change a VTIMEZONE lists before `end`, read back by icalendar (RRULEs expanded by dateutil):
    observance, instant (UTC), offsets from and to."""
    parsed = icalendar.Timezone.from_ical(component.to_ical())
    found = set()
    for observance in parsed.walk():
        if observance.name not in ("STANDARD", "DAYLIGHT"):
            continue
        before, after = observance.TZOFFSETFROM, observance.TZOFFSETTO
        rdates = observance.get("RDATE", [])
        onsets = [observance.DTSTART] + [
            value.dt for rdate in (rdates if isinstance(rdates, list) else [rdates]) for value in rdate.dts
        ]
        if "RRULE" in observance:
            rule = dict(observance["RRULE"])
            if "UNTIL" in rule:  # UTC, as RFC 5545 wants: the same instant on the observance's clock
                rule["UNTIL"] = [(until + before).replace(tzinfo=None) for until in rule["UNTIL"]]
            text = icalendar.vRecur(rule).to_ical().decode()
            onsets = list(
                rrulestr(text, dtstart=observance.DTSTART).between(
                    observance.DTSTART, datetime(end.year, end.month, end.day), inc=True
                )
            )
        found |= {(observance.name, onset - before, before, after) for onset in onsets}
    return found


@pytest.mark.parametrize("first, end", RANGES)
@pytest.mark.parametrize("tzid", ZONES)
def test_our_vtimezone_is_the_one_icalendar_scans_for_where_that_scan_finds_every_change(
    tzid: str, first: date, end: date
):
    ours = ics_zones.zone(tzid, first, end)
    theirs = icalendar.Timezone.from_tzid(tzid, first_date=first, last_date=end)
    assert observed(zone_component(tzid, first, end), end) == observed(ours, end)  # yearly rules say the same
    if tzid == "Africa/Casablanca" and end.year > 2012:
        # icalendar's 64-day steps jump over some of its Ramadan months at +00 (2024 among them): it lists
        # only changes we list too, and misses some (the test below shows that ours are right)
        assert observed(theirs, end) < observed(ours, end)
        assert {(name, instant.year) for name, instant, _, _ in observed(ours, end) - observed(theirs, end)} >= {
            ("DAYLIGHT", 2024),
            ("STANDARD", 2024),
        }
    else:
        assert ours.to_ical() == theirs.to_ical()


def changes(zone: ZoneInfo, first: datetime, end: datetime) -> list[datetime]:
    """The instants (UTC) at which `zone`'s offset, DST or name changes, found hour by hour and then to the second."""

    def state(moment: datetime) -> tuple[object, ...]:
        local = moment.astimezone(zone)
        return local.utcoffset(), local.dst(), local.tzname()

    found = []
    moment = first
    while moment < end:
        later = moment + timedelta(hours=1)
        if state(later) != state(moment):
            low, high = moment, later  # state(low) differs from state(high): bisect to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) // 2
                low, high = (middle, high) if state(middle) == state(low) else (low, middle)
            found.append(high)
        moment = later
    return found


@pytest.mark.parametrize("first, end", RANGES[:2])
@pytest.mark.parametrize("tzid", ZONES)
def test_our_vtimezone_read_by_dateutil_gives_zoneinfos_offsets(tzid: str, first: date, end: date):
    """dateutil reads our VTIMEZONE on its own (no zone database): each local time, daily at four
    hours and a second either side of every change, has the offset zoneinfo gives it."""
    zone = ZoneInfo(tzid)
    ours = dateutil.tz.tzical(io.StringIO(zone_component(tzid, first, end).to_ical().decode())).get(tzid)
    start = datetime.combine(first, time(), zone).astimezone(UTC)
    stop = datetime.combine(end, time(), zone).astimezone(UTC)
    daily = (start + timedelta(days=day, hours=hour) for day in range((stop - start).days) for hour in (1, 7, 13, 19))
    around = [change + timedelta(seconds=s) for change in changes(zone, start, stop) for s in (-1, 0, 1)]
    assert around or tzid == "Asia/Kolkata" or first.year > 2019  # Istanbul and Sao Paulo keep one offset now
    checked = 0
    for moment in [*daily, *around]:
        local = moment.astimezone(zone)
        if not start <= moment < stop:
            continue
        read = local.replace(tzinfo=ours)  # the same wall time and fold, read through our VTIMEZONE
        assert (local, read.utcoffset()) == (local, local.utcoffset())
        checked += 1
    assert checked > 4 * 365 * (end.year - first.year) - 8
