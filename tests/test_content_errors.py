"""Field-level validation: every problem names its file, line, column and field, and says what was expected."""

from __future__ import annotations

import pytest

from calfeed.content import load_site, read_content
from calfeed.problems import ContentError


def _where(problem):
    return problem.file, problem.line, problem.column, problem.field


def test_unknown_key_is_reported_with_a_suggestion(content_dir):
    site, problems = read_content("unknown_key.yaml")
    assert site is None
    assert [p.field for p in problems] == ["events[0]", "events[0].titel"]
    missing, typo = problems
    assert _where(typo) == ("unknown_key.yaml", 6, 5, "events[0].titel")
    assert typo.message.startswith("unknown field 'titel' (did you mean 'title'?)")
    # The typo also leaves the event without its title, and the editor is told that too.
    assert _where(missing) == ("unknown_key.yaml", 5, 5, "events[0]")
    assert missing.message == "title is missing (expected title: in every event)"


def test_unknown_top_level_key_suggests_the_section(only_problem):
    problem = only_problem("unknown_top_level_key.yaml")
    assert _where(problem) == ("unknown_top_level_key.yaml", 4, 1, "event")
    assert str(problem) == (
        "unknown_top_level_key.yaml:4:1: event: unknown field 'event' (did you mean 'events'?) "
        "(expected one of calendar, events, news, tags)"
    )


def test_missing_required_fields_are_reported_at_their_item(content_dir):
    site, problems = read_content("missing_required.yaml")
    assert site is None
    assert [(_where(p), p.message) for p in problems] == [
        (("missing_required.yaml", 2, 3, "calendar"), "url is missing (expected url: in every calendar)"),
        (("missing_required.yaml", 4, 5, "events[0]"), "start is missing (expected start: in every event)"),
        (("missing_required.yaml", 8, 5, "news[0]"), "title is missing (expected title: in every news post)"),
    ]


def test_wrong_types_are_reported_with_what_was_expected(content_dir):
    site, problems = read_content("wrong_types.yaml")
    assert site is None
    assert [(_where(p), p.message) for p in problems] == [
        (("wrong_types.yaml", 6, 12, "events[0].title"), "is a list (expected text, or a mapping of language to text)"),
        (
            ("wrong_types.yaml", 10, 12, "events[0].location.lat"),
            "'north' is not a number (expected a number from -90 to 90)",
        ),
        (("wrong_types.yaml", 13, 7, "events[0].tags"), "is a mapping (expected a list)"),
        (
            ("wrong_types.yaml", 14, 13, "events[0].status"),
            "'maybe' is not a status (expected confirmed, tentative or cancelled)",
        ),
    ]


def test_duplicate_id_in_one_file_names_both_places(only_problem):
    problem = only_problem("duplicate_id.yaml")
    assert _where(problem) == ("duplicate_id.yaml", 9, 9, "events[1].id")
    assert problem.message == "duplicate event id 'board-meeting' (first defined at duplicate_id.yaml:5)"


def test_duplicate_id_across_files_names_both_files(only_problem):
    problem = only_problem("duplicate_id_across_files")
    assert _where(problem) == ("duplicate_id_across_files/b_more_events.yaml", 6, 9, "events[1].id")
    assert problem.message == (
        "duplicate event id 'board-meeting' (first defined at duplicate_id_across_files/a_calendar.yaml:5)"
    )


def test_image_without_alt_text_is_reported(only_problem):
    problem = only_problem("image_without_alt.yaml")
    assert _where(problem) == ("image_without_alt.yaml", 10, 7, "events[0].image")
    assert problem.message.startswith("image has no alt text (expected alt:")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "url_not_absolute.yaml",
            "'www.example.org/board' is not an absolute URL (expected http, https or mailto, e.g. https://example.org/)",
        ),
        ("url_javascript_scheme.yaml", "URL scheme 'javascript:' is not allowed (expected http, https or mailto)"),
        ("url_ftp_scheme.yaml", "URL scheme 'ftp:' is not allowed (expected http, https or mailto)"),
    ],
)
def test_invalid_urls_and_schemes_are_reported(only_problem, name, message):
    problem = only_problem(name)
    assert _where(problem) == (name, 9, 10, "events[0].url")
    assert problem.message == message


def test_escaped_control_character_in_a_string_is_reported(only_problem):
    problem = only_problem("control_character_escaped.yaml")  # title: "Board\x01meeting"
    assert _where(problem) == ("control_character_escaped.yaml", 6, 12, "events[0].title")
    assert problem.message == "contains control character U+0001 at position 6 (expected printable text)"


def test_bad_slug_id_is_reported_with_a_usable_one(only_problem):
    problem = only_problem("bad_slug.yaml")
    assert _where(problem) == ("bad_slug.yaml", 5, 9, "events[0].id")
    assert problem.message == (
        "'Board Meeting 2021' is not a valid id "
        "(expected lowercase letters, digits and hyphens, like 'board-meeting-2021')"
    )


def test_unknown_language_in_a_text_is_reported(only_problem):
    problem = only_problem("unknown_language.yaml")
    assert _where(problem) == ("unknown_language.yaml", 9, 7, "events[0].title.de")
    assert problem.message == "language 'de' is not in calendar.languages (expected one of en, es)"


def test_news_linking_an_unknown_event_is_reported(only_problem):
    problem = only_problem("news_unknown_event.yaml")
    assert _where(problem) == ("news_unknown_event.yaml", 13, 14, "news[0].events[0]")
    assert problem.message == (
        "unknown event id 'bord-meeting' (did you mean 'board-meeting'?) (expected the id of an event)"
    )


def test_bad_rrule_is_reported(only_problem):
    problem = only_problem("bad_rrule.yaml")
    assert _where(problem) == ("bad_rrule.yaml", 9, 13, "events[0].repeat")
    assert problem.message.startswith("'FREQ=FORTNIGHTLY;COUNT=4' is not a valid RRULE")
    assert problem.message.endswith("(expected e.g. FREQ=WEEKLY;COUNT=4)")


def test_unbounded_minutely_rule_is_reported(only_problem):
    problem = only_problem("rrule_minutely_forever.yaml")
    assert _where(problem) == ("rrule_minutely_forever.yaml", 9, 13, "events[0].repeat")
    assert problem.message == "repeats minutely forever (expected COUNT= or UNTIL=)"


def test_all_problems_are_reported_at_once(content_dir):
    site, problems = read_content("three_errors.yaml")
    assert site is None
    assert [_where(p) for p in problems] == [
        ("three_errors.yaml", 7, 12, "events[0].start"),
        ("three_errors.yaml", 9, 10, "events[0].url"),
        ("three_errors.yaml", 10, 5, "events[0].summray"),
    ]
    assert all(p.severity == "error" for p in problems)
    with pytest.raises(ContentError, match=r"three_errors\.yaml:7:12: events\[0\]\.start: 2021-02-30") as caught:
        load_site("three_errors.yaml")
    assert len(caught.value.problems) == 3
    assert str(caught.value).splitlines() == [str(p) for p in problems]
