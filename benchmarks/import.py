"""How long ``calfeed import`` takes, against icalendar alone parsing the same file.

Generates the realistic content of ``benchmarks/load.py`` (timed events in several zones, all-day
events, weekly series with skipped dates, descriptions, places, tags, images), renders calfeed's own
``/calendar.ics`` of it, and times, best of ``--repeat`` runs:

* icalendar: ``icalendar.Calendar.from_ical`` of that file, nothing else (the floor: every import
  parses the file this way);
* import: ``calfeed.importer.import_events`` of the file into an empty YAML file: read, parse,
  convert every VEVENT, write the YAML, and read it back with calfeed's own reader (the check);
* re-import: the same source into the file the import wrote (every event found by its UID,
  compared, nothing written).

Times are CPU seconds of this process (``time.process_time``), best of the runs. The goal (issue 15):
an import takes at most twice as long as icalendar's parse. Run from the
repository root::

    .venv/bin/python benchmarks/import.py                  # 10,000 events
    .venv/bin/python benchmarks/import.py --sizes 1000 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's calfeed, installed or not

import icalendar  # noqa: E402
import load as load_benchmark  # noqa: E402  benchmarks/load.py: its content generator (a script's folder is on sys.path)

from calfeed.content import load_site  # noqa: E402
from calfeed.importer import import_events  # noqa: E402
from calfeed.render import ics  # noqa: E402


def best(run: Callable[[], object], repeat: int) -> float:
    """The least CPU time of `repeat` runs: on a machine shared with other work, wall-clock time also
    counts the time spent waiting for a core, which has nothing to do with the code measured."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load = load_benchmark
    print(f"{'events':>8} {'bytes':>11} {'icalendar':>10} {'import':>9} {'ratio':>6} {'re-import':>10} {'ratio':>6}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="calfeed-bench-import-") as folder:
            print(row(load, Path(folder), size, args.repeat))


def row(load: ModuleType, root: Path, size: int, repeat: int) -> str:
    """One line of figures for `size` events, generated in `root`."""
    content = root / "content.yaml"
    load.write_content(content, size)
    site = load_site(content)
    source = root / "calendar.ics"
    source.write_bytes(ics.render_ics(site, lang=site.calendar.default_language))
    data = source.read_bytes()
    parse = best(lambda: icalendar.Calendar.from_ical(data), repeat)
    targets = iter(range(repeat))
    first = best(lambda: import_events(str(source), root / f"imported-{next(targets)}.yaml"), repeat)
    again = best(lambda: import_events(str(source), root / "imported-0.yaml"), repeat)
    return (
        f"{len(site.events):>8,} {len(data):>11,} {parse:>9.2f}s {first:>8.2f}s {first / parse:>5.2f}x"
        f" {again:>9.2f}s {again / parse:>5.2f}x"
    )


if __name__ == "__main__":
    main()
