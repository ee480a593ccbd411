"""Site -> HTML pages, from the site's own Jinja templates.

Templates present; this module computes what they show (which events are
upcoming, how past ones group by month) and gives them small filters.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..model import Event, NewsEntry, Site
from .text import MONTHS, event_page, format_day, format_span, news_link, site_url

if TYPE_CHECKING:
    from . import View

RECENT_NEWS = 10


@dataclass(frozen=True, slots=True)
class Month:
    label: str  # "October 2021"
    key: str  # "2021-10", for <time datetime>
    events: tuple[Event, ...]


def make_environment(templates: Path) -> Environment:
    """Return a Jinja environment reading `templates`, autoescaping, failing on undefined names."""
    environment = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["day"] = format_day
    environment.filters["span"] = format_span
    return environment


def render_agenda(site: Site, view: View) -> bytes:
    """The agenda: upcoming events, then recent news, then past events by month (newest first)."""
    return agenda_page(site, view.environment(), lang=view.lang, today=view.today).encode()


def render_event(site: Site, view: View) -> bytes:
    raise NotImplementedError("issue 5: an event's page")


def render_news(site: Site, view: View) -> bytes:
    raise NotImplementedError("issue 5: the news page")


def render_archive(site: Site, view: View) -> bytes:
    raise NotImplementedError("issue 5: one year's past events")


def agenda_page(site: Site, templates: Environment, *, lang: str, today: date) -> str:
    """Return the agenda: upcoming events, then recent news, then past events by month (newest first)."""
    upcoming = [event for event in site.events if event.last_day >= today]
    past = [event for event in reversed(site.events) if event.last_day < today]
    months = [
        Month(f"{MONTHS[month - 1]} {year}", f"{year:04d}-{month:02d}", tuple(group))
        for (year, month), group in itertools.groupby(past, key=lambda e: (e.first_day.year, e.first_day.month))
    ]
    return templates.get_template("agenda.html").render(
        site=site,
        lang=lang,
        t=_Localizer(site, lang),
        upcoming=upcoming,
        news=site.news[:RECENT_NEWS],
        months=months,
    )


class _Localizer:
    """What a template needs to show content in one language with field-by-field fallback."""

    def __init__(self, site: Site, lang: str) -> None:
        self.site = site
        self.lang = lang
        self.default = site.calendar.default_language

    def __call__(self, text: object) -> str:
        return text.get(self.lang, self.default) if text is not None else ""  # type: ignore[attr-defined]

    def lang_of(self, text: object) -> str:
        return text.lang_of(self.lang, self.default)  # type: ignore[attr-defined]

    def tag(self, tag: str) -> str:
        return self.site.tag_label(tag, self.lang)

    def url(self, path: str = "") -> str:
        return site_url(self.site, self.lang, path)

    def event_url(self, event: Event) -> str:
        return event_page(self.site, event, self.lang)

    def news_url(self, entry: NewsEntry) -> str:
        return news_link(self.site, entry, self.lang)

    def related(self, entry: NewsEntry) -> list[Event]:
        """The events a news post is about, in the order the post names them."""
        return [event for event_id in entry.events if (event := self.site.event(event_id)) is not None]

    def place(self, event: Event) -> str:
        return event.location.one_line(self.lang, self.default) if event.location else ""
