"""Descriptions from calendars -> Markdown, as calfeed's `description` expects.

HTML (``X-ALT-DESC;FMTTYPE=text/html``, or a DESCRIPTION that Google Calendar and The Events Calendar
write as HTML) is converted by markdownify; plain text is escaped first, so that its stars and
brackets stay text, and its line breaks stay line breaks (written ``<br>``).
"""

from __future__ import annotations

import html as html_module
import re

from markdownify import MarkdownConverter

_CONVERTER = MarkdownConverter(heading_style="ATX", bullets="-", strip=["script", "style", "img"])
_BREAKS = re.compile(r"(?:<br\s*/?>\s*){2,}", re.IGNORECASE)
_TAG = re.compile(r"<(?:a\s+href|br\s*/?|p|b|i|strong|em|ul|ol|li|div|span)\b[^>]*>", re.IGNORECASE)


def to_markdown(text: str, *, html: bool = False) -> str:
    """Markdown for `text`: HTML when `html` or when it looks like HTML, else plain text."""
    if not text.strip():
        return ""
    if not html and not _TAG.search(text):
        paragraphs = re.split(r"\n\s*\n", text.strip())
        text = "".join(f"<p>{html_module.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    text = _BREAKS.sub("</p><p>", text)  # two line breaks in a row: a new paragraph
    converted = _CONVERTER.convert(text)
    # a hard line break as <br> (allowed by calfeed's sanitiser), not as trailing spaces a YAML block would lose
    lines = [line.rstrip() + ("<br>" if line.endswith("  ") else "") for line in converted.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
