"""Text as readers see it, in the example's three languages: Markdown headings demoted (never dropped),
content text that takes its own direction (dir="auto"), RSS text escaped one way everywhere, and pages
of events that took place saying so."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path
from typing import Any

import html5lib
import pytest
from flask.testing import FlaskClient
from lxml import etree

from calfeed.content import load_site
from calfeed.render import FORMATS, View
from calfeed.render.html import make_environment
from calfeed.web import create_app

from conftest import BUNDLED, CONTENT, TEMPLATES

LANGUAGES = ["en", "es", "fr"]
DETAILS = CONTENT / "text-details.yaml"
TITLES = {"en": "Wood & <Metal> fair", "es": "Feria de madera & <metal>", "fr": "Foire bois & <métal>"}
SITE_TITLES = {"en": "Arts & <Crafts> Agenda", "es": "Agenda de Artes & <Oficios>", "fr": "Agenda Arts & <Métiers>"}
DESCRIPTIONS = {"en": "Fairs & <workshops>", "es": "Ferias & <talleres>", "fr": "Foires & <ateliers>"}
PAST = {"en": "This event has taken place.", "es": "Este evento ya se celebró.", "fr": "Cet événement a déjà eu lieu."}


@pytest.fixture(scope="module")
def details() -> FlaskClient:
    return _client(DETAILS)


@pytest.fixture(scope="module")
def bundled() -> FlaskClient:
    return _client(BUNDLED)


def _client(events: Path) -> FlaskClient:
    """The app on `events`, read on the day the test runs (every event of both sites is past by then)."""
    settings = {"CALFEED_EVENTS": str(events), "CALFEED_TEMPLATES": str(TEMPLATES), "CALFEED_RELOAD_INTERVAL": "0"}
    return create_app(settings).test_client()


def _page(client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, path
    return html5lib.parse(response.data, treebuilder="lxml", namespaceHTMLElements=False)


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _prefix(lang: str) -> str:
    return "" if lang == "en" else f"/{lang}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_markdown_headings_are_demoted_below_the_page_headings(details, lang):
    page = _page(details, f"{_prefix(lang)}/events/craft-fair/")
    description = page.xpath("//div[contains(@class, 'e-content')]")[0]
    assert [(child.tag, _text(child)) for child in description if child.tag.startswith("h")] == [
        ("h3", "Programme"),
        ("h4", "Saturday"),
    ]
    assert [_text(h1) for h1 in page.iter("h1")] == [TITLES[lang]]  # the page keeps one h1: the event's


@pytest.mark.parametrize("lang", LANGUAGES)
def test_content_text_takes_its_own_direction(details, lang):
    page = _page(details, f"{_prefix(lang)}/events/craft-fair/")
    summary = page.xpath("//p[contains(@class, 'p-summary')]")[0]
    assert summary.get("dir") == "auto" and _text(summary).startswith("معرض")
    for xpath in ("//h1", "//div[contains(@class, 'e-content')]", "//*[contains(@class, 'p-location')]"):
        assert [element.get("dir") for element in page.xpath(xpath)] == ["auto"], xpath
    agenda = _page(details, f"{_prefix(lang)}/")
    content = agenda.xpath("//*[contains(@class, 'p-name') or contains(@class, 'p-summary') or self::h1]")
    assert content and {element.get("dir") for element in content} == {"auto"}
    interface = agenda.xpath("//nav//a")  # interface text is in the page's language and direction
    assert interface and all(element.get("dir") is None for element in interface)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rss_escapes_every_text_field_alike(details, lang):
    body = details.get(f"{_prefix(lang)}/feed.rss").data
    assert b"&amp;" not in body and b"&lt;" not in body  # "&" and "<" only as &#x26; and &#x3C;
    channel = etree.fromstring(body).find("channel")
    assert channel.findtext("title") == SITE_TITLES[lang]
    titles = [item.findtext("title") for item in channel.iter("item")]
    assert TITLES[lang] in titles
    # Descriptions are HTML, the channel's as the items': their text is the HTML-escaped content.
    assert html.unescape(channel.findtext("description")) == DESCRIPTIONS[lang]
    assert "<" not in channel.findtext("description")
    for item in channel.iter("item"):
        assert "<" not in item.findtext("description")
    assert b"&#x26;" in body and b"&#x3C;" in body


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_past_event_says_it_took_place_and_offers_calendars_last(bundled, lang):
    page = _page(bundled, f"{_prefix(lang)}/events/culture-summit-2021/")
    notice = page.xpath("//p[contains(@class, 'notice-past')]")
    assert [_text(element) for element in notice] == [PAST[lang]]
    article = page.xpath("//article[contains(@class, 'event-page')]")[0]
    sections = [section.get("class") for section in article.iter("section")]
    assert sections[-1] == "add add-past"  # after the description and the related news
    assert "related" in sections[-2]
    links = article.xpath(".//section[contains(@class, 'add')]//a")
    assert len(links) == 2 and all(link.get("class") is None for link in links)  # links, not buttons


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_upcoming_event_offers_calendars_first_and_says_nothing_of_the_past(lang):
    site = load_site(DETAILS)
    path = f"{_prefix(lang)}/events/craft-fair/"
    view = View(lang, date(2021, 5, 1), item="craft-fair", path=path, templates=make_environment(TEMPLATES))
    page = html5lib.parse(FORMATS["event"].render(site, view), treebuilder="lxml", namespaceHTMLElements=False)
    assert not page.xpath("//p[contains(@class, 'notice-past')]")
    buttons = page.xpath("//section[@class='add']//a[@class='button']")
    assert len(buttons) == 2
