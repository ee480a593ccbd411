"""One section of the content at a time: the calendar settings, an event, a news post.

`SectionReader` turns one YAML mapping into a model object (`CalendarSettings`,
`Event`, `NewsEntry`), checking every field with `FieldChecker` and collecting
problems by field path; `calfeed.content` reads the files, calls these for each
item, and checks what spans items and files (ids, links, the history).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr

from . import history, limits, recurrence
from .checks import FieldChecker, did_you_mean
from .dates import localize, repeated, zone_named
from .languages import normalise
from .model import CalendarSettings, Event, NewsEntry, Organizer, Status
from .problems import Path
from .recurrence import rule_parts

RRULE = re.compile(r"[A-Z0-9=;,+\-]+")
FINE_GRAINED = ("SECONDLY", "MINUTELY", "HOURLY")
REFRESH_HOURS, PAST_DAYS, FEED_LIMIT = (0.25, 24 * 30), (0, 36_500), (1, 10_000)  # the ranges calendar: allows
FAR_AHEAD = timedelta(days=366)  # a news post dated further ahead than this is a warning
EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")

TOP_KEYS = ("calendar", "events", "news", "tags")
CALENDAR_KEYS = ("title", "description", "url", "timezone", "languages", "refresh_hours", "past_days", "feed_limit")
ORGANIZER_KEYS = ("name", "email")
EVENT_KEYS = (
    "id",
    "title",
    "start",
    "end",
    "timezone",
    "location",
    "online",
    "tags",
    "url",
    "image",
    "summary",
    "description",
    "status",
    "repeat",
    "except",
    "organizer",
    "source_uid",  # written by `calfeed import`: the source's UID, to update the event when importing again
)
NEWS_KEYS = ("id", "title", "date", "tags", "image", "summary", "url", "events")


class SectionReader(FieldChecker):
    """Reads one section or item; `self.file` names the file it is in."""

    def __init__(self) -> None:
        super().__init__()
        self.digests: dict[str, str] = {}  # "event:<id>" -> the hash of its YAML mapping, for the history
        self.today = datetime.now(UTC).date()  # only to warn about news dated far ahead

    def calendar(self, raw: Any) -> CalendarSettings | None:
        path: Path = ("calendar",)
        if not self.is_mapping(raw, path, "the calendar settings"):
            return None
        self.unknown_keys(raw, path, CALENDAR_KEYS)
        languages: tuple[str, ...] = ("en",)
        if "languages" in raw:
            listed = self.as_list(raw["languages"], (*path, "languages"))
            if len(listed) > limits.LANGUAGES.most:  # reported, and read: their texts are checked as usual
                self.problem((*path, "languages"), limits.LANGUAGES.message(len(listed)))
            given = [self.string(code, (*path, "languages", i)) for i, code in enumerate(listed)]
            codes = []
            for i, given_code in enumerate(given):
                if given_code is None:
                    continue
                if (code := normalise(given_code)) is None:
                    self.problem(
                        (*path, "languages", i),
                        f"'{given_code}' is not a language code (expected a language, maybe a script and a region:"
                        " en, es, fr, pt-BR, zh-Hant-TW)",
                    )
                elif code in codes:
                    self.problem((*path, "languages", i), f"language '{code}' is listed twice")
                else:
                    codes.append(code)
            if codes:
                languages = tuple(codes)
            elif not given and isinstance(raw["languages"], list):
                self.problem(
                    (*path, "languages"), "is empty (expected at least one language code; the first is the default)"
                )
        self.languages = languages
        timezone = self.optional(raw, path, "timezone", self.zone) or "UTC"
        self.default_zone = timezone
        title = self.required(raw, path, "title", self.line)
        url = self.required(raw, path, "url", lambda value, p: self.url(value, p, schemes=("http", "https")))
        description = self.optional(raw, path, "description", self.markdown)
        if title is None or url is None:
            return None
        refresh = self.optional(raw, path, "refresh_hours", lambda v, p: self.number(v, p, *REFRESH_HOURS))
        past_days = self.optional(raw, path, "past_days", lambda v, p: self.whole(v, p, *PAST_DAYS))
        feed_limit = self.optional(raw, path, "feed_limit", lambda v, p: self.whole(v, p, *FEED_LIMIT))
        if title is None or url is None:
            return None
        if not url.endswith("/"):
            url += "/"
        return CalendarSettings(
            title=title,
            url=url,
            timezone=timezone,
            languages=languages,
            description=description,
            refresh=timedelta(hours=refresh) if refresh is not None else timedelta(hours=6),
            past_days=past_days,
            feed_limit=feed_limit if feed_limit is not None else 50,
        )

    def organizer(self, raw: Any, path: Path) -> Organizer | None:
        """A name, or a mapping of name and email."""
        if isinstance(raw, str):
            name = self.line_string(raw, path, limits.ORGANIZER)
            return Organizer(name=name) if name is not None else None
        if not self.is_mapping(raw, path, "a name or a mapping of name and email"):
            return None
        self.unknown_keys(raw, path, ORGANIZER_KEYS)
        name = self.optional(raw, path, "name", lambda value, at: self.line_string(value, at, limits.ORGANIZER))
        email = self.optional(raw, path, "email", self.email)
        if name is None and email is None:
            if not raw:
                self.problem(path, "is empty (expected name:, email: or both)")
            return None
        return Organizer(name=name, email=email)

    def email(self, raw: Any, path: Path) -> str | None:
        if (text := self.string(raw, path, "an email address", most=limits.EMAIL)) is None:
            return None
        if not EMAIL.fullmatch(text):
            self.problem(path, f"'{text}' is not an email address (expected e.g. events@example.org)")
            return None
        return text

    def identity(self, raw: dict[str, Any], path: Path, kind: str) -> str | None:
        """The item's `id`: required, a slug, and not already used by another item of its `kind`."""
        item_id = self.required(raw, path, "id", self.slug)
        if item_id is not None and not self.first(kind, item_id, (*path, "id")):
            return None
        return item_id

    def event(self, raw: Any, path: Path) -> Event | None:
        if not self.is_mapping(raw, path, "an event"):
            return None
        self.unknown_keys(raw, path, EVENT_KEYS)
        event_id = self.identity(raw, path, "event")
        if event_id is not None:
            self.digests[f"event:{event_id}"] = history.content_hash(raw)
        title = self.required(raw, path, "title", self.line)
        zone_name = self.optional(raw, path, "timezone", self.zone)
        when = self.span(raw, path, zone_name)
        location = self.optional(raw, path, "location", self.location)
        online, online_url = self.optional(raw, path, "online", self.online) or (False, None)
        status = self.optional(raw, path, "status", self.status) or Status.CONFIRMED
        fields = dict(
            tags=self.optional(raw, path, "tags", self.tags) or (),
            url=self.optional(raw, path, "url", self.url),
            image=self.optional(raw, path, "image", self.image),
            summary=self.optional(raw, path, "summary", self.markdown),
            description=self.optional(raw, path, "description", self.markdown),
            organizer=self.optional(raw, path, "organizer", self.organizer),
        )
        repeat, exceptions = self.repeat(raw, path, when)
        source_uid = self.optional(
            raw, path, "source_uid", lambda value, at: self.string(value, at, one_line=True, most=limits.SOURCE_UID)
        )
        if source_uid is not None:
            self.first("source_uid", source_uid, (*path, "source_uid"))
        if "timezone" in raw and when is not None and not isinstance(when[0], datetime):
            self.problem(
                (*path, "timezone"),
                "has no effect on an all-day event (its days are the same "
                "everywhere; expected timezone: only with start and end times)",
                severity="warning",
                at_key=True,
            )
        if "location" not in raw and "online" not in raw:
            self.problem(path, "has no location and is not online (expected location: or online:)", severity="warning")
        if event_id is None or title is None or when is None:
            return None
        start, end, timezone = when
        return Event(
            id=event_id,
            title=title,
            start=start,
            end=end,
            timezone=timezone,
            location=location,
            online=online,
            online_url=online_url,
            status=status,
            repeat=repeat,
            exceptions=exceptions,
            source=self.file,
            **fields,
        )

    def news(self, raw: Any, path: Path) -> NewsEntry | None:
        if not self.is_mapping(raw, path, "a news post"):
            return None
        self.unknown_keys(raw, path, NEWS_KEYS)
        entry_id = self.identity(raw, path, "news")
        if entry_id is not None:
            self.digests[f"news:{entry_id}"] = history.content_hash(raw)
        event_ids = self.ids["event"]
        title = self.required(raw, path, "title", self.line)
        published = self.optional(raw, path, "date", self.day)
        if published is not None and published > self.today + FAR_AHEAD:
            self.problem(
                (*path, "date"),
                f"{published} is more than a year ahead: the post would top every feed until then "
                "(expected the day it is published)",
                severity="warning",
            )
        related: list[str] = []
        for item, item_path in self.counted_items(raw, "events", path, limits.LINKED):
            if (linked := self.string(item, item_path)) is None:
                continue
            if linked not in event_ids:
                hint = did_you_mean(linked, event_ids)
                self.problem(item_path, f"unknown event id '{linked}'{hint} (expected the id of an event)")
            else:
                related.append(linked)
        fields = dict(
            tags=self.optional(raw, path, "tags", self.tags) or (),
            image=self.optional(raw, path, "image", self.image),
            summary=self.optional(raw, path, "summary", self.markdown),
            url=self.optional(raw, path, "url", self.url),
        )
        if entry_id is None or title is None or ("date" in raw and published is None):
            return None
        return NewsEntry(
            id=entry_id,
            title=title,
            date=published or date.min,
            date_given=published is not None,
            events=tuple(related),
            source=self.file,
            **fields,
        )

    # -- dates and repeats -----------------------------------------------------------

    def span(self, raw: dict[str, Any], path: Path, zone_name: str | None) -> tuple[Any, Any, str | None] | None:
        """Check start and end together; return ``(start, end, timezone)`` or None."""
        start = self.required(raw, path, "start", self.when)
        end = self.optional(raw, path, "end", self.when)
        if start is None or ("end" in raw and end is None):
            return None
        end = start if end is None else end
        if isinstance(start, datetime) != isinstance(end, datetime):
            self.problem(
                (*path, "end"),
                f"mixes a date and a date-time (start is {start}, end is {end}); expected "
                "two dates for an all-day event or two date-times for a timed one",
            )
            return None
        if not isinstance(start, datetime):
            if end < start:
                self.problem(
                    (*path, "end"), f"{end} is before start {start} (expected the last day, on or after the start)"
                )
                return None
            return start, end, None
        return self.timed_span(start, end, path, zone_name)

    def timed_span(
        self, start: datetime, end: datetime, path: Path, zone_name: str | None
    ) -> tuple[datetime, datetime, str | None] | None:
        """Check a timed event's start and end (both local, or both with an offset that fits its zone);
        return them as aware date-times with the zone's name (None when kept in UTC), or None."""
        if (start.tzinfo is None) != (end.tzinfo is None):
            self.problem(
                (*path, "end"),
                "mixes a local time and a time with a UTC offset (expected both with an offset, "
                "or both local to the event's timezone)",
            )
            return None
        name = zone_name or self.default_zone
        zone = zone_named(name)
        if zone is None:
            return None
        moments = []
        for key, moment in (("start", start), ("end", end)):
            if moment.tzinfo is None:
                moment, trouble = localize(moment, zone)
                if trouble:
                    self.problem((*path, key), trouble)
                    return None
            elif zone_name and moment.utcoffset() != moment.astimezone(zone).utcoffset():
                self.problem(
                    (*path, key),
                    f"offset {moment:%z} is not {zone_name}'s offset on that day "
                    f"({moment.astimezone(zone):%z}); expected a matching offset, or a local time without one",
                )
                return None
            moments.append(moment)
        start, end = moments
        if end < start:
            self.problem(
                (*path, "end"),
                f"{end.isoformat()} is before start {start.isoformat()} (expected an end after the start)",
            )
            return None
        if start.tzinfo is not zone and not zone_name:  # an explicit offset and no zone: keep the instant
            same_zone = (
                start.utcoffset() == start.astimezone(zone).utcoffset()
                and end.utcoffset() == end.astimezone(zone).utcoffset()
            )
            if same_zone:
                return start.astimezone(zone), end.astimezone(zone), name
            return start.astimezone(UTC), end.astimezone(UTC), None
        return start.astimezone(zone), end.astimezone(zone), name

    def repeat(
        self, raw: dict[str, Any], path: Path, when: tuple[Any, Any, str | None] | None
    ) -> tuple[str | None, tuple[Any, ...]]:
        """Check `repeat` (an RRULE) and `except` (occurrences to skip); return them, or (None, ())."""
        rule = self.optional(raw, path, "repeat", lambda value, at: self.string(value, at, most=limits.RULE))
        if "except" in raw and "repeat" not in raw:
            self.problem((*path, "except"), "needs repeat: (expected except only on a repeating event)", at_key=True)
        if rule is None or when is None:
            return None, ()
        text = rule.removeprefix("RRULE:")
        if not RRULE.fullmatch(text):
            self.problem((*path, "repeat"), f"'{rule}' is not an RRULE (expected e.g. FREQ=WEEKLY;COUNT=4)")
            return None, ()
        parts = rule_parts(text)
        if parts.get("FREQ") in FINE_GRAINED and "COUNT" not in parts and "UNTIL" not in parts:
            self.problem((*path, "repeat"), f"repeats {parts['FREQ'].lower()} forever (expected COUNT= or UNTIL=)")
            return None, ()
        start = when[0]
        timed = isinstance(start, datetime)
        if timed and repeated(start):
            self.problem(
                (*path, "start"),
                f"{start.isoformat()} happens twice in {start.tzinfo} (the clocks go back), and a repeating "
                "event's times are read on the clock: calendar apps disagree on which of the two it is "
                "(expected a repeating event to start at a time that happens once; start the series on another day)",
            )
            return None, ()
        try:
            rrulestr(text, dtstart=start if timed else datetime.combine(start, time()))
        except (ValueError, TypeError) as error:
            self.problem(
                (*path, "repeat"), f"'{rule}' is not a valid RRULE: {error} (expected e.g. FREQ=WEEKLY;COUNT=4)"
            )
            return None, ()
        if (reason := recurrence.trouble(text, start)) is not None:
            self.problem((*path, "repeat"), f"'{rule}' {reason}")
            return None, ()
        return text, self.exceptions(raw, path, start, _Walked(recurrence.walk(text, start)))

    def exceptions(self, raw: dict[str, Any], path: Path, start: Any, walked: _Walked) -> tuple[Any, ...]:
        """The event's `except` dates, each one of the rule's occurrences (as `walked` finds them)."""
        timed = isinstance(start, datetime)
        exceptions: list[Any] = []
        for item, item_path in self.counted_items(raw, "except", path, limits.EXCEPTIONS):
            if (day := self.when(item, item_path)) is None:
                continue
            if isinstance(day, datetime):
                if not timed:
                    self.problem(item_path, f"{item} has a time but the event is all-day (expected a date)")
                    continue
                moment = day
            else:  # for a timed event, the occurrence on that day at the usual time
                moment = datetime.combine(day, start.time() if timed else time())
            if timed and moment.tzinfo is None:
                moment, trouble = localize(moment, start.tzinfo)
                if trouble:
                    self.problem(item_path, trouble)
                    continue
            if not walked.occurs(moment):
                self.problem(
                    item_path,
                    f"{item} is not one of the event's occurrences (expected a date the repeat rule produces)",
                )
                continue
            exceptions.append(moment if timed else day)
        return tuple(exceptions)


class _Walked:
    """A rule's first `limit` occurrences, walked once for all its `except` dates."""

    def __init__(self, occurrences: Iterable[datetime], limit: int = 100_000) -> None:
        self._source, self._limit = occurrences, limit
        self._seen: set[datetime] | None = None
        self._last: datetime | None = None

    def occurs(self, moment: datetime) -> bool:
        """True if `moment` is among the first `limit` occurrences, or lies beyond them (not checked:
        a rule that repeats every second for years would otherwise take minutes to walk)."""
        if self._seen is None:
            walked = list(itertools.islice(self._source, self._limit))
            self._seen, self._last = set(walked), (walked[-1] if len(walked) == self._limit else None)
        return moment in self._seen or (self._last is not None and moment > self._last)
