"""Reload latency and worker memory under gunicorn: `benchmarks/serving.py --reload` (see its docstring).

For each size: generated content (benchmarks/load.py) with its history file stamped (`calfeed stamp`, as a
deployed site commits it; `--unstamped` leaves it out, and then every event is dated by the file's time, so
each edit changes all of them), gunicorn with gunicorn.conf.py and reloading on (the default settings), both
workers made to serve `/calendar.ics` and one event's page; then, optionally, a crawl of every route of the
URL contract (4 clients), and each worker's RSS; then `--edits` edits of that event's title, each timed from
the end of the write to the moment new bytes are served on each path: `/calendar.ics` and the event's page
apart, each from the first of six answers in a row carrying the edit on new connections (so from either
worker); then each worker's RSS again. The content model's own size is measured apart, in a fresh process
(RSS after reading the content, less RSS before).
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

MiB = 1024 * 1024
TITLE = re.compile(r"^(  - id: (\S+)\n    title: )(.*)$", re.MULTILINE)
MODEL = """
import gc, sys
from calfeed.web import create_app  # noqa: F401 (what a worker imports)
import calfeed.render
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
before = rss()
from calfeed.store import read_version
published, _ = read_version(sys.argv[1])
gc.collect()
print(before, rss() - before)
"""


def rss(pid: int) -> int:
    """Resident set size of process `pid`, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def workers_of(master: int) -> list[int]:
    """The process ids of gunicorn's workers: the master's children."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == master:
                children.append(int(stat.parent.name))
    return sorted(children)


def model_size(events: Path, root: Path) -> tuple[int, int]:
    """(RSS of a process that imported a worker's modules, what reading the content adds), in bytes."""
    result = subprocess.run(
        [sys.executable, "-c", MODEL, str(events)], cwd=root, capture_output=True, text=True, check=True
    )
    before, model = result.stdout.split()
    return int(before), int(model)


class Client:
    """GETs on new connections (so that either worker may answer), bodies decoded."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.seen: dict[str, tuple[str, bytes]] = {}  # path -> the ETag and body of its last 200 answer

    def get(self, path: str) -> tuple[int, bytes]:
        """The status and body at `path`, asked on condition of the ETag last seen there, as a calendar client
        asks (so a version not yet new costs a 304, not a whole calendar to send and decompress); a 304 comes
        with the body it stands for."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        headers = {"Accept-Encoding": "gzip"}
        if path in self.seen:
            headers["If-None-Match"] = self.seen[path][0]
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status == 304:
                return 304, self.seen[path][1]
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if response.status == 200 and response.headers.get("ETag"):
                self.seen[path] = (response.headers["ETag"], body)
            return response.status, body
        finally:
            connection.close()


def crawl(base: str, paths: list[str], clients: int = 4) -> float:
    """Request every path once, with `clients` keep-alive connections; return the seconds it took."""
    host, port = base.removeprefix("http://").split(":")
    queue = list(reversed(paths))
    lock = threading.Lock()

    def work() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=300)
        while True:
            with lock:
                if not queue:
                    break
                path = queue.pop()
            connection.request("GET", path, headers={"Accept-Encoding": "gzip, br"})
            connection.getresponse().read()
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def every_path(events: Path) -> list[str]:
    from calfeed.routes import every_route, path
    from calfeed.store import read_version

    published, problems = read_version(events)
    if published is None:
        raise SystemExit(f"the generated content has errors: {problems[:3]}")
    return [path(route) for route in every_route(published.site)]


def until_served(checks: dict[str, Callable[[], bool]], timeout: float, streak: int = 6) -> dict[str, float]:
    """Seconds until each check holds `streak` times in a row (timed from the start of the first of them)."""
    started = time.monotonic()
    since: dict[str, float] = {}
    held = dict.fromkeys(checks, 0)
    served: dict[str, float] = {}
    while len(served) < len(checks):
        for name, check in checks.items():
            if name in served:
                continue
            asked = time.monotonic()
            if not check():
                held[name] = 0
            else:
                since[name] = since[name] if held[name] else asked - started
                held[name] += 1
                if held[name] == streak:
                    served[name] = since[name]
            if asked - started > timeout:
                raise SystemExit(f"no new bytes on {name} {timeout} s after the edit")
        if not all(held.values()):
            time.sleep(0.02)
    return served


def stamp(events: Path, root: Path) -> None:
    """Record the content's history (`calfeed stamp`), in a process of its own (this one stays small)."""
    command = [sys.executable, "-c", "from calfeed.cli import main; main()", "stamp", str(events)]
    subprocess.run(command, cwd=root, capture_output=True, check=True)


def measure(
    size: int, run: Callable[..., contextlib.AbstractContextManager[tuple[str, int]]], args: object, load: object
) -> dict[str, object]:
    """Reload latency and worker memory at `size` events (see the module docstring)."""
    edits: int = args.edits
    with tempfile.TemporaryDirectory(prefix="calfeed-reload-") as tmp:
        folder = Path(tmp)
        content = load.write_content(folder / "events.yaml", size)  # type: ignore[attr-defined]
        if not getattr(args, "unstamped", False):
            stamp(content.path, Path(args.root))
        text = content.path.read_text(encoding="utf-8")
        match = TITLE.search(text)
        assert match is not None
        event, page = match.group(2), f"/events/{match.group(2)}/"
        baseline, model = model_size(content.path, Path(args.root))
        paths = every_path(content.path) if args.crawl else []
        figures: dict[str, object] = {"events": size, "routes": len(paths), "model": model, "baseline": baseline}
        with run(content.path) as (base, master):
            client = Client(base)
            for _ in range(8):  # both workers serve both paths before the first edit
                client.get("/calendar.ics")
                client.get(page)
            if paths:
                figures["crawl_seconds"] = crawl(base, paths)
            workers = workers_of(master)
            figures["rss_crawled"] = [rss(pid) for pid in workers]
            latencies: dict[str, list[float]] = {"calendar": [], "page": []}
            for edit in range(edits):
                title = f"Edited title {edit} of {event}"
                edited = TITLE.sub(lambda m, title=title: m.group(1) + title, text, count=1)  # type: ignore[misc]
                content.path.write_text(edited, encoding="utf-8")
                new = title.encode()

                def calendar(new: bytes = new) -> bool:
                    status, body = client.get("/calendar.ics")
                    return status in (200, 304) and b"SUMMARY:" + new in body

                def event_page(new: bytes = new) -> bool:
                    status, body = client.get(page)
                    return status in (200, 304) and new in body

                for name, seconds in until_served({"calendar": calendar, "page": event_page}, 120).items():
                    latencies[name].append(seconds)
                time.sleep(2)  # compression after the swap, and a pause between edits
            figures["latencies"] = latencies
            figures["rss_reloaded"] = [rss(pid) for pid in workers_of(master)]
    return figures


def report(rows: list[dict[str, object]], budget: int) -> None:
    print("\nreload: edit saved -> new bytes (from the first of 6 answers in a row with the edit, any worker)")
    print(f"{'events':>8} {'calendar median s':>18} {'max s':>6} {'page median s':>14} {'max s':>6} {'edits':>6}")
    first: dict[str, float] = {}
    for row in rows:
        latencies = row["latencies"]
        assert isinstance(latencies, dict)
        medians = {name: statistics.median(values) for name, values in latencies.items()}
        first = first or medians
        print(
            f"{row['events']:>8,} {medians['calendar']:>18.2f} {max(latencies['calendar']):>6.2f} "
            f"{medians['page']:>14.2f} {max(latencies['page']):>6.2f} {len(latencies['calendar']):>6}"
        )
    for row in rows[1:]:
        latencies = row["latencies"]
        assert isinstance(latencies, dict)
        growth = ", ".join(
            f"{name} {statistics.median(values) / first[name]:.1f}x" for name, values in latencies.items()
        )
        print(f"growth {rows[0]['events']:,} -> {row['events']:,} events (medians): {growth}")
    print(f"\nworker RSS (MiB) vs the cache budget ({budget / MiB:.0f} MiB) + the model + the interpreter's baseline")
    print(
        f"{'events':>8} {'routes':>7} {'crawl s':>8} {'after crawl':>16} {'after reloads':>16} {'model':>6} "
        f"{'baseline':>9} {'budget+model':>13}"
    )
    for row in rows:
        crawled = "/".join(f"{value / MiB:.0f}" for value in row["rss_crawled"])  # type: ignore[attr-defined]
        reloaded = "/".join(f"{value / MiB:.0f}" for value in row["rss_reloaded"])  # type: ignore[attr-defined]
        model, baseline = int(row["model"]), int(row["baseline"])  # type: ignore[call-overload]
        print(
            f"{row['events']:>8,} {row['routes']:>7,} {float(row.get('crawl_seconds', 0)):>8.1f} {crawled:>16} "  # type: ignore[arg-type]
            f"{reloaded:>16} {model / MiB:>6.0f} {baseline / MiB:>9.0f} {(budget + model) / MiB:>13.0f}"
        )


@contextlib.contextmanager
def gunicorn_reloading(
    root: Path, events: Path, workers: int, port: int, extra: str = "", cache_bytes: int | None = None
) -> Iterator[tuple[str, int]]:
    """gunicorn as deployed (gunicorn.conf.py, reloading on); yields its base URL and the master's pid."""
    env = {
        **os.environ,
        "CALFEED_EVENTS": str(events),
        "CALFEED_TEMPLATES": str(root / "templates"),
        "CALFEED_ACCESS_LOG": "off",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_LOG_LEVEL": "warning",
        "GUNICORN_CMD_ARGS": extra,
    }
    if cache_bytes is not None:
        env["CALFEED_CACHE_BYTES"] = str(cache_bytes)
    command = [sys.executable, "-m", "gunicorn", "-c", str(root / "gunicorn.conf.py"), "wsgi:app"]
    server = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        client = Client(f"http://127.0.0.1:{port}")
        while True:
            try:
                client.get("/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not come up") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", server.pid
    finally:
        server.terminate()
        server.wait(timeout=60)
