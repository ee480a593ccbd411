"""Large content stays usable: with 10,000 events the agenda stays small; years go to archive pages.

How fast those pages render is measured by benchmarks/pages.py, not asserted here.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from calfeed.content import load_site
from calfeed.render import FORMATS, View, archive_years
from calfeed.render.html import make_environment

TEMPLATES = Path(__file__).parent.parent / "templates"
TODAY = date(2025, 6, 15)  # half the generated events are past, half upcoming
HOME_LIMIT = 200_000  # bytes


def write_events(path: Path, count: int, first_year: int = 2020, years: int = 10) -> Path:
    """Write `count` deterministic events (and a news post per 50) over `years` years to `path`."""
    lines = [
        "calendar:",
        "  title: {en: Big agenda, es: Gran agenda, fr: Grand agenda}",
        "  description: Many events.",
        "  url: https://agenda.example.org/",
        "  timezone: Europe/Brussels",
        "  languages: [en, es, fr]",
        "tags:",
        "  culture: {en: Culture, es: Cultura, fr: Culture}",
        "  housing: {en: Housing, es: Vivienda}",
        "events:",
    ]
    span = (date(first_year + years, 1, 1) - date(first_year, 1, 1)).days
    for n in range(count):
        day = date(first_year, 1, 1) + timedelta(days=n * span // count)
        lines += [
            f"  - id: event-{n:05d}",
            f"    title: {{en: Meeting number {n} on local policy, es: Reunión número {n}}}",
            f"    start: {day.isoformat()}" + ("T10:00" if n % 3 == 0 else ""),
            f"    end: {(day + timedelta(days=n % 4)).isoformat()}" + ("T17:30" if n % 3 == 0 else ""),
            f"    location: {{name: Hall {n % 40}, city: City {n % 97}, country: Country {n % 13}}}",
            f"    tags: [{'culture' if n % 2 else 'housing'}]",
            "    summary: A summary of reasonable length that says what happens and who should come along.",
        ]
    lines.append("news:")
    for n in range(0, count, 50):
        day = date(first_year, 1, 1) + timedelta(days=n * span // count)
        lines += [f"  - id: news-{n:05d}", f"    title: News {n}", f"    date: {day}", f"    events: [event-{n:05d}]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big_site(tmp_path_factory):
    return load_site(write_events(tmp_path_factory.mktemp("big") / "events.yaml", 10_000))


def render(site, name: str, path: str, **view: object) -> bytes:
    environment = make_environment(TEMPLATES)
    return FORMATS[name].render(site, View(lang="en", today=TODAY, path=path, templates=environment, **view))


def test_home_stays_small_with_ten_thousand_events(big_site):
    assert len(big_site.events) == 10_000
    body = render(big_site, "agenda", "/")
    assert len(body) < HOME_LIMIT, f"/ is {len(body):,} bytes"
    page = body.decode()
    assert page.count('class="event h-event') == 60  # 30 upcoming, 30 past
    for year in archive_years(big_site):
        assert f'href="archive/{year}/"' in page


def test_every_year_has_an_archive_page_linked_from_the_agenda(big_site, make_app, tmp_path):
    years = list(archive_years(big_site))
    assert years == [str(year) for year in range(2020, 2030)]
    body = render(big_site, "archive", "/archive/2024/", item="2024")
    assert body.count(b'class="event h-event') == sum(1 for e in big_site.events if e.first_day.year == 2024)


def test_tag_agenda_is_small_too(big_site):
    body = render(big_site, "agenda", "/es/tags/culture/", tag="culture")
    assert len(body) < HOME_LIMIT


def test_archive_pages_are_served(make_app, tmp_path):
    client = make_app(write_events(tmp_path / "events.yaml", 300, first_year=2020, years=3)).test_client()
    for year in ("2020", "2021", "2022"):
        assert client.get(f"/archive/{year}/").status_code == 200
        assert client.get(f"/fr/archive/{year}/").status_code == 200
    assert client.get("/archive/2023/").status_code == 404
