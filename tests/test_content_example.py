"""The bundled events.yaml: it validates, and it says what the UCLG listing says."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from calfeed.content import load_site, read_content
from calfeed.problems import ContentError

BUNDLED = Path(__file__).parent.parent / "events.yaml"


@pytest.fixture(scope="module")
def example():
    site, problems = read_content(BUNDLED)
    assert site is not None, "\n".join(map(str, problems))
    return site, problems


def test_bundled_example_loads_without_errors(example):
    site, problems = example
    assert len(site.events) == 4
    assert len(site.news) == 6
    assert [p.severity for p in problems] == ["warning", "warning"]


def test_only_the_two_undated_news_posts_are_warned_about(example):
    _, problems = example
    assert [(p.file, p.field) for p in problems] == [(str(BUNDLED), "news[3]"), (str(BUNDLED), "news[5]")]
    assert all(p.message.startswith("has no date: dated ") for p in problems)


@pytest.mark.parametrize(
    ("event_id", "first_day", "last_day", "city", "attendance"),
    [
        ("culture-summit-2021", date(2021, 9, 9), date(2021, 9, 11), "Izmir", "mixed"),
        ("resilient-city-training-2021", date(2021, 9, 6), date(2021, 9, 26), None, "online"),
        ("intermediary-cities-forum-2021", date(2021, 10, 5), date(2021, 10, 8), "Kütahya", "offline"),
        ("culturopolis-2022", date(2022, 11, 16), date(2022, 11, 19), "Barcelona", "offline"),
    ],
)
def test_bundled_events_have_the_listing_dates_and_places(example, event_id, first_day, last_day, city, attendance):
    event = example[0].event(event_id)
    assert event is not None
    assert event.all_day
    assert (event.first_day, event.last_day) == (first_day, last_day)
    assert (event.location.city if event.location else None) == city
    assert event.attendance == attendance


def test_undated_news_follow_the_documented_rule(example):
    dates = {entry.id: (entry.date, entry.date_given) for entry in example[0].news}
    # Linked to an event: the last day of that event.
    assert dates["culturopolis-2022"] == (date(2022, 11, 19), False)
    # Linked to none: when it first appeared, which events.history.json records as the date an earlier
    # rule gave it (the earliest date in the content, the training programme's first day).
    assert dates["peer-learning-note-30"] == (date(2021, 9, 6), False)
    assert dates["wethe15-adds-uclg"] == (date(2022, 12, 2), True)


def test_accessibility_is_one_tag_in_two_languages(example):
    site = example[0]
    assert dict(site.tags["accessibility"].values) == {"en": "accesibility", "es": "accesibilidad"}
    assert site.tag_label("accessibility", "fr") == "accesibility"  # French falls back to English


def test_strict_load_fails_on_the_undated_news_warnings():
    with pytest.raises(ContentError, match=r"news\[5\]: warning: has no date: dated 2022-11-19") as caught:
        load_site(BUNDLED, strict=True)
    assert len(caught.value.problems) == 2
    assert load_site(BUNDLED).events  # without strict, warnings do not stop publishing
