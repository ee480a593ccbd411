"""An item's digest (`render.fragments.ItemDigests`, in every fingerprint and every kept piece's key) changes
whenever the item does: where `calfeed build`'s read says what an item was made of (`Site.origins`: its kind,
file, the calendar's languages and zone, its YAML value), equal digests are equal model objects; and the same
content read again, with the parse memo a previous build saved, gives the same digests (nothing is rendered
again for nothing)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from calfeed import parsememo, yamlchunks
from calfeed.model import Event, NewsEntry, Site
from calfeed.render.fragments import ItemDigests
from calfeed.store import read_version

from conftest import CONTENT

HEAD = "calendar:\n  title: Fairs\n  url: https://example.org/\n  timezone: {zone}\n  languages: [{languages}]\n"
EVENT = "  - id: fair\n    title: {title}\n    start: {start}\n    location: Ghent\n"
TITLES = ["Fair", "{en: Fair, es: Feria}", "{es: Feria, en: Fair}", "{en: Fair}", '"Fair "']
STARTS = ["2030-05-01", "2030-05-01 10:00", "2030-10-27 02:30+01:00", "2030-10-27 02:30+02:00"]
NEWS = "news:\n  - id: report\n    title: {title}\n    date: 2030-05-02\n    events: [fair]\n"


def _read(file: Path, memos: dict[str, yamlchunks.Memo] | None = None) -> Site:
    published, problems = read_version(file, memos={} if memos is None else memos)
    assert published is not None, problems
    return published.site


def _digests(site: Site) -> dict[str, tuple[bytes, Event | NewsEntry]]:
    digests = ItemDigests(site)
    return {f"{type(item).__name__}:{item.id}": (digests(item), item) for item in (*site.events, *site.news)}


def test_equal_digests_are_equal_items(tmp_path: Path) -> None:
    """Across reads of content that differs in each thing an item is made of (its text in languages, their
    order, its start, the calendar's zone and languages, the file), two items of one digest are the same."""
    seen: dict[bytes, str] = {}
    reads = 0
    for zone in ("Europe/Brussels", "UTC"):
        for languages in ("en, es", "es, en"):
            for title in TITLES:
                for start in STARTS:
                    for name in ("a.yaml", "b.yaml"):
                        file = tmp_path / name  # written again for each read: the same file, other content
                        head = HEAD.format(zone=zone, languages=languages)
                        file.write_text(
                            head + "events:\n" + EVENT.format(title=title, start=start) + NEWS.format(title=title)
                        )
                        os.utime(file, (1_900_000_000, 1_900_000_000))  # the same revisions (no history file)
                        site = _read(file)
                        assert {id(item) for item in (*site.events, *site.news)} <= site.origins.keys()
                        for digest, item in _digests(site).values():
                            shown = repr((item, site.revision(item), site.published(item)))
                            assert seen.setdefault(digest, shown) == shown
                        reads += 1
    assert len(set(seen.values())) > len(TITLES) * len(STARTS)  # the variants made different items


def test_an_item_changed_after_its_read_is_digested_by_what_it_holds(tmp_path: Path) -> None:
    """An event whose local image was sized, a news post dated by the rule: objects made after the section
    reader's, not in `Site.origins`, so digested by their repr (the image's size, the date are in it)."""
    folder = tmp_path / "content"
    folder.mkdir()
    shutil.copytree(CONTENT / "images", folder / "images")
    text = HEAD.format(zone="UTC", languages="en") + "events:\n" + EVENT.format(title="Fair", start="2030-05-01")
    text += "    image: {src: images/congress.png, alt: The hall}\n"
    text += "news:\n  - id: report\n    title: Report\n    events: [fair]\n"
    (folder / "events.yaml").write_text(text)
    site = _read(folder / "events.yaml")
    [event], [entry] = site.events, site.news
    assert event.image is not None and event.image.width and not entry.date_given
    assert id(event) not in site.origins and id(entry) not in site.origins
    plain = Site(site.calendar, site.events, site.news, revisions=site.revisions)  # no origins
    assert ItemDigests(site)(event) == ItemDigests(plain)(event)


def test_content_read_again_with_the_saved_memo_has_the_same_digests(tmp_path: Path) -> None:
    """A build reads unchanged items back from the parse memo (their JSON, not a parse): the same digests as the
    read that parsed them, and only an edited item's changes."""
    file = tmp_path / "events.yaml"
    events = "".join(
        EVENT.format(title=f"Fair {n}", start="2030-05-01").replace("fair", f"fair-{n}")
        + '    summary: "é \\u2028 \\t 𝄞"\n'
        for n in range(3)
    )
    file.write_text(HEAD.format(zone="UTC", languages="en, es") + "events:\n" + events)
    saved = file.stat().st_mtime_ns  # unstamped items are dated by the file's time: the edit keeps it
    memos: dict[str, yamlchunks.Memo] = {}
    first = _digests(_read(file, memos))
    parsememo.save(tmp_path / parsememo.MEMO, memos)
    again = _digests(_read(file, parsememo.load(tmp_path)))
    assert {key: digest for key, (digest, _) in again.items()} == {key: digest for key, (digest, _) in first.items()}
    file.write_text(file.read_text().replace("Fair 1", "Fair one"))
    os.utime(file, ns=(saved, saved))
    parsememo.save(tmp_path / parsememo.MEMO, memos)
    edited = _digests(_read(file, parsememo.load(tmp_path)))
    assert [key for key in first if edited[key][0] != first[key][0]] == ["Event:fair-1"]
