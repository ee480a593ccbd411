"""A build reads the content with the previous build's parse of each item (calfeed/parsememo.py): only the
edited items are parsed again, and what the read makes of the files is exactly a parse of the whole file."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_yaml_chunks import documents, edits

from calfeed import export, history, parsememo, yamlchunks, yamlread
from calfeed.settings import Settings

from conftest import BUNDLED


def _saved_and_loaded(folder: Path, memos: dict[str, yamlchunks.Memo]) -> dict[str, yamlchunks.Memo]:
    parsememo.save(folder / parsememo.MEMO, memos)
    return parsememo.load(folder)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_a_parse_with_the_previous_build_s_memo_is_a_parse_of_the_whole_file(tmp_path: Path, data):
    text = data.draw(documents())
    memo = yamlchunks.Memo()
    assert yamlchunks.parse("f.yaml", text.encode(), memo) == yamlread.parse("f.yaml", text.encode())
    for _ in range(data.draw(st.integers(1, 3))):  # each build in a new process: the memo from the file alone
        memos = _saved_and_loaded(tmp_path, {"f.yaml": memo})
        assert {text: repr(value) for text, value in memos["f.yaml"].items.items()} == {
            text: repr(value) for text, value in memo.items.items()
        }
        text = data.draw(edits(text))
        memo = memos["f.yaml"]
        assert yamlchunks.parse("f.yaml", text.encode(), memo) == yamlread.parse("f.yaml", text.encode())


def test_values_read_back_are_the_values_parsed(tmp_path: Path) -> None:
    """JSON holds what an item parses to: text in any script, empty values, lists, mappings in their order."""
    text = 'events:\n  - {b: "é\\u2028𝄞", a: ~, c: [x, "", null], d: {z: 1, y: "\\t"}}\n  - plain\n  - - nested\n'
    memo = yamlchunks.Memo()
    value, problems = yamlchunks.parse("f.yaml", text.encode(), memo)
    assert problems == [] and value["events"][0]["b"] == "é\u2028𝄞"
    again = yamlchunks.parse("f.yaml", text.encode(), _saved_and_loaded(tmp_path, {"f.yaml": memo})["f.yaml"])
    assert repr(again) == repr(yamlread.parse("f.yaml", text.encode()))
    assert list(map(list, (again[0]["events"][0], again[0]["events"][0]["d"]))) == [["b", "a", "c", "d"], ["z", "y"]]


def test_a_value_utf_8_cannot_hold_is_parsed_again(tmp_path: Path) -> None:
    """A lone surrogate (PyYAML's pure-Python parser reads "\\ud800" as one) is not saved: that item is parsed."""
    memo = yamlchunks.Memo()
    memo.items = {b"  - a\n": "a", b'  - "\\ud800"\n': "\ud800"}
    assert _saved_and_loaded(tmp_path, {"f.yaml": memo})["f.yaml"].items == {b"  - a\n": "a"}


@pytest.mark.parametrize("damage", ["truncated", "a byte changed", "another key", "not a memo"])
def test_a_damaged_or_foreign_memo_reads_as_none(tmp_path: Path, damage: str, monkeypatch) -> None:
    memo = yamlchunks.Memo()
    yamlchunks.parse("f.yaml", b"events:\n  - a\n  - {b: c}\n", memo)
    parsememo.save(tmp_path / parsememo.MEMO, {"f.yaml": memo})
    file = tmp_path / parsememo.MEMO
    data = file.read_bytes()
    if damage == "truncated":
        file.write_bytes(data[:-1])
    elif damage == "a byte changed":
        file.write_bytes(data[:-3] + bytes([data[-3] ^ 1]) + data[-2:])
    elif damage == "another key":
        monkeypatch.setattr(parsememo, "key", lambda: b"\0" * 16)
    else:
        file.write_bytes(b'{"not": "a memo"}')
    assert parsememo.load(tmp_path) == {}
    assert len(_saved_and_loaded(tmp_path, {"f.yaml": memo})["f.yaml"].items) == 2  # written again, it reads


def test_a_build_after_an_edit_parses_and_hashes_only_the_edited_item(tmp_path: Path, request, monkeypatch) -> None:
    content = tmp_path / "events.yaml"
    shutil.copy(BUNDLED, content)
    shutil.copy(history.history_path(BUNDLED), history.history_path(content))
    out = tmp_path / "out"
    export.build(out, Settings(events=str(content)), today=date(2021, 9, 1), processes=1)
    memo = (out / parsememo.MEMO).read_bytes()
    content.write_text(content.read_text().replace("Izmir, Turkey", "Izmir, Türkiye", 1))
    parsed = request.getfixturevalue("items_parsed")
    hashed: list[object] = []
    content_hash = history.content_hash
    monkeypatch.setattr(history, "content_hash", lambda raw: hashed.append(raw) or content_hash(raw))
    edited = export.build(out, Settings(events=str(content)), today=date(2021, 9, 1), processes=1)
    items = [text for text in parsed if text.startswith(b"  - ")]
    assert len(items) == 1 and b"Izmir, T\xc3\xbcrkiye" in items[0]
    assert [raw["id"] for raw in hashed] == ["culture-summit-2021"]  # type: ignore[index]
    changed = [warning.message for warning in edited.warnings if "changed since" in warning.message]
    assert changed[0].startswith("1 item changed since")  # the others' digests match the history's
    assert (out / parsememo.MEMO).read_bytes() != memo
    export.build(out, Settings(events=str(content)), today=date(2021, 9, 1), processes=1)
    assert len([text for text in parsed if text.startswith(b"  - ")]) == 1  # nothing new: nothing parsed
