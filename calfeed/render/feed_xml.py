"""The XML that feedgen cannot write by itself, as one feedgen extension.

feedgen writes an entry's core elements; this extension adds, to each Atom entry
or RSS item:

- ``xml:lang`` on an Atom entry's title when it falls back to another language;
- the image as ``media:content`` with its alt text in ``media:description``
  (Media RSS), which feedgen's own media extension cannot carry;
- an event's dates, place and organizer in the RSS 1.0 event module
  (``ev:startdate``, ``ev:enddate``, ``ev:location``, ``ev:organizer``), and
  ``georss:point`` when its coordinates are known;
- in RSS, ``atom:link`` elements feedgen would drop (the ``.ics`` of an event, the
  archive page of the channel), since RSS has only one ``link`` per item.

Every namespace used is one the W3C Feed Validation Service knows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

from .feed_entries import FeedEntry

ATOM = "http://www.w3.org/2005/Atom"
EV = "http://purl.org/rss/1.0/modules/event/"
GEORSS = "http://www.georss.org/georss"
MEDIA = "http://search.yahoo.com/mrss/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NAMESPACES = {"ev": EV, "georss": GEORSS, "media": MEDIA}
NAME = "calfeed"  # the attribute feedgen gives the extension on the feed and on each entry


def _element(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _stamp(value: date | datetime) -> str:
    """W3C-DTF: a day ("2021-10-05") or an instant with its offset ("2021-10-05T10:00:00+03:00")."""
    return value.isoformat()


class CalfeedExtension(BaseExtension):
    """The channel's part: in RSS, links that only Atom has a place for."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        return dict(NAMESPACES)

    def extend_rss(self, feed: Any) -> Any:
        channel = feed[0]
        for link in self.links:
            _element(channel, f"{{{ATOM}}}link", **link)
        return feed


class CalfeedEntryExtension(BaseEntryExtension):
    """An entry's part; `entry` and `feed_lang` are set by `feeds.py` before the feed is written."""

    def __init__(self) -> None:
        self.entry: FeedEntry | None = None
        self.feed_lang = ""

    def extend_atom(self, element: Any) -> Any:
        if self.entry is None:
            return element
        entry = self.entry
        title = element.find("title")
        if entry.lang != self.feed_lang and title is not None:  # an untranslated title, in its own language
            title.set(XML_LANG, entry.lang)
        for link in atom_links(entry):
            _element(element, "link", **link)  # feedgen's Atom elements have no namespace: it sets xmlns by hand
        _media_and_event(element, self.entry)
        return element

    def extend_rss(self, element: Any) -> Any:
        if self.entry is None:
            return element
        if self.entry.event is not None:
            facts = self.entry.event
            _element(element, f"{{{ATOM}}}link", rel="related", type="text/calendar", href=facts.ics_url)
        _media_and_event(element, self.entry)
        return element


def atom_links(entry: FeedEntry) -> list[dict[str, str]]:
    """An Atom entry's links: its page, the event's .ics, its "read more" address, its image."""
    own_page = entry.link != entry.external_url
    links = [{"rel": "alternate", "href": entry.link, **({"type": "text/html"} if own_page else {})}]
    if entry.event is not None:
        links.append({"rel": "related", "type": "text/calendar", "href": entry.event.ics_url})
    if entry.external_url and own_page:
        links.append({"rel": "related", "href": entry.external_url})
    if entry.image is not None:
        image = entry.image
        links.append(
            {"rel": "enclosure", "href": image.url, **({"type": image.media_type} if image.media_type else {})}
        )
    return links


def _media_and_event(element: Any, entry: FeedEntry) -> None:
    """Media RSS and mod_event/GeoRSS elements, the same in Atom and RSS."""
    if entry.image is not None:
        attributes = {"url": entry.image.url, "medium": "image"}
        if entry.image.media_type:
            attributes["type"] = entry.image.media_type
        content = _element(element, f"{{{MEDIA}}}content", **attributes)
        if entry.image.alt:
            _element(content, f"{{{MEDIA}}}description", entry.image.alt, type="plain")
    facts = entry.event
    if facts is None:
        return
    _element(element, f"{{{EV}}}startdate", _stamp(facts.start))
    _element(element, f"{{{EV}}}enddate", _stamp(facts.end))
    if facts.location:
        _element(element, f"{{{EV}}}location", facts.location)
    if facts.organizer:
        _element(element, f"{{{EV}}}organizer", facts.organizer)
    if facts.lat is not None and facts.lon is not None:
        _element(element, f"{{{GEORSS}}}point", f"{facts.lat} {facts.lon}")
