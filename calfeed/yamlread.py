"""Read YAML safely and fast, and find where things are when something is wrong.

PyYAML's loaders build objects in pure Python, type every plain scalar by guesswork
(`title: Yes` becomes True, `2021-02-30` a crash) and keep the last of two duplicate
keys. Here libyaml's C parser produces events and a small builder turns them straight
into dicts, lists and strings:

* scalars stay text until the schema asks for a date or a number (`content.py`);
* duplicate keys, unknown aliases, explicit tags and extra documents are problems;
* aliases are shared, never copied, so an alias bomb costs no memory here (the
  validator bounds how far it follows them);
* positions are not kept for every value: that would cost more memory than the
  content itself. When validation finds a problem, `locate` reads the file again
  and finds the line and column of just the paths it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from . import yamlhints
from .problems import Path, Problem, format_path

# libyaml's parser when PyYAML was built with it (much faster), else PyYAML's own.
_Parser: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_STR_TAGS = frozenset({"tag:yaml.org,2002:str", "!"})
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!"})
_NO_KEY: Any = object()  # a mapping waiting for its next key
_BAD_KEY: Any = object()  # the key was not text: drop its value
# Aliases may make a document bigger than it is written, but not by much: past this many values and
# this many times the values written, it is an alias bomb ("billion laughs"), refused before it is walked.
# Problems after which the value at their path is not what was written (an alias with no anchor reads as
# empty, a tag is ignored): what the schema checks would add there says nothing more.
VALUE_REPLACED = ("unknown alias *", "alias *", "YAML tag ")
_EXPANSION_FLOOR = 100_000
_EXPANSION_FACTOR = 10


def decode_problem(file: str, data: bytes) -> Problem | None:
    """Return a problem if `data` is not UTF-8 text, else None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_column(data, error.start)
        return Problem(
            file,
            line,
            column,
            "",
            f"is not UTF-8: byte 0x{data[error.start]:02X} cannot start or continue a character "
            "(expected UTF-8 text; save the file as UTF-8)",
        )
    return None


def parse(file: str, data: bytes) -> tuple[Any, list[Problem]]:
    """Build plain values from one YAML document.

    Returns ``(value, problems)``: the top-level value (None for an empty file, or
    after a syntax error or an alias bomb) and the problems found: syntax errors,
    duplicate keys, unknown aliases, tags, keys that are not text, more than one
    document, and aliases that would expand to far more values than the file holds.
    """
    value, problems, _ = _parse(file, data)
    return value, problems


def parse_plain(file: str, data: bytes) -> tuple[Any, bool]:
    """Build plain values from one YAML document, as `parse` does; return ``(value, plain)``, where `plain`
    says the document holds no problem, no anchor, no alias and no tag (its value means the same wherever
    its text is: what `calfeed.yamlchunks` needs of a file's pieces)."""
    value, problems, builder = _parse(file, data)
    return value, not problems and not builder.marked and not builder.anchors


def _parse(file: str, data: bytes) -> tuple[Any, list[Problem], _Builder]:
    builder = _Builder(file)
    loader = _Parser(data)
    try:
        return builder.build(loader.get_event), builder.problems, builder
    except _AliasBomb:
        return None, builder.problems, builder
    except yaml.MarkedYAMLError as error:
        return None, [*builder.problems, _syntax_problem(file, error, data)], builder
    except yaml.reader.ReaderError as error:
        line, column = _line_column(data, error.position)
        what = f"character U+{error.character:04X}" if isinstance(error.character, int) else "a character"
        message = f"{what} is not allowed here: {error.reason} (expected printable text)"
        return None, [*builder.problems, Problem(file, line, column, "", message)], builder
    finally:
        loader.dispose()


class _AliasBomb(Exception):
    """The document's aliases expand to far more values than it holds: reading stops (the problem says where)."""


class _Builder:
    """Plain values from libyaml's events, one method per kind of event; problems collected on the way.

    One frame per open collection: [value, pending key, key mark, place in parent, expanded size, anchor,
    mark]. A mapping's pending key is `_NO_KEY` while the next node is a key.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.anchors: dict[str, Any] = {}
        self.sizes: dict[str, int] = {}  # anchor -> how many values it expands to
        self.frames: list[list[Any]] = []
        self.merges: dict[int, list[Any]] = {}  # id(mapping) -> mappings named by its "<<" keys
        self.root: Any = None
        self.documents = 0
        self.count = 0  # events read
        self.marked = False  # an alias or a tag was read (`parse_plain`)

    def build(self, get_event: Any) -> Any:
        """Read every event `get_event` gives; return the document's top-level value.

        What makes nearly all of any content is handled here inline, as the methods below would handle it:
        a plain scalar with no anchor or tag, as a mapping's new key or value or a list's item; a collection
        with no anchor or tag opening there (`opened`), and closing with nothing to merge or count against
        aliases. Every other event goes to its method (`build_by_methods` reads each event so, and
        tests/test_yaml_parsers.py holds this reader to that one).
        """
        handlers, ignore, frames = self.handlers(), self.stream_boundary, self.frames
        nulls, no_key, bad_key, scalar, ends = (
            _NULLS,
            _NO_KEY,
            _BAD_KEY,
            ScalarEvent,
            (MappingEndEvent, SequenceEndEvent),
        )
        while (event := get_event()) is not None:
            self.count += 1
            kind = type(event)
            if frames:
                frame = frames[-1]
                parent, pending = frame[0], frame[1]
                if kind is scalar and event.anchor is None and event.tag is None:
                    if pending is no_key:  # a key
                        frame[1], frame[2] = event.value, event.start_mark
                        continue
                    if type(parent) is list or (pending is not bad_key and pending != "<<" and pending not in parent):
                        value = None if not event.style and event.value in nulls else event.value
                        if type(parent) is list:
                            parent.append(value)
                        else:
                            parent[pending], frame[1] = value, no_key
                        frame[4] += 1
                        continue
                elif kind in ends:
                    if not self.merges and frame[5] is None and len(frames) > 1 and frame[4] <= _EXPANSION_FLOOR:
                        frames.pop()
                        frames[-1][4] += frame[4]
                        continue
                elif self.opened(kind, event, frame, parent, pending):
                    continue
            handlers.get(kind, ignore)(event)
        return self.root

    def opened(self, kind: type, event: Any, frame: list[Any], parent: Any, pending: Any) -> bool:
        """`collection_start` for a collection with no anchor or tag that is a list's item or a mapping's
        new value; False (nothing done) for any other event."""
        if (kind is not MappingStartEvent and kind is not SequenceStartEvent) or event.anchor or event.tag:
            return False
        if type(parent) is list:
            value: Any = {} if kind is MappingStartEvent else []
            place: Any = len(parent)
            parent.append(value)
        elif pending is _NO_KEY or pending is _BAD_KEY or pending == "<<" or pending in parent:
            return False
        else:
            value = parent[pending] = {} if kind is MappingStartEvent else []
            frame[1], place = _NO_KEY, pending
        self.frames.append(
            [value, _NO_KEY if kind is MappingStartEvent else None, None, place, 1, None, event.start_mark]
        )
        return True

    def build_by_methods(self, get_event: Any) -> Any:
        """`build`, every event handled by its method."""
        handlers = self.handlers()
        ignore = self.stream_boundary
        while (event := get_event()) is not None:
            self.count += 1
            handlers.get(type(event), ignore)(event)
        return self.root

    def handlers(self) -> dict[type, Any]:
        return {
            ScalarEvent: self.scalar,
            MappingStartEvent: self.collection_start,
            SequenceStartEvent: self.collection_start,
            MappingEndEvent: self.collection_end,
            SequenceEndEvent: self.collection_end,
            AliasEvent: self.alias,
            DocumentStartEvent: self.document_start,
        }

    def scalar(self, event: Any) -> None:
        value = event.value
        if event.tag is not None:
            self.marked = True
            if event.tag not in _STR_TAGS:
                self.problems.append(_tag_problem(self.file, event, self.here_value()))
            elif not event.style and value in _NULLS:
                value = None
        elif not event.style and value in _NULLS:  # plain (libyaml says '', PyYAML None), not quoted
            value = None
        self.add(event, value, event.anchor)

    def collection_start(self, event: Any) -> None:
        mapping = type(event) is MappingStartEvent
        value: Any = {} if mapping else []
        if event.tag is not None:
            self.marked = True
            if event.tag not in _COLLECTION_TAGS:
                self.problems.append(_tag_problem(self.file, event, self.here_value()))
        place = self.add(event, value, event.anchor, opens=True)
        self.frames.append([value, _NO_KEY if mapping else None, None, place, 1, event.anchor, event.start_mark])

    def collection_end(self, event: Any) -> None:
        done, _, _, done_place, size, anchor, mark = self.frames.pop()
        if self.merges and id(done) in self.merges:
            for source in self.merges.pop(id(done)):
                for name, item in source.items():
                    done.setdefault(name, item)
        if anchor is not None:
            self.sizes[anchor] = size
        if self.frames:
            self.frames[-1][4] += size
        if size > _EXPANSION_FLOOR and size > _EXPANSION_FACTOR * self.count:
            message = (
                f"YAML aliases here expand to {size:,} values from {self.count:,} written (is this an alias "
                "bomb?); expected each anchor to be used a few times"
            )
            self.problems.append(_at(self.file, mark, self.here(done_place), message))
            raise _AliasBomb()

    def alias(self, event: Any) -> None:
        self.marked = True
        if event.anchor not in self.anchors:
            message = f"unknown alias *{event.anchor} (expected an anchor &{event.anchor} above it)"
            self.problems.append(_at(self.file, event.start_mark, self.here_value(), message))
        value = self.anchors.get(event.anchor)
        if value is not None and any(frame[0] is value for frame in self.frames):
            message = f"alias *{event.anchor} is inside &{event.anchor} itself (expected an anchor that is complete)"
            self.problems.append(_at(self.file, event.start_mark, self.here_value(), message))
            value = None
        self.add(event, value, None, self.sizes.get(event.anchor, 1))

    def document_start(self, event: Any) -> None:
        self.documents += 1
        if self.documents == 2:
            message = "a second YAML document (---) is not supported (expected one document per file)"
            self.problems.append(_at(self.file, event.start_mark, (), message))

    def stream_boundary(self, event: Any) -> None:
        """Stream start and end, document end: nothing to build."""

    def add(self, event: Any, value: Any, anchor: str | None, size: int = 1, opens: bool = False) -> Any:
        """Put a node's value where it belongs (the document, a list, a mapping's key or value); return
        its place in its parent. A collection's size is counted when it closes."""
        if anchor is not None:
            self.anchors[anchor] = value
            if not opens:
                self.sizes[anchor] = 1
        if not self.frames:
            if self.documents == 1:
                self.root = value
            return None
        frame = self.frames[-1]
        parent = frame[0]
        if type(parent) is list:
            place: Any = len(parent)
            parent.append(value)
        elif frame[1] is _NO_KEY:  # this node is a key
            self.key(frame, event)
            return "?"  # what is inside a key that is a collection is named as under "?" in paths
        else:
            place = self.value(frame, value)
        if not opens:
            frame[4] += size
        return place

    def key(self, frame: list[Any], event: Any) -> None:
        if type(event) is ScalarEvent:
            frame[1] = event.value
            frame[2] = event.start_mark
        else:
            self.problems.append(
                _at(self.file, event.start_mark, self.here(), "a key must be plain text (expected name: value)")
            )
            frame[1] = _BAD_KEY

    def value(self, frame: list[Any], value: Any) -> Any:
        """Store a mapping's value under its pending key; return the key."""
        parent, pending = frame[0], frame[1]
        frame[1] = _NO_KEY
        if pending is _BAD_KEY:
            return "?"  # what is under it is named as under "?" in paths (the key's own problem says why)
        elif pending == "<<" and frame[2] is not None:
            sources = _merge_sources(value)
            if not sources or (isinstance(value, list) and len(sources) != len(value)):
                message = f"<< merges {_kind(value)} (expected <<: *name of a mapping, or a list of them)"
                self.problems.append(_at(self.file, frame[2], self.here(pending), message))
            self.merges.setdefault(id(parent), []).extend(sources)
        elif pending in parent:
            message = (
                f"duplicate key '{pending}' (expected each key once in a mapping; YAML would silently keep the last)"
            )
            self.problems.append(_at(self.file, frame[2], self.here(pending), message))
        else:
            parent[pending] = value
        return pending

    def here(self, *last: str | int) -> Path:
        return (*(frame[3] for frame in self.frames[1:]), *last)

    def here_value(self) -> Path:
        """The path of the value node being read now."""
        if not self.frames:
            return ()
        container, pending = self.frames[-1][0], self.frames[-1][1]
        if type(container) is list:
            return self.here(len(container))
        return self.here(pending) if isinstance(pending, str) else self.here()


def locate(data: bytes, targets: Iterable[tuple[Path, bool]]) -> dict[tuple[Path, bool], tuple[int, int]]:
    """Find the 1-based line and column of each ``(path, at_key)`` target.

    `at_key` asks for the key of the last path element rather than its value.
    A path that does not exist as written (it came through an alias or a merge)
    resolves to its nearest ancestor that does.
    """
    targets = list(targets)
    wanted = {(path[:n], False) for path, _ in targets for n in range(len(path) + 1)}
    wanted.update((path, True) for path, at_key in targets if at_key)
    found: dict[tuple[Path, bool], tuple[int, int]] = {}
    loader = _Parser(data)
    frames: list[list[Any]] = []  # [path, is_mapping, index or key, expecting_key]
    try:
        while (event := loader.get_event()) is not None:
            kind = type(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                frames.pop()
                continue
            if kind not in (ScalarEvent, AliasEvent, MappingStartEvent, SequenceStartEvent):
                continue
            path: Path = ()
            if frames:
                frame = frames[-1]
                if not frame[1]:
                    path = (*frame[0], frame[2])
                    frame[2] += 1
                elif frame[3]:  # a key
                    frame[3] = False
                    frame[2] = event.value if kind is ScalarEvent else None
                    key_path = (*frame[0], frame[2])
                    if (key_path, True) in wanted:
                        found.setdefault((key_path, True), _one_based(event.start_mark))
                    path = (*frame[0], "\0key")  # a collection used as a key: never wanted
                else:
                    frame[3] = True
                    path = (*frame[0], frame[2])
            if (path, False) in wanted:
                found.setdefault((path, False), _one_based(event.start_mark))
            if kind is MappingStartEvent:
                frames.append([path, True, None, True])
            elif kind is SequenceStartEvent:
                frames.append([path, False, 0, False])
    except (yaml.YAMLError, IndexError):
        pass  # positions are a courtesy; the file parsed once already
    finally:
        loader.dispose()
    result: dict[tuple[Path, bool], tuple[int, int]] = {}
    for path, at_key in targets:
        if (path, at_key) in found:
            result[(path, at_key)] = found[(path, at_key)]
            continue
        for n in range(len(path), -1, -1):
            if (path[:n], False) in found:
                result[(path, at_key)] = found[(path[:n], False)]
                break
    return result


def _merge_sources(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list holding something else than mappings" if value else "an empty list"
    return "empty" if value is None else f"'{value}'"


def _one_based(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _at(file: str, mark: Any, path: Path, message: str) -> Problem:
    line, column = _one_based(mark)
    return Problem(file, line, column, format_path(path), message)


def _tag_problem(file: str, event: Any, path: Path) -> Problem:
    tag = event.tag.replace("tag:yaml.org,2002:", "!!")
    return _at(file, event.start_mark, path, f"YAML tag {tag} is not supported (expected plain values)")


def _syntax_problem(file: str, error: yaml.MarkedYAMLError, data: bytes) -> Problem:
    """The parser's words and position, and a plain hint for the common slips (`yamlhints`)."""
    mark = error.problem_mark or error.context_mark
    line, column = _one_based(mark) if mark is not None else (None, None)
    context_line = error.context_mark.line + 1 if error.context_mark is not None else None
    message = f"YAML syntax error: {error.problem}"
    if error.context:
        message += f" ({error.context}{f' at line {context_line}' if context_line else ''})"
    lines = data.decode("utf-8", "replace").splitlines()
    if explained := yamlhints.hint(lines, error.problem or "", line, error.context or "", context_line):
        message += f"; {explained}"
    return Problem(file, line, column, "", message)


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[line_start:offset].decode("utf-8", "replace")) + 1
