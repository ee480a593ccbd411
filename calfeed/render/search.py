"""Site -> the search index of one language (``/search.json``, ``/es/search.json``): what the search box
of the agenda, the archive and the month view looks through, in the browser, on any static host.

Every event and news post of every year, as a row of plain strings (compact, so that 10,000
events stay well under 1.5 MB gzipped; see benchmarks/pages.py)::

    {"version": 1, "fields": ["kind", "title", "when", "place", "tags", "path"],
     "items": [["event", "4th UCLG Culture Summit", "9–11 September 2021", "Izmir, Turkey", "Culture",
                "events/culture-summit-2021/"], …]}

``path`` is the item's URL path without its leading slash ("es/events/x/", from `routes.Links`): relative
to the site's root, which the page knows (``data-root``), so the same file works at the public address,
in a preview and in an export under any path.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..model import Site
from ..routes import Links, news_anchor
from .text import format_day, format_span

if TYPE_CHECKING:
    from ..formats import View

FIELDS = ("kind", "title", "when", "place", "tags", "path")


def render_index(site: Site, view: View) -> bytes:
    """Every event (in date order) then every news post (newest first), in `view.lang`."""
    lang, default = view.lang, site.calendar.default_language
    links = Links(site, lang)
    news_page = links.path("news").lstrip("/")
    items: list[list[str]] = []
    for event in site.events:
        place = event.location.one_line(lang, default) if event.location else ""
        tags = ", ".join(site.tag_label(tag, lang) for tag in event.tags)
        items.append(
            [
                "event",
                event.title.get(lang, default),
                format_span(event, lang),
                place,
                tags,
                links.path("event", item=event.id).lstrip("/"),
            ]
        )
    for entry in site.news:
        tags = ", ".join(site.tag_label(tag, lang) for tag in entry.tags)
        when = format_day(entry.date, lang) if entry.date_given else ""
        items.append(["news", entry.title.get(lang, default), when, "", tags, f"{news_page}#{news_anchor(entry.id)}"])
    document = {"version": 1, "fields": list(FIELDS), "items": items}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
