"""What one good read of the content leaves for the next: unchanged items stay the very same objects.

`content.read_content(path, reuse=…)` gives each event and news post it reads from the
same YAML as the previous good read (the same file, the same mapping with its keys in
the same order, the same calendar languages and zone) the object that read made, and
its history digest. Everything a model object holds comes from those inputs, so an
item that changed in any way is a new object, and a cache keyed by an object's
identity (the calendar's VEVENT pieces, `render.ics.Pieces`) stays warm across reloads
without ever serving what an edit changed. The read still checks every item, so its
problems are a fresh read's; only the Markdown check of a description it checked before
(converting it: most of a read's time) is not done again.
`calfeed.store.ContentStore` keeps one `Reuse` for its path.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any, TypeVar, cast

from . import descriptions, history
from .model import Event, Image, NewsEntry

Item = TypeVar("Item", Event, NewsEntry)
Mark = tuple[str, str, bytes]  # (kind, file, fingerprint of the item's YAML value)


def fingerprint(raw: Any) -> bytes:
    """A digest of an item's YAML value exactly as parsed: mappings with their keys in the order written
    (a text's first language is its fallback), strings as they are, `None` apart from "None"."""
    return hashlib.blake2b(repr(raw).encode(), digest_size=16).digest()


class Reuse:
    """The items of the last good read, by where and from what they were read (see the module)."""

    def __init__(self) -> None:
        self.defaults: object = None  # what every item took from the calendar section
        self.items: dict[Mark, tuple[Event | NewsEntry, str]] = {}  # mark -> (item as read, history digest)
        self.sized: dict[int, tuple[Event, Event]] = {}  # id(event as read) -> (it, it with its image's size)
        self.troubles: dict[str, str | None] = {}  # Markdown text -> `descriptions.trouble(text)`


class Reading:
    """One read's side of `Reuse` (None: reuse nothing, remember nothing): what the previous good read made
    from the same sources, and what this read makes, kept for the next read by `keep` if it is good."""

    def __init__(self, reuse: Reuse | None, defaults: object) -> None:
        self.reuse = reuse
        self.defaults = defaults
        same = reuse is not None and reuse.defaults == defaults  # a new language or zone: every item is new
        self.items_before = reuse.items if reuse is not None and same else {}
        self.sized_before = reuse.sized if reuse is not None and same else {}
        self.troubles_before = reuse.troubles if reuse is not None else {}  # whatever the defaults
        self.items_now: dict[Mark, tuple[Event | NewsEntry, str]] = {}
        self.sized_now: dict[int, tuple[Event, Event]] = {}
        self.troubles_now: dict[str, str | None] = {}

    def item(self, kind: str, file: str, raw: Any, item: Item) -> tuple[Item, str]:
        """`item` (read from `raw` in `file`), or the equal one the previous good read made; with its
        history digest (`history.content_hash`)."""
        if self.reuse is None:
            return item, history.content_hash(raw)
        mark = (kind, file, fingerprint(raw))
        kept = self.items_before.get(mark) or (item, history.content_hash(raw))
        self.items_now[mark] = kept
        return cast(tuple[Item, str], kept)

    def sized(self, event: Event, image: Image | None) -> Event:
        """`event` with `image` (its own, sized from the local file): the previous read's if the same."""
        if self.reuse is None:
            return replace(event, image=image)
        before = self.sized_before.get(id(event))
        if before is not None and before[0] is event and before[1].image == image:
            sized = before[1]
        else:
            sized = replace(event, image=image)
        self.sized_now[id(event)] = (event, sized)
        return sized

    def trouble(self, text: str) -> str | None:
        """`descriptions.trouble(text)`, the Markdown check (converting it: most of a read's time), as the
        previous good read found it for the same text."""
        if self.reuse is None:
            return descriptions.trouble(text)
        if text in self.troubles_before:
            found = self.troubles_before[text]
        else:
            found = descriptions.trouble(text)
        self.troubles_now[text] = found
        return found

    def keep(self) -> None:
        """This read was good: the next one reuses what it made."""
        if self.reuse is not None:
            self.reuse.defaults, self.reuse.items, self.reuse.sized = self.defaults, self.items_now, self.sized_now
            self.reuse.troubles = self.troubles_now
