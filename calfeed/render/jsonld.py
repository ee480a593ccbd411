"""schema.org structured data for the HTML pages, as plain dicts (the templates serialise them).

Search engines and link previews read these: `event` is a schema.org ``Event``
(https://schema.org/Event, and Google's event rich-result fields), `article` a ``NewsArticle``.
All addresses are absolute, taken from ``calendar.url``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..model import Event, Location, NewsEntry, Site, Status
from .markup import to_plain
from .text import absolute, event_page, news_link

STATUS = {
    Status.CONFIRMED: "https://schema.org/EventScheduled",
    Status.TENTATIVE: "https://schema.org/EventScheduled",  # schema.org has no "tentative"
    Status.CANCELLED: "https://schema.org/EventCancelled",
}
ATTENDANCE = {
    "offline": "https://schema.org/OfflineEventAttendanceMode",
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "mixed": "https://schema.org/MixedEventAttendanceMode",
}


def graph(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One JSON-LD document holding `items`, or None when there is nothing to describe."""
    if not items:
        return None
    return {"@context": "https://schema.org", "@graph": items}


def document(item: dict[str, Any]) -> dict[str, Any]:
    return {"@context": "https://schema.org", **item}


def event(site: Site, event: Event, lang: str) -> dict[str, Any]:
    """The schema.org Event for `event`: dates with offsets (or plain dates), status, attendance, places."""
    default = site.calendar.default_language
    url = event_page(site, event, lang)
    data: dict[str, Any] = {
        "@type": "Event",
        "@id": f"{url}#event",
        "name": event.title.get(lang, default),
        "url": url,
        "startDate": _when(event.start),
        "endDate": _when(event.end),
        "eventStatus": STATUS[event.status],
        "eventAttendanceMode": ATTENDANCE[event.attendance],
        "inLanguage": event.title.lang_of(lang, default),
    }
    if event.summary:
        data["description"] = event.summary.get(lang, default)
    elif event.description:
        data["description"] = to_plain(event.description.get(lang, default))
    locations: list[dict[str, Any]] = []
    if event.location is not None:
        locations.append(_place(event.location, lang, default))
    if event.online:
        locations.append({"@type": "VirtualLocation", "url": event.online_url or url})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    if event.image is not None and event.image.src:
        data["image"] = [absolute(site, event.image.src)]
    if event.url:
        data["sameAs"] = event.url
    if event.tags:
        data["keywords"] = ", ".join(site.tag_label(tag, lang) for tag in event.tags)
    if event.organizer is not None and event.organizer.name:
        data["organizer"] = {"@type": "Organization", "name": event.organizer.name}
    return data


def article(site: Site, entry: NewsEntry, lang: str) -> dict[str, Any]:
    """The schema.org NewsArticle for a news post; its date only when the source gave one."""
    default = site.calendar.default_language
    data: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": entry.title.get(lang, default),
        "url": news_link(site, entry, lang),
        "inLanguage": entry.title.lang_of(lang, default),
    }
    if entry.date_given:
        data["datePublished"] = entry.date.isoformat()
    if entry.summary:
        data["description"] = entry.summary.get(lang, default)
    if entry.image is not None and entry.image.src:
        data["image"] = [absolute(site, entry.image.src)]
    about = [{"@id": f"{event_page(site, found, lang)}#event"} for i in entry.events if (found := site.event(i))]
    if about:
        data["about"] = about
    return data


def _when(moment: object) -> str:
    """An ISO 8601 date, or a date-time with its UTC offset."""
    if isinstance(moment, datetime):
        return moment.isoformat(timespec="minutes")
    return moment.isoformat()  # type: ignore[attr-defined]


def _place(location: Location, lang: str, default: str) -> dict[str, Any]:
    place: dict[str, Any] = {"@type": "Place", "name": location.one_line(lang, default)}
    address = {
        key: value
        for key, value in (
            ("streetAddress", location.address),
            ("addressLocality", location.city),
            ("addressCountry", location.country),
        )
        if value
    }
    if address:
        place["address"] = {"@type": "PostalAddress", **address}
    if location.lat is not None and location.lon is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": location.lat, "longitude": location.lon}
    return place
