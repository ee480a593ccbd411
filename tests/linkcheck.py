"""A link checker for a static export (``calfeed build``): every link into the site must land on a file.

`find_misses(folder, base_url)` reads every file of an export and returns each link that points into
the site (``base_url`` and below, or relative in a page) but does not resolve: no file at its path, or
a ``#fragment`` with no element of that id in the page it names. It looks at

- pages (``*.html``): every ``href`` and ``src``, ``og:url``/``og:image``, and every ``url`` and
  ``image`` in their JSON-LD;
- feeds: Atom and RSS (every ``href``/``url`` attribute, every ``link``, ``uri``, ``comments`` and
  permalink ``guid`` element), JSON Feed (every key that is ``image`` or ends in ``url``);
- calendars (``*.ics``, read with icalendar): every ``URL``, ``ATTACH`` and ``IMAGE``.

``webcal://`` addresses are checked as the ``https://`` (or ``http://``) address they stand for. Links
that leave the site (another host, another path prefix, Google Calendar) are not followed. Pages are
parsed with html5lib, as a browser would; feeds with lxml; calendars with icalendar: none of it with
calfeed's own code. `links(folder, base_url)` lists what was checked, so a test can also say how much.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import html5lib
import icalendar
from lxml import etree

PAGE_ATTRIBUTES = ("href", "src")
FEED_ELEMENTS = ("link", "uri", "comments", "guid")
CALENDAR_PROPERTIES = ("URL", "ATTACH", "IMAGE")


@dataclass(frozen=True, slots=True)
class Link:
    source: str  # the file it is in, relative to the export
    url: str  # absolute
    where: str  # what holds it: "a href", "JSON-LD url", "Atom link", "VEVENT URL"…


@dataclass(frozen=True, slots=True)
class Miss:
    link: Link
    reason: str

    def __str__(self) -> str:
        return f"{self.link.source}: {self.link.where} {self.link.url}: {self.reason}"


def find_misses(folder: Path, base_url: str) -> list[Miss]:
    """Every link into the site at `base_url` that does not resolve to a file of `folder` (and, with a
    fragment, to an element with that id); [] when all of them do."""
    misses = []
    for link in links(folder, base_url):
        target = _inside(link.url, base_url)
        if target is None:
            continue
        path, fragment = target
        file = folder / (path + "index.html" if path == "" or path.endswith("/") else path)
        if not file.is_file():
            misses.append(Miss(link, f"no file {file.relative_to(folder)}"))
        elif fragment and fragment not in _ids(file):
            misses.append(Miss(link, f"no element with id {fragment!r} in {file.relative_to(folder)}"))
    return misses


def links(folder: Path, base_url: str) -> Iterator[Link]:
    """Every link in every page, feed and calendar of `folder`, made absolute (pages at `base_url`)."""
    for file in sorted(folder.rglob("*")):
        if not file.is_file():
            continue
        name = str(file.relative_to(folder))
        page_url = urljoin(base_url, name.removesuffix("index.html"))
        if file.suffix == ".html":
            yield from _page_links(file, name, page_url)
        elif file.suffix in (".atom", ".rss"):
            yield from _xml_links(file, name)
        elif file.name.endswith(".json") and file.parent != folder / "schemas":
            yield from _json_feed_links(json.loads(file.read_bytes()), name)
        elif file.suffix == ".ics":
            yield from _calendar_links(file, name)


def _inside(url: str, base_url: str) -> tuple[str, str] | None:
    """The path below `base_url` and the fragment of `url`, or None when it leaves the site."""
    if url.startswith("webcal://"):
        url = urlsplit(base_url).scheme + "://" + url[len("webcal://") :]
    if not url.startswith(base_url):
        return None
    parts = urlsplit(url[len(base_url) :])
    return unquote(parts.path), unquote(parts.fragment)


@lru_cache(maxsize=4096)
def _ids(file: Path) -> frozenset[str]:
    if file.suffix != ".html":
        return frozenset()
    tree = _parse_html(file)
    return frozenset(element.get("id") for element in tree.iter() if element.get("id"))


def _parse_html(file: Path) -> Any:
    return html5lib.parse(file.read_bytes(), treebuilder="lxml", namespaceHTMLElements=False)


def _page_links(file: Path, name: str, page_url: str) -> Iterator[Link]:
    tree = _parse_html(file)
    base = page_url
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in PAGE_ATTRIBUTES:
            value = element.get(attribute)
            if value is not None and not value.startswith(("mailto:", "tel:", "data:", "javascript:")):
                yield Link(name, urljoin(base, value.strip()), f"<{element.tag} {attribute}>")
        if element.tag == "meta" and element.get("property") in ("og:url", "og:image"):
            yield Link(name, urljoin(base, element.get("content", "")), f"<meta {element.get('property')}>")
        if element.tag == "script" and element.get("type") == "application/ld+json":
            yield from _json_ld_links(json.loads(element.text or "null"), name)


def _json_ld_links(data: Any, name: str) -> Iterator[Link]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("url", "image", "sameAs") and isinstance(value, str):
                yield Link(name, value, f"JSON-LD {key}")
            elif key == "image" and isinstance(value, list):
                yield from (Link(name, url, "JSON-LD image") for url in value if isinstance(url, str))
            else:
                yield from _json_ld_links(value, name)
    elif isinstance(data, list):
        for value in data:
            yield from _json_ld_links(value, name)


def _xml_links(file: Path, name: str) -> Iterator[Link]:
    tree = etree.parse(str(file), etree.XMLParser(resolve_entities=False, no_network=True))
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        for attribute in ("href", "url"):
            if (value := element.get(attribute)) is not None:
                yield Link(name, value, f"<{local} {attribute}>")
        if local in FEED_ELEMENTS and element.text and element.text.strip():
            if local == "guid" and element.get("isPermaLink") == "false":
                continue
            if local == "link" and element.get("href") is not None:
                continue
            yield Link(name, element.text.strip(), f"<{local}>")


def _json_feed_links(data: Any, name: str) -> Iterator[Link]:
    if isinstance(data, dict):
        for key, value in data.items():
            if (key == "image" or key.endswith("url")) and isinstance(value, str):
                yield Link(name, value, f"JSON Feed {key}")
            else:
                yield from _json_feed_links(value, name)
    elif isinstance(data, list):
        for value in data:
            yield from _json_feed_links(value, name)


def _calendar_links(file: Path, name: str) -> Iterator[Link]:
    calendar = icalendar.Calendar.from_ical(file.read_bytes())
    for component in calendar.walk():
        for key in CALENDAR_PROPERTIES:
            values = component.get(key)
            for value in values if isinstance(values, list) else [values] if values is not None else []:
                yield Link(name, str(value), f"{component.name} {key}")
