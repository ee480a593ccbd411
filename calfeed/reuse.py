"""What one read of the content leaves for the next: unchanged items stay the very same objects, unread.

`content.read_content(path, reuse=…)` gives each event and news post it reads from the
same YAML as the previous read (the same file, the same mapping with its keys in the
same order, the same calendar languages and zone) the object that read made, and its
history digest. Everything a model object holds comes from those inputs, so an item
that changed in any way is a new object, and a cache keyed by an object's identity (the
calendar's VEVENT pieces, `render.ics.Pieces`) stays warm across reloads without ever
serving what an edit changed. `calfeed.store.ContentStore` keeps one `Reuse` for its path.

An item whose previous read found no problem is not checked again: what that read did
besides returning it (`Effects`: the ids it claimed, the tags and images it uses, the
descriptions it checked) is done again instead, if it still can be (its ids still free,
its linked events there, its tags within the limit); otherwise it is read afresh. So a
read with `reuse` finds exactly the problems a fresh read finds (tests/test_reuse.py
holds every content fixture and the bad-content suite to that), in a fraction of the time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import descriptions, history, limits
from .history import Record
from .model import Event, Image, NewsEntry
from .problems import Path
from .yamlchunks import Memo

if TYPE_CHECKING:
    from .checks import FieldChecker
    from .sections import Ids

Item = TypeVar("Item", Event, NewsEntry)
Mark = tuple[str, str, bytes]  # (kind, file, fingerprint of the item's YAML value)


def fingerprint(raw: Any) -> bytes:
    """A digest of an item's YAML value exactly as parsed: mappings with their keys in the order written
    (a text's first language is its fallback), strings as they are, `None` apart from "None"."""
    return hashlib.blake2b(repr(raw).encode(), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class Effects:
    """What reading an item that had no problem did besides returning it; paths are below the item's."""

    claims: tuple[tuple[str, str, Path], ...]  # (kind, name, path) of each id it claimed (`sections.Ids`)
    tag_uses: tuple[tuple[Path, str], ...]  # (path, tag) of each tag it lists
    image_uses: tuple[tuple[Path, str], ...]  # (path, src) of each image address
    texts: tuple[str, ...]  # the descriptions it checked (`descriptions.trouble`)


@dataclass(frozen=True, slots=True)
class Kept:
    item: Event | NewsEntry
    digest: str  # `history.content_hash` of its YAML
    effects: Effects | None  # None: its read found a problem, so it is read again


class Reuse:
    """The items of the last read, by where and from what they were read (see the module)."""

    def __init__(self) -> None:
        self.defaults: object = None  # what every item took from the calendar section
        self.items: dict[Mark, Kept] = {}
        self.sized: dict[int, tuple[Event, Event]] = {}  # id(event as read) -> (it, it with its image's size)
        self.troubles: dict[str, str | None] = {}  # Markdown text -> `descriptions.trouble(text)`
        self.prints: dict[int, tuple[Any, bytes]] = {}  # id(an item's YAML value) -> (it, its `fingerprint`)
        self.memos: dict[str, Memo] = {}  # file -> its items by their text (`yamlchunks`), kept by the read
        self.history: tuple[bytes, dict[str, Record]] | None = None  # the history file's bytes and records


class Hashes:
    """`history.content_hash` of items' YAML values, as a previous read found it for the same value objects
    (`yamlchunks` gives an item whose text did not change the value that read parsed, or one
    `calfeed.parsememo` read back with its digest): by id, trusted only for the very object."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[Any, str]] = {}  # id(value) -> (value, digest)

    def __call__(self, raw: Any) -> str:
        known = self.known.get(id(raw))
        if known is not None and known[0] is raw:
            return known[1]
        digest = history.content_hash(raw)
        self.known[id(raw)] = (raw, digest)
        return digest

    def of(self, values: Iterable[Any]) -> dict[int, tuple[Any, str]]:
        """The digests known of `values`, by id."""
        return {id(value): known for value in values if (known := self.known.get(id(value))) and known[0] is value}


class Reading:
    """One read's side of `Reuse` (None: reuse nothing, remember nothing): what the previous read made
    from the same sources, and what this read makes, kept for the next read by `keep`."""

    def __init__(self, reuse: Reuse | None, defaults: object, hashes: Callable[[Any], str] | None = None) -> None:
        self.reuse = reuse
        self.defaults = defaults
        self.digest = hashes or history.content_hash  # an item's history digest
        same = reuse is not None and reuse.defaults == defaults  # a new language or zone: every item is new
        self.items_before = reuse.items if reuse is not None and same else {}
        self.sized_before = reuse.sized if reuse is not None and same else {}
        self.troubles_before = reuse.troubles if reuse is not None else {}  # whatever the defaults
        self.items_now: dict[Mark, Kept] = {}
        self.sized_now: dict[int, tuple[Event, Event]] | None = None  # None: images were not sized
        self.troubles_now: dict[str, str | None] = {}
        self.checked: list[str] = []  # every description checked, in order
        self.prints_before = reuse.prints if reuse is not None else {}
        self.prints_now: dict[int, tuple[Any, bytes]] = {}

    def recall(self, kind: str, file: str, raw: Any) -> tuple[Mark | None, Kept | None]:
        """The mark of `raw` (an item of `kind` in `file`), and what the previous read kept for it. A value
        the previous read had too (an item whose text did not change, see calfeed/yamlchunks.py) is not
        fingerprinted again."""
        if self.reuse is None:
            return None, None
        known = self.prints_before.get(id(raw))
        printed = known[1] if known is not None and known[0] is raw else fingerprint(raw)
        self.prints_now[id(raw)] = (raw, printed)
        mark = (kind, file, printed)
        return mark, self.items_before.get(mark)

    def remember(self, mark: Mark | None, raw: Any, item: Item, effects: Effects | None) -> tuple[Item, str]:
        """`item`, just read from `raw`, or the equal one the previous read made; with its history digest."""
        if mark is None:
            return item, self.digest(raw)
        before = self.items_before.get(mark)
        kept = Kept(before.item, before.digest, effects) if before else Kept(item, self.digest(raw), effects)
        self.items_now[mark] = kept
        return cast(Item, kept.item), kept.digest

    def replay(self, kept: Kept, mark: Mark, check: FieldChecker, ids: Ids, path: Path) -> bool:
        """Do again what reading `kept.item` at `path` did (its `Effects`), if its read found no problem and
        it still can be done as it was; True if done, False if the item must be read afresh."""
        effects = kept.effects
        if effects is None or any(name in ids.seen[kind] for kind, name, _ in effects.claims):
            return False
        if isinstance(kept.item, NewsEntry) and any(event not in ids.seen["event"] for event in kept.item.events):
            return False
        new_tags = {tag for _, tag in effects.tag_uses} - check.tag_names
        if len(check.tag_names) + len(new_tags) > limits.TAGS.most:
            return False
        for kind, name, below in effects.claims:
            ids.first(check.problems, kind, name, (*path, *below))
        check.tag_names.update(new_tags)
        check.tag_uses += [(check.problems.file, (*path, *below), tag) for below, tag in effects.tag_uses]
        check.image_uses += [(check.problems.file, (*path, *below), src) for below, src in effects.image_uses]
        self.troubles_now.update(dict.fromkeys(effects.texts))  # each had no trouble: the read found no problem
        self.items_now[mark] = kept
        return True

    def sized(self, event: Event, image: Image | None) -> Event:
        """`event` with `image` (its own, sized from the local file): the previous read's if the same."""
        if self.reuse is None:
            return replace(event, image=image)
        self.sized_now = {} if self.sized_now is None else self.sized_now
        before = self.sized_before.get(id(event))
        if before is not None and before[0] is event and before[1].image == image:
            sized = before[1]
        else:
            sized = replace(event, image=image)
        self.sized_now[id(event)] = (event, sized)
        return sized

    def trouble(self, text: str) -> str | None:
        """`descriptions.trouble(text)`, the Markdown check (its limits; it converts nothing), as the
        previous read found it for the same text."""
        if self.reuse is None:
            return descriptions.trouble(text)
        if text in self.troubles_before:
            found = self.troubles_before[text]
        else:
            found = descriptions.trouble(text)
        self.troubles_now[text] = found
        self.checked.append(text)
        return found

    def keep(self, good: bool) -> None:
        """The next read reuses what this one made: its items even if others had problems (`good` is False),
        and the sized events of a good read (a read with errors sizes no image)."""
        if self.reuse is not None:
            self.reuse.defaults, self.reuse.items, self.reuse.troubles, self.reuse.prints = (
                self.defaults,
                self.items_now,
                self.troubles_now,
                self.prints_now,
            )
            if good:
                self.reuse.sized = self.sized_now or {}
