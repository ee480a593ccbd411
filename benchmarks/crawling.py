"""Worker memory after a crawl, and how long first requests wait: `benchmarks/serving.py --memory`.

For each size: generated content (benchmarks/load.py); the content model's size, measured in a fresh process
(`model_size`: RSS after importing what a worker imports, then what loading the content as a worker does adds,
after a garbage collection: a `store.ContentStore` refreshed once, which holds the site and what the next
reload reuses, calfeed/reuse.py); gunicorn as deployed (gunicorn.conf.py, reloading on,
`--cache-bytes` as CALFEED_CACHE_BYTES); then

* first requests: on one keep-alive connection (so one worker), each of the site's largest outputs asked for
  twice with ``Accept-Encoding: gzip, br``: the first answer waits for the render (and whatever else the
  server does before it answers), the second is the cached one;
* --crawls crawls of every route of the URL contract (4 clients), each worker's RSS right after each, and
  again `SETTLE` seconds later (a worker hands memory it freed back to the system at most every 10 s).

The bound printed is the cache budget + the model + the interpreter's baseline (the RSS before reading); next
to it, each worker's RSS once it has loaded the content, before any request (what `calfeed.wsgi` bounds the
worker's RSS from: `http.Outputs.bound_resident`).
"""

from __future__ import annotations

import contextlib
import http.client
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import reloading  # benchmarks/reloading.py: RSS, workers, the model's size, the crawl

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
MODEL = """
import gc, sys
from calfeed.web import create_app  # noqa: F401 (what a worker imports)
import calfeed.render
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
gc.collect()
before = rss()
from calfeed.store import ContentStore
store = ContentStore(sys.argv[1])
store.refresh()
gc.collect()
print(before, rss() - before)
"""
SETTLE = 12  # seconds: a worker hands freed memory back at most every 10 s (calfeed/http.py, TRIM_EVERY)
FIRST = ("/calendar.ics", "/es/calendar.ics", "/feed.atom", "/feed.json", "/events.json", "/search.json", "/")


def first_requests(base: str, paths: list[str]) -> list[tuple[str, int, str, float, str, float, float]]:
    """(path, bytes, encoding and ms of the first answer, encoding and ms of the second, ms from the first
    request until an answer was compressed), on one connection."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=300)
    rows = []
    try:
        for path in paths:
            timed = []
            first = time.perf_counter()
            while len(timed) < 2 or timed[-1][0] == "identity":
                started = time.perf_counter()
                connection.request("GET", path, headers={"Accept-Encoding": "gzip, br"})
                response = connection.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                timed.append((response.headers.get("Content-Encoding") or "identity", elapsed, len(body)))
                if len(body) < 512 or time.perf_counter() - first > 60:  # never compressed
                    break
                if len(timed) >= 2 and timed[-1][0] == "identity":
                    time.sleep(0.005)
            compressed = (started - first) * 1000 if timed[-1][0] != "identity" else float("nan")
            rows.append((path, timed[0][2], timed[0][0], timed[0][1], timed[1][0], timed[1][1], compressed))
    finally:
        connection.close()
    return rows


def model_size(events: Path) -> tuple[int, int]:
    """(RSS of a process that imported a worker's modules, what loading the content as a worker does adds)."""
    command = [sys.executable, "-c", MODEL, str(events)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    before, model = result.stdout.split()
    return int(before), int(model)


def measure(
    size: int, run: Callable[[Path], contextlib.AbstractContextManager[tuple[str, int]]], crawls: int, load: Any
) -> dict[str, Any]:
    """First-request latency and worker RSS after `crawls` crawls, at `size` events."""
    with tempfile.TemporaryDirectory(prefix="calfeed-memory-") as tmp:
        content = load.write_content(Path(tmp) / "events.yaml", size)
        baseline, model = model_size(content.path)
        paths = reloading.every_path(content.path)
        archives = sorted(path for path in paths if path.startswith("/archive/"))
        figures: dict[str, Any] = {"events": size, "routes": len(paths), "model": model, "baseline": baseline}
        with run(content.path) as (base, master):
            figures["loaded"] = [reloading.rss(pid) for pid in reloading.workers_of(master)]
            figures["first"] = first_requests(base, [*FIRST, *archives[-1:]])
            figures["rss"], figures["settled"], figures["crawl_seconds"] = [], [], []
            for _ in range(crawls):
                figures["crawl_seconds"].append(reloading.crawl(base, paths))
                figures["rss"].append([reloading.rss(pid) for pid in reloading.workers_of(master)])
                time.sleep(SETTLE)
                figures["settled"].append([reloading.rss(pid) for pid in reloading.workers_of(master)])
    return figures


def report(rows: list[dict[str, Any]], budget: int) -> None:
    print("\nfirst requests, one connection, Accept-Encoding: gzip, br (ms; the encoding each answer had), and when")
    print("(ms after the first request started) an answer came compressed")
    print(f"{'events':>8} {'path':<22} {'first kB':>8} {'first':>20} {'second':>20} {'compressed':>11}")
    for row in rows:
        for path, size, coding, first, again, second, compressed in row["first"]:
            line = f"{row['events']:>8,} {path:<22} {size / 1e3:>8.1f} "
            print(line + f"{coding:>10} {first:>9.1f} {again:>10} {second:>9.1f} {compressed:>11.1f}")
    print(f"\nworker RSS (MiB) after each crawl of every route, next to the bound: the budget ({budget / MiB:.0f})")
    print("+ the content model + the interpreter's baseline (an idle process that imported a worker's modules);")
    print("loaded: each worker's RSS once it has loaded the content, before any request")
    print(f"each crawl: right after it, then {SETTLE} s later; per worker")
    header = f"{'events':>8} {'routes':>7} {'crawl s':>8} {'loaded':>8} {'RSS after each crawl':>38}"
    print(header + f" {'model':>6} {'baseline':>9} {'bound':>6}")
    for row in rows:
        crawled = ", ".join(
            f"{_mib(rss)} then {_mib(settled)}" for rss, settled in zip(row["rss"], row["settled"], strict=True)
        )
        seconds = statistics.mean(row["crawl_seconds"]) if row["crawl_seconds"] else 0.0
        bound = budget + row["model"] + row["baseline"]
        print(
            f"{row['events']:>8,} {row['routes']:>7,} {seconds:>8.1f} {_mib(row['loaded']):>8} {crawled:>38} "
            f"{row['model'] / MiB:>6.0f} "
            f"{row['baseline'] / MiB:>9.0f} {bound / MiB:>6.0f}"
        )
    sys.stdout.flush()


def _mib(values: list[int]) -> str:
    return "/".join(f"{value / MiB:.0f}" for value in values)
