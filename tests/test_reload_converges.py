"""Reloading always converges on the files as they are now: a newer edit abandons the preparation of an older
one, preparing has a time budget, and a version older than the files already seen never goes live.

The last test does it for real: gunicorn with two workers, 20 edits in quick succession, every other one a
version of 2,000 events (slow to read and to render: each worker renders dozens of its calendars and feeds
before it serves), and the last file's version served by every worker within 5 s of the last write.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

from test_reload import _edit, _wait_for
from test_wsgi import run_gunicorn

from calfeed.store import ContentStore

from conftest import BUNDLED

GOOD = BUNDLED.read_text(encoding="utf-8")


def _day(text: str, day: int) -> str:
    return text.replace("start: 2021-10-05", f"start: 2021-10-{day:02d}")


def _start_day(store: ContentStore) -> int:
    assert store.current is not None
    return store.current.site.event("intermediary-cities-forum-2021").start.day


def test_a_newer_edit_abandons_the_preparation_of_an_older_one(tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    store = ContentStore(events, prepare_seconds=60)
    assert store.refresh()
    prepared: list[int] = []

    def prepare(new, old, stop):  # a slow version: it would take a minute, and looks at `stop` as it goes
        prepared.append(new.site.event("intermediary-cities-forum-2021").start.day)
        if len(prepared) > 1:
            return None
        _edit(events, _day(GOOD, 7))  # the next edit lands while the first is being prepared
        deadline = time.monotonic() + 60
        while not stop() and time.monotonic() < deadline:
            time.sleep(0.01)
        return None

    store.prepare = prepare
    _edit(events, _day(GOOD, 6))
    started = time.monotonic()
    assert not store.refresh()  # day 6 was abandoned, and never served
    assert time.monotonic() - started < 30
    assert _start_day(store) == 5
    assert store.refresh()  # the newer files are read at the next look
    assert _start_day(store) == 7
    assert prepared == [6, 7]


def test_preparing_stops_when_its_time_is_spent_and_the_version_serves(tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    store = ContentStore(events, prepare_seconds=0.3)
    assert store.refresh()
    finished: list[bool] = []

    def prepare(new, old, stop):
        deadline = time.monotonic() + 60
        while not stop() and time.monotonic() < deadline:
            time.sleep(0.01)
        return lambda superseded: finished.append(superseded())

    store.prepare = prepare
    _edit(events, _day(GOOD, 6))
    started = time.monotonic()
    assert store.refresh()
    assert time.monotonic() - started < 30
    assert _start_day(store) == 6
    assert finished == [False]  # what is left to do after the swap ran, told that nothing newer came


def test_files_that_change_while_being_read_are_read_again_not_served(tmp_path, monkeypatch):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    store = ContentStore(events)
    assert store.refresh()
    import calfeed.store as store_module

    read = store_module.read_content

    def read_then_edit(path, **options):  # an editor saves again while the first save is being read
        result = read(path, **options)
        _edit(events, _day(GOOD, 8))
        return result

    monkeypatch.setattr(store_module, "read_content", read_then_edit)
    _edit(events, _day(GOOD, 6))
    assert not store.refresh()
    assert _start_day(store) == 5  # day 6 was never served: the files had moved on
    monkeypatch.setattr(store_module, "read_content", read)
    assert store.refresh()
    assert _start_day(store) == 8


def test_a_notification_reloads_without_waiting_for_the_polling_interval(make_app, tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    app = make_app(events, CALFEED_RELOAD_INTERVAL="600")  # polling alone would take 20 minutes
    store = app.extensions["calfeed.store"]
    try:
        _edit(events, _day(GOOD, 6))
        _wait_for(lambda: _start_day(store) == 6, timeout=20)
        (tmp_path / "notes.txt").write_text("not content")  # other files beside it are not content
        _edit(events, _day(GOOD, 7)[:200])  # half-written: a syntax error is not served ...
        _wait_for(lambda: store.last_error is not None, timeout=20)
        assert _start_day(store) == 6
        _edit(events, _day(GOOD, 7))  # ... and the rest of the write is read as it lands
        _wait_for(lambda: _start_day(store) == 7, timeout=20)
    finally:
        store.close()


def test_polling_can_be_asked_for(make_app, tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    app = make_app(events, CALFEED_RELOAD_INTERVAL="0.05", CALFEED_RELOAD_POLLING="1")
    store = app.extensions["calfeed.store"]
    try:
        _edit(events, _day(GOOD, 6))
        _wait_for(lambda: _start_day(store) == 6, timeout=20)
    finally:
        store.close()


def test_outputs_rendered_ahead_are_compressed_after_the_swap_and_the_old_ones_dropped(make_app, tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    app = make_app(events)
    client, store, outputs = app.test_client(), app.extensions["calfeed.store"], app.extensions["calfeed.outputs"]
    before = client.get("/calendar.ics", headers={"Accept-Encoding": "br"})
    old = store.current.site.version
    _edit(events, _day(GOOD, 6))
    assert store.refresh()
    new = store.current.site.version
    assert outputs.paths(old) == []  # the replaced version's outputs are not kept for the LRU to age out
    after = client.get("/calendar.ics", headers={"Accept-Encoding": "br"})
    assert after.headers["Content-Encoding"] == "br" and after.headers["X-Content-Version"] == new
    assert after.headers["Vary"] == before.headers["Vary"] == "Accept-Encoding"
    plain = client.get("/calendar.ics", headers={"Accept-Encoding": "identity"})
    assert b"DTSTART;VALUE=DATE:20211006" in plain.data
    fresh = make_app(events).test_client().get("/calendar.ics", headers={"Accept-Encoding": "identity"})
    assert plain.headers == fresh.headers and plain.data == fresh.data  # as if rendered on request


# -- the real server ---------------------------------------------------------------------------------------------

EDITS = 20
LARGE = 2_000  # events in every other version
LANGS = ("", "/es", "/fr")
FILES = ("/calendar.ics", "/feed.atom", "/feed.rss", "/feed.json", "/events.json", "/", "/embed/", "/archive/2021/")
TAGGED = ("/calendar.ics", "/feed.atom", "/feed.json", "/events.json", "/")
TAGS = ("accessibility", "intermediary-cities")
CRAWL = [lang + name for lang in LANGS for name in FILES] + [
    f"{lang}/tags/{tag}{name}" for lang in LANGS for tag in TAGS for name in TAGGED
]
UID = re.compile(rb"UID:v(\d+)-(\d+)@")


def version_text(version: int) -> str:
    """Version `version` of the extra file: many events when even, three when odd; ids say the version."""
    lines = ["events:"]
    for k in range(3 if version % 2 else LARGE):
        lines += [
            f"  - id: v{version}-{k}",
            f"    title: Version {version}, event {k}",
            f"    start: 2021-{1 + k % 12:02d}-{1 + k % 28:02d}",
            "    location: Online",
            f"    tags: [{TAGS[k % 2]}]",
            f"    summary: Event {k} of version {version}, one of a few thousand.",
        ]
    return "\n".join(lines) + "\n"


def test_twenty_quick_edits_some_slow_end_with_the_last_one_served_by_every_worker():
    with tempfile.TemporaryDirectory(prefix="calfeed-reload-") as folder:  # not tmp_path: pytest runs beside
        _twenty_quick_edits(Path(folder))  # this one (other checkouts on the machine) prune old tmp_path folders


def _twenty_quick_edits(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(BUNDLED, content / "events.yaml")
    extra = content / "extra.yaml"
    extra.write_text(version_text(1), encoding="utf-8")
    log = tmp_path / "gunicorn.log"
    stop = threading.Event()
    settings = {"CALFEED_RELOAD_INTERVAL": "0.05", "CALFEED_ACCESS_LOG": "off"}
    with run_gunicorn(content, log, **settings) as base:
        host, port = base.removeprefix("http://").split(":")

        def get(path: str) -> tuple[int, dict[str, str], bytes]:
            connection = http.client.HTTPConnection(host, int(port), timeout=60)
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "identity"})
                response = connection.getresponse()
                return response.status, dict(response.headers), response.read()
            finally:
                connection.close()

        def crawl() -> None:  # keeps each worker's outputs many and current: what a reload renders first
            while not stop.is_set():
                for path in CRAWL:
                    if stop.is_set():
                        return
                    get(path)

        for _ in range(2):
            for path in CRAWL:
                assert get(path)[0] == 200, path
        crawlers = [threading.Thread(target=crawl) for _ in range(2)]
        for thread in crawlers:
            thread.start()
        try:
            for version in range(2, EDITS + 2):
                time.sleep(0.1)
                _edit(extra, version_text(version))
            last, written = EDITS + 1, time.monotonic()
        finally:
            stop.set()
            for thread in crawlers:
                thread.join(timeout=120)

        def served() -> bool:  # 12 answers in a row, on new connections (either worker), show the last version
            for _ in range(12):
                status, _, body = get("/calendar.ics")
                page = get(f"/events/v{last}-0/")[0]
                versions = {int(v) for v, _ in UID.findall(body)}
                if status != 200 or versions != {last} or page != 200:
                    return False
            return True

        while True:
            asked = time.monotonic()
            if served() and len(set(_serving(log).values())) == 1:  # ... by every worker
                break
            assert asked - written < 60, f"the last version is not served after a minute: {_serving(log)}"
            time.sleep(0.05)
        converged = asked - written
        version = json.loads(get("/healthz")[2])["version"]
    serving = _serving(log)
    print(f"the last version served {converged:.2f} s after the last write; workers: {serving}")
    assert len(serving) == 2 and set(serving.values()) == {version}, serving
    assert converged <= 5, f"the last version served {converged:.2f} s after the last write"


def _serving(log: Path) -> dict[int, str]:
    """The content version each gunicorn worker (by process id) said it serves last, from its JSON log."""
    serving: dict[int, str] = {}
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{") and '"serving content version ' in line:
            entry = json.loads(line)
            serving[entry["pid"]] = entry["message"].split()[3].rstrip(":")
    return serving
