"""Site -> HTML pages (and their stylesheet and script), from calfeed's Jinja templates and the site's.

The default templates ship in the package (`default_templates`); a site's folder overrides
them one file at a time, and an override can extend the template it replaces by its
``default:`` name (``{% extends "default:event.html" %}``).

Templates present; this module decides what they show (which events are upcoming, how
past ones group by month, what goes to the archive) and hands them a `Localizer` (``t``):
content in the page's language with field-by-field fallback, dates for that language, and
the page's links. Interface text goes through gettext (see `i18n`).

Links (all built by `calfeed.routes.Links`): in-site navigation, the stylesheet and the script
are *relative to the page* ("../../events/x/"), so the same bytes work at the public address,
in a local preview and in a static export under any path. Everything meant to leave the page
(canonical and alternate links, Open Graph, JSON-LD, feed and calendar addresses, subscribe
links) is absolute, from ``calendar.url``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from .. import recurrence
from ..model import Event, Site
from ..routes import Links
from . import fragments, i18n, jsonld, month
from .markup import to_html
from .page import (
    Localizer,
    by_month,
    event_dates,
    events_of,
    page_context,
    upcoming_of,
    years_of,
)
from .text import (
    format_month,
    google_event,
)

if TYPE_CHECKING:
    from ..formats import View

RECENT_NEWS = 10  # news posts on the agenda; /news/ has them all
HOME_UPCOMING = 30  # upcoming events on the agenda; later ones are on their year's archive page
HOME_PAST = 30  # most recent past events on the agenda; older ones are on the archive pages


def default_templates() -> Path:
    """calfeed's own templates: ``calfeed/templates/`` in an installed wheel, which the build fills from the
    top-level ``templates/`` of a checkout (see pyproject.toml); in a checkout, that folder itself."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


def make_environment(overrides: Path | None = None) -> Environment:
    """Return a Jinja environment reading the site's `overrides` folder first, then calfeed's defaults,
    autoescaping HTML and failing on undefined names.

    Every default is also reachable as ``default:<name>``, so an override can extend what it replaces.

    It has the i18n extension (``{% trans %}``, ``_()``), translating with each page's catalog,
    and the filters ``day`` and ``span`` (in the page's language).
    """
    defaults = FileSystemLoader(default_templates())
    loaders: list[BaseLoader] = [FileSystemLoader(overrides)] if overrides is not None else []
    loaders += [PrefixLoader({"default": defaults}, delimiter=":"), defaults]
    environment = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(disabled_extensions=("css", "js", "txt"), default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(environment)
    environment.filters["markdown"] = lambda text: Markup(to_html(text))
    return environment


# -- the renderers of FORMATS ---------------------------------------------------------------


def render_agenda(site: Site, view: View) -> bytes:
    """The agenda (or one tag's): upcoming events, recent news, then recent past events by month.

    Past the first `HOME_UPCOMING` upcoming and `HOME_PAST` past events, the page links each
    year's archive page instead, so it stays small with thousands of events.
    """
    upcoming, more_upcoming, past, more_past = fragments.shared(
        view.templates, site, ("agenda", view.today, view.tag), partial(_agenda_events, site, view)
    )

    def made() -> dict[str, Any] | None:  # the same at the root and under the default language's prefix
        return jsonld.graph([jsonld.event(site, event, view.lang, view.today) for event in upcoming + past])

    context = page_context(
        site,
        view,
        section="agenda",
        upcoming=upcoming,
        more_upcoming=more_upcoming,
        news=view.news(site)[:RECENT_NEWS],
        months=by_month(past, view.lang),
        more_past=more_past,
        years=years_of(site, view),
        structured=fragments.shared(view.templates, site, ("agenda-jsonld", view.lang, view.today, view.tag), made),
    )
    return _render(view, "agenda.html", context)


def _agenda_events(site: Site, view: View) -> tuple[list[Event], bool, list[Event], bool]:
    """The agenda's upcoming events, whether there are more, its past events, whether there are more: the same
    in every language."""
    events = events_of(site, view)
    upcoming = upcoming_of(site, view)
    ongoing = {event.id for event in upcoming}
    past = list(itertools.islice((e for e in reversed(events) if e.id not in ongoing), HOME_PAST))
    return upcoming[:HOME_UPCOMING], len(upcoming) > HOME_UPCOMING, past, len(events) - len(upcoming) > len(past)


def render_event(site: Site, view: View) -> bytes:
    """One event's page: everything about it, related news, and ways to add it to a calendar (once it has
    taken place, the page says so and those come last, as plain links)."""
    event = site.event(view.item or "")
    if event is None:
        raise LookupError(f"no event {view.item!r}")
    context = page_context(
        site,
        view,
        section="event",
        event=event,
        related=site.news_about(event.id),
        google=google_event(site, event, view.lang, Links(site, view.lang).event(event, absolute=True), view.today),
        past=recurrence.next_occurrence(event, view.today) is None,  # every date of it is over
        dates=event_dates(event, view.today),
        structured=jsonld.document(jsonld.event(site, event, view.lang, view.today)),
    )
    return _render(view, "event.html", context)


def render_news(site: Site, view: View) -> bytes:
    """Every news post, newest first."""
    news = view.news(site)
    items = [jsonld.article(site, entry, view.lang) for entry in news]
    return _render(
        view, "news.html", page_context(site, view, section="news", news=news, structured=jsonld.graph(items))
    )


def render_archive(site: Site, view: View) -> bytes:
    """Every event that starts in one year (view.item), by month, in date order."""
    year = int(view.item or "0")
    events = fragments.shared(view.templates, site, ("year", year), partial(_year_events, site, year))
    context = page_context(
        site,
        view,
        section="archive",
        year=year,
        months=by_month(events, view.lang),
        years=years_of(site, view),
        structured=_archive_structured(site, view, events),
    )
    page = _render(view, "archive.html", context)
    context["listed"].keep(site.events)  # the other years' pages show the same pieces: kept for the next build
    return page


def _year_events(site: Site, year: int) -> list[Event]:
    """The events that start in `year`, in date order: the same on its archive page in every language."""
    return [event for event in site.events if event.first_day.year == year]


def _archive_structured(site: Site, view: View, events: list[Event]) -> dict[str, Any] | None:
    """The JSON-LD of a year's events. Made for each page, not kept per process like the agenda's: a year's
    graph of a few thousand events held in every language would be 45 MiB of a build worker's peak memory at
    10,000 events (459 -> 414 MiB), to spare 40 ms on the default language's second page."""
    links = Links(site, view.lang)
    return jsonld.graph([jsonld.event(site, event, view.lang, links=links) for event in events])


def render_month(site: Site, view: View) -> bytes:
    """One month as a grid of weeks (view.item "yyyy-mm"; without one, the month of view.today), with
    links to the months before and after, to this month and to every month that has events."""
    every = month.months(site, view.tag)
    shown = month.parse_key(view.item) if view.item else (view.today.year, view.today.month)
    if shown is None:
        raise LookupError(f"no month {view.item!r}")
    key = month.month_key(shown)
    found = month.index(site, view.tag)
    earlier = [other for other in every if other < key]
    later = [other for other in every if other > key]
    context = page_context(
        site,
        view,
        section="month",
        grid=month.layout(_month_entries(site, view, found, shown), *shown, view.lang),
        label=format_month(*shown, view.lang),
        current=view.item is None,
    )
    t: Localizer = context["t"]
    links = _month_links(site, view, t, every)
    context.update(
        previous=links[earlier[-1]] if earlier else None,
        next=links[later[0]] if later else None,
        jump=[links[other] for other in found.with_events],
    )
    return _render(view, "month.html", context)


def _month_entries(site: Site, view: View, found: month.Index, shown: tuple[int, int]) -> dict[date, Any]:
    """The month's days with their entries (`month.entries`): the same in every language, so kept (`fragments`)
    where the environment keeps pieces."""

    def make() -> dict[date, Any]:
        return month.entries(found.events(month.month_key(shown)), *shown)

    kept = fragments.of(view.environment())
    return make() if kept is None else kept.get(site, ("month-entries", view.tag, shown), make)


def _month_links(site: Site, view: View, t: Localizer, keys: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """Each month of `keys` as (key, label in the page's language, link from the page): the same for every
    month page of a view in one folder, so kept (`fragments`) where the environment keeps pieces."""

    def make() -> dict[str, tuple[str, str, str]]:
        return {key: (*_month_label(key, view.lang), t.link("month", tag=view.tag, item=key)) for key in keys}

    kept = fragments.of(view.environment())
    if kept is None:
        return make()
    return kept.get(site, ("month-links", view.lang, view.tag, t.root(), keys), make)


@lru_cache(maxsize=4096)  # every month page lists every month with events: Babel's formatting, once per month
def _month_label(key: str, lang: str) -> tuple[str, str]:
    """A month's key and its label in `lang`: ("2021-09", "September 2021")."""
    year, number = month.parse_key(key) or (1, 1)
    return key, format_month(year, number, lang)


def render_tags(site: Site, view: View) -> bytes:
    """Every tag with its label and how many upcoming and past events and news posts it has."""
    upcoming = {id(event) for event in upcoming_of(site, view)}
    counts = {tag: [0, 0, 0] for tag in site.tag_ids}  # upcoming events, past events, news posts
    for event in site.events:
        column = 0 if id(event) in upcoming else 1
        for tag in dict.fromkeys(event.tags):
            if tag in counts:
                counts[tag][column] += 1
    for entry in site.news:
        for tag in dict.fromkeys(entry.tags):
            if tag in counts:
                counts[tag][2] += 1
    rows: list[tuple[str, int, int, int]] = []
    for tag in site.tag_ids:
        coming, past, news = counts[tag]
        rows.append((tag, coming, past, news))
    rows.sort(key=lambda row: (site.tag_label(row[0], view.lang).casefold(), row[0]))
    return _render(view, "tags.html", page_context(site, view, section="tags", rows=rows))


def render_style(site: Site, view: View) -> bytes:
    """The pages' stylesheet, ``templates/style.css``: a site restyles by editing it."""
    return view.environment().get_template("style.css").render().encode()


def render_script(site: Site, view: View) -> bytes:
    """The pages' one script, ``templates/script.js``: progressive enhancement (copy buttons, language suggestion)."""
    return view.environment().get_template("script.js").render().encode()


def render_error_page(
    templates: Environment, *, status: int, title: str, message: str, problems: Sequence[str], lang: str = "en"
) -> str:
    """The site's ``error.html`` with its interface text in `lang` (for the web app's error handlers)."""
    return templates.get_template("error.html").render(
        status=status,
        title=title,
        message=message,
        problems=problems,
        lang=lang,
        translations=i18n.translations(lang),
    )


def _render(view: View, template: str, context: dict[str, Any]) -> bytes:
    return view.environment().get_template(template).render(context).encode()
