"""Pieces of outputs that many outputs share, made once per content version and then reused.

Every month page of one view lists the same months with the same links; a month's days and their entries
are the same in every language (only their layout in weeks and their words differ); an event's item in
``events.json`` is the same in the document of every tag it has. With 10,000 events, 3,900 month pages and
39 events.json documents would make each of them again and again.

`Fragments` keeps them for one Jinja environment: `calfeed build` gives its environment one (`keep`), so
each process makes a piece once per key; without one (`of` gives None), the server makes them every time
and keeps nothing outside its cache of outputs (`calfeed.http.Outputs`). A key names everything the piece
depends on besides the site: the caller's duty, and the reason kept pieces are few and simple. A piece that
depends on a model object by identity keeps that object, so that no other object can take its id.

`Lasting` pieces outlive the process: a calendar's VEVENTs, ``events.json``'s items, the search index's rows and
the archive pages' entries (`listing.Listing`), each kept by a digest of what it is made from (`ItemDigests`: the
item's model object as written out by ``repr``, or what the content's reader made it of, its revision and
publication; and its family: the kind of piece, the language or page, the day), so that `calfeed build` can save
them beside the export (`calfeed.buildstate`) and the next build joins unchanged items' pieces instead of making
them again. What every piece shows of the site (calfeed's code, the calendar settings, the tag labels) is the saved
file's key, not each piece's: a change there makes every piece again. The first two parts of a family are its
group: a build that uses a group keeps only the pieces of it that it used (`keep` counts as a use), so an output
that uses a group uses every piece of it that is still shown, and the saved pieces are always a full build's.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from jinja2 import Environment

from ..model import Event, NewsEntry, Site

KEPT = 200_000  # pieces kept per content version, then forgotten at once (a few hundred bytes each)

T = TypeVar("T")
Item = TypeVar("Item", bound=Event | NewsEntry)


Piece = bytes | memoryview  # a lasting piece: made here, or a view into the file a previous build saved
GROUP = 8  # bytes of a lasting piece's key that name its group (kind and language), before its own digest


def digest(parts: Iterable[bytes | str]) -> bytes:
    """One 16-byte digest of `parts`, each length-prefixed (so no two lists of parts give the same input)."""
    return _hasher(parts).digest()


def _hasher(parts: Iterable[bytes | str]) -> Any:
    """A BLAKE2b hasher (16 bytes) fed `parts` as `digest` feeds them."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher


_DIGEST_LENGTH = (16).to_bytes(8, "little")  # how `digest` prefixes an item's digest (16 bytes)


class ItemDigests:
    """A digest of each event and news post of one `Site`: its model object (``repr``, which names every
    field; or, for the very object the content's reader made, what it made it of: `Site.origins`), its revision
    and its publication time. Equal digests, equal items, in any process."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._found: dict[int, tuple[Event | NewsEntry, bytes]] = {}  # by id(item); the item keeps its id

    def __call__(self, item: Event | NewsEntry) -> bytes:
        kept = self._found.get(id(item))
        if kept is not None and kept[0] is item:
            return kept[1]
        site = self.site
        origin = site.origins.get(id(item))
        if origin is not None and origin[0] is item:
            found = digest([b"origin", origin[1], repr(site.revision(item)), repr(site.published(item))])
        else:
            found = digest([repr(item), repr(site.revision(item)), repr(site.published(item))])
        self._found[id(item)] = (item, found)
        return found


class Lasting:
    """Pieces kept by what they are made from, for the next build too: `stored` (a previous build's, loaded
    by `calfeed.buildstate`) and those made since. `take` tells what was used and made since it was last
    called, for the build to save."""

    def __init__(self, stored: Mapping[bytes, Piece] | None = None) -> None:
        self.stored: Mapping[bytes, Piece] = stored or {}
        # the previous build's pieces were lost (its file missing, damaged or foreign): `calfeed build` renders every
        # output again (leaving files whose bytes are the same), so that the pieces it saves are a full build's
        self.lost = False
        self._made: dict[bytes, bytes] = {}
        self._alone: dict[bytes, bytes] = {}  # pieces made for the output being rendered only (`many`'s `alone`)
        self._used: set[bytes] = set()
        self._fresh: list[bytes] = []
        self._digests: ItemDigests | None = None
        self._groups: dict[tuple[str, ...], bytes] = {}
        self._families: dict[tuple[str, ...], tuple[bytes, Any]] = {}  # the group, a hasher fed the rest

    def digests(self, site: Site) -> ItemDigests:
        """The item digests of `site` (made once per content version)."""
        if self._digests is None or self._digests.site is not site:
            self._digests = ItemDigests(site)
        return self._digests

    def get(
        self,
        site: Site,
        family: tuple[str, ...],
        item: Event | NewsEntry,
        make: Callable[[], bytes],
        *,
        alone: bool = False,
    ) -> Piece:
        """The piece of `item` in `family` (its first two parts the group: the kind and the language, or the page;
        the rest what else it depends on besides the item and the site), made by `make` if no build has made it
        (`alone`: as `many`)."""
        return self.many(site, family, (item,), lambda _: make(), alone=alone)[0]

    def many(
        self,
        site: Site,
        family: tuple[str, ...],
        items: Iterable[Item],
        make: Callable[[Item], bytes],
        *,
        alone: bool = False,
    ) -> list[Piece]:
        """The pieces of `items` (events or news posts) in `family` (as `get`), each made by `make(item)` if no
        build has made it. `alone`: no other output shows a piece of `family` (the search index of a language,
        a page's entries), so the pieces it makes are kept only until `take` hands them over, not for the
        outputs this process renders next (a build worker's memory: 20 MB at 10,000 events)."""
        used, stored, fresh = self._used, self.stored, self._fresh
        made = self._alone if alone else self._made
        pieces: list[Piece] = []
        for item, key in self._keys(site, family, items):
            used.add(key)
            piece: Piece | None = made.get(key)
            if piece is None:
                piece = stored.get(key)
                if piece is None:
                    piece = made[key] = make(item)
                    fresh.append(key)
            pieces.append(piece)
        return pieces

    def keep(self, site: Site, family: tuple[str, ...], items: Iterable[Event | NewsEntry]) -> None:
        """Keep for the next build the pieces of `items` in `family` that a build made (this one, or the one
        before: `stored`), as if they were used; make none."""
        made, stored = self._made, self.stored
        self._used.update(key for _, key in self._keys(site, family, items) if key in made or key in stored)

    def _keys(self, site: Site, family: tuple[str, ...], items: Iterable[Item]) -> Iterator[tuple[Item, bytes]]:
        """Each of `items` with its key in `family`: the group's digest (`GROUP` bytes), then
        `digest([*family[2:], the item's digest])`."""
        found = self._families.get(family)
        if found is None:
            group = self._groups.get(family[:2])
            if group is None:
                group = self._groups[family[:2]] = digest(family[:2])[:GROUP]
            found = self._families[family] = (group, _hasher(family[2:]))
        group, prefix = found
        digests = self.digests(site)
        for item in items:
            hasher = prefix.copy()  # the family's parts hashed once; the item's digest added to a copy
            hasher.update(_DIGEST_LENGTH + digests(item))
            yield item, group + hasher.digest()

    def take(self) -> tuple[set[bytes], dict[bytes, bytes]]:
        """The keys used and the pieces made since the last call (those made `alone` then forgotten here)."""
        used, fresh, made, alone = self._used, self._fresh, self._made, self._alone
        self._used, self._fresh, self._alone = set(), [], {}
        return used, {key: alone[key] if key in alone else made[key] for key in fresh}


class Fragments:
    """Pieces kept by key for the latest content version (`Site`) they were asked for (and `lasting` ones,
    in a build that keeps them)."""

    def __init__(self, limit: int = KEPT, lasting: Lasting | None = None) -> None:
        self.limit = limit
        self.lasting = lasting
        self._site: Site | None = None
        self._kept: dict[Hashable, object] = {}

    def get(self, site: Site, key: Hashable, make: Callable[[], T]) -> T:
        """The piece of `site` kept as `key`, made by `make` the first time (and after a new version)."""
        if site is not self._site:
            self._site, self._kept = site, {}
        try:
            return self._kept[key]  # type: ignore[return-value]
        except KeyError:
            pass
        if len(self._kept) >= self.limit:
            self._kept.clear()
        made = self._kept[key] = make()
        return made


_FRAGMENTS: weakref.WeakKeyDictionary[Environment, Fragments] = weakref.WeakKeyDictionary()


def keep(environment: Environment, lasting: Lasting | None = None) -> None:
    """Keep pieces rendered with `environment` (`calfeed build`: one environment per build), and with
    `lasting`, the pieces that outlive the build."""
    _FRAGMENTS.setdefault(environment, Fragments(lasting=lasting))


def of(environment: Environment) -> Fragments | None:
    """The pieces kept for `environment`, or None when it keeps none."""
    return _FRAGMENTS.get(environment)


def shared(environment: Environment | None, site: Site, key: Hashable, make: Callable[[], T]) -> T:
    """`make()`, kept as `key` of `site` where `environment` keeps pieces (a build's workers), made every time
    where it does not (the server)."""
    kept = None if environment is None else _FRAGMENTS.get(environment)
    return make() if kept is None else kept.get(site, key, make)


def lasting(environment: Environment | None) -> Lasting | None:
    """The lasting pieces of `environment`, or None when it keeps none (the server)."""
    kept = None if environment is None else _FRAGMENTS.get(environment)
    return None if kept is None else kept.lasting
