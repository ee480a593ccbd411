"""The URL contract as concrete routes: every path the server answers and the static export writes.

A `Route` names one output (a format, a language, maybe a tag, maybe an item);
`path()` is its URL path, `every_route()` lists all of them for a site, and
`resolve()` checks that a route the web app matched really exists (a known
language, tag, event or year), so unknown ones are 404s, not empty outputs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .model import Site
from .render import FORMATS, Format


@dataclass(frozen=True, slots=True)
class Route:
    format: str  # a key of FORMATS
    lang: str  # the language it is in
    prefixed: bool = False  # served under /<lang>/ (every language is; the default one also at the root)
    tag: str | None = None
    item: str | None = None

    @property
    def spec(self) -> Format:
        return FORMATS[self.format]


def path(route: Route) -> str:
    """The URL path of `route`: "/", "/es/tags/culture/feed.atom", "/events/culture-summit-2021.ics"."""
    prefix = f"/{route.lang}" if route.prefixed else ""
    if route.tag is not None:
        prefix += f"/tags/{route.tag}"
    return prefix + route.spec.pattern.replace("{item}", route.item or "")


def every_route(site: Site) -> Iterator[Route]:
    """Every route of the URL contract for `site`, in a stable order."""
    default = site.calendar.default_language
    prefixes = [(default, False)] + [(lang, True) for lang in site.calendar.languages]
    tags = site.tag_ids
    for spec in FORMATS.values():
        for lang, prefixed in prefixes if spec.localized else [(default, False)]:
            items = list(spec.items(site)) if spec.items else [None]
            for tag in [None, *tags] if spec.tagged else [None]:
                for item in items:
                    yield Route(spec.name, lang, prefixed, tag, item)


def resolve(site: Site, name: str, lang: str | None, tag: str | None, item: str | None) -> Route | None:
    """The route for a matched URL, or None when its language, tag or item does not exist."""
    spec = FORMATS[name]
    if lang is not None and (lang not in site.calendar.languages or not spec.localized):
        return None
    if tag is not None and (not spec.tagged or tag not in site.tag_ids):
        return None
    if (item is None) != (spec.items is None) or (item is not None and not spec.has_item(site, item)):
        return None
    return Route(name, lang or site.calendar.default_language, lang is not None, tag, item)
