"""What one output shows (`View`) and what one kind of output is (`Format`): the types of the URL contract.

`calfeed.render.FORMATS` holds one `Format` per kind of output; renderers take a `View`. They live here,
apart from the table and the renderers, so that every renderer can name them without importing the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from jinja2 import Environment

from ..model import Event, NewsEntry, Site


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
    render: Callable[[Site, View], bytes]
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
