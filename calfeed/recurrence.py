"""When a repeating event takes place: its occurrences, the next one, the series' last day.

An event's `repeat` is an RFC 5545 RRULE (checked by `content.py`); `start` and `end`
describe its first occurrence, and every occurrence lasts as long. Occurrences of an all-day
event are dates, those of a timed event aware datetimes at the same wall-clock time in the
event's zone (so a weekly 18:00 meeting stays at 18:00 across a change to summer time).
`except` dates are skipped. Every function here also answers for an event that does not
repeat: it has one occurrence.

Rules are walked at most `WALK` occurrences far, and no further than their horizon: `STEPS`
periods of their frequency from their start (a fifth as many days for rules finer than daily, whose
steps cost more). dateutil steps period by period until the year 9999 when no date matches, which
took seconds for a rule `calfeed check` had never seen; a rule that reaches neither its COUNT nor
its UNTIL by its horizon counts as endless. The calendar (`render/ics.py`) and the pages
(`render/html.py`, `render/jsonld.py`) share these answers. No Flask, no rendering: model in, dates out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from itertools import islice
from types import FunctionType, SimpleNamespace
from typing import Any

import dateutil.rrule
from dateutil.rrule import rrule, rrulestr

from .model import Event, Span

WALK = 100_000  # occurrences walked to find a rule's last (or next) one; past that it counts as endless
MAX_OCCURRENCES = 10_000  # a rule with COUNT or UNTIL may have at most these (`calfeed check`)
STEPS = 50_000  # periods of its frequency a rule is walked at most: its horizon (see the module's docstring)
LAST_YEAR = 9997  # no walk goes past it, nor any date check accepts (checks.MAX_YEAR): pages look a year ahead
_LAST_END = date(LAST_YEAR + 1, 12, 31)  # no occurrence ends later
_DAYS = {"MONTHLY": 365.25 / 12, "WEEKLY": 7, "DAILY": 1}  # a period in days; finer rules: STEPS / 5 days
_DAY_PARTS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")
_ORDINAL = re.compile(r"([+-]?\d+)(?:MO|TU|WE|TH|FR|SA|SU)")  # "2TH", "-1FR" in BYDAY
_UNTIL = re.compile(r"\d{8}(T\d{6}Z?)?")  # RFC 5545's date or date-time
_CLOCK_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_FINER = ("MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")
# The values RFC 5545 allows in each list part (and their negatives where it allows those): dateutil
# accepts some beyond them (BYWEEKNO=54, BYYEARDAY=367, BYMONTH=13, INTERVAL=0) and then walks to the
# year 9999 finding nothing, or repeats one date forever.
_RANGES = {
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYHOUR": (0, 23, False),
    "BYMINUTE": (0, 59, False),
    "BYSECOND": (0, 60, False),
    "BYSETPOS": (1, 366, True),
    "INTERVAL": (1, 10_000, False),
}
# The calendar repeats every 400 years (weekdays and leap years alike): a pattern of days that matches
# none in 400 years matches none ever. dateutil stops walking at the year 9999 (an UNTIL only stops it at a
# date it found), so a probe starts that far before it.
_CYCLE_START = datetime(9999 - 400, 1, 1)
_PERIODS = 5_000  # a finer rule with BYSETPOS must pick a date within this many of its periods (weeks, days…)


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

    Each part must hold values RFC 5545 allows (dateutil takes BYWEEKNO=54 or INTERVAL=0 and finds no
    date, or one date forever). Whether any day matches the rule's day parts is asked of a yearly rule
    over one 400-year cycle of the calendar, and whether its BYSETPOS picks any date at all (`_no_position`):
    each a clearer message, and quicker than a walk to 9999. Then the rule is walked as the renderers walk
    it, within its horizon: one without COUNT or UNTIL must occur by then, one with them must end by then
    (`MAX_OCCURRENCES` at most)."""
    try:
        return _trouble(rule, start)
    except (IndexError, OverflowError) as error:  # dateutil's own failures on odd rules (none known left)
        return f"cannot be expanded ({type(error).__name__} in dateutil; expected a simpler rule)"


def _trouble(rule: str, start: date | datetime) -> str | None:
    parts = rule_parts(rule)
    if (reason := out_of_range(parts) or _ordinals(parts)) is not None:
        return reason
    day_parts = {name: value for name, value in parts.items() if name in _DAY_PARTS}
    try:
        if day_parts:  # the same day parts on a yearly rule, over one cycle of the calendar
            yearly = ";".join(["FREQ=YEARLY", *(f"{name}={value}" for name, value in day_parts.items())])
            if next(iter(rrulestr(yearly, dtstart=_CYCLE_START)), None) is None:
                days = ", ".join(day_parts)
                return f"never occurs: no day matches all of its {days} (expected a rule with dates)"
        if "BYSETPOS" in parts and (reason := _no_position(parts, start)) is not None:
            return reason
    except ValueError:  # not a valid rule: `calfeed check` says so on its own
        return None
    try:
        walk = _rule(utc_rule(rule, start), start)
        walked = sum(1 for _ in islice(walk, MAX_OCCURRENCES + 1))
    except ValueError:  # not a valid rule: `calfeed check` says so on its own
        return None
    if walked == 0:
        before = f" before {walk.last_year + 1}" if walk.last_year < LAST_YEAR else ""
        return f"never occurs{before} (expected a rule that produces at least one date)"
    if "COUNT" not in parts and "UNTIL" not in parts:
        return None
    if walked > MAX_OCCURRENCES:
        return (
            f"has more than {MAX_OCCURRENCES:,} occurrences "
            f"(expected at most {MAX_OCCURRENCES:,}: a lower COUNT or an earlier UNTIL)"
        )
    if walk.cut(walked) and walk.last_year == LAST_YEAR:
        return f"goes on past the year {LAST_YEAR} (expected a lower COUNT or an earlier UNTIL)"
    if walk.cut(walked):
        return (
            f"has dates too far apart: it reaches neither its COUNT nor its UNTIL by {walk.last_year}, the "
            f"furthest calfeed walks a rule with FREQ={parts.get('FREQ')} from its start "
            "(expected a coarser FREQ, e.g. YEARLY for a date every few years)"
        )
    return None


def walk(rule: str, start: date | datetime) -> Iterable[datetime]:
    """The rule's occurrences from `start` as dateutil gives them (naive at midnight for all-day events),
    within its horizon; the `except` dates are among them."""
    return _rule(utc_rule(rule, start), start)


def first_date(rule: str, start: date | datetime) -> date | datetime | None:
    """The rule's first date when it is not `start` itself (a date or an aware datetime, as `start`), else None.

    RFC 5545 (3.8.5.3) leaves undefined a series whose DTSTART is not one of its rule's dates, and readers
    differ: dateutil's and ical.js's add it as an extra occurrence, others drop it, and the pages (like
    dateutil's rrule) list the rule's dates alone."""
    found = next(iter(walk(rule, start)), None)
    if found is None:
        return None
    first = found if isinstance(start, datetime) else found.date()
    return None if first == start else first


def malformed(rule: str, all_day: bool) -> str | None:
    """Why `rule` breaks RFC 5545's grammar in a way dateutil lets pass (or refuses in its own words), or None:
    a part given twice (readers differ on which one counts), an UNTIL that is not a date (dateutil reads
    `UNTIL=2021` as this year's today, icalendar refuses the whole calendar) or not of the start's kind (a
    date for an all-day event, a UTC time for a timed one), or hours, minutes or seconds in the rule of an
    all-day event (RFC 5545 forbids them; readers list one day many times)."""
    names = [part.partition("=")[0] for part in rule.removeprefix("RRULE:").split(";") if part]
    if twice := sorted({name for name in names if names.count(name) > 1}):
        return f"has {', '.join(twice)} more than once (expected each part once, as RFC 5545 requires)"
    until = rule_parts(rule).get("UNTIL")
    if until is not None and not _UNTIL.fullmatch(until):
        return f"has UNTIL={until} (expected a date like 20221231, or a time like 20221231T230000Z)"
    if until is not None and all_day and until.endswith("Z"):  # a local time is read as its day
        return f"has UNTIL={until}, a UTC time, but the event is all-day (expected a date like {until[:8]})"
    if until is not None and not all_day and not until.endswith("Z"):
        return f"has UNTIL={until}, not a UTC time (expected a time with Z for a timed event, like {until[:8]}T230000Z)"
    if all_day and (finer := [name for name in names if name in _CLOCK_PARTS]):
        return (
            f"repeats an all-day event by {', '.join(finer)} (expected FREQ=DAILY or coarser, without "
            "BYHOUR, BYMINUTE or BYSECOND: an all-day event happens once a day at most)"
        )
    if all_day and rule_parts(rule).get("FREQ") in ("HOURLY", "MINUTELY", "SECONDLY"):
        return (
            f"repeats an all-day event {rule_parts(rule)['FREQ'].lower()} (expected FREQ=DAILY or coarser: "
            "an all-day event happens once a day at most)"
        )
    return None


def out_of_range(parts: dict[str, str]) -> str | None:
    """Why a part of the rule holds a value RFC 5545 does not allow, or None."""
    if "COUNT" in parts and "UNTIL" in parts:
        return "has both COUNT and UNTIL (expected one of them, as RFC 5545 requires)"
    for name, (low, high, negative) in _RANGES.items():
        for value in parts.get(name, "").split(",") if name in parts else ():
            try:
                number = int(value)
            except ValueError:  # not a number: dateutil says so
                continue
            if not (low <= number <= high or (negative and -high <= number <= -low)):
                allowed = f"{low} to {high}" + (f", or -{high} to -{low}" if negative else "")
                return f"has {name}={value} (expected {name} from {allowed})"
    return None


def _no_position(parts: dict[str, str], start: date | datetime) -> str | None:
    """Why a rule with BYSETPOS picks no date, or None: a position past the dates of every period (the sixth
    Monday of a month, the second 5 o'clock of an hour) leaves dateutil walking to the year 9999.

    Yearly and monthly rules are walked over a cycle of the calendar; finer ones over `_PERIODS` periods,
    at the same time of day as `start`: a rule that picks nothing in those is refused."""
    freq = parts.get("FREQ", "")
    kept = ";".join(f"{name}={value}" for name, value in parts.items() if name not in ("COUNT", "UNTIL"))
    first = _CYCLE_START
    if freq not in ("YEARLY", "MONTHLY"):
        step = {"WEEKLY": "weeks", "DAILY": "days", "HOURLY": "hours", "MINUTELY": "minutes"}.get(freq, "seconds")
        begin = datetime(9999, 12, 31, 23, 59, 59) - timedelta(**{step: _PERIODS})
        first = begin.replace(hour=_first(start).hour, minute=_first(start).minute, second=_first(start).second)
    if next(iter(rrulestr(kept, dtstart=first)), None) is not None:
        return None
    within = "400 years" if freq in ("YEARLY", "MONTHLY") else f"{_PERIODS:,} {step}"
    return f"never occurs: its BYSETPOS picks no date in {within} (expected positions within the dates of each period)"


def _ordinals(parts: dict[str, str]) -> str | None:
    """Why the rule's numbered weekdays (BYDAY=2TH) cannot be: RFC 5545 allows them only in a month or a
    year, and a month has at most 5 of each weekday (dateutil raised IndexError on 53MO in a month)."""
    ordinals = [int(n) for n in _ORDINAL.findall(parts.get("BYDAY", ""))]
    if not ordinals:
        return None
    freq = parts.get("FREQ")
    if freq not in ("MONTHLY", "YEARLY") or (freq == "YEARLY" and "BYWEEKNO" in parts):
        return (
            "numbers a weekday in BYDAY (expected numbers like 2TH only with FREQ=MONTHLY or YEARLY, without BYWEEKNO)"
        )
    if (freq == "MONTHLY" or "BYMONTH" in parts) and any(abs(n) > 5 for n in ordinals):
        return "numbers a weekday past a month's fifth in BYDAY (expected 1MO to 5MO, or -1MO to -5MO, in a month)"
    return None


@lru_cache(maxsize=4096)
def last_start(rule: str, start: date | datetime) -> datetime | None:
    """The start of a rule's last occurrence (at most its UNTIL), or None when it repeats forever
    or has more than `WALK` occurrences. Naive for all-day events, aware (UTC when from UNTIL) for timed ones."""
    rule = utc_rule(rule, start)
    first = _first(start)
    if "UNTIL=" in rule:  # an upper bound, found without walking the rule
        until = rule.split("UNTIL=", 1)[1].split(";", 1)[0]
        if int(until[:4]) > LAST_YEAR:  # past every walk: endless, as far as calfeed knows
            return None
        if isinstance(start, datetime):
            return datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return datetime.strptime(until[:8], "%Y%m%d")
    if "COUNT=" not in rule:
        return None
    walk = _rule(rule, start)
    occurrences = list(islice(walk, WALK + 1))
    if len(occurrences) > WALK or walk.cut(len(occurrences)):
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
        if _last(first) > _LAST_END - length:  # a years-long occurrence near the end of dates: the walk ends
            return
        yield Occurrence(first, first + length, excepted)


def _last(end: date | datetime) -> date:
    return end.date() if isinstance(end, datetime) else end


def _instant(moment: date | datetime) -> float:
    """A sort key for occurrences of one event (all dates, or all aware datetimes)."""
    if isinstance(moment, datetime):
        return moment.timestamp()
    return float(moment.toordinal())


class _Walk:
    """A parsed rule (with UNTIL already in RFC 5545 form), walked from `start` (midnight for all-day events)
    no further than the end of `last_year`: its horizon."""

    def __init__(self, rule: str, start: date | datetime) -> None:
        self.rule: rrule = rrulestr(rule, dtstart=_first(start))  # type: ignore[assignment]  # one RRULE, never a set
        parts = rule_parts(rule)
        freq = parts.get("FREQ", "")
        days = STEPS * _DAYS[freq] * int(parts.get("INTERVAL", "1")) if freq in _DAYS else STEPS / 5
        self.last_year = LAST_YEAR if parts.get("FREQ") == "YEARLY" else min(LAST_YEAR, int(start.year + days / 365.25))
        self.count = int(parts["COUNT"]) if "COUNT" in parts else None
        self.until_year = int(parts["UNTIL"][:4]) if "UNTIL" in parts else None

    def __iter__(self) -> Iterator[datetime]:
        return _walker(self.last_year)(self.rule)

    def cut(self, walked: int) -> bool:
        """Whether a walk that found `walked` occurrences stopped at the horizon before the rule's own end."""
        if self.count is not None and walked >= self.count:
            return False
        return self.until_year is None or self.until_year > self.last_year


@lru_cache(maxsize=64)
def _walker(last_year: int) -> Any:
    """dateutil's own walk of a rule (`rrule._iter`), which ends after the year `datetime.MAXYEAR` names,
    made to read `last_year` there instead: dateutil has no other way to stop a walk that finds no date
    (its UNTIL only ends one at a date found past it). `test_recurrence` holds it to dateutil's answers."""
    clock = SimpleNamespace(date=date, datetime=datetime, MAXYEAR=last_year)
    walk = vars(rrule)["_iter"]
    return FunctionType(walk.__code__, {**vars(dateutil.rrule), "datetime": clock}, walk.__name__)


@lru_cache(maxsize=4096)
def _rule(rule: str, start: date | datetime) -> _Walk:
    """The parsed rule (with UNTIL already in RFC 5545 form), starting at `start`, walked within its horizon."""
    return _Walk(rule, start)


def _first(start: date | datetime) -> datetime:
    return start if isinstance(start, datetime) else datetime.combine(start, time())
