"""Plain words for the YAML syntax errors editors make most.

The parser says where it stopped and what it expected, in its own terms ("mapping values are not
allowed in this context"). `hint` looks at the lines around that place and, for the common slips,
says what happened and how to write it instead:

* a ``: `` inside an unquoted value (YAML reads a new key);
* a `` #`` inside an unquoted value in ``[…]`` or ``{…}`` (YAML reads a comment, so the closing
  bracket is lost);
* a tab in the indentation (YAML indents with spaces only);
* a quote or a bracket that is never closed;
* a list item (``- ``) not lined up with the items before it.

It reads the source text rather than the parser's words where it can, so that libyaml's parser
and PyYAML's own lead to the same hint.
"""

from __future__ import annotations

import re

_KEY_VALUE = re.compile(r"(?P<indent>[ \t]*(?:-[ \t]+)?)(?P<key>[^\s:#][^:#]*?):[ \t]+(?P<value>.*?)[ \t]*$")


def hint(lines: list[str], problem: str, line: int | None, context: str, context_line: int | None) -> str | None:
    """A plain explanation and fix for a YAML syntax error, or None when it is not a common case.

    `line` and `context_line` are 1-based: where the parser stopped, and where the construct it was
    reading began ("while parsing a flow sequence at line 6").
    """
    here = _line(lines, line)
    start = _line(lines, context_line)
    if "\t" in _indentation(here) or ("tab" in problem and "\t" in here):
        return f"line {line} is indented with a tab (expected spaces: YAML indents with spaces only)"
    if "mapping values are not allowed" in problem and (found := _KEY_VALUE.fullmatch(here)):
        return (
            "a ': ' inside a value starts a new key in YAML (expected the value in quotes: "
            f"{found['key']}: {_quoted(found['value'])})"
        )
    if "escape" in problem and "quoted scalar" in context:
        return (
            'a backslash in double quotes starts an escape (expected a known one, such as \\n, \\" or '
            "\\u00e9, or the text in single quotes, where a backslash is just a backslash)"
        )
    if "quoted scalar" in context and context_line is not None:
        return f"the quote opened on line {context_line} is never closed (expected a closing quote after the value)"
    if "flow sequence" in context or "flow mapping" in context:
        bracket = "[" if "sequence" in context else "{"
        closing = "]" if bracket == "[" else "}"
        if " #" in start:
            return (
                f"' #' starts a comment in YAML, so the rest of line {context_line} was skipped, {closing} too "
                '(expected text with a # in quotes, like "Banner for #IDPD2022")'
            )
        return (
            f"the {bracket} opened on line {context_line} is never closed "
            f"(expected {closing} at the end of the value, on line {context_line})"
        )
    if here.lstrip().startswith("- ") and line is not None:
        return _misplaced_item(lines, line, here)
    return None


def _misplaced_item(lines: list[str], line: int, here: str) -> str | None:
    column = len(here) - len(here.lstrip()) + 1
    for number in range(line - 1, 0, -1):
        before = _line(lines, number)
        stripped = before.lstrip()
        if stripped.startswith("- ") or stripped == "-":
            expected = len(before) - len(stripped) + 1
            if expected != column:
                return (
                    f"this list item's '-' is at column {column}, not lined up with the items above it "
                    f"(expected column {expected}, like the '-' on line {number})"
                )
            return None
    return None


def _line(lines: list[str], number: int | None) -> str:
    return lines[number - 1] if number is not None and 0 < number <= len(lines) else ""


def _indentation(text: str) -> str:
    return text[: len(text) - len(text.lstrip(" \t"))]


def _quoted(value: str) -> str:
    """`value` as a YAML double-quoted scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
