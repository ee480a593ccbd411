"""VTIMEZONEs from the zone database (zoneinfo/tzdata), written as `icalendar.Timezone.from_tzid` writes them.

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
    return build(tzid, first_date, last_date, offsets)


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
    tz = icalendar.Timezone()
    tz.add("TZID", tzid)
    tz.add("COMMENT", f"This timezone only works from {first_date} to {last_date}.")
    for (offset_from, offset_to, tzname, is_standard), onsets in offsets.items():
        first_start, *later = sorted(onsets)  # all before `last_date`
        observance = icalendar.TimezoneStandard() if is_standard else icalendar.TimezoneDaylight()
        observance.TZOFFSETFROM = offset_to if offset_from is None else offset_from
        observance.TZOFFSETTO = offset_to
        observance.add("TZNAME", tzname)
        observance.DTSTART = first_start
        if later:
            observance.add("RDATE", later)
        tz.add_component(observance)
    return tz
