"""A JSON Schema of the content, for editors: field names to complete, mistakes flagged while typing.

`content_schema()` is built from the checker's own rules (its key lists, id and language patterns,
date forms, URL schemes, ranges and statuses), so the two cannot drift apart. It describes one YAML
file (in a folder, ``calendar:`` may be in another file), as an editor's YAML 1.2 reader sees it:
``2021-09-09`` is text, ``51.05`` a number, ``true`` a boolean. What needs more than one value at a
time, the zone database or other files (ids used twice, clock changes, end before start, links to
events) is left to ``calfeed check``.
"""

from __future__ import annotations

from typing import Any

from .checks import (
    CONTROL,
    FALSE_WORDS,
    IMAGE_KEYS,
    LATITUDE,
    LOCATION_KEYS,
    LONGITUDE,
    SLUG,
    TRUE_WORDS,
)
from .dates import DATE, DATETIME, LOCAL_TIME, OFFSET
from .limits import (
    ALT,
    EXCEPTIONS,
    ID,
    LABEL,
    LANGUAGES,
    LINKED,
    ORGANIZER,
    PLACE,
    RULE,
    SOURCE_UID,
    TAGS,
    TAGS_PER_ITEM,
    TITLE,
    URL,
    Limit,
)
from .limits import EMAIL as EMAIL_LIMIT
from .model import Status
from .sections import (
    CALENDAR_KEYS,
    EMAIL,
    EVENT_KEYS,
    FEED_LIMIT,
    FINE_GRAINED,
    NEWS_KEYS,
    ORGANIZER_KEYS,
    PAST_DAYS,
    REFRESH_HOURS,
    RRULE,
    TOP_KEYS,
)

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "calfeed.schema.json"  # what `calfeed init` writes beside events.yaml
_WEB = r"[hH][tT][tT][pP][sS]?://[^\s/?#@]+(?:[/?#]\S*)?"  # no user or password before the host
_MAILTO = r"[mM][aA][iI][lL][tT][oO]:[^\s@]*@\S*"
_RELATIVE = r"(?![A-Za-z][A-Za-z0-9+.\-]*:)(?!//)\S+"
# A language code as editors may write it, which `languages.normalise` accepts: any case, - or _.
LANGUAGE = r"\s*[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?\s*"


def content_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one content file."""
    return {
        "$schema": SCHEMA_URI,
        "title": "calfeed content",
        "description": "Events and news for calfeed (docs/content.md). `calfeed check` has the last word.",
        **_mapping(
            TOP_KEYS,
            {
                "calendar": _calendar(),
                "events": _list_of({"$ref": "#/$defs/event"}, "The events, in any order."),
                "news": _list_of({"$ref": "#/$defs/news"}, "The news posts, in any order."),
                "tags": {
                    "description": "Labels for tag ids. Once declared, items may only use these tags.",
                    "type": ["object", "null"],
                    "maxProperties": TAGS.most,
                    "propertyNames": {**_pattern(SLUG.pattern), "maxLength": ID.most},
                    "additionalProperties": _within(LABEL),
                },
            },
        ),
        "$defs": {
            "event": _event(),
            "news": _news(),
            "text": _text(),
            "string": _string(),
            "id": {"type": ["string", "integer"], "minimum": 0, "maxLength": ID.most, **_pattern(SLUG.pattern)},
            "ids": {"anyOf": [{"$ref": "#/$defs/id"}, {"type": "array", "items": {"$ref": "#/$defs/id"}}]},
            "when": {
                "description": "A date (2021-09-09) or a date and time (2021-09-09 10:00, +02:00 or Z optional).",
                "type": "string",
                "anyOf": [_pattern(DATE.pattern), _pattern(DATETIME.pattern)],
            },
            "web": {"type": "string", "maxLength": URL.most, **_pattern(_WEB)},
        },
    }


def _calendar() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": _within(TITLE, "The calendar's name."),
        "description": {"$ref": "#/$defs/text"},
        "url": {"$ref": "#/$defs/web", "description": "Where the site is published (links and UIDs)."},
        "timezone": {"$ref": "#/$defs/string", "description": "An IANA zone, e.g. Europe/Brussels."},
        "languages": {
            "description": "Language codes; the first is the default.",
            "anyOf": [
                {"type": "string", **_pattern(LANGUAGE)},
                {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": LANGUAGES.most,
                    "uniqueItems": True,
                    "items": _pattern(LANGUAGE),
                },
            ],
        },
        "refresh_hours": {"type": "number", "minimum": REFRESH_HOURS[0], "maximum": REFRESH_HOURS[1]},
        "past_days": {"type": "integer", "minimum": PAST_DAYS[0], "maximum": PAST_DAYS[1]},
        "feed_limit": {"type": "integer", "minimum": FEED_LIMIT[0], "maximum": FEED_LIMIT[1]},
    }
    return _mapping(CALENDAR_KEYS, properties, required=["title", "url"])


def _event() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"$ref": "#/$defs/id", "description": "Lowercase letters, digits and hyphens; never change it."},
        "title": _within(TITLE),
        "start": {"$ref": "#/$defs/when"},
        "end": {"$ref": "#/$defs/when", "description": "All-day events: the last day, inclusive."},
        "timezone": {"$ref": "#/$defs/string"},
        "location": _location(),
        "online": {
            "description": "true, or the address to join.",
            "anyOf": [{"type": "boolean"}, {"enum": sorted(TRUE_WORDS | FALSE_WORDS)}, {"$ref": "#/$defs/web"}],
        },
        "tags": {"$ref": "#/$defs/ids", "maxItems": TAGS_PER_ITEM.most},
        "url": {"type": "string", "maxLength": URL.most, "anyOf": [_pattern(_WEB), _pattern(_MAILTO)]},
        "image": _image(),
        "summary": {"$ref": "#/$defs/text"},
        "description": {"$ref": "#/$defs/text", "description": "Markdown."},
        "status": {"enum": [status.value for status in Status]},
        "repeat": {
            "description": "An RRULE, e.g. FREQ=WEEKLY;COUNT=4.",
            "type": "string",
            "maxLength": RULE.most,
            **_pattern(f"(?:RRULE:)?{RRULE.pattern}"),
            "if": {"pattern": f"FREQ=(?:{'|'.join(FINE_GRAINED)})"},
            "then": {"pattern": "(?:COUNT|UNTIL)="},
        },
        "except": {
            "anyOf": [
                {"$ref": "#/$defs/when"},
                {"type": "array", "maxItems": EXCEPTIONS.most, "items": {"$ref": "#/$defs/when"}},
            ]
        },
        "organizer": _organizer(),
        "source_uid": {
            "$ref": "#/$defs/string",
            "maxLength": SOURCE_UID.most,
            "description": "Written by calfeed import: the event's UID in the calendar it came from.",
        },
    }
    # An end is a date when the start is, a date and time when the start is; and local (to the event's
    # zone) when the start is, with an offset when the start has one.
    same_kind = [
        {
            "if": {"properties": {"start": _pattern(kind)}, "required": ["start", "end"]},
            "then": {"properties": {"end": {"not": _pattern(other)}}},
        }
        for kind, other in (
            (DATE.pattern, DATETIME.pattern),
            (DATETIME.pattern, DATE.pattern),
            (LOCAL_TIME, LOCAL_TIME + OFFSET),
            (LOCAL_TIME + OFFSET, LOCAL_TIME),
        )
    ]
    return _mapping(
        EVENT_KEYS, properties, required=["id", "title", "start"], dependentRequired={"except": ["repeat"]}
    ) | {"allOf": same_kind}


def _news() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"$ref": "#/$defs/id"},
        "title": _within(TITLE),
        "date": {"type": "string", **_pattern(DATE.pattern)},
        "tags": {"$ref": "#/$defs/ids", "maxItems": TAGS_PER_ITEM.most},
        "image": _image(),
        "summary": {"$ref": "#/$defs/text"},
        "url": {"type": "string", "maxLength": URL.most, "anyOf": [_pattern(_WEB), _pattern(_MAILTO)]},
        "events": {
            "$ref": "#/$defs/ids",
            "maxItems": LINKED.most,
            "description": "Ids of the events this post is about.",
        },
    }
    return _mapping(NEWS_KEYS, properties, required=["id", "title"])


def _organizer() -> dict[str, Any]:
    name = {"$ref": "#/$defs/string", "maxLength": ORGANIZER.most}
    email = {"type": "string", "maxLength": EMAIL_LIMIT.most, **_pattern(EMAIL.pattern)}
    return {"anyOf": [name, _mapping(ORGANIZER_KEYS, {"name": name, "email": email}, minProperties=1)]}


def _location() -> dict[str, Any]:
    places = [{"required": [key]} for key in ("name", "address", "city", "country")]
    properties = {
        "name": _within(PLACE),
        **{key: {"$ref": "#/$defs/string", "maxLength": PLACE.most} for key in ("address", "city", "country")},
        "lat": {"type": "number", "minimum": LATITUDE[0], "maximum": LATITUDE[1]},
        "lon": {"type": "number", "minimum": LONGITUDE[0], "maximum": LONGITUDE[1]},
    }
    place = _mapping(LOCATION_KEYS, properties, dependentRequired={"lat": ["lon"], "lon": ["lat"]})
    return {"anyOf": [{"$ref": "#/$defs/string", "maxLength": PLACE.most}, place | {"anyOf": places}]}


def _image() -> dict[str, Any]:
    properties = {
        "src": {"type": "string", "maxLength": URL.most, "anyOf": [_pattern(_WEB), _pattern(_RELATIVE)]},
        "alt": _within(ALT, "What the image shows, for people who cannot see it."),
    }
    return _mapping(IMAGE_KEYS, properties, required=["alt"])


def _string() -> dict[str, Any]:
    """One value: text that is not blank and has no control characters (or a number or yes/no, read as text)."""
    printable = f"^[^{CONTROL.pattern[1:-1]}]*$"
    return {"anyOf": [{"type": "string", "allOf": [{"pattern": r"\S"}, {"pattern": printable}]}, _scalar()]}


def _text() -> dict[str, Any]:
    """Text, or a mapping of language code to text."""
    return {
        "anyOf": [
            {"$ref": "#/$defs/string"},
            {
                "type": "object",
                "minProperties": 1,
                "propertyNames": _pattern(LANGUAGE),
                "additionalProperties": {"$ref": "#/$defs/string"},
            },
        ]
    }


def _within(limit: Limit, description: str = "") -> dict[str, Any]:
    """Text (or a mapping of language to text) of at most `limit` characters in each language."""
    about = {"description": description} if description else {}
    return {"$ref": "#/$defs/text", "maxLength": limit.most, "additionalProperties": {"maxLength": limit.most}, **about}


def _scalar() -> dict[str, Any]:
    return {"type": ["number", "boolean"]}


def _mapping(keys: tuple[str, ...], properties: dict[str, Any], **rules: Any) -> dict[str, Any]:
    """A mapping with exactly the checker's `keys`, in its order (a key it lacks is a bug: KeyError)."""
    return {
        "type": "object",
        "properties": {key: properties[key] for key in keys},
        "additionalProperties": False,
        **rules,
    }


def _list_of(item: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "type": ["array", "null"], "items": item}


def _pattern(regex: str) -> dict[str, str]:
    """A JSON Schema pattern matching the whole value, as the checker's `fullmatch` does."""
    return {"pattern": f"^(?:{regex})$"}
