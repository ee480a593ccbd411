"""The month view: which events take place on which day of a month, as weeks of the page's locale.

`months(site, tag)` is the set of months that have a month page (the URL contract's items), for
the whole site or one tag: every month in which one of its events takes place, and the month
before and after each (so a visitor can step past the last event and see that nothing follows).
Previous/next links lead to the nearest month that has a page. A series that never ends counts
until `ENDLESS_MONTHS` months past the latest date the content itself names (its newest
publication date, a series' start or skipped dates): the set depends on the content only, never on
the day it is rendered, and stays small for content that spans many years.

`grid(events, year, month, lang)` lays one month out: weeks starting on the first day of the
week of the page's locale (Babel), each day with the events (and occurrences of series) on it,
a multi-day event on every day it covers. No rendering here: `render/html.py` gives the grid to
``month.html``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import get_day_names

from .. import recurrence
from ..model import Event, Site, Status, day_of
from .i18n import date_locale
from .page import at

ENDLESS_MONTHS = 12  # how far past the content's latest date a series that never ends has month pages
OCCURRENCES_PER_MONTH = 400  # occurrences of one series looked at for one month (an hourly one has ~744)

Month = tuple[int, int]  # (year, month)


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


def month_key(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def parse_key(key: str) -> Month | None:
    """(year, month) of "2021-09", or None when `key` is not a month written that way."""
    if len(key) != 7 or key[4] != "-" or not (key[:4].isdigit() and key[5:].isdigit()):
        return None
    year, month = int(key[:4]), int(key[5:])
    return (year, month) if 1 <= month <= 12 and year >= 1 else None


def shift(month: Month, by: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + by
    return index // 12, index % 12 + 1


def months(site: Site, tag: str | None = None) -> tuple[str, ...]:
    """Every month ("yyyy-mm", in order) with a month page for the site, or for one tag: see the module's
    docstring. () without events."""
    return index(site, tag).pages


def last_month(site: Site) -> Month | None:
    """The last month a series that never ends is walked to: `ENDLESS_MONTHS` past the latest date the
    content names (its newest publication date, a series' start or skipped dates); None without series."""
    endless: list[date] = []
    for event in site.events:
        if event.repeat and recurrence.last_day(event) is None:
            endless += [event.first_day, *(day_of(exception) for exception in event.exceptions)]
    if not endless:
        return None
    latest = max([*endless, site.updated.date()])
    return shift((latest.year, latest.month), ENDLESS_MONTHS)


@dataclass(frozen=True, slots=True)
class Index:
    """The events of one view (the site's or one tag's) by month, so that a month page looks only at its own."""

    by_month: Mapping[str, tuple[Event, ...]]  # events that do not repeat, by each month they cover, in site order
    repeating: tuple[Event, ...]  # series: looked at for every month
    with_events: tuple[str, ...]  # the months on which at least one event takes place, in order
    pages: tuple[str, ...]  # the months with a page: those with events and the month either side of each
    rank: Mapping[str, int]  # an event's place in the site's order, by id

    def events(self, key: str) -> list[Event]:
        """The events that may take place in month `key`, in the site's order."""
        found = [*self.by_month.get(key, ()), *self.repeating]
        return sorted(found, key=lambda event: self.rank[event.id]) if self.repeating else found


_INDEX_CACHE: dict[tuple[int, str | None], tuple[Site, Index]] = {}


def index(site: Site, tag: str | None = None) -> Index:
    """The `Index` of the site's events (or those with `tag`), computed once per content version and tag."""
    cached = _INDEX_CACHE.get((id(site), tag))
    if cached is not None and cached[0] is site:
        return cached[1]
    events = site.events if tag is None else tuple(event for event in site.events if tag in event.tags)
    until = last_month(site)
    by_month: dict[str, list[Event]] = {}
    found: set[str] = set()
    repeating = []
    for event in events:
        if event.repeat:
            repeating.append(event)
            found.update(_series_months(event, until))
            continue
        for key in _span_months(event.first_day, event.last_day):
            by_month.setdefault(key, []).append(event)
    found.update(by_month)
    with_events = sorted(found)
    pages = set(with_events)
    for key in with_events:
        month = parse_key(key) or (1, 1)
        pages.update((month_key(shift(month, -1)), month_key(shift(month, 1))))
    made = Index(
        by_month={key: tuple(found_events) for key, found_events in by_month.items()},
        repeating=tuple(repeating),
        with_events=tuple(with_events),
        pages=tuple(sorted(pages)),
        rank={event.id: rank for rank, event in enumerate(events)},
    )
    if len(_INDEX_CACHE) > 256:
        _INDEX_CACHE.clear()
    _INDEX_CACHE[(id(site), tag)] = (site, made)
    return made


def _series_months(event: Event, until: Month | None) -> set[str]:
    """The months in which an occurrence of `event` takes place (for a series that never ends, up to `until`)."""
    found: set[str] = set()
    for occurrence in recurrence.occurrences(event):
        if until is not None and (occurrence.first_day.year, occurrence.first_day.month) > until:
            break
        found.update(_span_months(occurrence.first_day, occurrence.last_day))
    return found


def _span_months(first: date, last: date) -> list[str]:
    if (first.year, first.month) == (last.year, last.month):
        return [month_key((first.year, first.month))]
    keys = []
    month = (first.year, first.month)
    while month <= (last.year, last.month):
        keys.append(month_key(month))
        month = shift(month, 1)
    return keys


def weekdays(lang: str) -> tuple[Weekday, ...]:
    """The days of the week in the order the locale of `lang` starts its weeks."""
    locale = date_locale(lang)
    wide, short = get_day_names("wide", locale=locale), get_day_names("abbreviated", locale=locale)
    order = [(locale.first_week_day + index) % 7 for index in range(7)]
    return tuple(Weekday(str(wide[day]), str(short[day])) for day in order)


def grid(events: Iterable[Event], year: int, month: int, lang: str) -> Grid:
    """`month` of `year` as weeks in the locale of `lang`, each day of the month with its events in order:
    all-day ones first, then by start time, then as the site orders them."""
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
    locale = date_locale(lang)
    lead = (first.weekday() - locale.first_week_day) % 7
    day = first - timedelta(days=lead)
    weeks: list[tuple[Day, ...]] = []
    while day <= last:
        week = []
        for _ in range(7):
            entries = tuple(entry for *_, entry in sorted(by_day.get(day, []), key=lambda found: found[:2]))
            week.append(Day(day, entries, first <= day <= last))
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
