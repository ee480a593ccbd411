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
    problems: list[Problem] = []
    loader = _Parser(data)
    get_event = loader.get_event
    anchors: dict[str, Any] = {}
    sizes: dict[str, int] = {}  # anchor -> how many values it expands to
    # One frame per open collection: [value, pending key, key mark, place in parent, expanded size, anchor, mark]
    frames: list[list[Any]] = []
    merges: dict[int, list[Any]] = {}  # id(mapping) -> mappings named by its "<<" keys
    root: Any = None
    documents = 0
    count = 0

    def here(*last: str | int) -> Path:
        return (*(frame[3] for frame in frames[1:]), *last)

    def here_value() -> Path:  # the path of the value node being read now
        if not frames:
            return ()
        container, pending = frames[-1][0], frames[-1][1]
        if type(container) is list:
            return here(len(container))
        return here(pending) if isinstance(pending, str) else here()

    try:
        while (event := get_event()) is not None:
            count += 1
            kind = type(event)
            size = 1
            if kind is ScalarEvent:
                value = event.value
                if event.tag is not None and event.tag not in _STR_TAGS:
                    problems.append(_tag_problem(file, event, here_value()))
                elif not event.style and value in _NULLS:  # plain (libyaml says '', PyYAML None), not quoted
                    value = None
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                value = {} if kind is MappingStartEvent else []
                if event.tag is not None and event.tag not in _COLLECTION_TAGS:
                    problems.append(_tag_problem(file, event, here_value()))
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                done, _, _, done_place, size, anchor, mark = frames.pop()
                if merges and id(done) in merges:
                    for source in merges.pop(id(done)):
                        for name, item in source.items():
                            done.setdefault(name, item)
                if anchor is not None:
                    sizes[anchor] = size
                if frames:
                    frames[-1][4] += size
                if size > _EXPANSION_FLOOR and size > _EXPANSION_FACTOR * count:
                    problems.append(
                        _at(
                            file,
                            mark,
                            here(done_place),
                            f"YAML aliases here expand to {size:,} "
                            f"values from {count:,} written (is this an alias bomb?); expected "
                            "each anchor to be used a few times",
                        )
                    )
                    return None, problems
                continue
            elif kind is AliasEvent:
                if event.anchor not in anchors:
                    problems.append(
                        _at(
                            file,
                            event.start_mark,
                            here_value(),
                            f"unknown alias *{event.anchor} (expected an anchor &{event.anchor} above it)",
                        )
                    )
                value = anchors.get(event.anchor)
                size = sizes.get(event.anchor, 1)
            else:  # stream and document boundaries
                if type(event).__name__ == "DocumentStartEvent":
                    documents += 1
                    if documents == 2:
                        problems.append(
                            _at(
                                file,
                                event.start_mark,
                                (),
                                "a second YAML document (---) is not supported (expected one document per file)",
                            )
                        )
                continue
            opens = kind is MappingStartEvent or kind is SequenceStartEvent
            anchor = None if kind is AliasEvent else event.anchor
            if anchor is not None:
                anchors[anchor] = value
                if not opens:
                    sizes[anchor] = 1
            place: Any = None
            if not frames:
                if documents == 1:
                    root = value
            elif type(parent := (frame := frames[-1])[0]) is list:
                place = len(parent)
                parent.append(value)
            elif (pending := frame[1]) is _NO_KEY:  # this node is a key
                if kind is ScalarEvent:
                    frame[1] = event.value
                    frame[2] = event.start_mark
                else:
                    problems.append(
                        _at(file, event.start_mark, here(), "a key must be plain text (expected name: value)")
                    )
                    frame[1] = _BAD_KEY
                size = 0
            else:
                frame[1] = _NO_KEY
                place = pending
                if pending is _BAD_KEY:
                    pass
                elif pending == "<<" and frame[2] is not None:
                    merges.setdefault(id(parent), []).extend(_merge_sources(value))
                elif pending in parent:
                    problems.append(
                        _at(
                            file,
                            frame[2],
                            here(pending),
                            f"duplicate key '{pending}' (expected "
                            "each key once in a mapping; YAML would silently keep the last)",
                        )
                    )
                else:
                    parent[pending] = value
            if opens:
                frames.append(
                    [value, _NO_KEY if kind is MappingStartEvent else None, None, place, 1, anchor, event.start_mark]
                )
            elif frames:
                frames[-1][4] += size
    except yaml.MarkedYAMLError as error:
        return None, [*problems, _syntax_problem(file, error, data)]
    except yaml.reader.ReaderError as error:
        line, column = _line_column(data, error.position)
        what = f"character U+{error.character:04X}" if isinstance(error.character, int) else "a character"
        return None, [
            *problems,
            Problem(file, line, column, "", f"{what} is not allowed here: {error.reason} (expected printable text)"),
        ]
    finally:
        loader.dispose()
    return root, problems


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
