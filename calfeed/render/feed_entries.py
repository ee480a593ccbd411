"""What every feed says, decided once for Atom, RSS and JSON Feed alike.

`plan_feed(site, view)` returns a `FeedPlan`: the feed's own title, addresses and
clock, and its entries (one per news post and one per event, newest first by
publication date, at most ``calendar.feed_limit``). `feeds.py` writes a plan with
feedgen, `jsonfeed.py` as JSON; neither decides anything about content.

The choices (docs/feeds.md says why):

- an entry's id is built from the item's id in the default language, so no edit
  and no language changes it: an event's page (``events/<id>/``, also its permalink),
  or a news post's ``news/#<id>`` (an identifier: its link is ``news/#news-<id>``);
- `published` is the news date or when the item first appeared (`Site.published`:
  recorded by ``calfeed stamp``, until then its file's time), `updated` its last
  change (`Site.revision`), never the event's own start;
- the event's dates, place and status lead its summary ("5–8 October 2021 ·
  Kütahya, Turkey"), and are also given as structured data (`EventFacts`);
- every address is absolute, built by `routes.Links` from ``calendar.url``;
- text that XML 1.0 cannot carry (control characters, U+FFFE/U+FFFF, lone
  surrogates) is dropped here, so no renderer can write a broken document.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from ..checks import CONTROL
from ..images import media_type
from ..model import Event, Image, NewsEntry, Site, Status, Text
from ..routes import Links
from .i18n import translations
from .markup import to_html
from .text import format_span

if TYPE_CHECKING:
    from ..formats import View

# Characters XML 1.0 cannot carry, and C1 controls, which it can but which no text means.
_NOT_XML = CONTROL  # what content may not hold is what XML cannot carry: the feeds drop it


def xml_safe(text: str) -> str:
    """Return `text` without the characters an XML 1.0 document cannot contain."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True, slots=True)
class FeedImage:
    url: str  # absolute
    alt: str
    media_type: str | None  # guessed from the file name; None when it cannot be


@dataclass(frozen=True, slots=True)
class EventFacts:
    """An event's own dates and place, for structured data (mod_event, GeoRSS, JSON Feed ``_event``)."""

    start: date | datetime
    end: date | datetime  # all-day: the last day, inclusive; timed: the end instant
    all_day: bool
    timezone: str | None  # the IANA zone of a timed event; None for all-day events and fixed offsets
    location: str  # one line, "" when there is none
    lat: float | None
    lon: float | None
    online: bool
    online_url: str | None
    status: str  # "confirmed", "tentative" or "cancelled"
    organizer: str | None
    ics_url: str  # the event alone as iCalendar


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str  # permanent: built from the item's id in the default language (see the module's docstring)
    permalink: bool  # whether `id` is also the address of the item's page (RSS guid isPermaLink)
    title: str
    lang: str  # the language the title is actually in (the default one when it is not translated)
    link: str  # the HTML page for the item in the feed's language
    external_url: str | None  # the item's own "read more" address, when it has one
    published: datetime
    updated: datetime
    summary: str  # plain text
    content_html: str  # sanitised HTML
    tags: tuple[tuple[str, str], ...]  # (tag id, label in the feed's language)
    image: FeedImage | None
    image_alt: str | None  # the image's description, also when it has no file yet
    event: EventFacts | None


@dataclass(frozen=True, slots=True)
class FeedPlan:
    lang: str
    title: str
    description: str
    author: str
    site_url: str  # the site's front page in the feed's language: the author's address
    home_url: str  # the HTML page this feed follows (the agenda, or the tag's page)
    archive_url: str  # every news post: the "full archive" page
    archive_title: str
    self_url: str  # where this variant is served (view.path), for rel="self"
    feed_id: str  # the canonical address of this feed: the same for /feed.atom and /en/feed.atom
    tags_url: str  # tag ids are relative to this (Atom category scheme)
    updated: datetime
    entries: tuple[FeedEntry, ...]


def plan_feed(site: Site, view: View, filename: str) -> FeedPlan:
    """Everything a feed variant says: `view`'s language and tag, `filename` being "feed.atom" etc."""
    lang, default = view.lang, site.calendar.default_language
    links, canonical = Links(site, lang), Links(site, default)
    gettext = translations(lang).gettext
    title = site.calendar.title.get(lang, default)
    if view.tag:
        title = f"{title}: {site.tag_label(view.tag, lang)}"
    # Newest first by publication, then by id; only the entries shown are built.
    items: list[tuple[datetime, str, Event | NewsEntry]] = [
        (site.published(news), links.news_id(news), news) for news in view.news(site)
    ]
    items += [(site.published(event), canonical.event(event, absolute=True), event) for event in view.events(site)]
    items.sort(key=lambda item: item[1])
    items.sort(key=lambda item: item[0], reverse=True)
    shown = tuple(
        _event_entry(site, links, item) if isinstance(item, Event) else _news_entry(site, links, item)
        for _published, _id, item in items[: site.calendar.feed_limit]
    )
    description = site.calendar.description.get(lang, default) if site.calendar.description else title
    format = {"feed.atom": "atom", "feed.rss": "rss", "feed.json": "json"}[filename]
    feed_id = links.url(format, tag=view.tag)
    return FeedPlan(
        lang=lang,
        title=xml_safe(title),
        description=xml_safe(description),
        author=xml_safe(site.calendar.title.get(lang, default)),
        site_url=links.url(),
        home_url=links.url("agenda", tag=view.tag),
        archive_url=links.url("news"),
        archive_title=gettext("All news"),
        # The address this variant is served at; a View built without one gets the canonical address.
        self_url=links.at(view.path) if view.path.endswith(filename) else feed_id,
        feed_id=feed_id,
        tags_url=links.tag_scheme(),
        updated=max((entry.updated for entry in shown), default=site.updated),
        entries=shown,
    )


def _text(value: Text | None, lang: str, default: str) -> str:
    return xml_safe(value.get(lang, default)) if value else ""


def _url(value: str | None) -> str | None:
    return xml_safe(value) if value else None


def _organizer(event: Event) -> str | None:
    """Who runs the event, by name, else by address."""
    if event.organizer is None:
        return None
    return xml_safe(event.organizer.name or event.organizer.email or "") or None


def _tags(site: Site, tags: tuple[str, ...], lang: str) -> tuple[tuple[str, str], ...]:
    return tuple((tag, xml_safe(site.tag_label(tag, lang))) for tag in tags)


def _image(site: Site, links: Links, image: Image | None) -> tuple[FeedImage | None, str | None]:
    if image is None:
        return None, None
    alt = _text(image.alt, links.lang, site.calendar.default_language)
    if not image.src:
        return None, alt
    url = links.resource(xml_safe(image.src))
    return FeedImage(url, alt, media_type(url)), alt


def _paragraphs(*texts: str) -> str:
    return "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in texts if text)


def _img(image: FeedImage | None) -> str:
    return f'<p><img src="{html.escape(image.url)}" alt="{html.escape(image.alt)}"></p>' if image else ""


def _online_link(url: str | None, label: str) -> str:
    if not url:
        return ""
    href = html.escape(url)
    return f'<p>{html.escape(label, quote=False)}: <a href="{href}">{href}</a></p>'


def _news_entry(site: Site, links: Links, news: NewsEntry) -> FeedEntry:
    lang, default = links.lang, site.calendar.default_language
    image, alt = _image(site, links, news.image)
    summary = _text(news.summary, lang, default)
    local = links.news(news, absolute=True)
    return FeedEntry(
        id=links.news_id(news),
        permalink=False,
        title=_text(news.title, lang, default) or news.id,
        lang=news.title.lang_of(lang, default),
        link=_url(news.url) or local,
        external_url=_url(news.url),
        published=site.published(news),
        updated=site.revision(news).modified,
        summary=summary,
        content_html=_img(image) + _paragraphs(summary or _text(news.title, lang, default)),
        tags=_tags(site, news.tags, lang),
        image=image,
        image_alt=alt,
        event=None,
    )


def _event_entry(site: Site, links: Links, event: Event) -> FeedEntry:
    lang, default = links.lang, site.calendar.default_language
    gettext = translations(lang).gettext
    image, alt = _image(site, links, event.image)
    place = event.location.one_line(lang, default) if event.location else ""
    online = gettext("Online") if event.online else ""
    when = " · ".join(part for part in (format_span(event, lang=lang), place, online) if part)
    status = {Status.CANCELLED: gettext("Cancelled"), Status.TENTATIVE: gettext("Tentative")}.get(event.status)
    heading = xml_safe(f"{status}: {when}" if status else when)
    summary = _text(event.summary, lang, default)
    title = _text(event.title, lang, default) or event.id  # a title of nothing but control characters
    description = to_html(xml_safe(event.description.get(lang, default))) if event.description else ""
    ics = links.event_ics(event, absolute=True)
    return FeedEntry(
        id=Links(site, default).event(event, absolute=True),
        permalink=True,
        title=f"{status}: {title}" if event.status is Status.CANCELLED else title,
        lang=event.title.lang_of(lang, default),
        link=links.event(event, absolute=True),
        external_url=_url(event.url),
        published=site.published(event),
        updated=site.revision(event).modified,
        summary="\n\n".join(part for part in (heading, summary) if part),
        content_html=f"<p><strong>{html.escape(heading, quote=False)}</strong></p>"
        + _img(image)
        + _paragraphs(summary)
        + description
        + _online_link(_url(event.online_url), gettext("Online")),
        tags=_tags(site, event.tags, lang),
        image=image,
        image_alt=alt,
        event=EventFacts(
            start=event.start,
            end=event.end,
            all_day=event.all_day,
            timezone=None if event.all_day else event.timezone,
            location=xml_safe(place),
            lat=event.location.lat if event.location else None,
            lon=event.location.lon if event.location else None,
            online=event.online,
            online_url=_url(event.online_url),
            status=event.status.value,
            organizer=_organizer(event),
            ics_url=ics,
        ),
    )
