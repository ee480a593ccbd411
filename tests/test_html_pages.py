"""The HTML pages: what each kind shows, in three languages, and links that lead somewhere real."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from calfeed.content import load_site
from calfeed.render import FORMATS, View
from calfeed.render.html import make_environment, render_error_page
from calfeed.routes import every_route
from calfeed.routes import path as route_path

from conftest import CONTENT

KINDS = CONTENT / "html-kinds.yaml"
TEMPLATES = Path(__file__).parent.parent / "templates"
BASE = "https://agenda.example.org"


class Page(HTMLParser):
    """An HTML page as a list of (tag, attributes, text inside) for the elements tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[int, str] = {}
        self._open: list[int] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in ("meta", "link", "img", "input", "br"):
            self._open.append(len(self.elements) - 1)
            self.texts[len(self.elements) - 1] = ""

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            index = self._open.pop()
            if self.elements[index][0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for index in self._open:
            self.texts[index] += data

    def find(self, tag: str, **attrs: str) -> list[tuple[dict[str, str | None], str]]:
        """Elements named `tag` whose attributes contain `attrs` (class_ matches one class)."""
        found = []
        for index, (name, attributes) in enumerate(self.elements):
            if name != tag:
                continue
            wanted = {key.rstrip("_"): value for key, value in attrs.items()}
            classes = (attributes.get("class") or "").split()
            if all(
                (value in classes) if key == "class" else attributes.get(key) == value for key, value in wanted.items()
            ):
                found.append((attributes, " ".join(self.texts.get(index, "").split())))
        return found

    def headings(self) -> list[tuple[int, str]]:
        return [
            (int(name[1]), " ".join(self.texts[index].split()))
            for index, (name, _) in enumerate(self.elements)
            if re.fullmatch(r"h[1-6]", name)
        ]

    def structured(self) -> list[dict[str, object]]:
        """Every JSON-LD item on the page, @graph flattened."""
        items: list[dict[str, object]] = []
        for _, text in self.find("script", type="application/ld+json"):
            data = json.loads(text)
            items.extend(data["@graph"] if "@graph" in data else [data])
        return items


@pytest.fixture
def kinds(make_app):
    return make_app(KINDS).test_client()


def get(client, path: str) -> Page:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.content_type == "text/html; charset=utf-8"
    return Page(response.get_data(as_text=True))


# -- the bundled example ----------------------------------------------------------------------


def test_home_says_nothing_is_upcoming_and_lists_past_events_by_month(client):
    page = get(client, "/")
    assert ("p", "No upcoming events at the moment. Past events are listed below.") in [
        (tag, text) for tag in ("p",) for _, text in page.find(tag, class_="empty")
    ]
    months = [text for attrs, text in page.find("h3") if (attrs.get("id") or "").startswith("month-")]
    assert months == ["November 2022", "October 2021", "September 2021"]
    # the archive years are linked from the agenda
    years = [(attrs["href"], text) for attrs, text in page.find("a") if "archive/" in (attrs["href"] or "")]
    assert years == [("archive/2022/", "Events in 2022"), ("archive/2021/", "Events in 2021")]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", ["5–8 October 2021", "9–11 September 2021", "16–19 November 2022"]),
        ("/es/", ["5–8 de octubre de 2021", "9–11 de septiembre de 2021", "16–19 de noviembre de 2022"]),
        ("/fr/", ["5–8 octobre 2021", "9–11 septembre 2021", "16–19 novembre 2022"]),
    ],
)
def test_dates_are_formatted_for_the_page_language(client, path, expected):
    page = get(client, path)
    spans = [text for _, text in page.find("time", class_="dt-start")]
    for text in expected:
        assert text in spans
    months = {"/": "October 2021", "/es/": "octubre de 2021", "/fr/": "octobre 2021"}[path]
    assert (3, months) in page.headings()


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [("/", "en", "Upcoming events"), ("/es/", "es", "Próximos eventos"), ("/fr/", "fr", "Événements à venir")],
)
def test_interface_text_and_html_lang_follow_the_page_language(client, path, lang, heading):
    page = get(client, path)
    assert page.find("html")[0][0]["lang"] == lang
    assert (2, heading) in page.headings()


def test_json_ld_describes_the_four_bundled_events(client):
    events = {item["@id"]: item for item in get(client, "/").structured() if item["@type"] == "Event"}
    assert len(events) == 4
    by_name = {item["name"]: item for item in events.values()}
    forum = by_name["Second World Forum of Intermediary Cities: “Life Systems for a Resilient Future”"]
    assert (forum["startDate"], forum["endDate"]) == ("2021-10-05", "2021-10-08")
    assert forum["location"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Kütahya",
        "addressCountry": "Turkey",
    }
    assert forum["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert forum["url"] == f"{BASE}/events/intermediary-cities-forum-2021/"
    summit = by_name["4th UCLG Culture Summit"]
    assert (summit["startDate"], summit["endDate"]) == ("2021-09-09", "2021-09-11")
    assert summit["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert [place["@type"] for place in summit["location"]] == ["Place", "VirtualLocation"]
    training = by_name["Resilient City training program"]
    assert training["location"]["@type"] == "VirtualLocation"
    assert by_name["Culturopolis: International Days on Cultural Rights"]["location"]["name"] == "Barcelona, Spain"
    assert all(item["eventStatus"] == "https://schema.org/EventScheduled" for item in events.values())
    # each event's own page carries the same object
    for event_id, item in events.items():
        path = urlsplit(event_id).path
        assert get(client, path).structured() == [{"@context": "https://schema.org", **item}]


def test_news_page_describes_news_articles(client):
    articles = [item for item in get(client, "/news/").structured() if item["@type"] == "NewsArticle"]
    assert len(articles) == 6
    wethe15 = next(item for item in articles if item["headline"] == "WeThe15 adds UCLG as its 19th partner")
    assert wethe15["datePublished"] == "2022-12-02"
    undated = next(item for item in articles if item["headline"].startswith("Peer Learning Note 30"))
    assert "datePublished" not in undated  # the source gave no date: none is claimed


@pytest.mark.parametrize("path", ["/", "/es/news/", "/fr/events/culture-summit-2021/", "/tags/accessibility/"])
def test_language_switcher_links_to_the_same_page_in_each_language(client, path):
    page = get(client, path)
    links = {attrs["lang"]: attrs for attrs, _ in page.find("a") if attrs.get("hreflang")}
    assert set(links) == {"en", "es", "fr"}
    rest = re.sub(r"^/(es|fr|en)/", "/", path)
    for lang, attrs in links.items():
        target = urlsplit(urljoin(f"{BASE}{path}", attrs["href"])).path
        assert target == (rest if lang == "en" else f"/{lang}{rest}")
        assert get(client, target).find("html")[0][0]["lang"] == lang
    current = [lang for lang, attrs in links.items() if attrs.get("aria-current") == "page"]
    assert current == [re.match(r"^/(es|fr)/", path).group(1) if re.match(r"^/(es|fr)/", path) else "en"]


def contract_paths(app) -> set[str]:
    """Every path of the URL contract for the app's content."""
    return {route_path(route) for route in every_route(app.extensions["calfeed.store"].current.site)}


def test_every_in_site_link_leads_to_a_page_that_exists(app, client):
    paths = contract_paths(app)
    seen: set[str] = set()
    todo = ["/", "/es/", "/fr/tags/intermediary-cities/"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        assert path in paths
        if not path.endswith(("/", ".css", ".js")):
            continue  # calendars and feeds: their own tests read them
        response = client.get(path)
        assert response.status_code == 200, path
        if not response.content_type.startswith("text/html"):
            continue
        page = Page(response.get_data(as_text=True))
        refs = [attrs.get("href") for tag in ("a", "link") for attrs, _ in page.find(tag)]
        refs += [attrs.get("src") for attrs, _ in page.find("script") if attrs.get("src")]
        for ref in refs:
            url = urlsplit(urljoin(f"{BASE}{path}", ref or ""))
            if url.scheme == "https" and url.netloc == "agenda.example.org":
                todo.append(url.path)
    assert {"/style.css", "/script.js", "/news/", "/archive/2021/", "/es/archive/2022/", "/fr/news/"} <= seen
    assert len(seen) > 40


def test_pages_advertise_the_feeds_and_calendar_of_their_language_and_tag(app, client):
    page = get(client, "/es/tags/accessibility/")
    alternates = {attrs["type"]: attrs["href"] for attrs, _ in page.find("link", rel="alternate") if attrs.get("type")}
    assert alternates == {
        "application/atom+xml": f"{BASE}/es/tags/accessibility/feed.atom",
        "application/rss+xml": f"{BASE}/es/tags/accessibility/feed.rss",
        "application/feed+json": f"{BASE}/es/tags/accessibility/feed.json",
        "text/calendar": f"{BASE}/es/tags/accessibility/calendar.ics",
    }
    assert {urlsplit(href).path for href in alternates.values()} <= contract_paths(app)
    assert page.find("h1")[0][1] == "Etiqueta: accesibilidad"
    og = {attrs["property"]: attrs["content"] for attrs, _ in page.find("meta") if attrs.get("property")}
    assert og["og:url"] == f"{BASE}/es/tags/accessibility/"
    assert og["og:locale"] == "es_ES"
    assert page.find("link", rel="canonical")[0][0]["href"] == f"{BASE}/es/tags/accessibility/"


def test_subscribe_block_offers_webcal_google_outlook_feeds_and_a_copyable_address(client):
    page = get(client, "/fr/")
    links = {text: attrs["href"] for attrs, text in page.find("a")}
    assert links["S’abonner dans votre application d’agenda"] == "webcal://agenda.example.org/fr/calendar.ics"
    google = urlsplit(links["S’abonner dans Google Agenda"])
    assert (google.netloc, google.path) == ("calendar.google.com", "/calendar/r")
    assert parse_qs(google.query) == {"cid": ["webcal://agenda.example.org/fr/calendar.ics"]}
    outlook = urlsplit(links["S’abonner dans Outlook.com"])
    assert outlook.netloc + outlook.path == "outlook.live.com/calendar/0/addfromweb"
    assert parse_qs(outlook.query) == {"url": [f"{BASE}/fr/calendar.ics"], "name": ["UCLG Events and News"]}
    assert links["Flux Atom"] == f"{BASE}/fr/feed.atom"
    # Without JavaScript the address is in a read-only field; the copy button appears only with the script.
    (field, _) = page.find("input", id="calendar-address")[0]
    assert field["value"] == f"{BASE}/fr/calendar.ics" and "readonly" in field
    (button, _) = page.find("button", class_="copy-button")[0]
    assert "hidden" in button and button["data-copy"] == "calendar-address"
    assert page.find("label", for_="calendar-address")


def test_pages_need_no_inline_style_or_script_and_load_nothing_from_elsewhere(client, kinds):
    for page in [get(client, "/"), get(kinds, "/es/events/hybrid-congress-2031/"), get(kinds, "/fr/news/")]:
        assert not page.find("style")
        for tag, attrs in page.elements:
            assert "style" not in attrs, tag
            assert not [name for name in attrs if name.startswith("on")], tag
        for attrs, text in page.find("script"):
            assert attrs.get("type") == "application/ld+json" or (attrs.get("src") and not text.strip())
            assert "://" not in (attrs.get("src") or "")
        stylesheets = page.find("link", rel="stylesheet")
        assert [attrs["href"].rsplit("/", 1)[-1] for attrs, _ in stylesheets] == ["style.css"]
        assert all("://" not in attrs["href"] for attrs, _ in stylesheets)


def test_stylesheet_and_script_are_served_once_for_every_language(client):
    style = client.get("/style.css")
    assert style.status_code == 200 and style.content_type == "text/css; charset=utf-8"
    assert b"prefers-color-scheme: dark" in style.data and b"@media print" in style.data
    assert b"focus-visible" in style.data
    script = client.get("/script.js")
    assert script.status_code == 200 and script.content_type == "text/javascript; charset=utf-8"
    assert client.get("/es/style.css").status_code == 404


def test_pages_have_one_h1_headings_in_order_and_time_elements_with_datetime(client, kinds):
    pages = [get(client, p) for p in ("/", "/news/", "/archive/2021/", "/events/culture-summit-2021/")]
    pages += [get(kinds, p) for p in ("/es/", "/events/hybrid-congress-2031/", "/fr/events/cancelled-forum-2031/")]
    for page in pages:
        levels = [level for level, _ in page.headings()]
        assert levels.count(1) == 1 and levels[0] == 1
        assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False)), levels
        assert all(attrs.get("datetime") for attrs, _ in page.find("time"))
        assert all("alt" in attrs for attrs, _ in page.find("img"))
        assert page.find("main", id="main") and page.find("a", href="#main")
        assert page.find("header") and page.find("footer") and page.find("nav")
        # no bare "(+)" or "read more" without the item's name
        for attrs, text in page.find("a"):
            assert text and text not in {"(+)", "+", "Read more", "here"}, attrs


# -- every kind of event ----------------------------------------------------------------------


def test_timed_online_event_names_its_time_zone_and_links_the_stream(kinds):
    page = get(kinds, "/events/timed-webinar-2031/")
    (when, text) = page.find("time", class_="dt-start")[0]
    assert when["datetime"] == "2031-03-04T15:00:00+03:00"
    assert text == "4 March 2031, 15:00–16:30 (Europe/Istanbul)"
    assert "Times are in the event's time zone, Europe/Istanbul." in [t for _, t in page.find("span", class_="zone")]
    assert ("https://stream.example.org/housing", "Join online: Housing webinar") in [
        (attrs["href"], text) for attrs, text in page.find("a")
    ]
    item = page.structured()[0]
    assert item["startDate"] == "2031-03-04T15:00+03:00" and item["endDate"] == "2031-03-04T16:30+03:00"
    assert item["location"] == {"@type": "VirtualLocation", "url": "https://stream.example.org/housing"}
    es = get(kinds, "/es/events/timed-webinar-2031/")
    assert es.find("time", class_="dt-start")[0][1] == "4 de marzo de 2031, 15:00–16:30 (Europe/Istanbul)"


def test_hybrid_event_page_shows_everything_about_it(kinds):
    page = get(kinds, "/events/hybrid-congress-2031/")
    assert page.find("h1")[0][1] == "World Congress"
    assert page.find("time", class_="dt-start")[0][1] == "28 May – 2 June 2031"
    assert (
        page.find("dd", class_="p-location")[0][1] == "Congress Hall, Avinguda Reina Maria Cristina, Barcelona, Spain"
    )
    (image, _) = page.find("img", class_="u-photo")[0]
    assert (image["src"], image["alt"]) == (f"{BASE}/images/congress.png", "The congress hall")
    description = page.find("div", class_="e-content")[0][1]
    assert description.startswith("Programme The congress elects the board.")
    assert page.find("strong") and ("h3", "Programme") in [("h3", t) for _, t in page.find("h3")]
    tags = [(attrs["href"], text) for attrs, text in page.find("a", class_="p-category")]
    assert tags[:2] == [("../../tags/culture/", "Culture"), ("../../tags/housing/", "Housing")]
    assert [text for _, text in page.find("h3", class_="news-title")] == ["The World Congress is announced"]
    links = {text: attrs["href"] for attrs, text in page.find("a")}
    assert links["Download this event (.ics)"] == "../../events/hybrid-congress-2031.ics"
    google = urlsplit(links["Add this event to Google Calendar"])
    query = parse_qs(google.query)
    assert google.netloc + google.path == "calendar.google.com/calendar/render"
    assert query["action"] == ["TEMPLATE"] and query["text"] == ["World Congress"]
    assert query["dates"] == ["20310528/20310603"]  # all day: the end is exclusive
    assert query["location"] == ["Congress Hall, Avinguda Reina Maria Cristina, Barcelona, Spain"]
    assert query["details"][0].endswith(f"{BASE}/events/hybrid-congress-2031/")
    assert links["More about this event: World Congress"] == "https://www.example.org/congress"
    item = page.structured()[0]
    assert item["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert item["location"][0]["geo"] == {"@type": "GeoCoordinates", "latitude": 41.3726, "longitude": 2.1519}
    assert item["image"] == [f"{BASE}/images/congress.png"]
    og = {attrs["property"]: attrs["content"] for attrs, _ in page.find("meta") if attrs.get("property")}
    assert og["og:image"] == f"{BASE}/images/congress.png" and og["og:type"] == "article"


def test_content_falls_back_field_by_field_with_lang_attributes(kinds):
    page = get(kinds, "/fr/events/hybrid-congress-2031/")
    assert page.find("h1")[0] == ({"class": "p-name", "dir": "auto"}, "Congrès mondial")  # French title: no lang
    assert page.find("p", class_="p-summary")[0][0]["lang"] == "en"  # no French summary: English, marked
    assert page.find("dd", class_="p-location")[0][0]["lang"] == "en"
    assert page.find("img", class_="u-photo")[0][0]["lang"] == "en"
    assert page.find("a", href="../../../fr/tags/housing/")[0] == (
        {"class": "p-category", "href": "../../../fr/tags/housing/", "dir": "auto", "lang": "en"},
        "Housing",
    )
    es = get(kinds, "/es/events/hybrid-congress-2031/")
    assert es.find("img", class_="u-photo")[0][0]["alt"] == "El palacio de congresos"
    assert "lang" not in es.find("img", class_="u-photo")[0][0]
    assert es.find("dd", class_="p-location")[0][1].startswith("Palacio de Congresos")


def test_cancelled_event_says_so_prominently(kinds):
    page = get(kinds, "/es/events/cancelled-forum-2031/")
    notice = page.find("p", class_="notice-cancelled")
    assert notice and notice[0][1].startswith("Este evento está cancelado.")
    assert page.find("title")[0][1].startswith("Cancelado: Forum on Culture")
    assert page.structured()[0]["eventStatus"] == "https://schema.org/EventCancelled"
    agenda = get(kinds, "/")
    (article, _) = agenda.find("article", id="event-cancelled-forum-2031")[0]
    assert "is-cancelled" in article["class"]
    assert "Cancelled" in [text for _, text in agenda.find("strong", class_="badge-cancelled")]


def test_tentative_event_and_dates_across_years(kinds):
    page = get(kinds, "/fr/events/tentative-retreat-2031/")
    assert page.find("p", class_="notice")[0][1].startswith("Provisoire")
    assert page.find("time", class_="dt-start")[0][1] == "30 décembre 2031 – 2 janvier 2032"


def test_agenda_with_upcoming_events_lists_them_in_date_order(kinds):
    page = get(kinds, "/")
    upcoming = [text for _, text in page.find("a", class_="p-name")][:4]
    assert upcoming == ["Housing webinar", "World Congress", "Forum on Culture", "Board retreat"]
    tagged = get(kinds, "/tags/housing/")
    assert [text for _, text in tagged.find("a", class_="p-name")] == ["Housing webinar", "World Congress"]


def test_news_page_lists_every_post_with_an_anchor_the_agenda_links_to(kinds):
    page = get(kinds, "/news/")
    assert [attrs["id"] for attrs, _ in page.find("article", class_="news")] == [
        "news-congress-announced",
        "news-course-report",
    ]
    links = {text: attrs["href"] for attrs, text in page.find("a")}
    assert links["Read more: The World Congress is announced"] == "https://www.example.org/news/congress"
    assert links["Online course"] == "../events/online-course-2020/"


def test_archive_page_lists_one_year_by_month(kinds):
    page = get(kinds, "/es/archive/2031/")
    assert page.headings()[:3] == [(1, "Eventos de 2031"), (2, "marzo de 2031"), (3, "Seminario web sobre vivienda")]
    assert [attrs["href"] for attrs, _ in page.find("a", **{"aria-current": "page"}) if "archive" in attrs["href"]]
    assert get(kinds, "/archive/2020/").find("a", class_="p-name")[0][1] == "Online course"
    assert kinds.get("/archive/1999/").status_code == 404


# -- error pages ------------------------------------------------------------------------------


def test_not_found_page_is_a_page_of_the_site(client):
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404
    page = Page(response.get_data(as_text=True))
    assert page.find("h1")[0][1] == "Page not found"
    assert page.find("link", rel="stylesheet")[0][0]["href"] == "/style.css"


def test_error_page_in_another_language(app):
    templates = app.extensions["calfeed.templates"]
    page = Page(render_error_page(templates, status=404, title="Not Found", message="", problems=[], lang="fr"))
    assert page.find("html")[0][0]["lang"] == "fr"
    assert page.find("h1")[0][1] == "Page introuvable"


# -- the language suggestion ------------------------------------------------------------------

SUGGESTION = {
    "en": "View this page in English",
    "es": "Ver esta página en español",
    "fr": "Voir cette page en français",
}
SUGGESTION_LABEL = {"en": "Language suggestion", "es": "Sugerencia de idioma", "fr": "Suggestion de langue"}
SUGGESTION_DISMISS = {"en": "No, thanks", "es": "No, gracias", "fr": "Non merci"}


@pytest.mark.parametrize(
    "path", ["/", "/es/", "/fr/events/culture-summit-2021/", "/tags/accessibility/", "/es/news/", "/archive/2021/"]
)
def test_pages_carry_a_hidden_suggestion_in_each_other_language_of_the_same_page(client, path):
    page = get(client, path)
    own = page.find("html")[0][0]["lang"]
    others = sorted(set(SUGGESTION) - {own})
    asides = page.find("aside", class_="language-suggestion")
    assert [attrs["data-lang"] for attrs, _ in asides] == others
    rest = re.sub(r"^/(es|fr|en)/", "/", path)
    for (attrs, text), lang in zip(asides, others, strict=True):
        assert "hidden" in attrs  # script.js shows at most one; without script, nothing shows
        assert attrs["lang"] == lang  # written in the language it offers, landmark name included
        assert attrs["aria-label"] == SUGGESTION_LABEL[lang]
        assert text == f"{SUGGESTION[lang]} {SUGGESTION_DISMISS[lang]}"
        (link, link_text) = page.find("a", hreflang=lang)[0]  # the first link to `lang` on the page is the offer
        assert link_text == SUGGESTION[lang] and link["lang"] == lang
        target = urlsplit(urljoin(f"{BASE}{path}", link["href"])).path
        assert target == (rest if lang == "en" else f"/{lang}{rest}")
        assert get(client, target).find("html")[0][0]["lang"] == lang
    buttons = page.find("button", class_="language-dismiss")
    assert [(attrs["type"], text) for attrs, text in buttons] == [
        ("button", SUGGESTION_DISMISS[lang]) for lang in others
    ]
    names = [name for name, _ in page.elements]
    skip = next(i for i, (name, attrs) in enumerate(page.elements) if "skip-link" in (attrs.get("class") or ""))
    assert skip < names.index("aside") < names.index("header")  # found early: right after the skip link


def test_home_page_bytes_do_not_depend_on_accept_language(make_app):
    """Rendered once per content version, whoever asks first: no redirect, no Vary, one strong ETag."""
    answers = []
    for first in ("es-ES,es;q=0.9,en;q=0.5", "fr-CA", None):  # a fresh app each time: rendered under that header
        client = make_app().test_client()
        for language in (first, "de, en;q=0.1"):
            headers = {"Accept-Language": language} if language else {}
            answers.append(client.get("/", headers=headers))
    for response in answers:
        assert response.status_code == 200 and "Location" not in response.headers
        assert "accept-language" not in response.headers.get("Vary", "").lower()
        assert response.headers["Cache-Control"].startswith("public")
    assert len({response.data for response in answers}) == 1
    assert len({response.headers["ETag"] for response in answers}) == 1


@pytest.mark.parametrize("path", ["/feed.atom", "/calendar.ics", "/es/feed.json", "/events/culture-summit-2021.ics"])
def test_feeds_and_calendars_ignore_accept_language(client, path):
    plain = client.get(path)
    asked = client.get(path, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert plain.status_code == asked.status_code == 200
    assert plain.data == asked.data and plain.headers["ETag"] == asked.headers["ETag"]


# -- repeating events -------------------------------------------------------------------------

REPEATING = CONTENT / "html-repeating.yaml"
TODAY = date(2026, 3, 10)  # the day tests read html-repeating.yaml on (a Tuesday)


@pytest.fixture(scope="module")
def repeating():
    return load_site(REPEATING)


def render(site, name: str, path: str, today: date = TODAY, **view: object) -> Page:
    lang = path.split("/")[1] if path.split("/")[1] in ("es", "fr") else "en"
    environment = make_environment(TEMPLATES)
    body = FORMATS[name].render(site, View(lang=lang, today=today, path=path, templates=environment, **view))
    return Page(body.decode())


def upcoming_and_past(page: Page) -> tuple[list[str], list[str]]:
    """The event ids under "Upcoming events" and under "Past events", in page order."""
    ids = [(index, attrs["id"]) for index, (tag, attrs) in enumerate(page.elements) if tag == "article"]
    past = next(index for index, (tag, attrs) in enumerate(page.elements) if attrs.get("id") == "past")
    return (
        [name.removeprefix("event-") for index, name in ids if index < past],
        [name.removeprefix("event-") for index, name in ids if index > past],
    )


def test_the_embed_shows_a_running_series_as_upcoming_too(repeating):
    page = render(repeating, "embed", "/embed/")
    ids = [(index, attrs["id"]) for index, (tag, attrs) in enumerate(page.elements) if tag == "article"]
    past = next(index for index, (tag, attrs) in enumerate(page.elements) if attrs.get("id") == "embed-past")
    upcoming = [name.removeprefix("event-") for index, name in ids if index < past]
    assert upcoming == ["spring-conference", "open-house", "reading-group", "market", "board"]
    assert [name.removeprefix("event-") for index, name in ids if index > past] == ["autumn-workshop"]


def test_a_series_that_is_still_running_is_upcoming_at_its_next_date(repeating):
    page = render(repeating, "agenda", "/")
    upcoming, past = upcoming_and_past(page)
    # ordered by next occurrence: the one-off on the 12th, the monthly one on the 15th, the weekly one on
    # the 16th, the market on the 28th (its 14 March is skipped), the first Tuesday of April
    assert upcoming == ["spring-conference", "open-house", "reading-group", "market", "board"]
    assert past == ["autumn-workshop"]
    starts = {attrs["datetime"]: text for attrs, text in page.find("time", class_="dt-start")}
    assert starts["2026-03-16T18:00:00+01:00"] == "16 March 2026, 18:00–19:30 (Europe/Brussels)"
    assert starts["2026-03-15"] == "15 March 2026"
    assert starts["2026-03-28"] == "28 March 2026"
    assert starts["2025-10-06"] == "6 October 2025"  # a finished series shows where it began
    assert [text for _, text in page.find("p", class_="empty")] == ["No news yet."]


def test_once_every_occurrence_is_past_the_series_is_past(repeating):
    upcoming, past = upcoming_and_past(render(repeating, "agenda", "/", today=date(2027, 1, 1)))
    assert upcoming == ["open-house"]  # endless
    # past events, latest first, by the month they began in
    assert past == ["spring-conference", "market", "reading-group", "board", "autumn-workshop"]


@pytest.mark.parametrize(
    ("path", "lines"),
    [
        (
            "/",
            {
                "reading-group": "Every week, until 2 June 2026",
                "open-house": "Every month",
                "market": "Every 2 weeks, 10 times",
                "autumn-workshop": "Every week, 6 times",
                "board": "Repeats, until 31 December 2026",  # a first Tuesday: not put in words
            },
        ),
        (
            "/es/",
            {
                "reading-group": "Cada semana, hasta el 2 de junio de 2026",
                "open-house": "Cada mes",
                "market": "Cada 2 semanas, 10 veces",
                "autumn-workshop": "Cada semana, 6 veces",
                "board": "Se repite, hasta el 31 de diciembre de 2026",
            },
        ),
        (
            "/fr/",
            {
                "reading-group": "Chaque semaine, jusqu’au 2 juin 2026",
                "open-house": "Chaque mois",
                "market": "Toutes les 2 semaines, 10 fois",
                "autumn-workshop": "Chaque semaine, 6 fois",
                "board": "Se répète, jusqu’au 31 décembre 2026",
            },
        ),
    ],
)
def test_a_repeating_event_says_how_it_repeats_in_the_page_language(repeating, path, lines):
    page = render(repeating, "agenda", path)
    found = {}
    for index, (tag, attrs) in enumerate(page.elements):
        if tag == "article":
            event_id = attrs["id"].removeprefix("event-")
        elif "repeats" in (attrs.get("class") or "").split():
            found[event_id] = " ".join(page.texts[index].split())
    assert found == lines


def test_a_repeating_event_page_lists_its_next_dates_and_the_cancelled_ones(repeating):
    page = render(repeating, "event", "/events/reading-group/", item="reading-group")
    assert page.find("time", class_="dt-start")[0][0]["datetime"] == "2026-03-16T18:00:00+01:00"
    assert (2, "Next dates") in page.headings()
    items = [(attrs.get("class"), text) for attrs, text in page.find("li") if "Europe/Brussels" in text]
    assert items[:4] == [
        (None, "16 March 2026, 18:00–19:30 (Europe/Brussels)"),
        ("is-cancelled", "23 March 2026, 18:00–19:30 (Europe/Brussels) Cancelled"),
        (None, "30 March 2026, 18:00–19:30 (Europe/Brussels)"),  # summer time: still 18:00
        ("is-cancelled", "6 April 2026, 18:00–19:30 (Europe/Brussels) Cancelled"),
    ]
    assert len([item for item in items if item[0] is None]) == 10  # the next ten
    dates = [attrs["datetime"] for attrs, _ in page.find("time") if attrs.get("class") is None]
    assert dates[2] == "2026-03-30T18:00:00+02:00"
    spanish = render(repeating, "event", "/es/events/market/", item="market")
    assert [(attrs.get("class"), text) for attrs, text in spanish.find("li") if "2026" in text][:2] == [
        ("is-cancelled", "14 de marzo de 2026 Cancelado"),
        (None, "28 de marzo de 2026"),
    ]
    endless = render(repeating, "event", "/events/open-house/", item="open-house")
    listed = [(attrs.get("class"), text) for attrs, text in endless.find("li") if re.search(r"\d{4}$|Cancelled$", text)]
    assert listed[0] == (None, "15 March 2026") and len(listed) == 11
    assert listed[-1] == ("is-cancelled", "15 December 2030 Cancelled")  # a skipped date years ahead is listed too
    over = render(repeating, "event", "/fr/events/autumn-workshop/", item="autumn-workshop")
    assert (
        over.find("p", class_="empty")[0][1] == "Cette série est terminée : toutes ses dates sont passées."
    )  # NBSP, normalised


def test_json_ld_of_a_repeating_event_has_its_next_dates_and_an_event_schedule(repeating):
    (item,) = render(repeating, "event", "/events/reading-group/", item="reading-group").structured()
    assert (item["startDate"], item["endDate"]) == ("2026-03-16T18:00+01:00", "2026-03-16T19:30+01:00")
    assert item["eventSchedule"] == {
        "@type": "Schedule",
        "repeatFrequency": "P1W",
        "startDate": "2026-02-02",
        "endDate": "2026-06-02",
        "startTime": "18:00",
        "endTime": "19:30",
        "duration": "PT1H30M",
        "scheduleTimezone": "Europe/Brussels",
        "exceptDate": ["2026-03-23T18:00+01:00", "2026-04-06T18:00+02:00"],
    }
    graph = {entry["@id"].split("/")[-2]: entry for entry in render(repeating, "agenda", "/").structured()}
    assert graph["market"]["startDate"] == "2026-03-28"
    assert graph["market"]["eventSchedule"] == {
        "@type": "Schedule",
        "repeatFrequency": "P2W",
        "startDate": "2026-02-28",
        "endDate": "2026-07-04",
        "repeatCount": 10,
        "duration": "P1D",
        "exceptDate": ["2026-03-14"],
    }
    assert "endDate" not in graph["open-house"]["eventSchedule"]  # endless
    assert graph["open-house"]["eventSchedule"]["repeatFrequency"] == "P1M"
    assert "eventSchedule" not in graph["board"]  # BYDAY=1TU has no schedule.org words here; its page lists dates
    assert "eventSchedule" not in graph["spring-conference"]
    # a finished series keeps the dates of its first occurrence
    assert (graph["autumn-workshop"]["startDate"], graph["autumn-workshop"]["eventSchedule"]["repeatCount"]) == (
        "2025-10-06",
        6,
    )
    for schedule in (entry["eventSchedule"] for entry in graph.values() if "eventSchedule" in entry):
        assert re.fullmatch(r"P[1-9]\d*[DWMY]", schedule["repeatFrequency"])
        assert set(schedule) <= {
            "@type", "repeatFrequency", "startDate", "endDate", "startTime", "endTime", "duration",
            "scheduleTimezone", "repeatCount", "exceptDate", "byDay",
        }  # fmt: skip
        assert all(
            re.fullmatch(r"\d{4}-\d\d-\d\d", schedule[key]) for key in ("startDate", "endDate") if key in schedule
        )


def test_archive_lists_a_series_in_the_year_it_starts_at_its_first_date(repeating):
    page = render(repeating, "archive", "/archive/2025/", today=date.min, item="2025")
    assert [attrs["id"] for attrs, _ in page.find("article")] == ["event-autumn-workshop", "event-open-house"]
    assert page.find("time", class_="dt-start")[1][0]["datetime"] == "2025-11-15"
