"""The HTML Python-Markdown makes of the plainest descriptions, made directly and byte for byte the same.

Most descriptions are paragraphs, maybe a heading, a bullet list, an emphasised phrase and a link.
Python-Markdown tries each of its inline patterns on every run of text: about 0.4 ms for the
benchmarks' six-line description, most of a cold calendar's time beyond its floor. `convert` makes
the same HTML (headings demoted, as `descriptions` demotes them) in a small fraction of that, for a
text written the plainest way:

- blocks one blank line apart, each a heading (``#`` to ``######``, a space, its text), a bullet
  list (every line ``- item``, the list not next to another list), or a paragraph;
- in their text, ``*emphasis*`` and ``**strong**`` between a space (or a line's start, or ``(``)
  and a space or punctuation, and ``[words](address)`` links with a plain address;
- no character Markdown may read as other syntax (``\\``, `````, ``<``, ``>``, ``_``, ``![``, an entity),
  no line starting like another block (``>``, ``1.``, ``+``, ``=``, ``* ``…), no leading, trailing or
  double space, nothing `str.isprintable` refuses (tabs, controls, other spaces).

Anything else returns None, and Python-Markdown converts it as before. tests/test_plain_markdown.py
holds the two to the same HTML on generated texts at and around these edges.
"""

from __future__ import annotations

import re

_REFUSED = re.compile(r"[\\`<>_]|!\[|&#?[A-Za-z0-9]+;|  | \n|\n | $|\n\n\n")
_HEADING = re.compile(r"(#{1,6}) ([^\n]*[^#\n])")
_OTHER_BLOCK = re.compile(r"[-+#>=]|\*(?: |\* |\*\*)|\d+[.)]")  # how a line must not start: another kind of block
_LINK = re.compile(r"\[([^\[\]*\n]+)\]\(([A-Za-z0-9\-.~:/?#@$+,;=%&]+)\)")
_EMPHASIS = re.compile(r"(?<![^ \n(])(\*\*?)([^ *\n\[\]](?:[^*\n\[\]]*[^ *\n\[\]])?)\1(?=[ \n.,;:?!)]|$)")
_TOP_LEVEL = 3  # as descriptions.TOP_LEVEL: the highest heading a description shows


def convert(text: str) -> str | None:
    """`text` as HTML, exactly as `descriptions` converts it with Python-Markdown, or None when `text`
    is not written the plainest way (see the module's docstring)."""
    text = text.rstrip("\n")
    if not text or text[0] in " \n" or _REFUSED.search(text) or not text.replace("\n", "").isprintable():
        return None
    blocks: list[str | tuple[int, str]] = []  # HTML, or a heading's level and its inner HTML
    was_list = False
    for block in text.split("\n\n"):
        lines = block.split("\n")
        if (heading := _HEADING.fullmatch(block)) is not None:
            blocks.append((len(heading[1]), _inline(heading[2])))
        elif lines[0].startswith("- "):
            items = [line[2:] for line in lines if line.startswith("- ")]
            if was_list or len(items) < len(lines) or any(_OTHER_BLOCK.match(item) for item in items):
                return None
            blocks.append("<ul>\n" + "\n".join(f"<li>{_inline(item)}</li>" for item in items) + "\n</ul>")
        elif any(_OTHER_BLOCK.match(line) for line in lines):
            return None
        else:
            blocks.append(f"<p>{_inline(block)}</p>")
        was_list = isinstance(blocks[-1], str) and blocks[-1].startswith("<ul>")
    if any("\0" in (block if isinstance(block, str) else block[1]) for block in blocks):
        return None  # some text had a `*`, `[` or `]` that is neither emphasis nor a link
    levels = [block[0] for block in blocks if isinstance(block, tuple)]
    shift = max(0, _TOP_LEVEL - min(levels, default=_TOP_LEVEL))
    return "\n".join(block if isinstance(block, str) else _heading(block[0] + shift, block[1]) for block in blocks)


def _heading(level: int, inner: str) -> str:
    return f"<h{min(6, level)}>{inner}</h{min(6, level)}>"


def _inline(text: str) -> str:
    """`text` with its emphasis and links made HTML and ``&`` escaped; a NUL in it if any ``*``, ``[``
    or ``]`` is left that is neither (`convert` then gives up)."""
    if "*" not in text and "[" not in text and "]" not in text:  # most list items and many paragraphs
        return text.replace("&", "&amp;") if "&" in text else text
    text = _EMPHASIS.sub(lambda m: f"<{_TAGS[m[1]]}>{m[2]}</{_TAGS[m[1]]}>", text)
    text = _LINK.sub(r'<a href="\2">\1</a>', text)
    if "*" in text or "[" in text or "]" in text:
        return "\0"
    return text.replace("&", "&amp;")


_TAGS = {"*": "em", "**": "strong"}
