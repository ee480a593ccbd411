"""The calendar's cache of VEVENT pieces (`ics.PIECES`) never serves a stale piece: whatever the content
changes, a calendar written with the cache warm from the previous content is byte for byte the one
written with an empty cache. A piece is kept for the very `Event` object it was written from (an edited
event is a new object: calfeed/reuse.py), with its revision and a digest of the site's calendar settings
and tags (`ics.piece_keys`). These tests change each input the calendar shows, one at a time: on the
model, and as a reload reads an edit of the YAML.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from calfeed.content import load_site
from calfeed.model import Event, Site, Text
from calfeed.render import FORMATS, View, ics
from calfeed.reuse import Reuse

from conftest import BUNDLED, CONTENT

SITES = [BUNDLED, CONTENT / "ics-every-field.yaml", CONTENT / "ics-timed-zones.yaml"]


def _calendars(site: Site) -> list[bytes]:
    """Every language's calendar, and each event alone, as the server writes them."""
    views = [View(lang, today=date(2021, 9, 1), path=f"/{lang}/calendar.ics") for lang in site.calendar.languages]
    out = [FORMATS["calendar"].render(site, view) for view in views]
    for event in site.events:
        out.append(FORMATS["event-ics"].render(site, View(site.calendar.default_language, item=event.id)))
    return out


def _changes(site: Site, other: Site) -> Iterator[tuple[str, Site]]:
    """`site` with one thing changed, as a reload could change it: each calendar setting (taken from
    `other`), a tag's label, the news that publishes an event, and each field of one event."""
    calendar = site.calendar
    for field in dataclasses.fields(calendar):
        value = getattr(other.calendar, field.name)
        if value != getattr(calendar, field.name) and field.name != "languages":
            yield (
                f"calendar.{field.name}",
                dataclasses.replace(site, calendar=dataclasses.replace(calendar, **{field.name: value})),
            )
    languages = (*calendar.languages[1:], calendar.languages[0])
    yield "calendar.languages", dataclasses.replace(site, calendar=dataclasses.replace(calendar, languages=languages))
    tagged = next((event for event in site.events if event.tags), None)
    if tagged is not None:
        labels = {**site.tags, tagged.tags[0]: Text({lang: f"Relabelled {lang}" for lang in calendar.languages})}
        yield "tags", dataclasses.replace(site, tags=labels)
    yield "news", dataclasses.replace(site, news=())
    first = site.events[0]
    stamped = {**site.revisions, f"event:{first.id}": dataclasses.replace(site.revision(first), sequence=7)}
    yield "history (calfeed stamp)", dataclasses.replace(site, revisions=stamped)
    later = site.revision(first).modified + timedelta(days=1)
    stamped = {**site.revisions, f"event:{first.id}": dataclasses.replace(site.revision(first), modified=later)}
    yield "history (modified)", dataclasses.replace(site, revisions=stamped)
    # The calendar's time zone moves an event's local times without a change to the event's own YAML.
    for name, moved in (
        ("start", dataclasses.replace(first, start=first.start - timedelta(hours=1))),
        ("end", dataclasses.replace(first, end=first.end + timedelta(hours=1))),
    ):
        yield (
            f"event {name} (calendar.timezone)",
            dataclasses.replace(site, events=tuple(moved if event is first else event for event in site.events)),
        )
    event = site.events[0]
    donor = other.events[-1]
    for field in dataclasses.fields(event):
        value = getattr(donor, field.name)
        if field.name not in ("id",) and value != getattr(event, field.name):
            changed = dataclasses.replace(event, **{field.name: value})
            yield f"event.{field.name}", _with_event(site, changed)


def _with_event(site: Site, event: Event) -> Site:
    """`site` with `event` edited: its history digest changes, as it does when its YAML does."""
    events = tuple(event if old.id == event.id else old for old in site.events)
    key = f"event:{event.id}"
    revisions = dict(site.revisions)
    if key in revisions:
        revisions[key] = dataclasses.replace(revisions[key], digest=revisions[key].digest + "-edited")
    return dataclasses.replace(site, events=events, revisions=revisions)


@pytest.mark.parametrize("path", SITES, ids=lambda path: path.name)
def test_a_warm_piece_cache_writes_the_calendar_an_empty_one_writes(path):
    site = load_site(path)
    other = load_site(SITES[(SITES.index(path) + 1) % len(SITES)])
    checked = []
    for name, changed in _changes(site, other):
        ics.PIECES.clear()
        _calendars(site)  # the cache now holds the previous content's pieces
        warm = _calendars(changed)
        ics.PIECES.clear()
        assert warm == _calendars(changed), f"a stale piece survived a change of {name}"
        checked.append(name)
    assert len(checked) > 8, checked


# One edit of the YAML per thing the calendar shows, as an editor would save it, and which events it
# renews: the one edited; every one (a new calendar zone or language order: an event is read with them);
# none (what the site says to every event: the piece key's digest of the calendar settings and tags).
EDITS = [
    ("title: {en: General Assembly,", "title: {en: General Assembly 2030,", "assembly-2030"),
    ("start: 2030-05-06", "start: 2030-05-05", "assembly-2030"),
    ("end: 2030-05-08", "end: 2030-05-09", "assembly-2030"),
    ("address: Avinguda Reina Maria Cristina", "address: Avinguda Reina Maria Cristina 1", "assembly-2030"),
    ("lat: 41.3726", "lat: 41.3727", "assembly-2030"),
    ("online: https://stream.example.org/assembly", "online: https://stream.example.org/live", "assembly-2030"),
    ("tags: [culture, rights]", "tags: [rights, culture]", "assembly-2030"),
    ("url: https://www.example.org/assembly", "url: https://www.example.org/assembly-2030", "assembly-2030"),
    ("image: {src: images/assembly.png,", "image: {src: images/congress.png,", "assembly-2030"),
    ("summary: {en: Members meet once a year.}", "summary: {en: Members meet every year.}", "assembly-2030"),
    ("elects the board.", "elects the board and the president.", "assembly-2030"),
    ('organizer: {name: "Secretariat, World Office",', 'organizer: {name: "World Secretariat",', "assembly-2030"),
    ("status: tentative", "status: confirmed", "assembly-2030"),
    ("title: Forum (cancelled)", "title: Forum (called off)", "cancelled-forum-2030"),
    ("organizer: Forum team", "organizer: The forum team", "cancelled-forum-2030"),
    ("location: Seville", "location: Sevilla", "remote-image-2030"),
    # Not in the calendar, but a new object all the same (the pages show the first; the second, a text's
    # first language, is its fallback): the reuse rule knows nothing of what a renderer shows.
    ("alt: The workshop}", "alt: The workshop room}", "remote-image-2030"),
    ("{en: General Assembly, es: Asamblea General}", "{es: Asamblea General, en: General Assembly}", "assembly-2030"),
    ("timezone: Europe/Madrid", "timezone: Europe/Lisbon", "every event"),
    ("languages: [en, es]", "languages: [es, en]", "every event"),
    ("url: https://agenda.example.org/", "url: https://events.example.org/", "no event"),
    ("culture: {en: Culture, es: Cultura}", "culture: {en: Arts, es: Artes}", "no event"),
]

HIDDEN = {"alt: The workshop room}", "{es: Asamblea General, en: General Assembly}"}


def _written(site: Site) -> list[bytes]:
    return [ics.render_calendar(site, View(lang, today=date(2030, 1, 1))) for lang in ("en", "es")] + [
        FORMATS["event-ics"].render(site, View("en", item=event.id)) for event in site.events
    ]


@pytest.mark.parametrize(("before", "after", "edited"), EDITS, ids=[edit[1] for edit in EDITS])
def test_a_reload_renews_the_edited_event_and_reuses_the_others(tmp_path: Path, before, after, edited):
    content = tmp_path / "events.yaml"
    shutil.copytree(CONTENT / "images", tmp_path / "images")
    text = (CONTENT / "ics-every-field.yaml").read_text()
    assert text.count(before) == 1, before
    content.write_text(text)
    saved = 1_900_000_000  # both saves in one second: unstamped content dates its events by the file's time
    os.utime(content, (saved, saved))
    reuse = Reuse()
    site = load_site(content, reuse=reuse)
    assert all(new is old for new, old in zip(load_site(content, reuse=reuse).events, site.events, strict=True))
    ics.PIECES.clear()
    previous = _written(site)  # the cache now holds the previous content's pieces
    content.write_text(text.replace(before, after))
    os.utime(content, (saved + 0.5, saved + 0.5))
    reloaded = load_site(content, reuse=reuse)
    warm = _written(reloaded)
    ics.PIECES.clear()
    assert warm == _written(reloaded), "a stale piece survived the edit"
    assert (warm[:2] == previous[:2]) == (after in HIDDEN), "the edit shows in the calendar"
    old = {event.id: event for event in site.events}
    kept = {event.id for event in reloaded.events if event is old.get(event.id)}
    renewed = {"every event": set(old), "no event": set()}.get(edited, {edited})
    assert kept == set(old) - renewed
