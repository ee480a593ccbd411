"""Dates, times and zones: what cannot be, what is ambiguous, and what a valid time becomes."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from calfeed.content import load_site, read_content


def _where(problem):
    return problem.file, problem.line, problem.column, problem.field


def test_impossible_date_is_reported(only_problem):
    problem = only_problem("impossible_date.yaml")
    assert _where(problem) == ("impossible_date.yaml", 7, 12, "events[0].start")
    assert problem.message.startswith("2021-02-30 is not a real date")
    assert problem.message.endswith("(expected a date like 2021-09-09 or a date and time like 2021-09-09 10:00)")


def test_end_before_start_is_reported(only_problem):
    problem = only_problem("end_before_start.yaml")
    assert _where(problem) == ("end_before_start.yaml", 8, 10, "events[0].end")
    assert problem.message == "2021-09-08 is before start 2021-09-09 (expected the last day, on or after the start)"


def test_timed_end_before_start_is_reported_in_the_calendar_zone(only_problem):
    problem = only_problem("end_before_start_timed.yaml")
    assert _where(problem) == ("end_before_start_timed.yaml", 9, 10, "events[0].end")
    # No event timezone: local times are in the calendar's zone, Europe/Berlin (+02:00 in September).
    assert problem.message == (
        "2021-09-09T09:30:00+02:00 is before start 2021-09-09T10:00:00+02:00 (expected an end after the start)"
    )


def test_unknown_event_timezone_is_reported_with_a_suggestion(only_problem):
    problem = only_problem("unknown_timezone.yaml")
    assert _where(problem) == ("unknown_timezone.yaml", 8, 15, "events[0].timezone")
    assert problem.message == (
        "unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?) (expected an IANA name like Europe/Istanbul)"
    )


def test_unknown_calendar_timezone_is_reported(only_problem):
    problem = only_problem("unknown_calendar_timezone.yaml")
    assert _where(problem) == ("unknown_calendar_timezone.yaml", 4, 13, "calendar.timezone")
    assert problem.message.startswith("unknown time zone 'Mars/Olympus_Mons'")


def test_calendar_without_timezone_uses_utc(content_dir):
    site = load_site("calendar_without_timezone.yaml")
    assert site.calendar.timezone == "UTC"
    assert site.events[0].start == datetime(2021, 9, 9, 10, 0, tzinfo=UTC)


def test_local_time_mixed_with_an_offset_is_reported(only_problem):
    problem = only_problem("local_and_offset_mixed.yaml")  # start 10:00, end 12:00+02:00
    assert _where(problem) == ("local_and_offset_mixed.yaml", 8, 10, "events[0].end")
    assert problem.message.startswith("mixes a local time and a time with a UTC offset")


def test_date_mixed_with_a_date_time_is_reported(only_problem):
    problem = only_problem("date_and_datetime_mixed.yaml")
    assert _where(problem) == ("date_and_datetime_mixed.yaml", 8, 10, "events[0].end")
    assert problem.message.startswith("mixes a date and a date-time (start is 2021-09-09, end is 2021-09-10 12:00")
    assert problem.message.endswith("expected two dates for an all-day event or two date-times for a timed one")


def test_offset_that_disagrees_with_the_event_timezone_is_reported(only_problem):
    problem = only_problem("offset_disagrees_with_timezone.yaml")  # +02:00 in Europe/Istanbul
    assert _where(problem) == ("offset_disagrees_with_timezone.yaml", 7, 12, "events[0].start")
    assert problem.message == (
        "offset +0200 is not Europe/Istanbul's offset on that day (+0300); "
        "expected a matching offset, or a local time without one"
    )


def test_local_time_in_the_dst_gap_is_reported(only_problem):
    problem = only_problem("dst_gap.yaml")  # Europe/Berlin 2021-03-28 02:30
    assert _where(problem) == ("dst_gap.yaml", 7, 12, "events[0].start")
    assert problem.message == (
        "2021-03-28 02:30 does not exist in Europe/Berlin (the clocks go forward); "
        "expected a time outside the skipped hour"
    )


def test_ambiguous_local_time_in_the_dst_fold_is_reported(only_problem):
    problem = only_problem("dst_fold.yaml")  # Europe/Berlin 2021-10-31 02:30
    assert _where(problem) == ("dst_fold.yaml", 7, 12, "events[0].start")
    assert problem.message == (
        "2021-10-31 02:30 happens twice in Europe/Berlin (the clocks go back); "
        "expected an explicit offset, 2021-10-31T02:30+02:00 or 2021-10-31T02:30+01:00"
    )


def test_explicit_offset_resolves_the_dst_fold(content_dir):
    (event,) = load_site("dst_fold_with_offset.yaml").events
    assert event.timezone == "Europe/Berlin"
    assert event.start.astimezone(UTC) == datetime(2021, 10, 31, 1, 30, tzinfo=UTC)  # the second 02:30
    assert event.end - event.start == timedelta(hours=1, minutes=30)


def test_timed_event_in_istanbul_is_the_right_instant(content_dir):
    (event,) = load_site("istanbul_timed_event.yaml").events  # 2021-09-09 10:00 in Europe/Istanbul
    assert event.timezone == "Europe/Istanbul"
    assert not event.all_day
    assert event.start.utcoffset() == timedelta(hours=3)
    assert event.start.astimezone(UTC) == datetime(2021, 9, 9, 7, 0, tzinfo=UTC)
    assert event.end.astimezone(UTC) == datetime(2021, 9, 9, 9, 0, tzinfo=UTC)
    assert event.first_day == event.last_day == date(2021, 9, 9)


def test_a_year_out_of_range_is_reported(tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text(
        "calendar: {title: T, url: 'https://example.org/'}\n"
        "events:\n  - {id: a, title: A, online: true, start: 2021-09-09, end: 9999-12-31}\n"
    )
    site, problems = read_content(path)
    assert site is None
    assert [(p.line, p.field, p.message) for p in problems] == [
        (3, "events[0].end", "9999-12-31 is out of range (expected a year from 1000 to 9997)")
    ]


def test_an_exception_far_along_a_fine_grained_rule_is_not_walked_to(tmp_path):
    # 900 million seconds: the rule is refused as too costly after a bounded walk, before its exception is looked for.
    path = tmp_path / "events.yaml"
    path.write_text(
        "calendar: {title: T, url: 'https://example.org/', timezone: UTC}\n"
        "events:\n"
        "  - {id: a, title: A, online: true, start: 2021-01-01 00:00, repeat: 'FREQ=SECONDLY;COUNT=900000000',\n"
        "     except: [2024-01-01 00:00]}\n"
    )
    began = time.perf_counter()
    site, problems = read_content(path)
    assert time.perf_counter() - began < 2
    assert site is None
    [problem] = problems
    assert problem.field == "events[0].repeat" and "more than 10,000 occurrences" in problem.message


def test_an_event_longer_than_ten_years_is_refused_at_its_end(tmp_path):
    file = tmp_path / "events.yaml"
    file.write_text(
        "calendar:\n  title: T\n  url: https://x.example/\n"
        "events:\n  - id: a\n    title: A\n    start: 1000-01-01\n    end: 5000-01-01\n    online: true\n",
        encoding="utf-8",
    )
    site, problems = read_content(file)  # it made 48,000 month pages, and 1.4 s for /month/
    assert site is None
    [problem] = problems
    assert (problem.line, problem.field) == (8, "events[0].end")
    assert "is 1,460,970 days after the start (expected an event of at most 3,653 days" in problem.message
