"""The pieces a build keeps for the next one (`calfeed.buildstate`): after an edit, only what changed is
saved, as a delta over the base file an earlier build wrote, which stays as it is; the delta is folded into a new
base once it grows past a share of it. A damaged, foreign or mismatched file means no pieces (every output is
rendered again, with a full build's bytes), never a wrong one."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from test_export_incremental import DAY, PIECES_FILES, _edit, _rebuild

from calfeed import buildstate, export
from calfeed.settings import Settings

from conftest import BUNDLED, TEMPLATES

KEY = b"k" * 16


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The bundled content, its history and templates, copied to edit."""
    folder = tmp_path / "content"
    shutil.copytree(TEMPLATES, folder / "templates")
    for file in (BUNDLED, BUNDLED.with_name(f"{BUNDLED.stem}.history.json")):
        shutil.copy2(file, folder / file.name)
    return folder / BUNDLED.name


def _piece_key(n: int) -> bytes:
    return n.to_bytes(buildstate.KEY, "big")


def _saved(folder: Path, pieces: dict[bytes, bytes], key: bytes = KEY) -> buildstate.Base:
    """Save `pieces` as a base in `folder`; the base as a build reads it."""
    assert buildstate.save(folder, key, pieces) == buildstate.STATE
    reading = buildstate.Reading(folder)
    assert {k: bytes(piece) for k, piece in reading.pieces(key).items()} == pieces
    assert reading.base is not None
    return reading.base


def _loaded(folder: Path, key: bytes = KEY) -> dict[bytes, bytes]:
    return {k: bytes(piece) for k, piece in buildstate.load(folder, key).items()}


def test_a_delta_holds_what_changed_and_leaves_the_base_as_it_is(tmp_path):
    pieces = {_piece_key(n): b"piece %d " % n * 20 for n in range(100)}
    base = _saved(tmp_path, pieces)
    written = (tmp_path / buildstate.STATE).read_bytes()
    after = {k: base.pieces[k] for k in list(pieces)[3:]}  # three dropped, one replaced, one added
    after[_piece_key(50)], after[_piece_key(1000)] = b"replaced", b"new"
    assert buildstate.save(tmp_path, KEY, after, base) == buildstate.DELTA
    assert (tmp_path / buildstate.STATE).read_bytes() == written
    assert (tmp_path / buildstate.DELTA).stat().st_size < len(written) / 10
    expected = {k: bytes(piece) for k, piece in after.items()}
    assert _loaded(tmp_path) == expected
    # the next delta is over the same base: what changed since it, not since the last build
    reading = buildstate.Reading(tmp_path)
    again = dict(reading.pieces(KEY))
    del again[_piece_key(1000)]
    assert reading.base is not None and buildstate.save(tmp_path, KEY, again, reading.base) == buildstate.DELTA
    del expected[_piece_key(1000)]
    assert _loaded(tmp_path) == expected
    # back to the base's very pieces: no delta is needed
    reading = buildstate.Reading(tmp_path)
    reading.pieces(KEY)
    assert reading.base is not None and buildstate.save(tmp_path, KEY, reading.base.pieces, reading.base) is None


@pytest.mark.parametrize("seed", range(12))
def test_an_edit_saved_from_what_changed_writes_what_saving_every_piece_writes(tmp_path, seed):
    """`save_edit` (the pieces read, those dropped, those made: what a build has) writes the same file, byte for
    byte, as `save` of every piece kept: over a base with a delta that replaced, added and dropped pieces, with
    pieces dropped, made again (one the delta dropped), and past the share a delta may take (a new base)."""
    rng = random.Random(seed)
    pieces = {_piece_key(n): b"piece %d " % n * rng.randint(1, 30) for n in range(120)}
    _saved(tmp_path, pieces)
    reading = buildstate.Reading(tmp_path)
    after = dict(reading.pieces(KEY))
    for k in rng.sample(sorted(after), 10):
        del after[k]
    after |= {_piece_key(n): b"changed %d" % n for n in rng.sample(range(150), 10)}
    assert reading.base is not None and buildstate.save(tmp_path, KEY, after, reading.base) == buildstate.DELTA
    reading = buildstate.Reading(tmp_path)
    stored = reading.pieces(KEY)
    assert reading.base is not None and reading.base.added and reading.base.dropped
    drop = set(rng.sample(sorted(stored), rng.choice([0, 3, 40])))
    new = {k: b"made %d" % n for n, k in enumerate(rng.sample(sorted(pieces.keys() - stored.keys()), 2))}
    new[_piece_key(500 + seed)] = b"a new one"
    kept = {k: piece for k, piece in stored.items() if k not in drop} | new
    expected, edited = tmp_path / "every piece", tmp_path / "what changed"
    for folder in (expected, edited):
        folder.mkdir()
    written = buildstate.save(expected, KEY, kept, reading.base)
    assert buildstate.save_edit(edited, KEY, stored, drop, new, reading.base) == written is not None
    assert (edited / written).read_bytes() == (expected / written).read_bytes()


def test_a_delta_past_its_share_of_the_base_is_folded_into_a_new_base(tmp_path):
    pieces = {_piece_key(n): bytes([n]) * 100 for n in range(80)}
    base = _saved(tmp_path, pieces)
    share = base.size // buildstate.FOLD
    grown = dict(base.pieces)
    written = []
    for n in range(80, 100):  # each adds a hundred bytes
        grown[_piece_key(n)] = bytes([n]) * 100
        written.append(buildstate.save(tmp_path, KEY, grown, base))
        if written[-1] == buildstate.STATE:
            break
        keys = (buildstate.KEY + 4) * (n - 79)  # each piece's key and length
        assert (tmp_path / buildstate.DELTA).stat().st_size <= share + keys + 100  # never past the share
    assert written[0] == buildstate.DELTA and written[-1] == buildstate.STATE
    (tmp_path / buildstate.DELTA).unlink()  # (a build deletes it once the new base is in place)
    assert _loaded(tmp_path) == {k: bytes(piece) for k, piece in grown.items()}
    assert (tmp_path / buildstate.STATE).stat().st_size > base.size


def _damage(file: Path, how: str) -> None:
    data = bytearray(file.read_bytes())
    if how == "truncated":
        del data[len(data) // 2 :]
    elif how == "a byte changed":
        data[-3] ^= 0x20
    elif how == "another format version":
        data[len(buildstate.DELTA_MAGIC)] += 1
    elif how == "not ours":
        data = bytearray(b"BEGIN:VCALENDAR\r\n" * 100)
    elif how == "a folder":
        file.unlink()
        file.mkdir()
        return
    file.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "how",
    ["truncated", "a byte changed", "another format version", "not ours", "a folder", "another key", "another base"],
)
def test_a_damaged_foreign_or_mismatched_delta_means_no_pieces(tmp_path, how):
    pieces = {_piece_key(n): b"%d" % n * 50 for n in range(50)}
    base = _saved(tmp_path, pieces)
    changed = {**base.pieces, _piece_key(99): b"added"}
    if how == "another key":  # a delta saved under another key, over this very base
        assert buildstate.save(tmp_path, b"o" * 16, changed, base) == buildstate.DELTA
    elif how == "another base":  # a delta over an earlier base of the same key
        assert buildstate.save(tmp_path, KEY, changed, base) == buildstate.DELTA
        delta = (tmp_path / buildstate.DELTA).read_bytes()
        buildstate.save(tmp_path, KEY, {**pieces, _piece_key(0): b"other"})
        (tmp_path / buildstate.DELTA).write_bytes(delta)
    else:
        assert buildstate.save(tmp_path, KEY, changed, base) == buildstate.DELTA
        assert _loaded(tmp_path) == {k: bytes(piece) for k, piece in changed.items()}
        _damage(tmp_path / buildstate.DELTA, how)
    reading = buildstate.Reading(tmp_path)
    assert reading.pieces(KEY) == {} and reading.base is None


def test_a_delta_without_its_base_means_no_pieces(tmp_path):
    base = _saved(tmp_path, {_piece_key(n): b"x" * n for n in range(1, 30)})
    assert buildstate.save(tmp_path, KEY, {**base.pieces, _piece_key(99): b"added"}, base) == buildstate.DELTA
    (tmp_path / buildstate.STATE).unlink()
    assert _loaded(tmp_path) == {}


def test_a_series_of_edits_leaves_the_base_and_gives_a_full_builds_bytes(content, tmp_path, monkeypatch):
    """Each build after an edit writes a delta (the share it may take is raised here: the bundled content has so
    few events that one event's pieces pass the usual share), leaves the base as it is (`_rebuild` checks its
    inode and date), and has a full build's bytes and pieces; editing the same event again does not grow it."""
    monkeypatch.setattr(buildstate, "FOLD", 1)
    out = tmp_path / "site"
    first = export.build(out, Settings(events=str(content)), today=DAY)
    edits = [
        ("title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit"),
        ("title: Resilient City training program", "title: Resilient City training programme"),
        ("title: The 4th UCLG Culture Summit", "title: The 5th UCLG Culture Summit"),
        ("title: The 5th UCLG Culture Summit", "title: The 6th UCLG Culture Summit"),
    ]
    sizes = []
    for n, (old, new) in enumerate(edits):
        _edit(content, old, new)
        changed, built = _rebuild(content, out, tmp_path / f"full-{n}", DAY)
        assert export.STATE not in changed and export.DELTA in changed
        assert 0 < built.pieces < first.pieces / 2
        sizes.append((out / export.DELTA).stat().st_size)
    assert sizes[0] < sizes[1] == sizes[2] == sizes[3]  # a second event's pieces, then the same two events'


def test_the_delta_is_folded_as_it_grows_and_the_builds_stay_a_full_builds(content, tmp_path, monkeypatch):
    monkeypatch.setattr(buildstate, "FOLD", 2)
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    edits = [
        ("title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit"),
        ("title: Resilient City training program", "title: Resilient City training programme"),
        ('title: "Second World Forum', 'title: "The Second World Forum'),
    ]
    kinds = []
    for n, (old, new) in enumerate(edits):
        _edit(content, old, new)
        changed, _ = _rebuild(content, out, tmp_path / f"full-{n}", DAY)
        kinds.append(sorted(changed & set(PIECES_FILES)))
        delta = out / export.DELTA
        assert not delta.exists() or delta.stat().st_size <= (out / export.STATE).stat().st_size // 2 + 100
    assert [export.DELTA] in kinds and [export.STATE] in kinds  # a delta, and later a new base (the delta gone)


@pytest.mark.parametrize("how", ["missing base", "a damaged delta", "a delta of another base"])
def test_a_build_after_a_lost_or_mismatched_pieces_file_renders_everything_again(content, tmp_path, monkeypatch, how):
    monkeypatch.setattr(buildstate, "FOLD", 1)
    out = tmp_path / "site"
    first = export.build(out, Settings(events=str(content)), today=DAY)
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    export.build(out, Settings(events=str(content)), today=DAY)
    assert (out / export.DELTA).is_file()
    if how == "missing base":
        (out / export.STATE).unlink()
    elif how == "a damaged delta":
        _damage(out / export.DELTA, "a byte changed")
    else:  # the base of a build of the same content, under the same key: another file than the delta's
        shutil.copy2(_full(content, tmp_path) / export.STATE, out / export.STATE)
    _edit(content, "title: Resilient City training program", "title: Resilient City training programme")
    changed, built = _rebuild(content, out, tmp_path / "full", DAY)
    assert built.pieces == first.pieces and export.STATE in changed  # every piece made again, in a new base
    assert not (out / export.DELTA).exists()
    assert export.build(out, Settings(events=str(content)), today=DAY).pieces == 0


def _full(content: Path, tmp_path: Path) -> Path:
    """A full build of `content` as it is now, in a folder of its own."""
    folder = tmp_path / "another"
    export.build(folder, Settings(events=str(content)), today=DAY)
    return folder


def test_an_unchanged_build_keeps_both_files(content, tmp_path, monkeypatch):
    monkeypatch.setattr(buildstate, "FOLD", 1)
    out = tmp_path / "site"
    export.build(out, Settings(events=str(content)), today=DAY)
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    export.build(out, Settings(events=str(content)), today=DAY)
    files = {name: _identity(out / name) for name in PIECES_FILES}
    again = export.build(out, Settings(events=str(content)), today=DAY)
    assert (again.rendered, again.pieces) == (0, 0)
    assert {name: _identity(out / name) for name in PIECES_FILES} == files


def _identity(file: Path) -> tuple[int, int, int]:
    found = os.stat(file)
    return found.st_ino, found.st_mtime_ns, found.st_size
