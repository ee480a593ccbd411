"""The fast serializer writes what icalendar would: same parsed calendar, for any content.

`calfeed.render.ics` writes content lines by hand and reuses each event's VEVENT;
`calfeed.render.ics_reference` writes the same plan through `icalendar`. Hypothesis
builds sites with every field the calendar writes and checks that both outputs parse
to equal calendars, in every variant (whole, per tag, per language, one event).
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calfeed.content import load_site
from calfeed.model import (
    CalendarSettings,
    Event,
    Image,
    Location,
    Organizer,
    Revision,
    Site,
    Status,
    Text,
    item_key,
)
from calfeed.render import View, ics, ics_reference
from calfeed.render.ics_lines import fold
from calfeed.reuse import Reuse

from conftest import CONTENT

ZONES = ("Europe/Brussels", "Europe/Berlin", "Europe/Istanbul", "America/New_York", "Asia/Kolkata", "UTC")
LANGS = ("en", "es")
TAGS = ("culture", "rights", "cities")

# icalendar turns a literal backslash-N in TEXT into a line break when it writes it; RFC 5545
# escapes the backslash instead (as the fast path does). Generated text avoids that one quirk.
words = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=90).filter(
    lambda text: "\\N" not in text
)
paragraphs = st.lists(words, min_size=1, max_size=3).map("\n\n".join)
urls = st.from_regex(r"https://[a-z]{1,10}\.example\.org/[a-z0-9/_-]{0,30}", fullmatch=True)


def texts(values: st.SearchStrategy[str]) -> st.SearchStrategy[Text]:
    return st.dictionaries(st.sampled_from(LANGS), values, min_size=1).map(Text)


@st.composite
def moments(draw: st.DrawFn) -> tuple[date | datetime, date | datetime, tuple[date | datetime, ...], str | None]:
    """(start, end, exceptions, repeat) of an all-day or a timed event."""
    first = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2037, 12, 31)))
    repeat = draw(st.sampled_from([None, "FREQ=WEEKLY;COUNT=6", "FREQ=DAILY;INTERVAL=2;COUNT=3"]))
    skipped = draw(st.lists(st.integers(1, 5), max_size=2, unique=True)) if repeat else []
    if draw(st.booleans()):
        last = first + timedelta(days=draw(st.integers(0, 30)))
        if repeat and draw(st.booleans()):
            repeat = f"FREQ=MONTHLY;UNTIL={first + timedelta(days=120):%Y%m%d}"
        return first, last, tuple(first + timedelta(weeks=n) for n in skipped), repeat
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    start = datetime(first.year, first.month, first.day, draw(st.integers(0, 23)), draw(st.integers(0, 59)))
    start = start.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)  # a wall time that exists
    if draw(st.booleans()):
        start = start.astimezone(UTC)  # a fixed offset with no zone: kept in UTC
    end = start + timedelta(minutes=draw(st.integers(0, 60 * 48)))
    if repeat and draw(st.booleans()):
        repeat = f"FREQ=WEEKLY;UNTIL={start.astimezone(UTC) + timedelta(weeks=4):%Y%m%dT%H%M%SZ}"
    return start, end, tuple(start + timedelta(weeks=n) for n in skipped), repeat


@st.composite
def events(draw: st.DrawFn) -> Event:
    start, end, exceptions, repeat = draw(moments())
    place = Location(
        name=draw(st.none() | texts(words)),
        city=draw(st.none() | words),
        lat=(lat := draw(st.none() | st.floats(-90, 90))),
        lon=None if lat is None else draw(st.floats(-180, 180)),
    )
    online_url = draw(st.none() | urls)
    # icalendar leaves a parameter that ends in a backslash unquoted, and then reads `\:` as no separator:
    # the reference cannot write such a name (calfeed quotes it)
    names = words.filter(lambda text: not text.endswith("\\"))
    organizer = draw(st.none() | st.builds(Organizer, st.none() | names, st.none() | st.just("team@example.org")))
    src = draw(st.none() | st.sampled_from(["pic.png", "/img/a.JPG", "https://cdn.example.org/b.webp", "c.svg"]))
    return Event(
        id=draw(st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)),
        title=draw(texts(words)),
        start=start,
        end=end,
        timezone=zone.key if isinstance(zone := getattr(start, "tzinfo", None), ZoneInfo) else None,
        location=place if place.name or place.city else None,
        online=online_url is not None,
        online_url=online_url,
        tags=tuple(draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=3))),
        url=draw(st.none() | urls),
        image=draw(st.none() | st.just(Image(alt=Text({"en": "alt"}), src=src))),
        summary=draw(st.none() | texts(words)),
        description=draw(st.none() | texts(paragraphs)),
        status=draw(st.sampled_from(Status)),
        repeat=repeat,
        exceptions=exceptions,
        organizer=organizer if organizer and (organizer.name or organizer.email) else None,
    )


@st.composite
def sites(draw: st.DrawFn) -> Site:
    unique = {event.id: event for event in draw(st.lists(events(), min_size=1, max_size=6))}
    calendar = CalendarSettings(
        title=draw(texts(words)),
        url="https://agenda.example.org/",
        timezone=draw(st.sampled_from(ZONES)),
        languages=LANGS,
        description=draw(st.none() | texts(words)),
        refresh=timedelta(minutes=draw(st.integers(15, 60 * 24 * 30))),
    )
    revisions = {
        item_key(event): Revision(draw(st.integers(0, 40)), datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=s))
        for event in unique.values()
        if (s := draw(st.none() | st.integers(0, 10**9))) is not None
    }
    tags = {tag: draw(texts(words)) for tag in TAGS if draw(st.booleans())}
    ordered = tuple(sorted(unique.values(), key=lambda e: (e.first_day, e.id)))
    return Site(calendar=calendar, events=ordered, news=(), tags=tags, revisions=revisions)


def same_calendar(fast: bytes, reference: bytes) -> None:
    ours, theirs = icalendar.Calendar.from_ical(fast), icalendar.Calendar.from_ical(reference)
    assert ours == theirs
    assert ours.to_ical() == theirs.to_ical()


@settings(max_examples=120, deadline=None)
@given(sites(), st.sampled_from(LANGS), st.none() | st.sampled_from(TAGS))
def test_the_fast_calendar_parses_to_icalendars_own(site: Site, lang: str, tag: str | None):
    view = View(lang, tag=tag)
    events = view.events(site)
    fast = ics.render_calendar(site, view)
    assert all(len(line) <= 75 for line in fast.split(b"\r\n"))
    same_calendar(fast, ics_reference.render(site, ics.plan_calendar(site, events, lang, tag)))
    for event in events[:2]:
        single = ics.render_event(site, View(lang, item=event.id))
        same_calendar(single, ics_reference.render(site, ics.plan_event(site, event, lang)))


def test_the_bundled_example_and_every_fixture_match_the_reference():
    for name in ("ics-every-field.yaml", "ics-timed-zones.yaml", "ics-weekly-with-exceptions.yaml"):
        site = load_site(CONTENT / name)
        for lang in site.calendar.languages:
            fast = ics.render_calendar(site, View(lang))
            same_calendar(fast, ics_reference.render(site, ics.plan_calendar(site, site.events, lang, None)))


@given(st.text(st.sampled_from("a;é€\U0001f600ü "), max_size=300) | st.text(max_size=300))
@example("Kütahya " * 20)
@example("\U0001f600" * 40)
def test_folding_never_splits_a_character_and_unfolds_to_the_line(line: str):
    line = line.replace("\r", "").replace("\n", "")
    folded = fold(line)
    assert folded.endswith(b"\r\n")
    physical = folded[:-2].split(b"\r\n")
    assert all(len(part) <= 75 for part in physical)
    assert all(part.startswith(b" ") for part in physical[1:])
    for part in physical:
        part.decode("utf-8")  # each line is whole UTF-8 on its own
    assert folded[:-2].replace(b"\r\n ", b"").decode("utf-8") == line


def _move_workshop(content: Path) -> None:
    """Edit one event's title, keeping the file's modification time: it dates the content's unstamped items, so
    a write in a later second would change every event (and its piece), not only the edited one."""
    stat = content.stat()
    content.write_text(content.read_text().replace("title: Workshop", "title: Workshop, moved"))
    os.utime(content, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_warm_render_shows_an_edit_and_keeps_the_other_events(tmp_path: Path):
    content = tmp_path / "events.yaml"
    shutil.copy(CONTENT / "ics-every-field.yaml", content)
    before = ics.render_calendar(load_site(content), View("en"))
    _move_workshop(content)
    after = ics.render_calendar(load_site(content), View("en"))
    old, new = (
        {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")} for body in (before, after)
    )
    assert str(new["remote-image-2030@agenda.example.org"]["SUMMARY"]) == "Workshop, moved"
    for uid in ("assembly-2030@agenda.example.org", "cancelled-forum-2030@agenda.example.org"):
        assert old[uid].to_ical() == new[uid].to_ical()


def test_reused_pieces_follow_the_calendars_zone_and_address(tmp_path: Path):
    """The same YAML event under another default zone or address is another VEVENT."""
    brussels = tmp_path / "brussels.yaml"
    shutil.copy(CONTENT / "ics-one-zone.yaml", brussels)
    tokyo = tmp_path / "tokyo.yaml"
    tokyo.write_text(brussels.read_text().replace("Europe/Brussels", "Asia/Tokyo"))
    moved = tmp_path / "moved.yaml"
    moved.write_text(brussels.read_text().replace("https://example.org/", "https://events.example.net/"))
    first = ics.render_calendar(load_site(brussels), View("en"))
    assert b"DTSTART;TZID=Europe/Brussels:20210909T100000" in first
    assert b"DTSTART;TZID=Asia/Tokyo:20210909T100000" in ics.render_calendar(load_site(tokyo), View("en"))
    assert b"UID:board-meeting@events.example.net" in ics.render_calendar(load_site(moved), View("en"))


def test_an_edit_of_one_event_writes_one_new_piece(tmp_path: Path):
    content = tmp_path / "events.yaml"
    shutil.copy(CONTENT / "ics-every-field.yaml", content)
    reuse = Reuse()  # as the server reloads (calfeed/reuse.py)
    ics.PIECES.clear()
    ics.render_calendar(load_site(content, reuse=reuse), View("en"))
    written = len(ics.PIECES)
    _move_workshop(content)
    site = load_site(content, reuse=reuse)
    assert b"SUMMARY:Workshop\\, moved" in ics.render_calendar(site, View("en"))
    assert len(ics.PIECES) == written + 1


def test_pieces_are_kept_up_to_a_byte_budget_least_recently_used_first(monkeypatch):
    site = load_site(CONTENT / "ics-every-field.yaml")
    sizes = [len(text) + ics.PIECE_OVERHEAD for text in ics.vevents(site, site.events, "en")]
    monkeypatch.setattr(ics, "PIECES", ics.Pieces(budget=sum(sizes) - 1))  # one piece too small for all
    ics.render_calendar(site, View("en"))
    assert len(ics.PIECES) == len(sizes) - 1  # the first event's piece, least recently used, went
    first, last = site.events[0], site.events[-1]
    assert ics.PIECES.get(first, ics.piece_keys(site, [first], "en")[0]) is None
    assert ics.PIECES.get(last, ics.piece_keys(site, [last], "en")[0]) is not None
    monkeypatch.setattr(ics, "PIECES", ics.Pieces(budget=min(sizes) - 1))  # no piece fits: none is kept
    assert ics.render_calendar(site, View("en")) == ics.render_calendar(site, View("en"))
    assert len(ics.PIECES) == 0


def test_pieces_a_reload_cannot_use_are_dropped_and_the_rest_trimmed_to_a_size(tmp_path: Path, monkeypatch):
    content = tmp_path / "events.yaml"
    shutil.copy(CONTENT / "ics-every-field.yaml", content)
    monkeypatch.setattr(ics, "PIECES", ics.Pieces())
    reuse = Reuse()  # as the server reloads (calfeed/reuse.py)
    old = load_site(content, reuse=reuse)
    ics.render_calendar(old, View("en"))
    _move_workshop(content)
    new = load_site(content, reuse=reuse)
    ics.render_calendar(new, View("en"))
    assert len(ics.PIECES) == len(old.events) + 1  # the edited event's old piece too
    ics.PIECES.retain(new)
    assert len(ics.PIECES) == len(new.events)
    texts = ics.vevents(new, new.events, "en")
    assert len(ics.PIECES) == len(new.events)  # every piece was there
    assert ics.PIECES.size == sum(len(text) + ics.PIECE_OVERHEAD for text in texts)
    half = ics.PIECES.size // 2
    ics.PIECES.trim(half)
    assert 0 < ics.PIECES.size <= half
    content.write_text(content.read_text().replace("{en: Every field,", "{en: All fields,", 1))
    ics.PIECES.retain(load_site(content, reuse=reuse))  # the same events, another calendar name: no piece serves
    assert len(ics.PIECES) == 0
