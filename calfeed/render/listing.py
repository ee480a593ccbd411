"""One partial template per item of a page that lists many: ``{{ listed(event, 3) }}`` in ``archive.html``,
``agenda.html`` and ``embed.html``.

A year's archive page lists some 1,700 events at 10,000, an agenda 60; rendering ``_event.html`` for each is
most of their time. `Listing` renders the partial for one item with only the names its header asks for
(`event`, `level`, `t`) and the page's `lang`, `tag` and `section`, so what it writes depends on nothing
else: the item, those names and what every page shows of the site (the templates, calfeed's code and
translations, the calendar settings, the tag labels, the images: the key of the pieces file,
`calfeed.buildstate`). Of the page, `t` gives the partial its language, its day and the way up to the site's
root (``../../``, which every relative link starts with); a partial must not show the page's own address
(``t.alternates()``): include it instead.

Where the build keeps pieces between builds (`fragments.Lasting`), each item's piece is kept by all of these.
Every page of one kind, language, tag and depth (each year's archive page) makes the same piece of an event,
so they share one group of pieces: a page keeps the pieces of the events the others show (`keep`), and the
next build finds every one of them, whichever pages it renders again. The server keeps none: it renders the
partial each time, the same way, so both write the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..model import Event, Site
from . import fragments

if TYPE_CHECKING:
    from ..formats import View


class Listing:
    """``listed(event, level)`` in page templates: the partial `template` for `event` at heading `level`, as
    markup (see the module's docstring). `names` are the page's names the partial also gets (with `t`)."""

    def __init__(self, site: Site, view: View, names: dict[str, Any], template: str = "_event.html") -> None:
        self.site = site
        self.view = view
        self.names = names
        self.template = template
        self.levels: set[int] = set()
        # the group (the partial; the page's language, way up, section and tag), then the day
        variant = "\0".join([view.lang, names["t"].root(), names.get("section", ""), names.get("tag") or ""])
        self.family = (template, variant, view.today.isoformat())
        self._lasting = fragments.lasting(view.templates)
        self._families: dict[int, tuple[str, ...]] = {}  # by level: the family of its pieces

    def __call__(self, event: Event, level: int) -> Markup:
        lasting = self._lasting
        if lasting is None:
            self.levels.add(level)
            return Markup(self._make(event, level))
        family = self._families.get(level)
        if family is None:
            self.levels.add(level)
            family = self._families[level] = (*self.family, str(level))
        make = partial(self._piece, level, event)
        piece = lasting.get(self.site, family, event, make, alone=True)  # no other page shows this page's group
        return Markup(str(piece, "utf-8"))

    def keep(self, events: Iterable[Event]) -> None:
        """Keep for the next build the pieces of `events` at each level this page listed, as the pages that
        show them (the other years' archive pages) make them, where a build made or found them."""
        lasting = self._lasting
        if lasting is None:
            return
        events = list(events)
        for level in sorted(self.levels):
            lasting.keep(self.site, self._families[level], events)

    def _make(self, event: Event, level: int) -> str:
        template = self.view.environment().get_template(self.template)
        return template.render({**self.names, "event": event, "level": level})

    def _piece(self, level: int, event: Event) -> bytes:
        return self._make(event, level).encode()
