"""The month view, the tag index and search in a real browser (Debian's Chromium): read by keyboard and by
name as assistive technology reads them, at phone width, and scanned by axe-core (WCAG 2.2 AA) in light and
dark, in the three languages of the example and for a fixture with series, multi-day and cancelled events."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from calfeed.content import load_site
from calfeed.web import create_app

from conftest import BUNDLED, CONTENT, TEMPLATES
from test_browser_support import WSGIApp, assert_fits_the_width, bundled_app, chromium, needs_chromium, serving

pytestmark = needs_chromium

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BUNDLED_PAGES = [
    "/month/2021-09/",
    "/es/month/2021-10/",
    "/fr/tags/intermediary-cities/month/2021-10/",
    "/month/",
    "/tags/",
    "/es/tags/",
    "/fr/tags/",
    "/embed/?theme=dark&accent=%23ffb347&font=serif&limit=2",  # an embed with a partner's options
    "/es/embed/?theme=light&accent=%238a1c7c",
]
RICH_PAGES = [  # (fixture, path): series with skipped dates, multi-day, cancelled, tentative
    ("html-repeating.yaml", "/month/2026-03/"),
    ("html-repeating.yaml", "/es/month/2026-02/"),
    ("html-kinds.yaml", "/fr/month/2031-06/"),
    ("html-kinds.yaml", "/month/2031-12/"),
    ("html-kinds.yaml", "/es/archive/2031/"),  # an event with a local image in the list
    ("html-kinds.yaml", "/events/hybrid-congress-2031/"),  # ... and on its page
]


def fixture_app(name: str, base: str) -> WSGIApp:
    return create_app(
        {
            "CALFEED_EVENTS": str(CONTENT / name),
            "CALFEED_TEMPLATES": str(TEMPLATES),
            "CALFEED_RELOAD_INTERVAL": "0",
            "CALFEED_BASE_URL": f"{base}/",
        }
    )


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[str, str]]:
    """The bundled example and the rich fixtures, each served over HTTP on loopback: name → base URL."""
    with (
        serving(bundled_app) as bundled,
        serving(partial(fixture_app, "html-repeating.yaml")) as repeating,
        serving(partial(fixture_app, "html-kinds.yaml")) as kinds,
    ):
        yield {"bundled": bundled, "html-repeating.yaml": repeating, "html-kinds.yaml": kinds}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def open_page(browser: Browser, sites: dict[str, str]) -> Iterator[Callable[..., Page]]:
    """`open_page(path, site="bundled", width=1280, scheme="light")`: a fresh tab on `path`, which must answer 200."""
    contexts = []

    def open_(path: str, site: str = "bundled", width: int = 1280, scheme: str = "light") -> Page:
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(sites[site] + path)
        assert response is not None and response.status == 200, path
        return page

    yield open_
    for context in contexts:
        context.close()


def assert_no_violations(page: Page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", BUNDLED_PAGES)
def test_axe_finds_no_violations_on_the_new_pages(open_page, path, scheme):
    assert_no_violations(open_page(path, scheme=scheme))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("site", "path"), RICH_PAGES)
def test_axe_finds_no_violations_on_months_with_series_multi_day_and_cancelled_events(open_page, site, path, scheme):
    assert_no_violations(open_page(path, site=site, scheme=scheme))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_in_search_results_at_phone_width(open_page, scheme):
    page = open_page("/es/archive/2022/", width=375, scheme=scheme)
    page.get_by_label("Buscar un evento o una noticia").fill("izmir")
    page.get_by_role("status").filter(has_text="2 resultados").wait_for()
    assert_no_violations(page)


def test_each_day_cell_is_named_by_its_date_and_number_of_events(open_page):
    """Names computed by Chromium's accessibility tree, expected from the content and Python's calendar."""
    page = open_page("/month/2021-09/")
    site = load_site(BUNDLED)
    for number in range(1, calendar.monthrange(2021, 9)[1] + 1):
        day = date(2021, 9, number)
        count = sum(1 for event in site.events if event.first_day <= day <= event.last_day)
        events = "no events" if count == 0 else f"{count} event{'s' if count > 1 else ''}"
        name = f"{day:%A}, {day.day} {day:%B %Y}, {events}"
        assert page.get_by_role("cell", name=name, exact=True).count() == 1, name
    headers = page.get_by_role("columnheader")
    assert [headers.nth(i).get_attribute("scope") for i in range(7)] == ["col"] * 7
    assert page.get_by_role("columnheader", name="Wednesday", exact=True).count() == 1
    assert page.get_by_role("table", name="Events in September 2021").count() == 1


def test_keyboard_reaches_every_event_of_the_month_in_day_order_with_a_visible_focus(open_page):
    page = open_page("/month/2021-09/")
    expected = page.evaluate(
        "() => [...document.querySelectorAll('.month-grid a')].map(a => a.closest('td').id + ' ' + a.textContent)"
    )
    assert len(expected) == 21 + 3  # the training on 21 days, the summit on 3
    reached = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const e = document.activeElement, cell = e && e.closest('.month-grid td');
                if (!cell) return null;
                const style = getComputedStyle(e);
                const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                return [cell.id + ' ' + e.textContent, outlined];
            }"""
        )
        if focused is None:
            if reached:
                break
            continue
        reached.append(focused)
    assert [name for name, _ in reached] == expected
    assert all(visible for _, visible in reached)


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize(
    ("site", "path"),
    [
        ("bundled", "/month/2021-09/"),
        ("bundled", "/fr/tags/"),
        ("html-repeating.yaml", "/month/2026-03/"),
        ("html-kinds.yaml", "/archive/2031/"),
    ],
)
def test_month_and_tags_fit_the_width_without_horizontal_scrolling(open_page, site, path, width):
    page = open_page(path, site=site, width=width)
    assert_fits_the_width(page)


def test_month_at_phone_width_is_a_list_of_the_days_with_events(open_page):
    page = open_page("/month/2021-09/", width=375)
    visible_days = page.locator(".month-grid td.day").evaluate_all(
        "cells => cells.filter(c => c.getClientRects().length).map(c => c.querySelector('.day-full').innerText)"
    )
    assert visible_days[0] == "Monday, 6 September 2021, 1 event" and len(visible_days) == 21
    assert page.get_by_role("link", name="4th UCLG Culture Summit").first.is_visible()


def test_search_finds_a_2021_event_from_the_2022_archive(open_page, sites):
    page = open_page("/archive/2022/")
    box = page.get_by_role("search")
    assert box.is_visible()  # the script shows it
    box.get_by_label("Find an event or news post").fill("culture summit")
    result = box.get_by_role("link", name="4th UCLG Culture Summit", exact=True)
    result.wait_for()
    assert "9–11 September 2021" in box.inner_text()
    assert box.get_by_role("status").inner_text() == "1 result"
    result.click()
    page.wait_for_url(f"{sites['bundled']}/events/culture-summit-2021/")


def test_search_matches_places_and_tags_ignoring_accents_in_every_language(open_page, sites):
    page = open_page("/fr/month/2021-09/")
    field = page.get_by_label("Trouver un événement ou une actualité")
    field.fill("kutahya")  # "Kütahya, Turkey"
    page.get_by_role("search").get_by_role("link", name="Second World Forum", exact=False).wait_for()
    field.fill("accesibility")  # a tag label
    link = page.get_by_role("search").get_by_role("link", name="WeThe15", exact=False)
    link.wait_for()
    assert link.get_attribute("href") == "../../../fr/news/#news-wethe15-adds-uclg"


def test_without_javascript_the_search_box_is_not_shown(browser, sites):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(sites["bundled"] + "/archive/2022/")
        assert page.get_by_role("search").count() == 0  # hidden: not in the accessibility tree
        assert page.get_by_role("link", name="Events in 2021").is_visible()  # the year links remain
    finally:
        context.close()
