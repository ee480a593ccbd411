"""YAML syntax errors keep the parser's position and add a plain hint for the slips editors make most."""

from __future__ import annotations

import pytest

from calfeed.content import read_content

from conftest import CONTENT


@pytest.fixture
def slips(parser, monkeypatch):
    """Each hint must come with libyaml's parser and with PyYAML's own, which word errors differently."""
    monkeypatch.chdir(CONTENT / "yaml_slips")


@pytest.mark.parametrize(
    ("name", "line", "hint"),
    [
        (
            "colon_in_value.yaml",
            6,
            "a ': ' inside a value starts a new key in YAML "
            '(expected the value in quotes: title: "Cities: the summit")',
        ),
        (
            "hash_in_brackets.yaml",
            None,
            "' #' starts a comment in YAML, so the rest of line 8 was skipped, } too "
            '(expected text with a # in quotes, like "Banner for #IDPD2022")',
        ),
        ("tab_indent.yaml", 6, "line 6 is indented with a tab (expected spaces: YAML indents with spaces only)"),
        (
            "unclosed_quote.yaml",
            None,
            "the quote opened on line 6 is never closed (expected a closing quote after the value)",
        ),
        (
            "unclosed_bracket.yaml",
            8,
            "the [ opened on line 7 is never closed (expected ] at the end of the value, on line 7)",
        ),
        (
            "list_item_misaligned.yaml",
            8,
            "this list item's '-' is at column 4, not lined up with the items above it "
            "(expected column 3, like the '-' on line 5)",
        ),
    ],
)
def test_a_common_slip_gets_a_plain_hint(slips, name: str, line: int | None, hint: str) -> None:
    site, problems = read_content(name)
    assert site is None and len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert problem.message.startswith("YAML syntax error: ") and problem.message.endswith(f"; {hint}"), str(problem)
    if line is not None:  # where the parser stopped (a lost bracket or quote: at the end of the file)
        assert problem.line == line, str(problem)


def test_an_uncommon_syntax_error_keeps_the_parsers_words_alone(parser, tmp_path) -> None:
    odd = tmp_path / "odd.yaml"
    odd.write_text('calendar:\n  title: "Agenda" and more\n', encoding="utf-8")
    _, problems = read_content(odd)
    assert [problem.message.count(";") for problem in problems] == [0]
    assert problems[0].line == 2
