"""Site -> iCalendar (RFC 5545) bytes, built with `icalendar`."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import icalendar

from ..model import Event, Site, midnight_utc
from .text import event_page, plain_summary

if TYPE_CHECKING:
    from . import View

PRODID = "-//calfeed//calfeed//EN"
REFRESH = timedelta(hours=6)


def render_calendar(site: Site, view: View) -> bytes:
    """Every event of the view as one VCALENDAR, text in its language (falling back field by field)."""
    return render_ics(site, lang=view.lang)


def render_event(site: Site, view: View) -> bytes:
    raise NotImplementedError("issue 3: one event as an Outlook-safe download")


def render_ics(site: Site, *, lang: str) -> bytes:
    """Return every event of `site` as one VCALENDAR, text in `lang` (falling back field by field)."""
    settings = site.calendar
    default = settings.default_language
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    title = settings.title.get(lang, default)
    calendar.add("name", title)
    calendar.add("x-wr-calname", title)
    if settings.description:
        description = settings.description.get(lang, default)
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    for event in site.events:
        calendar.add_component(_component(site, event, lang))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _component(site: Site, event: Event, lang: str) -> icalendar.Event:
    default = site.calendar.default_language
    component = icalendar.Event()
    component.add("uid", f"{event.id}@{site.calendar.host}")
    component.add("dtstamp", midnight_utc(site.published(event)))
    component.add("dtstart", event.start)
    component.add("dtend", event.end_exclusive)
    component.add("summary", event.title.get(lang, default))
    if description := plain_summary(event, lang, default):
        component.add("description", description)
    if event.location:
        component.add("location", event.location.one_line(lang, default))
        if event.location.lat is not None and event.location.lon is not None:
            component.add("geo", (event.location.lat, event.location.lon))
    component.add("url", event.url or event_page(site, event, lang))
    if event.tags:
        component.add("categories", [site.tag_label(tag, lang) for tag in event.tags])
    component.add("status", event.status.value.upper())
    if event.repeat:
        component.add("rrule", icalendar.vRecur.from_ical(event.repeat))
        for exception in event.exceptions:
            component.add("exdate", exception)
    return component
