"""The JSON Schema of ``/events.json``, version 1, served at ``/schemas/events-v1.json``.

This is a versioned contract (docs/api.md): within version 1, fields are only ever added, never
removed, renamed or given another meaning; a change that breaks a reader gets a new version at a new
address (``events-v2.json``), served beside this one for a while.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..model import Site
from ..routes import Links

if TYPE_CHECKING:
    from ..formats import View

DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
INSTANT = {"type": "string", "format": "date-time"}
WHEN = {"anyOf": [DATE, INSTANT], "description": "all-day: a date; timed: RFC 3339 with the offset in force"}
URL = {"type": "string", "format": "uri"}
TEXT_OR_NULL = {"type": ["string", "null"]}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """An object with exactly these properties, all required (absent values are null)."""
    found: dict[str, Any] = {"type": "object", "required": list(properties), "properties": properties}
    if description:
        found["description"] = description
    return found


TAG = _object({"id": {"type": "string"}, "label": {"type": "string"}, "url": URL})
OCCURRENCE = _object({"start": WHEN, "end": WHEN, "cancelled": {"type": "boolean"}})
LOCATION = _object(
    {
        "text": {"type": "string", "description": "the place on one line"},
        "name": TEXT_OR_NULL,
        "address": TEXT_OR_NULL,
        "city": TEXT_OR_NULL,
        "country": TEXT_OR_NULL,
        "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "lon": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
    }
)
EVENT = _object(
    {
        "id": {"type": "string", "description": "stable: the event's id in the content"},
        "uid": {"type": "string", "description": "its iCalendar UID"},
        "title": {"type": "string", "description": "in the document's language, else the default one"},
        "titles": {"type": "object", "additionalProperties": {"type": "string"}, "description": "by language"},
        "language": {"type": "string", "description": "the language `title` is in"},
        "all_day": {"type": "boolean"},
        "start": WHEN,
        "end": {**WHEN, "description": "all-day: the last day, inclusive; timed: the end instant"},
        "timezone": {"type": ["string", "null"], "description": "IANA zone (or UTC±hh:mm) of a timed event"},
        "repeat": {"type": ["string", "null"], "description": "an RFC 5545 RRULE value"},
        "except": {"type": "array", "items": WHEN},
        "occurrences": {"type": "array", "items": OCCURRENCE, "description": "within calendar.window"},
        "status": {"enum": ["confirmed", "tentative", "cancelled"]},
        "attendance": {"enum": ["offline", "online", "mixed"]},
        "location": {"anyOf": [LOCATION, {"type": "null"}]},
        "online_url": {"anyOf": [URL, {"type": "null"}]},
        "tags": {"type": "array", "items": TAG},
        "summary": TEXT_OR_NULL,
        "description_html": {"type": ["string", "null"], "description": "sanitised HTML"},
        "image": {
            "anyOf": [_object({"url": {"anyOf": [URL, {"type": "null"}]}, "alt": {"type": "string"}}), {"type": "null"}]
        },
        "organizer": {"anyOf": [_object({"name": TEXT_OR_NULL, "email": TEXT_OR_NULL}), {"type": "null"}]},
        "external_url": {"anyOf": [URL, {"type": "null"}], "description": 'the event\'s own "read more" link'},
        "sequence": {"type": "integer", "minimum": 0, "description": "its iCalendar SEQUENCE"},
        "modified": INSTANT,
        "page_url": URL,
        "ics_url": URL,
    }
)


def schema(site: Site) -> dict[str, Any]:
    """The schema, with its `$id` at this site's address."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": Links(site, site.calendar.default_language).url("events-schema"),
        "title": "calfeed events, version 1",
        "description": "The events of a calfeed calendar (/events.json). See docs/api.md.",
        **_object(
            {
                "$schema": URL,
                "version": {"const": 1},
                "language": {"type": "string"},
                "url": URL,
                "calendar": _object(
                    {
                        "title": {"type": "string"},
                        "url": URL,
                        "ics_url": URL,
                        "timezone": {"type": "string"},
                        "languages": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                        "window": _object(
                            {
                                "from": {"anyOf": [DATE, {"type": "null"}]},
                                "horizon_days": {"type": "integer", "minimum": 0},
                            },
                            "occurrences that end on `from` or later (null: every one) and start at most "
                            "`horizon_days` after today, or after the first one of a series that begins later",
                        ),
                    }
                ),
                "tag": {"anyOf": [TAG, {"type": "null"}]},
                "events": {"type": "array", "items": EVENT},
            }
        ),
    }


def render(site: Site, view: View) -> bytes:
    return (json.dumps(schema(site), ensure_ascii=False, indent=2) + "\n").encode()
