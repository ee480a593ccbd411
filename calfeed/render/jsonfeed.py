"""Site -> JSON Feed 1.1 bytes (https://www.jsonfeed.org/version/1.1/).

The same `FeedPlan` as Atom and RSS, as JSON for partner sites: plain `summary`,
sanitised `content_html`, RFC 3339 dates, and two extension objects (JSON Feed
allows any key that starts with "_"):

- ``_event`` on event items: ``start``, ``end`` (all-day: ISO dates, the end being
  the last day, inclusive; timed: RFC 3339 instants with their offset), ``all_day``,
  ``timezone``, ``location`` (one line, with ``lat``/``lon`` when known), ``online``,
  ``online_url``, ``status``, ``organizer`` (when known) and ``ics_url``;
- ``_image`` on items with an image: ``alt`` (its description) and ``url`` (absent
  while the image has no file yet); ``image`` holds the same URL, as the spec asks.

The feed itself has ``_archive`` with the address of the page that lists every post.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..model import Site
from .feed_entries import EventFacts, FeedEntry, plan_feed

if TYPE_CHECKING:
    from ..formats import View

VERSION = "https://jsonfeed.org/version/1.1"


def render(site: Site, view: View) -> bytes:
    """Return the view's news and events (its language, its tag) as a JSON Feed 1.1 document, newest first."""
    plan = plan_feed(site, view, "feed.json")
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": plan.title,
        "home_page_url": plan.home_url,
        "feed_url": plan.self_url,
        "description": plan.description,
        "language": plan.lang,
        "authors": [{"name": plan.author, "url": plan.site_url}],
        "_archive": {"url": plan.archive_url, "title": plan.archive_title},
        "items": [_item(entry) for entry in plan.entries],
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode()


def _item(entry: FeedEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.id, "url": entry.link}
    if entry.external_url and entry.external_url != entry.link:
        item["external_url"] = entry.external_url
    item["title"] = entry.title
    item["summary"] = entry.summary
    item["content_html"] = entry.content_html
    item["date_published"] = _instant(entry.published)
    item["date_modified"] = _instant(entry.updated)
    item["language"] = entry.lang
    if entry.tags:
        item["tags"] = [label for _tag, label in entry.tags]
    if entry.image is not None:
        item["image"] = entry.image.url
    if entry.image_alt is not None:
        item["_image"] = {"alt": entry.image_alt, **({"url": entry.image.url} if entry.image else {})}
    if entry.event is not None:
        item["_event"] = _event(entry.event)
    return item


def _event(facts: EventFacts) -> dict[str, Any]:
    data: dict[str, Any] = {
        "start": _when(facts.start),
        "end": _when(facts.end),
        "all_day": facts.all_day,
        "timezone": facts.timezone,
        "location": facts.location or None,
    }
    if facts.lat is not None and facts.lon is not None:
        data["lat"], data["lon"] = facts.lat, facts.lon
    data.update(online=facts.online, online_url=facts.online_url, status=facts.status)
    if facts.organizer:
        data["organizer"] = facts.organizer
    data["ics_url"] = facts.ics_url
    return data


def _when(value: date | datetime) -> str:
    return _instant(value) if isinstance(value, datetime) else value.isoformat()


def _instant(moment: datetime) -> str:
    """RFC 3339, UTC written as "Z" (as in the JSON Feed spec's examples)."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
