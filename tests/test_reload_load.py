"""Reloading under load: real gunicorn, concurrent clients, the content replaced 20 times (half of them broken).

Version i of the content is the bundled example plus a file of i + 1 events named ``v<i>-extra-<k>``, so a
response shows which version it came from and whether that version was complete: every calendar must
hold exactly the extra events of one version that was written valid, all of them, and nothing else.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import threading
import time
from collections import Counter
from pathlib import Path

from test_wsgi import run_gunicorn

from conftest import BUNDLED

EDITS = 20
CLIENTS = 6
MAX_REQUESTS = 30_000  # all clients together: the loop is bounded in count ...
MAX_SECONDS = 40  # ... and in time
PATHS = ("/calendar.ics", "/feed.atom", "/", "/calendar.ics")
EXTRA = re.compile(rb"UID:v(\d+)-extra-(\d+)@")


def extra_events(version: int, *, broken: bool = False) -> str:
    lines = ["events:"]
    for k in range(version + 1):
        lines += [
            f"  - id: v{version}-extra-{k}",
            f"    title: Version {version} extra {k}",
            f"    start: 2021-03-{1 + k % 28:02d}",
            "    location: Online",
        ]
    if broken:  # a typo in a key, then a YAML syntax error: either way not a version to serve
        lines += ["  - id: broken", "    titel: oops"] if version % 4 else ["  - id: [broken"]
    return "\n".join(lines) + "\n"


def _replace(file: Path, text: str) -> None:
    """Save in place, as an editor does (not an atomic rename), moving the modification time for sure."""
    before = file.stat().st_mtime_ns if file.exists() else 0
    file.write_text(text, encoding="utf-8")
    if file.stat().st_mtime_ns == before:
        os.utime(file, ns=(before + 1_000_000, before + 1_000_000))


def test_no_request_fails_or_sees_a_half_loaded_version_while_content_changes(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(BUNDLED, content / "events.yaml")
    extra = content / "extra.yaml"
    _replace(extra, extra_events(0))
    valid = {0}
    failures: list[str] = []
    seen: Counter[int] = Counter()
    versions: dict[str, int] = {}  # X-Content-Version -> the version it showed
    lock = threading.Lock()
    stop = threading.Event()
    count = [0]

    def client(base: str, offset: int) -> None:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        etags: dict[str, str] = {}
        i = offset
        while not stop.is_set():
            with lock:
                if count[0] >= MAX_REQUESTS:
                    return
                count[0] += 1
            url = PATHS[i % len(PATHS)]
            i += 1
            headers = {"If-None-Match": etags[url]} if url in etags and i % 3 == 0 else {}
            try:
                connection.request("GET", url, headers=headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                failures.append(f"{url}: {error!r}")
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=10)
                continue
            problem = check(url, response, body, headers)
            if problem:
                failures.append(problem)
            elif response.status == 200:
                etags[url] = response.headers["ETag"]
        connection.close()

    def check(url: str, response: http.client.HTTPResponse, body: bytes, sent: dict[str, str]) -> str | None:
        if response.status == 304:
            return None if sent and response.headers["ETag"] else f"{url}: unexpected 304"
        if response.status != 200:
            return f"{url}: {response.status} {body[:200]!r}"
        if response.headers["ETag"] != f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"':
            return f"{url}: ETag does not match the body"
        if url != "/calendar.ics":
            return None
        extras = EXTRA.findall(body)
        shown = {int(v) for v, _ in extras}
        if len(shown) != 1:
            return f"{url}: a mix of versions {sorted(shown)}"
        (version,) = shown
        if version not in valid or sorted(int(k) for _, k in extras) != list(range(version + 1)):
            return f"{url}: version {version} incomplete or never valid: {len(extras)} extra events"
        with lock:
            seen[version] += 1
            if versions.setdefault(response.headers["X-Content-Version"], version) != version:
                return f"{url}: one content version showed two contents"
        return None

    settings = {"CALFEED_RELOAD_INTERVAL": "0.05", "CALFEED_ACCESS_LOG": "off"}
    with run_gunicorn(content, tmp_path / "gunicorn.log", **settings) as base:
        threads = [threading.Thread(target=client, args=(base, n)) for n in range(CLIENTS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        try:
            for edit in range(1, EDITS + 1):
                version = (edit + 1) // 2
                if edit % 2:  # a valid version: announced before it can be served
                    valid.add(version)
                    _replace(extra, extra_events(version))
                else:
                    _replace(extra, extra_events(version + 100, broken=True))
                time.sleep(0.35)
                assert time.monotonic() - started < MAX_SECONDS, "the edits took too long"
        finally:
            time.sleep(0.5)
            stop.set()
            for thread in threads:
                thread.join(timeout=MAX_SECONDS)
        serving = _serving_version(base, EDITS // 2)
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    print(f"{count[0]} requests, {len(failures)} failed; calendars seen per version: {dict(sorted(seen.items()))}")

    assert failures == [], failures[:10]
    assert count[0] > 500, f"only {count[0]} requests: the load did not overlap the edits"
    assert len(seen) >= EDITS // 4, f"versions seen: {dict(seen)}"  # requests did span many swaps
    assert serving == EDITS // 2  # the last valid version is serving (the clients may have stopped before it did)
    assert "titel" in log or "YAML" in log  # broken edits were logged like calfeed check reports them
    assert not set(seen) - valid


def _serving_version(base: str, expected: int, seconds: float = 20) -> int | None:
    """The version of the calendar served now, once it is `expected` (or the last one seen after `seconds`):
    each worker reloads in its own time, so six answers in a row on new connections must show it."""
    host, port = base.removeprefix("http://").split(":")
    deadline, streak, version = time.monotonic() + seconds, 0, None
    while streak < 6 and time.monotonic() < deadline:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/calendar.ics")
        shown = {int(v) for v, _ in EXTRA.findall(connection.getresponse().read())}
        connection.close()
        version = shown.pop() if len(shown) == 1 else None
        streak = streak + 1 if version == expected else 0
        if streak == 0:
            time.sleep(0.05)
    return version
