"""When each event takes place, computed from the content model, and read back by independent clients.

`expected_instants(site, event, window)` is the oracle: every occurrence of `event` that starts in
`window`, from the model alone (its start, end, repeat rule and `except` dates, with `zoneinfo` and
dateutil's rrule on the wall-clock time), never from calfeed's own calendar code. Each reader
(`read_recurring`, `read_vobject`, `read_icaljs`) takes the served bytes and gives the same shape,
by UID, so a test compares them with `==` and prints the difference.

An occurrence is ``(start, end)``: aware datetimes in UTC for timed events, or dates for all-day
events (the first day and the day after the last). An event without an end ends when it starts.

Reused by other tests (the import round trip): keep it free of pytest fixtures.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

import icalendar
import recurring_ical_events
import vobject
from dateutil.rrule import rrulestr

from calfeed.model import Event, Site

Moment = date | datetime
Occurrence = tuple[Moment, Moment]
Window = tuple[datetime, datetime]  # [start, end) in UTC

ROOT = Path(__file__).resolve().parent.parent
ICALJS_SCRIPT = Path(__file__).resolve().parent / "icaljs_instants.mjs"
ICALJS_DEFAULT = ROOT / ".cache/icaljs/node_modules/ical.js/dist/ical.js"  # fetched by the Makefile


# -- the oracle: the content model and zoneinfo ------------------------------------------------


def expected_instants(site: Site, event: Event, window: Window) -> list[Occurrence]:
    """Every occurrence of `event` that starts within `window`, from the model alone, in order.

    `site` is the event's site (kept in the signature so that an oracle needing site settings
    does not change its callers)."""
    del site
    if isinstance(event.start, datetime) and isinstance(event.end, datetime):
        found: list[Occurrence] = list(_timed(event, window))
        return [o for o in found if window[0] <= o[0] < window[1]]  # type: ignore[operator]
    assert not isinstance(event.start, datetime) and not isinstance(event.end, datetime)
    length = event.end - event.start + timedelta(days=1)  # `end` is the last day
    days = [(d, d + length) for d in _all_day_starts(event, window)]
    first, last = window[0].date(), window[1].date()
    return [o for o in days if first <= o[0] < last]  # type: ignore[operator]


def _timed(event: Event, window: Window) -> Iterator[Occurrence]:
    """The first occurrence from `start` to `end` as written; each later one at the same wall-clock time
    (RFC 5545 §3.3.5: a time that happens twice is the first of the two, one skipped by the clocks is
    read with the offset before the change), lasting as long on the clock as the first (the length
    every reader takes from DTEND − DTSTART, and calfeed's pages)."""
    assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
    if not event.repeat:
        yield event.start.astimezone(UTC), event.end.astimezone(UTC)
        return
    zone: tzinfo = event.start.tzinfo or UTC
    local = event.start.replace(tzinfo=None)  # the wall-clock time each occurrence repeats
    length = event.end.astimezone(zone).replace(tzinfo=None) - local
    rule = rrulestr(_local_until(event.repeat, zone), dtstart=local)
    skipped = {_local(moment, zone) for moment in event.exceptions}
    for n, wall in enumerate(rule):
        if wall > _beyond(window):
            break
        if wall in skipped or wall.date() in skipped:
            continue
        if n == 0:
            yield event.start.astimezone(UTC), event.end.astimezone(UTC)
        else:
            yield wall.replace(tzinfo=zone).astimezone(UTC), (wall + length).replace(tzinfo=zone).astimezone(UTC)


def _all_day_starts(event: Event, window: Window) -> list[date]:
    assert not isinstance(event.start, datetime)
    if not event.repeat:
        return [event.start]
    rule = rrulestr(_local_until(event.repeat, None), dtstart=datetime.combine(event.start, time()))
    skipped = {moment if not isinstance(moment, datetime) else moment.date() for moment in event.exceptions}
    days = []
    for moment in rule:
        if moment > _beyond(window):
            break
        if moment.date() not in skipped:
            days.append(moment.date())
    return days


def _beyond(window: Window) -> datetime:
    """A wall-clock time later than the end of `window` in any zone: where walking a rule can stop."""
    return window[1].replace(tzinfo=None) + timedelta(days=2)


def _local(moment: Moment, zone: tzinfo) -> Moment:
    """An `except` value as a naive wall-clock time (or a day) in the event's zone."""
    return moment.astimezone(zone).replace(tzinfo=None) if isinstance(moment, datetime) else moment


def _local_until(rule: str, zone: tzinfo | None) -> str:
    """`rule` with UNTIL as a naive local time, as content.md describes it: a day means its last minute
    (23:59) in the event's zone, a time with Z is converted to that zone, a local time is taken as it is."""
    rule = rule.removeprefix("RRULE:")
    match = re.search(r"UNTIL=(\d{8})(T(\d{6})(Z?))?", rule)
    if not match:
        return rule
    day = datetime.strptime(match[1], "%Y%m%d")
    if zone is None:  # an all-day rule: the day
        until = day
    elif not match[2]:
        until = day.replace(hour=23, minute=59)
    else:
        until = datetime.strptime(match[1] + match[3], "%Y%m%d%H%M%S")
        if match[4]:
            until = until.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    return rule[: match.start()] + f"UNTIL={until:%Y%m%dT%H%M%S}" + rule[match.end() :]


def expected_calendar(site: Site, events: Iterable[Event], window: Window) -> dict[str, list[Occurrence]]:
    """`expected_instants` of each event, by the UID the calendar gives it."""
    return {uid(site, event): expected_instants(site, event, window) for event in events}


def uid(site: Site, event: Event) -> str:
    return f"{event.id}@{site.calendar.host}"


# -- the readers: independent clients reading the served bytes ------------------------------------


def read_recurring(body: bytes, window: Window) -> dict[str, list[Occurrence]]:
    """Occurrences as `recurring-ical-events` expands them (on `icalendar`'s parse).

    icalendar would read a known TZID from the zone database and ignore our VTIMEZONE; every TZID
    is renamed first, so that it reads the times through the VTIMEZONE we wrote, as a client must
    (uniquely per calendar: icalendar keeps the first zone it built for a name for the whole process)."""
    prefix = b"X-" + hashlib.sha256(body).hexdigest()[:16].encode() + b"-"
    renamed = re.sub(rb"TZID([:=])", rb"TZID\1" + prefix, body)
    calendar = icalendar.Calendar.from_ical(renamed)
    found: dict[str, list[Occurrence]] = {}
    for component in calendar.walk("VEVENT"):  # every event is listed, even one with no occurrence here
        found.setdefault(str(component["UID"]), [])
    for component in recurring_ical_events.of(calendar).between(window[0], window[1]):
        start, end = component.decoded("DTSTART"), component.decoded("DTEND", None)
        found[str(component["UID"])].append(_occurrence(start, end))
    return _in_window(found, window)


def read_vobject(body: bytes, window: Window) -> dict[str, list[Occurrence]]:
    """Occurrences as `vobject` expands them (dateutil's rruleset, times through our VTIMEZONEs)."""
    known = vars(vobject.icalendar)["__tzidMap"]  # vobject keeps the first VTIMEZONE of a TZID per process
    known.clear()
    known["UTC"] = vobject.icalendar.utc
    found: dict[str, list[Occurrence]] = {}
    for component in vobject.readOne(body.decode("utf-8")).vevent_list:
        start = component.dtstart.value
        end = component.dtend.value if hasattr(component, "dtend") else None
        length = (end - start) if end is not None else None
        moments = [start] if component.rruleset is None else component.getrruleset(addRDate=True)
        occurrences = []
        for moment in moments:
            if _past(moment, window):
                break
            if not isinstance(start, datetime):
                moment = moment.date() if isinstance(moment, datetime) else moment
            occurrences.append(_occurrence(moment, None if length is None else moment + length))
        found[component.uid.value] = occurrences
    return _in_window(found, window)


def _past(moment: Moment, window: Window) -> bool:
    """True when `moment` (aware, naive or a date) starts after `window` ends, wherever it is."""
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        return moment > window[1]
    day = moment.date() if isinstance(moment, datetime) else moment
    return day > window[1].date() + timedelta(days=1)


def icaljs_path() -> Path | None:
    """ical.js's module, if it has been fetched (make fetches it; CALFEED_ICALJS may name another)."""
    path = Path(os.environ.get("CALFEED_ICALJS") or ICALJS_DEFAULT)
    return path if path.is_file() else None


def icaljs_missing() -> str | None:
    """Why ical.js cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (.ci/run installs npm and node): the ical.js reader cannot run"
    if icaljs_path() is None:
        return "ical.js is not fetched (run `make .cache/icaljs`, which needs npm)"
    return None


def read_icaljs(bodies: list[bytes], window: Window) -> list[dict[str, list[Occurrence]]]:
    """Occurrences as ical.js (Thunderbird's parser) expands them, for each calendar in `bodies`,
    in one node process."""
    path = icaljs_path()
    assert path is not None, icaljs_missing()
    request = {
        "calendars": [body.decode("utf-8") for body in bodies],
        "start": window[0].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": window[1].strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    done = subprocess.run(
        ["node", str(ICALJS_SCRIPT), str(path)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = []
    for calendar in json.loads(done.stdout):
        found = {
            key: [(_from_js(start), _from_js(end)) for start, end in occurrences]
            for key, occurrences in calendar.items()
        }
        results.append(_in_window(found, window))
    return results


def _from_js(text: str) -> Moment:
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _occurrence(start: Moment, end: Moment | None) -> Occurrence:
    """An occurrence in the oracle's shape; without an end, a timed one ends when it starts, an all-day
    one lasts its day (RFC 5545 §3.6.1)."""
    if isinstance(start, datetime):
        assert start.tzinfo is not None, f"a floating time: {start}"
        end = start if end is None else end
        assert isinstance(end, datetime)
        return start.astimezone(UTC), end.astimezone(UTC)
    return start, start + timedelta(days=1) if end is None else end


def _in_window(found: Mapping[str, list[Occurrence]], window: Window) -> dict[str, list[Occurrence]]:
    def starts_within(occurrence: Occurrence) -> bool:
        start = occurrence[0]
        if isinstance(start, datetime):
            return window[0] <= start < window[1]
        return window[0].date() <= start < window[1].date()

    return {key: sorted(filter(starts_within, occurrences)) for key, occurrences in found.items()}  # type: ignore[type-var]


def differences(expected: Mapping[str, list[Occurrence]], read: Mapping[str, list[Occurrence]], reader: str) -> str:
    """The events a reader reads differently, with the expected and the read occurrences: '' if none."""
    lines = []
    for key in sorted(set(expected) | set(read)):
        want, got = expected.get(key), read.get(key)
        if want != got:
            lines.append(f"{reader} reads {key} wrong:\n  expected {_show(want)}\n  read     {_show(got)}")
    return "\n".join(lines)


def _show(occurrences: list[Occurrence] | None) -> str:
    if occurrences is None:
        return "no such event"
    return ", ".join(f"{_iso(start)}/{_iso(end)}" for start, end in occurrences) or "no occurrence"


def _iso(moment: Moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(moment, datetime) else moment.isoformat()


__all__ = [
    "expected_instants",
    "expected_calendar",
    "read_recurring",
    "read_vobject",
    "read_icaljs",
    "icaljs_missing",
    "differences",
]
