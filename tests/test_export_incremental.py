"""`calfeed build` into a folder holding an earlier build: the same bytes as a full build, and only the files
whose bytes changed are written; every other file is the earlier build's own (same modification time, same
file), so rsync or a CDN upload sends only what changed."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import TemplateSyntaxError

from calfeed import buildstate, export
from calfeed.settings import Settings

from conftest import BUNDLED, TEMPLATES

DAY = date(2021, 9, 1)

Tree = dict[str, tuple[bytes, int, int]]  # file: bytes, modification time (ns), inode


def _tree(folder: Path) -> Tree:
    files = (file for file in folder.rglob("*") if file.is_file())
    return {str(f.relative_to(folder)): (f.read_bytes(), f.stat().st_mtime_ns, f.stat().st_ino) for f in files}


@pytest.fixture
def content(tmp_path) -> Path:
    """A copy of the bundled content and its history, with the bundled templates beside it, to edit."""
    folder = tmp_path / "content"
    folder.mkdir()
    for name in (BUNDLED.name, BUNDLED.name.replace(".yaml", ".history.json")):
        shutil.copy2(BUNDLED.with_name(name), folder / name)
    shutil.copytree(TEMPLATES, folder / "templates")
    return folder / BUNDLED.name


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    later = file.stat().st_mtime + 10  # an edit saved later than the build before it
    os.utime(file, (later, later))


def _rebuild_and_compare(content: Path, out: Path, full: Path, today: date) -> set[str]:
    """Build into `out` (holding an earlier build) and into empty `full`; check they hold the same bytes (and the
    same pieces for the next build: `out` may hold them as a delta over an earlier build's base), that files
    written have the full build's dates, and that every other file is untouched. The files written."""
    return _rebuild(content, out, full, today)[0]


PIECES_FILES = (export.STATE, export.DELTA)


def _pieces(folder: Path) -> dict[bytes, bytes]:
    """The pieces the build in `folder` left for the next one, as that build reads them."""
    key = (folder / export.STATE).read_bytes()[len(buildstate.MAGIC) + 4 : len(buildstate.MAGIC) + 20]
    return {piece_key: bytes(piece) for piece_key, piece in buildstate.load(folder, key).items()}


def _rebuild(content: Path, out: Path, full: Path, today: date) -> tuple[set[str], export.Built]:
    """`_rebuild_and_compare`, and what the build into `out` did."""
    settings = Settings(events=str(content))
    before = _tree(out)
    built = export.build(out, settings, today=today)
    after = _tree(out)
    export.build(full, settings, today=today)
    expected = _tree(full)
    assert export.DELTA not in expected  # a full build's pieces: one base
    assert {name: found[0] for name, found in after.items() if name not in PIECES_FILES} == {
        name: found[0] for name, found in expected.items() if name not in PIECES_FILES
    }
    assert _pieces(out) == _pieces(full) != {}
    changed = {name for name in after if name not in before or before[name][0] != after[name][0]}
    for name, (_, modified, inode) in after.items():
        if name in changed:
            assert modified == expected[export.STATE if name in PIECES_FILES else name][1], name
        else:
            assert (modified, inode) == before[name][1:], f"{name}: bytes unchanged, yet rewritten"
    assert built.written == len(changed - set(export.BUILD_FILES))
    assert (built.files, built.size) == (len(after), sum(len(data) for data, _, _ in after.values()))
    return changed, built


def test_one_edited_event_rewrites_its_outputs_and_nothing_else(content, tmp_path):
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    changed = _rebuild_and_compare(content, out, tmp_path / "full", DAY)
    assert {"events/culture-summit-2021/index.html", "es/events/culture-summit-2021/index.html"} <= changed
    assert {"events/culture-summit-2021.ics", "calendar.ics", "en/calendar.ics", "calendar.ics.br"} <= changed
    assert "events/resilient-city-training-2021/index.html" not in changed
    assert len(changed) < len(_tree(out)) / 3


def test_linked_news_a_new_day_and_a_template_rebuild_as_a_full_build_would(content, tmp_path):
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    # A news post now names a second event: both events' pages list it.
    linked = "events: [resilient-city-training-2021"
    _edit(content, linked + "]", linked + ", culture-summit-2021]")
    changed = _rebuild_and_compare(content, out, tmp_path / "full-1", DAY)
    assert {"events/culture-summit-2021/index.html", "events/resilient-city-training-2021/index.html"} <= changed
    # The next day: what is upcoming moves on.
    changed = _rebuild_and_compare(content, out, tmp_path / "full-2", DAY + timedelta(days=14))
    assert "index.html" in changed
    # The site's stylesheet edited: only it changes, although every output was made again.
    _edit(content.parent / "templates" / "style.css", "\n", "\n/* edited */\n")
    changed = _rebuild_and_compare(content, out, tmp_path / "full-3", DAY + timedelta(days=14))
    assert changed - set(export.BUILD_FILES) == {"style.css", "style.css.gz", "style.css.br"}


def test_a_removed_event_takes_its_files_with_it(content, tmp_path):
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    text = content.read_text(encoding="utf-8")
    start = text.index("  - id: culturopolis-2022")
    _edit(content, text[start : text.index("\nnews:")], "")
    _edit(content, "events: [culturopolis-2022]", "url: https://www.uclg.org/")
    assert (out / "events" / "culturopolis-2022.ics").exists()
    _rebuild_and_compare(content, out, tmp_path / "full", DAY)
    assert not (out / "events" / "culturopolis-2022.ics").exists()


def test_an_unreadable_manifest_means_a_full_build(content, tmp_path):
    out = tmp_path / "site"
    first = export.build(out, Settings(events=str(content)), today=DAY)
    (out / export.MANIFEST).write_text("{not json", encoding="utf-8")
    again = export.build(out, Settings(events=str(content)), today=DAY)
    assert again.rendered == first.rendered > 0 and again.written == first.written - len(export.HOST_FILES)
    assert export.read_manifest(out).entries  # written anew: the next build is incremental again
    assert export.build(out, Settings(events=str(content)), today=DAY).rendered == 0


@pytest.mark.parametrize(
    "how", ["an older format", "a column cut short", "paths out of order", "a path outside", "an empty part", "a NUL"]
)
def test_a_damaged_or_older_manifest_means_a_full_build_with_the_same_bytes(content, tmp_path, how):
    out = tmp_path / "site"
    first = export.build(out, Settings(events=str(content)), today=DAY)
    manifest = json.loads((out / export.MANIFEST).read_bytes())
    if how == "an older format":  # version 1: an object per output
        manifest = {"version": 1, "outputs": {path: ["f", "d", [1, 0, 0]] for path in manifest["paths"]}}
    elif how == "a column cut short":
        manifest["digests"] = manifest["digests"][:-32]
    elif how == "paths out of order":
        manifest["paths"][1], manifest["paths"][2] = manifest["paths"][2], manifest["paths"][1]
    elif how == "a path outside":
        manifest["paths"][-1] = "/../../outside.html"
    else:  # a path calfeed never writes, though in order
        manifest["paths"][-1] += "//x" if how == "an empty part" else "\x00"
    (out / export.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert not export.read_manifest(out).entries
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    built = export.build(out, Settings(events=str(content)), today=DAY)
    export.build(tmp_path / "full", Settings(events=str(content)), today=DAY)
    assert built.rendered == first.rendered and _bytes(out) == _bytes(tmp_path / "full")
    assert export.build(out, Settings(events=str(content)), today=DAY).rendered == 0  # incremental again


@pytest.mark.parametrize("how", ["spaced", "hex in upper case", "paths escaped"])
def test_a_manifest_written_otherwise_is_used_and_written_as_a_full_build_writes_it(content, tmp_path, how):
    """The next manifest is patched from the previous one's bytes only when they are what calfeed writes: one
    that reads the same but is written otherwise still makes the build incremental, and a full build's bytes."""
    out = tmp_path / "site"
    first = export.build(out, Settings(events=str(content)), today=DAY)
    manifest = json.loads((out / export.MANIFEST).read_bytes())
    if how == "hex in upper case":
        manifest["digests"] = manifest["digests"].upper()
    text = json.dumps(manifest, indent=1 if how == "spaced" else None, separators=(",", ":"))
    if how == "paths escaped":
        text = text.replace("/", "\\/")
    (out / export.MANIFEST).write_text(text + "\n", encoding="utf-8")
    assert export.read_manifest(out).entries
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    changed, built = _rebuild(content, out, tmp_path / "full", DAY)
    assert 0 < built.rendered < first.rendered / 2 and export.MANIFEST in changed


@given(st.lists(st.text(), max_size=5))
@settings(max_examples=200, deadline=None)
def test_the_manifests_paths_are_written_as_json_dumps_writes_them(paths):
    assert export._paths_json(paths) == json.dumps(paths, separators=(",", ":")).encode()


@given(
    st.lists(st.text(), max_size=5),
    st.sampled_from([{"separators": (",", ":")}, {}, {"indent": 1}, {"ensure_ascii": False, "separators": (",", ":")}]),
)
@settings(max_examples=200, deadline=None)
def test_paths_written_otherwise_are_told_from_json_dumps(paths, how):
    """The manifest is patched only when its paths are written as calfeed writes them: any other JSON of the same
    paths (spaces, an indent, characters not escaped) is told apart, though it reads the same."""
    section = json.dumps(paths, **how).encode()
    assert json.loads(section) == paths
    assert export._paths_written(section, paths) == (section == json.dumps(paths, separators=(",", ":")).encode())


def test_a_lost_file_is_made_again_and_the_host_files_follow_the_settings(content, tmp_path):
    """An output deleted from the export since the last build comes back though its fingerprint is the same;
    ``_headers`` is kept while what it lists is unchanged, and made again when a setting it shows changes."""
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    (out / "events" / "culture-summit-2021" / "index.html").unlink()
    (out / "_nginx.conf").unlink()
    changed = _rebuild_and_compare(content, out, tmp_path / "full-1", DAY)
    assert {"events/culture-summit-2021/index.html", "_nginx.conf"} <= changed and "_headers" not in changed
    settings = Settings(events=str(content), max_age=600)
    before = _tree(out)
    export.build(out, settings, today=DAY)
    export.build(tmp_path / "full-2", settings, today=DAY)
    after, expected = _tree(out), _tree(tmp_path / "full-2")
    assert {name: found[0] for name, found in after.items()} == {name: found[0] for name, found in expected.items()}
    assert "max-age=600" in (out / "_headers").read_text() and after["_headers"][0] != before["_headers"][0]
    assert after["calendar.ics"][1:] == before["calendar.ics"][1:]  # the outputs' bytes do not show it


def test_lost_files_beside_an_edit_are_made_again_with_the_paths_that_share_their_output(content, tmp_path):
    """Outputs whose fingerprints did not change are found in bulk; one whose body is gone is made again, with the
    paths that share its bytes (the root's .ics and the default language's copy), beside an edited event's."""
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    (out / "events" / "intermediary-cities-forum-2021.ics").unlink()  # its copy at /en/ stays
    (out / "en" / "events" / "culturopolis-2022.ics").unlink()  # the root's stays
    shutil.rmtree(out / "es" / "events" / "resilient-city-training-2021")  # the page and its encodings
    (out / "en" / "events" / "resilient-city-training-2021" / "index.html").unlink()
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    changed, built = _rebuild(content, out, tmp_path / "full", DAY)
    assert {
        "events/intermediary-cities-forum-2021.ics",
        "en/events/culturopolis-2022.ics",
        "es/events/resilient-city-training-2021/index.html",
        "es/events/resilient-city-training-2021/index.html.br",
        "en/events/resilient-city-training-2021/index.html",
        "events/culture-summit-2021/index.html",
    } <= changed
    assert "en/events/intermediary-cities-forum-2021.ics" not in changed  # (made again: the same bytes, left alone)
    assert "events/resilient-city-training-2021/index.html" not in changed
    assert built.rendered < built.routes / 3


def test_an_incremental_build_that_fails_leaves_the_previous_output_untouched(content, tmp_path, monkeypatch):
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    before = _tree(out)
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    real, calls = export._write_output, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) > 3:
            raise RuntimeError("disk full, say")
        return real(*args, **kwargs)

    monkeypatch.setattr(export, "_write_output", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        export.build(out, Settings(events=str(content)), today=DAY, processes=1)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"]  # no half-built folder left


@pytest.mark.parametrize("failing", ["calendar", "event"])
def test_a_renderer_failing_in_a_worker_leaves_the_previous_output_untouched(content, tmp_path, monkeypatch, failing):
    """The workers render while the build still plans: a calendar (which they start on before the build has
    fingerprinted the event pages) or an event page (given to them last) that fails to render stops the build with
    its error, and the previous output stays as it was."""
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    before = _tree(out)
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    real = export.render_output

    def failing_one(published, route, *args, **kwargs):  # type: ignore[no-untyped-def]
        if route.format == failing:
            raise RuntimeError(f"a bug in the {route.format} renderer, say (in process {os.getpid()})")
        return real(published, route, *args, **kwargs)

    monkeypatch.setattr(export, "render_output", failing_one)  # (the workers are forked: they have it too)
    with pytest.raises(RuntimeError, match=f"a bug in the {failing} renderer") as raised:
        export.build(out, Settings(events=str(content)), today=DAY, processes=2)
    assert f"(in process {os.getpid()})" not in str(raised.value)  # a worker's
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"]  # no half-built folder left
    monkeypatch.undo()
    _rebuild_and_compare(content, out, tmp_path / "full", DAY)  # and the next build is a full build's bytes


def test_a_template_that_does_not_compile_is_reported_by_the_build(content, tmp_path):
    """The workers compile the templates as they start; one with a syntax error fails the build that uses it with
    Jinja's message (its file and line), as rendering it would, and leaves the previous output as it was."""
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    before = _tree(out)
    month = content.parent / "templates" / "month.html"
    month.write_text(month.read_text(encoding="utf-8").replace("{% block", "{% blok", 1), encoding="utf-8")
    with pytest.raises(TemplateSyntaxError, match="blok") as raised:
        export.build(out, Settings(events=str(content)), today=DAY, processes=2)
    assert (raised.value.name, raised.value.lineno) == ("month.html", _line_of(month, "{% blok"))
    assert _tree(out) == before


def _line_of(file: Path, text: str) -> int:
    return next(at for at, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_a_build_interrupted_while_moving_its_files_leaves_an_output_the_next_build_repairs(
    content, tmp_path, monkeypatch
):
    """The moves into OUTDIR are the one step that cannot be undone: the manifest goes first, so the next build
    after a crash among them is a full one, with a full build's bytes."""
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    real, moved = os.replace, []

    def crashing(source, destination):  # type: ignore[no-untyped-def]
        moved.append(destination)
        if len(moved) > 3:
            raise KeyboardInterrupt
        return real(source, destination)

    monkeypatch.setattr(os, "replace", crashing)
    with pytest.raises(KeyboardInterrupt):
        export.build(out, Settings(events=str(content)), today=DAY, processes=1)
    monkeypatch.undo()
    assert not (out / export.MANIFEST).exists() and (out / "calendar.ics").is_file()
    again = export.build(out, Settings(events=str(content)), today=DAY)
    export.build(tmp_path / "full", Settings(events=str(content)), today=DAY)
    assert again.rendered > 100 and _bytes(out) == _bytes(tmp_path / "full")
    assert export.build(out, Settings(events=str(content)), today=DAY).rendered == 0


def _bytes(folder: Path) -> dict[str, bytes]:
    return {name: found[0] for name, found in _tree(folder).items()}


def _formats_rendered(content: Path, out: Path, today: date, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Build into `out` in this process and return the formats of the outputs it rendered."""
    rendered: set[str] = set()
    real = export.render_output

    def recording(published, route, *args, **kwargs):  # type: ignore[no-untyped-def]
        rendered.add(route.format)
        return real(published, route, *args, **kwargs)

    monkeypatch.setattr(export, "render_output", recording)
    export.build(out, Settings(events=str(content)), today=today, processes=1)
    monkeypatch.undo()
    return rendered


def test_an_edit_renders_only_outputs_that_show_what_changed(content, tmp_path, monkeypatch):
    """An event's edit leaves the stylesheets, scripts and schema alone, and so does a news post's; the month
    view of the day follows the day into the next month. Each time the result is a full build's bytes."""
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    rendered = _formats_rendered(content, out, DAY, monkeypatch)
    assert {"event", "month", "calendar", "agenda"} <= rendered
    assert not rendered & {"style", "script", "embed-js", "embed-frame-js", "embed-css", "events-schema"}
    _rebuild_and_compare(content, out, tmp_path / "full-1", DAY)

    _edit(content, "title: Cities and local and regional cultural", "title: Cities and local and regional arts")
    rendered = _formats_rendered(content, out, DAY, monkeypatch)
    assert {"news", "atom", "event"} <= rendered and not rendered & {"style", "events-schema"}
    _rebuild_and_compare(content, out, tmp_path / "full-2", DAY)

    changed = _rebuild_and_compare(content, out, tmp_path / "full-3", date(2021, 10, 2))
    assert "month/index.html" in changed and "October 2021" in (out / "month" / "index.html").read_text()


def test_the_calendars_and_events_json_are_joined_from_the_previous_builds_pieces(content, tmp_path):
    """Each event's VEVENT and events.json item (per language) is kept beside the export for the next build:
    after one event's edit only its own pieces are made again, and the result is a full build's bytes."""
    out = tmp_path / "site"
    first = export.build(out, Settings(events=str(content)), today=DAY)
    assert first.pieces > 0 and (out / export.STATE).is_file()
    again = export.build(out, Settings(events=str(content)), today=DAY)
    assert (again.rendered, again.pieces) == (0, 0)
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    edited = export.build(out, Settings(events=str(content)), today=DAY)
    # a VEVENT, an events.json item and a search.json row in each of the three languages, and its entry on each of
    # the four archive pages of its year, agendas and embeds (/archive/2021/, /, /embed/, and under /en/, /es/, /fr/)
    assert edited.pieces == 3 * 3 + 3 * 4
    _edit(content, "title: The 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit!")
    changed = _rebuild_and_compare(content, out, tmp_path / "full", DAY)
    assert {"calendar.ics", "events.json", "es/events.json", "fr/calendar.ics"} <= changed


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        ("url: https://agenda.example.org/", "url: https://agenda.example.net/", "calendar.ics"),  # every UID
        ("intermediary-cities: Intermediary Cities", "intermediary-cities: Secondary Cities", "fr/calendar.ics"),
        ("timezone: Europe/Brussels", "timezone: Europe/Paris", "events.json"),
    ],
)
def test_what_every_piece_shows_makes_every_piece_again(content, tmp_path, old, new, shown):
    out = tmp_path / "site"
    first = export.build(out, Settings(events=str(content)), today=DAY)
    _edit(content, old, new)
    changed, built = _rebuild(content, out, tmp_path / "full", DAY)
    assert shown in changed and built.pieces == first.pieces


def _damage(file: Path, how: str) -> None:
    data = bytearray(file.read_bytes())
    if how == "truncated":
        del data[len(data) // 2 :]
    elif how == "a byte changed":
        data[-10] ^= 0x20
    elif how == "another format version":
        data[len(b"calfeed build pieces\n")] += 1
    elif how == "not ours":
        data = bytearray(b"BEGIN:VCALENDAR\r\n" * 100)
    file.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncated", "a byte changed", "another format version", "not ours", "another site"])
def test_a_damaged_or_foreign_pieces_file_is_ignored(content, tmp_path, how):
    out = tmp_path / "site"
    first = export.build(out, Settings(events=str(content)), today=DAY)
    if how == "another site":  # a valid file, made for other settings: its key differs
        other = tmp_path / "other"
        shutil.copytree(content.parent, other)
        _edit(other / content.name, "url: https://agenda.example.org/", "url: https://elsewhere.example.org/")
        export.build(tmp_path / "other-site", Settings(events=str(other / content.name)), today=DAY)
        shutil.copy2(tmp_path / "other-site" / export.STATE, out / export.STATE)
    else:
        _damage(out / export.STATE, how)
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    changed = _rebuild_and_compare(content, out, tmp_path / "full", DAY)
    assert export.STATE in changed  # made anew, and used by the next build
    assert export.build(tmp_path / "again", Settings(events=str(content)), today=DAY).pieces == first.pieces
    assert export.build(out, Settings(events=str(content)), today=DAY).pieces == 0


def test_a_feed_is_made_again_only_when_an_item_it_shows_changes(content, tmp_path, monkeypatch):
    """A feed shows its view's newest `feed_limit` items: an edit of an older event leaves every feed alone,
    an edit of one it shows makes them again; each time the result is a full build's bytes."""
    _edit(content, "  languages: [en, es, fr]", "  languages: [en, es, fr]\n  feed_limit: 2")
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    shown = {item["url"] for item in json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]}
    older = "resilient-city-training-2021"
    assert len(shown) == 2 and not any(older in url for url in shown)
    _edit(content, "title: Resilient City training program", "title: Resilient City training")
    rendered = _formats_rendered(content, out, DAY, monkeypatch)
    assert "event" in rendered and not rendered & {"atom", "rss", "json"}
    _rebuild_and_compare(content, out, tmp_path / "full-1", DAY)
    assert any("/events/culturopolis-2022" in url for url in shown)  # the newest event (then a news post)
    culturopolis = 'title: "Culturopolis: International Days on Cultural Rights"'
    _edit(content, culturopolis, 'title: "Culturopolis: Days on Cultural Rights"')
    rendered = _formats_rendered(content, out, DAY, monkeypatch)
    assert {"atom", "rss", "json"} <= rendered
    _rebuild_and_compare(content, out, tmp_path / "full-2", DAY)


def test_the_pieces_file_is_whole_when_the_system_writes_less_than_asked(content, tmp_path, monkeypatch):
    """`os.writev` may write fewer bytes than it was given (a signal, a nearly full disk): the pieces file is
    still written whole, and the next build after an edit makes only the edited event's pieces."""
    out = tmp_path / "site"
    real = os.writev
    monkeypatch.setattr(os, "writev", lambda fd, parts: real(fd, [bytes(parts[0])[: len(parts[0]) // 2 + 1]]))
    first = export.build(out, Settings(events=str(content)), today=DAY, processes=1)
    monkeypatch.undo()
    export.build(tmp_path / "full", Settings(events=str(content)), today=DAY)
    assert (out / export.STATE).read_bytes() == (tmp_path / "full" / export.STATE).read_bytes()
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    assert 0 < export.build(out, Settings(events=str(content)), today=DAY).pieces < first.pieces / 2
