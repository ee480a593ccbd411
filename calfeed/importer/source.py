"""Where an import comes from: an ``.ics`` file or an http(s) URL, read whole and parsed by icalendar.

Every way a source can be bad ends in one `SourceError` saying what and where, never a traceback:
a missing file, a URL that times out, fails or redirects too often, a body larger than the limit, a
text that is not iCalendar, or one that stops before its ``END:VCALENDAR`` (truncated).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import icalendar

MAX_BYTES = 64 * 1024 * 1024  # a source larger than this is refused (about 100,000 events)
TIMEOUT = 30.0  # seconds without data before a download is given up
MAX_REDIRECTS = 5


class SourceError(Exception):
    """The source cannot be imported; the message says why, naming the source."""


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS
    max_repeats = 2


def read_source(source: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT) -> bytes:
    """The bytes of `source`: a file path, or an http(s) (or webcal) URL."""
    if source.startswith("webcal://"):
        source = "https://" + source.removeprefix("webcal://")
    if source.startswith(("http://", "https://")):
        return _download(source, max_bytes, timeout)
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(f"{source}: {size:,} bytes is more than the limit of {max_bytes:,} bytes")
        return path.read_bytes()
    except OSError as error:
        raise SourceError(f"{source}: cannot read it: {error.strerror or error}") from None


def _download(url: str, max_bytes: int, timeout: float) -> bytes:
    opener = urllib.request.build_opener(_Redirects())
    request = urllib.request.Request(url, headers={"User-Agent": "calfeed-import", "Accept": "text/calendar, */*"})
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(max_bytes + 1)
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            raise SourceError(f"{url}: redirected too many times (a redirect loop?): {error.reason}") from None
        raise SourceError(f"{url}: the server answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise SourceError(f"{url}: no answer within {timeout:g} seconds (timed out)") from None
        raise SourceError(f"{url}: cannot download it: {reason}") from None
    except TimeoutError:
        raise SourceError(f"{url}: no answer within {timeout:g} seconds (timed out)") from None
    except OSError as error:
        raise SourceError(f"{url}: cannot download it: {error}") from None
    if len(body) > max_bytes:
        raise SourceError(f"{url}: more than the limit of {max_bytes:,} bytes")
    return body


def parse_calendar(data: bytes, source: str) -> icalendar.Calendar:
    """The VCALENDAR in `data`, or a `SourceError` saying why it is not one (or only part of one)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"{source}: not UTF-8 text (byte {error.start}): not an iCalendar file") from None
    first = text.lstrip().split("\n", 1)[0].strip()
    if first.upper() != "BEGIN:VCALENDAR":
        raise SourceError(
            f"{source}: not an iCalendar file (expected BEGIN:VCALENDAR on line 1, found {first[:60] or 'nothing'!r})"
        )
    last = text.rstrip().rsplit("\n", 1)[-1].strip()
    if last.upper() != "END:VCALENDAR":
        lines = text.rstrip().count("\n") + 1
        raise SourceError(f"{source}: truncated: it ends at line {lines} ({last[:60]!r}) before END:VCALENDAR")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError) as error:
        raise SourceError(f"{source}: not valid iCalendar: {error}") from None
    if not calendars:
        raise SourceError(f"{source}: not valid iCalendar: no complete VCALENDAR (its BEGIN and END lines do not pair)")
    if len(calendars) != 1:
        raise SourceError(f"{source}: holds {len(calendars)} calendars (expected one VCALENDAR)")
    return calendars[0]
