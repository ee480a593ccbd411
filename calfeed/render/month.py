"""The month view: which events take place on which day of a month, as weeks of the page's locale.

Which months have a month page (`months`, the URL contract's items, with `index`, `month_key` and
`parse_key`) is decided in `calfeed.months`, below the URL contract, and named here too; previous/next
links lead to the nearest month that has a page.

`grid(events, year, month, lang)` lays one month out: weeks starting on the first day of the
week of the page's locale (Babel), each day with the events (and occurrences of series) on it,
a multi-day event on every day it covers. No rendering here: `render/html.py` gives the grid to
``month.html``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import get_day_names

from .. import recurrence
from ..model import Event, Status
from ..months import Index, index, month_key, months, parse_key
from .i18n import date_locale
from .page import at

__all__ = [
    "Day",
    "Entry",
    "Grid",
    "Index",
    "Weekday",
    "entries",
    "grid",
    "index",
    "layout",
    "month_key",
    "months",
    "parse_key",
    "weekdays",
]
OCCURRENCES_PER_MONTH = 400  # occurrences of one series looked at for one month (an hourly one has ~744)


@dataclass(frozen=True, slots=True)
class Entry:
    """One event on one day: the event as it is on that occurrence, and where that day falls in it."""

    event: Event
    first: bool  # the day it starts (False: it continues from an earlier day)
    last: bool  # the day it ends (False: it continues on a later day)
    cancelled: bool  # the event is cancelled, or this occurrence is one of the series' `except` dates


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    entries: tuple[Entry, ...]
    in_month: bool = True  # False: a day of the previous or next month that fills the first or last week


@dataclass(frozen=True, slots=True)
class Weekday:
    name: str  # "Monday", for assistive technology
    short: str  # "Mon", shown


@dataclass(frozen=True, slots=True)
class Grid:
    year: int
    month: int
    weekdays: tuple[Weekday, ...]  # in the locale's order
    weeks: tuple[tuple[Day, ...], ...]

    @property
    def key(self) -> str:
        return month_key((self.year, self.month))

    @property
    def days(self) -> list[Day]:
        """The days of the month itself, in order (what a phone shows as a list)."""
        return [day for week in self.weeks for day in week if day.in_month]


def weekdays(lang: str) -> tuple[Weekday, ...]:
    """The days of the week in the order the locale of `lang` starts its weeks."""
    locale = date_locale(lang)
    wide, short = get_day_names("wide", locale=locale), get_day_names("abbreviated", locale=locale)
    order = [(locale.first_week_day + index) % 7 for index in range(7)]
    return tuple(Weekday(str(wide[day]), str(short[day])) for day in order)


def grid(events: Iterable[Event], year: int, month: int, lang: str) -> Grid:
    """`month` of `year` as weeks in the locale of `lang`, each day of the month with its events in order:
    all-day ones first, then by start time, then as the site orders them."""
    return layout(entries(events, year, month), year, month, lang)


def entries(events: Iterable[Event], year: int, month: int) -> dict[date, tuple[Entry, ...]]:
    """The days of `month` of `year` that have events, each with its entries in the grid's order (the same in
    every language)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    by_day: dict[date, list[tuple[float, int, Entry]]] = {}
    for rank, event in enumerate(events):
        for occurrence_event, cancelled in _occurrences(event, first, last):
            start, end = occurrence_event.first_day, occurrence_event.last_day
            order = occurrence_event.start.timestamp() if isinstance(occurrence_event.start, datetime) else 0.0
            day = max(start, first)
            while day <= min(end, last):
                entry = Entry(occurrence_event, day == start, day == end, cancelled)
                by_day.setdefault(day, []).append((order if day == start else -1.0, rank, entry))
                day += timedelta(days=1)
    return {day: tuple(entry for *_, entry in sorted(found, key=lambda f: f[:2])) for day, found in by_day.items()}


def layout(by_day: dict[date, tuple[Entry, ...]], year: int, month: int, lang: str) -> Grid:
    """`month` of `year` as weeks in the locale of `lang`, each day with its entries from `by_day`."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    locale = date_locale(lang)
    lead = (first.weekday() - locale.first_week_day) % 7
    day = first - timedelta(days=lead)
    weeks: list[tuple[Day, ...]] = []
    while day <= last:
        week = []
        for _ in range(7):
            week.append(Day(day, by_day.get(day, ()), first <= day <= last))
            day += timedelta(days=1)
        weeks.append(tuple(week))
    return Grid(year, month, weekdays(lang), tuple(weeks))


def _occurrences(event: Event, first: date, last: date) -> Iterable[tuple[Event, bool]]:
    """`event` at each of its occurrences that overlap first..last, with whether that one is cancelled."""
    cancelled = event.status is Status.CANCELLED
    if not event.repeat:
        if event.first_day <= last and event.last_day >= first:
            yield event, cancelled
        return
    if event.first_day > last:
        return
    ends = recurrence.last_day(event)
    if ends is not None and ends < first:
        return
    for occurrence in recurrence.upcoming(event, first, OCCURRENCES_PER_MONTH):
        if occurrence.first_day > last:
            break
        yield at(event, occurrence), cancelled or occurrence.cancelled
