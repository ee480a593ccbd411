"""Pieces a build keeps for the next one, in one file beside the export (`STATE`, never served).

`calfeed build` joins its largest outputs (the calendars, ``events.json``) from one piece per event
(`calfeed.render.fragments.Lasting`). Each piece is found by a digest of what it is made from, so a piece
saved by an earlier build is the very bytes this one would make: after an edit, only the edited event's pieces
are made again. What the pieces show of the site as a whole (calfeed's version and code, the templates, the
calendar settings, the tag labels, the images) is the file's `key`; a file made under another key, of another
format version, cut short or altered (its checksum) is ignored as if there were none, and every piece is made
again. Nothing in it is executed or unpickled: it is keys, lengths and bytes.

Layout: `MAGIC`, the format version (4 bytes), the key (16), the number of pieces (4), a CRC-32 of the rest (4;
damage is what it guards against, and the file is 84 MB at 10,000 events: a CRC takes a fifth of a BLAKE2b's
time); then each piece's key (`KEY` bytes each), each piece's length (4 bytes each, little-endian), and the
pieces one after the other. All integers are little-endian.

`Reading` reads and checks the file in a thread while the build reads its content (both the read and the CRC
let other threads run): a build waits for the pieces only once it knows their key.
"""

from __future__ import annotations

import os
import sys
import threading
import zlib
from array import array
from collections.abc import Mapping
from itertools import accumulate
from pathlib import Path

from .render.fragments import Piece

STATE = ".calfeed-build.pieces"  # beside the manifest; for the next build, never served
MAGIC = b"calfeed build pieces\n"
VERSION = 2
KEY = 24  # bytes of a piece's key (`Lasting.get`: its group, then its digest)
_HEAD = len(MAGIC) + 4 + 16 + 4 + 4
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


def load(folder: Path, key: bytes) -> dict[bytes, Piece]:
    """The pieces saved in `folder` under `key`, as views into the file's bytes; empty when there is no such
    file, or it was made under another key or format version, or is damaged."""
    return Reading(folder).pieces(key)


class Reading:
    """The pieces file of `folder`, read and checked in a thread from the moment this is made; `pieces`
    waits for it."""

    def __init__(self, folder: Path) -> None:
        self._file = folder / STATE
        self._data: bytes | None = None
        self._thread = threading.Thread(target=self._read, name="calfeed-buildstate", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            data = self._file.read_bytes()
        except OSError:
            return
        if len(data) < _HEAD or not data.startswith(MAGIC):
            return
        at = len(MAGIC)
        if int.from_bytes(data[at : at + 4], "little") != VERSION:
            return
        if zlib.crc32(memoryview(data)[_HEAD:]) == int.from_bytes(data[at + 24 : at + 28], "little"):
            self._data = data

    def pieces(self, key: bytes) -> dict[bytes, Piece]:
        """The pieces saved under `key` (see `load`)."""
        self._thread.join()
        data, self._data = self._data, None
        if data is None or data[len(MAGIC) + 4 : len(MAGIC) + 20] != key:
            return {}
        count = int.from_bytes(data[len(MAGIC) + 20 : len(MAGIC) + 24], "little")
        view = memoryview(data)[_HEAD:]
        keys_end = count * KEY
        lengths_end = keys_end + 4 * count
        if len(view) < lengths_end:
            return {}
        lengths = _lengths(view[keys_end:lengths_end])
        ends = list(accumulate(lengths, initial=lengths_end))
        if ends[-1] != len(view):
            return {}
        keys = [bytes(view[i : i + KEY]) for i in range(0, keys_end, KEY)]
        return {k: view[start:end] for k, start, end in zip(keys, ends[:-1], ends[1:], strict=True)}


def save(file: Path, key: bytes, pieces: Mapping[bytes, Piece]) -> None:
    """Write `pieces` to `file` under `key` (see the module's docstring), in the order of their keys: the same
    pieces, the same bytes. (Given in that order but for a few, as a build gives them, they are sorted in one
    pass.)"""
    keys = sorted(pieces)
    if set(map(len, keys)) - {KEY}:
        raise ValueError(f"a piece's key is {KEY} bytes")
    values = list(map(pieces.__getitem__, keys))
    lengths = _little(array(_LENGTH, map(len, values)))
    body = [b"".join(keys), lengths.tobytes(), *values]
    checksum = 0
    for part in body:
        checksum = zlib.crc32(part, checksum)
    head = MAGIC + VERSION.to_bytes(4, "little") + key + len(keys).to_bytes(4, "little")
    body.insert(0, head + checksum.to_bytes(4, "little"))
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
