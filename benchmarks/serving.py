"""How fast calfeed answers under gunicorn, next to nginx serving the static export of the same bytes.

Generates 10,000 events (benchmarks/load.py's generator) in a temporary folder, starts gunicorn with
gunicorn.conf.py (2 workers by default) and nginx with the export's own _nginx.conf, checks that both send
the same bytes, then runs wrk on loopback, each run bounded by --duration:

* full body: ``GET /calendar.ics``, plain and with ``Accept-Encoding: gzip``;
* 304: the same with ``If-None-Match`` set to the ETag each server gave;

and, unless --no-baseline, the same against the issue's reference point: a plain Flask route returning the
cached bytes under gunicorn with 2 sync workers (werkzeug's ``make_conditional``).

With --reload, it measures instead how soon an edit is served and how much memory workers hold
(benchmarks/reloading.py): at each of --sizes, gunicorn with reloading on, a crawl of every route, then
--edits edits of one event's title, each timed from the end of the write until six answers in a row on new
connections (either worker) carry it on /calendar.ics and on the event's page; and each worker's RSS after
the crawl and after the reloads, next to the cache budget plus the content model's size.

With --memory (benchmarks/crawling.py), at each of --sizes: how long the first request of each large output
waits, and each worker's RSS after --crawls crawls of every route, next to the cache budget plus the content
model (its RSS in a fresh process) plus the interpreter.

With --granian, calfeed's app also runs under granian (pip install granian) in the same wrk runs. One run
(10,000 events, docs/deploy.md): granian's 304 reached 70-77 % of nginx's (gunicorn's 15-21 %), its gzip body
90 % (gunicorn's 65 %), its plain 7.6 MB body 60 % (gunicorn's 135 %); not adopted (docs/deploy.md says why).

Access logs are off on both sides. Each run is repeated --rounds times, alternating the servers, and the
median (by requests/s) is shown with its p99 latency, and the gunicorn/nginx ratios.
Needs wrk and nginx (Debian packages; .ci/run installs them). Run from the repository root::

    .venv/bin/python benchmarks/serving.py                       # 10,000 events, 3 rounds of 8 runs of 5 s
    .venv/bin/python benchmarks/serving.py --events 1000 --duration 3 --workers 2 --connections 8
    .venv/bin/python benchmarks/serving.py --reload --sizes 1000,10000 --edits 5   # reload latency, RSS
    .venv/bin/python benchmarks/serving.py --memory --sizes 1000,10000   # first requests, RSS after crawls
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

import argparse  # noqa: E402
import contextlib  # noqa: E402
import gzip  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from email.message import Message  # noqa: E402
from typing import Any  # noqa: E402

ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import crawling  # noqa: E402  benchmarks/crawling.py: worker memory after a crawl, first-request latency
import load  # noqa: E402  benchmarks/load.py: its content generator (a script's folder is on sys.path)
import reloading  # noqa: E402  benchmarks/reloading.py: reload latency and worker memory

from calfeed.export import build  # noqa: E402
from calfeed.settings import Settings  # noqa: E402

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
WRK = shutil.which("wrk")
URL_PATH = "/calendar.ics"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (names in any case: granian sends them in lower case) and body of a GET."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fetch(url)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{url} did not come up") from None
            time.sleep(0.2)


@contextlib.contextmanager
def gunicorn(events: Path, workers: int, extra: str = "") -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "CALFEED_EVENTS": str(events),
        "CALFEED_TEMPLATES": str(ROOT / "templates"),
        "CALFEED_RELOAD_INTERVAL": "0",
        "CALFEED_ACCESS_LOG": "off",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_LOG_LEVEL": "warning",
        "GUNICORN_CMD_ARGS": extra,
    }
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"]
    with running(command, ROOT, env, port, "/healthz") as base:
        yield base


@contextlib.contextmanager
def granian(events: Path, workers: int, threads: int) -> Iterator[str]:
    """calfeed's WSGI app under granian (a Rust HTTP server), `workers` processes of `threads` threads."""
    port = free_port()
    env = {
        **os.environ,
        "CALFEED_EVENTS": str(events),
        "CALFEED_TEMPLATES": str(ROOT / "templates"),
        "CALFEED_RELOAD_INTERVAL": "0",
    }
    command = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--blocking-threads", str(threads), "--no-ws", "--no-access-log"]
    command += ["--log-level", "warning", "calfeed.wsgi:app"]
    with running(command, ROOT, env, port, "/healthz") as base:
        yield base


@contextlib.contextmanager
def running(command: list[str], cwd: Path, env: dict[str, str], port: int, ready: str) -> Iterator[str]:
    """Run a server on `port` until the block ends; yield its base URL once `ready` answers."""
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}{ready}", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


BASELINE = """\
# The issue's reference point: a plain Flask route returning cached bytes, werkzeug's conditional handling.
import os
from flask import Flask, Response, request

BODY = open(os.environ["BASELINE_BODY"], "rb").read()
GZIP = open(os.environ["BASELINE_BODY"] + ".gz", "rb").read()
app = Flask(__name__)


@app.get("/calendar.ics")
def calendar():
    zipped = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(GZIP if zipped else BODY, content_type="text/calendar; charset=utf-8")
    if zipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag("gz" if zipped else "id")
    return response.make_conditional(request)
"""


@contextlib.contextmanager
def baseline(folder: Path, body: Path, workers: int) -> Iterator[str]:
    """The plain Flask route under gunicorn with sync workers, as in the issue's reference figures."""
    (folder / "baseline.py").write_text(BASELINE)
    port = free_port()
    env = {**os.environ, "BASELINE_BODY": str(body), "GUNICORN_CMD_ARGS": ""}
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}"]
    command += ["--no-control-socket", "--log-level", "warning", "baseline:app"]
    with running(command, folder, env, port, URL_PATH) as base:
        yield base


@contextlib.contextmanager
def nginx(site: Path, folder: Path, workers: int) -> Iterator[str]:
    port = free_port()
    for name in ("client", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""daemon off;
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {folder}/client;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{ listen 127.0.0.1:{port}; root {site}; include {site}/_nginx.conf; }}
}}
"""
    )
    server = subprocess.Popen([str(NGINX), "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")])
    try:
        wait_for(f"http://127.0.0.1:{port}/", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def wrk(url: str, headers: dict[str, str], args: argparse.Namespace) -> tuple[float, float, str]:
    """Requests/s and p99 latency (ms) of one wrk run, and the command."""
    command = [str(WRK), f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(url + URL_PATH)
    result = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 60, check=True)
    output = result.stdout
    if "Non-2xx or 3xx" in output or "Socket errors" in output:
        print(output, file=sys.stderr)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", output).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rate, p99, " ".join(f"'{part}'" if " " in part else part for part in command)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (8 runs per round)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each, alternating servers; the median counts")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers and nginx worker processes")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--gunicorn-args", default="", help='more gunicorn options, e.g. "--threads 8"')
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain Flask route (saves a third)")
    parser.add_argument("--granian", action="store_true", help="also calfeed under granian (pip install granian)")
    parser.add_argument("--granian-threads", type=int, default=4, help="granian's --blocking-threads per worker")
    parser.add_argument("--reload", action="store_true", help="measure reload latency and worker RSS instead")
    parser.add_argument("--sizes", default="1000,10000", help="with --reload: events per run, comma-separated")
    parser.add_argument("--edits", type=int, default=5, help="with --reload: edits timed per size")
    parser.add_argument("--no-crawl", action="store_true", help="with --reload: skip the crawl of every route")
    parser.add_argument("--unstamped", action="store_true", help="with --reload: no history file (see reloading.py)")
    parser.add_argument("--cache-bytes", type=int, default=None, help="with --reload/--memory: CALFEED_CACHE_BYTES")
    parser.add_argument("--memory", action="store_true", help="measure first requests and RSS after crawls instead")
    parser.add_argument("--crawls", type=int, default=2, help="with --memory: crawls of every route")
    args = parser.parse_args(argv)
    if args.reload:
        measure_reloads(args)
        return
    if args.memory:
        measure_memory(args)
        return
    if WRK is None or NGINX is None:
        raise SystemExit("needs wrk and nginx (Debian packages wrk, nginx)")
    if args.granian and importlib.util.find_spec("granian") is None:
        raise SystemExit("--granian needs granian: .venv/bin/pip install granian")

    with tempfile.TemporaryDirectory(prefix="calfeed-http-") as tmp:
        folder = Path(tmp)
        content = load.write_content(folder / "events.yaml", args.events)
        print(f"{content.events:,} events, {content.megabytes:.1f} MB of YAML", file=sys.stderr)
        settings = Settings(events=str(content.path), templates=str(ROOT / "templates"))
        started = time.perf_counter()
        build(folder / "site", settings, only=lambda route: route.format == "calendar" and route.tag is None)
        print(f"static export of /calendar.ics: {time.perf_counter() - started:.1f} s", file=sys.stderr)

        with contextlib.ExitStack() as servers:
            app = servers.enter_context(gunicorn(content.path, args.workers, args.gunicorn_args))
            web = servers.enter_context(nginx(folder / "site", folder / "nginx", args.workers))
            targets = {"gunicorn": app, "nginx": web}
            if args.granian:
                targets["granian"] = servers.enter_context(granian(content.path, args.workers, args.granian_threads))
            if not args.no_baseline:
                exported = folder / "site" / "calendar.ics"
                targets["flask"] = servers.enter_context(baseline(folder, exported, args.workers))
            started = time.perf_counter()
            for _ in range(args.workers * 4):  # each worker renders once; warm them all, both encodings
                for name in ("gunicorn", "granian"):
                    if name in targets:
                        fetch(targets[name] + URL_PATH, {"Accept-Encoding": "gzip"})
            time.sleep(5)  # larger outputs are compressed right after their first answer
            print(f"first renders: {time.perf_counter() - started:.1f} s", file=sys.stderr)
            plain, zipped = {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip"}
            bodies = {}
            tags = {}
            for name, base in targets.items():
                for label, headers in (("plain", plain), ("gzip", zipped)):
                    status, response_headers, body = fetch(base + URL_PATH, headers)
                    assert status == 200, (name, label, status)
                    if response_headers.get("Content-Encoding") == "gzip":
                        body = gzip.decompress(body)
                    bodies[name, label] = body
                    tags[name, label] = response_headers["ETag"]
            assert len(set(bodies.values())) == 1, "the servers send different bytes"
            size = len(bodies["gunicorn", "plain"])
            print(f"/calendar.ics: {size / 1e6:.2f} MB, identical from every server", file=sys.stderr)

            rows = []
            for scenario, label, headers in (
                ("full body", "plain", plain),
                ("full body", "gzip", zipped),
                ("304", "plain", plain),
                ("304", "gzip", zipped),
            ):
                runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in targets}
                for _ in range(args.rounds):  # alternate the servers, so that a noisy moment hits all
                    for name, base in targets.items():
                        sent = {**headers, **({"If-None-Match": tags[name, label]} if scenario == "304" else {})}
                        runs[name].append(wrk(base, sent, args))
                results = {name: sorted(found)[len(found) // 2] for name, found in runs.items()}  # the median
                rows.append((scenario, label, results))

    print(f"\nGET {URL_PATH}, {args.events:,} events ({size / 1e6:.2f} MB), loopback, {os.cpu_count()} CPUs")
    print(f"gunicorn: gunicorn.conf.py {args.gunicorn_args}, {args.workers} workers; nginx: {args.workers} workers")
    names = list(rows[0][2])
    print(f"{'run':<16}" + "".join(f"{name + ' req/s':>15} {'p99 ms':>7}" for name in names), end="")
    print(f" {'gunicorn/nginx':>15}", end="")
    print(f" {'granian/nginx':>15}" if "granian" in names else "", end="")
    print(f" {'gunicorn/flask':>15}" if "flask" in names else "")
    for scenario, label, results in rows:
        line = f"{scenario + ' ' + label:<16}"
        line += "".join(f"{results[name][0]:>15,.0f} {results[name][1]:>7.2f}" for name in names)
        line += f" {results['gunicorn'][0] / results['nginx'][0]:>15.0%}"
        if "granian" in names:
            line += f" {results['granian'][0] / results['nginx'][0]:>15.0%}"
        if "flask" in names:
            line += f" {results['gunicorn'][0] / results['flask'][0]:>14.1f}x"
        print(line)
    print("\ncommand, e.g.:", rows[-1][2]["gunicorn"][2])


def measure_reloads(args: argparse.Namespace) -> None:
    """--reload: reload latency and worker RSS at each of --sizes (benchmarks/reloading.py)."""
    args.root, args.crawl = ROOT, not args.no_crawl
    each_size(args, lambda size, run: reloading.measure(size, run, args, load), reloading.report)


def measure_memory(args: argparse.Namespace) -> None:
    """--memory: first-request latency and worker RSS after crawls at each of --sizes (benchmarks/crawling.py)."""
    each_size(args, lambda size, run: crawling.measure(size, run, args.crawls, load), crawling.report)


def each_size(args: argparse.Namespace, measure: Callable[..., Any], report: Callable[[list[Any], int], None]) -> None:
    """`measure(size, run)` at each of --sizes under gunicorn with reloading on (`run(events)`), then `report`."""
    budget = args.cache_bytes if args.cache_bytes is not None else Settings().cache_bytes

    def run(events: Path) -> contextlib.AbstractContextManager[tuple[str, int]]:
        return reloading.gunicorn_reloading(
            ROOT, events, args.workers, free_port(), args.gunicorn_args, cache_bytes=args.cache_bytes
        )

    rows = []
    for size in (int(size) for size in args.sizes.split(",")):
        started = time.perf_counter()
        rows.append(measure(size, run))
        print(f"{size:,} events measured in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(f"gunicorn: gunicorn.conf.py {args.gunicorn_args}, {args.workers} workers, {os.cpu_count()} CPUs")
    report(rows, budget)


if __name__ == "__main__":
    main()
