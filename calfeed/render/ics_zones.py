"""VTIMEZONEs from the zone database (zoneinfo/tzdata): the changes `icalendar.Timezone.from_tzid` finds, found
faster; `yearly` writes them as yearly rules (what calendars serve), `zone` as `from_tzid` does (the reference).

`from_tzid` walks local time in steps of 64 days, narrowing each step (32 days … 1 second)
where the UTC offset changes. That is slow, and not always right: each walk goes on past the
last day to the next change, which after a zone's last change (Asia/Kolkata, or Sao Paulo
since 2019) is in year 9999, some 45,000 steps; and a step of 64 days can jump over a shorter
period, such as Casablanca's month at +00 in Ramadan 2024, which it then leaves out.

`zone` reads the offset of every day's midnight (local time, as `from_tzid` reads it: an
earlier offset for a time skipped or repeated) in one pass, and finds each change to the
second by bisection within its day. A period shorter than a day could hide between two
midnights; tzdata 2026 has none since 1900 (the shortest lasts 6.9 days).

Each period of one offset is then written as `from_tzid` writes it: the first second local
time shows the new offset is a DTSTART or an RDATE, grouped by TZOFFSETFROM, TZOFFSETTO,
TZNAME and STANDARD or DAYLIGHT as of that second. The result is `from_tzid`'s, byte for
byte, wherever `from_tzid` finds every change (tests/test_ics_zones.py compares both, and
reads ours back against zoneinfo with dateutil).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import compress, count
from operator import ne
from zoneinfo import ZoneInfo

import icalendar
from icalendar.timezone import tzp

Key = tuple[timedelta | None, timedelta, str, bool]  # offset from, offset to, TZNAME, is standard time


def zone(tzid: str, first_date: date, last_date: date) -> icalendar.Timezone:
    """The VTIMEZONE of `tzid` from `first_date` to `last_date` (exclusive), as `from_tzid` makes it."""
    timezone = tzp.timezone(tzid)  # the zone `from_tzid` would use (the TZID as given, or its alias)
    if timezone is None:
        raise ValueError(f"Unkown timezone {tzid}.")
    if not isinstance(timezone, ZoneInfo):  # another provider (pytz): icalendar's own scan
        return icalendar.Timezone.from_tzinfo(timezone, tzid, first_date, last_date)
    return build(tzid, first_date, last_date, onsets(timezone, first_date, last_date))


def yearly(tzid: str, first_date: date, last_date: date) -> icalendar.Timezone:
    """The same changes as `zone`, written as yearly rules where they follow one.

    Each run of changes that recurs on the same weekday of the same month at the same time
    ("the first Sunday of November at 02:00") is one observance with an RRULE (UNTIL its last
    change, or no end when the zone keeps changing so after `last_date`); a change that follows
    no rule (Casablanca's Ramadan months) is an observance of its own with its DTSTART alone.
    No RDATE: ical.js ignores an observance's DTSTART when it has RDATEs, and Outlook misreads them.
    """
    timezone = ZoneInfo(tzid)
    found = onsets(timezone, first_date, last_date)
    tz = _component(tzid, first_date, last_date)
    for key, starts in found.items():
        for run, rule in _runs(sorted(starts)):
            observance = _observance(key, run[0])
            if rule is not None:
                month, ordinal, weekday = rule
                parts = f"FREQ=YEARLY;BYMONTH={month};BYDAY={ordinal}{_WEEKDAYS[weekday]}"
                if not _continues(timezone, run[-1], rule, key):
                    offset_from = key[1] if key[0] is None else key[0]
                    # a day after the last change: dateutil (and so vobject) reads UNTIL's UTC time as
                    # local time, which would drop the last change in zones east of UTC
                    parts += f";UNTIL={run[-1] - offset_from + timedelta(days=1):%Y%m%dT%H%M%SZ}"
                observance.add("RRULE", icalendar.vRecur.from_ical(parts))
            tz.add_component(observance)
    return tz


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
Rule = tuple[int, int, int]  # month, ordinal of the weekday in the month (-1: the last), weekday


def _rules_of(moment: datetime) -> set[Rule]:
    """The yearly rules `moment` fits: its weekday's ordinal in the month, and -1 when it is the last."""
    found = {(moment.month, (moment.day - 1) // 7 + 1, moment.weekday())}
    if (moment + timedelta(days=7)).month != moment.month:
        found.add((moment.month, -1, moment.weekday()))
    return found


def _runs(starts: list[datetime]) -> list[tuple[list[datetime], Rule | None]]:
    """`starts` cut into runs of consecutive years that follow one rule (None for a run of one)."""
    runs: list[tuple[list[datetime], set[Rule]]] = []
    for moment in starts:
        if runs:
            run, rules = runs[-1]
            last = run[-1]
            shared = rules & _rules_of(moment)
            if moment.year == last.year + 1 and moment.time() == last.time() and shared:
                run.append(moment)
                runs[-1] = (run, shared)
                continue
        runs.append(([moment], _rules_of(moment)))
    return [(run, min(rules) if len(run) > 1 else None) for run, rules in runs]  # min: "the last" (-1) first


def _continues(timezone: ZoneInfo, last: datetime, rule: Rule, key: Key) -> bool:
    """True when the zone changes the same way by the same rule in the year after `last`."""
    month, ordinal, weekday = rule
    first = datetime(last.year + 1, month, 1, last.hour, last.minute, last.second)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    if ordinal == -1:
        while (day + timedelta(days=7)).month == month:
            day += timedelta(days=7)
    else:
        day += timedelta(weeks=ordinal - 1)
    before, after = timezone.utcoffset(day - timedelta(seconds=1)), timezone.utcoffset(day)
    return (before, after) == (key[0], key[1]) and (day.replace(tzinfo=timezone).tzname() == key[2])


def onsets(timezone: ZoneInfo, first_date: date, last_date: date) -> dict[Key, list[datetime]]:
    """Each kind of change (offset from, offset to, name, standard or not) and the local times it happens."""
    first = datetime(first_date.year, first_date.month, first_date.day)
    last = datetime(last_date.year, last_date.month, last_date.day)
    offsets: dict[Key, list[datetime]] = {}
    previous = None
    for start in starts(timezone, first, last):
        aware = start.replace(tzinfo=timezone)
        offset, name = aware.utcoffset(), aware.tzname()
        assert offset is not None
        key = (previous, offset, str(offset) if name is None else name, aware.dst() == timedelta())
        offsets.setdefault(key, []).append(start)
        previous = offset
    return offsets


def starts(timezone: ZoneInfo, first: datetime, last: datetime) -> list[datetime]:
    """`first`, then each local time (naive, to the second) from which the UTC offset differs, before `last`."""
    days = list(map(datetime.fromordinal, range(first.toordinal(), last.toordinal() + 1)))  # each midnight
    offsets = list(map(timezone.utcoffset, days))  # local times with fold=0, as `from_tzid` reads them
    found = [first]
    for n in compress(count(1), map(ne, offsets, offsets[1:])):  # the offset differs from the day before
        before = offsets[n - 1]
        low, high = 0, 86_400  # seconds into the day before: the offset is `before` at low, another at high
        while high - low > 1:
            middle = (low + high) // 2
            if timezone.utcoffset(days[n - 1] + timedelta(seconds=middle)) == before:
                low = middle
            else:
                high = middle
        change = days[n - 1] + timedelta(seconds=high)
        if change < last:
            found.append(change)
    return found


def build(tzid: str, first_date: date, last_date: date, offsets: dict[Key, list[datetime]]) -> icalendar.Timezone:
    """The component, observance by observance, as `icalendar.Timezone.from_tzinfo` writes it."""
    tz = _component(tzid, first_date, last_date)
    for key, starts in offsets.items():
        first_start, *later = sorted(starts)  # all before `last_date`
        observance = _observance(key, first_start)
        if later:
            observance.add("RDATE", later)
        tz.add_component(observance)
    return tz


def _component(tzid: str, first_date: date, last_date: date) -> icalendar.Timezone:
    tz = icalendar.Timezone()
    tz.add("TZID", tzid)
    tz.add("COMMENT", f"This timezone only works from {first_date} to {last_date}.")
    return tz


def _observance(key: Key, start: datetime) -> icalendar.cal.component.Component:
    offset_from, offset_to, tzname, is_standard = key
    observance = icalendar.TimezoneStandard() if is_standard else icalendar.TimezoneDaylight()
    observance.TZOFFSETFROM = offset_to if offset_from is None else offset_from
    observance.TZOFFSETTO = offset_to
    observance.add("TZNAME", tzname)
    observance.DTSTART = start
    return observance
