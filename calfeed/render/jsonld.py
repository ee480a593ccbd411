"""schema.org structured data for the HTML pages, as plain dicts (the templates serialise them).

Search engines and link previews read these: `event` is a schema.org ``Event``
(https://schema.org/Event, and Google's event rich-result fields), `article` a ``NewsArticle``.
All addresses are absolute, built by `routes.Links` from ``calendar.url``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .. import recurrence
from ..model import Event, Location, NewsEntry, Site, Status
from ..routes import Links
from .text import SIMPLE_PARTS, plain_text

STATUS = {
    Status.CONFIRMED: "https://schema.org/EventScheduled",
    Status.TENTATIVE: "https://schema.org/EventScheduled",  # schema.org has no "tentative"
    Status.CANCELLED: "https://schema.org/EventCancelled",
}
FREQUENCY = {"DAILY": "D", "WEEKLY": "W", "MONTHLY": "M", "YEARLY": "Y"}  # ISO 8601 duration designators
WEEKDAYS = {
    "MO": "https://schema.org/Monday",
    "TU": "https://schema.org/Tuesday",
    "WE": "https://schema.org/Wednesday",
    "TH": "https://schema.org/Thursday",
    "FR": "https://schema.org/Friday",
    "SA": "https://schema.org/Saturday",
    "SU": "https://schema.org/Sunday",
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


def event(site: Site, event: Event, lang: str, today: date = date.min, links: Links | None = None) -> dict[str, Any]:
    """The schema.org Event for `event`: dates with offsets (or plain dates), status, attendance, places.

    A repeating event gives the dates of its next occurrence ending on `today` or later (its first when
    none does) and its rule as an `eventSchedule`. `links`: the site's `Links` in `lang`, when the caller has them
    (a page of a thousand events).
    """
    default = site.calendar.default_language
    links = links or Links(site, lang)
    url = links.event(event, absolute=True)
    when = recurrence.next_occurrence(event, today) or recurrence.first_occurrence(event)
    data: dict[str, Any] = {
        "@type": "Event",
        "@id": f"{url}#event",
        "name": event.title.get(lang, default),
        "url": url,
        "startDate": _when(when.start),
        "endDate": _when(when.end),
        "eventStatus": STATUS[event.status],
        "eventAttendanceMode": ATTENDANCE[event.attendance],
        "inLanguage": event.title.lang_of(lang, default),
    }
    if words := plain_text(event, lang, default):
        data["description"] = words[0]  # the summary, else the description
    locations: list[dict[str, Any]] = []
    if event.location is not None:
        locations.append(_place(event.location, lang, default))
    if event.online:
        locations.append({"@type": "VirtualLocation", "url": event.online_url or url})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    if event.image is not None and event.image.src:
        data["image"] = [links.resource(event.image.src)]
    if event.url:
        data["sameAs"] = event.url
    if event.tags:
        data["keywords"] = ", ".join(site.tag_label(tag, lang) for tag in event.tags)
    if event.organizer is not None and event.organizer.name:
        data["organizer"] = {"@type": "Organization", "name": event.organizer.name}
    if (found := schedule(event)) is not None:
        data["eventSchedule"] = found
    return data


def schedule(event: Event) -> dict[str, Any] | None:
    """The schema.org Schedule of a repeating event, or None (no rule, or one it cannot say: BYMONTHDAY,
    BYSETPOS, an ordinal weekday such as 1TU…; the page's dates still say when it takes place)."""
    if not event.repeat:
        return None
    parts = recurrence.rule_parts(event.repeat)
    days = [day for day in parts.get("BYDAY", "").split(",") if day]
    frequency = FREQUENCY.get(parts.get("FREQ", ""))
    if frequency is None or set(parts) - SIMPLE_PARTS - {"BYDAY"} or any(day not in WEEKDAYS for day in days):
        return None
    if days and parts["FREQ"] != "WEEKLY":  # every Monday of a month is not what a monthly BYDAY usually means
        return None
    data: dict[str, Any] = {
        "@type": "Schedule",
        "repeatFrequency": f"P{int(parts.get('INTERVAL', '1') or '1')}{frequency}",
        "startDate": event.first_day.isoformat(),
    }
    if days:
        data["byDay"] = [WEEKDAYS[day] for day in days]
    if (last := recurrence.last_day(event)) is not None:
        data["endDate"] = last.isoformat()
    if "COUNT" in parts:
        data["repeatCount"] = int(parts["COUNT"])
    if isinstance(event.start, datetime) and isinstance(event.end, datetime):
        data["startTime"] = event.start.time().isoformat(timespec="minutes")
        data["endTime"] = event.end.time().isoformat(timespec="minutes")
        data["duration"] = _duration(event.end - event.start)
        if event.timezone:
            data["scheduleTimezone"] = event.timezone
    elif not isinstance(event.start, datetime) and not isinstance(event.end, datetime):
        data["duration"] = f"P{(event.end - event.start).days + 1}D"
    if event.exceptions:
        data["exceptDate"] = [_when(moment) for moment in event.exceptions]
    return data


def article(site: Site, entry: NewsEntry, lang: str) -> dict[str, Any]:
    """The schema.org NewsArticle for a news post; its date only when the source gave one."""
    default = site.calendar.default_language
    links = Links(site, lang)
    data: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": entry.title.get(lang, default),
        "url": links.read_more(entry, absolute=True),
        "inLanguage": entry.title.lang_of(lang, default),
    }
    if entry.date_given:
        data["datePublished"] = entry.date.isoformat()
    if entry.summary:
        data["description"] = entry.summary.get(lang, default)
    if entry.image is not None and entry.image.src:
        data["image"] = [links.resource(entry.image.src)]
    about = [{"@id": f"{links.event(found, absolute=True)}#event"} for i in entry.events if (found := site.event(i))]
    if about:
        data["about"] = about
    return data


def _when(moment: object) -> str:
    """An ISO 8601 date, or a date-time with its UTC offset."""
    if isinstance(moment, datetime):
        return moment.isoformat(timespec="minutes")
    return moment.isoformat()  # type: ignore[attr-defined]


def _duration(length: timedelta) -> str:
    """An ISO 8601 duration: "PT1H30M", "P1DT2H"."""
    minutes = int(length.total_seconds()) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return f"P{f'{days}D' if days else ''}{'T' + time if time else ''}" if days or time else "PT0M"


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
