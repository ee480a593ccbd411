"""Markdown descriptions → HTML (before sanitising), within limits that keep every conversion quick.

Python-Markdown recurses once per nesting level (about 500 nested list markers raise
`RecursionError`) and scans to the end of a paragraph from every unclosed ``[``, ``<`` or
backtick (8,000 ``[`` in one paragraph take seconds). `trouble` says why a text is beyond the
limits below: every read of the content asks it of every Markdown text (summaries too), and a
text within them converts in well under a second. It converts nothing: that was 60 % of loading
10,000 events, and the renderers convert each description anyway, once, when they need it.
`convert` never raises: a text beyond the limits, or one the converter fails on (none is known
within them), comes out as one escaped paragraph, logged. `calfeed check` also converts each
description (`failure`), so an editor still hears of one the converter fails on, located; the
summaries are plain text in every output, never converted.
`render/markup.py` sanitises what `convert` makes. The plainest texts (paragraphs, headings, a flat
list, emphasis, plain links) are converted by `plain_markdown` instead, to the same HTML, much sooner.

A description sits below its page's own headings (the event's ``h1``, "About this event"
``h2``), so its headings are demoted: the highest one it uses becomes ``h3`` and the others
keep their distance below it (``#``/``##`` → ``h3``/``h4``; a text that starts at ``###`` is
unchanged), down to ``h6``.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from typing import TYPE_CHECKING

from . import plain_markdown

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    import markdown

MAX_LENGTH = 20_000  # characters in one description (in one language)
MAX_DEPTH = 20  # nested lists and quotes on one line (markers, plus one level per 4 columns of indent)
MAX_SCAN = 500_000  # per paragraph: its length times its '[', '<', '`' and '!' signs (each may scan to its end)
TOP_LEVEL = 3  # the highest heading a description may have
_HEADINGS = {f"h{level}" for level in range(1, 7)}
_NESTING = re.compile(r"(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)))+")
_SCANNED = re.compile(r"[\[<`!]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_MARKER = re.compile(r">|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)")
_SHORT = math.isqrt(MAX_SCAN)  # a paragraph at most this long is within MAX_SCAN, whatever its signs


_LOCAL = threading.local()  # one converter per thread: building one costs more than converting, and none waits
_LOG = logging.getLogger(__name__)


def convert(text: str) -> str:
    """`text` (Markdown) as HTML, unsanitised. Never raises: a text beyond the limits (never one `check`
    accepts) or one the converter fails on comes out as one escaped paragraph (the failure logged)."""
    if _beyond_limits(text) is not None:
        return _escaped(text)
    if (html := plain_markdown.convert(text)) is not None:  # Python-Markdown's very HTML for the plainest texts
        return html
    try:
        return _converted(text)
    except Exception as error:  # noqa: BLE001 (the page is served; `calfeed check` names the text)
        _LOG.warning(
            "a description could not be converted from Markdown (%s), shown as plain text: %.60r",
            type(error).__name__,
            text,
        )
        return _escaped(text)


def trouble(text: str) -> str | None:
    """Why `text` cannot be a description, being beyond a limit, or None. Converts nothing: within the
    limits, conversion is quick (and `convert` falls back to an escaped paragraph should it ever fail)."""
    return _beyond_limits(text)


def failure(text: str) -> str | None:
    """Why converting `text` (within the limits) fails, or None: what `calfeed check` asks of each description."""
    if plain_markdown.convert(text) is not None:  # Python-Markdown converts it, to the same HTML
        return None
    try:
        _converted(text)
    except Exception as error:  # noqa: BLE001 (any failure of the converter is the content's problem to report)
        return f"cannot be converted from Markdown ({type(error).__name__}); simplify it"
    return None


def _converted(text: str) -> str:
    converter = getattr(_LOCAL, "converter", None)
    if converter is None:
        converter = _LOCAL.converter = _converter()
    return str(converter.reset().convert(text))


def _converter() -> markdown.Markdown:
    """Python-Markdown, its headings demoted. Imported on the first text that needs it: the plainest need
    none (`plain_markdown`), and reading content converts nothing (importing it takes ~20 ms)."""
    import markdown
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class DemoteHeadings(Treeprocessor):
        """Shift every heading so the highest one is `TOP_LEVEL` (never past h6)."""

        def run(self, root: Element) -> None:
            headings = [element for element in root.iter() if element.tag in _HEADINGS]
            if not headings:
                return
            shift = max(0, TOP_LEVEL - min(int(element.tag[1]) for element in headings))
            for element in headings:
                element.tag = f"h{min(6, int(element.tag[1]) + shift)}"

    class DemoteHeadingsExtension(Extension):
        def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's name)
            md.treeprocessors.register(DemoteHeadings(md), "calfeed_demote_headings", 0)

    return markdown.Markdown(output_format="html", extensions=[DemoteHeadingsExtension()])


def _escaped(text: str) -> str:
    return "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"


def _beyond_limits(text: str) -> str | None:
    if len(text) > MAX_LENGTH:
        return f"is {len(text):,} characters long (expected at most {MAX_LENGTH:,}; link to a page for the rest)"
    if len(text) <= _SHORT and "\n" not in text:  # one row (most summaries), too short to be costly to scan
        return _too_deep(text, 1)
    offset = 0
    for paragraph in _PARAGRAPH_BREAK.split(text):
        line = text.count("\n", 0, text.find(paragraph, offset)) + 1
        offset += len(paragraph)
        for number, row in enumerate(paragraph.split("\n"), start=line):
            if (reason := _too_deep(row, number)) is not None:
                return reason
        signs = len(_SCANNED.findall(paragraph))
        if signs * len(paragraph) > MAX_SCAN:
            return (
                f"has a paragraph (from its line {line}) of {len(paragraph):,} characters with {signs:,} of "
                f"'[', '<', '`' or '!', too costly to convert (expected at most {MAX_SCAN:,} for characters "
                "times signs; split the paragraph with blank lines or use fewer of these signs)"
            )
    return None


def _too_deep(row: str, number: int) -> str | None:
    """Why `row` (line `number` of a text) nests lists or quotes too deep, or None."""
    nesting = _NESTING.match(row)
    if nesting is None or (depth := _depth(nesting[0])) <= MAX_DEPTH:
        return None
    return (
        f"nests lists or quotes {depth} deep on its line {number} "
        f"(expected at most {MAX_DEPTH} levels of '-', '*', '1.' or '>')"
    )


def _depth(markers: str) -> int:
    """The nesting a line's leading markers make: one per marker, one per 4 columns of indentation."""
    indent = len(markers) - len(markers.lstrip(" \t"))
    levels = len(_MARKER.findall(markers))
    return levels + markers[:indent].replace("\t", "    ").count("    ")
