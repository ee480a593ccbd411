"""Parse a content file again after an edit: only the items whose text changed.

A reload used to parse the whole file again (libyaml and `yamlread`'s builder: about a second for
10,000 events) to find the one event that was edited. `parse` splits the file at the items of its
top-level lists (each ``  - `` under ``events:`` or ``news:``), parses only the items whose text is not
in the `Memo` of the file's previous parse, and gives every other item the very object that parse made
(so `calfeed.reuse` recognises it by identity). The rest of the file, with one marker item in place of
each list (the skeleton), is parsed whole: it is small (the calendar and the tags).

The result is exactly `yamlread.parse`'s. The split is used only when it provably means what the whole
file means, and `yamlread.parse` reads the whole file otherwise, so problems keep their messages and
positions:

* no tab, and no other line break than ``\\n`` or ``\\r\\n`` anywhere (YAML's other line breaks, tabs in
  indentation: the split reads lines);
* a list is split only where every line of it is blank, a comment, more indented than its items, or an
  item (``-`` followed by a space or the line's end) at that one indentation (at least one space);
  a list that is not so stays in the skeleton;
* the skeleton and every item parse without any problem, anchor, alias or tag (so no item's meaning
  depends on text outside it); each item parses as a list of exactly one value; and the skeleton reads
  each marker as the only item of its key's list, at the top level (so the key line really is a key and
  the items really are that list's).

Within one list, YAML reads an item's lines the same whether they stand alone or follow the file's
earlier lines: everything between the item's ``-`` and the next line at its indentation or less is
indented deeper than the list, libyaml closes every block node at the next item or top-level line, and a
quoted scalar or flow collection still open at the item's end is a syntax error when the item is parsed
alone. tests/test_yaml_chunks.py holds `parse` to `yamlread.parse` on generated files and edits.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from . import yamlread
from .problems import Problem

MARKER = "calfeed-chunk-"  # the skeleton's item in place of a list (a file that holds these words is not split)
# Bytes after which lines do not mean what splitting at b"\n" says, or indentation is not only spaces (a
# b"\r" is only allowed before b"\n").
_UNSPLITTABLE = (b"\t", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9", MARKER.encode())
_TOP_LINE = re.compile(rb"\n[^ \r\n#]")  # a line that starts at column 0 and is not a comment
_KEY_LINE = re.compile(rb"([A-Za-z_][A-Za-z0-9_-]*):(?:[ ]+#[^\n]*|[ ]*\r?)")  # `events:`, nothing after
_FIRST_LINE = re.compile(rb"\n *[^ \r\n#]")  # the next line that is not blank or a comment
_ITEM = re.compile(rb"( +)-(?: |\r?\n|\Z)")
_MISSING: Any = object()


class Memo:
    """What the last parse of one file made of each item's text (`parse` keeps and renews it)."""

    def __init__(self) -> None:
        self.items: dict[bytes, Any] = {}
        self.saved: dict[bytes, bytes | memoryview] = {}  # text -> its value's JSON, as `calfeed.parsememo` read it
        self.digests: dict[int, tuple[Any, str]] = {}  # id(an item's value) -> (it, `history.content_hash` of it)


def parse(file: str, data: bytes, memo: Memo) -> tuple[Any, list[Problem]]:
    """`yamlread.parse(file, data)`: the same value and problems. Each item of a top-level list whose text
    is the same as in the file's previous parse (`memo`) is the very object that parse made; `memo` is
    renewed with this parse's items when the file could be split (else it is kept for the next one)."""
    value = _parse_split(file, data, memo)
    if value is _MISSING:
        return yamlread.parse(file, data)
    return value, []


def _parse_split(file: str, data: bytes, memo: Memo) -> Any:
    """The file's value from its skeleton and items, or `_MISSING` if it cannot be split (see the module)."""
    split = _split(data)
    if split is None:
        return _MISSING
    skeleton, lists = split
    value, plain = yamlread.parse_plain(file, skeleton)
    if not plain or type(value) is not dict:
        return _MISSING
    now: dict[bytes, Any] = {}
    for index, (key, texts) in enumerate(lists):
        if value.get(key) != [f"{MARKER}{index}"]:
            return _MISSING
        items = []
        for text in texts:
            item = memo.items.get(text, _MISSING) if text not in now else _MISSING
            if item is _MISSING:
                parsed, plain = yamlread.parse_plain(file, text)
                if not plain or type(parsed) is not list or len(parsed) != 1:
                    return _MISSING
                item = parsed[0]
            now.setdefault(text, item)  # an item written twice is parsed twice: two objects, as in one parse
            items.append(item)
        value[key] = items
    memo.items = now
    return value


def _split(data: bytes) -> tuple[bytes, list[tuple[str, list[bytes]]]] | None:
    """The skeleton (the file with a marker item in place of each splittable top-level list) and each such
    list's key and items' texts; None if the file cannot be split, or has nothing to split."""
    if any(unsplittable in data for unsplittable in _UNSPLITTABLE) or (
        b"\r" in data and data.count(b"\r") != data.count(b"\r\n")
    ):
        return None
    tops = [match.start() + 1 for match in _TOP_LINE.finditer(data)]
    if data[:1] not in (b"", b" ", b"\r", b"\n", b"#"):
        tops.insert(0, 0)
    tops.append(len(data))
    parts: list[bytes] = []
    lists: list[tuple[str, list[bytes]]] = []
    done = 0
    for line, end in zip(tops, tops[1:], strict=False):
        line_end = data.find(b"\n", line, end)
        key = _KEY_LINE.fullmatch(data, line, line_end) if line_end >= 0 else None
        items = _items(data, line_end, end) if key is not None else None
        if key is None or items is None:
            continue
        indent, starts = items
        marker = b"%s- %s%d\n" % (b" " * indent, MARKER.encode(), len(lists))
        parts += [data[done : starts[0]], marker]
        lists.append((key.group(1).decode(), [data[a:b] for a, b in zip(starts, [*starts[1:], end], strict=True)]))
        done = end
    if not lists:
        return None
    parts.append(data[done:])
    return b"".join(parts), lists


def _items(data: bytes, key_end: int, end: int) -> tuple[int, list[int]] | None:
    """The indentation and the offsets of the items of the list after the key line ending at `key_end`
    (its b"\\n"), up to `end`; None if what follows is not a list that can be split."""
    first = _FIRST_LINE.search(data, key_end, end)
    if first is None:
        return None
    item = _ITEM.match(data, first.start() + 1, end)
    if item is None:
        return None
    indent = len(item.group(1))
    starts = []
    for shallow in _shallow(indent).finditer(data, key_end, end):
        at = shallow.start() + 1
        if shallow.end() - at == indent + 1 and _ITEM.match(data, at, end):
            starts.append(at)
        elif data[shallow.end() - 1] != ord("#"):  # neither an item nor a comment: not split
            return None
    return indent, starts


@lru_cache(maxsize=8)
def _shallow(indent: int) -> re.Pattern[bytes]:
    """Lines whose first character that is not a space is at most `indent` spaces in, blank lines aside."""
    return re.compile(rb"\n {0,%d}[^ \r\n]" % indent)
