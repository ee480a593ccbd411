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

Each row is written on its own and the document joined from them, so that `calfeed build` keeps each item's
row for the next build (`fragments.Lasting`, in the group of the language): after an edit, only the edited
item's rows are written again. The joined document is the one `json.dumps` writes of the whole.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..model import Event, NewsEntry, Site
from ..routes import Links, news_anchor
from . import fragments
from .text import format_day, format_span

if TYPE_CHECKING:
    from ..formats import View

FIELDS = ("kind", "title", "when", "place", "tags", "path")


def render_index(site: Site, view: View) -> bytes:
    """Every event (in date order) then every news post (newest first), in `view.lang`."""
    links = Links(site, view.lang)
    news_page = links.path("news").lstrip("/")
    lasting = fragments.lasting(view.templates)
    items: list[Event | NewsEntry] = [*site.events, *site.news]

    def row(item: Event | NewsEntry) -> bytes:
        return _row(site, links, news_page, item)

    if lasting is None:
        rows: list[fragments.Piece] = list(map(row, items))
    else:  # (one index per language: no other output shows its rows)
        rows = lasting.many(site, ("search", view.lang), items, row, alone=True)
    head = json.dumps({"version": 1, "fields": list(FIELDS), "items": []}, separators=(",", ":")).encode()
    return head.removesuffix(b"]}") + b",".join(rows) + b"]}"  # as json.dumps writes the whole document


def _row(site: Site, links: Links, news_page: str, item: Event | NewsEntry) -> bytes:
    """One item's row of the index, as JSON."""
    lang, default = links.lang, site.calendar.default_language
    tags = ", ".join(site.tag_label(tag, lang) for tag in item.tags)
    if isinstance(item, Event):
        place = item.location.one_line(lang, default) if item.location else ""
        path = links.path("event", item=item.id).lstrip("/")
        found = ["event", item.title.get(lang, default), format_span(item, lang), place, tags, path]
    else:
        when = format_day(item.date, lang) if item.date_given else ""
        found = ["news", item.title.get(lang, default), when, "", tags, f"{news_page}#{news_anchor(item.id)}"]
    return json.dumps(found, ensure_ascii=False, separators=(",", ":")).encode()
