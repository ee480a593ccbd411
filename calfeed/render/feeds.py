"""Site -> Atom 1.0 and RSS 2.0 bytes, built with `feedgen`.

feedgen's quirks stay in this module: its getter/setter methods, its habit of
prepending entries and of stamping feeds with the current time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from feedgen.feed import FeedGenerator

from ..model import Site, midnight_utc
from .text import event_page, format_span, news_link, site_url

if TYPE_CHECKING:
    from . import View

FEED_LIMIT = 50


@dataclass(frozen=True, slots=True)
class _Entry:
    id: str
    title: str
    link: str
    summary: str
    published: date
    categories: tuple[str, ...]


def render_atom(site: Site, view: View) -> bytes:
    """Return news and events as an Atom 1.0 feed, newest first."""
    return _feed(site, view.lang, "feed.atom").atom_str(pretty=True)


def render_rss(site: Site, view: View) -> bytes:
    """Return news and events as an RSS 2.0 feed, newest first."""
    return _feed(site, view.lang, "feed.rss").rss_str(pretty=True)


def _entries(site: Site, lang: str) -> list[_Entry]:
    """One entry per news post and per event, newest first, then by id.

    An event is dated by its publication (`Site.published`), never by its own
    start, which readers would sort as news.
    """
    default = site.calendar.default_language
    entries = [
        _Entry(
            id=news_link(site, news, default) if news.url else site_url(site, default, f"news/#{news.id}"),
            title=news.title.get(lang, default),
            link=news_link(site, news, lang),
            summary=news.summary.get(lang, default) if news.summary else "",
            published=news.date,
            categories=tuple(site.tag_label(tag, lang) for tag in news.tags),
        )
        for news in site.news
    ]
    for event in site.events:
        place = event.location.one_line(lang, default) if event.location else ("Online" if event.online else "")
        heading = " · ".join(part for part in (format_span(event), place) if part)
        if event.status.value == "cancelled":
            heading = f"Cancelled: {heading}"
        summary = event.summary.get(lang, default) if event.summary else ""
        entries.append(
            _Entry(
                id=event_page(site, event, default),
                title=event.title.get(lang, default),
                link=event.url or event_page(site, event, lang),
                summary=f"{heading}. {summary}".strip() if summary else heading,
                published=site.published(event),
                categories=tuple(site.tag_label(tag, lang) for tag in event.tags),
            )
        )
    entries.sort(key=lambda entry: entry.id)
    entries.sort(key=lambda entry: entry.published, reverse=True)
    return entries[:FEED_LIMIT]


def _feed(site: Site, lang: str, filename: str) -> FeedGenerator:
    default = site.calendar.default_language
    feed = FeedGenerator()
    title = site.calendar.title.get(lang, default)
    feed.id(site_url(site, lang))
    feed.title(title)
    feed.subtitle(site.calendar.description.get(lang, default) if site.calendar.description else title)
    feed.author({"name": title})
    feed.link(href=site_url(site, lang, filename), rel="self")
    feed.link(href=site_url(site, lang), rel="alternate")
    feed.language(lang)
    feed.updated(site.updated)
    feed.lastBuildDate(site.updated)
    feed.generator("calfeed")
    for entry in _entries(site, lang):
        stamp = midnight_utc(entry.published)
        item = feed.add_entry(order="append")
        item.id(entry.id)
        item.guid(entry.id, permalink=False)
        item.title(entry.title)
        item.link(href=entry.link, rel="alternate")
        item.summary(entry.summary or entry.title)
        item.published(stamp)
        item.updated(stamp)
        for label in entry.categories:
            item.category(term=label)
    return feed
