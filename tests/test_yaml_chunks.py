"""A reload parses only the items whose text changed (calfeed/yamlchunks.py), and the result is exactly a
parse of the whole file: the same value, the same problems, on generated YAML and random edits of it."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calfeed import yamlchunks, yamlread
from calfeed.content import read_content
from calfeed.reuse import Reuse

from conftest import CONTENT

# Items of a top-level list, "{i}" standing for the list's indentation: the usual, then the tricky.
SAFE_ITEMS = [
    "{i}- id: a{n}\n{i}  title: Title {n}\n",
    "{i}- id: b{n}\n{i}  title: {{en: One, fr: Un}}\n{i}  tags: [x, y]\n\n",
    '{i}- title: "a quoted title\n{i}    on two lines"\n',
    "{i}- summary: |\n{i}    literal\n\n{i}    text\n",
    "{i}- summary: |+\n{i}    kept\n\n\n",
    "{i}- summary: >-\n{i}    folded\n{i}    text\n{i}  # a comment in the mapping\n",
    "{i}- |\n{i}  a block item\n",
    "{i}- |2\n{i}    indented by an indicator\n",
    "{i}-\n{i}  id: c{n}\n",
    "{i}-\n",
    "{i}- - nested\n{i}  - list\n",
    "{i}- [a, b]\n",
    "{i}- {{a: 1, b: [2, 3]}}\n",
    "{i}- [a,\n{i}  b]\n",
    "{i}- plain text\n{i}  continued\n",
    "{i}- a: 'it''s'\n# a comment at column 0\n{i}  b: c\n",
    "{i}- # a comment first\n{i}  a: 1\n",
    "{i}- <<: {{a: 1}}\n{i}  b: 2\n",
]
TRICKY_ITEMS = [
    "{i}- [a,\n",
    '{i}- "unterminated\n',
    "{i}- &anchor {{a: 1}}\n",
    "{i}- *anchor\n",
    "{i}- !!str 5\n",
    "{i}- !custom x\n",
    "{i}- a: 1\n{i}  a: 2\n",
    "{i}- a: b: c\n",
    "{i}- x\n{i}y\n",
    "{i}- ? complex\n{i}  : key\n",
    "{i}- \t tab\n",
    "{i}- a: x\r\n",
    "{i}- calfeed-chunk-0\n",
    "{i}-x\n",
]
NOISE = ["\n", "# comment\n", "{i}# comment\n", " # shallow comment\n"]  # then noise that may stop a split
NOISE += ["---\n", "...\n", "%YAML 1.1\n", "{i}  deeper: 1\n"]
SAFE_OTHER = [
    "calendar:\n  title: T\n  url: https://example.org/\n",
    "tags:\n  x: {en: X}\n",
    "block: |\n  text\n",
    "events: # a comment\n",
    "# a comment\n\n",
]
TRICKY_OTHER = [
    "calendar: &cal\n  title: T\n",
    "copy: *cal\n",
    "<<: {merged: 1}\n",
    'quoted: "a\nevents:\n  - inside a string\n"\n',
    "events: [flow]\n",
    "--- |\nevents:\n  - x\n",
    "{\nevents:\n  - x\n}\n",
    "? events\n: - x\n",
    "plain\n",
    "- top level item\n",
]
KEYS = ["events", "news", "extra-list", "null", "quoted key"]


@st.composite
def lists(draw: st.DrawFn, tricky: bool) -> str:
    key = draw(st.sampled_from(KEYS))
    indent = " " * draw(st.integers(0 if tricky else 1, 4))
    head = f'"{key}":\n' if " " in key else f"{key}:{draw(st.sampled_from(['', '  ', ' # c']))}\n"
    parts = [head]
    items = st.sampled_from(SAFE_ITEMS + TRICKY_ITEMS if tricky else SAFE_ITEMS)
    for n in range(draw(st.integers(0, 6))):
        parts.append(draw(items).format(i=indent, n=n))
        if draw(st.integers(0, 4)) == 0:
            parts.append(draw(st.sampled_from(NOISE if tricky else NOISE[:4])).format(i=indent))
    return "".join(parts)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A YAML file: mostly one that can be split, half the time with something that may stop that."""
    tricky = draw(st.booleans())
    other = st.sampled_from(SAFE_OTHER + TRICKY_OTHER if tricky else SAFE_OTHER)
    unique = (lambda block: block) if tricky else (lambda block: block.split(":")[0])  # else a duplicate key
    blocks = draw(st.lists(st.one_of(lists(tricky), other), min_size=1, max_size=5, unique_by=unique))
    text = "".join(blocks)
    return text.replace("\n", "\r\n") if draw(st.integers(0, 3)) == 0 else text  # saved on Windows


EDIT_TEXTS = st.sampled_from(["\n", " ", "  ", "-", "- ", ":", "#", '"', "'", "|", "[", "]", "&a", "*a", "x", "\t"])


@st.composite
def edits(draw: st.DrawFn, text: str) -> str:
    """`text` with a word changed (as an editor does), or characters inserted or deleted, or a line repeated."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["word", "word", "word", "insert", "delete", "repeat line"]))
        if kind == "word":
            word = draw(st.sampled_from(["Title", "text", "a", "1", "x"]))
            text = text[:at] + text[at:].replace(word, draw(st.sampled_from(["Edited", "b", "22", ""])), 1)
        elif kind == "insert":
            text = text[:at] + draw(EDIT_TEXTS) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 3)) :]
        else:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at) + 1 or len(text)
            text = text[:end] + text[start:end] + text[end:]
    return text


def _same_as_a_whole_parse(data: bytes, memo: yamlchunks.Memo) -> None:
    assert yamlchunks.parse("f.yaml", data, memo) == yamlread.parse("f.yaml", data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_parse_of_the_changed_items_is_a_parse_of_the_whole_file(data):
    text = data.draw(documents())
    memo = yamlchunks.Memo()
    _same_as_a_whole_parse(text.encode(), memo)
    for _ in range(data.draw(st.integers(1, 4))):
        text = data.draw(edits(text))
        _same_as_a_whole_parse(text.encode(), memo)


EDGES = [
    "events:\n  - a\n  - b\nnews:\n  - c\n",
    'calendar: "a\nevents:\n  - x\ndef"\nevents:\n',  # a key line inside a quoted scalar
    "--- |\nevents:\n  - x\n",  # a key line inside the document's block scalar
    "{a: 1,\nevents:\n  - x\n}\n",  # inside a flow mapping
    "events:\n  - a: &x 1\n  - b: *x\n",  # an alias across items
    "events:\n  - |+\n    kept\n\n\n# comment\nnews:\n  - x\n",  # kept trailing lines before a comment
    "events:\n  - a\n  -b\n",  # not an item at the list's indentation
    "events:\n  - a\n - b\n",  # odd indentation
    "events:\n  - a\n\n  # between\n  - b\n",
    "events:\n  - a\nevents:\n  - b\n",  # a duplicate key
    "events:\n- a\n- b\n",  # items at column 0: parsed whole
    "events:\n  - a\n...\n---\nevents:\n  - b\n",  # a second document
    "events:\n  - [a,\n  - b]\n",
    "events:\n  - 'a\n  - b'\n",
    "events:\r\n  - a\r\n\r\n  - b\r\n  -\r\nnews: # c\r\n  - |\r\n    x\r\n",
    "events:\r\n  - a\r  - b\r\n",  # a lone carriage return: a line break to YAML
]


def test_edge_cases_parse_as_a_whole_file_does():
    for text in EDGES:
        memo = yamlchunks.Memo()
        for version in (text, text.replace("a", "A"), text):
            _same_as_a_whole_parse(version.encode(), memo)


def test_an_unchanged_item_is_the_object_the_previous_parse_made():
    text = "calendar:\n  title: T\nevents:\n  - id: a\n    title: A\n\n  - id: b\n    title: B\nnews:\n  - id: n\n"
    memo = yamlchunks.Memo()
    first, problems = yamlchunks.parse("f.yaml", text.encode(), memo)
    assert problems == []
    second, _ = yamlchunks.parse("f.yaml", text.replace("title: B", "title: B2").encode(), memo)
    assert second["events"][0] is first["events"][0]
    assert second["news"][0] is first["news"][0]
    assert second["events"][1] == {"id": "b", "title": "B2"}
    assert second["calendar"] == first["calendar"]


def test_an_item_written_twice_is_two_objects_as_in_a_whole_parse():
    text = b"events:\n  - {id: a}\n  - {id: a}\n"
    memo = yamlchunks.Memo()
    for _ in range(2):
        value, _ = yamlchunks.parse("f.yaml", text, memo)
        assert value["events"][0] is not value["events"][1]


def _items(parsed: list[bytes]) -> list[bytes]:
    return [data for data in parsed if data.startswith(b"  - ")]


def test_a_reload_parses_only_the_edited_item(tmp_path: Path, request):
    content = tmp_path / "events.yaml"
    shutil.copy(CONTENT / "feed-events.yaml", content)
    shutil.copytree(CONTENT / "images", tmp_path / "images")
    reuse = Reuse()
    read_content(content, reuse=reuse)
    parsed = request.getfixturevalue("items_parsed")
    content.write_text(content.read_text().replace("{en: Panel in Izmir,", "{en: Panel in Izmir (moved),"))
    site, problems = read_content(content, reuse=reuse)
    assert site is not None, problems
    assert len(_items(parsed)) == 1
    assert b"Izmir (moved)" in _items(parsed)[0]


SECOND = "  - id: second\n    title: Second\n    start: 2021-09-10\n    online: true\n"


def test_in_a_folder_only_the_edited_file_s_edited_item_is_parsed_again(tmp_path: Path, request):
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "merged_folder", content)
    events = content / "events.yaml"
    events.write_text(events.read_text() + SECOND)
    reuse = Reuse()
    first, problems = read_content(content, reuse=reuse)
    assert first is not None, problems
    parsed = request.getfixturevalue("items_parsed")
    events.write_text(events.read_text().replace("title: Second", "title: Second, moved"))
    second, problems = read_content(content, reuse=reuse)
    assert second is not None, problems
    assert _items(parsed) == [SECOND.replace("title: Second", "title: Second, moved").encode()]
    assert second.event("board-meeting") is first.event("board-meeting")
    assert second.news[0] is first.news[0]
    assert second.event("second").title.get("en", "en") == "Second, moved"
