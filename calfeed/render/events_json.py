"""Site -> ``/events.json``: every event as structured data, for partner scripts (a list, a map).

The document follows the JSON Schema of `events_schema` (served at ``/schemas/events-v1.json``);
docs/api.md is its contract. Like the calendar, it holds the view's events (its tag) that end at
most ``calendar.past_days`` before today, and the occurrences of each (a single event has one)
that end on that day or later and start at most `HORIZON_DAYS` after today (or after the first
occurrence of a series that begins later), at most `MAX_OCCURRENCES` of them. Dates are ISO
8601: all-day events give dates (``end`` the last day, inclusive), timed ones RFC 3339 instants
with the offset in force, beside the IANA zone they are written in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .. import recurrence
from ..model import Event, Location, Site, Text
from ..routes import Links
from . import fragments
from .ics import in_window
from .markup import to_html
from .text import zone_name

if TYPE_CHECKING:
    from ..formats import View

HORIZON_DAYS = 366  # occurrences listed up to this many days after today
MAX_OCCURRENCES = 500  # per event


def render(site: Site, view: View) -> bytes:
    """The view's events (its tag, its language, the calendar's window around `view.today`) as JSON."""
    settings = site.calendar
    lang = view.lang
    default = settings.default_language
    links = Links(site, lang)
    first = _window_start(site, view.today)
    events = in_window(site, view.events(site), view.today)
    document: dict[str, Any] = {
        "$schema": links.url("events-schema"),
        "version": 1,
        "language": lang,
        "url": links.url("events-json", tag=view.tag),
        "calendar": {
            "title": settings.title.get(lang, default),
            "url": links.url(),
            "ics_url": links.url("calendar", tag=view.tag),
            "timezone": settings.timezone,
            "languages": list(settings.languages),
            "window": {"from": first.isoformat() if first else None, "horizon_days": HORIZON_DAYS},
        },
        "tag": _tag(site, links, view.tag) if view.tag else None,
    }
    items = _encoded(site, links, events, first, view.today, fragments.lasting(view.templates))
    head = json.dumps(document, ensure_ascii=False, indent=2).removesuffix("\n}").encode()
    listed = b"[\n" + b",\n".join(items) + b"\n  ]" if items else b"[]"
    return head + b',\n  "events": ' + listed + b"\n}\n"  # as json.dumps writes "events" last, indent=2


def _encoded(
    site: Site,
    links: Links,
    events: Iterable[Event],
    first: date | None,
    today: date,
    lasting: fragments.Lasting | None,
) -> list[fragments.Piece]:
    """Each of `events` as an item of the "events" list (JSON indented as the document is): the same in every
    tag's document of one language, so kept where the environment keeps pieces (`calfeed build`, for the next
    build too)."""

    def make(event: Event) -> bytes:
        text = json.dumps(_event(site, links, event, first, today), ensure_ascii=False, indent=2)
        return ("    " + text.replace("\n", "\n    ")).encode()  # a JSON text has no line break but between tokens

    if lasting is None:
        return list(map(make, events))
    return lasting.many(site, ("events-json", links.lang, str(first), today.isoformat()), events, make)


def _window_start(site: Site, today: date) -> date | None:
    """The first day whose occurrences are listed: past_days before today, or None (every one)."""
    days = site.calendar.past_days
    return None if days is None or today == date.min else today - timedelta(days=days)


def _event(site: Site, links: Links, event: Event, first: date | None, today: date) -> dict[str, Any]:
    lang, default = links.lang, site.calendar.default_language
    revision = site.revision(event)
    data: dict[str, Any] = {
        "id": event.id,
        "uid": f"{event.id}@{site.calendar.host}",
        "title": event.title.get(lang, default),
        "titles": _texts(event.title),
        "language": event.title.lang_of(lang, default),
        "all_day": event.all_day,
        "start": _when(event.start),
        "end": _when(event.end),
        "timezone": None if event.all_day else zone_name(event),
        "repeat": event.repeat,
        "except": [_when(moment) for moment in event.exceptions],
        "occurrences": _occurrences(event, first, max(today, event.first_day) + timedelta(days=HORIZON_DAYS)),
        "status": event.status.value,
        "attendance": event.attendance,
        "location": _location(event.location, lang, default) if event.location else None,
        "online_url": event.online_url,
        "tags": [_tag(site, links, tag) for tag in event.tags],
        "summary": event.summary.get(lang, default) if event.summary else None,
        "description_html": to_html(event.description.get(lang, default)) if event.description else None,
        "image": _image(links, event, default),
        "organizer": _organizer(event),
        "external_url": event.url,
        "sequence": revision.sequence,
        "modified": _when(revision.modified),
        "page_url": links.event(event, absolute=True),
        "ics_url": links.event_ics(event, absolute=True),
    }
    return data


def _occurrences(event: Event, first: date | None, last: date) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for occurrence in recurrence.occurrences(event, cancelled=True):
        if occurrence.first_day > last:
            break
        if first is not None and occurrence.last_day < first:
            continue
        found.append(
            {"start": _when(occurrence.start), "end": _when(occurrence.end), "cancelled": occurrence.cancelled}
        )
        if len(found) == MAX_OCCURRENCES:
            break
    return found


def _location(location: Location, lang: str, default: str) -> dict[str, Any]:
    return {
        "text": location.one_line(lang, default),
        "name": location.name.get(lang, default) if location.name else None,
        "address": location.address,
        "city": location.city,
        "country": location.country,
        "lat": location.lat,
        "lon": location.lon,
    }


def _tag(site: Site, links: Links, tag: str) -> dict[str, str]:
    return {"id": tag, "label": site.tag_label(tag, links.lang), "url": links.url("agenda", tag=tag)}


def _image(links: Links, event: Event, default: str) -> dict[str, Any] | None:
    if event.image is None:
        return None
    return {
        "url": links.resource(event.image.src) if event.image.src else None,
        "alt": event.image.alt.get(links.lang, default),
    }


def _organizer(event: Event) -> dict[str, Any] | None:
    if event.organizer is None:
        return None
    return {"name": event.organizer.name, "email": event.organizer.email}


def _texts(text: Text) -> dict[str, str]:
    return dict(text.values)


def _when(moment: date | datetime) -> str:
    """A date as YYYY-MM-DD; an instant as RFC 3339 with its offset ("Z" for UTC)."""
    if not isinstance(moment, datetime):
        return moment.isoformat()
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
