"""When a repeating event takes place: its occurrences, the next one, the series' last day.

An event's `repeat` is an RFC 5545 RRULE (checked by `content.py`); `start` and `end`
describe its first occurrence, and every occurrence lasts as long. Occurrences of an all-day
event are dates, those of a timed event aware datetimes at the same wall-clock time in the
event's zone (so a weekly 18:00 meeting stays at 18:00 across a change to summer time).
`except` dates are skipped. Every function here also answers for an event that does not
repeat: it has one occurrence.

Rules are walked at most `WALK` occurrences far; a rule with more counts as endless.
The calendar (`render/ics.py`) and the pages (`render/html.py`, `render/jsonld.py`) share
these answers. No Flask, no rendering: model in, dates out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from itertools import islice

from dateutil.rrule import rrule, rrulestr

from .model import Event, Span

WALK = 100_000  # occurrences walked to find a rule's last (or next) one; past that it counts as endless
MAX_OCCURRENCES = 10_000  # a rule with COUNT or UNTIL may have at most these (`calfeed check`)
_DAY_PARTS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")
_FINER = ("MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")


@dataclass(frozen=True, slots=True)
class Occurrence(Span):
    """One occurrence of an event: dates for all-day events (`end` the last day, inclusive), else datetimes."""

    start: date | datetime
    end: date | datetime
    cancelled: bool = False  # one of the event's `except` dates


def utc_rule(rule: str, start: date | datetime) -> str:
    """`rule` with UNTIL in the form RFC 5545 requires: a DATE for all-day events, UTC for timed ones."""
    parts = rule.removeprefix("RRULE:").split(";")
    for index, part in enumerate(parts):
        name, _, until = part.partition("=")
        if name != "UNTIL":
            continue
        if not isinstance(start, datetime):
            parts[index] = f"UNTIL={until[:8]}"
        elif not until.endswith("Z"):  # a local day or time, in the event's zone
            day = datetime.strptime(until[:8], "%Y%m%d")
            local = datetime.strptime(until, "%Y%m%dT%H%M%S") if "T" in until else day.replace(hour=23, minute=59)
            parts[index] = f"UNTIL={local.replace(tzinfo=start.tzinfo).astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return ";".join(parts)


def rule_parts(rule: str) -> dict[str, str]:
    """The rule's parts by name: ``{"FREQ": "WEEKLY", "COUNT": "4"}``."""
    return dict(part.partition("=")[::2] for part in rule.removeprefix("RRULE:").split(";") if part)


def trouble(rule: str, start: date | datetime) -> str | None:
    """Why `rule` (valid RRULE syntax) is too costly to expand, or never occurs; None when it is fine.

    dateutil walks a rule step by step until the year 9999 when no day matches it (Feb 30 every day
    took 4 s, every second 6 s), so whether any day matches is asked first of the same day parts on
    a yearly rule, which steps a year at a time. A rule with COUNT or UNTIL is then walked at most
    `MAX_OCCURRENCES` + 1 occurrences far."""
    parts = rule_parts(rule)
    day_parts = {name: value for name, value in parts.items() if name in _DAY_PARTS}
    if parts.get("FREQ") in _FINER and day_parts:
        yearly = ";".join(["FREQ=YEARLY", *(f"{name}={value}" for name, value in day_parts.items())])
        if next(iter(rrulestr(yearly, dtstart=_first(start))), None) is None:
            return "never occurs: no day matches all of its " + ", ".join(day_parts) + " (expected a rule with dates)"
    if "COUNT" not in parts and "UNTIL" not in parts:
        return None
    try:
        walked = sum(1 for _ in islice(_rule(utc_rule(rule, start), start), MAX_OCCURRENCES + 1))
    except ValueError:  # not a valid rule: `calfeed check` says so on its own
        return None
    if walked == 0:
        return "never occurs (expected a rule that produces at least one date)"
    if walked > MAX_OCCURRENCES:
        return (
            f"has more than {MAX_OCCURRENCES:,} occurrences "
            f"(expected at most {MAX_OCCURRENCES:,}: a lower COUNT or an earlier UNTIL)"
        )
    return None


@lru_cache(maxsize=4096)
def last_start(rule: str, start: date | datetime) -> datetime | None:
    """The start of a rule's last occurrence (at most its UNTIL), or None when it repeats forever
    or has more than `WALK` occurrences. Naive for all-day events, aware (UTC when from UNTIL) for timed ones."""
    rule = utc_rule(rule, start)
    first = _first(start)
    if "UNTIL=" in rule:  # an upper bound, found without walking the rule
        until = rule.split("UNTIL=", 1)[1].split(";", 1)[0]
        if isinstance(start, datetime):
            return datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return datetime.strptime(until[:8], "%Y%m%d")
    if "COUNT=" not in rule:
        return None
    occurrences = list(islice(_rule(rule, start), WALK + 1))
    if len(occurrences) > WALK:
        return None
    return occurrences[-1] if occurrences else first


def last_day(event: Event, zone: tzinfo | None = None) -> date | None:
    """The last day (in `zone`, else the event's own) on which `event` or its last occurrence takes place;
    None when the series is endless. With UNTIL, the last occurrence ends at most on UNTIL's day (plus its length)."""
    start, end = event.start, event.end
    if event.repeat:
        last = last_start(event.repeat, start)
        if last is None:
            return None
        if isinstance(start, datetime) and isinstance(end, datetime):
            end = last + (end - start)
        elif not isinstance(start, datetime) and not isinstance(end, datetime):
            end = last.date() + (end - start)
    if isinstance(end, datetime):
        return end.astimezone(zone if zone is not None else end.tzinfo).date()
    return end


def occurrences(event: Event, *, cancelled: bool = False) -> Iterator[Occurrence]:
    """Every occurrence of `event` in order, at most `WALK`; the `except` ones only if `cancelled` (marked so)."""
    if not event.repeat:
        yield Occurrence(event.start, event.end)
        return
    yield from _walk(event.repeat, event.start, event.end, frozenset(event.exceptions), cancelled)


def next_occurrence(event: Event, day: date) -> Occurrence | None:
    """The first occurrence of `event` that ends on `day` or later (an `except` date is no occurrence), or
    None when the series is over (or its next occurrence lies more than `WALK` occurrences away)."""
    if not event.repeat:
        return Occurrence(event.start, event.end) if _last(event.end) >= day else None
    found = _upcoming(event.repeat, event.start, event.end, event.exceptions, day, 1)
    return next((occurrence for occurrence in found if not occurrence.cancelled), None)


def upcoming(event: Event, day: date, limit: int) -> tuple[Occurrence, ...]:
    """The next `limit` occurrences of `event` that end on `day` or later, with every `except` date from
    `day` on among them, in order, marked cancelled (and not counted)."""
    if not event.repeat:
        occurrence = next_occurrence(event, day)
        return (occurrence,) if occurrence is not None and limit > 0 else ()
    return _upcoming(event.repeat, event.start, event.end, event.exceptions, day, limit)


def first_occurrence(event: Event) -> Occurrence:
    """The event's first occurrence as written (`start`, `end`), even when it is one of its `except` dates."""
    return Occurrence(event.start, event.end)


@lru_cache(maxsize=16_384)
def _upcoming(
    rule: str,
    start: date | datetime,
    end: date | datetime,
    exceptions: tuple[date | datetime, ...],
    day: date,
    limit: int,
) -> tuple[Occurrence, ...]:
    found: list[Occurrence] = []
    counted = 0
    for occurrence in _walk(rule, start, end, frozenset(exceptions), True):
        if occurrence.last_day < day:
            continue
        if counted >= limit:
            break
        found.append(occurrence)
        counted += not occurrence.cancelled
    shown = {occurrence.start for occurrence in found}
    length = end - start  # type: ignore[operator]  # both dates or both datetimes
    later = [Occurrence(moment, moment + length, True) for moment in exceptions if moment not in shown]
    later = [occurrence for occurrence in later if occurrence.last_day >= day]
    return tuple(sorted(found + later, key=lambda occurrence: _instant(occurrence.start)))


def _walk(
    rule: str, start: date | datetime, end: date | datetime, skipped: frozenset[date | datetime], cancelled: bool
) -> Iterator[Occurrence]:
    length = end - start  # type: ignore[operator]  # both dates or both datetimes
    for moment in islice(_rule(utc_rule(rule, start), start), WALK):
        first: date | datetime = moment if isinstance(start, datetime) else moment.date()
        excepted = first in skipped
        if excepted and not cancelled:
            continue
        yield Occurrence(first, first + length, excepted)


def _last(end: date | datetime) -> date:
    return end.date() if isinstance(end, datetime) else end


def _instant(moment: date | datetime) -> float:
    """A sort key for occurrences of one event (all dates, or all aware datetimes)."""
    if isinstance(moment, datetime):
        return moment.timestamp()
    return float(moment.toordinal())


@lru_cache(maxsize=4096)
def _rule(rule: str, start: date | datetime) -> rrule:
    """The parsed rule (with UNTIL already in RFC 5545 form), starting at `start` (midnight for all-day events)."""
    return rrulestr(rule, dtstart=_first(start))  # type: ignore[return-value]  # one RRULE, never a set


def _first(start: date | datetime) -> datetime:
    return start if isinstance(start, datetime) else datetime.combine(start, time())
