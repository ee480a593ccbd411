"""Repeat rules that never occur or cost too much to expand: a located problem from `check`, quickly."""

from __future__ import annotations

import time

import pytest

from calfeed.cli import main
from calfeed.content import read_content

HEAD = "calendar:\n  title: T\n  url: https://x.example/\n  timezone: Europe/Brussels\n"
EVENT = "events:\n  - id: club\n    title: Club\n    start: {start}\n    online: true\n    repeat: {rule}\n"


def _write(tmp_path, rule, start="2030-01-01T10:00", exceptions=()):
    text = HEAD + EVENT.format(start=start, rule=rule)
    if exceptions:
        text += "    except:\n" + "".join(f"      - {day}\n" for day in exceptions)
    file = tmp_path / "events.yaml"
    file.write_text(text, encoding="utf-8")
    return file


EXCEPTIONS = [f"2030-{m:02d}-{d:02d}" for m in range(1, 12) for d in range(1, 29)][:300]
REFUSED = {
    "daily on 30 February": ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", (), "never occurs"),
    "every second on 30 February": ("FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1", (), "never occurs"),
    "30 February, with except dates": ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", ("2030-02-28",), "never occurs"),
    "99,000 days, 300 except dates": (
        "FREQ=DAILY;COUNT=99000",
        EXCEPTIONS,
        "more than 10,000 occurrences",
    ),
    "daily until 9999": ("FREQ=DAILY;UNTIL=99991231T000000Z", (), "more than 10,000 occurrences"),
    # dateutil raised IndexError (a traceback from check): the 53rd Monday of a month, or in a daily rule
    "the 53rd Monday of February": ("FREQ=YEARLY;BYDAY=53MO;BYMONTH=2", (), "past a month's fifth"),
    "a numbered weekday, daily": ("FREQ=DAILY;BYDAY=53MO;BYMONTH=2", (), "numbers a weekday in BYDAY"),
    # the start is a Tuesday: every 7th day is one, and the rule walked to 9999 on each render (2 s a page)
    "every 7th day on Mondays": ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", (), "never occurs before 2989"),
    "a second every leap day, 5,000 times": (  # 28 s to check before rules had a horizon
        "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=0;BYMINUTE=0;BYSECOND=0;COUNT=5000",
        (),
        "dates too far apart: it reaches neither its COUNT nor its UNTIL by 2057",
    ),
}


@pytest.mark.parametrize("name", REFUSED)
def test_check_refuses_the_rule_at_its_place_within_two_seconds(tmp_path, runner, name):
    rule, exceptions, words = REFUSED[name]
    file = _write(tmp_path, rule, exceptions=exceptions)
    began = time.perf_counter()
    checked = runner.invoke(main, ["check", str(file)])
    assert time.perf_counter() - began < 2
    assert checked.exit_code != 0
    assert "Traceback" not in checked.output
    assert f"{file}:10:" in checked.output and "events[0].repeat" in checked.output
    assert words in checked.output and "expected" in checked.output


@pytest.mark.parametrize(
    ("rule", "start"),
    [
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", "2032-02-29T10:00"),  # leap days only
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "2044-02-29T10:00"),  # a Monday 29 February: 28 years on
        ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=12", "2030-01-25T10:00"),
        ("FREQ=DAILY;COUNT=10000", "2030-01-01T10:00"),
    ],
)
def test_rare_and_long_rules_within_the_limits_are_accepted(tmp_path, rule, start):
    site, problems = read_content(_write(tmp_path, rule, start=start))
    assert site is not None, problems


@pytest.mark.parametrize(
    ("rule", "start", "first"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=5", "2028-03-25 10:00", "2028-03-31 10:00"),
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=3", "2028-03-01", "2028-03-06"),  # a Wednesday
        ("FREQ=DAILY;BYHOUR=9;COUNT=3", "2028-03-01 10:00", "2028-03-02 09:00"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2029-03-01", "2032-02-29"),
    ],
)
def test_a_series_must_start_on_a_date_of_its_rule(tmp_path, runner, rule, start, first):
    """RFC 5545 leaves a DTSTART its rule does not produce undefined: ical.js, dateutil and recurring-ical-events
    add it as an extra occurrence, the pages listed the rule's dates alone. check names the first date."""
    file = _write(tmp_path, rule, start=start)
    checked = runner.invoke(main, ["check", str(file)])
    assert checked.exit_code == 1, checked.output
    assert f"{file}:8:12: events[0].start: {start} is not a date of its repeat rule" in checked.output
    assert f"(expected the series to start on its first date, {first})" in checked.output
    site, _ = read_content(_write(tmp_path, rule, start=first))
    assert site is not None


def test_many_except_dates_are_checked_against_one_walk(tmp_path):
    days = [f"2031-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)][:300]
    began = time.perf_counter()
    site, problems = read_content(_write(tmp_path, "FREQ=DAILY;COUNT=9000", exceptions=days))
    assert time.perf_counter() - began < 2
    assert site is not None, problems
    assert len(site.events[0].exceptions) == 300
