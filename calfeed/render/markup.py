"""Markdown descriptions as safe HTML and as plain text, for every renderer.

Descriptions are Markdown written by editors; anything in them (raw HTML, a
``<script>``, an ``onerror=``, a ``javascript:`` link) must come out inert. The
HTML is made by `markdown` and then cleaned by `nh3` (the Ammonia sanitiser) to
an allowlist of tags and attributes; links get ``rel="noopener noreferrer"``. A link whose
address is dropped (an unsafe scheme, or a relative address, which each output would resolve
against a different page) keeps its words as plain text.
The Markdown conversion and its limits live in `calfeed.descriptions`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3

from ..descriptions import convert

TAGS = frozenset(
    {"a", "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "h3", "h4", "h5", "h6"}
)
ATTRIBUTES = {"a": {"href", "title", "hreflang"}}
SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_BLOCK_END = re.compile(r"</(p|li|h[3-6]|blockquote|pre)>|<br\s*/?>")
_TAG = re.compile(r"<[^>]+>")
_BLANK_LINES = re.compile(r"\n{3,}")
_LINK = re.compile(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_NO_HREF = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)  # a link whose address was dropped
_CLEANER = nh3.Cleaner(  # made once: `nh3.clean` builds its sanitiser anew on every call (3× the time)
    tags=set(TAGS),
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    url_schemes=set(SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
    url_relative="deny",  # `programme.pdf`, `www.example.org`: each output would resolve it elsewhere
)


@lru_cache(maxsize=4096)
def to_html(text: str) -> str:
    """Return `text` (Markdown) as sanitised HTML: an allowlist of tags, safe link schemes only."""
    clean = _CLEANER.clean(convert(text))
    return _NO_HREF.sub(r"\1", clean) if "<a " in clean else clean  # its words stay, as text


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
