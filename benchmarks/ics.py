"""How long /calendar.ics takes to render: calfeed's fast path against a floor and against icalendar.

For each size, generates the same realistic content as ``benchmarks/load.py`` (in a
temporary folder), loads it once, and times, best of ``--repeat`` runs:

* floor: a minimal hand-written serializer in this file (UID, DTSTAMP, DTSTART, DTEND,
  SUMMARY, DESCRIPTION, LOCATION, URL, STATUS; escaping, naive folding; no VTIMEZONE,
  no Markdown): about as little as Python can do for these events;
* cold: ``render_calendar`` with every cache emptied (event pieces, VTIMEZONEs, Markdown),
  as in a worker's first request;
* cold, Markdown known: the same with Markdown already converted (``markup`` caches its
  HTML and text, which the agenda pages share), so only the calendar's own work is timed;
* warm after one edit: one event's title changed in the YAML of a stamped site (``calfeed
  stamp``; without a history every unstamped item is dated by the file's time, so any save
  re-dates them all), the content reloaded as the server does (unchanged events stay the same
  objects, calfeed/reuse.py), then ``render_calendar`` with the pieces of the previous version
  still cached;
* icalendar: the same calendar built and written by ``icalendar`` (``ics_reference.render``:
  components, typed values, ``to_ical``), the reference the fast path is tested against.

Run from the repository root::

    .venv/bin/python benchmarks/ics.py                     # 1,000 and 10,000 events
    .venv/bin/python benchmarks/ics.py --sizes 1000 --repeat 7

The ratios are measured in the same run, so a busy machine shifts all times together: the floor, cold
and "cold, Markdown known" renders take turns, best of each kept, and the load average is printed
before and after.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # this checkout's calfeed, installed or not

import load as load_benchmark  # noqa: E402  benchmarks/load.py: its content generator (a script's folder is on sys.path)

from calfeed import history, recurrence
from calfeed.content import load_site  # noqa: E402
from calfeed.model import Site  # noqa: E402
from calfeed.render import View, ics, ics_reference, markup  # noqa: E402
from calfeed.reuse import Reuse  # noqa: E402


def minimal(site: Site) -> bytes:
    """The floor: every event's main properties as content lines, written as simply as possible."""

    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")

    def when(value: date | datetime) -> str:
        if isinstance(value, datetime):
            return f":{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        return f";VALUE=DATE:{value:%Y%m%d}"

    def fold(line: str) -> str:
        if len(line) <= 74:
            return line + "\r\n"
        return "\r\n ".join(line[i : i + 74] for i in range(0, len(line), 74)) + "\r\n"

    lang, host, base = site.calendar.default_language, site.calendar.host, site.calendar.url
    out = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n"]
    for event in site.events:
        lines = [
            f"UID:{event.id}@{host}",
            f"DTSTAMP:{site.published(event):%Y%m%d}T000000Z",
            f"DTSTART{when(event.start)}",
            f"DTEND{when(event.end_exclusive)}",
            f"SUMMARY:{text(event.title.get(lang, lang))}",
        ]
        if event.summary:
            lines.append(f"DESCRIPTION:{text(event.summary.get(lang, lang))}")
        if event.location:
            lines.append(f"LOCATION:{text(event.location.one_line(lang, lang))}")
        lines.append(f"URL:{event.url or f'{base}events/{event.id}/'}")
        lines.append(f"STATUS:{event.status.value.upper()}")
        out.append("BEGIN:VEVENT\r\n" + "".join(fold(line) for line in lines) + "END:VEVENT\r\n")
    out.append("END:VCALENDAR\r\n")
    return "".join(out).encode("utf-8")


def forget() -> None:
    """Empty every cache the calendar uses, as in a freshly started worker."""
    ics.PIECES.clear()
    ics.vtimezone.cache_clear()
    recurrence.last_start.cache_clear()
    markup.to_html.cache_clear()
    markup.to_plain.cache_clear()


def best(run: Callable[[], object], repeat: int, before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(folder: Path, size: int, repeat: int) -> dict[str, float]:
    generator = load_benchmark
    path = folder / f"events-{size}.yaml"
    generator.write_content(path, size)
    history.stamp(load_site(path), path)  # as a published site is: an unstamped item is dated by its file's time
    reuse = Reuse()  # as the server reloads: unchanged events stay the same objects (calfeed/reuse.py)
    site = load_site(path, reuse=reuse)
    view = View(site.calendar.default_language)
    figures = {"floor": math.inf, "cold": math.inf, "pieces": math.inf}
    for _ in range(repeat):  # interleaved, so that a busy moment of the machine slows all three alike
        figures["floor"] = min(figures["floor"], best(lambda: minimal(site), 1))
        figures["cold"] = min(figures["cold"], best(lambda: ics.render_calendar(site, view), 1, forget))
        figures["pieces"] = min(figures["pieces"], best(lambda: ics.render_calendar(site, view), 1, ics.PIECES.clear))
    figures["icalendar"] = best(
        lambda: ics_reference.render(site, ics.plan_calendar(site, site.events, view.lang, None)), max(1, repeat // 3)
    )
    text = path.read_text(encoding="utf-8")
    first = site.events[len(site.events) // 2]
    title = first.title.get(view.lang, view.lang)
    assert text.count(title) >= 1, title
    warm = []
    for attempt in range(repeat):
        forget()
        ics.render_calendar(site, view)  # the previous version, rendered once
        path.write_text(text.replace(title, f"{title} ({attempt})", 1), encoding="utf-8")
        edited = load_site(path, reuse=reuse)
        start = time.perf_counter()
        ics.render_calendar(edited, view)
        warm.append(time.perf_counter() - start)
    figures["warm"] = min(warm)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated event counts [1000,10000]")
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs [5]")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"load average before: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print(
        f"{'events':>7} {'floor':>9} {'cold':>9} {'÷ floor':>7} {'cold, md':>9} {'÷ floor':>7}"
        f" {'warm+edit':>9} {'icalendar':>9} {'÷ floor':>7}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            print(f"generating and timing {size} events …", file=sys.stderr)
            f = measure(Path(folder), size, args.repeat)
            floor = f["floor"]
            print(
                f"{size:>7} {floor * 1000:>7.1f}ms {f['cold'] * 1000:>7.1f}ms {f['cold'] / floor:>6.1f}×"
                f" {f['pieces'] * 1000:>7.1f}ms {f['pieces'] / floor:>6.1f}×"
                f" {f['warm'] * 1000:>7.1f}ms {f['icalendar'] * 1000:>7.0f}ms {f['icalendar'] / floor:>6.1f}×",
                flush=True,
            )
    print(f"load average after: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")


if __name__ == "__main__":
    main()
