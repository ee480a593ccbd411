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
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

from jinja2 import Environment

from ..model import Site

KEPT = 200_000  # pieces kept per content version, then forgotten at once (a few hundred bytes each)

T = TypeVar("T")


class Fragments:
    """Pieces kept by key for the latest content version (`Site`) they were asked for."""

    def __init__(self, limit: int = KEPT) -> None:
        self.limit = limit
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


def keep(environment: Environment) -> None:
    """Keep pieces rendered with `environment` (`calfeed build`: one environment per build)."""
    _FRAGMENTS.setdefault(environment, Fragments())


def of(environment: Environment) -> Fragments | None:
    """The pieces kept for `environment`, or None when it keeps none."""
    return _FRAGMENTS.get(environment)
