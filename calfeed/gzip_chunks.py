"""Gzip of huge bodies in chunks an edit leaves alone, so that only the chunks it touches are compressed again.

After one event's edit, every calendar and ``events.json`` of a large site is made again, and compressing
them whole was most of the time an incremental build spent on them (19.5 MB at 10,000 events: 0.15 s of
gzip). A body is cut where its content says (`cuts`: at a line start whose preceding `WINDOW` bytes hash to a
multiple of `SPREAD`, or after a comma in a body written on one line, at least `SMALLEST` bytes after the
previous cut, at most `LARGEST`; like ``gzip --rsyncable``), so an edit moves no cut far from itself. Each
chunk is compressed as raw deflate with the 32 KiB before it (all a decoder's window holds there) as its
dictionary, and ends with a sync flush (an empty stored block: byte-aligned, not final), as pigz does; the
chunks are joined, closed by an empty final block, and framed as gzip (RFC 1952: mtime 0, the body's CRC-32
and size). The result is one gzip member: any decoder reads it as the body. Each chunk costs about 80 bytes
(a block of its own): 0.4-0.7 % more than gzip of the whole body in chunks of 128 KiB.

A chunk's compressed bytes follow from zlib's version, the level, the chunk and the 32 KiB before it alone;
its key is a digest of those, so compressed chunks are kept by key and joined again: by the server in memory
(`ChunkCache`, counted in the output cache's budget), and by ``calfeed build`` in the previous build's
``.gz`` file, found through its `Chunked.index` (`reusable`). Brotli has no such way (its streams carry state
from one part to the next: they cannot be joined), so its bodies are compressed whole.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from cachetools import LRUCache

Piece = bytes | memoryview

WINDOW = 64  # bytes before a line start whose hash decides whether it is a cut
SPREAD = 64  # one line start in SPREAD (by that hash) is a cut
SMALLEST = 128 * 1024  # bytes of a chunk at least (but the last): each chunk costs about 80 bytes (a new block)
LARGEST = 512 * 1024  # bytes of a chunk at most: a body with few line breaks is cut every LARGEST bytes
DICTIONARY = 32 * 1024  # deflate's window: what a chunk's compression may refer back to
KEY = 16  # bytes of a chunk's key
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # gzip, deflate, no flags, mtime 0, no extra flags, OS unknown
END = b"\x03\x00"  # an empty final block (fixed Huffman codes): what zlib writes to finish after a sync flush
_INDEXED = struct.Struct("<I")


def cuts(body: bytes) -> list[int]:
    """Where the chunks of `body` end, the last at its end: after a line break (or, where there is none, a
    comma) whose preceding `WINDOW` bytes have a CRC-32 that is a multiple of `SPREAD`, looked for from
    `SMALLEST` bytes past the previous cut, or `LARGEST` bytes past it when none is found. Empty for an empty
    body."""
    size, ends, start = len(body), [], 0
    smallest, largest = SMALLEST, LARGEST
    data = memoryview(body)
    while start < size:
        limit = min(size, start + largest)
        end = _cut(body, data, start + smallest, limit, b"\n")
        if end is None:  # no line break there (a body written on one line, as JSON often is): after a comma
            end = _cut(body, data, start + smallest, limit, b",") or limit
        ends.append(end)
        start = end
    return ends


def _cut(body: bytes, data: memoryview, at: int, limit: int, separator: bytes) -> int | None:
    """The first place after a `separator` from `at` on (before `limit`) that `cuts` cuts at, or `limit` if
    none is; None when there is no `separator` there."""
    end = None
    while at < limit:
        found = body.find(separator, at, limit)
        if found < 0:
            break
        at = end = found + 1
        if zlib.crc32(data[max(0, at - WINDOW) : at]) % SPREAD == 0:
            return at
    return None if end is None else limit


@dataclass(frozen=True, slots=True)
class Chunked:
    """A body gzipped in chunks: the gzip bytes, and each chunk's key and compressed length (in order, after
    the header)."""

    data: bytes
    keys: tuple[bytes, ...]
    lengths: tuple[int, ...]

    @property
    def index(self) -> bytes:
        """What a later compression needs to take chunks from `data` again (`reusable`): a digest of `data`,
        then each chunk's key and its compressed length (4 bytes, little-endian)."""
        parts = [_digest(self.data)]
        parts += (key + _INDEXED.pack(length) for key, length in zip(self.keys, self.lengths, strict=True))
        return b"".join(parts)

    def chunks(self) -> dict[bytes, memoryview]:
        """Each compressed chunk by its key (views into `data`)."""
        return dict(zip(self.keys, _slices(self.data, self.lengths), strict=True))


def _slices(data: bytes, lengths: tuple[int, ...] | list[int]) -> list[memoryview]:
    view, at, found = memoryview(data), len(HEADER), []
    for length in lengths:
        found.append(view[at : at + length])
        at += length
    return found


def reusable(data: bytes, index: Piece) -> dict[bytes, memoryview]:
    """The compressed chunks in `data` by key, if `data` is the gzip that `index` (`Chunked.index`) was made
    for; else (another file, altered, cut short) none."""
    entry = KEY + _INDEXED.size
    if len(index) < KEY or (len(index) - KEY) % entry or bytes(index[:KEY]) != _digest(data):
        return {}
    keys, lengths = [], []
    for at in range(KEY, len(index), entry):
        keys.append(bytes(index[at : at + KEY]))
        lengths.append(_INDEXED.unpack_from(index, at + KEY)[0])
    if len(HEADER) + sum(lengths) + len(END) + 8 != len(data):
        return {}
    return dict(zip(keys, _slices(data, lengths), strict=True))


def _digest(data: Piece) -> bytes:
    """A `KEY`-byte digest of `data`: SHA-256, which processors do in hardware (half BLAKE2b's time here)."""
    return hashlib.sha256(data).digest()[:KEY]


def compress(body: bytes, level: int, known: Mapping[bytes, Piece] | ChunkCache | None = None) -> Chunked:
    """`body` as one gzip member, compressed at `level` chunk by chunk (see the module's docstring); a chunk
    that `known` gives by its key is taken as it is."""
    salt = f"calfeed gzip chunk {zlib.ZLIB_RUNTIME_VERSION} {level}".encode()
    view = memoryview(body)
    parts: list[Piece] = [HEADER]
    keys, lengths = [], []
    start = 0
    for end in cuts(body):
        chunk, dictionary = view[start:end], view[max(0, start - DICTIONARY) : start]
        key = _digest(salt + _digest(dictionary) + _digest(chunk))  # all its compressed bytes depend on
        compressed = known.get(key) if known is not None else None
        if compressed is None:
            compressed = _deflate(chunk, level, dictionary)
        parts.append(compressed)
        keys.append(key)
        lengths.append(len(compressed))
        start = end
    parts += (END, struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF))
    return Chunked(b"".join(parts), tuple(keys), tuple(lengths))


def _deflate(chunk: memoryview, level: int, dictionary: memoryview) -> bytes:
    """`chunk` as raw deflate at `level`, referring back into `dictionary` (the bytes before it), ended by
    a sync flush."""
    if dictionary:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=dictionary)
    else:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)


CHUNK_OVERHEAD = 160  # bytes a kept chunk holds besides its compressed bytes (its key, the cache's entry)


class ChunkCache:
    """Compressed chunks by key, for the server: a reload's new version of a huge output finds the chunks an
    edit did not touch. Kept up to `budget` bytes (`CHUNK_OVERHEAD` counted for each), the least recently used
    first out; a `calfeed.http.Shared` cache, so what it holds counts in the output cache's budget."""

    def __init__(self, budget: int = 64 * 1024 * 1024) -> None:
        self._kept: LRUCache[bytes, bytes] = LRUCache(maxsize=budget, getsizeof=_held)
        self._lock = threading.Lock()

    def get(self, key: bytes) -> bytes | None:
        """The compressed chunk of `key`, or None."""
        with self._lock:
            return self._kept.get(key)

    def keep(self, chunks: Mapping[bytes, Piece]) -> None:
        """Keep `chunks` (compressed, by key), each as bytes of its own."""
        with self._lock:
            for key, chunk in chunks.items():
                if key not in self._kept and _held(chunk) <= self._kept.maxsize:
                    self._kept[key] = bytes(chunk)

    def trim(self, most: int) -> None:
        """Drop the least recently used chunks until at most `most` bytes are kept."""
        with self._lock:
            while self._kept and self._kept.currsize > most:
                self._kept.popitem()

    @property
    def size(self) -> int:
        """The bytes kept (`CHUNK_OVERHEAD` counted for each chunk)."""
        return int(self._kept.currsize)

    def __len__(self) -> int:
        return len(self._kept)


def _held(chunk: Piece) -> int:
    return len(chunk) + CHUNK_OVERHEAD


CHUNKS = ChunkCache()  # the server's
