"""Which months have a month page: the items of the month view in the URL contract.

`months(site, tag)` is every month in which one of the events (of the site, or with `tag`) takes place,
and the month before and after each (so a visitor can step past the last event and see that nothing
follows). A series that never ends counts until `ENDLESS_MONTHS` months past the latest date the content
itself names (its newest publication date, a series' start or skipped dates): the set depends on the
content only, never on the day it is rendered. It lives apart from `render/month.py` (which lays a month
out) because `calfeed.formats` lists these months as a format's items, below every renderer.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from . import recurrence
from .model import Event, Site, day_of

ENDLESS_MONTHS = 12  # how far past the content's latest date a series that never ends has month pages

Month = tuple[int, int]  # (year, month)


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
    spans = _spans(site)
    events = site.events if tag is None else spans.tagged.get(tag, ())
    by_month: dict[str, list[Event]] = {}
    found: set[str] = set()
    repeating = []
    for event in events:
        keys = spans.months[id(event)]
        if event.repeat:
            repeating.append(event)
            found.update(keys)
            continue
        for key in keys:
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


@dataclass(frozen=True, slots=True)
class _Spans:
    """What every view's `Index` takes from each event of one site, found once for all of them."""

    months: Mapping[int, Collection[str]]  # by id(event): the months it takes place in (a series: up to `last_month`)
    tagged: Mapping[str, tuple[Event, ...]]  # by tag: its events, in site order


_SPANS_CACHE: dict[int, tuple[Site, _Spans]] = {}


def _spans(site: Site) -> _Spans:
    cached = _SPANS_CACHE.get(id(site))
    if cached is not None and cached[0] is site:
        return cached[1]
    until = last_month(site)
    months: dict[int, Collection[str]] = {}
    tagged: dict[str, list[Event]] = {}
    for event in site.events:
        if event.repeat:
            months[id(event)] = _series_months(event, until)
        else:
            months[id(event)] = _span_months(event.first_day, event.last_day)
        for tag in dict.fromkeys(event.tags):
            tagged.setdefault(tag, []).append(event)
    made = _Spans(months, {tag: tuple(events) for tag, events in tagged.items()})
    if len(_SPANS_CACHE) > 16:
        _SPANS_CACHE.clear()
    _SPANS_CACHE[id(site)] = (site, made)
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
