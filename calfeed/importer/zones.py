"""Which IANA zone an imported time is in, whatever the source calls it.

A ``TZID`` may be an IANA name (``Europe/Berlin``), a Windows name as Outlook and Exchange write it
(``W. Europe Standard Time``, mapped by icalendar's own table), a "globally unique" id
(``/citadel.org/20190914_1/Europe/Berlin``), or a display name with its own VTIMEZONE
(``(UTC+01:00) Amsterdam, Berlin, …``). The last kind is matched against the calendar's zone: when the
VTIMEZONE gives the same offsets through the year of the event, the calendar's zone is meant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from ..dates import zone_named


def iana_name(tzid: str | None, moment: datetime, calendar_zone: str) -> str | None:
    """The IANA name for a time written with `tzid` (its decoded value `moment`), or None if none fits.

    A time without TZID is in UTC (``Z``) or floating; a floating time is in the calendar's zone.
    """
    if moment.tzinfo is None:
        return calendar_zone
    if tzid is None:
        return "UTC" if moment.utcoffset() == timedelta(0) else None
    cleaned = tzid.strip().strip("/")
    candidates = [cleaned, WINDOWS_TO_OLSON.get(cleaned, "")]
    if tzid.startswith("/"):
        parts = cleaned.split("/")
        candidates += ["/".join(parts[start:]) for start in range(1, len(parts))]
    for name in candidates:
        if name and zone_named(name) is not None:
            return "UTC" if name in ("UTC", "Etc/UTC", "GMT", "Etc/GMT") else name
    calendar = zone_named(calendar_zone)
    if calendar is not None and same_offsets(moment.tzinfo, calendar, moment.year):
        return calendar_zone
    return None


def same_offsets(zone: tzinfo, other: tzinfo, year: int) -> bool:
    """Whether two zones give the same UTC offset at noon on the 1st and 15th of every month of `year`."""
    for month in range(1, 13):
        for day in (1, 15):
            instant = datetime(year, month, day, 12, tzinfo=UTC)
            if instant.astimezone(zone).utcoffset() != instant.astimezone(other).utcoffset():
                return False
    return True


def local(moment: datetime, zone_name: str) -> datetime:
    """`moment` as wall-clock time in `zone_name` (still aware)."""
    zone = zone_named(zone_name)
    assert zone is not None
    return moment.astimezone(zone) if moment.tzinfo is not None else moment.replace(tzinfo=zone)
