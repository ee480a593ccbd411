"""The same content reads the same with libyaml's parser and with PyYAML's pure-Python one."""

from __future__ import annotations

import pytest

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
