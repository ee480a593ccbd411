"""The embeddable agenda: a compact page for iframes, and the scripts that insert it and size it.

- ``/embed/`` (and ``/tags/<tag>/embed/``, ``/<lang>/…``): upcoming events, then the most recent
  past ones, with no site chrome; every link opens in the top window (``<base target="_top">``).
  Its stylesheet and script are same-origin files linked by relative URLs, so the page works under a
  strict Content-Security-Policy, from the server and from a static export at any address.
- ``/embed-frame.js``: runs inside the iframe and posts the document's height to the parent page.
- ``/embed.js``: a partner's one ``<script>`` tag; it inserts the iframe after itself and sizes it
  from those messages. The iframe's address comes from the script's own ``src``: the widget is served
  from wherever the script was (see docs/embed.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import recurrence
from ..model import Event, Site
from ..routes import Links
from .page import Localizer, events_of, page_context, upcoming_of

if TYPE_CHECKING:
    from ..formats import View

UPCOMING = 10  # at most this many upcoming events: an embed is a teaser, the agenda has them all
RECENT_PAST = 5  # then at most this many of the most recent past events

HEIGHT_MESSAGE = "calfeed:embed-height"  # the `type` of the message the frame posts to its parent


def render_embed(site: Site, view: View) -> bytes:
    """Return the compact agenda of `view` (its language, tag and day) as an HTML page for an iframe.

    It gets the pages' template context (`page.page_context`), so it shares their partials and catalogs.
    """
    events = events_of(site, view)
    upcoming = upcoming_of(site, view)[:UPCOMING]
    past = _recent_past(events, view)
    context = page_context(site, view, upcoming=upcoming, past=past, more=len(events) > len(upcoming) + len(past))
    return view.environment().get_template("embed.html").render(context).encode()


def render_frame_script(site: Site, view: View) -> bytes:
    """Return the script the embed page runs: it tells the parent page the document's height."""
    script = view.environment().get_template("embed-frame.js").render(message=HEIGHT_MESSAGE)
    return script.encode()


def render_script(site: Site, view: View) -> bytes:
    """Return ``embed.js``, with the site's languages and, per language, its title and tag labels baked in
    (the iframe's ``title``: "Culture · UCLG Events and News"; a tag without labels shows as its id)."""
    languages = list(site.calendar.languages)
    config = {
        "languages": languages,
        "default": site.calendar.default_language,
        "titles": {lang: Localizer(site, lang)(site.calendar.title) for lang in languages},
        "title_langs": {lang: Localizer(site, lang).lang_of(site.calendar.title) for lang in languages},
        "tags": {lang: {tag: site.tag_label(tag, lang) for tag in sorted(site.tags)} for lang in languages},
        "paths": {lang: _embed_paths(Links(site, lang)) for lang in languages},
    }
    script = view.environment().get_template("embed.js").render(config=config, message=HEIGHT_MESSAGE)
    return script.encode()


def _embed_paths(links: Links) -> dict[str, str]:
    """The embed's path in one language, relative to the site's root, and its form for a tag ("{tag}")."""
    return {"all": links.path("embed").lstrip("/"), "tag": links.path("embed", tag="{tag}").lstrip("/")}


def render_stylesheet(site: Site, view: View) -> bytes:
    """Return the embed page's own compact styles, applied after the site's ``style.css``."""
    return view.environment().get_template("embed.css").render().encode()


def _recent_past(events: tuple[Event, ...], view: View) -> list[Event]:
    """The most recent past events, newest first (events are sorted by start); a series still running is
    not past."""
    past: list[Event] = []
    for event in reversed(events):
        if event.last_day < view.today and recurrence.next_occurrence(event, view.today) is None:
            past.append(event)
            if len(past) == RECENT_PAST:
                break
    return past
