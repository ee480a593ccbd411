"""Values that look harmless but would publish something wrong: empty text, stray tags, near-misses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from calfeed.cli import main
from calfeed.content import read_content
from calfeed.model import Organizer


def _where(problem):
    return problem.file, problem.line, problem.column, problem.field


def test_empty_and_blank_values_are_reported(content_dir):
    site, problems = read_content("empty_values.yaml")
    assert site is None
    assert [(_where(p), p.message) for p in problems] == [
        (("empty_values.yaml", 6, 12, "events[0].title"), "is empty (expected text, or a mapping of language to text)"),
        (
            ("empty_values.yaml", 10, 12, "events[1].title"),
            "is blank (expected text, or a mapping of language to text)",
        ),
        (
            ("empty_values.yaml", 16, 9, "events[2].end"),
            "is empty (expected a date like 2021-09-09 or a date and time like 2021-09-09 10:00)",
        ),
    ]


def test_a_tag_on_a_list_is_refused(only_problem):
    problem = only_problem("tag_on_a_list.yaml")
    assert _where(problem) == ("tag_on_a_list.yaml", 4, 9, "events")
    assert problem.message == "YAML tag !!python/object/apply:os.system is not supported (expected plain values)"


def test_a_tag_labelled_in_two_files_names_both(only_problem):
    problem = only_problem("tag_labelled_twice")
    assert _where(problem) == ("tag_labelled_twice/more.yaml", 2, 3, "tags.culture")
    assert problem.message == "duplicate tag 'culture' (first defined at tag_labelled_twice/calendar.yaml:5)"


def test_a_misspelled_status_suggests_the_right_one(only_problem):
    problem = only_problem("status_misspelled.yaml")
    assert _where(problem) == ("status_misspelled.yaml", 9, 13, "events[0].status")
    assert problem.message == (
        "'canceled' is not a status (did you mean 'cancelled'?) (expected confirmed, tentative or cancelled)"
    )


def test_a_timezone_on_an_all_day_event_is_a_warning(content_dir):
    site, problems = read_content("timezone_on_all_day_event.yaml")
    assert site is not None
    (warning,) = problems
    assert warning.severity == "warning"
    assert _where(warning) == ("timezone_on_all_day_event.yaml", 8, 5, "events[0].timezone")


def test_exceptions_are_occurrences_at_the_usual_time(content_dir):
    site, problems = read_content("repeat_exceptions.yaml")
    assert problems == []
    call, walk = site.event("weekly-call"), site.event("weekly-walk")
    # A bare date on a timed event means that day's occurrence, at the event's time, in its zone.
    assert [moment.astimezone(UTC) for moment in call.exceptions] == [
        datetime(2021, 3, 29, 16, 0, tzinfo=UTC),  # 18:00 in Berlin, summer time from 28 March
        datetime(2021, 4, 5, 16, 0, tzinfo=UTC),
    ]
    assert walk.exceptions == (date(2021, 3, 27),)


def test_an_exception_that_is_not_an_occurrence_is_reported(only_problem):
    problem = only_problem("except_not_an_occurrence.yaml")
    assert _where(problem) == ("except_not_an_occurrence.yaml", 10, 14, "events[0].except[0]")
    assert problem.message.startswith("2021-03-28 is not one of the event's occurrences")


def test_check_honours_calfeed_max_bytes(runner, content_dir):
    result = runner.invoke(main, ["check", "repeat_exceptions.yaml"], env={"CALFEED_MAX_BYTES": "100"})
    assert result.exit_code == 1, result.output
    assert "repeat_exceptions.yaml: content is over 100 bytes" in result.stderr


def test_calendar_options_and_organizers_are_read(content_dir):
    site, problems = read_content("calendar_options.yaml")
    assert problems == [] and site is not None
    assert site.calendar.refresh == timedelta(hours=12)
    assert (site.calendar.past_days, site.calendar.feed_limit) == (365, 20)
    board, forum = site.events
    assert board.organizer == Organizer(name="UCLG World Secretariat", email="events@example.org")
    assert forum.organizer == Organizer(name="Forum team")


def test_calendar_options_default_to_six_hours_every_event_and_fifty_entries(content_dir):
    site, _ = read_content("istanbul_timed_event.yaml")
    assert site is not None
    assert (site.calendar.refresh, site.calendar.past_days, site.calendar.feed_limit) == (timedelta(hours=6), None, 50)


def test_wrong_calendar_options_and_organizer_email_are_reported(content_dir):
    site, problems = read_content("calendar_options_wrong.yaml")
    assert site is None
    assert [(_where(p), p.message) for p in problems] == [
        (
            ("calendar_options_wrong.yaml", 4, 18, "calendar.refresh_hours"),
            "0 is out of range (expected a number from 0.25 to 720)",
        ),
        (
            ("calendar_options_wrong.yaml", 5, 14, "calendar.past_days"),
            "'1.5' is not a whole number (expected a whole number from 0 to 36500)",
        ),
        (
            ("calendar_options_wrong.yaml", 6, 15, "calendar.feed_limit"),
            "'many' is not a whole number (expected a whole number from 1 to 10000)",
        ),
        (
            ("calendar_options_wrong.yaml", 12, 37, "events[0].organizer.email"),
            "'not-an-address' is not an email address (expected e.g. events@example.org)",
        ),
    ]


def test_language_codes_are_kept_in_one_form(content_dir):
    site, problems = read_content("language_codes.yaml")
    assert [(_where(p), p.message) for p in problems] == [
        (("language_codes.yaml", 6, 38, "calendar.languages[3]"), "language 'pt-BR' is listed twice"),
        (
            ("language_codes.yaml", 6, 45, "calendar.languages[4]"),
            "'de-DE-1996' is not a language code (expected a language, maybe a script and a region:"
            " en, es, fr, pt-BR, zh-Hant-TW)",
        ),
    ]
    assert site is None


def test_language_codes_in_any_case_are_published_in_one_form(content_dir, tmp_path):
    fixed = tmp_path / "events.yaml"
    fixed.write_text((content_dir / "language_codes.yaml").read_text().replace(", PT-BR, de-DE-1996", ""))
    site, problems = read_content(fixed)
    assert problems == [] and site is not None
    assert site.calendar.languages == ("en", "pt-BR", "zh-Hant-TW")
    assert site.events[0].title.get("pt-BR", "en") == "Caminhada"
    assert site.calendar.title.get("zh-Hant-TW", "en") == "行事曆"
