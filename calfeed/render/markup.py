"""Markdown descriptions as safe HTML and as plain text, for every renderer.

Descriptions are Markdown written by editors; anything in them (raw HTML, a
``<script>``, an ``onerror=``, a ``javascript:`` link) must come out inert. The
HTML is made by `markdown` and then cleaned by `nh3` (the Ammonia sanitiser) to
an allowlist of tags and attributes; links get ``rel="noopener noreferrer"``.

A description sits below its page's own headings (the event's ``h1``, "About this
event" ``h2``), so its headings are demoted: the highest one it uses becomes ``h3``
and the others keep their distance below it (``#``/``##`` → ``h3``/``h4``; a text
that starts at ``###`` is unchanged), down to ``h6``.
"""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

TAGS = frozenset(
    {"a", "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "h3", "h4", "h5", "h6"}
)
ATTRIBUTES = {"a": {"href", "title", "hreflang"}}
SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_BLOCK_END = re.compile(r"</(p|li|h[3-6]|blockquote|pre)>|<br\s*/?>")
_TAG = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n{3,}")
TOP_LEVEL = 3  # the highest heading a description may have


class _DemoteHeadings(Treeprocessor):
    """Shift every heading so the highest one is `TOP_LEVEL` (never past h6)."""

    def run(self, root: Element) -> None:
        headings = [element for element in root.iter() if element.tag in _HEADINGS]
        if not headings:
            return
        shift = max(0, TOP_LEVEL - min(int(element.tag[1]) for element in headings))
        for element in headings:
            element.tag = f"h{min(6, int(element.tag[1]) + shift)}"


class _DemoteHeadingsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's name)
        md.treeprocessors.register(_DemoteHeadings(md), "calfeed_demote_headings", 0)


_HEADINGS = {f"h{level}" for level in range(1, 7)}
_CONVERTER = markdown.Markdown(output_format="html", extensions=[_DemoteHeadingsExtension()])
_CONVERTER_LOCK = threading.Lock()
_LINK = re.compile(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


@lru_cache(maxsize=4096)
def to_html(text: str) -> str:
    """Return `text` (Markdown) as sanitised HTML: an allowlist of tags, safe link schemes only."""
    with _CONVERTER_LOCK:  # one Markdown instance, reset per text: building one costs more than converting
        raw = _CONVERTER.reset().convert(text)
    return nh3.clean(
        raw,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@lru_cache(maxsize=4096)
def to_plain(text: str) -> str:
    """Return `text` (Markdown) as plain text: paragraphs kept apart by a blank line, no markup.

    A link keeps its words and, when they differ from the address, the address in brackets
    ("the programme (https://…)"), so nothing is lost where no HTML is shown.
    """
    clean = _LINK.sub(_link_as_text, to_html(text))
    clean = _BLOCK_END.sub("\n\n", clean)
    plain = html.unescape(_TAG.sub("", clean))
    return _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in plain.splitlines())).strip()


def _link_as_text(match: re.Match[str]) -> str:
    href, words = match.group(1), match.group(2)
    return words if _TAG.sub("", words) == html.unescape(href) else f"{words} ({href})"
