"""Site -> iCalendar (RFC 5545, with RFC 7986's NAME, REFRESH-INTERVAL, IMAGE, CONFERENCE).

What a calendar says is decided once, as `Prop` values: `plan_calendar` and
`plan_event` for the VCALENDAR, `event_properties` for each VEVENT. Those are
written by the hand-made serializer in `ics_lines` (fast: each event's VEVENT is
written once per language and content, kept in `PIECES`, and every calendar variant
is joined from those pieces); `ics_reference.render` writes the same plan with
`icalendar`, which stays the reference: a property test holds both to the same
parsed calendar. VTIMEZONEs come from the zone database, found by `ics_zones` and
written as yearly rules. tests/test_ics_readers.py holds the bytes to what independent
clients read.
docs/calendar.md explains the choices.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import icalendar
from cachetools import LRUCache

from .. import recurrence
from ..dates import repeated
from ..images import media_type
from ..model import Event, Revision, Site
from ..recurrence import utc_rule
from ..routes import Links
from . import fragments, ics_zones
from .i18n import translations
from .ics_lines import UTC_NAMES, Geo, Prop, Recur, Uri, content_line, zone_id
from .markup import to_html
from .text import plain_text

if TYPE_CHECKING:
    from ..formats import View

PRODID = "-//calfeed//calfeed//EN"
HEAD = (
    Prop("PRODID", PRODID),
    Prop("VERSION", "2.0"),
    Prop("CALSCALE", "GREGORIAN"),
    Prop("METHOD", "PUBLISH"),
)
EMPTY_YEAR = 2000  # the year of the VTIMEZONE a calendar with no event holds (`plan_calendar`)
ZONE_YEARS = 30  # a VTIMEZONE covers at most this many years past an event's start (for long or endless rules)


@dataclass(frozen=True, slots=True)
class Plan:
    """What one iCalendar object holds: its own properties, a VTIMEZONE per zone used, its events."""

    properties: tuple[Prop, ...]
    zones: tuple[tuple[str, date, date], ...]  # (TZID, first day, day after): whole years each VTIMEZONE covers
    events: tuple[Event, ...]
    lang: str


@dataclass(frozen=True, slots=True)
class CalendarEvents:
    """The events of a calendar and what its head says of their zones: the same in every language."""

    events: tuple[Event, ...]
    states_its_zone: bool  # `states_its_zone` of the calendar's zone
    zones: tuple[tuple[str, date, date], ...]  # `zones` of the events


def render_calendar(site: Site, view: View) -> bytes:
    """The view's events (its tag, within calendar.past_days of `view.today`) as one subscribable VCALENDAR."""

    def shown() -> CalendarEvents:  # kept for the other languages where pieces are kept (a build's workers)
        events = in_window(site, view.events(site), view.today)
        return CalendarEvents(events, states_its_zone(site.calendar.timezone, events), zones(events))

    found = fragments.shared(view.templates, site, ("calendar-events", view.tag, view.today), shown)
    plan = plan_calendar(site, found.events, view.lang, view.tag, found)
    return compose(site, plan, fragments.lasting(view.templates))


def render_event(site: Site, view: View) -> bytes:
    """One event as a download: no calendar name, so Outlook adds it instead of making a new calendar."""
    event = site.event(view.item or "")
    if event is None:
        raise LookupError(f"no event {view.item!r}")  # the web app answers 404 before it gets here
    return compose(site, plan_event(site, event, view.lang), fragments.lasting(view.templates))


def render_ics(site: Site, *, lang: str) -> bytes:
    """Every event of `site` as one VCALENDAR in `lang`, without a window."""
    return compose(site, plan_calendar(site, site.events, lang, None))


# -- what a calendar says ----------------------------------------------------------------


def plan_calendar(
    site: Site, events: tuple[Event, ...], lang: str, tag: str | None, shown: CalendarEvents | None = None
) -> Plan:
    """A subscribable calendar of `events`: named (after its tag too), with its refresh interval (what its head
    says of their zones taken from `shown` when given: `CalendarEvents` of these `events`).

    A calendar with no event (a tag only news posts have, a site with none yet) holds the VTIMEZONE of
    the calendar's zone for the year `EMPTY_YEAR`: RFC 5545's grammar wants at least one component in a
    VCALENDAR, and strict readers refuse one without. A fixed year keeps its bytes the same from one year
    to the next (no event refers to it, so no client reads its offsets).
    """
    settings = site.calendar
    default = settings.default_language
    title = settings.title.get(lang, default)
    if tag is not None:
        title = f"{title} – {site.tag_label(tag, lang)}"
    props = [*HEAD, Prop("NAME", title), Prop("X-WR-CALNAME", title)]
    if settings.description:
        description = settings.description.get(lang, default)
        props += [Prop("DESCRIPTION", description), Prop("X-WR-CALDESC", description)]
    props += [
        Prop("REFRESH-INTERVAL", settings.refresh, (("VALUE", "DURATION"),)),
        Prop("X-PUBLISHED-TTL", settings.refresh),
    ]
    if shown is None:
        shown = CalendarEvents(events, states_its_zone(settings.timezone, events), zones(events))
    if shown.states_its_zone:
        props.append(Prop("X-WR-TIMEZONE", settings.timezone))
    used = shown.zones or ((settings.timezone, date(EMPTY_YEAR, 1, 1), date(EMPTY_YEAR + 1, 1, 1)),)
    return Plan(tuple(props), used, events, lang)


def plan_event(site: Site, event: Event, lang: str) -> Plan:
    """A calendar of one event and nothing that names or schedules the calendar itself."""
    return Plan(HEAD, zones((event,)), (event,), lang)


def states_its_zone(zone: str, events: Iterable[Event]) -> bool:
    """True when X-WR-TIMEZONE:`zone` tells the truth: every timed event is in that zone.

    Clients that honour X-WR-TIMEZONE (Google, Apple, the x-wr-timezone library) read
    times through it, so it is left out of calendars that mix zones or hold UTC-only events, or a time
    written in UTC because it happens twice in its zone (the x-wr-timezone library moves such a time
    to the zone's clock and then reads it as the first of the two).
    """
    expected = None if zone in UTC_NAMES else zone
    return all(
        zone_id(moment) == expected
        for event in events
        if isinstance(event.start, datetime)
        for moment in written(event)
        if isinstance(moment, datetime)
    )


def event_properties(site: Site, event: Event, lang: str) -> list[Prop]:
    """Every property of `event`'s VEVENT in `lang` (each text falling back to the default language)."""
    settings = site.calendar
    default = settings.default_language
    revision = site.revision(event)
    start, end = written(event)
    props = [
        Prop("UID", f"{event.id}@{settings.host}"),
        Prop("DTSTAMP", revision.modified),
        Prop("LAST-MODIFIED", revision.modified),
        Prop("SEQUENCE", revision.sequence),
        Prop("DTSTART", start),
    ]
    if event.has_end:  # a timed event without an end has no DTEND (RFC 5545 §3.6.1)
        props.append(Prop("DTEND", end))
    if event.repeat:
        props.append(Prop("RRULE", Recur(utc_rule(event.repeat, start))))
        if event.exceptions:
            props.append(Prop("EXDATE", tuple(_like(exception, start) for exception in event.exceptions)))
    props.append(Prop("SUMMARY", event.title.get(lang, default)))
    if description := plain_description(event, lang, default):
        props.append(Prop("DESCRIPTION", description))
    if event.description:
        props.append(Prop("X-ALT-DESC", html_description(event, lang, default), (("FMTTYPE", "text/html"),)))
    if event.location:
        if place := event.location.one_line(lang, default):
            props.append(Prop("LOCATION", place))
        if event.location.lat is not None and event.location.lon is not None:
            props.append(Prop("GEO", Geo(round(event.location.lat, 6), round(event.location.lon, 6))))
    props.append(Prop("URL", Uri(event.url or Links(site, lang).event(event, absolute=True))))
    if event.tags:
        props.append(Prop("CATEGORIES", tuple(site.tag_label(tag, lang) for tag in event.tags)))
    props.append(Prop("STATUS", event.status.value.upper()))
    props.append(Prop("TRANSP", "TRANSPARENT" if event.all_day else "OPAQUE"))
    if event.organizer and event.organizer.email:
        name = event.organizer.name
        props.append(Prop("ORGANIZER", Uri(f"mailto:{event.organizer.email}"), (("CN", name),) if name else ()))
    if event.online_url:
        props.append(Prop("CONFERENCE", Uri(event.online_url), (("VALUE", "URI"),)))
    if event.image and event.image.src:
        src = Links(site, lang).resource(event.image.src)
        media = media_type(src)
        kind = (("FMTTYPE", media),) if media else ()
        props += [Prop("ATTACH", Uri(src), kind), Prop("IMAGE", Uri(src), (("VALUE", "URI"), *kind))]
    return props


def plain_description(event: Event, lang: str, default: str) -> str:
    """The summary, the description as plain text, the online link and an organizer known only by name,
    a blank line apart."""
    gettext = translations(lang).gettext  # the labels in the calendar's language, from the site's catalogs
    parts = plain_text(event, lang, default)
    parts.append(f"{gettext('Online')}: {event.online_url}" if event.online_url else "")
    if event.organizer and event.organizer.name and not event.organizer.email:  # no ORGANIZER without an address
        parts.append(f"{gettext('Organiser')}: {event.organizer.name}")
    return "\n\n".join(part for part in parts if part)


def html_description(event: Event, lang: str, default: str) -> str:
    """The HTML alternative (X-ALT-DESC, shown by Outlook): the summary, then the sanitised description."""
    summary = f"<p>{html.escape(event.summary.get(lang, default))}</p>" if event.summary else ""
    return summary + (to_html(event.description.get(lang, default)) if event.description else "")


def written(event: Event) -> tuple[date | datetime, date | datetime]:
    """DTSTART and DTEND as written: dates as they are (DTEND the day after the last day); times in
    their IANA zone (with a TZID), or in UTC when they have none.

    A wall-clock time that happens twice in its zone (the repeated hour of a fall-back night) is
    written in UTC: with a TZID, RFC 5545 §3.3.5 reads it as the first of the two and ical.js as the
    second, so either is wrong for someone. Then both times of an event that does not repeat are in
    UTC: readers built on Python's datetime add DTEND − DTSTART to the start on the clock, which is
    only right when both are in one form. A repeating event keeps its start's TZID (its rule repeats
    on the clock; content.py rejects a series that starts in a repeated hour)."""
    start, end = event.start, event.end_exclusive
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return start, end
    if zone_id(start) is None or (not event.repeat and (repeated(start) or repeated(end))):
        return start.astimezone(UTC), end.astimezone(UTC)
    return start, end.astimezone(UTC) if repeated(end) else end


def _like(exception: date | datetime, start: date | datetime) -> date | datetime:
    """An EXDATE value in the form of DTSTART, as RFC 5545 requires."""
    if isinstance(start, datetime):
        moment = exception if isinstance(exception, datetime) else datetime.combine(exception, start.timetz())
        return moment.astimezone(start.tzinfo)
    return exception.date() if isinstance(exception, datetime) else exception


# -- which events, which zones -----------------------------------------------------------


def in_window(site: Site, events: tuple[Event, ...], today: date) -> tuple[Event, ...]:
    """The events that end at most calendar.past_days before `today` (every event when that is unset).

    Cancelled events are kept like any other, so a cancellation reaches subscribers.
    """
    days = site.calendar.past_days
    if days is None or today == date.min:
        return events
    cutoff = today - timedelta(days=days)
    zone = ZoneInfo(site.calendar.timezone)
    return tuple(event for event in events if final_day(event, zone) >= cutoff)


def final_day(event: Event, zone: ZoneInfo) -> date:
    """The last day (in `zone`) on which `event` or its last occurrence takes place; date.max if endless."""
    day = recurrence.last_day(event, zone)
    return date.max if day is None else day


def zones(events: Iterable[Event]) -> tuple[tuple[str, date, date], ...]:
    """Each TZID the events are written with, and the whole years its VTIMEZONE must cover
    (whole years, so that small edits keep the same VTIMEZONE)."""
    spans: dict[str, tuple[int, int]] = {}
    for event in events:
        if not isinstance(event.start, datetime):
            continue
        for moment in (event.start, event.end):
            if not isinstance(moment, datetime) or (tzid := zone_id(moment)) is None:
                continue
            last = event.end.year if not event.repeat else final_day(event, ZoneInfo(tzid)).year
            last = min(last, moment.year + ZONE_YEARS, 9998)
            first, upto = spans.get(tzid, (moment.year, last))
            spans[tzid] = (min(first, moment.year), max(upto, last))
    return tuple((tzid, date(first, 1, 1), date(last + 1, 1, 1)) for tzid, (first, last) in sorted(spans.items()))


def zone_component(tzid: str, first: date, end: date) -> icalendar.Timezone:
    """The VTIMEZONE of `tzid` from the zone database, from `first` to the day before `end`, as yearly
    rules (an RRULE per run of changes that follows one, a DTSTART alone for a change that follows none).

    Chosen by what clients read right (tests/test_ics_readers.py): ical.js ignores an observance's
    DTSTART when it has RDATEs, dateutil (vobject) reads only the first value of a multi-valued RDATE,
    and Outlook misreads RDATE lists; all of them read yearly RRULEs and lone DTSTARTs.
    """
    return ics_zones.yearly(tzid, first, end)


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first: date, end: date) -> bytes:
    return zone_component(tzid, first, end).to_ical()


# -- writing it fast ----------------------------------------------------------------------


# What a kept piece costs besides its text: its key (the event's id, the language, the revision, the site's
# digest), the weak reference, the pair holding them and the cache's own entry: about 500 bytes measured with
# tracemalloc over 3,000 pieces.
PIECE_OVERHEAD = 512
PieceKey = tuple[str, Revision, str]  # the language, the event's revision, the site's digest (`piece_keys`)


class Pieces:
    """Each event's VEVENT bytes, kept for the very `Event` object they were written from (and a key for
    what else they show: `piece_keys`), so a calendar is mostly a join.

    An event object never changes, and a reload gives an edited event a new one (calfeed/reuse.py): a
    piece is never stale, and no list of an event's fields can be incomplete. A piece is found by the
    object's id and kept with a weak reference to it, so an id that a new object takes after the old one
    was freed finds nothing. Kept up to `budget` bytes (text and `PIECE_OVERHEAD` each), least recently
    used first out (cachetools' `LRUCache`); pieces of freed objects age out the same way, or at once with
    `retain`. The server counts `size` in its cache budget and trims the pieces to their share of it
    (`http.Outputs`). A race between threads can at worst write one piece twice.
    """

    def __init__(self, budget: int = 64 * 1024 * 1024) -> None:
        self._texts: LRUCache[tuple[int, PieceKey], tuple[weakref.ref[Event], bytes]] = LRUCache(
            maxsize=budget, getsizeof=lambda kept: len(kept[1]) + PIECE_OVERHEAD
        )
        self._lock = threading.Lock()  # cachetools caches are not thread-safe (a get reorders them)

    def get(self, event: Event, key: PieceKey) -> bytes | None:
        return self.get_all([event], [key])[0]

    def get_all(self, events: list[Event], keys: list[PieceKey]) -> list[bytes | None]:
        """The pieces of `events` with `keys` (None where there is none), under one lock: a calendar asks
        for all at once."""
        get = self._texts.get
        with self._lock:
            found = [get((id(event), key)) for event, key in zip(events, keys, strict=True)]
        return [kept[1] if kept and kept[0]() is event else None for event, kept in zip(events, found, strict=True)]

    def put(self, event: Event, key: PieceKey, text: bytes) -> None:
        self.put_all([(event, key, text)])

    def put_all(self, pieces: Iterable[tuple[Event, PieceKey, bytes]]) -> None:
        """Keep each event's piece `text` with its key, under one lock: a cold calendar writes them all."""
        with self._lock:
            for event, key, text in pieces:
                with contextlib.suppress(ValueError):  # larger than the budget: not kept
                    self._texts[id(event), key] = (weakref.ref(event), text)

    def trim(self, most: int) -> None:
        """Drop the least recently used pieces until at most `most` bytes are kept."""
        with self._lock:
            while self._texts and self._texts.currsize > most:
                self._texts.popitem()

    def retain(self, site: Site) -> None:
        """Forget every piece `site` cannot use: of an event freed or not in it, of another revision, or
        written for other calendar settings or tag labels (a reload's leftovers)."""
        events = {id(event): event for event in site.events}
        digest = site_digest(site)
        with self._lock:
            for key, (ref, _) in list(self._texts.items()):
                object_id, (_, revision, shown) = key
                event = ref()
                if event is None or events.get(object_id) is not event or shown != digest:
                    del self._texts[key]
                elif revision != site.revision(event):
                    del self._texts[key]

    def clear(self) -> None:
        with self._lock:
            self._texts.clear()

    @property
    def size(self) -> int:
        """The bytes kept (`PIECE_OVERHEAD` counted for each piece)."""
        return int(self._texts.currsize)

    def __len__(self) -> int:
        return len(self._texts)


PIECES = Pieces()


def piece_keys(site: Site, events: list[Event], lang: str) -> list[PieceKey]:
    """What each event's VEVENT shows besides the event object itself: the language, the event's revision
    (its history: SEQUENCE, LAST-MODIFIED), and what the site says to every event (its calendar settings:
    the UID's host, addresses, the default language; its tag labels), as one digest."""
    site_wide = site_digest(site)
    return [(lang, site.revision(event), site_wide) for event in events]


def site_digest(site: Site) -> str:
    """A digest of what the site says to every event's VEVENT: its calendar settings and tag labels."""
    shared = repr((site.calendar, sorted(site.tags.items()))).encode()
    return hashlib.blake2b(shared, digest_size=16).hexdigest()


def vevents(
    site: Site, events: Iterable[Event], lang: str, lasting: fragments.Lasting | None = None
) -> Sequence[fragments.Piece]:
    """The VEVENTs of `events` in `lang`, each written once and then taken from `PIECES` (or from `lasting`,
    in `calfeed build`: kept for the next build too)."""
    if lasting is not None:
        return lasting.many(site, ("ics", lang), events, lambda event: _vevent(site, event, lang))
    events = list(events)
    keys = piece_keys(site, events, lang)
    texts = PIECES.get_all(events, keys)
    fresh: list[tuple[Event, PieceKey, bytes]] = []
    for index, text in enumerate(texts):
        if text is None:
            event = events[index]
            texts[index] = text = _vevent(site, event, lang)
            fresh.append((event, keys[index], text))
    PIECES.put_all(fresh)
    return texts  # type: ignore[return-value]  # every None was replaced


def _vevent(site: Site, event: Event, lang: str) -> bytes:
    lines = [content_line(prop) for prop in event_properties(site, event, lang)]
    return b"".join([b"BEGIN:VEVENT\r\n", *lines, b"END:VEVENT\r\n"])


def compose(site: Site, plan: Plan, lasting: fragments.Lasting | None = None) -> bytes:
    """Write `plan` as an iCalendar object: CRLF, folded lines, UTF-8 (the VEVENTs kept in `lasting` if given)."""
    parts: list[fragments.Piece] = [b"BEGIN:VCALENDAR\r\n"]
    parts += [content_line(prop) for prop in plan.properties]
    parts += [vtimezone(tzid, first, end) for tzid, first, end in plan.zones]
    parts += vevents(site, plan.events, plan.lang, lasting)
    parts.append(b"END:VCALENDAR\r\n")
    return b"".join(parts)
