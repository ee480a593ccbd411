"""The month view, the tag index and the search index, as a visitor (or a screen reader) meets them.

Pages are parsed with lxml's HTML parser and read the way assistive technology reads a table: the
caption, the column headers, each day cell's name (its ``aria-labelledby``) and the links inside.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from lxml import html as lxml_html

from calfeed.content import load_site
from calfeed.render import FORMATS, View
from calfeed.render.html import make_environment
from calfeed.routes import every_route, path

from conftest import BUNDLED, CONTENT

TEMPLATES = Path(__file__).parent.parent / "templates"
REPEATING = CONTENT / "html-repeating.yaml"
KINDS = CONTENT / "html-kinds.yaml"


def render(content: Path, url_path: str, today: date = date.min, lang: str = "en", **view: str):
    """The page `url_path` of `content` (a format's page, rendered directly so that `today` is fixed), parsed."""
    site = load_site(content)
    name = view.pop("format")
    spec = FORMATS[name]
    rendered = spec.render(site, View(lang, today, path=url_path, templates=make_environment(TEMPLATES), **view))
    return lxml_html.fromstring(rendered.decode())


def cells(page) -> dict[str, tuple[str, list[str]]]:
    """Each day cell of the month table by date: its accessible name (from aria-labelledby) and its items' text."""
    found = {}
    for cell in page.xpath("//table[@class='month-grid']//td[@id]"):
        label = page.get_element_by_id(cell.get("aria-labelledby"))
        name = " ".join("".join(label.xpath(".//text()[not(ancestor::*[@aria-hidden='true'])]")).split())
        items = [" ".join(" ".join(item.itertext()).split()) for item in cell.xpath(".//li")]
        found[cell.get("id").removeprefix("day-")] = (name, items)
    return found


def test_month_is_a_table_of_weeks_with_full_day_names_and_a_caption(client):
    page = lxml_html.fromstring(client.get("/month/2021-09/").data.decode())
    table = page.xpath("//table[@class='month-grid']")[0]
    assert " ".join(table.xpath("string(caption)").split()) == "Events in September 2021"
    headers = [header.xpath("string(.//span[@class='visually-hidden'])") for header in table.xpath(".//thead/tr/th")]
    assert headers == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert all(header.get("scope") == "col" for header in table.xpath(".//thead/tr/th"))
    rows = table.xpath(".//tbody/tr")
    assert len(rows) == 5 and all(len(row.xpath("td")) == 7 for row in rows)
    assert len(table.xpath(".//tbody/tr[1]/td[@class='outside']")) == 2  # 1 September 2021 was a Wednesday


def test_each_day_is_named_by_its_date_and_number_of_events_and_multi_day_events_continue(client):
    days = cells(lxml_html.fromstring(client.get("/month/2021-09/").data.decode()))
    assert len(days) == 30
    assert days["2021-09-05"] == ("Sunday, 5 September 2021, no events", [])
    name, items = days["2021-09-09"]
    assert name == "Thursday, 9 September 2021, 2 events"
    assert items == [
        "Resilient City training program (continued)",
        "4th UCLG Culture Summit (continues) Izmir, Turkey",
    ]
    assert days["2021-09-11"][1][1] == "4th UCLG Culture Summit (continued) Izmir, Turkey"
    assert days["2021-09-06"][1] == ["Resilient City training program (continues)"]
    covered = [day for day, (_, items) in days.items() if any("Resilient City" in item for item in items)]
    assert covered == [f"2021-09-{day:02d}" for day in range(6, 27)]  # 6–26 September, every day


def test_day_names_in_other_languages(client):
    days = cells(lxml_html.fromstring(client.get("/es/month/2021-09/").data.decode()))
    assert days["2021-09-09"][0] == "jueves, 9 de septiembre de 2021, 2 eventos"
    days = cells(lxml_html.fromstring(client.get("/fr/month/2021-10/").data.decode()))
    assert days["2021-10-05"][0] == "mardi 5 octobre 2021, 1 événement"


@pytest.mark.parametrize(
    ("lang", "first"), [("en", "Monday"), ("fr", "lundi"), ("en-US", "Sunday"), ("pt-BR", "domingo")]
)
def test_weeks_start_on_the_locales_first_day(lang, first):
    page = render(BUNDLED, "/month/2021-09/", lang=lang, format="month", item="2021-09")
    headers = [header.xpath("string(.//span[@class='visually-hidden'])") for header in page.xpath("//thead/tr/th")]
    assert headers[0] == first
    first_cell = page.xpath("//tbody/tr[1]/td")
    weekday = date(2021, 9, 1).isoweekday() % 7  # Sunday 0 … Saturday 6
    outside = weekday if first in ("Sunday", "domingo") else weekday - 1
    assert [cell.get("class") for cell in first_cell[: outside + 1]] == ["outside"] * outside + ["day is-empty"]


def test_series_show_every_occurrence_and_skipped_ones_are_cancelled():
    days = cells(render(REPEATING, "/month/2026-03/", format="month", item="2026-03"))
    reading = {day for day, (_, items) in days.items() if any("Reading group" in item for item in items)}
    assert reading == {"2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"}
    assert days["2026-03-23"][1] == ["Cancelled Reading group 18:00 Public library"]  # an `except` date
    assert days["2026-03-30"][1] == ["Reading group 18:00 Public library"]  # summer time: still 18:00 local
    assert days["2026-03-14"][1] == ["Cancelled Farmers' market Town square"]
    assert days["2026-03-28"][1] == ["Farmers' market Town square"]
    assert days["2026-03-15"][1] == ["Open house Community centre"]  # a series that never ends
    assert days["2026-03-03"][1] == ["Board meeting 10:00 Town hall"]  # first Tuesday
    assert days["2026-03-12"][1] == ["Spring conference (continues) Congress hall"]
    assert days["2026-03-13"][1] == ["Spring conference (continued) Congress hall"]


def test_cancelled_and_multi_day_events_across_months():
    days = cells(render(KINDS, "/month/2031-06/", format="month", item="2031-06"))
    assert days["2031-06-01"][0].endswith(", 1 event")
    assert days["2031-06-02"][1][0].startswith("World Congress")  # began on 28 May
    assert "(continued)" in days["2031-06-02"][1][0]
    assert days["2031-06-10"][1][0].startswith("Cancelled") and "09:30" in days["2031-06-10"][1][0]
    assert days["2031-06-11"][1][0].startswith("Cancelled") and "(continued)" in days["2031-06-11"][1][0]


def test_previous_next_this_month_and_months_with_events(client):
    page = lxml_html.fromstring(client.get("/month/2021-09/").data.decode())
    nav = page.xpath("//nav[@class='month-nav']")[0]
    assert [(a.get("rel"), a.get("href"), " ".join(a.text_content().split())) for a in nav.xpath(".//a")] == [
        ("prev", "../../month/2021-08/", "← August 2021"),
        (None, "../../month/", "This month"),
        ("next", "../../month/2021-10/", "October 2021 →"),
    ]
    jump = page.xpath("//nav[@class='month-jump']//a")
    assert [(a.get("href"), a.text_content()) for a in jump] == [
        ("../../month/2021-09/", "September 2021"),
        ("../../month/2021-10/", "October 2021"),
        ("../../month/2022-11/", "November 2022"),
    ]
    last = lxml_html.fromstring(client.get("/es/tags/intermediary-cities/month/2021-11/").data.decode())
    links = [a.get("rel") for a in last.xpath("//nav[@class='month-nav']//a")]
    assert links == ["prev", None]  # the last month: no next
    jump = [a.get("href") for a in last.xpath("//nav[@class='month-jump']//a")]
    assert jump == ["../../../../../es/tags/intermediary-cities/month/2021-10/"]  # the tag's only month


def test_months_with_events_and_the_month_either_side_have_pages():
    site = load_site(BUNDLED)
    paths = {path(route) for route in every_route(site) if route.format == "month"}
    site_months = ["2021-08", "2021-09", "2021-10", "2021-11", "2022-10", "2022-11", "2022-12"]
    for prefix in ("", "/en", "/es", "/fr"):
        assert {p for p in paths if p.startswith(f"{prefix}/month/")} == {f"{prefix}/month/{m}/" for m in site_months}
        tagged = {p for p in paths if p.startswith(f"{prefix}/tags/intermediary-cities/month/")}
        assert tagged == {f"{prefix}/tags/intermediary-cities/month/2021-{m}/" for m in ("09", "10", "11")}
        assert not any(p.startswith(f"{prefix}/tags/accessibility/month/") for p in paths)  # news only


def test_a_series_that_never_ends_has_months_a_year_past_the_content():
    site = load_site(REPEATING)
    months = [path(route) for route in every_route(site) if route.format == "month" and route.tag is None]
    assert months[0] == "/month/2025-09/"  # the month before the autumn workshop
    assert months[-1] == "/fr/month/2032-01/"  # the open house's skipped date (December 2030), a year on, +1


@pytest.mark.parametrize(
    ("today", "label"), [(date(2021, 10, 5), "October 2021"), (date(2026, 11, 30), "November 2026")]
)
def test_this_month_is_the_month_of_the_day_it_is_rendered(today, label):
    page = render(BUNDLED, "/month/", today, format="month-now")
    assert page.xpath("string(//h1)") == label
    current = page.xpath("//nav[@class='month-nav']//a[@aria-current='page']")
    assert [a.text_content() for a in current] == ["This month"]
    if today.year == 2026:  # after the last month with events: the way back is the last one
        assert [a.get("href") for a in page.xpath("//a[@rel='prev']")] == ["../month/2022-12/"]
        assert page.xpath("//a[@rel='next']") == []


def test_unknown_months_are_404(client):
    for url in (
        "/month/2020-12/",
        "/month/2022-01/",  # between events: no page
        "/month/2021-13/",
        "/month/2021-9/",
        "/tags/nope/month/2021-09/",
        "/tags/intermediary-cities/month/2022-11/",  # a month of the site's, not of the tag's
    ):
        assert client.get(url).status_code == 404, url


def test_tag_index_counts_upcoming_and_past_events_and_news():
    page = render(KINDS, "/tags/", date(2031, 6, 1), format="tags")
    rows = {
        row.xpath("string(th)"): [cell.text_content() for cell in row.xpath("td")]
        for row in page.xpath("//table[@class='tag-table']/tbody/tr")
    }
    site = load_site(KINDS)
    assert set(rows) == {site.tag_label(tag, "en") for tag in site.tag_ids}
    for tag in site.tag_ids:
        events = [event for event in site.events if tag in event.tags]
        upcoming = [event for event in events if event.last_day >= date(2031, 6, 1)]
        news = [entry for entry in site.news if tag in entry.tags]
        expected = [str(len(upcoming)), str(len(events) - len(upcoming)), str(len(news))]
        assert rows[site.tag_label(tag, "en")] == expected, tag


def test_tag_pages_link_their_month_calendar_and_feeds(client):
    page = lxml_html.fromstring(client.get("/es/tags/intermediary-cities/").data.decode())
    links = [a.get("href") for a in page.xpath("//ul[@class='tag-links']//a")]
    assert links[0] == "../../../es/tags/intermediary-cities/month/"
    assert links[1:5] == [
        f"https://agenda.example.org/es/tags/intermediary-cities/{name}"
        for name in ("calendar.ics", "feed.atom", "feed.rss", "feed.json")
    ]
    assert page.xpath("//a[@class='button' and @href='#subscribe']")  # near the top: down to the subscribe block
    assert page.xpath("//section[@id='subscribe']")


@pytest.mark.parametrize("url", ["/", "/archive/2022/", "/month/2021-09/", "/es/tags/accessibility/"])
def test_search_box_is_hidden_until_the_script_shows_it(client, url):
    page = lxml_html.fromstring(client.get(url).data.decode())
    box = page.xpath("//div[@role='search']")[0]
    assert box.get("hidden") is not None
    index = box.get("data-index")
    resolved = url.rstrip("/").count("/") * "../" if url != "/" else ""
    assert index.startswith(resolved) and index.endswith("search.json")


def test_search_index_has_every_event_and_news_post_in_the_language(client):
    site = load_site(BUNDLED)
    index = json.loads(client.get("/es/search.json").data)
    assert index["fields"] == ["kind", "title", "when", "place", "tags", "path"]
    events = [item for item in index["items"] if item[0] == "event"]
    assert [item[5] for item in events] == [f"es/events/{event.id}/" for event in site.events]
    assert len(index["items"]) == len(site.events) + len(site.news)
    wethe15 = next(item for item in index["items"] if item[5] == "es/news/#news-wethe15-adds-uclg")
    assert wethe15[4] == "accesibilidad"  # tags in the page's language
    summit = next(item for item in events if item[5] == "es/events/culture-summit-2021/")
    assert summit[:5] == ["event", "4th UCLG Culture Summit", "9–11 de septiembre de 2021", "Izmir, Turkey", ""]
