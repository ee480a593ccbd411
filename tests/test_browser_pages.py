"""The pages in a real browser (headless Chromium): layout at phone and desktop widths, the language
switcher, keyboard-only use and an axe-core WCAG 2.2 AA scan of every page kind."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from calfeed.content import load_site

from conftest import BUNDLED
from test_browser_support import assert_fits_the_width, bundled_app, chromium, needs_chromium, serving

pytestmark = needs_chromium

EVENT = "/events/culture-summit-2021/"
PAGE_KINDS = {  # every kind of page, and the status it answers with
    "agenda": ("/", 200),
    "agenda in Spanish": ("/es/", 200),
    "tag": ("/tags/intermediary-cities/", 200),
    "event": (EVENT, 200),
    "event in French": (f"/fr{EVENT}", 200),
    "news": ("/news/", 200),
    "archive": ("/archive/2021/", 200),
    "embed": ("/embed/", 200),
    "tag embed in Spanish": ("/es/tags/intermediary-cities/embed/", 200),
    "error page": ("/no-such-page/", 404),
}
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # axe-core's rule tags


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The bundled example served over HTTP on loopback; its base URL."""
    with serving(bundled_app) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def open_page(browser: Browser, site: str) -> Iterator[Callable[..., Page]]:
    """`open_page(path, width=1280, status=200, scheme="light", locale=None)`: a fresh browser tab on `path`
    (which must answer `status`), in that colour scheme and locale (``navigator.languages`` and
    ``Accept-Language``); fails the test on any request that leaves the site."""
    requested: list[str] = []
    contexts = []

    def open_(
        path: str, width: int = 1280, status: int = 200, scheme: str = "light", locale: str | None = None
    ) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme, locale=locale)
        contexts.append(context)
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()
        response = page.goto(site + path)
        answered = response.status if response is not None else None
        assert answered == status, f"{path} answered {answered}, not {status}"
        return page

    yield open_
    for context in contexts:
        context.close()
    offsite = [url for url in requested if not url.startswith((f"{site}/", "data:"))]
    assert not offsite, f"requests that left the site: {offsite}"


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", ["/", EVENT])
def test_page_fits_the_width_without_horizontal_scrolling(open_page, width, path):
    page = open_page(path, width)
    assert_fits_the_width(page)
    site = load_site(BUNDLED)
    headings = page.get_by_role("heading", level=1)
    assert headings.count() == 1
    if path == "/":
        for event in site.events:  # the bundled example's four events are all on the agenda
            assert page.get_by_role("link", name=event.title.get("en", "en"), exact=True).first.is_visible()
    else:
        event = site.event(EVENT.split("/")[2])
        assert event is not None
        assert headings.inner_text().strip() == event.title.get("en", "en")


def _language_link(page: Page, language: str):
    """The switcher's link to `language` ("Español"), found by role and accessible name, as a reader finds it."""
    switcher = page.get_by_role("navigation", name=re.compile(r"language|idioma|langue", re.IGNORECASE))
    return switcher.get_by_role("link", name=re.compile(rf"^\s*{language}\s*$", re.IGNORECASE))


@pytest.mark.parametrize("path", ["/", EVENT])
def test_language_switcher_keeps_the_page(open_page, site, path):
    page = open_page(path)
    _language_link(page, "Español").click()
    page.wait_for_url(f"{site}/es{path}")
    assert page.evaluate("document.documentElement.lang") == "es"
    _language_link(page, "Français").click()
    page.wait_for_url(f"{site}/fr{path}")
    assert page.evaluate("document.documentElement.lang") == "fr"
    _language_link(page, "English").click()
    page.wait_for_url(re.compile(rf"^{re.escape(site)}(/en)?{re.escape(path)}$"))
    assert page.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("path", ["/", EVENT, "/embed/"])
def test_tab_reaches_every_link_with_a_visible_focus(open_page, path):
    page = open_page(path)
    links = page.evaluate(
        "() => [...document.querySelectorAll('a[href]')].filter(a => a.checkVisibility())"  # visible ones
        ".map((a, i) => { a.dataset.tabTest = i; return a.href; })"
    )
    assert links, f"{path} has no links"
    reached: dict[int, bool] = {}
    for _ in range(len(links) + 20):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const e = document.activeElement;
                if (!e || e === document.body || e.dataset.tabTest === undefined) return null;
                const style = getComputedStyle(e);
                const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                return [Number(e.dataset.tabTest), outlined || style.boxShadow !== 'none'];
            }"""
        )
        if focused is None or focused[0] in reached:
            if len(reached) == len(links):
                break
            continue
        reached[focused[0]] = focused[1]
    missed = [links[i] for i in range(len(links)) if i not in reached]
    assert not missed, f"Tab never reached: {missed}"
    unmarked = [links[i] for i, visible in reached.items() if not visible]
    assert not unmarked, f"no visible focus indicator on: {unmarked}"


@pytest.mark.parametrize(("path", "status"), PAGE_KINDS.values(), ids=PAGE_KINDS.keys())
def test_axe_finds_no_wcag_22_aa_violations(open_page, path, status):
    _assert_no_violations(open_page(path, status=status))


@pytest.mark.parametrize("path", ["/", EVENT, "/embed/"])
def test_axe_finds_no_wcag_22_aa_violations_in_the_dark_scheme(open_page, path):
    _assert_no_violations(open_page(path, scheme="dark"))


def _assert_no_violations(page: Page) -> None:
    """Run axe-core (injected from axe-playwright-python's bundled axe.min.js) with the WCAG 2.2 AA rules."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


# -- the language suggestion (script.js shows the hidden offer of the visitor's language) ---------------


def _suggestions(page: Page) -> list[str]:
    """The languages of the suggestions the visitor sees (hidden ones are not in the accessibility tree)."""
    return [offer.get_attribute("data-lang") or "" for offer in page.get_by_role("complementary").all()]


def test_suggestion_offers_the_visitors_language_early_and_by_keyboard(open_page, site):
    page = open_page("/", locale="es-ES")
    assert page.evaluate("navigator.languages[0]") == "es-ES"
    offer = page.get_by_role("complementary", name="Sugerencia de idioma")
    assert _suggestions(page) == ["es"] and offer.is_visible()
    link = offer.get_by_role("link", name="Ver esta página en español", exact=True)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # then the offer, before the site's menu
    assert page.evaluate("document.activeElement.textContent.trim()") == "Ver esta página en español"
    assert page.url == f"{site}/"  # offered, never redirected
    link.click()
    page.wait_for_url(f"{site}/es/")
    assert page.evaluate("document.documentElement.lang") == "es"
    assert _suggestions(page) == []  # the page is in the visitor's language: nothing to offer


@pytest.mark.parametrize(("path", "locale"), [("/", "en-US"), ("/es/", "es"), (EVENT, "en-GB")])
def test_no_suggestion_when_the_page_is_in_the_visitors_first_language(open_page, path, locale):
    page = open_page(path, locale=locale)
    assert _suggestions(page) == []
    assert page.locator("aside.language-suggestion:not([hidden])").count() == 0


def test_suggestion_follows_the_first_preference_the_site_has(open_page):
    page = open_page(f"/es{EVENT}", locale="de-DE")
    assert _suggestions(page) == []  # German is not a language of the site
    page.add_init_script("Object.defineProperty(navigator, 'languages', {get: () => ['de-DE', 'fr-CH', 'en-GB']})")
    page.reload()
    assert _suggestions(page) == ["fr"]  # French before English; one offer at most
    assert page.get_by_role("link", name="Voir cette page en français").get_attribute("href") == f"../../../fr{EVENT}"


def test_dismissed_suggestion_stays_hidden(open_page, site):
    page = open_page("/", locale="es-ES")
    dismiss = page.get_by_role("complementary").get_by_role("button", name="No, gracias")
    dismiss.focus()
    page.keyboard.press("Enter")
    assert _suggestions(page) == []
    assert page.url == f"{site}/"
    assert page.evaluate("document.activeElement.closest('.site-header') !== null")  # focus not lost to <body>
    page.reload()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert _suggestions(page) == []
    page.goto(f"{site}/news/")
    assert _suggestions(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_22_aa_violations_with_the_suggestion_shown(open_page, scheme):
    page = open_page("/", scheme=scheme, locale="es-ES")
    assert _suggestions(page) == ["es"]
    _assert_no_violations(page)
