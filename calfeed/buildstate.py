"""Pieces a build keeps for the next one, in one file beside the export (`STATE`, never served).

`calfeed build` joins its largest outputs (the calendars, ``events.json``) from one piece per event
(`calfeed.render.fragments.Lasting`). Each piece is found by a digest of what it is made from, so a piece
saved by an earlier build is the very bytes this one would make: after an edit, only the edited event's pieces
are made again. What the pieces show of the site as a whole (calfeed's version and code, the templates, the
calendar settings, the tag labels, the images) is the file's `key`; a file made under another key, of another
format version, cut short or altered (its checksum) is ignored as if there were none, and every piece is made
again. Nothing in it is executed or unpickled: it is keys, lengths and bytes.

Layout: `MAGIC`, the format version (4 bytes), the key (16), the number of pieces (4), a BLAKE2b digest of the
rest (16); then each piece's key (`KEY` bytes each), each piece's length (4 bytes each, little-endian), and the
pieces one after the other.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Mapping
from itertools import accumulate
from pathlib import Path

from .render.fragments import Piece

STATE = ".calfeed-build.pieces"  # beside the manifest; for the next build, never served
MAGIC = b"calfeed build pieces\n"
VERSION = 1
KEY = 24  # bytes of a piece's key (`Lasting.get`: its group, then its digest)
_HEAD = len(MAGIC) + 4 + 16 + 4 + 16


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
    try:
        data = (folder / STATE).read_bytes()
    except OSError:
        return {}
    if len(data) < _HEAD or not data.startswith(MAGIC):
        return {}
    at = len(MAGIC)
    version, saved_key = int.from_bytes(data[at : at + 4], "little"), data[at + 4 : at + 20]
    count, checksum = int.from_bytes(data[at + 20 : at + 24], "little"), data[at + 24 : at + 40]
    view = memoryview(data)[_HEAD:]
    if version != VERSION or saved_key != key or hashlib.blake2b(view, digest_size=16).digest() != checksum:
        return {}
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
    pieces, the same bytes."""
    keys = sorted(pieces)
    if any(len(k) != KEY for k in keys):
        raise ValueError(f"a piece's key is {KEY} bytes")
    lengths = _little(array(_LENGTH, (len(pieces[k]) for k in keys)))
    body = [b"".join(keys), lengths.tobytes(), *(pieces[k] for k in keys)]
    hasher = hashlib.blake2b(digest_size=16)
    for part in body:
        hasher.update(part)
    head = MAGIC + VERSION.to_bytes(4, "little") + key + len(keys).to_bytes(4, "little") + hasher.digest()
    with open(file, "wb") as out:
        out.write(head)
        out.writelines(body)
