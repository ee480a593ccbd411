"""What the renderers remember between pages gives what they would compute afresh.

Spans are kept by the start and end as written, day names by day and language, and template messages by
catalog; `calfeed build` keeps the month links of a view. Each is checked here against what it replaces:
Babel formatting anew, and Jinja's own newstyle gettext.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from jinja2 import Environment

from calfeed.content import load_site
from calfeed.model import Event
from calfeed.render import i18n, text
from calfeed.render.html import make_environment

from conftest import CONTENT, TEMPLATES

BRUSSELS, ISTANBUL = ZoneInfo("Europe/Brussels"), ZoneInfo("Europe/Istanbul")


def timed_event() -> Event:
    site = load_site(CONTENT / "istanbul_timed_event.yaml")
    return next(event for event in site.events if not event.all_day)


def at(event: Event, start: datetime, end: datetime, zone: str | None) -> Event:
    return dataclasses.replace(event, start=start, end=end, timezone=zone)


def test_the_same_instant_in_other_zones_shows_each_zones_own_time():
    event = timed_event()
    instant = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
    variants = [
        at(event, instant.astimezone(BRUSSELS), instant.astimezone(BRUSSELS) + timedelta(hours=2), "Europe/Brussels"),
        at(event, instant.astimezone(ISTANBUL), instant.astimezone(ISTANBUL) + timedelta(hours=2), "Europe/Istanbul"),
        at(event, instant.astimezone(timezone(timedelta(hours=5))), instant + timedelta(hours=2), None),
    ]
    for lang in ("en", "es", "fr"):
        fresh = [text._format_span(variant, lang) for variant in variants]
        assert len(set(fresh)) == 3, fresh
        for _ in range(2):  # asked again, and after the others were kept
            assert [text.format_span(variant, lang) for variant in variants] == fresh


def test_an_end_one_fold_later_is_an_end_not_a_moment():
    """01:30 on the night clocks go back, twice: the second is an hour later (fold=1), so the event has an end
    ("01:30–01:30"), where an event at the first 01:30 alone has none. Equal datetimes, different spans."""
    event = timed_event()
    first = datetime(2024, 10, 27, 1, 30, tzinfo=ZoneInfo("Europe/London"))
    moment = at(event, first, first, "Europe/London")
    hour = at(event, first, first.replace(fold=1), "Europe/London")
    assert moment.end == hour.end and not moment.has_end and hour.has_end
    assert text.format_span(moment, "en") == text._format_span(moment, "en")
    assert text.format_span(hour, "en") == text._format_span(hour, "en") != text.format_span(moment, "en")


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_day_names_are_babels(lang):
    day = datetime(2021, 9, 9, tzinfo=UTC).date()
    from babel.dates import format_date

    locale = i18n.date_locale(lang)
    for _ in range(2):
        assert text.format_day(day, lang) == format_date(day, "long", locale=locale)
        assert text.format_full_day(day, lang) == format_date(day, "full", locale=locale)


TEMPLATE = """{{ _("Skip to content") }}|{{ _("Events in %(month)s", month=month) }}|{{ _("100%% <b>") }}|\
{{ gettext("Subscribe") }}|{% trans %}Month{% endtrans %}|{% trans m=month %}Events in {{ m }}{% endtrans %}"""


@pytest.mark.parametrize("lang", ["en", "es", "fr"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_template_messages_are_jinjas_newstyle_gettext(lang, autoescape):
    catalog = i18n.translations(lang)
    jinja = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    jinja.install_gettext_translations(catalog, newstyle=True)
    ours = make_environment(TEMPLATES)
    ours.autoescape = autoescape
    values = {"month": "<Mai>", "translations": catalog}
    expected = jinja.from_string(TEMPLATE).render(values)
    assert ("&lt;Mai&gt;" in expected) == autoescape  # the value escaped, the message itself trusted
    for _ in range(2):
        assert ours.from_string(TEMPLATE).render(values) == expected
