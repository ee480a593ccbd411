"""What one build's parse of the content leaves for the next: each item's text and the value it parses to.

`calfeed build` reads the content in a fresh process, where nothing of the previous read is at hand, so
libyaml would parse every item again (0.3 of the 0.45 s a parse of 10,000 events takes). The build keeps
each file's `Memo` (the items of its top-level lists by their exact text) in one file beside
the export (`MEMO`, never served), and the next build reads its content with them: only the items whose
text is not there are parsed, as in a reload (`calfeed.yamlchunks`, whose split is used only where it
provably reads as the whole file does).

An item's value is kept as JSON, which holds exactly what `yamlread` makes of a plain item: text, None,
lists, and mappings with their keys in the order written (an item holding a lone surrogate, which UTF-8
cannot, is left out and parsed again). With it, the item's history digest (`history.content_hash` of the
value, when the read made one), so the next read does not hash it again. What values and digests depend on
besides the text (calfeed's reading and hashing code, PyYAML and its parser) is the file's key; a file of
another key or format, cut short or altered (its checksum) is ignored as if there were none, and every item
is parsed. Nothing in it is executed or unpickled: it is lengths, text, digests and JSON.

Layout: `MAGIC`, the key (16 bytes), a CRC-32 of the rest (4 bytes, little-endian), the header's length
(4); then the header, JSON: ``[[file name, [length of a text, length of its value, …], [its digest, …]], …]``
(an item's `history.content_hash`, "" when none was made);
then, file by file and item by item, each text and its value's JSON.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping
from functools import cache
from itertools import accumulate
from pathlib import Path

import yaml

from . import history, yamlchunks, yamlread
from .yamlchunks import Memo

MEMO = ".calfeed-build.parse"  # beside the manifest; for the next build, never served
MAGIC = b"calfeed parse memo 1\n"
_HEAD = len(MAGIC) + 16 + 4 + 4


@cache
def key() -> bytes:
    """What an item's value and digest depend on besides its text: calfeed's reading and hashing code, the YAML
    parser."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (yaml.__version__, repr(yamlread._Parser), getattr(yaml, "__with_libyaml__", False)):
        digest.update(f"{part}\0".encode())
    for module in (yamlread, yamlchunks, history):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.digest()


def load(folder: Path) -> dict[str, Memo]:
    """Each content file's memo saved in `folder` by the previous build; none when there is no such file, or
    it was made under another key, or is damaged."""
    file = folder / MEMO
    try:
        data = file.read_bytes() if file.is_file() else b""  # never a device or a pipe put there
    except OSError:
        return {}
    if len(data) < _HEAD or not data.startswith(MAGIC):
        return {}
    at = len(MAGIC)
    view = memoryview(data)[_HEAD:]
    header_length = int.from_bytes(data[at + 20 : at + 24], "little")
    if data[at : at + 16] != key() or zlib.crc32(view).to_bytes(4, "little") != data[at + 16 : at + 20]:
        return {}
    try:
        return _memos(view, header_length)
    except (ValueError, TypeError):  # a file this code did not write, with a valid checksum
        return {}


def _memos(view: memoryview, header_length: int) -> dict[str, Memo]:
    files = json.loads(bytes(view[:header_length]))
    memos: dict[str, Memo] = {}
    at = header_length
    for name, lengths, digests in files:
        if (
            type(name) is not str
            or len(lengths) != 2 * len(digests)
            or any(type(n) is not int or n < 0 for n in lengths)
        ):
            raise ValueError("not a memo")
        ends = list(accumulate(lengths, initial=at))
        texts = [bytes(view[start:end]) for start, end in zip(ends[:-1:2], ends[1::2], strict=True)]
        values = [view[start:end] for start, end in zip(ends[1::2], ends[2::2], strict=True)]
        memo = memos[name] = Memo()
        parsed = json.loads(b"[" + b",".join(values) + b"]")
        memo.items = dict(zip(texts, parsed, strict=True))
        memo.saved = dict(zip(texts, values, strict=True))
        memo.digests = {id(value): (value, digest) for value, digest in zip(parsed, digests, strict=True) if digest}
        at = ends[-1]
    if at != len(view):
        raise ValueError("not a memo")
    return memos


def unchanged(memos: Mapping[str, Memo]) -> bool:
    """Whether the file `memos` were loaded from holds every item they hold now (they may hold fewer files)."""
    return all(memo.items.keys() == memo.saved.keys() for memo in memos.values())


def save(file: Path, memos: Mapping[str, Memo]) -> int:
    """Write `memos` (each content file's, by name) to `file`; return its size."""
    data = dumped(memos)
    file.write_bytes(data)
    return len(data)


def dumped(memos: Mapping[str, Memo]) -> bytes:
    """The file of `memos` (each content file's, by name): see the module's docstring."""
    header: list[tuple[str, list[int], list[str]]] = []
    body: list[bytes | memoryview] = []
    for name, memo in sorted(memos.items()):
        lengths: list[int] = []
        digests: list[str] = []
        for text, value in memo.items.items():
            saved = memo.saved.get(text)
            if saved is None:
                try:
                    saved = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
                except UnicodeEncodeError:  # a lone surrogate (written as "\\ud800"): parsed again next time
                    continue
            body += (text, saved)
            lengths += (len(text), len(saved))
            known = memo.digests.get(id(value))
            digests.append(known[1] if known is not None and known[0] is value else "")
        header.append((name, lengths, digests))
    head = json.dumps(header, separators=(",", ":")).encode()
    rest = b"".join([head, *body])
    return MAGIC + key() + zlib.crc32(rest).to_bytes(4, "little") + len(head).to_bytes(4, "little") + rest
