"""Every output calfeed makes, in one table: the URL contract.

A renderer is a pure function ``(Site, View) -> bytes``: no Flask, no clock, no
randomness, so the server and a static export produce the same bytes, and a
renderer can be tested with a hand-built `Site`. `FORMATS` says, for each kind of
output, its media type, its URL pattern and whether it exists per tag and per
language; `calfeed.routes` turns that into every concrete path, and both the web
app and ``calfeed build`` serve exactly those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from jinja2 import Environment

from ..model import Event, NewsEntry, Site
from . import embed, events_json, events_schema, feeds, html, ics, jsonfeed, month, search


@dataclass(frozen=True, slots=True)
class View:
    """What one output shows: in which language, on which day, for which tag or item, at which path."""

    lang: str
    today: date = date.min  # only formats with `daily=True` look at it
    tag: str | None = None
    item: str | None = None  # an event id (event pages, .ics downloads) or a year (archive pages)
    path: str = "/"  # the URL path this output is served at, e.g. "/es/tags/culture/feed.atom"
    templates: Environment | None = None  # the site's Jinja templates, for HTML outputs

    def events(self, site: Site) -> tuple[Event, ...]:
        """The events this view shows: all, or those with its tag."""
        if self.tag is None:
            return site.events
        return tuple(event for event in site.events if self.tag in event.tags)

    def news(self, site: Site) -> tuple[NewsEntry, ...]:
        if self.tag is None:
            return site.news
        return tuple(entry for entry in site.news if self.tag in entry.tags)

    def environment(self) -> Environment:
        if self.templates is None:
            raise ValueError("HTML outputs need View.templates")
        return self.templates


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    media_type: str
    pattern: str  # the path below the language and tag prefixes; "{item}" stands for the item
    render: Callable[[Site, View], bytes]
    tagged: bool = False  # also served under /tags/<tag>/
    localized: bool = True  # also served under /<lang>/
    daily: bool = False  # what it shows depends on today's date (upcoming vs past)
    items: Callable[[Site], Iterable[str]] | None = None  # the values of {item}, when the pattern has one
    tag_items: Callable[[Site, str], Iterable[str]] | None = None  # under /tags/<tag>/, when not `items`
    headers: Mapping[str, str] = field(default_factory=dict)  # fixed extra headers
    download: bool = False  # served with Content-Disposition: attachment; filename="<item>.<ext>"
    frameable: bool = False  # partner pages may put it in an iframe (CSP frame-ancestors: CALFEED_EMBED_ANCESTORS)

    @property
    def shared(self) -> bool:
        """Public data any origin may fetch (CORS): it answers preflight requests too."""
        return self.headers.get("Access-Control-Allow-Origin") == "*"

    def has_item(self, site: Site, item: str, tag: str | None = None) -> bool:
        """Whether `item` is one of this format's items (an event id, a year), under `tag` if given: an
        event is found by id."""
        if self.items is _event_ids:
            return site.event(item) is not None
        return self.items is not None and item in self.items_of(site, tag)

    def items_of(self, site: Site, tag: str | None = None) -> Iterable[str]:
        """The values of {item} (for one tag's pages when `tag` is given)."""
        if tag is not None and self.tag_items is not None:
            return self.tag_items(site, tag)
        return self.items(site) if self.items is not None else ()

    @property
    def filename(self) -> str:
        """The file a static export writes for this path: folders get index.html."""
        return "index.html" if self.pattern.endswith("/") else self.pattern.rsplit("/", 1)[-1]


def _event_ids(site: Site) -> Iterable[str]:
    return (event.id for event in site.events)


def archive_years(site: Site) -> Iterable[str]:
    """Every year in which an event starts: each has an archive page."""
    return (str(year) for year in sorted({event.first_day.year for event in site.events}))


HTML = "text/html; charset=utf-8"
# Public data (calendars, feeds, JSON): any page may fetch it (CORS), and read its ETag and content version.
SHARED = MappingProxyType(
    {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, X-Content-Version"}
)
CALENDAR = "text/calendar; charset=utf-8"

FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        f.name: f
        for f in (
            Format("agenda", HTML, "/", html.render_agenda, tagged=True, daily=True),
            Format("event", HTML, "/events/{item}/", html.render_event, daily=True, items=_event_ids),
            Format("news", HTML, "/news/", html.render_news),
            Format("archive", HTML, "/archive/{item}/", html.render_archive, items=archive_years),
            Format("month-now", HTML, "/month/", html.render_month, tagged=True, daily=True),
            Format(
                "month",
                HTML,
                "/month/{item}/",
                html.render_month,
                tagged=True,
                items=month.months,
                tag_items=month.months,
            ),
            Format("tags", HTML, "/tags/", html.render_tags, daily=True),
            Format("search", "application/json; charset=utf-8", "/search.json", search.render_index, headers=SHARED),
            Format("calendar", CALENDAR, "/calendar.ics", ics.render_calendar, tagged=True, daily=True, headers=SHARED),
            Format(
                "event-ics",
                CALENDAR,
                "/events/{item}.ics",
                ics.render_event,
                items=_event_ids,
                download=True,
                headers=SHARED,
            ),
            Format(
                "atom",
                "application/atom+xml; charset=utf-8",
                "/feed.atom",
                feeds.render_atom,
                tagged=True,
                headers=SHARED,
            ),
            Format(
                "rss", "application/rss+xml; charset=utf-8", "/feed.rss", feeds.render_rss, tagged=True, headers=SHARED
            ),
            Format(
                "json",
                "application/feed+json; charset=utf-8",
                "/feed.json",
                jsonfeed.render,
                tagged=True,
                headers=SHARED,
            ),
            Format(
                "events-json",
                "application/json; charset=utf-8",
                "/events.json",
                events_json.render,
                tagged=True,
                daily=True,
                headers=SHARED,
            ),
            Format(
                "events-schema",
                "application/schema+json",
                "/" + events_json.SCHEMA_PATH,
                events_schema.render,
                localized=False,
                headers=SHARED,
            ),
            Format("embed", HTML, "/embed/", embed.render_embed, tagged=True, daily=True, frameable=True),
            Format("style", "text/css; charset=utf-8", "/style.css", html.render_style, localized=False),
            Format("script", "text/javascript; charset=utf-8", "/script.js", html.render_script, localized=False),
            Format("embed-js", "text/javascript; charset=utf-8", "/embed.js", embed.render_script, localized=False),
            Format(
                "embed-frame-js",
                "text/javascript; charset=utf-8",
                "/embed-frame.js",
                embed.render_frame_script,
                localized=False,
            ),
            Format("embed-css", "text/css; charset=utf-8", "/embed.css", embed.render_stylesheet, localized=False),
        )
    }
)
