"""Pages and indexes an incremental `calfeed build` joins from pieces kept between builds (the year's archive
pages, each language's search index): after an edit they read as a full build's, in every language, and
only the edited event's pieces are made again."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_export_incremental import DAY, _edit, _rebuild_and_compare

from calfeed import export, history
from calfeed.content import read_content
from calfeed.model import Event
from calfeed.render import fragments
from calfeed.settings import Settings

from conftest import BUNDLED, TEMPLATES


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The bundled content, its history and the bundled templates, copied to edit."""
    shutil.copytree(TEMPLATES, tmp_path / "content" / "templates")
    for file in (BUNDLED, BUNDLED.with_name(f"{BUNDLED.stem}.history.json")):
        shutil.copy2(file, tmp_path / "content" / file.name)
    return tmp_path / "content" / BUNDLED.name


class _Titles(HTMLParser):
    """The event titles of an archive page, in order (the text of each ``.event-title``)."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if "event-title" in (dict(attrs).get("class") or "").split():
            self._inside = True
            self.titles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag.startswith("h") and self._inside:
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.titles[-1] += data


def _archive(out: Path, page: str) -> list[str]:
    parser = _Titles()
    parser.feed((out / page / "index.html").read_text(encoding="utf-8"))
    return parser.titles


def _search(out: Path, index: str) -> list[str]:
    document = json.loads((out / index).read_text(encoding="utf-8"))
    return [item[1] for item in document["items"] if item[0] == "event"]


def test_an_edit_shows_on_its_archive_page_and_search_indexes_in_each_language(content, tmp_path):
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    _edit(content, "title: 4th UCLG Culture Summit", "title:\n      en: The 4th Culture Summit\n      es: 4ª Cumbre")
    changed = _rebuild_and_compare(content, out, tmp_path / "full", DAY)
    assert "The 4th Culture Summit" in _archive(out, "archive/2021") == _archive(out, "en/archive/2021")
    assert "4ª Cumbre" in _archive(out, "es/archive/2021") and "4ª Cumbre" not in _archive(out, "fr/archive/2021")
    assert "The 4th Culture Summit" in _search(out, "search.json") and "4ª Cumbre" in _search(out, "es/search.json")
    assert {"archive/2021/index.html", "es/search.json"} <= changed and "archive/2022/index.html" not in changed


def _edit_and_stamp(content: Path, old: str, new: str) -> None:
    """Edit `content` and record the edit in its history (`calfeed stamp`), as an editor commits it."""
    _edit(content, old, new)
    site, problems = read_content(content)
    assert site is not None, problems
    history.stamp(site, content)


def test_pieces_kept_by_an_earlier_build_are_taken_by_a_later_one(content, tmp_path):
    """Editing 2022's event renders only 2022's archive pages; 2021's, rendered after the next edit, still finds
    its other events' entries, kept from the first build through the second: it makes no more pieces than a
    build after a full one."""
    out, reference = tmp_path / "site", tmp_path / "reference"
    export.build(out, Settings(events=str(content)), today=DAY)
    _edit_and_stamp(content, "International Days on Cultural Rights", "Days on Cultural Rights")
    assert 0 < export.build(out, Settings(events=str(content)), today=DAY).pieces
    export.build(reference, Settings(events=str(content)), today=DAY)
    _edit_and_stamp(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    made = export.build(out, Settings(events=str(content)), today=DAY).pieces
    assert 0 < made == export.build(reference, Settings(events=str(content)), today=DAY).pieces
    _edit(content, "title: Resilient City training program", "title: Resilient City training")
    _rebuild_and_compare(content, out, tmp_path / "full", DAY)
    assert "Resilient City training" in _archive(out, "fr/archive/2021")


def test_an_event_moved_to_another_year_leaves_one_archive_page_for_the_other(content, tmp_path):
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    _edit(content, "start: 2021-09-06", "start: 2022-09-06")
    _edit(content, "end: 2021-09-26", "end: 2022-09-26")
    _rebuild_and_compare(content, out, tmp_path / "full", DAY)
    training = "Resilient City training program"
    assert training in _archive(out, "es/archive/2022") and training not in _archive(out, "es/archive/2021")


def test_an_edited_event_template_shows_on_every_archive_page(content, tmp_path):
    """What every entry shows (the templates) is the pieces file's key: an edit there makes every entry again."""
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    partial = content.parent / "templates" / "_event.html"
    _edit(partial, '<h{{ level }} class="event-title">', '<h{{ level }} class="event-title" data-edited>')
    _rebuild_and_compare(content, out, tmp_path / "full", DAY)
    for page in ("archive/2021", "fr/archive/2022"):
        html = (out / page / "index.html").read_text(encoding="utf-8")
        assert html.count('class="event-title" data-edited>') == len(_archive(out, page)) > 0


def test_a_worker_holds_on_only_to_the_pieces_other_outputs_show():
    """A build worker hands each output's new pieces to the build and keeps for the outputs it renders next only
    those other outputs show (an event's VEVENT is in every calendar of its tags), not those of an output of its
    own (a language's search rows, a page's entries): 20 MB of its memory at 10,000 events."""
    site, problems = read_content(BUNDLED)
    assert site is not None, problems
    lasting = fragments.Lasting()
    made: list[str] = []

    def make(kind: str) -> Callable[[Event], bytes]:
        return lambda event: made.append(kind) or f"{kind} {event.id}".encode()

    rows = lasting.many(site, ("search", "en"), site.events, make("row"), alone=True)
    vevents = lasting.many(site, ("ics", "en"), site.events, make("vevent"))
    used, pieces = lasting.take()
    assert sorted(pieces.values()) == sorted([*rows, *vevents]) and len(used) == len(pieces) == 2 * len(site.events)
    made.clear()
    assert lasting.many(site, ("search", "en"), site.events, make("row"), alone=True) == rows
    assert lasting.many(site, ("ics", "en"), site.events, make("vevent")) == vevents
    assert made == ["row"] * len(site.events)  # made again (found in no build's pieces); the VEVENTs were held
