"""Checking content one value at a time, and remembering what was wrong where.

`FieldChecker` holds the checks every section of the content shares (text in
several languages, URLs, slugs, dates, places, images); it tells a problems
collector (`calfeed.problems.FileProblems`) what is wrong by the path of the
value, and `content.py` turns the paths into lines and columns.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

from . import descriptions, limits
from .dates import EXPECTED_DATE, DateValueError, parse_when, zone_named
from .languages import normalise
from .limits import Limit
from .model import Image, Location, Status, Text
from .problems import FileProblems, Path

# Calendar clients and date arithmetic stay safe: the renderers look up to two years past a date (events.json
# a year ahead, a month page either side, a week filled past the month's end); repeat rules stop there too.
MIN_YEAR, MAX_YEAR = 1000, 9997

LOCATION_KEYS = ("name", "address", "city", "country", "lat", "lon")
LATITUDE, LONGITUDE = (-90, 90), (-180, 180)
IMAGE_KEYS = ("src", "alt")

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# control characters, surrogates and noncharacters (the HTML checker refuses the last as forbidden code points)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# the noncharacters past the first plane (the HTML checker refuses every noncharacter as a forbidden code point)
_FAR_NONCHARACTER = re.compile(
    "[" + "".join(rf"\U{plane + 0xFFFE:08x}\U{plane + 0xFFFF:08x}" for plane in range(0x10000, 0x110000, 0x10000)) + "]"
)
BREAK = re.compile(r"[\t\n\r\u2028\u2029]")  # not allowed in a field shown on one line
# Bidirectional marks, embeddings, overrides and isolates: they reorder the text around them where it is
# shown ("Trojan Source"), so an editor may not see what a reader will; a warning, as a right-to-left
# language may need them.
BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s")
_LINK_TARGET = re.compile(r"(?m)\]\(\s*<?([^)\s>]+)|^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)|href\s*=\s*[\"']?([^\"'\s>]+)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_URI_SIGNS = "!#$%&'()*+,-./:;=?@[]~_"  # what a URI holds besides letters and digits (RFC 3986)
_URI = re.compile(r"[A-Za-z0-9!#$%&'()*+,\-./:;=?@\[\]~_]*")
# An address as nearly all are written: http(s), a host of letters, digits, dots and hyphens (no user, no port,
# no brackets: nothing urlsplit refuses), then only what a URI holds. `url` takes it as it is.
_PLAIN_URL = re.compile(r"(https?)://[A-Za-z0-9.\-]+(?:[/?#][A-Za-z0-9!#$%&'()*+,\-./:;=?@\[\]~_]*)?")
_A_DATE = EXPECTED_DATE.removeprefix("expected ")
TRUE_WORDS = frozenset({"true", "True", "TRUE", "yes", "Yes", "YES"})
FALSE_WORDS = frozenset({"false", "False", "FALSE", "no", "No", "NO"})


class FieldChecker:
    """Checks values of one file, one at a time: each check returns the value as the model holds it, or
    None when it is wrong, and tells `problems` (that file's) what is wrong by the value's path.

    Text in several languages may use `languages` (the calendar's). Where the content uses each tag and
    image address is recorded in `tag_uses` and `image_uses` (file, path, value), for the checks across items;
    `tag_names` holds every different tag of the content (shared by the checkers of all its files).
    """

    def __init__(
        self,
        problems: FileProblems,
        languages: tuple[str, ...] = ("en",),
        tag_names: set[str] | None = None,
        trouble: Callable[[str], str | None] = descriptions.trouble,
        failure: Callable[[str], str | None] | None = None,
    ) -> None:
        self.problems = problems
        self.problem = problems.problem  # tell the collector the value at a path is wrong
        self.languages = languages
        self.trouble = trouble  # why a text is beyond the Markdown limits, or None
        self.failure = failure  # why converting a description fails (`calfeed check` asks), or None: not converted
        self.tag_uses: list[tuple[str, Path, str]] = []
        self.image_uses: list[tuple[str, Path, str]] = []
        self.tag_names = set() if tag_names is None else tag_names  # every tag declared or used, up to limits.TAGS
        self._languages_given: dict[Any, str] = {}  # a text's key -> its language, one of `languages`
        self._slugs: set[str] = set()  # the tags `slug` found valid (the same answer for the same text)

    # -- values ------------------------------------------------------------------

    def location(self, raw: Any, path: Path) -> Location | None:
        if isinstance(raw, str):
            return Location(name=self.line(raw, path, limits.PLACE))
        if not self.is_mapping(raw, path, "a place name or a mapping of name, address, city, country, lat, lon"):
            return None
        self.unknown_keys(raw, path, LOCATION_KEYS)
        lat = self.optional(raw, path, "lat", lambda v, p: self.number(v, p, *LATITUDE))
        lon = self.optional(raw, path, "lon", lambda v, p: self.number(v, p, *LONGITUDE))
        if (lat is None) != (lon is None) and ("lat" in raw) != ("lon" in raw):
            self.problem(path, "has only one of lat and lon (expected both, or neither)")
        line_string = self.line_string
        strings = {
            "address": line_string(raw["address"], (*path, "address")) if "address" in raw else None,
            "city": line_string(raw["city"], (*path, "city")) if "city" in raw else None,
            "country": line_string(raw["country"], (*path, "country")) if "country" in raw else None,
        }
        name = self.line(raw["name"], (*path, "name"), limits.PLACE) if "name" in raw else None
        if not ("name" in raw or "address" in raw or "city" in raw or "country" in raw):
            self.problem(path, "says nothing about the place (expected at least one of name, address, city, country)")
            return None
        if name is None and not any(strings.values()):  # each given is wrong, and reported
            return None
        return Location(name=name, lat=lat, lon=lon, **strings)

    def online(self, raw: Any, path: Path) -> tuple[bool, str | None] | None:
        if not isinstance(raw, str):
            self.problem(path, f"is {describe(raw)} (expected true, false, or the http(s) address where people join)")
            return None
        if raw in TRUE_WORDS or raw in FALSE_WORDS:
            return raw in TRUE_WORDS, None
        url = self.url(raw, path, schemes=("http", "https"))
        return (True, url) if url else None

    def image(self, raw: Any, path: Path) -> Image | None:
        if not self.is_mapping(raw, path, "a mapping with alt (required) and src"):
            return None
        self.unknown_keys(raw, path, IMAGE_KEYS)
        src = self.optional(raw, path, "src", lambda v, p: self.url(v, p, schemes=("http", "https"), relative=True))
        alt = raw.get("alt")
        if alt is None:
            self.problem(
                path if "alt" not in raw else (*path, "alt"),
                "image has no alt text (expected alt: describing the image for people who cannot see it)",
            )
            return None
        alt_text = self.line(alt, (*path, "alt"), limits.ALT)
        if src is not None:
            self.image_uses.append((self.problems.file, (*path, "src"), src))
        return Image(alt=alt_text, src=src) if alt_text else None

    def status(self, raw: Any, path: Path) -> Status | None:
        if not isinstance(raw, str):
            self.problem(path, f"is {describe(raw)} (expected confirmed, tentative or cancelled)")
            return None
        try:
            return Status(raw)
        except ValueError:
            hint = did_you_mean(str(raw), [status.value for status in Status])
            self.problem(path, f"'{raw}' is not a status{hint} (expected confirmed, tentative or cancelled)")
            return None

    def tags(self, raw: Any, path: Path) -> tuple[str, ...]:
        tags = []
        given = self.as_list(raw, path)
        if len(given) > limits.TAGS_PER_ITEM.most:
            self.problem(path, limits.TAGS_PER_ITEM.message(len(given)))
            return ()
        listed, slugs, names, uses = isinstance(raw, list), self._slugs, self.tag_names, self.tag_uses
        for i, item in enumerate(given):
            where = (*path, i) if listed else path
            if item.__class__ is str and item in slugs and item in names:  # as `slug` and `counted_tag` would say
                if item in tags:
                    continue
                tag: str = item
            else:
                found = self.slug(item, where)
                if found is None or found in tags or not self.counted_tag(found, where):
                    continue
                slugs.add(tag := found)
            tags.append(tag)
            uses.append((self.problems.file, where, tag))
        return tuple(tags)

    def counted_tag(self, tag: str, path: Path, at_key: bool = False) -> bool:
        """Count `tag` among the content's different tags; False (reported once) past `limits.TAGS`."""
        if tag in self.tag_names:
            return True
        self.tag_names.add(tag)
        if len(self.tag_names) == limits.TAGS.most + 1:
            self.problem(
                path,
                f"'{tag}' is one tag too many: the content {limits.TAGS.message(len(self.tag_names))}",
                at_key=at_key,
            )
        return len(self.tag_names) <= limits.TAGS.most

    def zone(self, raw: Any, path: Path) -> str | None:
        name = self.string(raw, path)
        if name is not None and (name in NOT_ZONES or zone_named(name) is None):
            suggestion = did_you_mean(name, _zone_names())
            self.problem(path, f"unknown time zone '{name}'{suggestion} (expected an IANA name like Europe/Istanbul)")
            return None
        return name

    def when(self, raw: Any, path: Path) -> date | datetime | None:
        if (text := self.string(raw, path, _A_DATE)) is None:
            return None
        try:
            value = parse_when(text)
        except DateValueError as error:
            self.problem(path, f"{error} ({EXPECTED_DATE})")
            return None
        if value is None:
            self.problem(path, f"'{text}' is not a date ({EXPECTED_DATE})")
        elif not MIN_YEAR <= value.year <= MAX_YEAR:
            self.problem(path, f"{text} is out of range (expected a year from {MIN_YEAR} to {MAX_YEAR})")
            return None
        return value

    def day(self, raw: Any, path: Path) -> date | None:
        value = self.when(raw, path)
        if isinstance(value, datetime):
            self.problem(path, f"'{raw}' has a time (expected a date like 2022-12-02)")
            return None
        return value

    def number(self, raw: Any, path: Path, low: float, high: float) -> float | None:
        try:
            value = float(self.string(raw, path) or "")
        except ValueError:
            self.problem(path, f"'{raw}' is not a number (expected a number from {low:g} to {high:g})")
            return None
        if not low <= value <= high:
            self.problem(path, f"{value:g} is out of range (expected a number from {low:g} to {high:g})")
            return None
        return value

    def whole(self, raw: Any, path: Path, low: int, high: int) -> int | None:
        """A whole number from `low` to `high`."""
        text = self.string(raw, path)
        if text is None:
            return None
        if not text.strip().lstrip("+").isdigit():
            self.problem(path, f"'{raw}' is not a whole number (expected a whole number from {low} to {high})")
            return None
        return int(number) if (number := self.number(text, path, low, high)) is not None else None

    def url(
        self, raw: Any, path: Path, schemes: tuple[str, ...] = ("http", "https", "mailto"), relative: bool = False
    ) -> str | None:
        if (text := self.string(raw, path, most=limits.URL)) is None:
            return None
        if (plain := _PLAIN_URL.fullmatch(text)) is not None and plain[1] in schemes:
            return text  # what `checked_url` makes of it, without urlsplit (tests/test_content_values.py)
        return self.checked_url(text, path, schemes, relative)

    def checked_url(self, text: str, path: Path, schemes: tuple[str, ...], relative: bool) -> str | None:
        """`url`'s checks of a non-blank `text`."""
        expected = ", ".join(schemes[:-1]) + f" or {schemes[-1]}" if len(schemes) > 1 else schemes[0]
        if _SPACE.search(text):
            self.problem(path, f"'{text}' contains spaces (expected a URL; write a space as %20)")
            return None
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018  (raises ValueError for a bad port)
        except ValueError as error:
            self.problem(path, f"'{text}' is not a valid URL: {error}")
            return None
        if not parts.scheme:
            if relative and not text.startswith("//"):
                return text
            self.problem(path, f"'{text}' is not an absolute URL (expected {expected}, e.g. https://example.org/)")
            return None
        if parts.scheme.lower() not in schemes:
            self.problem(path, f"URL scheme '{parts.scheme}:' is not allowed (expected {expected})")
            return None
        if parts.scheme.lower() in ("http", "https") and not parts.hostname:
            self.problem(path, f"'{text}' has no host (expected e.g. https://example.org/)")
            return None
        if "@" in parts.netloc:  # https://user:password@host/: published, the password would be anyone's
            hidden = text.replace(parts.netloc, "…@" + parts.netloc.rpartition("@")[2], 1)
            self.problem(
                path,
                f"'{hidden}' carries a user name or password before its host "
                "(expected a URL without credentials: everything in it is published)",
            )
            return None
        if parts.scheme.lower() == "mailto" and "@" not in parts.path:
            self.problem(path, f"'{text}' has no address (expected mailto:name@example.org)")
            return None
        return self.as_uri(text, path)

    def as_uri(self, text: str, path: Path) -> str | None:
        """`text` as a URI every output may carry (RFC 3987's mapping): a host name in other scripts in its
        ASCII form (IDNA), other characters outside ASCII and those a URI may not hold (`"`, `<`, `{`…)
        percent-encoded, as a browser sends them; the HTML checker refused them in `href`, and iCalendar's
        URL, ATTACH and RSS's enclosure are URIs."""
        if _URI.fullmatch(text):
            return text
        parts = urlsplit(text)
        try:
            netloc = parts.netloc.encode("idna").decode("ascii")
        except UnicodeError as error:
            self.problem(path, f"'{text}' has a host name that is not a valid domain name ({error})")
            return None
        rest = text[len(f"{parts.scheme}:") if parts.scheme else 0 :].removeprefix(f"//{parts.netloc}")
        scheme = f"{parts.scheme}:" if parts.scheme else ""
        return (
            scheme
            + (f"//{netloc}" if parts.netloc or text.startswith(f"{scheme}//") else "")
            + quote(rest, safe=_URI_SIGNS)
        )

    def slug(self, raw: Any, path: Path, at_key: bool = False) -> str | None:
        if (text := self.string(raw, path)) is None:
            return None
        if len(text) > limits.ID.most:
            self.problem(path, limits.ID.message(len(text)), at_key=at_key)
            return None
        if not SLUG.fullmatch(text):
            hint = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
            self.problem(
                path,
                f"'{text}' is not a valid id "
                f"(expected lowercase letters, digits and hyphens, like '{hint or 'my-event'}')",
                at_key=at_key,
            )
            return None
        return text

    def line(self, raw: Any, path: Path, most: Limit = limits.TITLE) -> Text | None:
        """Like `text`, for a field shown on one line (a title, a place, a name): no line break or tab,
        and at most `most` characters."""
        return self.text(raw, path, one_line=True, most=most)

    def line_string(self, raw: Any, path: Path, most: Limit = limits.PLACE) -> str | None:
        """Like `string`, on one line (an address, an organizer's name), at most `most` characters."""
        return self.string(raw, path, one_line=True, most=most)

    def text(self, raw: Any, path: Path, one_line: bool = False, most: Limit | None = None) -> Text | None:
        """A string, or a mapping of language code to string."""
        if isinstance(raw, dict):
            values = {}
            known = self._languages_given
            for given, value in raw.items():
                lang = known.get(given)
                if lang is None:
                    lang = _language(str(given))  # "pt-br" is "pt-BR", as in calendar.languages
                    if lang is None or lang not in self.languages:
                        self.problem(
                            (*path, given),
                            f"language '{given}' is not in calendar.languages"
                            f" (expected one of {', '.join(self.languages)})",
                            at_key=True,
                        )
                        continue
                    known[given] = lang
                if _plain(value, most):  # (what `string` returns for it)
                    values[lang] = value
                elif (string := self.string(value, (*path, given), one_line=one_line, most=most)) is not None:
                    values[lang] = string
            if not raw:
                self.problem(path, "is empty (expected text, or a mapping of language to text)")
            return Text(values) if values else None
        string = self.string(raw, path, "text, or a mapping of language to text", one_line, most)
        return Text({self.languages[0]: string}) if string is not None else None

    def markdown(self, raw: Any, path: Path) -> Text | None:
        """Like `text`, for Markdown (an event's description): within the limits that keep its conversion
        quick (`calfeed.descriptions`), and if `failure` is given (`calfeed check`), converted too."""
        return self._within_limits(raw, path, self.failure)

    def paragraph(self, raw: Any, path: Path) -> Text | None:
        """Like `text`, for plain text every output shows as it is (a summary, the calendar's description):
        within the Markdown limits too (a site's own template may render it as Markdown), never converted."""
        return self._within_limits(raw, path, None)

    def _within_limits(self, raw: Any, path: Path, failure: Callable[[str], str | None] | None) -> Text | None:
        text = self.text(raw, path)
        if text is None:
            return None
        troubled = False
        for lang, value in text.values.items():
            if (reason := self.trouble(value)) is None and failure is not None:
                reason = failure(value)
                if reason is None and (target := _relative_link(value)) is not None:
                    where = (*path, lang) if isinstance(raw, dict) else path
                    self.problem(
                        where,
                        f"links to '{target}', an address without a scheme, shown as plain text (each page, feed "
                        "and calendar would resolve it elsewhere; expected an absolute address like https://…)",
                        severity="warning",
                    )
            if reason is not None:
                if isinstance(raw, dict):  # at the key as written ("pt-br" for pt-BR)
                    given = {_language(str(key)): key for key in raw}
                    self.problem((*path, given.get(lang, lang)), reason)
                else:
                    self.problem(path, reason)
                troubled = True
        return None if troubled else text

    def string(
        self, raw: Any, path: Path, expected: str = "text", one_line: bool = False, most: Limit | None = None
    ) -> str | None:
        """A non-blank string without control characters, of at most `most` characters; with `one_line`,
        without line breaks or tabs either (a CR in a name would end the line in some calendar readers
        and start an invented one). A bidirectional control in it is a warning."""
        if _plain(raw, most):
            return raw  # (the common case: what the checks below return, with less to look at)
        if raw is None:
            self.problem(path, f"is empty (expected {expected})")
            return None
        if not isinstance(raw, str):
            self.problem(path, f"is {describe(raw)} (expected {expected})")
            return None
        if not raw.strip():
            self.problem(path, f"is blank (expected {expected})")
            return None
        printable = raw.isprintable()  # then none of CONTROL, BREAK, BIDI is in it (tests/test_content_values.py)
        if not printable and (match := CONTROL.search(raw) or _FAR_NONCHARACTER.search(raw)):
            self.problem(
                path,
                f"contains {_kind(match[0])} U+{ord(match[0]):04X} at position {match.start() + 1} "
                "(expected printable text)",
            )
            return None
        if one_line and not printable and (match := BREAK.search(raw)):
            what = "a line break" if match[0] != "\t" else "a tab"
            self.problem(
                path,
                f"contains {what} (U+{ord(match[0]):04X}) at position {match.start() + 1} "
                "(expected one line of text: write it on one line, or use >- in YAML to fold it)",
            )
            return None
        if most is not None and len(raw) > most.most:
            self.problem(path, most.message(len(raw)))
            return None
        if not printable and (match := BIDI.search(raw)):
            self.problem(
                path,
                f"contains the bidirectional control U+{ord(match[0]):04X} at position {match.start() + 1}: it "
                "reorders the text around it where shown, so readers may not see what you see "
                "(expected none, unless a right-to-left text needs it)",
                severity="warning",
            )
        return raw

    # -- structure ---------------------------------------------------------------

    def required(self, raw: dict[str, Any], path: Path, key: str, check: Callable[[Any, Path], Any]) -> Any:
        if key not in raw:
            self.problem(path, f"{key} is missing (expected {key}: in every {_noun(path)})")
            return None
        return check(raw[key], (*path, key))

    def optional(self, raw: dict[str, Any], path: Path, key: str, check: Callable[[Any, Path], Any]) -> Any:
        return check(raw[key], (*path, key)) if key in raw else None

    def unknown_keys(self, raw: dict[str, Any], path: Path, known: tuple[str, ...]) -> None:
        for key in raw:
            if key not in known:
                self.problem(
                    (*path, key),
                    f"unknown field '{key}'{did_you_mean(key, known)} (expected one of {', '.join(known)})",
                    at_key=True,
                )

    def is_mapping(self, raw: Any, path: Path, what: str) -> bool:
        if isinstance(raw, dict):
            return True
        self.problem(path, f"is {describe(raw)} (expected {what})")
        return False

    def as_list(self, raw: Any, path: Path) -> list[Any]:
        if isinstance(raw, list):
            return raw
        if isinstance(raw, str):  # a single tag or date may be written without brackets
            return [raw]
        self.problem(path, f"is {describe(raw)} (expected a list)")
        return []

    def list_items(self, raw: dict[str, Any], key: str, path: Path = ()) -> Iterator[tuple[Any, Path]]:
        if raw.get(key) is None:  # absent, or written with nothing after the colon
            return
        for i, item in enumerate(self.as_list(raw[key], (*path, key))):
            yield item, (*path, key, i)

    def counted_items(self, raw: dict[str, Any], key: str, path: Path, most: Limit) -> Iterator[tuple[Any, Path]]:
        """Like `list_items`, for a list of at most `most` items: a longer one is reported, and yields none."""
        if isinstance(given := raw.get(key), list) and len(given) > most.most:
            self.problem((*path, key), most.message(len(given)))
            return iter(())
        return self.list_items(raw, key, path)

    def mapping_items(self, raw: dict[str, Any], key: str) -> Iterator[tuple[str, Any, Path]]:
        if raw.get(key) is None:
            return
        if self.is_mapping(raw[key], (key,), "a mapping of tag id to label"):
            for name, value in raw[key].items():
                yield name, value, (key, name)


def _plain(raw: Any, most: Limit | None) -> bool:
    """Whether `raw` is a string `FieldChecker.string` takes as it is: printable (then no character of CONTROL,
    BREAK or BIDI is in it: tests/test_content_values.py), not blank, of at most `most` characters."""
    return raw.__class__ is str and raw.isprintable() and (most is None or len(raw) <= most.most) and bool(raw.strip())


_language = lru_cache(maxsize=64)(normalise)  # a file names its few languages once per text


def describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"'{value}'"


def _noun(path: Path) -> str:
    return {"events": "event", "news": "news post", "calendar": "calendar"}.get(str(path[0]) if path else "", "item")


def did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


_ZONES: list[str] = []
# In the zone database's folder but not zones: the machine's own zone (a link to /etc/localtime), whose
# meaning would change with the server.
NOT_ZONES = frozenset({"localtime", "posixrules"})


def _zone_names() -> list[str]:
    if not _ZONES:
        import zoneinfo

        _ZONES.extend(sorted(zoneinfo.available_timezones() - NOT_ZONES))
    return _ZONES


def _relative_link(text: str) -> str | None:
    """The first link target in Markdown `text` without a scheme (`programme.pdf`, `www.example.org`), or None."""
    if "](" not in text and "]:" not in text and "href" not in text:
        return None
    for match in _LINK_TARGET.finditer(text):
        target = next(group for group in match.groups() if group is not None)
        if not _SCHEME.match(target):
            return target
    return None


def _kind(character: str) -> str:
    """What a character CONTROL finds is, for a message."""
    if "\ufdd0" <= character <= "\ufdef" or ord(character) & 0xFFFE == 0xFFFE:
        return "noncharacter"
    return "control character"
