"""A reload keeps what did not change (calfeed/reuse.py): an event or news post read from the same YAML is
the very object the previous read made, and one that had no problem is not checked again (what its read
did is done again instead); but a read with `reuse` says exactly what a fresh read says: the same problems,
the same outputs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from calfeed import descriptions, sections
from calfeed.content import read_content
from calfeed.render import FORMATS, View
from calfeed.render.html import make_environment
from calfeed.reuse import Reuse
from calfeed.store import ContentStore

from conftest import CONTENT, TEMPLATES

EVERY_FIELD = CONTENT / "ics-every-field.yaml"
ROOT = Path(__file__).parent

# Edits that break the content, and edits that keep it valid, of ics-every-field.yaml.
EDITS = [
    ("end: 2030-05-08", "end: 2030-05-01"),  # end before start
    ("id: cancelled-forum-2030", "id: assembly-2030"),  # a duplicate id
    ("start: 2030-06-01", "start: 2030-06-01\n    timezone: Europe/Madrid"),  # a warning (all-day with a zone)
    ("location: Seville", "location: Seville\n    colour: red"),  # an unknown field
    ("elects the board.", "elects the board.\n" + "      - " * 30 + "deep"),  # Markdown nested too deep
    ("culture: {en: Culture, es: Cultura}", "culture: {en: Culture, fr: Culture}"),  # a language not listed
    ("languages: [en, es]", "languages: [en]"),  # every Spanish text becomes a problem
    ("title: Workshop", "title: Workshop 2"),
    ("timezone: Europe/Madrid", "timezone: America/Bogota"),
]


def _outputs(site) -> list[bytes]:
    view = View("en", path="/", templates=make_environment(TEMPLATES))
    return [FORMATS[name].render(site, view) for name in ("calendar", "atom", "agenda")]


@pytest.mark.parametrize(("before", "after"), EDITS, ids=[after.strip()[:40] for _, after in EDITS])
def test_a_read_with_reuse_says_what_a_fresh_read_says(tmp_path: Path, before, after):
    content = tmp_path / "events.yaml"
    shutil.copytree(CONTENT / "images", tmp_path / "images")
    text = EVERY_FIELD.read_text().replace("start: 2030-07-01", "start: 2030-07-01T10:00:00")  # in the calendar's zone
    content.write_text(text)
    reuse = Reuse()
    read_content(content, reuse=reuse)
    content.write_text(text.replace(before, after))
    for _ in range(2):  # after a first read of the edit, which may or may not be good
        site, problems = read_content(content, reuse=reuse)
        fresh_site, fresh_problems = read_content(content)
        assert problems == fresh_problems
        assert (site is None) == (fresh_site is None)
        if site is not None and fresh_site is not None:
            assert site == fresh_site
            assert _outputs(site) == _outputs(fresh_site)


def test_a_reload_keeps_unchanged_items_and_checks_none_of_them(tmp_path: Path, monkeypatch):
    content = tmp_path / "events.yaml"
    shutil.copy(CONTENT / "feed-events.yaml", content)
    shutil.copytree(CONTENT / "images", tmp_path / "images")
    store = ContentStore(content)
    assert store.refresh()
    first = store.current.site
    checked: list[str] = []
    check = descriptions.trouble
    monkeypatch.setattr(descriptions, "trouble", lambda text: checked.append(text) or check(text))
    read: list[object] = []
    event = sections.SectionReader.event
    monkeypatch.setattr(sections.SectionReader, "event", lambda self, raw, at: read.append(at) or event(self, raw, at))
    edited = first.event("izmir-panel-2021")
    content.write_text(content.read_text().replace("{en: Panel in Izmir,", "{en: Panel in Izmir (moved),"))
    assert store.refresh()
    second = store.current.site
    kept = [event.id for event, old in zip(second.events, first.events, strict=True) if event is old]
    assert kept == [event.id for event in first.events if event is not edited]
    assert [entry for entry, old in zip(second.news, first.news, strict=True) if entry is not old] == []
    assert read == [("events", 0)]  # the edited event alone was read again
    assert checked == []  # no description changed: none was converted again


def test_a_read_with_errors_keeps_the_unchanged_items(tmp_path: Path):
    content = tmp_path / "events.yaml"
    text = (CONTENT / "feed-events.yaml").read_text()
    content.write_text(text)
    reuse = Reuse()
    good, _ = read_content(content, reuse=reuse)
    content.write_text(text + "\n  - id: broken\n")
    broken, problems = read_content(content, reuse=reuse)
    assert broken is None and problems
    content.write_text(text)
    again, _ = read_content(content, reuse=reuse)
    assert good is not None and again is not None
    assert all(new is old for new, old in zip(again.events, good.events, strict=True))


def _cases() -> list[Path]:
    """Every content fixture and every case of the bad-content suite (a file, or a folder of files)."""
    bad = sorted(case for category in (ROOT / "bad").iterdir() for case in category.iterdir())
    return sorted(CONTENT.iterdir()) + [case for case in bad if case.name != "expected.txt"]


@pytest.mark.parametrize("path", _cases(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_second_read_of_the_same_content_says_what_a_fresh_read_says(path: Path):
    """The second read replays each item the first found no problem in (`reuse.Effects`) and reads the
    others: every duplicate, link, tag and warning must come out as in a fresh read, in the same order."""
    fresh_site, fresh_problems = read_content(path)
    reuse = Reuse()
    read_content(path, reuse=reuse)
    site, problems = read_content(path, reuse=reuse)
    assert problems == fresh_problems
    assert site == fresh_site
