"""Every output calfeed makes, rendered: `FORMATS` is the URL contract (`calfeed.formats.CONTRACT`) with
each format's render function from `RENDERERS`.

A renderer is a pure function ``(Site, View) -> bytes``: no Flask, no clock, no randomness, so the server
and a static export produce the same bytes, and a renderer can be tested with a hand-built `Site`.
`calfeed.routes` turns the contract into every concrete path, and both the web app and ``calfeed build``
serve exactly those.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from types import MappingProxyType

from ..formats import CONTRACT, Format, View, archive_years
from ..images import SUFFIXES as IMAGE_TYPES
from ..model import Site
from . import embed, events_json, events_schema, feeds, html, ics, jsonfeed, search

__all__ = ["FORMATS", "PATH_FREE", "RENDERERS", "Format", "View", "archive_years"]

# Formats whose bytes do not depend on the path they are served at (`View.path`): the default language's
# output at the root and under its prefix (/calendar.ics, /en/calendar.ics) are the same bytes, so
# `calfeed build` renders them once. Pages and feeds name their own address; these do not.
# tests/test_export.py checks this set against the renderers.
PATH_FREE = frozenset({"calendar", "event-ics", "events-json", "search"})


def _image(suffix: str) -> Callable[[Site, View], bytes]:
    """The renderer of the images kept beside the content with one suffix (calfeed/images.py): their bytes."""

    def render(site: Site, view: View) -> bytes:
        image = site.images.get(f"{view.item}.{suffix}")
        if image is None:
            raise LookupError(f"no image {view.item}.{suffix}")
        return image.data

    return render


RENDERERS: Mapping[str, Callable[[Site, View], bytes]] = MappingProxyType(
    {
        "agenda": html.render_agenda,
        "event": html.render_event,
        "news": html.render_news,
        "archive": html.render_archive,
        "month-now": html.render_month,
        "month": html.render_month,
        "tags": html.render_tags,
        "search": search.render_index,
        "calendar": ics.render_calendar,
        "event-ics": ics.render_event,
        "atom": feeds.render_atom,
        "rss": feeds.render_rss,
        "json": jsonfeed.render,
        "events-json": events_json.render,
        "events-schema": events_schema.render,
        "embed": embed.render_embed,
        "style": html.render_style,
        "script": html.render_script,
        "embed-js": embed.render_script,
        "embed-frame-js": embed.render_frame_script,
        "embed-css": embed.render_stylesheet,
        **{f"image-{suffix}": _image(suffix) for suffix in IMAGE_TYPES},
    }
)
if RENDERERS.keys() != CONTRACT.keys():  # a format without a renderer, or the other way round
    raise LookupError(
        f"calfeed.render.RENDERERS and calfeed.formats.CONTRACT differ: {RENDERERS.keys() ^ CONTRACT.keys()}"
    )

FORMATS: Mapping[str, Format] = MappingProxyType(
    {name: dataclasses.replace(spec, render=RENDERERS[name]) for name, spec in CONTRACT.items()}
)
