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


def test_the_watcher_loads_a_change_once_the_files_settle(tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    store = ContentStore(events)
    assert store.refresh()
    _edit(events, GOOD.replace("start: 2021-10-05", "start: 2021-10-04"))
    assert not store.refresh(settle=True)  # the file just changed: it may still be being written
    assert store.refresh(settle=True)  # the same at the next look: read it
    assert store.current.site.event("intermediary-cities-forum-2021").start.day == 4
    assert not store.refresh(settle=True)


def test_a_reloaded_version_renders_what_was_being_served_before_it_serves(make_app, tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    app = make_app(events)
    client, store = app.test_client(), app.extensions["calfeed.store"]
    for url in ("/calendar.ics", "/fr/feed.atom", "/events/culturopolis-2022/", "/no-such-page/"):
        client.get(url)
    _edit(events, GOOD.replace("start: 2021-10-05", "start: 2021-10-04"))
    assert store.refresh()
    outputs, version = app.extensions["calfeed.outputs"], store.current.site.version
    assert set(outputs.paths(version)) == {"/calendar.ics", "/fr/feed.atom", "/events/culturopolis-2022/"}
    assert b"DTSTART;VALUE=DATE:20211004" in outputs.get(version, "/calendar.ics").body


def test_healthz_and_base_url_come_from_the_store(tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    store = ContentStore(events, base_url="https://preview.example.net/")
    assert store.refresh()
    assert store.current.site.calendar.url == "https://preview.example.net/"
    assert store.last_error is None
    _edit(events, GOOD.replace("start: 2021-10-05", "start: [broken"))
    assert not store.refresh()
    assert "YAML syntax error" in store.last_error


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


def test_an_edit_serves_once_its_calendar_and_page_are_rendered_and_the_rest_follows(make_app, tmp_path, monkeypatch):
    events = tmp_path / "events.yaml"
    events.write_text(GOOD, encoding="utf-8")
    app = make_app(events)
    client = app.test_client()
    store, outputs = app.extensions["calfeed.store"], app.extensions["calfeed.outputs"]
    edited = "/events/intermediary-cities-forum-2021/"
    others = ["/", "/feed.atom", "/news/", "/events/culture-summit-2021/"]
    for path in [*others, "/calendar.ics", edited]:  # the previous version served these, in this order
        assert client.get(path).status_code == 200
    old = store.current
    rendered: list[tuple[str, bool]] = []  # (path, whether the new version was serving yet)
    render = outputs.render
    monkeypatch.setattr(
        outputs,
        "render",
        lambda published, route, today, url_path, **kw: (
            rendered.append((url_path, store.current is not old)) or render(published, route, today, url_path, **kw)
        ),
    )
    _edit(events, GOOD.replace("start: 2021-10-05", "start: 2021-10-04"))
    assert store.refresh()
    assert sorted(path for path, serving in rendered if not serving) == ["/calendar.ics", edited]
    assert sorted(path for path, serving in rendered if serving) == sorted(others)
    assert b"DTSTART;VALUE=DATE:20211004" in client.get("/calendar.ics").data
