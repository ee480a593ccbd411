"""Pieces of pages that many pages share, rendered once per content version and then reused.

An event's entry in a month grid is the same HTML on the site's month page and on each of its tags' (and at
the root and under the default language's prefix) wherever the page's links climb the same number of
folders; every month page of one view lists the same months. With 10,000 events, 3,900 month pages show
some 140,000 entries each way over, each entry a dozen template calls.

`Fragments` keeps them for one Jinja environment: `calfeed build` gives its environment one (`keep`), so
each process renders a piece once per key; without one (`of` gives None), the server renders every time and
keeps nothing outside its cache of outputs (`calfeed.http.Outputs`). A key names everything the piece
shows besides the site: the caller's duty, and the reason kept pieces are few and simple.
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
