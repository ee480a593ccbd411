"""Small pieces of text and addresses that several renderers share.

Dates are formatted for a language with Babel (`i18n.date_locale`): "5–8 October 2021",
"5–8 de octubre de 2021", "5–8 octobre 2021". Times are shown in the event's own zone,
and the zone is named.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import quote, urlencode

from babel.dates import format_date, format_interval, format_skeleton, format_time, get_time_format

from .. import recurrence
from ..limits import GOOGLE_LINK_CHARS
from ..model import Event, Site, day_of
from ..recurrence import rule_parts, utc_rule
from .i18n import date_locale, translations
from .markup import to_plain


def format_day(day: date, lang: str = "en") -> str:
    """Return one day in words: "5 October 2021", "5 de octubre de 2021", "5 octobre 2021"."""
    return _format_date(day, "long", lang) if type(day) is date else format_date(day, "long", locale=date_locale(lang))


def format_full_day(day: date, lang: str = "en") -> str:
    """Return one day with its weekday: "Thursday, 9 September 2021", "jueves, 9 de septiembre de 2021"."""
    return _format_date(day, "full", lang) if type(day) is date else format_date(day, "full", locale=date_locale(lang))


@lru_cache(maxsize=16384)  # pages name the same days over and over, and Babel takes ~30 µs a day
def _format_date(day: date, width: str, lang: str) -> str:
    return format_date(day, width, locale=date_locale(lang))


def format_month(year: int, month: int, lang: str = "en") -> str:
    """Return a month heading: "October 2021", "octubre de 2021", "octobre 2021"."""
    return format_skeleton("yMMMM", date(year, month, 1), locale=date_locale(lang))


def format_time_of_day(moment: datetime, lang: str = "en") -> str:
    """Return a time of day as `lang` writes it ("18:00", "6:00 PM"), at `moment`'s own offset."""
    return format_time(moment, _short_time(lang), locale=date_locale(lang))


@lru_cache(maxsize=64)
def _short_time(lang: str) -> str:
    """The locale's short time pattern: Babel looks it up (slowly, ~0.5 ms) on every call otherwise."""
    return str(get_time_format("short", locale=date_locale(lang)).pattern)


def zone_name(event: Event) -> str:
    """The zone an event's times are given in: its IANA name, else its fixed offset ("UTC+02:00")."""
    if event.timezone:
        return event.timezone
    offset = event.start.utcoffset() if isinstance(event.start, datetime) else None
    if not offset:
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


SPANS_KEPT = 65536  # spans remembered (each event in each language is on many pages), then forgotten at once
_SPANS: dict[tuple[str, str, str, str | None], str] = {}


def format_span(event: Event, lang: str = "en") -> str:
    """Return when `event` happens, for people reading `lang` (see `_format_span`), remembered by what it
    is made of: the start and end as written (zone and fold included), the event's zone and `lang`."""
    key = (lang, repr(event.start), repr(event.end), event.timezone)
    found = _SPANS.get(key)
    if found is None:
        if len(_SPANS) >= SPANS_KEPT:
            _SPANS.clear()
        found = _SPANS[key] = _format_span(event, lang)
    return found


def _format_span(event: Event, lang: str) -> str:
    """Return when `event` happens, for people reading `lang`.

    All-day: "5–8 October 2021", "30 September – 2 October 2021", "30 December 2021 – 2 January 2022".
    Timed, in the event's zone, named: "9 September 2021, 10:00–12:00 (Europe/Istanbul)"; without an end,
    its start alone: "9 September 2021, 19:00 (Europe/Istanbul)".
    """
    locale = date_locale(lang)
    start, end = event.start, event.end
    if isinstance(start, datetime) and isinstance(end, datetime):
        zone = zone_name(event)
        if not event.has_end:
            return f"{format_day(start.date(), lang)}, {format_time(start, 'short', locale=locale)} ({zone})"
        if start.date() == end.date():
            return f"{format_day(start.date(), lang)}, {format_time(start, 'short', locale=locale)}–" + (
                f"{format_time(end, 'short', locale=locale)} ({zone})"
            )
        return (
            f"{format_day(start.date(), lang)}, {format_time(start, 'short', locale=locale)} – "
            f"{format_day(end.date(), lang)}, {format_time(end, 'short', locale=locale)} ({zone})"
        )
    first, last = event.first_day, event.last_day
    if first == last:
        return format_day(first, lang)
    day_first = str(locale.date_formats["long"].pattern).lstrip("'").startswith("d")
    if not day_first:  # a locale that writes the month first: let Babel's interval patterns decide
        return format_interval(first, last, "yMMMd", locale=locale)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{format_day(last, lang)}"
    if first.year == last.year:
        return f"{format_skeleton('MMMMd', first, locale=locale)} – {format_day(last, lang)}"
    return f"{format_day(first, lang)} – {format_day(last, lang)}"


SIMPLE_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"}  # rules made of these alone are said in words


def format_repeat(event: Event, lang: str = "en") -> str:
    """How `event` repeats, in the interface language: "Every week, until 2 June 2026", "Every 2 months,
    6 times", "Every year". A rule with more parts than frequency, interval, count and end (BYDAY lists,
    BYMONTHDAY…) is only said to repeat ("Repeats, until …"): the event page lists its dates. "" if it does not."""
    if not event.repeat:
        return ""
    catalog = translations(lang)
    gettext, ngettext = catalog.ugettext, catalog.ungettext
    parts = rule_parts(event.repeat)
    interval = int(parts.get("INTERVAL", "1") or "1")
    frequency = parts.get("FREQ")
    if set(parts) - SIMPLE_PARTS or frequency not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        rule = gettext("Repeats")
    elif frequency == "DAILY":
        rule = ngettext("Every day", "Every %(num)d days", interval) % {"num": interval}
    elif frequency == "WEEKLY":
        rule = ngettext("Every week", "Every %(num)d weeks", interval) % {"num": interval}
    elif frequency == "MONTHLY":
        rule = ngettext("Every month", "Every %(num)d months", interval) % {"num": interval}
    else:
        rule = ngettext("Every year", "Every %(num)d years", interval) % {"num": interval}
    if "COUNT" in parts:
        count = int(parts["COUNT"])
        return ngettext("%(rule)s, %(num)d time", "%(rule)s, %(num)d times", count) % {"rule": rule, "num": count}
    if until := repeat_until(event):
        return gettext("%(rule)s, until %(day)s") % {"rule": rule, "day": format_day(until, lang)}
    return rule


def repeat_until(event: Event) -> date | None:
    """The day given by the rule's UNTIL (in the event's zone for a timed event), or None."""
    if not event.repeat:
        return None
    until = rule_parts(utc_rule(event.repeat, event.start)).get("UNTIL")
    if not until:
        return None
    if isinstance(event.start, datetime):
        moment = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return moment.astimezone(event.start.tzinfo).date()
    return datetime.strptime(until[:8], "%Y%m%d").date()


# -- links to calendar apps (links only: calfeed never calls these services) --------------------


def webcal(url: str) -> str:
    """The webcal:// form of an http(s) calendar address, which calendar apps open as a subscription."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme) :]
    return url


def google_subscribe(calendar_url: str) -> str:
    """Google Calendar's "add by URL" link; its `cid` must be the webcal:// address."""
    return "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal(calendar_url)}, quote_via=quote)


def plain_text(event: Event, lang: str, default: str) -> list[str]:
    """An event's own words as plain text in `lang`, for every output without markup (the calendar's
    DESCRIPTION, the Google Calendar link, JSON-LD): its summary, then its description with the Markdown
    made text, each when it has one."""
    parts = [event.summary.get(lang, default)] if event.summary else []
    if event.description:
        parts.append(to_plain(event.description.get(lang, default)))
    return parts


def outlook_subscribe(calendar_url: str, name: str) -> str:
    """Outlook.com's "add from web" link for a calendar address and the name it gets there."""
    query = urlencode({"url": calendar_url, "name": name}, quote_via=quote)
    return f"https://outlook.live.com/calendar/0/addfromweb?{query}"


def google_event(site: Site, event: Event, lang: str, page: str, today: date = date.min) -> str:
    """Google Calendar's "add this event" template link: title, dates, details (ending with the event's
    `page`) and place prefilled; a repeating event with its rule, from its next occurrence on `today`
    (see `google_series`). The details' text is cut to keep the link within `GOOGLE_LINK_CHARS`: the
    page it ends with has the rest (a 20,000-character description would otherwise fill every page
    it is linked from with a link many times its size)."""
    default = site.calendar.default_language
    start, end, rule = google_series(event, today)
    if isinstance(start, datetime) and isinstance(end, datetime):
        dates = f"{_utc_stamp(start)}/{_utc_stamp(end)}"
    else:
        dates = f"{day_of(start):%Y%m%d}/{day_of(end) + timedelta(days=1):%Y%m%d}"
    words = "\n\n".join(plain_text(event, lang, default))
    place = event.location.one_line(lang, default) if event.location else (event.online_url or "")
    query = {"action": "TEMPLATE", "text": event.title.get(lang, default), "dates": dates}
    query["details"] = page
    if place:
        query["location"] = place
    if event.timezone:
        query["ctz"] = event.timezone
    if rule:
        query["recur"] = f"RRULE:{rule}"
    link = "https://calendar.google.com/calendar/render?" + urlencode(query, quote_via=quote)
    if words and (words := _fitted(words + "\n\n", GOOGLE_LINK_CHARS - len(link))):
        query["details"] = words + page
        link = "https://calendar.google.com/calendar/render?" + urlencode(query, quote_via=quote)
    return link


def _fitted(text: str, room: int) -> str:
    """`text`, or else its longest beginning that, cut at a word and ended with "…" and a blank line, takes
    at most `room` characters URL-encoded; "" if not even a word fits."""
    if len(quote(text, safe="")) <= room:
        return text
    low, high = 0, len(text)  # the longest prefix that fits lies in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        if len(quote(text[:middle] + "…\n\n", safe="")) <= room:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    if (space := cut.rfind(" ")) > low // 2:
        cut = cut[:space]
    cut = cut.rstrip()
    return cut + "…\n\n" if cut else ""


def google_series(event: Event, today: date) -> tuple[date | datetime, date | datetime, str | None]:
    """The occurrence a Google link adds (start, end: the last day for all-day events) and the rule it
    carries (`recur=RRULE:…`), or None for an event that does not repeat. Once a series has started,
    the link adds it from its next occurrence; a rule with COUNT then ends with UNTIL at its last
    occurrence, so the series keeps its end. Google's link has no place for `except` dates."""
    if not event.repeat:
        return event.start, event.end, None
    rule = utc_rule(event.repeat, event.start)
    upcoming = recurrence.next_occurrence(event, today)
    if upcoming is None or upcoming.start == event.start:
        return event.start, event.end, rule
    last = recurrence.last_start(event.repeat, event.start)
    if "COUNT" in rule_parts(rule) and last is not None:
        until = f"{last.astimezone(UTC):%Y%m%dT%H%M%SZ}" if isinstance(event.start, datetime) else f"{last:%Y%m%d}"
        rule = ";".join(part for part in rule.split(";") if not part.startswith("COUNT=")) + f";UNTIL={until}"
    return upcoming.start, upcoming.end, rule


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
