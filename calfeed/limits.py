"""How big each thing in the content may be, so that whatever `calfeed check` accepts every output can bear.

One table, `LIMITS`: the checker applies each limit with a located error naming it, the JSON Schema
(`calfeed schema`) carries those it can express (maxLength, maxItems), and docs/content.md lists them all
(tests/test_docs.py holds the table there to this one). Markdown's own limits (length, nesting, links per
paragraph) live with the conversion, in `calfeed.descriptions`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `most` `unit` `scope` (for `field`, as docs/content.md names it)."""

    field: str
    most: int
    unit: str
    scope: str

    def message(self, found: int) -> str:
        """What `calfeed check` says about a value with `found` units."""
        return f"has {found:,} {self.unit} (expected at most {self.most:,} {self.unit} {self.scope})"


# An id is a file name in `calfeed build` (`events/<id>.ics.br`, `tags/<tag>/feed.atom.gz`, under a
# language folder): file systems allow 255 bytes per name, and ids are ASCII.
ID = Limit("`id` of an event or a news post, a tag", 100, "characters", "in an id")
TITLE = Limit("`title` (calendar, event, news post)", 300, "characters", "in a title")
LABEL = Limit("a tag's label under `tags:`", 100, "characters", "in a tag's label")
PLACE = Limit("`location` (as one line), its `name`, `address`, `city`, `country`", 300, "characters", "in a place")
ORGANIZER = Limit("`organizer` (as a name), its `name`", 300, "characters", "in an organizer's name")
EMAIL = Limit("`organizer.email`", 254, "characters", "in an email address")
ALT = Limit("`image.alt`", 1000, "characters", "in an image's alt text")
URL = Limit("`url`, `online`, `image.src`, `calendar.url`", 2000, "characters", "in a URL")
RULE = Limit("`repeat`", 500, "characters", "in a repeat rule")
SOURCE_UID = Limit("`source_uid`", 1000, "characters", "in a source_uid")
TAGS_PER_ITEM = Limit("`tags` of one event or news post", 20, "tags", "per event or news post")
TAGS = Limit("different tags in all the files, declared or used", 100, "different tags", "in all")
EXCEPTIONS = Limit("`except` of one event", 1000, "dates", "per event")
LINKED = Limit("`events` of one news post", 100, "event ids", "per news post")
LANGUAGES = Limit("`calendar.languages`", 10, "languages", "in a calendar")

LIMITS = (ID, TITLE, LABEL, PLACE, ORGANIZER, EMAIL, ALT, URL, RULE, SOURCE_UID)
COUNTS = (TAGS_PER_ITEM, TAGS, EXCEPTIONS, LINKED, LANGUAGES)

# How long an event (or each occurrence of a series) may last: a month page lists it in every month it
# covers, so a 4,000-year event made 48,000 month pages (and 1.4 s for /month/).
EVENT_DAYS = 3_653  # ten years

# Not content, but what an output does with it: the Google Calendar "add this event" link carries the
# event's text, cut (at a word, with "…") so that the whole link stays within this many characters.
GOOGLE_LINK_CHARS = 2000
