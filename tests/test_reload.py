"""A running server picks up edits, and a broken edit never replaces good content."""

from __future__ import annotations

import time

from calfeed.store import ContentStore

from conftest import BUNDLED

GOOD = BUNDLED.read_text(encoding="utf-8")


def test_a_broken_edit_keeps_the_last_good_version(tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    store = ContentStore(events)
    assert store.refresh()
    good = store.current
    _edit(events, GOOD.replace("start: 2021-10-05", "start: 2021-10-32"))
    assert not store.refresh()
    assert store.current is good
    assert any("events[2].start: 2021-10-32 is not a real date" in str(p) for p in store.problems)


def test_a_fixed_edit_is_served(tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    store = ContentStore(events)
    store.refresh()
    first = store.current.site.version
    _edit(events, GOOD.replace("start: 2021-10-05", "start: 2021-10-04"))
    assert store.refresh()
    assert store.current.site.version != first
    assert store.current.site.event("intermediary-cities-forum-2021").start.day == 4
    assert store.problems == tuple(p for p in store.problems if p.severity == "warning")


def test_server_reloads_on_save_and_logs_broken_edits(make_app, tmp_path, caplog):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    client = make_app(events, CALFEED_RELOAD_INTERVAL="0.05").test_client()
    assert b"DTSTART;VALUE=DATE:20211005" in client.get("/calendar.ics").data

    _edit(events, GOOD.replace("start: 2021-10-05", "start: [broken"))
    _wait_for(lambda: "YAML syntax error" in caplog.text)
    assert b"DTSTART;VALUE=DATE:20211005" in client.get("/calendar.ics").data  # still the last good version

    _edit(events, GOOD.replace("start: 2021-10-05", "start: 2021-10-04"))
    _wait_for(lambda: b"DTSTART;VALUE=DATE:20211004" in client.get("/calendar.ics").data)


def _edit(path, text):
    """Write like an editor saves; make sure the modification time moves even on coarse clocks."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        import os

        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def _wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met within the timeout")
