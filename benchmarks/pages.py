"""How big and how fast the HTML pages are with many events: the agenda, the largest archive and month
pages, and the search index.

Generates the same realistic content as ``benchmarks/load.py`` (1,000 and 10,000 events over
six years, a news post per 10 events) in a temporary folder, loads it once, then renders

* ``/``: the agenda, with "today" in the middle of the content (upcoming and past events);
* ``/archive/<year>/``: every year's page, reporting the largest;
* ``/month/<yyyy-mm>/``: every month's page, reporting the largest and the slowest (goals: < 100 KB, < 50 ms);
* ``/search.json``: the search index, with its gzipped size (goal for 10,000 events: < 1.5 MB gzipped);

each several times, and prints the best render time and the size in bytes. Rendering is the
pure function the server and the export call (``FORMATS[name].render(site, view)``); the
server caches its output per content version and day, so this is the cost of a cache miss.

Run from the repository root::

    .venv/bin/python benchmarks/pages.py                  # 1,000 and 10,000 events
    .venv/bin/python benchmarks/pages.py --sizes 10000 --repeat 10
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from pathlib import Path

import load as load_benchmark  # noqa: E402  benchmarks/load.py: its content generator (a script's folder is on sys.path)

from calfeed.content import load_site
from calfeed.model import Site
from calfeed.render import FORMATS, View, archive_years, month
from calfeed.render.html import make_environment

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATES = ROOT / "templates"


def best(site: Site, name: str, view: View, repeat: int) -> tuple[int, float]:
    """Render once to warm the templates, then `repeat` times: the size and the fastest time."""
    spec = FORMATS[name]
    size = len(spec.render(site, view))
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        spec.render(site, view)
        times.append(time.perf_counter() - started)
    return size, min(times)


def run(n_events: int, repeat: int) -> list[tuple[str, int, float]]:
    with tempfile.TemporaryDirectory() as folder:
        content = load_benchmark.write_content(Path(folder) / "events.yaml", n_events)
        started = time.perf_counter()
        site = load_site(content.path)
        print(f"{n_events:,} events: loaded in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    environment = make_environment(TEMPLATES)
    days = sorted(event.first_day for event in site.events)
    today = days[len(days) // 2]
    rows = []
    size, seconds = best(site, "agenda", View(lang="en", today=today, path="/", templates=environment), repeat)
    rows.append(("/", size, seconds))
    largest = ("", 0, 0.0)
    for year in archive_years(site):
        path = f"/archive/{year}/"
        view = View(lang="en", today=today, item=year, path=path, templates=environment)
        size, seconds = best(site, "archive", view, max(1, repeat // 3))
        if size > largest[1]:
            largest = (path, size, seconds)
    rows.append(largest)
    largest, slowest = ("", 0, 0.0), ("", 0, 0.0)
    for key in month.months(site):
        path = f"/month/{key}/"
        view = View(lang="en", item=key, path=path, templates=environment)
        size, seconds = best(site, "month", view, max(1, repeat // 3))
        largest = max(largest, (path, size, seconds), key=lambda row: row[1])
        slowest = max(slowest, (path, size, seconds), key=lambda row: row[2])
    rows += [largest, slowest] if slowest != largest else [largest]
    size, seconds = best(site, "search", View(lang="en", path="/search.json"), repeat)
    rows.append(("/search.json", size, seconds))
    index = FORMATS["search"].render(site, View(lang="en", path="/search.json"))
    rows.append(("  gzipped", len(gzip.compress(index, 9)), 0.0))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated event counts (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=5, help="renders per page; the fastest counts (default 5)")
    args = parser.parse_args()
    print(f"{'events':>8}  {'page':<16} {'bytes':>11}  {'render ms':>9}")
    for n_events in (int(size) for size in args.sizes.split(",")):
        for path, size, seconds in run(n_events, args.repeat):
            print(f"{n_events:>8,}  {path:<16} {size:>11,}  {seconds * 1000:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
