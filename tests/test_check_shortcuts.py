"""The shortcuts the checks take on the common path (valid content) give what the full checks give: the
same value and the same problems, whatever the input."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from calfeed import checks
from calfeed.checks import FieldChecker
from calfeed.dates import localize
from calfeed.problems import Problems

ZONES = st.sampled_from(
    ["Europe/Brussels", "America/Toronto", "Australia/Lord_Howe", "Europe/Dublin", "America/Santiago", "UTC"]
).map(ZoneInfo)
# around the days clocks change in most zones, at the hours they change
NEAR_TRANSITIONS = st.builds(
    datetime,
    st.integers(1900, 2060),
    st.sampled_from([3, 4, 9, 10, 11]),
    st.integers(1, 30),
    st.integers(0, 3),
    st.sampled_from([0, 15, 30, 59]),
    st.sampled_from([0, 59]),
    st.sampled_from([0, 999_999]),
    fold=st.sampled_from([0, 1]),
)


def _localized_by_replace(naive: datetime, zone: ZoneInfo) -> tuple[datetime, bool]:
    """What `localize` returns, as it was written with `datetime.replace`: the aware time, and whether it is fine."""
    first = naive.replace(tzinfo=zone, fold=0)
    return first, first.utcoffset() == naive.replace(tzinfo=zone, fold=1).utcoffset()


@settings(max_examples=400, deadline=None)
@given(NEAR_TRANSITIONS, ZONES)
def test_localize_attaches_the_zone_as_replace_does(naive: datetime, zone: ZoneInfo) -> None:
    aware, trouble = localize(naive, zone)
    expected, fine = _localized_by_replace(naive, zone)
    assert (repr(aware), aware.fold, trouble is None) == (repr(expected), expected.fold, fine)


class _Forgetful(set[str]):
    """A set that never holds anything: `FieldChecker.tags` without its memory of valid tags."""

    def __contains__(self, item: object) -> bool:
        return False


TAG_LIKE = st.sampled_from(["culture", "music", "Music", "a b", "", " ", "x" * 61, "jazz-2"]) | st.text(max_size=3)
TAG_VALUES: st.SearchStrategy[Any] = TAG_LIKE | st.none() | st.lists(TAG_LIKE, max_size=2)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(TAG_VALUES, max_size=6) | TAG_LIKE, max_size=6), st.integers(0, 101))
def test_tags_seen_before_are_taken_as_the_checks_take_them(lists: list[Any], known: int) -> None:
    """`FieldChecker.tags` takes a tag it found valid before without checking it again: the same tags, uses and
    problems as a checker that checks every one (`known` tags already counted: near the content's limit too)."""
    results = []
    for forgetful in (False, True):
        problems = Problems()
        check = FieldChecker(problems.in_file("events.yaml"), tag_names={f"t{i}" for i in range(known)})
        if forgetful:
            check._slugs = _Forgetful()
        with mock.patch.object(checks, "_plain", lambda raw, most: False) if forgetful else nullcontext():
            values = [check.tags(raw, ("events", i, "tags")) for i, raw in enumerate(lists)]
        results.append((values, check.tag_uses, sorted(check.tag_names), problems.pending))
    assert results[0] == results[1]


TEXTS = st.sampled_from(["Fair", " ", "", "a\tb", "x" * 201, "Fair \u202e", "é"]) | st.text(max_size=4) | st.none()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["en", "EN", "es", "pt-br", "xx", "en-"]), TEXTS, max_size=4) | TEXTS)
def test_texts_in_languages_are_taken_as_the_string_check_takes_them(raw: Any) -> None:
    """`FieldChecker.text` takes each plain string of a mapping of languages as `string` would, and knows each
    language key it has seen: the same text and problems as the full checks of each string, by a fresh checker."""
    results = []
    for full in (False, True):
        problems = Problems()
        check = FieldChecker(problems.in_file("events.yaml"), ("en", "es", "pt-BR"))
        values = []
        with mock.patch.object(checks, "_plain", lambda raw, most: False) if full else nullcontext():
            for i in range(3):
                if full:
                    check._languages_given = {}
                values.append(check.line(raw, ("events", i, "title")))
        results.append((values, problems.pending))
    assert results[0] == results[1]
