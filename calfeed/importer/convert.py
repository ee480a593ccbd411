"""iCalendar VEVENTs -> calfeed events, as plain values ready for YAML (see docs/import.md).

Each source event becomes an `Imported`: its key (the ``source_uid`` kept in the YAML: the UID, and
for a moved or retitled occurrence the UID and its RECURRENCE-ID), the fields calfeed's schema has,
and a readable id to give it if it is new. What calfeed cannot express (an RDATE, two RRULEs, a zone
nobody knows) is collected as a message naming the source event, so nothing half-right is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import x_wr_timezone
from dateutil.rrule import rrulestr
from icalendar.cal import Component

from ..dates import localize, zone_named
from .markdown import to_markdown
from .zones import iana_name, local

STATUSES = {"TENTATIVE": "tentative", "CANCELLED": "cancelled"}  # CONFIRMED is calfeed's default: not written
ONLINE = ("CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-MICROSOFT-ONLINEMEETINGURL")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class Imported:
    key: str  # the source_uid: "UID", or "UID RECURRENCE-ID=<date or UTC time>" for one moved occurrence
    fields: dict[str, Any]  # calfeed's keys (no id, no source_uid), in the order they are written
    id_hint: str  # a readable id: the title's slug and the first day
    name: str  # how messages name the source event


@dataclass
class Conversion:
    events: list[Imported] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)  # tag id -> label, from CATEGORIES (and --tag)
    problems: list[str] = field(default_factory=list)  # source events that cannot be expressed, and why
    zone: str = "UTC"  # the calendar's zone: X-WR-TIMEZONE, else the target's


def convert(calendar: icalendar.Calendar, *, zone: str, tag: str | None = None) -> Conversion:
    """Every VEVENT of `calendar`; floating times are in X-WR-TIMEZONE, else in `zone`."""
    declared = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if declared and zone_named(declared) is not None:
        calendar = x_wr_timezone.to_standard(calendar)  # its UTC and floating times, in that zone
        zone = declared
    result = Conversion(zone=zone)
    if tag:
        result.tags[tag] = tag
    masters: dict[str, Imported] = {}
    overrides: list[Component] = []
    for component in calendar.walk("VEVENT"):
        if "RECURRENCE-ID" in component:
            overrides.append(component)
            continue
        imported = _event(component, result, tag)
        if imported is not None:
            masters[imported.key] = imported
            result.events.append(imported)
    for component in overrides:
        _override(component, masters, result, tag)
    return result


def main_zone(calendar: icalendar.Calendar) -> str | None:
    """The zone most timed events of `calendar` start in (X-WR-TIMEZONE first): a new file's calendar zone."""
    declared = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if declared and zone_named(declared) is not None:
        return declared
    counts: dict[str, int] = {}
    for component in calendar.walk("VEVENT"):
        start = component.decoded("DTSTART") if "DTSTART" in component else None
        if isinstance(start, datetime) and start.tzinfo is not None:
            zone = _zone_of(component, "DTSTART", start, "UTC")
            if zone is not None:
                counts[zone] = counts.get(zone, 0) + 1
    return max(sorted(counts), key=counts.__getitem__) if counts else None


def _event(component: Component, result: Conversion, tag: str | None, key: str = "") -> Imported | None:
    uid = str(component.get("UID", "")).strip()
    title = _text(component.get("SUMMARY"))
    name = f"VEVENT {uid or '(no UID)'} {title!r}"
    if not uid:
        result.problems.append(f"{name}: has no UID (expected one, to recognise the event when importing again)")
        return None
    if not title:
        result.problems.append(f"{name}: has no SUMMARY (calfeed needs a title)")
        return None
    for unsupported in ("RDATE", "EXRULE"):
        if unsupported in component:
            result.problems.append(
                f"{name}: {unsupported} (extra or removed dates beside the rule) cannot be expressed"
            )
            return None
    fields: dict[str, Any] = {"title": title}
    try:
        when = _when(component, result.zone)
    except ValueError as error:
        result.problems.append(f"{name}: {error}")
        return None
    fields.update(when)
    fields.update(_place(component))
    tags = [_slug(category) for category in _categories(component)]
    for category in _categories(component):
        result.tags.setdefault(_slug(category), category)
    if tag:
        tags.append(tag)
    if tags:
        fields["tags"] = list(dict.fromkeys(tag for tag in tags if tag))
    if (url := _web_url(component.get("URL"))) is not None:
        fields["url"] = url
    if (image := _image(component, title)) is not None:
        fields["image"] = image
    if description := _description(component):
        fields["description"] = description
    if (status := STATUSES.get(str(component.get("STATUS", "")).upper())) is not None:
        fields["status"] = status
    if "RRULE" in component:
        try:
            fields.update(_repeat(component, when, result.zone))
        except ValueError as error:
            result.problems.append(f"{name}: {error}")
            return None
    if (organizer := _organizer(component.get("ORGANIZER"))) is not None:
        fields["organizer"] = organizer
    first = when["start"]
    day = first if not isinstance(first, datetime) else first.date()
    return Imported(key or uid, fields, f"{_slug(title) or 'event'}-{day.isoformat()}", name)


def _override(component: Component, masters: dict[str, Imported], result: Conversion, tag: str | None) -> None:
    """A RECURRENCE-ID: the occurrence leaves its series (an `except` date) and, unless cancelled, becomes an
    event of its own, so a moved or retitled occurrence is kept as the source shows it."""
    uid = str(component.get("UID", "")).strip()
    recurrence_id = component.decoded("RECURRENCE-ID")
    stamp = _stamp(recurrence_id)
    master = masters.get(uid)
    if master is not None and "repeat" in master.fields:
        skipped = _occurrence(master.fields, recurrence_id, result.zone)
        if skipped is not None:
            master.fields.setdefault("except", [])
            if skipped not in master.fields["except"]:
                master.fields["except"] = sorted([*master.fields["except"], skipped], key=_order)
    if str(component.get("STATUS", "")).upper() == "CANCELLED" and master is not None:
        return
    imported = _event(component, result, tag, key=f"{uid} RECURRENCE-ID={stamp}")
    if imported is not None:
        result.events.append(imported)


# -- dates, times and rules ----------------------------------------------------------------------------------


def _when(component: Component, calendar_zone: str) -> dict[str, Any]:
    """start, end (inclusive last day for all-day events) and timezone, as calfeed writes them."""
    if "DTSTART" not in component:
        raise ValueError("has no DTSTART (calfeed needs a start)")
    start = component.decoded("DTSTART")
    if "DTEND" in component:
        end = component.decoded("DTEND")
    elif "DURATION" in component:
        end = start + component.decoded("DURATION")
    else:
        end = start + timedelta(days=1) if not isinstance(start, datetime) else start
    if isinstance(start, datetime) != isinstance(end, datetime):
        raise ValueError("mixes a date and a date-time in DTSTART and DTEND (calfeed needs both alike)")
    if not isinstance(start, datetime):
        last = max(start, end - timedelta(days=1))  # calfeed's end is the last day, inclusive
        return {"start": start, "end": last} if last != start else {"start": start}
    zone = _zone_of(component, "DTSTART", start, calendar_zone)
    if zone is None:
        tzid = component["DTSTART"].params.get("TZID")
        if "RRULE" in component:
            raise ValueError(
                f"time zone {tzid!r} is neither an IANA nor a Windows zone name, so its series cannot move"
            )
        start_utc = start.astimezone(UTC)  # a single event keeps its instant, in the calendar's zone
        end_utc = (end if end.tzinfo else end.replace(tzinfo=start.tzinfo)).astimezone(UTC)
        zone = calendar_zone
        start, end = start_utc, end_utc
    start = local(start, zone)
    end = local(end if end.tzinfo is not None else end.replace(tzinfo=start.tzinfo), zone)
    if end < start:
        raise ValueError(f"ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    fields: dict[str, Any] = {"start": _written(start, zone)}
    if end != start:
        fields["end"] = _written(end, zone)
    if zone != calendar_zone:
        fields["timezone"] = zone
    return fields


def _zone_of(component: Component, key: str, moment: datetime, calendar_zone: str) -> str | None:
    if isinstance(moment.tzinfo, ZoneInfo):
        return "UTC" if moment.tzinfo.key in ("UTC", "Etc/UTC") else moment.tzinfo.key
    return iana_name(component[key].params.get("TZID"), moment, calendar_zone)


def _written(moment: datetime, zone: str) -> datetime:
    """A wall-clock time as calfeed reads it: naive (in the event's zone) unless it is ambiguous there."""
    naive = moment.replace(tzinfo=None)
    zone_info = zone_named(zone)
    assert zone_info is not None
    _, trouble = localize(naive, zone_info)
    return moment if trouble else naive


def _repeat(component: Component, when: dict[str, Any], calendar_zone: str) -> dict[str, Any]:
    rules = component.get("RRULE")
    if isinstance(rules, list):
        raise ValueError("has two RRULEs, which calfeed's one `repeat` cannot express")
    rule = icalendar.vRecur(dict(rules))
    start = when["start"]
    timed = isinstance(start, datetime)
    if "UNTIL" in rule:
        until = rule["UNTIL"][0]
        if not timed:
            rule["UNTIL"] = [until.date() if isinstance(until, datetime) else until]
        elif isinstance(until, datetime):
            zone = zone_named(when.get("timezone") or calendar_zone)
            rule["UNTIL"] = [(until if until.tzinfo else until.replace(tzinfo=zone)).astimezone(UTC)]
        else:
            rule["UNTIL"] = [datetime.combine(until, time(23, 59, 59), tzinfo=UTC)]
    fields: dict[str, Any] = {"repeat": rule.to_ical().decode()}
    skipped = []
    for listed in _listed(component.get("EXDATE")):
        moment = _occurrence({**when, "repeat": fields["repeat"]}, listed, calendar_zone)
        if moment is not None and moment not in skipped:
            skipped.append(moment)
    if skipped:
        fields["except"] = sorted(skipped, key=_order)
    return fields


def _occurrence(fields: dict[str, Any], moment: date | datetime, calendar_zone: str) -> date | datetime | None:
    """`moment` written as an `except` entry of the series in `fields`, or None if the rule never gives it."""
    start = fields["start"]
    if not isinstance(start, datetime):
        day = moment.date() if isinstance(moment, datetime) else moment
        midnight = datetime.combine(day, time())
        rule = rrulestr(fields["repeat"], dtstart=datetime.combine(start, time()))
        return day if rule.between(midnight, midnight, inc=True) else None
    if not isinstance(moment, datetime):
        return None
    zone = zone_named(fields.get("timezone") or calendar_zone)
    assert zone is not None
    aware_start = start if start.tzinfo else start.replace(tzinfo=zone)
    instant = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    if not rrulestr(fields["repeat"], dtstart=aware_start).between(instant, instant, inc=True):
        return None
    return _written(instant.astimezone(zone), zone.key)


def _listed(value: Any) -> Iterable[date | datetime]:
    for item in value if isinstance(value, list) else [value] if value is not None else []:
        for one in item.dts:
            yield one.dt


def _order(moment: date | datetime) -> tuple[date, str]:
    return (moment.date() if isinstance(moment, datetime) else moment, moment.isoformat())


def _stamp(moment: date | datetime) -> str:
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return moment.strftime("%Y%m%d")


# -- places, people, texts -----------------------------------------------------------------------------------


def _place(component: Component) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    where = _text(component.get("LOCATION"))
    online = next((url for key in ONLINE if (url := _web_url(component.get(key))) is not None), None)
    if where and _web_url(where) is not None and "\n" not in where:
        online, where = online or where, ""
    geo = component.get("GEO")
    if where and geo is not None:
        fields["location"] = {"name": where, "lat": float(geo.latitude), "lon": float(geo.longitude)}
    elif where:
        fields["location"] = where
    if online:
        fields["online"] = online
    return fields


def _categories(component: Component) -> list[str]:
    found: list[str] = []
    value = component.get("CATEGORIES")
    for item in value if isinstance(value, list) else [value] if value is not None else []:
        found += [_clean(str(category)) for category in item.cats if str(category).strip()]
    return found


def _image(component: Component, title: str) -> dict[str, str] | None:
    """The first IMAGE, else the first ATTACH that is an image; its alt text is the event's title."""
    candidates = []
    for key in ("IMAGE", "ATTACH"):
        value = component.get(key)
        candidates += value if isinstance(value, list) else [value] if value is not None else []
    for candidate in candidates:
        url = _web_url(candidate)
        kind = str(getattr(candidate, "params", {}).get("FMTTYPE", ""))
        if url and (kind.startswith("image/") or url.lower().split("?")[0].endswith(IMAGE_EXTENSIONS)):
            return {"src": url, "alt": title}
    return None


def _description(component: Component) -> str:
    html = component.get("X-ALT-DESC")
    if html is not None and str(html.params.get("FMTTYPE", "")).lower() == "text/html":
        text = to_markdown(_unescape(str(html)), html=True)
    else:
        text = to_markdown(_text(component.get("DESCRIPTION"), keep_lines=True))
    attachments = [
        url
        for candidate in _all(component, "ATTACH")
        if (url := _web_url(candidate)) and not url.lower().split("?")[0].endswith(IMAGE_EXTENSIONS)
    ]
    if attachments:
        text += ("\n\n" if text else "") + "\n".join(f"- <{url}>" for url in attachments)
    return text


def _organizer(value: Any) -> dict[str, str] | str | None:
    if value is None:
        return None
    address = str(value)
    email = address[7:] if address.lower().startswith("mailto:") else ""
    name = _clean(str(value.params.get("CN", ""))) if hasattr(value, "params") else ""
    if email and not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", email):
        email = ""
    if name and email:
        return {"name": name, "email": email}
    if email:
        return {"email": email}
    return name or None


def _unescape(text: str) -> str:
    """RFC 5545 TEXT escapes, which icalendar leaves in properties it does not know (X-ALT-DESC)."""
    return re.sub(r"\\([\\;,nN])", lambda match: "\n" if match[1] in "nN" else match[1], text)


def _all(component: Component, key: str) -> list[Any]:
    value = component.get(key)
    return value if isinstance(value, list) else [value] if value is not None else []


def _web_url(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text if re.fullmatch(r"https?://[^\s<>\"]+", text) else None


def _text(value: Any, keep_lines: bool = False) -> str:
    text = _clean(str(value)) if value is not None else ""
    return text if keep_lines else " ".join(text.split())


def _clean(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")).strip()


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
