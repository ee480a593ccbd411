"""What a page template gets: content in the page's language, its links, and what to list.

`page_context` builds the names every page template (and the embed view) receives; the
`Localizer` (``t`` in templates) gives content in the page's language with field-by-field
fallback, dates for that language, and links relative to the page; `upcoming_events`,
`event_dates` and `by_month` decide what the agenda, event and archive pages list.
`calfeed.render.html` renders the templates with it.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from babel.support import NullTranslations

from .. import recurrence, routes
from ..formats import CONTRACT
from ..model import Event, Image, NewsEntry, Site, Text
from ..recurrence import Occurrence
from . import fragments, i18n
from .listing import Listing
from .text import (
    format_day,
    format_full_day,
    format_month,
    format_repeat,
    format_span,
    format_time_of_day,
    google_subscribe,
    outlook_subscribe,
    webcal,
    zone_name,
)

if TYPE_CHECKING:
    from ..formats import View


EVENT_DATES = 10  # the next occurrences of a repeating event listed on its page
LISTED = ("t", "lang", "tag", "section", "translations")  # the page's names ``listed(event, level)`` passes on


@dataclass(frozen=True, slots=True)
class Month:
    label: str  # "October 2021", in the page's language
    key: str  # "2021-10", for <time datetime> and ids
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Date:
    """One date of a repeating event on its page: the event as it is on that occurrence, and whether
    that occurrence is one of its `except` dates (cancelled)."""

    event: Event
    cancelled: bool


@dataclass(frozen=True, slots=True)
class Alternate:
    """This page in one language, for the language switcher and <link rel="alternate" hreflang>."""

    lang: str
    name: str  # the language's name in itself
    href: str  # relative to the page
    url: str  # absolute
    current: bool


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An offer to read this page in another language, written in that language ("Ver esta página en español").

    Every page carries one per other language, hidden: ``script.js`` shows the one that matches the
    visitor's preferred languages (``navigator.languages``). The HTML never depends on the request.
    """

    lang: str
    href: str  # this page in `lang`, relative to the page
    label: str  # the accessible name of the offer's landmark ("Sugerencia de idioma")
    text: str
    dismiss: str  # the label of the button that hides the offer ("No, gracias")


@dataclass(frozen=True, slots=True)
class Subscription:
    """Every way to follow one calendar (the whole site's or one tag's), in one language."""

    name: str
    calendar: str  # https address of the .ics
    webcal: str
    google: str
    outlook: str
    feeds: tuple[Feed, ...]  # every feed of the URL contract (a format with a human name, not the calendar), in order


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed as pages list it: its human name (a message to translate), short name, type and address."""

    title: str
    label: str
    type: str  # the media type without parameters, for <link rel="alternate" type=…>
    url: str


def upcoming_events(events: Iterable[Event], today: date) -> list[Event]:
    """The events with an occurrence that ends on `today` or later (a repeating event while its series
    runs), ordered by that next occurrence, then as the site orders them."""
    found = [(occurrence, event) for event in events if (occurrence := recurrence.next_occurrence(event, today))]
    return [event for _, event in sorted(found, key=lambda pair: _order(pair[0]))]


def events_of(site: Site, view: View) -> tuple[Event, ...]:
    """The view's events (`View.events`): a tag's found once per process where the environment keeps pieces
    (`fragments.shared`: its agendas and embeds in every language)."""
    if view.tag is None:
        return site.events
    return fragments.shared(view.templates, site, ("events", view.tag), lambda: view.events(site))


def upcoming_of(site: Site, view: View) -> list[Event]:
    """`upcoming_events` of the view's events on its day, made once per process, day and tag where the
    environment keeps pieces (`fragments`: the agendas, tag pages and embeds of every language): a tag's from
    the site's, in the same order (a stable sort of fewer events)."""
    kept = fragments.of(view.templates) if view.templates is not None else None
    if kept is None:
        return upcoming_events(view.events(site), view.today)
    every = kept.get(site, ("upcoming", view.today, None), lambda: upcoming_events(site.events, view.today))
    if view.tag is None:
        return every
    return kept.get(site, ("upcoming", view.today, view.tag), lambda: [e for e in every if view.tag in e.tags])


def years_of(site: Site, view: View) -> list[int]:
    """The years in which the view's events start, latest first (made once per process and tag where the
    environment keeps pieces)."""

    def make() -> list[int]:
        return sorted({event.first_day.year for event in events_of(site, view)}, reverse=True)

    return fragments.shared(view.templates, site, ("years", view.tag), make)


def event_dates(event: Event, today: date) -> list[Date]:
    """A repeating event's next `EVENT_DATES` occurrences from `today`, with its `except` dates from `today`
    on among them, marked cancelled; [] for an event that does not repeat."""
    if not event.repeat:
        return []
    return [Date(at(event, found), found.cancelled) for found in recurrence.upcoming(event, today, EVENT_DATES)]


def at(event: Event, occurrence: Occurrence) -> Event:
    """`event` as it is on `occurrence`: the same event with that occurrence's start and end."""
    if occurrence.start == event.start:
        return event
    return dataclasses.replace(event, start=occurrence.start, end=occurrence.end)


def _order(occurrence: Occurrence) -> tuple[date, float]:
    start = occurrence.start
    return occurrence.first_day, start.timestamp() if isinstance(start, datetime) else float("-inf")


def page_context(site: Site, view: View, **values: Any) -> dict[str, Any]:
    """The names every page template gets: ``site``, ``lang``, ``t``, ``page``, ``listed`` (`listing.Listing`:
    ``_event.html`` for one event, kept between builds), plus `values`.

    The embed view may use it too, to render the same partials (``_event.html``) in an iframe.
    """
    t = Localizer(site, view.lang, view.path, view.today)
    title = site.calendar.title.get(view.lang, site.calendar.default_language)
    if view.tag is not None:
        title = f"{site.tag_label(view.tag, view.lang)} · {title}"
    subscription = subscribe(t.links, view.tag, title)
    context: dict[str, Any] = {
        "site": site,
        "lang": view.lang,
        "tag": view.tag,
        "t": t,
        "translations": t.translations,
        "canonical": t.links.at(t.links.localized(view.path, view.lang)),
        "alternates": t.alternates(),
        "suggestions": t.suggestions(),
        "subscription": subscription,
        "structured": None,
        "section": "",  # "agenda", "event", "news" or "archive": marks the current item of the site's menu
    }
    context.update(values)
    context["listed"] = Listing(site, view, {name: context[name] for name in LISTED})
    return context


def subscribe(links: routes.Links, tag: str | None, name: str) -> Subscription:
    """Every address of the calendar and feeds of `tag` (None: the whole site) in the language of `links`."""
    calendar = links.url("calendar", tag=tag)
    return Subscription(
        name=name,
        calendar=calendar,
        webcal=webcal(calendar),
        google=google_subscribe(calendar),
        outlook=outlook_subscribe(calendar, name),
        feeds=tuple(
            Feed(spec.title, spec.label, spec.media_type.partition(";")[0], links.url(spec.name, tag=tag))
            for spec in CONTRACT.values()
            if spec.title and spec.name != "calendar" and spec.tagged
        ),
    )


def by_month(events: Iterable[Event], lang: str) -> list[Month]:
    """Group `events` (in the order given) by the month they start in."""
    return [
        Month(format_month(year, month, lang), f"{year:04d}-{month:02d}", tuple(group))
        for (year, month), group in itertools.groupby(events, key=lambda e: (e.first_day.year, e.first_day.month))
    ]


class Localizer:
    """What a template needs to show one page's content in its language, with field-by-field fallback.

    `path` is the URL path of the page being rendered; with it, in-site links are relative to the
    page. Without it (``Localizer(site, lang)``), every link is absolute. `today` is the day the page
    is rendered for (date.min for pages that do not change with it): a repeating event is shown at its
    next occurrence from that day.
    """

    def __init__(self, site: Site, lang: str, path: str | None = None, today: date = date.min) -> None:
        self.site = site
        self.lang = lang
        self.today = today
        self.default = site.calendar.default_language
        self.path = path
        self.translations: NullTranslations = i18n.translations(lang)
        self.links = routes.Links(site, lang, path)

    def __call__(self, text: Text | None) -> str:
        return text.get(self.lang, self.default) if text is not None else ""

    def lang_of(self, text: Text) -> str:
        return text.lang_of(self.lang, self.default)

    def lang_attr(self, text: Text | None) -> dict[str, str]:
        """The attributes of an element holding content text (for ``xmlattr``): ``dir="auto"``, so a title
        or summary in Arabic or Hebrew takes its own direction (and its punctuation the right side), and
        ``lang`` when `text` falls back to another language than the page's."""
        if text is None:
            return {}
        found = text.lang_of(self.lang, self.default)
        return {"dir": "auto", **({"lang": found} if found != self.lang else {})}

    def tag(self, tag: str) -> str:
        return self.site.tag_label(tag, self.lang)

    def tag_lang_attr(self, tag: str) -> dict[str, str]:
        label = self.site.tags.get(tag)
        return self.lang_attr(label) if label is not None else {}

    # links (built by `routes.Links`: a format's name, with its tag and item)

    def url(self, format: str = "agenda", *, tag: str | None = None, item: str | None = None) -> str:
        """The absolute address of a route in the page's language: ``t.url("agenda", tag=tag)``."""
        return self.links.url(format, tag=tag, item=item)

    def link(self, format: str = "agenda", *, tag: str | None = None, item: str | int | None = None) -> str:
        """An in-site link to a route in the page's language, relative to the page when it is known:
        ``t.link()`` (the agenda), ``t.link("news")``, ``t.link("agenda", tag=tag)``,
        ``t.link("archive", item=year)``."""
        return self.links.link(format, tag=tag, item=None if item is None else str(item))

    def root(self) -> str:
        """A link to the site's root (of every language), relative to the page: what the search index's
        paths are relative to."""
        return self.links.relative("/")

    def asset(self, format: str) -> str:
        """A link to a file that exists once for every language: ``t.asset("style")``, ``t.asset("script")``."""
        return self.links.link(format)

    def event_url(self, event: Event) -> str:
        return self.links.event(event)

    def event_absolute(self, event: Event) -> str:
        return self.links.event(event, absolute=True)

    def event_ics(self, event: Event) -> str:
        return self.links.event_ics(event)

    def news_url(self, entry: NewsEntry) -> str:
        """The "read more" address: the post's own url, else its place on the news page."""
        return self.links.read_more(entry)

    def news_anchor(self, entry: NewsEntry) -> str:
        """The id of the post's element, which `news_url` links to."""
        return routes.news_anchor(entry.id)

    def image_src(self, image: Image) -> str:
        return self.links.resource(image.src or "")

    def alternates(self) -> list[Alternate]:
        """This page in every language of the site, for the switcher (the current one marked)."""
        found = []
        here = self.path or "/"
        for lang in self.site.calendar.languages:
            there = self.links.localized(here, lang)
            href = self.links.relative(there) if self.path is not None else self.links.at(there)
            found.append(Alternate(lang, i18n.language_name(lang), href, self.links.at(there), lang == self.lang))
        return found

    def suggestions(self) -> list[Suggestion]:
        """This page in every other language of the site, each offered in its own language (its own catalog)."""
        found = []
        for alternate in self.alternates():
            if alternate.current:
                continue
            catalog = i18n.translations(alternate.lang)
            text = catalog.ugettext("View this page in %(language)s") % {"language": i18n.own_name(alternate.lang)}
            label = catalog.ugettext("Language suggestion")
            found.append(Suggestion(alternate.lang, alternate.href, label, text, catalog.ugettext("No, thanks")))
        return found

    # content

    def related(self, entry: NewsEntry) -> list[Event]:
        """The events a news post is about, in the order the post names them."""
        return [event for event_id in entry.events if (event := self.site.event(event_id)) is not None]

    def place(self, event: Event) -> str:
        return event.location.one_line(self.lang, self.default) if event.location else ""

    def place_lang_attr(self, event: Event) -> dict[str, str]:
        name = event.location.name if event.location else None
        return self.lang_attr(name)

    def span(self, event: Event) -> str:
        return format_span(event, self.lang)

    def when(self, event: Event) -> Event:
        """`event` at its next occurrence from the page's day (its first when the series is over)."""
        if not event.repeat:
            return event
        return at(event, recurrence.next_occurrence(event, self.today) or recurrence.first_occurrence(event))

    def repeats(self, event: Event) -> str:
        """How `event` repeats, in words ("Every week, until 2 June 2026"); "" if it does not."""
        return format_repeat(event, self.lang)

    def day(self, day: date) -> str:
        return format_day(day, self.lang)

    def full_day(self, day: date) -> str:
        """A day with its weekday, as a month view names it: "Thursday, 9 September 2021"."""
        return format_full_day(day, self.lang)

    def count_events(self, count: int) -> str:
        """How many events, in words: "no events", "1 event", "2 events" (in the page's language)."""
        if count == 0:
            return self.translations.ugettext("no events")
        return self.translations.ungettext("%(num)d event", "%(num)d events", count) % {"num": count}

    def start_time(self, event: Event) -> str:
        """When a timed event starts, in its zone ("10:00"), naming the zone when it is not the calendar's
        ("10:00 (Europe/Istanbul)"); "" for an all-day event."""
        if not isinstance(event.start, datetime):
            return ""
        shown = format_time_of_day(event.start, self.lang)
        zone = zone_name(event)
        return shown if zone == self.site.calendar.timezone else f"{shown} ({zone})"

    def zone(self, event: Event) -> str:
        return zone_name(event)

    @property
    def og_locale(self) -> str:
        """The page's locale as Open Graph writes it: "en_GB", "es_ES", "fr_FR"."""
        locale = i18n.date_locale(self.lang)
        territory = locale.territory or (locale.language.upper() if locale.language != "en" else "GB")
        return f"{locale.language}_{territory}"
