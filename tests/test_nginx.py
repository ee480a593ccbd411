"""Real nginx on loopback: deploy/nginx.conf caching gunicorn, and the static export served with its _nginx.conf."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_wsgi import ROOT, free_port, run_gunicorn, wait_for

from calfeed import export
from calfeed.content import read_content
from calfeed.http import PREFLIGHT
from calfeed.render import FORMATS
from calfeed.routes import every_route, path
from calfeed.settings import Settings

from conftest import BUNDLED, CONTENT, TEMPLATES

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs Debian's nginx)")


@contextlib.contextmanager
def run_nginx(prefix: Path, http_block: str) -> Iterator[str]:
    """nginx in the foreground with its own prefix, pid and temp paths; `http_block` uses {port}."""
    port = free_port()
    prefix.mkdir(parents=True, exist_ok=True)
    for folder in ("logs", "client", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {prefix}/client;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{http_block.replace("{port}", str(port))}
}}
"""
    )
    log = prefix / "logs" / "error.log"
    log.touch()
    command = [str(NGINX), "-p", str(prefix), "-c", str(conf), "-e", str(log)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", server, log, timeout=10)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def deploy_conf(upstream: str, port_placeholder: str, cache: Path) -> str:
    """deploy/nginx.conf, with the test's ports and cache folder."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server {upstream.removeprefix('http://')};",
        "listen 80;": f"listen 127.0.0.1:{port_placeholder};",
        "/var/cache/nginx/calfeed": str(cache),
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def _options(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers, method="OPTIONS")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items())


def _edit(file: Path, text: str) -> None:
    before = file.stat().st_mtime_ns
    file.write_text(text, encoding="utf-8")
    if file.stat().st_mtime_ns == before:
        os.utime(file, ns=(before + 1_000_000_000, before + 1_000_000_000))


def test_nginx_caches_gunicorn_and_shows_an_edit_after_the_cache_lifetime(tmp_path):
    events = tmp_path / "content" / "events.yaml"
    events.parent.mkdir()
    shutil.copy(BUNDLED, events)
    shutil.copy(BUNDLED.with_name("events.history.json"), events.with_name("events.history.json"))
    lifetime = 2
    settings = {
        "CALFEED_MAX_AGE": str(lifetime),
        "CALFEED_STALE_WHILE_REVALIDATE": "0",
        "CALFEED_STALE_IF_ERROR": "0",
        "CALFEED_RELOAD_INTERVAL": "0.1",
    }
    with (
        run_gunicorn(events, tmp_path / "gunicorn.log", **settings) as upstream,
        run_nginx(tmp_path / "nginx", deploy_conf(upstream, "{port}", tmp_path / "cache")) as proxy,
    ):
        unchanged = "/events/culturopolis-2022.ics"
        status, first, body = get(proxy + "/calendar.ics")
        filled = time.monotonic()
        assert status == 200 and first["X-Cache-Status"] == "MISS"
        assert get(proxy + unchanged)[1]["X-Cache-Status"] == "MISS"
        status, second, again = get(proxy + "/calendar.ics")
        assert status == 200 and second["X-Cache-Status"] == "HIT" and again == body
        assert second["ETag"] == first["ETag"] == get(upstream + "/calendar.ics")[1]["ETag"]
        # A client revalidating against the cache gets a 304 from nginx.
        assert get(proxy + "/calendar.ics", {"If-None-Match": first["ETag"]})[0] == 304
        # Each encoding is cached once, under the encoding calfeed picks.
        status, zipped, _ = get(proxy + "/calendar.ics", {"Accept-Encoding": "gzip, deflate"})
        assert zipped["Content-Encoding"] == "gzip" and zipped["X-Cache-Status"] == "MISS"
        assert get(proxy + "/calendar.ics", {"Accept-Encoding": "deflate, gzip;q=0.8"})[1]["X-Cache-Status"] == "HIT"

        text = events.read_text(encoding="utf-8")
        _edit(events, text.replace("title: Resilient City training program", "title: Resilient City programme"))
        deadline = time.monotonic() + 10
        while b"Resilient City programme" not in get(upstream + "/calendar.ics")[2]:
            assert time.monotonic() < deadline, "gunicorn did not reload the edit"
            time.sleep(0.05)
        if time.monotonic() - filled < lifetime - 0.3:  # still within the lifetime: nginx answers from its copy
            status, cached, old = get(proxy + "/calendar.ics")
            assert cached["X-Cache-Status"] == "HIT" and b"Resilient City programme" not in old

        deadline = time.monotonic() + lifetime + 10
        while True:
            status, fresh, new = get(proxy + "/calendar.ics")
            if b"Resilient City programme" in new:
                break
            assert time.monotonic() < deadline, "the edit never showed through nginx"
            time.sleep(0.1)
        assert time.monotonic() - filled >= lifetime - 0.1
        assert fresh["ETag"] != first["ETag"]
        # An output the edit did not change is revalidated (in the background) with a 304 from gunicorn.
        deadline = time.monotonic() + 10
        while not _revalidated(tmp_path / "gunicorn.log", unchanged):
            assert time.monotonic() < deadline, "nginx never revalidated " + unchanged
            assert get(proxy + unchanged)[1]["X-Cache-Status"] in ("HIT", "STALE", "UPDATING", "REVALIDATED")
            time.sleep(0.1)


def _revalidated(log: Path, url: str) -> bool:
    """Whether gunicorn's access log has a conditional GET of `url` answered 304."""
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{") and f'"path": "{url}"' in line:
            entry = json.loads(line)
            if entry["status"] == 304 and entry["conditional"]:
                return True
    return False


def test_static_export_served_by_nginx_sends_the_servers_bytes_and_headers(tmp_path, client):
    out = tmp_path / "site"
    export.build(out, Settings(events=str(BUNDLED), templates=str(TEMPLATES)))
    block = f"server {{ listen 127.0.0.1:{{port}}; root {out}; include {out}/_nginx.conf; }}"
    site, _ = read_content(BUNDLED)
    examples: dict[tuple[str, bool, bool], str] = {}
    for route in every_route(site):
        examples.setdefault((route.format, route.tag is not None, route.prefixed), path(route))
    compared = ("Content-Type", "Cache-Control", "Content-Security-Policy", "Access-Control-Allow-Origin")
    with run_nginx(tmp_path / "nginx", block) as base:
        for url in examples.values():
            status, headers, body = get(base + url)
            expected = client.get(url)
            assert status == 200, url
            assert body == expected.data, url
            for name in (*compared, "Content-Disposition", "X-Content-Type-Options", "Referrer-Policy"):
                assert headers.get(name) == expected.headers.get(name), (url, name)
            assert headers["Last-Modified"] == expected.headers["Last-Modified"], url
            preflight = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"}
            answered = _options(base + url, preflight)
            served = client.open(url, method="OPTIONS", headers=preflight)
            if served.status_code == 204:  # public data: the same CORS preflight answer as the server's
                assert answered[0] == 204, url
                for name in [*PREFLIGHT, "Access-Control-Allow-Origin", "Access-Control-Allow-Headers"]:
                    assert answered[1].get(name) == served.headers.get(name), (url, name)
            if expected.headers.get("Vary"):
                status, zipped, _ = get(base + url, {"Accept-Encoding": "gzip"})
                assert zipped.get("Content-Encoding") == "gzip", url
        assert get(base + "/_headers")[0] == 404 and get(base + "/_nginx.conf")[0] == 404
        for name in export.BUILD_FILES:  # the build's manifest and pieces are for the next build only
            assert get(base + "/" + name)[0] == 404, name
    assert {name for name, _, _ in examples} == {name for name in FORMATS if not name.startswith("image-")}


def test_static_export_served_by_nginx_sends_local_images_as_the_server_does(tmp_path, make_app):
    kinds = CONTENT / "html-kinds.yaml"  # with an image file beside it: images/congress.png
    out = tmp_path / "site"
    export.build(out, Settings(events=str(kinds), templates=str(TEMPLATES)))
    client = make_app(kinds).test_client()
    block = f"server {{ listen 127.0.0.1:{{port}}; root {out}; include {out}/_nginx.conf; }}"
    with run_nginx(tmp_path / "nginx", block) as base:
        status, headers, body = get(base + "/images/congress.png")
        expected = client.get("/images/congress.png")
        assert status == 200 and body == expected.data
        for name in ("Content-Type", "Cache-Control", "X-Content-Type-Options"):
            assert headers.get(name) == expected.headers.get(name), name


def raw_get(base: str, target: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET `target` exactly as written, as `curl --path-as-is` sends it (urllib would normalise the path)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = headers or {}
    connection.putrequest("GET", target, skip_host="Host" in headers, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


KEPT = ("/", "/calendar.ics", "/feed.atom")
# Spellings of (or around) the kept paths that nginx's $uri normalises to one of them.
HOSTILE = (
    "/x/../",
    "/x/..",
    "/./",
    "/.",
    "/%2e%2e/",
    "/x/%2e%2e/",
    "/x/%2E%2E/",
    "/%2e/",
    "/x/../calendar.ics",
    "/./calendar.ics",
    "/%2e/calendar.ics",
    "/x/%2e%2e/calendar.ics",
    "//calendar.ics",
    "/%2fcalendar.ics",
    "/x/../feed.atom",
    "/x/%2e%2e/feed.atom",
    "//feed.atom",
    "/x%2f..%2ffeed.atom",
)


def test_nginx_cache_cannot_be_poisoned_by_dot_segments_or_encoded_paths(tmp_path):
    events = tmp_path / "content" / "events.yaml"
    events.parent.mkdir()
    shutil.copy(BUNDLED, events)
    shutil.copy(BUNDLED.with_name("events.history.json"), events.with_name("events.history.json"))
    settings = {"CALFEED_RELOAD_INTERVAL": "0", "CALFEED_MAX_AGE": "300"}
    with (
        run_gunicorn(events, tmp_path / "gunicorn.log", **settings) as upstream,
        run_nginx(tmp_path / "nginx", deploy_conf(upstream, "{port}", tmp_path / "cache")) as proxy,
    ):
        expected = {url: get(upstream + url)[2] for url in KEPT}

        def hostile_round() -> None:
            for target in HOSTILE:
                for encoding in ("", "gzip", "br"):
                    status, headers, _ = raw_get(proxy, target, {"Accept-Encoding": encoding} if encoding else {})
                    assert status in (400, 404), (target, status)
                    # calfeed itself: a 404 no cache may keep, whatever reaches it
                    direct, direct_headers, _ = raw_get(upstream, target)
                    assert direct == 404 and direct_headers["Cache-Control"] == "no-store", target

        hostile_round()  # before anything is cached
        for url in KEPT:
            status, headers, body = get(proxy + url)
            assert status == 200 and body == expected[url], url
        hostile_round()  # once each is cached: an already cached 200 must not be replaced
        for url in KEPT:
            status, headers, body = get(proxy + url)
            assert (status, headers["X-Cache-Status"]) == (200, "HIT") and body == expected[url], url
            status, headers, body = raw_get(proxy, url)
            assert (status, headers["X-Cache-Status"]) == (200, "HIT") and body == expected[url], url


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("br;q=0, gzip", "gzip"),
        ("gzip, br;q=0", "gzip"),
        ("br; q=0.0, gzip;q=0.5", "gzip"),
        ("gzip;q=0", None),
        ("gzip;q=0.000, deflate", None),
        ("br;q=0, gzip;q=0", None),
        ("x-gzip", "gzip"),
        ("gzip;q=0.001", "gzip"),
        ("br;q=0.5, gzip", "br"),
        ("gzip, deflate, br", "br"),
    ],
)
def test_nginx_encoding_map_honours_q_zero(nginx_pair, accept, coding):
    proxy, _ = nginx_pair
    status, headers, _ = get(proxy + "/calendar.ics", {"Accept-Encoding": accept})
    assert status == 200 and headers.get("Content-Encoding") == coding, accept


@pytest.mark.parametrize("target", ["/en", "/es", "/tags/accessibility", "/en/tags/accessibility", "/embed", "//en"])
def test_no_location_ever_names_the_requests_host(nginx_pair, target):
    proxy, upstream = nginx_pair
    for base in (proxy, upstream):
        status, headers, _ = raw_get(base, target, {"Host": "evil.example"})
        location = headers.get("Location", "")
        assert "evil" not in location and "://" not in location, (base, target, location)
        if 300 <= status < 400:
            assert location.startswith("/") and not location.startswith("//"), (base, target, location)
            assert raw_get(base, location)[0] == 200, (base, location)


@pytest.fixture(scope="module")
def nginx_pair(tmp_path_factory):
    """deploy/nginx.conf in front of gunicorn on the bundled example: (proxy, upstream) base URLs."""
    folder = tmp_path_factory.mktemp("nginx-pair")
    events = folder / "content" / "events.yaml"
    events.parent.mkdir()
    shutil.copy(BUNDLED, events)
    shutil.copy(BUNDLED.with_name("events.history.json"), events.with_name("events.history.json"))
    with (
        run_gunicorn(events, folder / "gunicorn.log", CALFEED_RELOAD_INTERVAL="0") as upstream,
        run_nginx(folder / "nginx", deploy_conf(upstream, "{port}", folder / "cache")) as proxy,
    ):
        yield proxy, upstream
