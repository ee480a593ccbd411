"""Pieces a build keeps for the next one, in two files beside the export (`STATE` and `DELTA`, never served).

`calfeed build` joins its largest outputs (the calendars, ``events.json``) from one piece per event
(`calfeed.render.fragments.Lasting`). Each piece is found by a digest of what it is made from, so a piece
saved by an earlier build is the very bytes this one would make: after an edit, only the edited event's pieces
are made again. What the pieces show of the site as a whole (calfeed's version and code, the templates, the
calendar settings, the tag labels, the images) is the files' `key`; a file made under another key, of another
format version, cut short or altered (its checksum) is ignored as if there were none, and every piece is made
again. Nothing in them is executed or unpickled: it is keys, lengths and bytes.

The pieces are a base (`STATE`, 128 MB at 10,000 events in three languages), which a build after an edit leaves
as it is, and what changed since it was written (`DELTA`: the pieces added or replaced, the keys dropped), which
each such build writes anew, whole: so saving costs what changed, not the whole file again (a fifth of a second
to checksum and write 128 MB, and as long again to free the replaced file's blocks). The delta names its base
(the base's checksum and size); one that names another base, or is damaged, means no pieces at all, as a
damaged base does. Once the delta (its pieces, and the bytes of the base's pieces it drops) passes
1/`FOLD` of the base's size, the build writes a new base with every piece instead, and no delta: the files
never grow without bound, and reading them stays a read of the base and a little more.

Layout of the base: `MAGIC`, the format version (4 bytes), the key (16), the number of pieces (4), a CRC-32 of
the rest (4; damage is what it guards against, and a CRC takes a fifth of a BLAKE2b's time); then each piece's
key (`KEY` bytes each), each piece's length (4 bytes each), and the pieces one after the other. Of the delta:
`DELTA_MAGIC`, the format version (4), the key (16), the base's CRC-32 (4) and size (8), the number of keys
dropped (4) and of pieces added (4), a CRC-32 of the rest (4); then the keys dropped, the keys added, their
lengths and the pieces added, as in the base. All integers are little-endian; pieces are in the order of their
keys, so the same pieces make the same bytes.

`Reading` reads and checks the files in a thread while the build reads its content (both the read and the CRC
let other threads run): a build waits for the pieces only once it knows their key.
"""

from __future__ import annotations

import os
import sys
import threading
import zlib
from array import array
from collections.abc import Callable, Mapping
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from .render.fragments import Piece

STATE = ".calfeed-build.pieces"  # the base; beside the manifest, for the next build, never served
DELTA = ".calfeed-build.delta"  # what changed since the base; the same
MAGIC = b"calfeed build pieces\n"
DELTA_MAGIC = b"calfeed build delta\n"
VERSION = 3
KEY = 24  # bytes of a piece's key (`Lasting.get`: its group, then its digest)
FOLD = 8  # a delta past 1/FOLD of its base's size is folded into a new base
_HEAD = len(MAGIC) + 4 + 16 + 4 + 4
_DELTA_HEAD = len(DELTA_MAGIC) + 4 + 16 + 12 + 4 + 4 + 4
_WRITTEN = 1024  # pieces written by one system call (within every system's IOV_MAX)


_LENGTH = "I" if array("I").itemsize == 4 else "L"  # a 4-byte unsigned int on every platform calfeed runs on


def _little(lengths: array[int]) -> array[int]:
    """`lengths` in (or from) the file's little-endian order."""
    if sys.byteorder != "little":  # pragma: no cover
        lengths.byteswap()
    return lengths


def _lengths(data: bytes | memoryview) -> array[int]:
    lengths = array(_LENGTH)
    lengths.frombytes(data)
    return _little(lengths)


class Base(NamedTuple):
    """The base file a build read: what a delta names it by (its CRC-32 and size, 12 bytes), its size, its
    pieces as it holds them (in the order of their keys, as a build writes them), and what the delta read with it
    changed: the keys it added or replaced, and those of the base it dropped."""

    mark: bytes
    size: int
    pieces: dict[bytes, Piece]
    added: frozenset[bytes] = frozenset()
    dropped: frozenset[bytes] = frozenset()


def load(folder: Path, key: bytes) -> dict[bytes, Piece]:
    """The pieces saved in `folder` under `key`, as views into the files' bytes; empty when there are none, or
    they were made under another key or format version, or a file is damaged, or the delta is of another base."""
    return Reading(folder).pieces(key)


class Reading:
    """The pieces files of `folder`, read and checked in a thread from the moment this is made; `pieces`
    waits for them. After `pieces`, `base` is the base they were read from (None: no pieces)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._data: bytes | None = None
        self._delta: bytes | None = None  # (b"": no delta file)
        self.base: Base | None = None
        self._thread = threading.Thread(target=self._read, name="calfeed-buildstate", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        data = _checked(self._folder / STATE, MAGIC, _HEAD)
        if data:
            self._delta = _checked(self._folder / DELTA, DELTA_MAGIC, _DELTA_HEAD)
            self._data = data

    def pieces(self, key: bytes) -> dict[bytes, Piece]:
        """The pieces saved under `key` (see `load`)."""
        self._thread.join()
        data, delta, self._data, self._delta = self._data, self._delta, None, None
        self.base = None
        if data is None or delta is None or data[len(MAGIC) + 4 : len(MAGIC) + 20] != key:
            return {}
        count = int.from_bytes(data[len(MAGIC) + 20 : len(MAGIC) + 24], "little")
        base = _pieces(memoryview(data)[_HEAD:], count)
        if base is None:
            return {}
        mark = data[len(MAGIC) + 24 : len(MAGIC) + 28] + len(data).to_bytes(8, "little")
        pieces, added_keys, dropped_keys = base, frozenset[bytes](), frozenset[bytes]()
        if delta:
            at = len(DELTA_MAGIC) + 4
            if delta[at : at + 16] != key or delta[at + 16 : at + 28] != mark:
                return {}
            dropped = int.from_bytes(delta[at + 28 : at + 32], "little")
            count = int.from_bytes(delta[at + 32 : at + 36], "little")
            view = memoryview(delta)[_DELTA_HEAD:]
            added = _pieces(view[dropped * KEY :], count) if dropped * KEY <= len(view) else None
            if added is None:
                return {}
            pieces = dict(base)
            dropped_keys = frozenset(bytes(view[at : at + KEY]) for at in range(0, dropped * KEY, KEY))
            for piece_key in dropped_keys:
                pieces.pop(piece_key, None)
            pieces.update(added)
            added_keys = frozenset(added)
        self.base = Base(mark, len(data), base, added_keys, dropped_keys)
        return pieces


def _checked(file: Path, magic: bytes, head: int) -> bytes | None:
    """`file`'s bytes if it is whole (its magic, this format version, its checksum); b"" if there is no such
    file, None if it is something else (damaged, foreign, not a file)."""
    if not file.is_file():  # never a device or a pipe put there
        return None if file.exists() else b""
    try:
        data = file.read_bytes()
    except OSError:
        return None
    at = len(magic)
    if len(data) < head or not data.startswith(magic) or int.from_bytes(data[at : at + 4], "little") != VERSION:
        return None
    if zlib.crc32(memoryview(data)[head:]) != int.from_bytes(data[head - 4 : head], "little"):
        return None
    return data


def _pieces(view: memoryview, count: int) -> dict[bytes, Piece] | None:
    """The `count` pieces `view` holds (their keys, their lengths, the pieces), as views into it; None if
    they do not fill it exactly."""
    keys_end = count * KEY
    lengths_end = keys_end + 4 * count
    if len(view) < lengths_end:
        return None
    lengths = _lengths(view[keys_end:lengths_end])
    ends = list(accumulate(lengths, initial=lengths_end))
    if ends[-1] != len(view):
        return None
    keys = [bytes(view[i : i + KEY]) for i in range(0, keys_end, KEY)]
    return {k: view[start:end] for k, start, end in zip(keys, ends[:-1], ends[1:], strict=True)}


def save(folder: Path, key: bytes, pieces: Mapping[bytes, Piece], base: Base | None = None) -> str | None:
    """Save `pieces` in `folder` under `key` (see the module's docstring): as a `DELTA` over `base` (the base file
    the build read, which stays as it is) while that is small, else as a new base (`STATE`; then no delta is
    needed). Return the name of the file written; None if `base` holds exactly `pieces` (no file needed but it)."""
    if base is None:
        _write(folder / STATE, MAGIC, key, pieces, [])
        return STATE
    get = base.pieces.get
    added = {k: piece for k, piece in pieces.items() if get(k) is not piece}  # (the base's own: the same)
    return _delta_or_base(folder, key, base, added, sorted(base.pieces.keys() - pieces.keys()), lambda: pieces)


def save_edit(
    folder: Path, key: bytes, stored: Mapping[bytes, Piece], drop: set[bytes], new: Mapping[bytes, Piece], base: Base
) -> str | None:
    """`save(folder, key, pieces, base)` of the pieces `stored` (those read with `base`, its delta applied) without
    the keys `drop`, with `new` pieces: what changed since the base is found from what the delta read with it
    changed, `drop` and `new`, not by looking at every piece again."""
    added = {k: stored[k] for k in base.added if k not in drop}
    added.update(new)
    gone = {k for k in base.dropped if k not in base.added} | {k for k in drop if k in base.pieces}
    return _delta_or_base(
        folder,
        key,
        base,
        added,
        sorted(gone - added.keys()),
        lambda: {k: p for k, p in stored.items() if k not in drop} | dict(new),
    )


def _delta_or_base(
    folder: Path,
    key: bytes,
    base: Base,
    added: dict[bytes, Piece],
    dropped: list[bytes],
    every: Callable[[], Mapping[bytes, Piece]],
) -> str | None:
    """Write the pieces `added` and the keys `dropped` since `base` as a `DELTA` while that is small, else `every()`
    piece as a new base; the name of the file written, None if nothing changed."""
    if not added and not dropped:
        return None
    size = sum(map(len, added.values())) + sum(len(base.pieces[k]) for k in dropped)
    if size <= base.size // FOLD:
        _write(folder / DELTA, DELTA_MAGIC, key + base.mark + len(dropped).to_bytes(4, "little"), added, dropped)
        return DELTA
    _write(folder / STATE, MAGIC, key, every(), [])
    return STATE


def _write(file: Path, magic: bytes, head: bytes, pieces: Mapping[bytes, Piece], dropped: list[bytes]) -> None:
    """Write a file of `pieces` in the order of their keys (given in that order but for a few, as a build gives
    them, they are sorted in one pass), after `magic`, the version, `head`, their number, a checksum and the keys
    `dropped`."""
    keys = sorted(pieces)
    if set(map(len, keys)) - {KEY}:
        raise ValueError(f"a piece's key is {KEY} bytes")
    values = list(map(pieces.__getitem__, keys))
    lengths = _little(array(_LENGTH, map(len, values)))
    body = [b"".join(dropped), b"".join(keys), lengths.tobytes(), *values]
    checksum = 0
    for part in body:
        checksum = zlib.crc32(part, checksum)
    top = magic + VERSION.to_bytes(4, "little") + head + len(keys).to_bytes(4, "little")
    body[0] = top + checksum.to_bytes(4, "little") + body[0]
    with open(file, "wb", buffering=0) as out:
        for at in range(0, len(body), _WRITTEN):  # by few system calls, and no copy
            _write_all(out.fileno(), body[at : at + _WRITTEN])


def _write_all(fd: int, parts: list[bytes | memoryview]) -> None:
    """Write `parts` one after the other (at most `_WRITTEN` of them)."""
    done = os.writev(fd, parts)
    if done < sum(map(len, parts)):  # a short write: the rest, copied
        rest = memoryview(b"".join(parts))[done:]
        while rest:
            rest = rest[os.write(fd, rest) :]
