"""The calendar's cache of VEVENT pieces (`ics.PIECES`) never serves a stale piece: whatever the content
changes, a calendar written with the cache warm from the previous content is byte for byte the one
written with an empty cache. The cache key lists an event's inputs by hand (`ics.piece_key`); this test
changes each input the calendar shows, one at a time, and fails if the key forgot one."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from calfeed.content import load_site
from calfeed.model import Event, Site, Text
from calfeed.render import FORMATS, View, ics

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
