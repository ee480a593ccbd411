"""Every output calfeed makes, as the URL contract: what one output shows (`View`), what one kind of
output is (`Format`), and `CONTRACT`, one `Format` per kind: its name, media type, path pattern, tag and
language variants, items, fixed headers and human name.

`calfeed.routes` turns the contract into every concrete path and every link; `calfeed.render.FORMATS` is
the same table with each format's render function. The contract lives here, below the renderers and
`routes`, so that renderers can build links without importing the table of renderers (no import cycle).
Adding an output: a `Format` here, and its render function in `calfeed.render.RENDERERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from jinja2 import Environment

from .images import SUFFIXES as IMAGE_TYPES
from .model import Event, NewsEntry, Site
from .months import months

SCHEMA_PATH = "schemas/events-v1.json"  # below calendar.url: the stable address of the events.json contract


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "translate later": pybabel extracts it)
    """A message for the catalogs, translated where it is shown (templates pass it to `_`)."""
    return message


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
    """One kind of output: its name, media type, path pattern, variants, render function and human name."""

    name: str
    media_type: str
    pattern: str  # the path below the language and tag prefixes; "{item}" stands for the item
    render: Callable[[Site, View], bytes] | None = None  # set in `calfeed.render.FORMATS`, not in `CONTRACT`
    tagged: bool = False  # also served under /tags/<tag>/
    localized: bool = True  # also served under /<lang>/
    daily: bool = False  # what it shows depends on today's date (upcoming vs past)
    items: Callable[[Site], Iterable[str]] | None = None  # the values of {item}, when the pattern has one
    tag_items: Callable[[Site, str], Iterable[str]] | None = None  # under /tags/<tag>/, when not `items`
    headers: Mapping[str, str] = field(default_factory=dict)  # fixed extra headers
    download: bool = False  # served with Content-Disposition: attachment; filename="<item>.<ext>"
    frameable: bool = False  # partner pages may put it in an iframe (CSP frame-ancestors: CALFEED_EMBED_ANCESTORS)
    title: str = ""  # its human name where pages list it for readers ("Atom feed"; a message, see `N_`)
    label: str = ""  # its short name, in the title of a page's <link rel="alternate"> ("Atom")

    @property
    def shared(self) -> bool:
        """Public data any origin may fetch (CORS): it answers preflight requests too."""
        return self.headers.get("Access-Control-Allow-Origin") == "*"

    def has_item(self, site: Site, item: str, tag: str | None = None) -> bool:
        """Whether `item` is one of this format's items (an event id, a year), under `tag` if given: an
        event is found by id."""
        if self.items is event_ids:
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


def event_ids(site: Site) -> Iterable[str]:
    """Every event's id: the items of event pages and .ics downloads."""
    return (event.id for event in site.events)


def archive_years(site: Site) -> Iterable[str]:
    """Every year in which an event starts: each has an archive page."""
    return (str(year) for year in sorted({event.first_day.year for event in site.events}))


def image_format(suffix: str, media_type: str) -> Format:
    """The images kept beside the content with one suffix, served at /images/<name>.<suffix> (calfeed/images.py)."""

    def items(site: Site) -> Iterable[str]:
        return sorted(name.removesuffix(f".{suffix}") for name in site.images if name.endswith(f".{suffix}"))

    return Format(f"image-{suffix}", media_type, f"/images/{{item}}.{suffix}", localized=False, items=items)


HTML = "text/html; charset=utf-8"
# Public data (calendars, feeds, JSON): any page may fetch it (CORS), and read its ETag and content version.
SHARED = MappingProxyType(
    {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, X-Content-Version"}
)
CALENDAR = "text/calendar; charset=utf-8"

CONTRACT: Mapping[str, Format] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            Format("agenda", HTML, "/", tagged=True, daily=True),
            Format("event", HTML, "/events/{item}/", daily=True, items=event_ids),
            Format("news", HTML, "/news/"),
            Format("archive", HTML, "/archive/{item}/", items=archive_years),
            Format("month-now", HTML, "/month/", tagged=True, daily=True),
            Format("month", HTML, "/month/{item}/", tagged=True, items=months, tag_items=months),
            Format("tags", HTML, "/tags/", daily=True),
            Format("search", "application/json; charset=utf-8", "/search.json", headers=SHARED),
            Format(
                "calendar",
                CALENDAR,
                "/calendar.ics",
                tagged=True,
                daily=True,
                headers=SHARED,
                title=N_("calendar file (.ics)"),
                label="iCalendar",
            ),
            Format("event-ics", CALENDAR, "/events/{item}.ics", items=event_ids, download=True, headers=SHARED),
            Format(
                "atom",
                "application/atom+xml; charset=utf-8",
                "/feed.atom",
                tagged=True,
                headers=SHARED,
                title=N_("Atom feed"),
                label="Atom",
            ),
            Format(
                "rss",
                "application/rss+xml; charset=utf-8",
                "/feed.rss",
                tagged=True,
                headers=SHARED,
                title=N_("RSS feed"),
                label="RSS",
            ),
            Format(
                "json",
                "application/feed+json; charset=utf-8",
                "/feed.json",
                tagged=True,
                headers=SHARED,
                title=N_("JSON Feed"),
                label="JSON Feed",
            ),
            Format(
                "events-json",
                "application/json; charset=utf-8",
                "/events.json",
                tagged=True,
                daily=True,
                headers=SHARED,
            ),
            Format("events-schema", "application/schema+json", "/" + SCHEMA_PATH, localized=False, headers=SHARED),
            Format("embed", HTML, "/embed/", tagged=True, daily=True, frameable=True),
            Format("style", "text/css; charset=utf-8", "/style.css", localized=False),
            Format("script", "text/javascript; charset=utf-8", "/script.js", localized=False),
            Format("embed-js", "text/javascript; charset=utf-8", "/embed.js", localized=False),
            Format("embed-frame-js", "text/javascript; charset=utf-8", "/embed-frame.js", localized=False),
            Format("embed-css", "text/css; charset=utf-8", "/embed.css", localized=False),
            *(image_format(suffix, media_type) for suffix, media_type in IMAGE_TYPES.items()),
        )
    }
)
