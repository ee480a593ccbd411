"""The same content reads the same with libyaml's parser and with PyYAML's pure-Python one."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from test_yaml_chunks import documents

from calfeed import yamlread
from calfeed.content import read_content

from conftest import BUNDLED, CONTENT, PARSERS


@pytest.mark.parametrize(
    "name",
    ["duplicate_key.yaml", "empty_values.yaml", "yaml_syntax_error.yaml", "unknown_alias.yaml", "dst_gap.yaml"],
)
def test_problems_are_the_same_with_either_parser(parser, monkeypatch, name):
    monkeypatch.chdir(CONTENT)
    site, problems = read_content(name)
    monkeypatch.setattr(yamlread, "_Parser", PARSERS[-1].values[0])
    _, reference = read_content(name)
    assert [(p.file, p.line, p.column, p.field) for p in problems] == [
        (p.file, p.line, p.column, p.field) for p in reference
    ]
    # The parsers word syntax errors in their own way; everything calfeed says is the same.
    assert [p.message for p in problems if "syntax" not in p.message] == [
        p.message for p in reference if "syntax" not in p.message
    ]
    assert site is None and problems


def test_bundled_example_reads_the_same_with_either_parser(parser):
    site, problems = read_content(BUNDLED)
    assert site is not None
    assert [e.id for e in site.events] == [
        "resilient-city-training-2021",
        "culture-summit-2021",
        "intermediary-cities-forum-2021",
        "culturopolis-2022",
    ]
    assert len(site.news) == 6


def _read_both_ways(data: bytes) -> None:
    """`yamlread.parse`'s builder reads `data` exactly as its methods one event at a time do: the same
    value, problems, anchors, marks and count of events (its inline cases are only a shortcut)."""
    results = []
    for build in (yamlread._Builder.build, yamlread._Builder.build_by_methods):
        builder = yamlread._Builder("f.yaml")
        loader = yamlread._Parser(data)
        try:
            value: object = build(builder, loader.get_event)
        except (yaml.YAMLError, yamlread._AliasBomb) as error:
            mark = getattr(error, "problem_mark", None)
            value = (type(error), getattr(error, "problem", None), mark and (mark.line, mark.column))
        finally:
            loader.dispose()
        results.append((value, builder.root, builder.problems, sorted(builder.anchors), builder.marked, builder.count))
    assert results[0] == results[1]


@settings(max_examples=200, deadline=None)
@given(documents())
def test_the_builder_s_inline_cases_read_as_its_methods_do(text):
    _read_both_ways(text.encode())


def test_every_content_fixture_reads_as_the_builder_s_methods_read_it():
    files = sorted(CONTENT.rglob("*.y*ml")) + sorted((CONTENT.parent / "bad").rglob("*.y*ml"))
    assert len(files) > 100
    for file in files:
        _read_both_ways(file.read_bytes())
