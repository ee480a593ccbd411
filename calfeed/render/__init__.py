"""Every output calfeed makes, in one table.

A renderer is a pure function ``(Site, View) -> bytes``: no Flask, no clock, no
randomness, so the server and a static export produce the same bytes, and a
renderer can be tested with a hand-built `Site`. The web app and the exporter
both look formats up in `FORMATS`; HTTP headers belong to `calfeed.web`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from jinja2 import Environment

from ..model import Site
from . import feeds, html, ics


@dataclass(frozen=True, slots=True)
class View:
    """What one output shows: in which language, on which day, for which tag."""

    lang: str
    today: date
    tag: str | None = None
    templates: Environment | None = None  # the site's Jinja templates, for HTML outputs


@dataclass(frozen=True, slots=True)
class Format:
    name: str  # what users type: ics, atom, rss, html
    media_type: str
    filename: str  # the file name in the URL contract and the static export
    render: Callable[[Site, View], bytes]


def _agenda(site: Site, view: View) -> bytes:
    if view.templates is None:
        raise ValueError("the html format needs View.templates")
    return html.render_agenda(site, view.templates, lang=view.lang, today=view.today).encode()


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("html", "text/html; charset=utf-8", "index.html", _agenda),
        Format(
            "ics",
            "text/calendar; charset=utf-8",
            "calendar.ics",
            lambda site, view: ics.render_ics(site, lang=view.lang),
        ),
        Format(
            "atom",
            "application/atom+xml; charset=utf-8",
            "feed.atom",
            lambda site, view: feeds.render_atom(site, lang=view.lang),
        ),
        Format(
            "rss",
            "application/rss+xml; charset=utf-8",
            "feed.rss",
            lambda site, view: feeds.render_rss(site, lang=view.lang),
        ),
    )
}
