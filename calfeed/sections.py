"""One section of the content at a time: the calendar settings, an event, a news post.

`calendar` reads the calendar settings; a `SectionReader` turns one YAML mapping of
a file into an `Event` or a `NewsEntry`. Both check every field with a `FieldChecker`,
which tells the file's problems collector (`calfeed.problems.FileProblems`) what is
wrong by field path, and return the model object, or None when it has an error.
`calfeed.content` reads the files, calls these for each item, and checks what spans
items and files (links, tags, the history); `Ids` keeps ids unique across files.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr

from . import limits, recurrence
from .checks import FieldChecker, did_you_mean
from .dates import localize, repeated, zone_named
from .languages import normalise
from .model import CalendarSettings, Event, NewsEntry, Organizer, Status
from .problems import FileProblems, Path
from .recurrence import rule_parts

RRULE = re.compile(r"[A-Z0-9=;,+\-]+")
FINE_GRAINED = ("SECONDLY", "MINUTELY", "HOURLY")
REFRESH_HOURS, PAST_DAYS, FEED_LIMIT = (0.25, 24 * 30), (0, 36_500), (1, 10_000)  # the ranges calendar: allows
FAR_AHEAD = timedelta(days=366)  # a news post dated further ahead than this is a warning
# a local part without the signs RFC 5322 allows only quoted (a `mailto:` prefix among them), a host name
EMAIL = re.compile(r"[^@\s<>\"(),:;\[\]\\]+@[^@\s<>\"(),:;\[\]\\/?#=&%]+\.[^@\s<>\"(),:;\[\]\\/?#=&%.]+")

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
DEFAULT_LANGUAGES = ("en",)  # when the calendar names none


@dataclass(frozen=True, slots=True)
class Defaults:
    """What every item takes from the calendar section, even from one with errors."""

    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # per-language text may use these; the first is the default
    zone: str = "UTC"  # local times of an event without a timezone are in this zone


def calendar(raw: Any, problems: FileProblems) -> tuple[CalendarSettings | None, Defaults]:
    """The calendar settings (None when they have an error), and the defaults they give every item."""
    path: Path = ("calendar",)
    check = FieldChecker(problems)
    if not check.is_mapping(raw, path, "the calendar settings"):
        return None, Defaults()
    check.unknown_keys(raw, path, CALENDAR_KEYS)
    languages = _languages(raw, check) if "languages" in raw else DEFAULT_LANGUAGES
    check = FieldChecker(problems, languages)
    timezone = check.optional(raw, path, "timezone", check.zone) or "UTC"
    defaults = Defaults(languages, timezone)
    title = check.required(raw, path, "title", check.line)
    url = check.required(raw, path, "url", lambda value, p: check.url(value, p, schemes=("http", "https")))
    description = check.optional(raw, path, "description", check.paragraph)
    if title is None or url is None:
        return None, defaults
    refresh = check.optional(raw, path, "refresh_hours", lambda v, p: check.number(v, p, *REFRESH_HOURS))
    past_days = check.optional(raw, path, "past_days", lambda v, p: check.whole(v, p, *PAST_DAYS))
    feed_limit = check.optional(raw, path, "feed_limit", lambda v, p: check.whole(v, p, *FEED_LIMIT))
    if "?" in url or "#" in url:  # every address is made by adding a path to it
        base = url.partition("?")[0].partition("#")[0]
        check.problem(
            (*path, "url"),
            f"'{url}' has a query or fragment, so every link would lead to the same page "
            f"(expected the address the site is published at, like {base.rstrip('/')}/)",
        )
        return None, defaults
    if not url.endswith("/"):
        url += "/"
    settings = CalendarSettings(
        title=title,
        url=url,
        timezone=timezone,
        languages=languages,
        description=description,
        refresh=timedelta(hours=refresh) if refresh is not None else timedelta(hours=6),
        past_days=past_days,
        feed_limit=feed_limit if feed_limit is not None else 50,
    )
    return settings, defaults


def _languages(raw: dict[str, Any], check: FieldChecker) -> tuple[str, ...]:
    """The calendar's `languages`, each once; ("en",) when none is usable."""
    path: Path = ("calendar", "languages")
    listed = check.as_list(raw["languages"], path)
    if len(listed) > limits.LANGUAGES.most:  # reported, and read: their texts are checked as usual
        check.problem(path, limits.LANGUAGES.message(len(listed)))
    given = [check.string(code, (*path, i)) for i, code in enumerate(listed)]
    codes: list[str] = []
    for i, given_code in enumerate(given):
        if given_code is None:
            continue
        if (code := normalise(given_code)) is None:
            check.problem(
                (*path, i),
                f"'{given_code}' is not a language code (expected a language, maybe a script and a region:"
                " en, es, fr, pt-BR, zh-Hant-TW)",
            )
        elif code in codes:
            check.problem((*path, i), f"language '{code}' is listed twice")
        else:
            codes.append(code)
    if not codes and not given and isinstance(raw["languages"], list):
        check.problem(path, "is empty (expected at least one language code; the first is the default)")
    return tuple(codes) if codes else DEFAULT_LANGUAGES


class Ids:
    """Where each id was first written, by kind (event, news, tag, source_uid), across files: a second use
    is a problem naming both places, and news may link to an event that has other problems without a
    second, misleading report."""

    def __init__(self) -> None:
        self.seen: dict[str, dict[str, tuple[str, Path]]] = {"event": {}, "news": {}, "tag": {}, "source_uid": {}}
        self.claimed: list[tuple[str, str, Path]] = []  # (kind, name, path) of each first use, in order

    def first(self, problems: FileProblems, kind: str, name: str, path: Path) -> bool:
        """Record where `name` is first used as a `kind` id; report it and return False if it was already."""
        seen = self.seen[kind]
        if name in seen:
            what = "tag" if kind == "tag" else kind if kind == "source_uid" else f"{kind} id"
            problems.problem(
                path, f"duplicate {what} '{name}'", at_key=kind == "tag", other=(*seen[name], kind == "tag")
            )
            return False
        seen[name] = (problems.file, path)
        self.claimed.append((kind, name, path))
        return True


class SectionReader:
    """Reads the events and news posts of one file: each field checked by `check`, which reports to
    that file's problems; ids kept unique across files by `ids`; local times in `default_zone` (the calendar's)
    unless an event names its own."""

    def __init__(self, check: FieldChecker, ids: Ids, default_zone: str, today: date) -> None:
        self.check = check
        self.ids = ids
        self.default_zone = default_zone
        self.today = today  # only to warn about news dated far ahead
        self.file = check.problems.file

    def organizer(self, raw: Any, path: Path) -> Organizer | None:
        """A name, or a mapping of name and email."""
        check = self.check
        if isinstance(raw, str):
            name = check.line_string(raw, path, limits.ORGANIZER)
            return Organizer(name=name) if name is not None else None
        if not check.is_mapping(raw, path, "a name or a mapping of name and email"):
            return None
        check.unknown_keys(raw, path, ORGANIZER_KEYS)
        name = check.optional(raw, path, "name", lambda value, at: check.line_string(value, at, limits.ORGANIZER))
        email = check.optional(raw, path, "email", self.email)
        if name is None and email is None:
            if not raw:
                check.problem(path, "is empty (expected name:, email: or both)")
            return None
        return Organizer(name=name, email=email)

    def email(self, raw: Any, path: Path) -> str | None:
        if (text := self.check.string(raw, path, "an email address", most=limits.EMAIL)) is None:
            return None
        if not EMAIL.fullmatch(text):
            hint = " without mailto:" if text.lower().startswith("mailto:") else ""
            self.check.problem(path, f"'{text}' is not an email address (expected e.g. events@example.org{hint})")
            return None
        return text

    def identity(self, raw: dict[str, Any], path: Path, kind: str) -> str | None:
        """The item's `id`: required, a slug, and not already used by another item of its `kind`."""
        item_id = self.check.required(raw, path, "id", self.check.slug)
        if item_id is not None and not self.ids.first(self.check.problems, kind, item_id, (*path, "id")):
            return None
        return item_id

    def event(self, raw: Any, path: Path) -> Event | None:
        check = self.check
        if not check.is_mapping(raw, path, "an event"):
            return None
        check.unknown_keys(raw, path, EVENT_KEYS)
        event_id = self.identity(raw, path, "event")
        title = check.required(raw, path, "title", check.line)
        zone_name = check.optional(raw, path, "timezone", check.zone)
        when = self.span(raw, path, zone_name)
        location = check.optional(raw, path, "location", check.location)
        online, online_url = check.optional(raw, path, "online", check.online) or (False, None)
        status = check.optional(raw, path, "status", check.status) or Status.CONFIRMED
        fields = dict(
            tags=check.optional(raw, path, "tags", check.tags) or (),
            url=check.optional(raw, path, "url", check.url),
            image=check.optional(raw, path, "image", check.image),
            summary=check.optional(raw, path, "summary", check.paragraph),
            description=check.optional(raw, path, "description", check.markdown),
            organizer=check.optional(raw, path, "organizer", self.organizer),
        )
        repeat, exceptions = self.repeat(raw, path, when)
        source_uid = check.optional(
            raw, path, "source_uid", lambda value, at: check.string(value, at, one_line=True, most=limits.SOURCE_UID)
        )
        if source_uid is not None:
            self.ids.first(check.problems, "source_uid", source_uid, (*path, "source_uid"))
        if "timezone" in raw and when is not None and not isinstance(when[0], datetime):
            check.problem(
                (*path, "timezone"),
                "has no effect on an all-day event (its days are the same "
                "everywhere; expected timezone: only with start and end times)",
                severity="warning",
                at_key=True,
            )
        if "location" not in raw and "online" not in raw:
            check.problem(path, "has no location and is not online (expected location: or online:)", severity="warning")
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
        check = self.check
        if not check.is_mapping(raw, path, "a news post"):
            return None
        check.unknown_keys(raw, path, NEWS_KEYS)
        entry_id = self.identity(raw, path, "news")
        event_ids = self.ids.seen["event"]
        title = check.required(raw, path, "title", check.line)
        published = check.optional(raw, path, "date", check.day)
        if published is not None and published > self.today + FAR_AHEAD:
            check.problem(
                (*path, "date"),
                f"{published} is more than a year ahead: the post would top every feed until then "
                "(expected the day it is published)",
                severity="warning",
            )
        related: list[str] = []
        for item, item_path in check.counted_items(raw, "events", path, limits.LINKED):
            if (linked := check.string(item, item_path)) is None:
                continue
            if linked not in event_ids:
                hint = did_you_mean(linked, event_ids)
                check.problem(item_path, f"unknown event id '{linked}'{hint} (expected the id of an event)")
            else:
                related.append(linked)
        fields = dict(
            tags=check.optional(raw, path, "tags", check.tags) or (),
            image=check.optional(raw, path, "image", check.image),
            summary=check.optional(raw, path, "summary", check.paragraph),
            url=check.optional(raw, path, "url", check.url),
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
        start = self.check.required(raw, path, "start", self.check.when)
        end = self.check.optional(raw, path, "end", self.check.when)
        if start is None or ("end" in raw and end is None):
            return None
        end = start if end is None else end
        if isinstance(start, datetime) != isinstance(end, datetime):
            self.check.problem(
                (*path, "end"),
                f"mixes a date and a date-time (start is {start}, end is {end}); expected "
                "two dates for an all-day event or two date-times for a timed one",
            )
            return None
        if _day(end) - _day(start) > timedelta(days=limits.EVENT_DAYS):
            days = (_day(end) - _day(start)).days
            message = (
                f"is {days:,} days after the start (expected an event of at most {limits.EVENT_DAYS:,} days: ten years)"
            )
            self.check.problem((*path, "end"), message)
            return None
        if not isinstance(start, datetime):
            if end < start:
                self.check.problem(
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
            self.check.problem(
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
                    self.check.problem((*path, key), trouble)
                    return None
            elif zone_name and moment.utcoffset() != moment.astimezone(zone).utcoffset():
                self.check.problem(
                    (*path, key),
                    f"offset {moment:%z} is not {zone_name}'s offset on that day "
                    f"({moment.astimezone(zone):%z}); expected a matching offset, or a local time without one",
                )
                return None
            moments.append(moment)
        start, end = moments
        if end < start:
            self.check.problem(
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
        check = self.check
        rule = check.optional(raw, path, "repeat", lambda value, at: check.string(value, at, most=limits.RULE))
        if "except" in raw and "repeat" not in raw:
            self.check.problem(
                (*path, "except"), "needs repeat: (expected except only on a repeating event)", at_key=True
            )
        if rule is None or when is None:
            return None, ()
        text = rule.removeprefix("RRULE:")
        if not RRULE.fullmatch(text):
            self.check.problem((*path, "repeat"), f"'{rule}' is not an RRULE (expected e.g. FREQ=WEEKLY;COUNT=4)")
            return None, ()
        if (reason := recurrence.malformed(text, all_day=not isinstance(when[0], datetime))) is not None:
            self.check.problem((*path, "repeat"), f"'{rule}' {reason}")
            return None, ()
        parts = rule_parts(text)
        if parts.get("FREQ") in FINE_GRAINED and "COUNT" not in parts and "UNTIL" not in parts:
            self.check.problem(
                (*path, "repeat"), f"repeats {parts['FREQ'].lower()} forever (expected COUNT= or UNTIL=)"
            )
            return None, ()
        if (reason := recurrence.out_of_range(parts)) is not None:  # before dateutil, which may warn or differ
            self.check.problem((*path, "repeat"), f"'{rule}' {reason}")
            return None, ()
        start = when[0]
        timed = isinstance(start, datetime)
        if timed and repeated(start):
            self.check.problem(
                (*path, "start"),
                f"{start.isoformat()} happens twice in {start.tzinfo} (the clocks go back), and a repeating "
                "event's times are read on the clock: calendar apps disagree on which of the two it is "
                "(expected a repeating event to start at a time that happens once; start the series on another day)",
            )
            return None, ()
        try:
            rrulestr(text, dtstart=start if timed else datetime.combine(start, time()))
        except (ValueError, TypeError) as error:
            self.check.problem(
                (*path, "repeat"), f"'{rule}' is not a valid RRULE: {error} (expected e.g. FREQ=WEEKLY;COUNT=4)"
            )
            return None, ()
        if (reason := recurrence.trouble(text, start)) is not None:
            self.check.problem((*path, "repeat"), f"'{rule}' {reason}")
            return None, ()
        if (first := recurrence.first_date(text, start)) is not None:
            self.check.problem(
                (*path, "start"),
                f"{_written(start)} is not a date of its repeat rule '{rule}', so calendar apps disagree on "
                f"whether it is an occurrence (expected the series to start on its first date, {_written(first)})",
            )
            return None, ()
        return text, self.exceptions(raw, path, start, _Walked(recurrence.walk(text, start)))

    def exceptions(self, raw: dict[str, Any], path: Path, start: Any, walked: _Walked) -> tuple[Any, ...]:
        """The event's `except` dates, each one of the rule's occurrences (as `walked` finds them)."""
        timed = isinstance(start, datetime)
        exceptions: list[Any] = []
        for item, item_path in self.check.counted_items(raw, "except", path, limits.EXCEPTIONS):
            if (day := self.check.when(item, item_path)) is None:
                continue
            if isinstance(day, datetime):
                if not timed:
                    self.check.problem(item_path, f"{item} has a time but the event is all-day (expected a date)")
                    continue
                moment = day
            else:  # for a timed event, the occurrence on that day at the usual time
                moment = datetime.combine(day, start.time() if timed else time())
            if timed and moment.tzinfo is None:
                moment, trouble = localize(moment, start.tzinfo)
                if trouble:
                    self.check.problem(item_path, trouble)
                    continue
            if not walked.occurs(moment):
                self.check.problem(
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


def _written(moment: date | datetime) -> str:
    """A date, or a time in its own zone, as an editor writes it in `start:`."""
    if not isinstance(moment, datetime):
        return moment.isoformat()
    return f"{moment:%Y-%m-%d %H:%M:%S}" if moment.second else f"{moment:%Y-%m-%d %H:%M}"


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment
