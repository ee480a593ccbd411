"""What each output is made from, as one hash: `calfeed build` renders an output again only when its
fingerprint differs from the one the previous export recorded (see `calfeed.export`).

A fingerprint covers everything an output's bytes can depend on:

* `Fingerprints.base`, shared by every output: calfeed's code and package data (renderers, default
  templates, translations), the libraries and zone files it writes them with (`calfeed.toolchain`), the site's
  template overrides, the calendar settings, tag ids and labels,
  local images, and the content's own clock (`Site.updated`);
* for formats that change with the day, the day; for an event's page, only what it shows of the day: the
  event's next occurrence and its upcoming dates (so a daily rebuild renders again only the pages of events
  that ended or moved on to their next date);
* the items it shows: an event's page and .ics, that event and the news posts about it; a month page, the
  events of that month and the list of months (this month's page: those of the day's month); an archive
  page, that year's events and the list of years; the news page, its news posts; a feed, the newest
  ``feed_limit`` items of its view with their publication times; an image, its file;
  stylesheets, scripts and the schema (`SETTINGS_ONLY`), none; any other output, every event and news post
  of its view (its tag's, or all).

The route is not in it: the manifest keeps each fingerprint by path, and a path is always the same route (its
language and prefix show only through the settings, in `base`). So the routes of one format, tag and item (in
every language) share one fingerprint, made once.

An item's digest covers its model object (or, for the very object `calfeed build`'s read made, what it made it
of: `Site.origins`), its revision and its publication time; a news post's also covers the events it names (pages
show their titles). Taking in too much is safe: the output is rendered
again and its file left alone when its bytes did not change. Taking in too little would leave a stale file:
tests/test_export_incremental.py compares incremental builds after edits with full builds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path

from . import months, recurrence, toolchain
from .model import Event, NewsEntry, Site
from .render.fragments import ItemDigests
from .render.fragments import digest as _digest
from .render.page import EVENT_DATES
from .routes import Links, Route

PACKAGE = Path(__file__).resolve().parent
# Outputs made from the templates and the settings alone (both in `Fingerprints.base`), no event or news post:
# stylesheets, scripts (embed.js names the languages, titles and tag labels), the events.json schema.
# Feeds: the newest `feed_limit` events and news posts of their view, by publication (`render.feed_entries`).
FEEDS = frozenset({"atom", "rss", "json"})
SETTINGS_ONLY = frozenset({"style", "script", "embed-js", "embed-frame-js", "embed-css", "events-schema"})
KEY = attrgetter("format", "tag", "item")  # routes with the same key (in any language) share a fingerprint


def _settings_only(route: Route) -> bytes:
    return b""


def folder_digest(folders: Iterable[Path]) -> bytes:
    """One digest of every file's path and bytes under `folders` (caches of compiled Python left out)."""
    parts: list[bytes | str] = []
    for folder in folders:
        for file in sorted(folder.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                parts += [file.relative_to(folder).as_posix(), file.read_bytes()]
    return _digest(parts)


class Fingerprints:
    """Fingerprints of the outputs of one `Site` with one set of templates (see the module's docstring)."""

    def __init__(self, site: Site, templates: Iterable[Path], digests: ItemDigests | None = None) -> None:
        self.site = site
        self.digests = digests or ItemDigests(site)
        images: list[bytes | str] = []
        for name, image in sorted(site.images.items()):
            images += [name, image.media_type, f"{image.width}x{image.height}", image.data]
        # what every output may show of the site besides its items, but for the content's clock: the key of
        # the pieces a build keeps for the next (calfeed.buildstate)
        self.shared = _digest(
            [
                folder_digest([PACKAGE, *templates]),
                toolchain.digest([site.calendar.timezone, *{event.timezone for event in site.events}]),
                repr(site.calendar),
                repr(sorted((tag, repr(label)) for tag, label in site.tags.items())),
                repr(site.tag_ids),
                _digest(images),
            ]
        )
        self.base = _digest([self.shared, repr(site.updated)])
        self._news: dict[str, bytes] = {}
        self._views: dict[str | None, bytes] = {}
        self._items: dict[str, bytes] = {}  # by event id: what its page and .ics show (in every language)
        self._feeds: dict[str | None, bytes] = {}  # by tag: what its feeds show
        self._order: list[tuple[datetime, tuple[str, ...], bytes]] | None = None  # the feeds' order
        self._years: dict[str, bytes] | None = None  # by year: what its archive page shows
        self._months: dict[tuple[str | None, str], bytes] = {}  # by tag and month: what its month page shows
        self._listed: dict[str | None, str] = {}  # by tag: the months its month pages list
        self._days: dict[tuple[str, date], str] = {}  # by event id and day: what its page shows of the day
        self._events: dict[int, bytes] | None = None  # `_by_id`
        self._by_tag: tuple[dict[str, list[Event]], dict[str, list[NewsEntry]]] | None = None  # `_tagged`
        self._of: dict[tuple[str, str | None, str | None], bytes] = {}  # by format, tag and item: `of` on `_today`
        self._today: date | None = None
        self._inputs: dict[str, Callable[[Route], bytes]] = {
            "event": self._event_inputs,
            "event-ics": self._event_inputs,
            "month": self._month_inputs,
            "archive": self._archive_inputs,
            "news": self._news_inputs,
            **dict.fromkeys(FEEDS, self._feed_inputs),
            **dict.fromkeys(SETTINGS_ONLY, _settings_only),
        }

    def of(self, route: Route, today: date) -> bytes:
        """The fingerprint of `route` rendered on `today` (which only formats that change daily look at): 16
        bytes, made once per format, tag and item (see the module's docstring)."""
        key = (route.format, route.tag, route.item)
        if today != self._today:
            self._of, self._today = {}, today
        found = self._of.get(key)
        if found is None:
            found = self._of[key] = self._make(route, today)
        return found

    def many(
        self, routes: Sequence[Route], keys: Sequence[tuple[str, str | None, str | None]], today: date
    ) -> list[bytes]:
        """`of` each of `routes` (whose `KEY`s are `keys`), in their order: each key's made once, the others looked up
        in bulk (74,000 routes of 10,000 events share 21,000 keys)."""
        of = self.of
        made = {key: of(route, today) for key, route in dict(zip(keys, routes, strict=True)).items()}
        return list(map(made.__getitem__, keys))

    def _make(self, route: Route, today: date) -> bytes:
        day = (
            (self._event_day(route, today) if route.format == "event" else today.isoformat())
            if route.spec.daily
            else ""
        )
        if route.format.startswith("image-"):
            inputs = _digest([b"image"])  # its bytes are in `base`, with every local image
        elif route.format == "month-now":  # the month of `today` (which is in `day`)
            inputs = self._month_inputs(route._replace(item=months.month_key((today.year, today.month))))
        else:
            inputs = self._inputs.get(route.format, self._view_inputs)(route)
        # base is 16 bytes, and the inputs of one format are always as long: one input that no other day's can be
        return hashlib.blake2b(self.base + inputs + day.encode(), digest_size=16).digest()

    def event(self, event: Event) -> bytes:
        return self.digests(event)

    def _by_id(self) -> dict[int, bytes]:
        """Every event's digest by its object's id (which the site keeps), in the site's order."""
        if self._events is None:
            digests = self.digests
            self._events = {id(event): digests(event) for event in self.site.events}
        return self._events

    def _joined(self, events: Iterable[Event]) -> bytes:
        """The digests of `events`, one after the other (16 bytes each: none can be taken for another)."""
        by_id = self._by_id()
        return b"".join([by_id[id(event)] for event in events])

    def news(self, entry: NewsEntry) -> bytes:
        found = self._news.get(entry.id)
        if found is None:
            site = self.site
            named = [self.event(event) for event_id in entry.events if (event := site.event(event_id)) is not None]
            found = _digest([self.digests(entry), *named])
            self._news[entry.id] = found
        return found

    def _event_day(self, route: Route, today: date) -> str:
        """What an event's page shows of `today` (calfeed.render.html.render_event): whether the event is
        over, its next occurrence, and a repeating event's next dates with its skipped ones among them."""
        key = (route.item or "", today)
        found = self._days.get(key)
        if found is None:
            event = self.site.event(route.item or "")
            if event is None:
                found = ""
            elif not event.repeat:  # its one occurrence (its start and end: in its digest) until it is over
                found = "over" if recurrence.next_occurrence(event, today) is None else "on"
            else:
                upcoming = recurrence.upcoming(event, today, EVENT_DATES)
                found = repr(upcoming) + repr(recurrence.next_occurrence(event, today))
            self._days[key] = found
        return found

    def _event_inputs(self, route: Route) -> bytes:
        found = self._items.get(route.item or "")
        if found is None:
            event = self.site.event(route.item or "")
            found = b""
            if event is not None:  # (most events are in no news post: their inputs are their digest)
                about = self.site.news_about(event.id)
                found = _digest([self.event(event), *map(self.news, about)]) if about else self.event(event)
            self._items[route.item or ""] = found
        return found

    def _month_inputs(self, route: Route) -> bytes:
        key = (route.tag, route.item or "")  # the same month page in every language
        found = self._months.get(key)
        if found is None:
            index = months.index(self.site, route.tag)
            shown = self._joined(index.events(route.item or ""))
            listed = self._listed.get(route.tag)
            if listed is None:
                listed = self._listed[route.tag] = repr(index.with_events) + repr(index.pages)
            found = self._months[key] = _digest([listed, shown])
        return found

    def _archive_inputs(self, route: Route) -> bytes:
        if self._years is None:
            by_year: dict[str, list[Event]] = {}
            for event in self.site.events:
                by_year.setdefault(str(event.first_day.year), []).append(event)
            years = repr(sorted(int(year) for year in by_year))
            self._years = {year: _digest([years, self._joined(shown)]) for year, shown in by_year.items()}
            self._years[""] = _digest([years])
        return self._years.get(route.item or "", self._years[""])

    def _news_inputs(self, route: Route) -> bytes:
        return _digest(
            list(map(self.news, self.site.news if route.tag is None else self._tagged()[1].get(route.tag, ())))
        )

    def _tagged(self) -> tuple[dict[str, list[Event]], dict[str, list[NewsEntry]]]:
        """Each tag's events and news posts, in the site's order (found in one pass over each)."""
        if self._by_tag is None:
            events: dict[str, list[Event]] = {}
            news: dict[str, list[NewsEntry]] = {}
            for event in self.site.events:
                for tag in dict.fromkeys(event.tags):
                    events.setdefault(tag, []).append(event)
            for entry in self.site.news:
                for tag in dict.fromkeys(entry.tags):
                    news.setdefault(tag, []).append(entry)
            self._by_tag = events, news
        return self._by_tag

    def _feed_inputs(self, route: Route) -> bytes:
        """The items a feed of `route`'s view shows (`render.feed_entries.plan_feed`): its newest `feed_limit`
        events and news posts by publication, then by feed id, each with its publication time."""
        found = self._feeds.get(route.tag)
        if found is None:
            shown: list[str] = []
            limit = self.site.calendar.feed_limit
            for moment, tags, digest in self._feed_order():
                if len(shown) == limit:
                    break
                if route.tag is None or route.tag in tags:
                    shown.append(repr(moment) + digest.hex())
            found = self._feeds[route.tag] = _digest(shown)
        return found

    def _feed_order(self) -> list[tuple[datetime, tuple[str, ...], bytes]]:
        """Every event and news post in the order of the feeds: newest first by publication, then by feed id
        (the same in every language)."""
        if self._order is None:
            site = self.site
            ids = Links(site, site.calendar.default_language)
            events = site.events
            urls = ids.urls("event", [event.id for event in events])  # each event's feed id: `ids.event`'s address
            items = [(site.published(e), url, e.tags, self.event(e)) for e, url in zip(events, urls, strict=True)]
            items += [(site.published(entry), ids.news_id(entry), entry.tags, self.news(entry)) for entry in site.news]
            items.sort(key=lambda item: item[1])
            items.sort(key=lambda item: item[0], reverse=True)
            self._order = [(moment, tags, digest) for moment, _, tags, digest in items]
        return self._order

    def _view_inputs(self, route: Route) -> bytes:
        found = self._views.get(route.tag)
        if found is None:
            site, tag = self.site, route.tag
            events = self._joined(site.events if tag is None else self._tagged()[0].get(tag, ()))
            news = b"".join(map(self.news, site.news if tag is None else self._tagged()[1].get(tag, ())))
            found = _digest([events, news])
            self._views[route.tag] = found
        return found
