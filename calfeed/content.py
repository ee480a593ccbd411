"""From YAML files to a `Site`, or to every problem that stops one being published.

`read_content(path)` never raises for bad content: it returns the site (or None)
and the problems found, errors and warnings, each located by file, line, column
and field. `load_site(path)` is the same for callers that want an exception.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path as FilePath
from typing import Any

from dateutil.rrule import rrulestr

from . import history, yamlread
from .checks import IMAGE_KEYS, LOCATION_KEYS, FieldChecker, Pending, TooMany, describe, did_you_mean
from .dates import localize, zone_named
from .model import (
    CalendarSettings,
    Event,
    NewsEntry,
    Organizer,
    Site,
    Status,
    Text,
)
from .problems import ContentError, Path, Problem, format_path

MAX_BYTES = 100 * 1024 * 1024  # all content files together; override with CALFEED_MAX_BYTES

_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_RRULE = re.compile(r"[A-Z0-9=;,+\-]+")
_FINE_GRAINED = ("SECONDLY", "MINUTELY", "HOURLY")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")

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
)
NEWS_KEYS = ("id", "title", "date", "tags", "image", "summary", "url", "events")
# Every key the schema accepts, by where it is written (docs/content.md documents each one).
SCHEMA_KEYS: dict[str, tuple[str, ...]] = {
    "top level": TOP_KEYS,
    "calendar": CALENDAR_KEYS,
    "events": EVENT_KEYS,
    "news": NEWS_KEYS,
    "location": LOCATION_KEYS,
    "image": IMAGE_KEYS,
    "organizer": ORGANIZER_KEYS,
}


def read_content(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> tuple[Site | None, list[Problem]]:
    """Read one YAML file, or every ``*.yaml``/``*.yml`` under a folder, merged.

    Returns ``(site, problems)``. `site` is None when any problem is an error.
    Problems can be: unreadable, empty, oversized or non-UTF-8 files; YAML syntax
    errors, duplicate keys, aliases and tags; unknown or missing fields and wrong
    types; impossible dates, unknown zones, local times that do not exist or are
    ambiguous, end before start; bad URLs, slugs and repeat rules; control
    characters; duplicate ids across files. Warnings (an event with no place, a
    news post with no date) come with a site.
    """
    with _collector_paused():
        return _Reader(max_bytes).read(FilePath(path))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while content is built.

    Building allocates hundreds of thousands of dicts, lists and strings that all
    survive; the collector would scan them again and again for cycles that do not
    exist, which made a 100,000-event load 20-30% slower and grow faster than
    linearly. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_site(path: str | os.PathLike[str], *, strict: bool = False, max_bytes: int = MAX_BYTES) -> Site:
    """Return the site at `path`, or raise `ContentError` with every error (and warning, if `strict`)."""
    site, problems = read_content(path, max_bytes=max_bytes)
    fatal = problems if strict else [p for p in problems if p.severity == "error"]
    if site is None or fatal:
        raise ContentError(fatal or problems)
    return site


def content_files(path: FilePath) -> list[FilePath]:
    """Return the YAML files that make up the content at `path`, in a fixed order."""
    if path.is_dir():
        return sorted(
            file
            for file in path.rglob("*")
            if file.suffix in (".yaml", ".yml")
            and file.is_file()
            and not any(part.startswith(".") for part in file.relative_to(path).parts)
        )
    return [path]


class _Reader(FieldChecker):
    def __init__(self, max_bytes: int) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self.sources: dict[str, bytes] = {}
        self.digests: dict[str, str] = {}  # "event:<id>" -> the hash of its YAML mapping, for the history

    # -- the whole read ------------------------------------------------------------

    def read(self, path: FilePath) -> tuple[Site | None, list[Problem]]:
        documents: list[tuple[str, dict[str, Any]]] = []
        try:
            files = content_files(path) if path.exists() else None
        except OSError as error:
            return None, [_unreadable(path, error)]
        if files is None:
            return None, [
                Problem(str(path), None, None, "", "no such file or folder (expected a YAML file or a folder of them)")
            ]
        if not files:
            return None, [Problem(str(path), None, None, "", "holds no .yaml or .yml files (expected at least one)")]
        total = 0
        located: list[Problem] = []
        for file in files:
            name = str(file)
            try:
                size = file.stat().st_size
            except OSError as error:
                located.append(_unreadable(file, error))
                continue
            total += size
            if total > self.max_bytes:
                located.append(
                    Problem(
                        name,
                        None,
                        None,
                        "",
                        f"content is over {self.max_bytes:,} bytes "
                        "(expected less; raise CALFEED_MAX_BYTES if it is meant to be this big)",
                    )
                )
                return None, located
            try:
                data = file.read_bytes()
            except OSError as error:
                located.append(_unreadable(file, error))
                continue
            if problem := yamlread.decode_problem(name, data):
                located.append(problem)
                continue
            value, problems = yamlread.parse(name, data)
            located.extend(problems)
            self.sources[name] = data
            if value is None and not problems:
                located.append(
                    Problem(
                        name, None, None, "", "is empty (expected a mapping with calendar:, events:, news: or tags:)"
                    )
                )
            elif isinstance(value, dict):
                documents.append((name, value))
            elif value is not None:
                located.append(
                    Problem(
                        name,
                        1,
                        1,
                        "",
                        f"top level is {describe(value)} (expected a mapping with calendar:, events:, news: or tags:)",
                    )
                )
        site = None
        try:
            site = self.validate(documents)
        except TooMany as stop:
            self.pending.append(Pending(self.file, (), str(stop)))
        located.extend(self.locate())
        located.sort(key=lambda p: (p.file, p.line or 0, p.column or 0))
        if any(p.severity == "error" for p in located):
            site = None
        elif site is not None:
            site, problems = self.revise(site, path, files)
            located.extend(problems)
        return site, located

    def revise(self, site: Site, path: FilePath, files: list[FilePath]) -> tuple[Site | None, list[Problem]]:
        """Give each item its revision from the history file (see calfeed/history.py) and the site its version."""
        where = history.history_path(path)
        try:
            records = history.read(where)
            recorded = where.read_bytes() if records else b""
            mtimes = {str(file): history.file_mtime(file) for file in files}
        except (history.HistoryError, OSError) as error:
            return None, [Problem(str(where), None, None, "", f"{error} (delete it to start a new history)")]
        everything: list[Event | NewsEntry] = [*site.events, *site.news]
        items = [(item, site.revision(item).modified) for item in everything]  # the baselines
        revisions, stamped = history.revise(items, self.digests, records, mtimes)
        changed = sum(1 for name, record in stamped.items() if records.get(name, record) != record)
        problems = []
        if changed:
            message = (
                f"{changed} item{'s' if changed != 1 else ''} changed since the last `calfeed stamp` "
                f"(run it and commit {where.name}, so that every render dates the change the same way)"
            )
            problems.append(Problem(str(where), None, None, "", message, "warning"))
        if changed:  # unstamped edits are dated by file times: a touch makes a new version
            recorded += repr(sorted(mtimes.items())).encode()
        return replace(site, version=self.version(files, recorded), revisions=revisions), problems

    def version(self, files: list[FilePath], history_bytes: bytes = b"") -> str:

        digest = hashlib.sha256(history_bytes)
        for file in files:
            name = str(file)
            digest.update(f"{name}\0{len(self.sources[name])}\0".encode())
            digest.update(self.sources[name])
        return digest.hexdigest()[:16]

    def locate(self) -> list[Problem]:
        by_file: dict[str, list[tuple[Path, bool]]] = {}
        for pending in self.pending:
            by_file.setdefault(pending.file, []).append((pending.path, pending.at_key))
            if pending.other:
                by_file.setdefault(pending.other[0], []).append(pending.other[1:])
        positions = {
            file: yamlread.locate(self.sources[file], targets)
            for file, targets in by_file.items()
            if file in self.sources
        }
        problems = []
        for pending in self.pending:
            line, column = positions.get(pending.file, {}).get((pending.path, pending.at_key), (None, None))
            message = pending.message
            if pending.other:
                other_file, other_path, other_at_key = pending.other
                other_where = positions.get(other_file, {}).get((other_path, other_at_key))
                other_line = other_where[0] if other_where else None
                first = (
                    f"first defined at {other_file}:{other_line}" if other_line else f"first defined in {other_file}"
                )
                message = f"{message[:-1]}; {first})" if message.endswith(")") else f"{message} ({first})"
            problems.append(Problem(pending.file, line, column, format_path(pending.path), message, pending.severity))
        return problems

    def validate(self, documents: list[tuple[str, dict[str, Any]]]) -> Site | None:
        calendar: CalendarSettings | None = None
        calendar_at: tuple[str, Path, bool] | None = None
        for self.file, document in documents:
            self.unknown_keys(document, (), TOP_KEYS)
            if "calendar" in document:
                if calendar_at:
                    self.problem(
                        ("calendar",),
                        "is defined twice (expected one calendar: in all the files)",
                        at_key=True,
                        other=calendar_at,
                    )
                    continue
                calendar_at = (self.file, ("calendar",), True)
                calendar = self.calendar(document["calendar"])
        if calendar_at is None and documents:
            self.file = documents[0][0]
            self.problem((), "no calendar: section (expected calendar: with at least title and url, in one file)")
        tags: dict[str, Text] = {}
        events: list[Event] = []
        for self.file, document in documents:
            for tag, label, path in self.mapping_items(document, "tags"):
                if self.slug(tag, path, at_key=True) and self.first("tag", tag, path):
                    tags[tag] = label if (label := self.text(label, path)) else Text({self.languages[0]: tag})
            for item, path in self.list_items(document, "events"):
                if (event := self.event(item, path)) is not None:
                    events.append(event)
        news: list[NewsEntry] = []
        events_by_id = {event.id: event for event in events}
        for self.file, document in documents:
            for item, path in self.list_items(document, "news"):
                if (entry := self.news(item, path)) is not None:
                    news.append(entry)
        if calendar is None:
            return None
        news = _date_undated(news, events_by_id)
        errors = any(pending.severity == "error" for pending in self.pending)
        for entry in news:
            if not entry.date_given:
                self.file, id_path = self.ids["news"][entry.id]
                dated = "its date follows" if errors else f"dated {entry.date} by"  # other errors may move it
                self.problem(
                    id_path[:-1],
                    f"has no date: {dated} the rule in docs/content.md (the last day of "
                    "its latest linked event, else the earliest date in the content)",
                    severity="warning",
                )
        events.sort(key=_event_order)
        news.sort(key=lambda entry: entry.id)
        news.sort(key=lambda entry: entry.date, reverse=True)
        return Site(calendar=calendar, events=tuple(events), news=tuple(news), tags=dict(sorted(tags.items())))

    # -- sections --------------------------------------------------------------------

    def calendar(self, raw: Any) -> CalendarSettings | None:
        path: Path = ("calendar",)
        if not self.is_mapping(raw, path, "the calendar settings"):
            return None
        self.unknown_keys(raw, path, CALENDAR_KEYS)
        languages: tuple[str, ...] = ("en",)
        if "languages" in raw:
            given = [
                self.string(code, (*path, "languages", i))
                for i, code in enumerate(self.as_list(raw["languages"], (*path, "languages")))
            ]
            codes = []
            for i, code in enumerate(given):
                if code is None:
                    continue
                if not _LANGUAGE.fullmatch(code):
                    self.problem(
                        (*path, "languages", i), f"'{code}' is not a language code (expected e.g. en, es, fr, pt-BR)"
                    )
                elif code in codes:
                    self.problem((*path, "languages", i), f"language '{code}' is listed twice")
                else:
                    codes.append(code)
            if codes:
                languages = tuple(codes)
            elif not given:
                self.problem(
                    (*path, "languages"), "is empty (expected at least one language code; the first is the default)"
                )
        self.languages = languages
        timezone = self.optional(raw, path, "timezone", self.zone) or "UTC"
        self.default_zone = timezone
        title = self.required(raw, path, "title", self.text)
        url = self.required(raw, path, "url", lambda value, p: self.url(value, p, schemes=("http", "https")))
        description = self.optional(raw, path, "description", self.text)
        if title is None or url is None:
            return None
        refresh = self.optional(raw, path, "refresh_hours", lambda v, p: self.number(v, p, 0.25, 24 * 30))
        past_days = self.optional(raw, path, "past_days", lambda v, p: self.whole(v, p, 0, 36_500))
        feed_limit = self.optional(raw, path, "feed_limit", lambda v, p: self.whole(v, p, 1, 10_000))
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
            name = self.string(raw, path)
            return Organizer(name=name) if name is not None else None
        if not self.is_mapping(raw, path, "a name or a mapping of name and email"):
            return None
        self.unknown_keys(raw, path, ORGANIZER_KEYS)
        name = self.optional(raw, path, "name", self.string)
        email = self.optional(raw, path, "email", self.email)
        if name is None and email is None:
            if not raw:
                self.problem(path, "is empty (expected name:, email: or both)")
            return None
        return Organizer(name=name, email=email)

    def email(self, raw: Any, path: Path) -> str | None:
        if (text := self.string(raw, path, "an email address")) is None:
            return None
        if not _EMAIL.fullmatch(text):
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
        title = self.required(raw, path, "title", self.text)
        zone_name = self.optional(raw, path, "timezone", self.zone)
        when = self.span(raw, path, zone_name)
        location = self.optional(raw, path, "location", self.location)
        online, online_url = self.optional(raw, path, "online", self.online) or (False, None)
        status = self.optional(raw, path, "status", self.status) or Status.CONFIRMED
        fields = dict(
            tags=self.optional(raw, path, "tags", self.tags) or (),
            url=self.optional(raw, path, "url", self.url),
            image=self.optional(raw, path, "image", self.image),
            summary=self.optional(raw, path, "summary", self.text),
            description=self.optional(raw, path, "description", self.text),
            organizer=self.optional(raw, path, "organizer", self.organizer),
        )
        repeat, exceptions = self.repeat(raw, path, when)
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
        title = self.required(raw, path, "title", self.text)
        published = self.optional(raw, path, "date", self.day)
        related: list[str] = []
        for item, item_path in self.list_items(raw, "events", path):
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
            summary=self.optional(raw, path, "summary", self.text),
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
        rule = self.optional(raw, path, "repeat", self.string)
        if "except" in raw and "repeat" not in raw:
            self.problem((*path, "except"), "needs repeat: (expected except only on a repeating event)", at_key=True)
        if rule is None or when is None:
            return None, ()
        text = rule.removeprefix("RRULE:")
        if not _RRULE.fullmatch(text):
            self.problem((*path, "repeat"), f"'{rule}' is not an RRULE (expected e.g. FREQ=WEEKLY;COUNT=4)")
            return None, ()
        parts = dict(part.partition("=")[::2] for part in text.split(";"))
        if parts.get("FREQ") in _FINE_GRAINED and "COUNT" not in parts and "UNTIL" not in parts:
            self.problem((*path, "repeat"), f"repeats {parts['FREQ'].lower()} forever (expected COUNT= or UNTIL=)")
            return None, ()
        start = when[0]
        timed = isinstance(start, datetime)
        try:
            occurrences = rrulestr(text, dtstart=start if timed else datetime.combine(start, time()))
        except (ValueError, TypeError) as error:
            self.problem(
                (*path, "repeat"), f"'{rule}' is not a valid RRULE: {error} (expected e.g. FREQ=WEEKLY;COUNT=4)"
            )
            return None, ()
        exceptions = []
        for item, item_path in self.list_items(raw, "except", path):
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
            if not _occurs(occurrences, moment):
                self.problem(
                    item_path,
                    f"{item} is not one of the event's occurrences (expected a date the repeat rule produces)",
                )
                continue
            exceptions.append(moment if timed else day)
        return text, tuple(exceptions)


def _date_undated(news: list[NewsEntry], events: dict[str, Event]) -> list[NewsEntry]:
    """Give undated news a date by the rule in docs/content.md.

    A post linked to events takes the last day of the latest of them (a report
    follows its event); any other takes the earliest date in the content, so it
    lists after everything dated and never jumps to the top of a feed.
    """
    known = [entry.date for entry in news if entry.date_given] + [event.first_day for event in events.values()]
    earliest = min(known, default=date(1970, 1, 1))
    dated = []
    for entry in news:
        if not entry.date_given:
            linked = [events[event_id].last_day for event_id in entry.events if event_id in events]
            entry = replace(entry, date=max(linked, default=earliest))
        dated.append(entry)
    return dated


def _occurs(occurrences: Iterable[datetime], moment: datetime, limit: int = 100_000) -> bool:
    """True if `moment` is among the first `limit` occurrences, or lies beyond them (not checked:
    a rule that repeats every second for years would otherwise take minutes to walk)."""
    for occurrence in itertools.islice(occurrences, limit):
        if occurrence >= moment:
            return occurrence == moment
    return True


def _unreadable(path: FilePath, error: OSError) -> Problem:
    return Problem(str(path), None, None, "", f"cannot be read: {error.strerror or error} (expected a readable file)")


def _event_order(event: Event) -> tuple[date, float, str]:
    start = event.start
    return event.first_day, start.timestamp() if isinstance(start, datetime) else float("-inf"), event.id
