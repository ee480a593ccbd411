"""Dates and times as editors write them, checked against the time zone database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
LOCAL_TIME = r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?[ \t]*"
OFFSET = r"(?:(Z|z)|([+-])(\d{1,2})(?::?(\d{2}))?)"  # after a local time: UTC, or an offset from it
DATETIME = re.compile(f"{LOCAL_TIME}{OFFSET}?")

EXPECTED_DATE = "expected a date like 2021-09-09 or a date and time like 2021-09-09 10:00"


class DateValueError(ValueError):
    """The text looks like a date but is not a real one (2021-02-30, 25:00)."""


def parse_when(text: str) -> date | datetime | None:
    """Return a date, a naive datetime, or an aware datetime (offset or Z given).

    Returns None when `text` is not written as a date at all; raises
    `DateValueError` when it is, but names a day or time that does not exist.
    """
    text = text.strip()
    if match := DATE.fullmatch(text):
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as error:
            raise DateValueError(f"{text} is not a real date: {error}") from None
    if match := DATETIME.fullmatch(text):
        year, month, day, hour, minute = int(match[1]), int(match[2]), int(match[3]), int(match[4]), int(match[5])
        second = int(match[6] or 0)
        micro = int((match[7] or "0").ljust(6, "0"))
        zone: tzinfo | None = None
        if match[8]:
            zone = UTC
        elif match[9]:
            offset = timedelta(hours=int(match[10]), minutes=int(match[11] or 0))
            if offset >= timedelta(hours=24):
                raise DateValueError(f"{text} has an impossible UTC offset")
            zone = timezone(offset if match[9] == "+" else -offset)
        try:
            return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
        except ValueError as error:
            raise DateValueError(f"{text} is not a real date and time: {error}") from None
    return None


def zone_named(name: str) -> ZoneInfo | None:
    """Return the IANA zone called `name`, or None if the zone database has no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the database ("America")
        return None


def localize(naive: datetime, zone: ZoneInfo) -> tuple[datetime, str | None]:
    """Attach `zone` to a wall-clock time.

    Returns ``(aware, problem)``: `problem` says why the wall-clock time is
    ambiguous (it happens twice, when clocks go back) or does not exist (clocks go
    forward), else it is None.
    """
    year, month, day, hour, minute, second_, micro = (
        naive.year,
        naive.month,
        naive.day,
        naive.hour,
        naive.minute,
        naive.second,
        naive.microsecond,
    )
    # (the constructor, not `replace`: a third of the time, and most times are not near a transition)
    first = datetime(year, month, day, hour, minute, second_, micro, zone)
    second = datetime(year, month, day, hour, minute, second_, micro, zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first, None
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip == naive:
        return first, (
            f"{naive:%Y-%m-%d %H:%M} happens twice in {zone.key} (the clocks go back); "
            f"expected an explicit offset, {_iso_offset(first)} or {_iso_offset(second)}"
        )
    return first, (
        f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key} (the clocks go forward); "
        "expected a time outside the skipped hour"
    )


def repeated(moment: datetime) -> bool:
    """True when `moment`'s wall-clock time happens twice in its zone (the clocks go back)."""
    return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()


def _iso_offset(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")
