"""Site -> Atom 1.0 and RSS 2.0 bytes, written with `feedgen`.

What a feed says is decided in `feed_entries.plan_feed`; this module only maps a
`FeedPlan` onto feedgen, and `feed_xml` adds what feedgen cannot write. feedgen's
quirks stay here: its getter/setter methods, its prepend-by-default entry order,
its habit of stamping feeds with the current time (every date is passed in), and
its one-generator-for-both-formats model (each format gets its own generator, so
RSS and Atom can say different things where they must).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from feedgen.feed import FeedGenerator

from ..model import Site
from .feed_entries import FeedEntry, FeedPlan, plan_feed
from .feed_xml import NAME, CalfeedEntryExtension, CalfeedExtension

if TYPE_CHECKING:
    from feedgen.entry import FeedEntry as FeedgenEntry

    from ..formats import View

GENERATOR = "calfeed"
HTML = "text/html"
# The RSS Best Practices Profile, and the W3C validator's advice (CharacterData): "&" and "<" (and ">")
# as hexadecimal character references, which the most readers decode right whether they take an element
# as text or as HTML. XML parsers read the same characters either way; every element is written alike.
RSS_REFERENCES = ((b"&amp;", b"&#x26;"), (b"&lt;", b"&#x3C;"), (b"&gt;", b"&#x3E;"))


def render_atom(site: Site, view: View) -> bytes:
    """Return the view's news and events (its language, its tag) as an Atom 1.0 feed, newest first."""
    plan = plan_feed(site, view, "feed.atom")
    feed = _generator(plan, "application/atom+xml")
    feed.link(href=plan.home_url, rel="alternate", type=HTML)
    feed.link(href=plan.archive_url, rel="related", type=HTML, title=plan.archive_title)
    feed.updated(plan.updated)
    for entry in plan.entries:
        item = _add(feed, plan, entry)
        item.updated(entry.updated)
        # The entry's links (alternate, the .ics, the image) are written by feed_xml: feedgen 1.0 drops
        # every attribute of an entry's <link> but href.
        item.summary(entry.summary or entry.title, type="text")
        item.content(entry.content_html, type="html")
    return bytes(feed.atom_str(pretty=True))


def render_rss(site: Site, view: View) -> bytes:
    """Return the view's news and events (its language, its tag) as an RSS 2.0 feed, newest first."""
    plan = plan_feed(site, view, "feed.rss")
    feed = _generator(plan, "application/rss+xml")
    feed.link(href=plan.home_url, rel="alternate")
    getattr(feed, NAME).links.append(
        {"rel": "related", "type": HTML, "href": plan.archive_url, "title": plan.archive_title}
    )
    feed.lastBuildDate(plan.updated)
    feed.description(html.escape(plan.description, quote=False))  # RSS descriptions are HTML, the item's too
    for entry in plan.entries:
        item = _add(feed, plan, entry)
        item.guid(entry.id, permalink=entry.permalink)
        item.link(href=entry.link)
        item.description(html.escape(entry.summary or entry.title, quote=False))
        item.content(entry.content_html)
        if entry.image is not None and entry.image.media_type:
            # RSS wants a length; calfeed does not know the file's size, and 0 is the RSS Board's "unknown".
            item.enclosure(url=entry.image.url, length="0", type=entry.image.media_type)
    document = bytes(feed.rss_str(pretty=True))
    for escaped, reference in RSS_REFERENCES:
        document = document.replace(escaped, reference)
    return document


def _generator(plan: FeedPlan, self_type: str) -> FeedGenerator:
    feed = FeedGenerator()
    feed.register_extension(NAME, CalfeedExtension, CalfeedEntryExtension)
    feed.id(plan.feed_id)
    feed.title(plan.title)
    feed.subtitle(plan.description)
    feed.description(plan.description)
    feed.author({"name": plan.author, "uri": plan.site_url})
    feed.link(href=plan.self_url, rel="self", type=self_type)
    feed.language(plan.lang)
    feed.generator(GENERATOR)
    return feed


def _add(feed: FeedGenerator, plan: FeedPlan, entry: FeedEntry) -> FeedgenEntry:
    item = feed.add_entry(order="append")
    extension: CalfeedEntryExtension = getattr(item, NAME)
    extension.entry, extension.feed_lang = entry, plan.lang
    item.id(entry.id)
    item.title(entry.title)
    item.published(entry.published)
    # Readers show a category's term (few show its label): the term is the tag's label in the feed's language.
    for _tag, label in entry.tags:
        item.category(term=label, scheme=plan.tags_url)
    return item
