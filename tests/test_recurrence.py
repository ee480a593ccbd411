"""When a repeating event takes place: the series' last day, its next occurrence, its dates from a day on."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from calfeed import recurrence
from calfeed.model import CalendarSettings, Event, Site, Text
from calfeed.recurrence import Occurrence
from calfeed.render import RENDERERS, View
from calfeed.render.html import make_environment
from calfeed.routes import every_route, path

from conftest import TEMPLATES

BERLIN = ZoneInfo("Europe/Berlin")


def event(start: date | datetime, end: date | datetime | None = None, **fields: object) -> Event:
    return Event(id="x", title=Text({"en": "X"}), start=start, end=end or start, **fields)  # type: ignore[arg-type]


def test_an_event_that_does_not_repeat_has_one_occurrence():
    once = event(date(2026, 3, 12), date(2026, 3, 13))
    assert recurrence.last_day(once) == date(2026, 3, 13)
    assert recurrence.next_occurrence(once, date(2026, 3, 13)) == Occurrence(date(2026, 3, 12), date(2026, 3, 13))
    assert recurrence.next_occurrence(once, date(2026, 3, 14)) is None
    assert list(recurrence.occurrences(once)) == [Occurrence(date(2026, 3, 12), date(2026, 3, 13))]


def test_last_day_of_a_counted_series_is_its_last_occurrence_plus_its_length():
    weekly = event(date(2025, 10, 6), date(2025, 10, 7), repeat="FREQ=WEEKLY;COUNT=6")
    assert recurrence.last_day(weekly) == date(2025, 11, 11)


def test_last_day_with_until_is_that_day_in_the_events_zone():
    timed = event(
        datetime(2026, 2, 2, 18, tzinfo=BERLIN),
        datetime(2026, 2, 2, 19, 30, tzinfo=BERLIN),
        repeat="FREQ=WEEKLY;UNTIL=20260602T200000Z",
    )
    assert recurrence.last_day(timed) == date(2026, 6, 2)
    assert recurrence.last_day(timed, ZoneInfo("Pacific/Kiritimati")) == date(2026, 6, 3)  # UTC+14
    all_day = event(date(2021, 4, 3), repeat="FREQ=WEEKLY;INTERVAL=2;UNTIL=20210501T000000")
    assert recurrence.last_day(all_day) == date(2021, 5, 1)


def test_an_endless_series_has_no_last_day_but_always_a_next_occurrence():
    monthly = event(date(2025, 11, 15), repeat="FREQ=MONTHLY")
    assert recurrence.last_day(monthly) is None
    assert recurrence.next_occurrence(monthly, date(2026, 3, 10)) == Occurrence(date(2026, 3, 15), date(2026, 3, 15))
    assert recurrence.next_occurrence(monthly, date(2040, 1, 16)) == Occurrence(date(2040, 2, 15), date(2040, 2, 15))
    # more than WALK occurrences counts as endless, as in the calendar
    assert recurrence.last_day(event(date(1800, 1, 1), repeat=f"FREQ=DAILY;COUNT={recurrence.WALK + 1}")) is None


def test_next_occurrence_is_the_first_that_ends_on_the_day_or_later():
    three_days = event(date(2026, 3, 1), date(2026, 3, 3), repeat="FREQ=WEEKLY;COUNT=4")
    assert recurrence.next_occurrence(three_days, date(2026, 3, 10)).start == date(2026, 3, 8)  # 8–10 March
    assert recurrence.next_occurrence(three_days, date(2026, 3, 11)).start == date(2026, 3, 15)
    assert recurrence.next_occurrence(three_days, date(2026, 3, 25)) is None  # the last was 22–24 March


def test_except_dates_are_no_occurrence_but_are_listed_as_cancelled():
    market = event(date(2026, 2, 28), repeat="FREQ=WEEKLY;INTERVAL=2;COUNT=10", exceptions=(date(2026, 3, 14),))
    assert recurrence.next_occurrence(market, date(2026, 3, 10)).start == date(2026, 3, 28)
    assert date(2026, 3, 14) not in [found.start for found in recurrence.occurrences(market)]
    dates = recurrence.upcoming(market, date(2026, 3, 10), 2)
    assert [(found.start, found.cancelled) for found in dates] == [
        (date(2026, 3, 14), True),
        (date(2026, 3, 28), False),
        (date(2026, 4, 11), False),
    ]


def test_upcoming_lists_every_later_except_date_too():
    weekly = event(date(2026, 1, 5), repeat="FREQ=WEEKLY", exceptions=(date(2026, 12, 28),))
    dates = recurrence.upcoming(weekly, date(2026, 3, 10), 3)
    assert [found.start for found in dates] == [
        date(2026, 3, 16),
        date(2026, 3, 23),
        date(2026, 3, 30),
        date(2026, 12, 28),
    ]
    assert [found.cancelled for found in dates] == [False, False, False, True]


def test_a_series_whose_last_occurrence_is_skipped_is_over_after_the_one_before():
    skipped_last = event(date(2026, 3, 2), repeat="FREQ=WEEKLY;COUNT=3", exceptions=(date(2026, 3, 16),))
    assert recurrence.next_occurrence(skipped_last, date(2026, 3, 10)) is None


def test_timed_occurrences_keep_their_local_time_across_summer_time():
    call = event(
        datetime(2021, 3, 15, 18, tzinfo=BERLIN),
        datetime(2021, 3, 15, 19, tzinfo=BERLIN),
        repeat="FREQ=WEEKLY;COUNT=5",
        exceptions=(datetime(2021, 3, 22, 18, tzinfo=BERLIN),),
    )
    found = recurrence.next_occurrence(call, date(2021, 3, 16))
    assert found is not None
    assert found.start == datetime(2021, 3, 29, 18, tzinfo=BERLIN)  # the week of the 22nd is skipped
    assert found.start.utcoffset() == timedelta(hours=2)  # summer time began on 28 March
    assert found.end - found.start == timedelta(hours=1)
    assert found.start.astimezone(UTC).hour == 16
    before = recurrence.first_occurrence(call)
    assert before.start.utcoffset() == timedelta(hours=1)


def test_rules_are_written_as_rfc_5545_wants_their_until():
    assert recurrence.utc_rule("RRULE:FREQ=WEEKLY;UNTIL=20210501T000000", date(2021, 4, 3)) == (
        "FREQ=WEEKLY;UNTIL=20210501"
    )
    start = datetime(2021, 1, 4, 9, tzinfo=BERLIN)
    assert recurrence.utc_rule("FREQ=DAILY;UNTIL=20210110", start) == "FREQ=DAILY;UNTIL=20210110T225900Z"
    assert recurrence.rule_parts("RRULE:FREQ=MONTHLY;BYDAY=1TU") == {"FREQ": "MONTHLY", "BYDAY": "1TU"}


# -- rules `calfeed check` would refuse, in a model built without it ------------------------------------------

UNCHECKED = [  # each took seconds per expansion before rules were walked within a horizon
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # never: dateutil stepped day by day to 9999
    "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1",
    "FREQ=DAILY;INTERVAL=7;BYDAY=MO",  # never, from a Tuesday: every 7th day is a Tuesday
    "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=0;BYMINUTE=0;BYSECOND=0;COUNT=5000",  # every 4 years: 27 s
    "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31",
]


def test_every_route_of_a_site_with_rules_check_would_refuse_renders_quickly():
    start = datetime(2030, 1, 1, 10, tzinfo=BERLIN)  # a Tuesday
    events = tuple(
        Event(id=f"rule-{n}", title=Text({"en": rule}), start=start, end=start + timedelta(hours=1), repeat=rule)
        for n, rule in enumerate(UNCHECKED)
    )
    calendar = CalendarSettings(Text({"en": "T"}), "https://x.example/", "Europe/Berlin", languages=("en", "fr"))
    site = Site(calendar=calendar, events=events, news=())
    templates = make_environment(TEMPLATES)
    slowest = 0.0
    for route in every_route(site):
        began = time.perf_counter()
        view = View(route.lang, date(2030, 6, 1), route.tag, route.item, path(route), templates)
        assert RENDERERS[route.format](site, view)
        slowest = max(slowest, time.perf_counter() - began)
    assert slowest < 5, slowest  # 10 s for one such event on its page before rules had a horizon


def test_a_rule_is_walked_no_further_than_its_horizon():
    start = datetime(2030, 1, 1, 10)
    began = time.perf_counter()
    assert list(recurrence.walk("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", start)) == []
    assert time.perf_counter() - began < 0.5  # 4 s when dateutil walked it to 9999
    walk = recurrence.walk("FREQ=DAILY", start)
    assert max(islice(walk, recurrence.WALK)).year <= 2030 + recurrence.STEPS // 365
    # a counted series cut short by the horizon is endless for the pages, never one that ends early
    sparse = event(date(2030, 1, 1), repeat="FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;COUNT=100")
    assert recurrence.last_day(sparse) is None


RULES = st.builds(
    lambda freq, interval, count, parts: ";".join([f"FREQ={freq}", f"INTERVAL={interval}", f"COUNT={count}", *parts]),
    st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"]),
    st.integers(1, 3),
    st.integers(1, 40),
    st.lists(
        st.sampled_from(["BYDAY=MO,WE", "BYMONTH=1,7", "BYMONTHDAY=1,15,-1", "BYHOUR=9,17", "BYSETPOS=1"]),
        unique=True,
        max_size=2,
    ),
)


@settings(max_examples=60, deadline=None)
@given(RULES, st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1)))
def test_the_walk_within_the_horizon_is_dateutils_walk(rule, start):
    assume("BYSETPOS" not in rule or rule.count("BY") > 1)
    start = start.replace(microsecond=0)
    try:
        expected = list(rrulestr(rule, dtstart=start))
    except ValueError:  # dateutil finds the rule empty (BYHOUR=9 every 3 hours from 1:00): so does the walk
        with pytest.raises(ValueError):
            recurrence.walk(rule, start)
        return
    walk = recurrence.walk(rule, start)
    assert list(walk) == [moment for moment in expected if moment.year <= walk.last_year]  # type: ignore[attr-defined]
