"""The calendar's bytes, as strict readers see them, and the single-line fields they come from.

On every calendar variant (whole, per tag, per language, each event download) of several contents
and of generated content: every line ends in CRLF and nothing else; no physical line is over 75
octets; no fold splits a UTF-8 sequence or a backslash escape; no control character but the CRLFs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calfeed.content import load_site, read_content
from calfeed.model import CalendarSettings, Event, Location, Organizer, Site, Text
from calfeed.render import View, ics
from calfeed.render.ics_lines import Prop, content_line, fold
from calfeed.routes import every_route, path

from conftest import BUNDLED, CONTENT

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def broken_rules(body: bytes) -> list[str]:
    """Each byte-level rule `body` breaks, with the line it breaks it on; [] when it keeps them all."""
    if not body.endswith(b"\r\n"):
        return ["the last line does not end in CRLF"]
    found = []
    physical = body[:-2].split(b"\r\n")
    logical, cuts = b"", []  # the unfolded line being read, and where its folds were
    for number, line in enumerate(physical, 1):
        if b"\r" in line or b"\n" in line:
            found.append(f"line {number}: a bare CR or LF: {line!r}")
        if len(line) > 75:
            found.append(f"line {number}: {len(line)} octets: {line!r}")
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            found.append(f"line {number}: a fold splits a UTF-8 sequence: {line!r}")
            text = line.decode("utf-8", "replace")
        if _CONTROL.search(text.replace("\r", "").replace("\n", "")):
            found.append(f"line {number}: a control character: {line!r}")
        if line.startswith(b" "):  # a continuation: the fold was just before it
            cuts.append(len(logical))
            logical += line[1:]
        else:
            logical, cuts = line, []
        for cut in cuts[-1:] if line.startswith(b" ") else []:
            backslashes = len(logical[:cut]) - len(logical[:cut].rstrip(b"\\"))
            if backslashes % 2:
                found.append(f"line {number}: a fold splits an escape: {physical[number - 2]!r} / {line!r}")
    return found


def every_calendar(site: Site) -> dict[str, bytes]:
    """Every calendar variant of `site`, by path, rendered as the server renders it."""
    found = {}
    for route in every_route(site):
        if route.format == "calendar":
            found[path(route)] = ics.render_calendar(site, View(route.lang, tag=route.tag))
        elif route.format == "event-ics":
            found[path(route)] = ics.render_event(site, View(route.lang, item=route.item))
    return found


@pytest.mark.parametrize(
    "content",
    [BUNDLED, CONTENT / "ics-differential.yaml", CONTENT / "ics-every-field.yaml", CONTENT / "ics-timed-zones.yaml"],
    ids=lambda p: p.name,
)
def test_every_variant_keeps_the_byte_rules(content):
    calendars = every_calendar(load_site(content))
    assert len(calendars) > 2
    for url, body in calendars.items():
        assert not broken_rules(body), f"{url}: " + "\n".join(broken_rules(body))


def test_the_rules_catch_what_they_are_for():
    assert broken_rules(b"A:b\r\n") == []
    assert broken_rules(b"A:b\n")
    assert broken_rules(b"A:b\rc\r\n")
    assert broken_rules(b"A:" + b"x" * 74 + b"\r\n")
    assert broken_rules("A:é".encode()[:-1] + b"\r\n " + "é".encode()[-1:] + b"\r\n")
    assert broken_rules(b"A:x\\\r\n n\r\n")
    assert broken_rules(b"A:x\\\\\r\n n\r\n") == []  # an escaped backslash, then an n
    assert broken_rules(b"A:x\ty\r\n")


def test_a_fold_never_splits_an_escaped_newline():
    """icalendar issue #1501: a fold between the backslash and the n. Google Calendar drops such events."""
    for width in range(60, 80):
        line = content_line(Prop("DESCRIPTION", "a" * width + "\nb"))
        assert b"\\\r\n n" not in line
        assert not broken_rules(line)
        assert line.replace(b"\r\n ", b"").startswith(b"DESCRIPTION:" + b"a" * width + b"\\nb")


def test_a_bare_carriage_return_cannot_invent_a_property():
    """A CR in an organizer's name would end the line in readers that split on a lone CR."""
    prop = Prop("ORGANIZER", "mailto:a@example.org", (("CN", "Office\rATTENDEE:mailto:x@example.org"),))
    line = content_line(prop)
    assert b"\r" not in line[:-2] and not broken_rules(line)
    assert line.startswith(b'ORGANIZER;CN="Office^nATTENDEE:mailto:x@example.org":')
    summary = content_line(Prop("SUMMARY", "One\rtwo\x00\tthree\x85"))
    assert summary == b"SUMMARY:One\\ntwo three\r\n"


def test_line_breaks_and_tabs_in_single_line_fields_are_reported_where_they_are(content_dir):
    site, problems = read_content("line_breaks_in_one_line_fields.yaml")
    assert site is None
    found = {(p.line, p.field): p.message for p in problems}
    assert found == {
        (5, "tags.culture"): "contains a line break (U+000A) at position 8 (expected one line of text: "
        "write it on one line, or use >- in YAML to fold it)",
        (8, "events[0].title"): "contains a line break (U+000D) at position 6 (expected one line of text: "
        "write it on one line, or use >- in YAML to fold it)",
        (10, "events[0].location.name"): "contains a line break (U+000D) at position 5 (expected one line of "
        "text: write it on one line, or use >- in YAML to fold it)",
        (10, "events[0].location.city"): "contains a tab (U+0009) at position 9 (expected one line of text: "
        "write it on one line, or use >- in YAML to fold it)",
        (11, "events[0].organizer.name"): "contains a line break (U+000D) at position 12 (expected one line of "
        "text: write it on one line, or use >- in YAML to fold it)",
    }


def test_a_series_cannot_start_at_a_time_that_happens_twice(only_problem):
    problem = only_problem("repeat_starts_in_repeated_hour.yaml")
    assert (problem.line, problem.field) == (8, "events[0].start")
    assert problem.message.startswith("2027-11-07T01:30:00-05:00 happens twice in America/New_York")


# -- generated content ----------------------------------------------------------------------------

nasty = st.lists(
    st.sampled_from(["a", " ", ",", ";", "\\", "\\n", "n", ":", '"', "^", "é", "ğ", "ع", "ক", "中", "🏙️", "\n"]),
    min_size=1,
    max_size=120,
).map("".join)
one_line = nasty.map(lambda text: text.replace("\n", " ")).filter(str.strip)


@settings(max_examples=60, deadline=None)
@given(one_line, nasty, one_line, one_line, st.integers(0, 70))
@example("a" * 62 + "\\", "b" * 64 + "\n" + "c", "x", "y", 0)
def test_generated_text_keeps_the_byte_rules_in_every_variant(title, description, place, name, pad):
    zone = ZoneInfo("Europe/Istanbul")
    start = datetime(2027, 3, 10, 19, tzinfo=zone)
    event = Event(
        id="generated",
        title=Text({"en": "x" * pad + title, "es": title}),
        start=start,
        end=start + timedelta(hours=2),
        timezone="Europe/Istanbul",
        summary=Text({"en": description}),
        location=Location(name=Text({"en": place}), city=name),
        organizer=Organizer(name=name, email="events@example.org"),
        tags=("culture",),
    )
    settings_ = CalendarSettings(Text({"en": title}), "https://agenda.example.org/", "UTC", ("en", "es"))
    site = Site(calendar=settings_, events=(event,), news=(), tags={"culture": Text({"en": place})})
    for url, body in every_calendar(site).items():
        assert not broken_rules(body), f"{url}: " + "\n".join(broken_rules(body))
        [read] = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert str(read["SUMMARY"]) in (title, "x" * pad + title)
        assert str(read["LOCATION"]).startswith(place)


@given(st.text(st.sampled_from("a\\né€\U0001f600;, "), max_size=300))
def test_folding_never_splits_an_escape_or_a_character(text):
    folded = content_line(Prop("DESCRIPTION", text))
    assert not broken_rules(folded)
    assert fold("X:" + text.replace("\n", "")).endswith(b"\r\n")


def test_x_wr_timezone_is_left_out_when_a_time_is_written_in_utc():
    zone = ZoneInfo("America/New_York")
    second = datetime(2027, 11, 7, 6, 30, tzinfo=UTC).astimezone(zone)  # the second 01:30
    event = Event(id="late", title=Text({"en": "Late"}), start=second, end=second, timezone=zone.key)
    site = Site(CalendarSettings(Text({"en": "T"}), "https://a.example.org/", zone.key, ("en",)), (event,), ())
    body = ics.render_calendar(site, View("en"))
    assert b"DTSTART:20271107T063000Z\r\n" in body and b"DTEND" not in body
    assert b"X-WR-TIMEZONE" not in body  # a client would move the UTC time to New York's clock
