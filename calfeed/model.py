"""The content model: what an organisation publishes, as immutable values.

Nothing here reads files or knows an output format. `content.py` builds these
objects from YAML; the renderers in `render/` only ever see a `Site`.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

EPOCH = date(1970, 1, 1)  # the publication date of content that has no dates at all


def day_of(moment: date | datetime) -> date:
    """The calendar day of a date, or of a datetime in its own zone."""
    return moment.date() if isinstance(moment, datetime) else moment


def midnight_utc(day: date) -> datetime:
    """The start of `day` in UTC: how a date-only publication date becomes a timestamp."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Text:
    """Text in one or more languages: ``{"en": "…", "es": "…"}``.

    A plain YAML string is stored under the calendar's default language.
    """

    values: Mapping[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def get(self, lang: str, default_lang: str) -> str:
        """Return the text in `lang`, else in `default_lang`, else the first one given."""
        if lang in self.values:
            return self.values[lang]
        if default_lang in self.values:
            return self.values[default_lang]
        return next(iter(self.values.values()))

    def lang_of(self, lang: str, default_lang: str) -> str:
        """Return the language that `get(lang, default_lang)` actually answers in."""
        if lang in self.values:
            return lang
        if default_lang in self.values:
            return default_lang
        return next(iter(self.values))


class Status(enum.Enum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Image:
    alt: Text
    src: str | None = None  # absolute URL or a path relative to calendar.url; None: described, not shown
    width: int | None = None  # in pixels, when known (a local image: see calfeed/images.py)
    height: int | None = None


@dataclass(frozen=True, slots=True)
class LocalImage:
    """An image file kept beside the content (``images/<name>``), served at ``/images/<name>``."""

    name: str  # "summit.jpg"
    data: bytes = field(repr=False)
    media_type: str = "image/jpeg"
    width: int = 0
    height: int = 0


@dataclass(frozen=True, slots=True)
class Location:
    name: Text | None = None
    address: str | None = None
    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None

    def one_line(self, lang: str, default_lang: str) -> str:
        """Return a readable single-line address: "Hall 1, Izmir, Turkey"."""
        parts = [self.name.get(lang, default_lang) if self.name else None, self.address, self.city, self.country]
        seen: list[str] = []
        for part in parts:
            if part and part not in seen:
                seen.append(part)
        return ", ".join(seen)


@dataclass(frozen=True, slots=True)
class Organizer:
    """Who runs an event: a name, an email address, or both (iCalendar ORGANIZER)."""

    name: str | None = None
    email: str | None = None


class Span:
    """Something with a `start` and an `end` (dates, or aware datetimes): an event, one occurrence of it."""

    __slots__ = ()
    start: date | datetime
    end: date | datetime  # dates: the last day, inclusive

    @property
    def first_day(self) -> date:
        return day_of(self.start)

    @property
    def last_day(self) -> date:
        """The day it ends on, in its own zone."""
        return day_of(self.end)


@dataclass(frozen=True, slots=True, weakref_slot=True)  # weakref: render.ics keeps pieces by the object
class Event(Span):
    id: str
    title: Text
    start: date | datetime  # a date: all-day; a datetime: timed, always zone-aware
    end: date | datetime  # dates: the last day, inclusive; datetimes: the end instant
    timezone: str | None = None  # IANA zone of a timed event (None: a fixed UTC offset was given)
    location: Location | None = None
    online: bool = False
    online_url: str | None = None
    tags: tuple[str, ...] = ()
    url: str | None = None
    image: Image | None = None
    summary: Text | None = None
    description: Text | None = None  # Markdown
    status: Status = Status.CONFIRMED
    repeat: str | None = None  # an RFC 5545 RRULE value, validated by content.py
    exceptions: tuple[date | datetime, ...] = ()
    organizer: Organizer | None = None
    source: str = ""  # the content file it was read from, for messages

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def attendance(self) -> str:
        """ "offline", "online" or "mixed" (hybrid), in schema.org's words."""
        if self.online and self.location is not None:
            return "mixed"
        return "online" if self.online else "offline"

    @property
    def has_end(self) -> bool:
        """False for a timed event that ends when it starts (no `end` given): no DTEND, no "19:00–19:00"."""
        if isinstance(self.start, datetime) and isinstance(self.end, datetime):
            return self.end.astimezone(UTC) != self.start.astimezone(UTC)  # instants (same-zone == ignores fold)
        return True

    @property
    def end_exclusive(self) -> date | datetime:
        """The end as iCalendar wants it: the day after the last day for all-day events."""
        if self.all_day:
            return self.end + timedelta(days=1)
        return self.end


@dataclass(frozen=True, slots=True)
class NewsEntry:
    id: str
    title: Text
    date: date
    date_given: bool = True  # False: the source gave no date; `date` follows the documented rule
    tags: tuple[str, ...] = ()
    image: Image | None = None
    summary: Text | None = None
    url: str | None = None
    events: tuple[str, ...] = ()  # ids of related events
    source: str = ""


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    title: Text
    url: str  # public base URL, ends with "/"
    timezone: str
    languages: tuple[str, ...]
    description: Text | None = None
    refresh: timedelta = timedelta(hours=6)  # how often subscribed clients should poll the calendar
    past_days: int | None = None  # calendars keep only events that ended at most this many days ago; None: all
    feed_limit: int = 50  # entries per feed, newest first

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def host(self) -> str:
        """The host of `url`, used in UIDs and tag: URIs."""
        return self.url.split("://", 1)[1].split("/", 1)[0].split("@")[-1].lower()


def item_key(item: Event | NewsEntry) -> str:
    """An item's name in `Site.revisions` and the history file: "event:<id>" or "news:<id>"."""
    return f"{'event' if isinstance(item, Event) else 'news'}:{item.id}"


@dataclass(frozen=True, slots=True)
class Revision:
    """An item's change count and last change time (UTC, whole seconds)."""

    sequence: int
    modified: datetime
    digest: str = ""  # the content hash it was computed for (see calfeed/history.py)
    published: datetime | None = None  # when it first appeared (calfeed/history.py); None: by `Site.published`'s rule


@dataclass(frozen=True, slots=True)
class Site:
    """One consistent snapshot of the content, identified by `version`.

    Events are sorted by start then id, news by date (newest first) then id,
    so every renderer sees the same order.
    """

    calendar: CalendarSettings
    events: tuple[Event, ...]
    news: tuple[NewsEntry, ...]
    tags: Mapping[str, Text] = field(default_factory=dict)
    version: str = ""  # a hash of the content files and their history
    revisions: Mapping[str, Revision] = field(default_factory=dict)  # by history.key(); see calfeed/history.py
    images: Mapping[str, LocalImage] = field(default_factory=dict)  # local image files by name ("summit.jpg")
    # What each item was read from, where the reader was asked (`calfeed build`): by id(item), the very object and a
    # digest of everything it is made of (calfeed.content.Origins); another object of the same id is not in it
    origins: Mapping[int, tuple[Event | NewsEntry, bytes]] = field(default_factory=dict, repr=False, compare=False)

    _events_by_id: Mapping[str, Event] = field(init=False, repr=False, compare=False)
    _tag_ids: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _published: Mapping[str, date] = field(init=False, repr=False, compare=False)
    _news_about: Mapping[str, tuple[NewsEntry, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))
        object.__setattr__(self, "revisions", MappingProxyType(dict(self.revisions)))
        object.__setattr__(self, "images", MappingProxyType(dict(self.images)))
        object.__setattr__(self, "_events_by_id", MappingProxyType({event.id: event for event in self.events}))
        used = {tag for event in self.events for tag in event.tags} | {tag for entry in self.news for tag in entry.tags}
        object.__setattr__(self, "_tag_ids", tuple(sorted(used | set(self.tags))))
        # An event is published with the first news post about it, else with the oldest content.
        epoch = min([entry.date for entry in self.news] + [event.first_day for event in self.events], default=EPOCH)
        published: dict[str, date] = {}
        about: dict[str, list[NewsEntry]] = {}
        for entry in self.news:
            for event_id in dict.fromkeys(entry.events):
                published[event_id] = min(entry.date, published.get(event_id, entry.date))
                about.setdefault(event_id, []).append(entry)
        object.__setattr__(self, "_news_about", MappingProxyType({key: tuple(items) for key, items in about.items()}))
        object.__setattr__(
            self, "_published", MappingProxyType({event.id: published.get(event.id, epoch) for event in self.events})
        )

    def restamped(
        self,
        *,
        version: str | None = None,
        revisions: Mapping[str, Revision] | None = None,
        images: Mapping[str, LocalImage] | None = None,
    ) -> Site:
        """The same content (events, news, tags) with another version, history or image files. Its indexes
        depend on the content alone, so they are shared, not built again as `dataclasses.replace` would."""
        site = copy.copy(self)
        if version is not None:
            object.__setattr__(site, "version", version)
        if revisions is not None:
            object.__setattr__(site, "revisions", MappingProxyType(dict(revisions)))
        if images is not None:
            object.__setattr__(site, "images", MappingProxyType(dict(images)))
        return site

    def published(self, item: Event | NewsEntry) -> datetime:
        """When `item` was published: a news post's own date; else when it first appeared, as its history
        says (see calfeed/history.py: the day `calfeed stamp` first recorded it, until then its file's time).
        Never an event's own start, which may lie in the future.

        Without a history (a `Site` built by hand, or an item recorded before calfeed kept publication
        times): an event's first news post, else the earliest date in the content; a news post's date."""
        if isinstance(item, NewsEntry) and item.date_given:
            return midnight_utc(item.date)
        revision = self.revisions.get(item_key(item))
        if revision is not None and revision.published is not None:
            return revision.published
        return midnight_utc(self._published[item.id] if isinstance(item, Event) else item.date)

    @property
    def updated(self) -> datetime:
        """A clock taken from the content, not from now(): the latest publication in it."""
        items: list[Event | NewsEntry] = [*self.events, *self.news]
        return max((self.published(item) for item in items), default=midnight_utc(EPOCH))

    def revision(self, item: Event | NewsEntry) -> Revision:
        """How many times `item` changed (its iCalendar SEQUENCE) and when it last did.

        Without a history (a `Site` built by hand) an item is at revision 0, modified when published.
        """
        revision = self.revisions.get(item_key(item))
        if revision is None:
            revision = Revision(0, self.published(item))
        return revision

    def tag_label(self, tag: str, lang: str) -> str:
        """The tag's label in `lang` (falling back to the default language), or the id itself."""
        label = self.tags.get(tag)
        return label.get(lang, self.calendar.default_language) if label else tag

    @property
    def tag_ids(self) -> tuple[str, ...]:
        """Every tag that has pages, sorted: those used by an event or news post, and those given labels."""
        return self._tag_ids

    def event(self, event_id: str) -> Event | None:
        return self._events_by_id.get(event_id)

    def news_about(self, event_id: str) -> tuple[NewsEntry, ...]:
        """The news posts that link to the event `event_id`, newest first (indexed once per `Site`)."""
        return self._news_about.get(event_id, ())
