"""Every output calfeed makes, in one table: the URL contract.

A renderer is a pure function ``(Site, View) -> bytes``: no Flask, no clock, no
randomness, so the server and a static export produce the same bytes, and a
renderer can be tested with a hand-built `Site`. `FORMATS` says, for each kind of
output, its media type, its URL pattern and whether it exists per tag and per
language; `calfeed.routes` turns that into every concrete path, and both the web
app and ``calfeed build`` serve exactly those.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from ..images import SUFFIXES as IMAGE_TYPES
from ..model import Site
from . import embed, events_json, events_schema, feeds, html, ics, jsonfeed, month, search
from .formats import N_, Format, View, archive_years, event_ids

__all__ = ["FORMATS", "Format", "View", "archive_years"]


def image_format(suffix: str, media_type: str) -> Format:
    """The images kept beside the content with one suffix, served at /images/<name>.<suffix> (calfeed/images.py)."""

    def render(site: Site, view: View) -> bytes:
        image = site.images.get(f"{view.item}.{suffix}")
        if image is None:
            raise LookupError(f"no image {view.item}.{suffix}")
        return image.data

    def items(site: Site) -> Iterable[str]:
        return sorted(name.removesuffix(f".{suffix}") for name in site.images if name.endswith(f".{suffix}"))

    return Format(f"image-{suffix}", media_type, f"/images/{{item}}.{suffix}", render, localized=False, items=items)


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
            Format("event", HTML, "/events/{item}/", html.render_event, daily=True, items=event_ids),
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
            Format(
                "calendar",
                CALENDAR,
                "/calendar.ics",
                ics.render_calendar,
                tagged=True,
                daily=True,
                headers=SHARED,
                title=N_("calendar file (.ics)"),
                label="iCalendar",
            ),
            Format(
                "event-ics",
                CALENDAR,
                "/events/{item}.ics",
                ics.render_event,
                items=event_ids,
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
                title=N_("Atom feed"),
                label="Atom",
            ),
            Format(
                "rss",
                "application/rss+xml; charset=utf-8",
                "/feed.rss",
                feeds.render_rss,
                tagged=True,
                headers=SHARED,
                title=N_("RSS feed"),
                label="RSS",
            ),
            Format(
                "json",
                "application/feed+json; charset=utf-8",
                "/feed.json",
                jsonfeed.render,
                tagged=True,
                headers=SHARED,
                title=N_("JSON Feed"),
                label="JSON Feed",
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
            *(image_format(suffix, media_type) for suffix, media_type in IMAGE_TYPES.items()),
        )
    }
)
