"""What compressing the huge outputs costs after a one-event edit: gzip whole, gzip in chunks, brotli.

Generates ``load.py``'s content (10,000 events by default), stamps it, renders the outputs over 1 MiB that
an edit of any event makes again (the calendar and ``events.json`` of the default language, and the search
index), then edits one event's title and renders them again. For each edited body, in one run: gzip 6 of
the whole body (what calfeed did before), the chunked gzip (`calfeed.gzip_chunks`) made from nothing (a full
build), the chunked gzip with the chunks of the body before the edit at hand (an incremental build: only the
chunks the edit touched are compressed), and brotli as calfeed makes it; CPU time of each (best of
``--repeat``), bytes, and the chunks compressed again. Run from the repository root::

    .venv/bin/python benchmarks/compression.py                 # 10,000 events
    .venv/bin/python benchmarks/compression.py --events 1000

See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import build  # noqa: E402  (benchmarks/build.py: stamping and editing content)
import load  # noqa: E402

from calfeed import gzip_chunks, http  # noqa: E402
from calfeed.http import Policy, render_output  # noqa: E402
from calfeed.render.html import make_environment  # noqa: E402
from calfeed.routes import every_route, path  # noqa: E402
from calfeed.store import read_version  # noqa: E402

PATHS = ("/calendar.ics", "/events.json", "/search.json")


def _bodies(content: Path, today: date) -> dict[str, bytes]:
    """The identity bodies of `PATHS` rendered from `content` (compression left out)."""
    published, _ = read_version(content)
    assert published is not None, "the generated content loads"
    templates, policy = make_environment(None), Policy()
    routes = {path(route): route for route in every_route(published.site) if path(route) in PATHS}
    return {
        url_path: render_output(published, route, today, templates, policy, url_path, inline_up_to=0).body
        for url_path, route in routes.items()
    }


def _best(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """The least CPU time of `repeat` runs of `run`, and what it returned."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.process_time()
        result = run()
        best = min(best, time.process_time() - started)
    return best, result


def measure(before: bytes, after: bytes, repeat: int) -> dict[str, Any]:
    """The figures of one body edited from `before` to `after`."""
    level = http.GZIP_LEVEL_LARGE
    whole_s, whole = _best(repeat, lambda: gzip.compress(after, level, mtime=0))
    fresh_s, fresh = _best(repeat, lambda: gzip_chunks.compress(after, level))
    known = gzip_chunks.compress(before, level).chunks()
    again_s, again = _best(repeat, lambda: gzip_chunks.compress(after, level, known))
    brotli_s, brotli = _best(repeat, lambda: http._brotli(after))
    assert again.data == fresh.data and gzip.decompress(again.data) == after
    return {
        "MB": len(after) / 1e6,
        "whole": (whole_s, len(whole)),
        "chunked": (fresh_s, len(fresh.data)),
        "after edit": (again_s, len(again.data)),
        "compressed again": sum(key not in known for key in again.keys),
        "chunks": len(again.keys),
        "brotli": (brotli_s, len(brotli)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of each (default 3)")
    args = parser.parse_args(argv)
    today = load.FIRST_DAY + timedelta(days=load.SPAN_DAYS // 2)
    with tempfile.TemporaryDirectory(prefix="calfeed-compression-") as folder:
        content = Path(folder) / "events.yaml"
        load.write_content(content, args.events)
        build.step_stamp(str(content))
        before = _bodies(content, today)
        build.edit_one_event(content, args.events // 2)
        after = _bodies(content, today)
    print(f"{args.events:,} events, one event's title edited; CPU ms (best of {args.repeat}) and kB of each")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| body | MB | gzip 6 whole | chunked, from nothing | chunked, after the edit | chunks made | brotli |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for url_path in PATHS:
        figures = measure(before[url_path], after[url_path], args.repeat)
        whole_s, whole = figures["whole"]
        cells = [f"{url_path} | {figures['MB']:.1f} | {whole_s * 1e3:.0f} ms, {whole / 1e3:,.0f} kB"]
        for name in ("chunked", "after edit"):
            seconds, size = figures[name]
            cells.append(f"{seconds * 1e3:.0f} ms, {size / 1e3:,.0f} kB ({(size / whole - 1) * 100:+.2f} %)")
        cells.append(f"{figures['compressed again']} of {figures['chunks']}")
        brotli_s, brotli = figures["brotli"]
        cells.append(f"{brotli_s * 1e3:.0f} ms, {brotli / 1e3:,.0f} kB")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
