"""Small pieces of text and addresses that several renderers share."""

from __future__ import annotations

from datetime import date, datetime

from ..model import Event, NewsEntry, Site

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def site_url(site: Site, lang: str, path: str = "") -> str:
    """Return the absolute URL of `path` in `lang` (the default language has no prefix)."""
    prefix = "" if lang == site.calendar.default_language else f"{lang}/"
    return f"{site.calendar.url}{prefix}{path}"


def event_page(site: Site, event: Event, lang: str) -> str:
    return site_url(site, lang, f"events/{event.id}/")


def news_link(site: Site, entry: NewsEntry, lang: str) -> str:
    """The "read more" address: the post's own url, else its place on the news page."""
    return entry.url or site_url(site, lang, f"news/#{entry.id}")


def plain_summary(event: Event, lang: str, default: str) -> str:
    parts = [text.get(lang, default) for text in (event.summary, event.description) if text]
    if event.online_url:
        parts.append(f"Online: {event.online_url}")
    return "\n\n".join(parts)


def format_day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_span(event: Event) -> str:
    """Return "5–8 October 2021", "30 September – 2 October 2021" or a timed range with its zone."""
    start, end = event.start, event.end
    if isinstance(start, datetime) and isinstance(end, datetime):
        zone = event.timezone or "UTC"
        if start.date() == end.date():
            return f"{format_day(start.date())}, {start:%H:%M}–{end:%H:%M} ({zone})"
        return f"{format_day(start.date())} {start:%H:%M} – {format_day(end.date())} {end:%H:%M} ({zone})"
    first, last = event.first_day, event.last_day
    if first == last:
        return format_day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {MONTHS[last.month - 1]} {last.year}"
    if first.year == last.year:
        return f"{first.day} {MONTHS[first.month - 1]} – {format_day(last)}"
    return f"{format_day(first)} – {format_day(last)}"
