"""The bundled example's feeds, as readers and partner sites receive them from the server.

Every variant (each language, with and without its /<lang>/ prefix, each tag, Atom, RSS
and JSON Feed) is fetched through the app and read back with feedparser or against the
JSON Feed 1.1 schema (tests/schemas/jsonfeed-1.1.json).
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import jsonschema
import pytest
from lxml import etree

from calfeed.content import load_site
from calfeed.routes import every_route, path

from conftest import BUNDLED, CONTENT

BASE = "https://agenda.example.org"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "jsonfeed-1.1.json").read_text(encoding="utf-8"))
MEDIA_TYPES = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
ATOM_NS = "{http://www.w3.org/2005/Atom}"
MEDIA_NS = "{http://search.yahoo.com/mrss/}"

# The bundled example, newest first: (entry id, publication day). Events are dated by the news
# post that announced them, never by their own start; on a tie the event comes first (by id).
EXPECTED = [
    ("news/#wethe15-adds-uclg", "2022-12-02"),
    ("events/culturopolis-2022/", "2022-11-19"),
    ("news/#culturopolis-2022", "2022-11-19"),
    ("events/culture-summit-2021/", "2021-09-28"),
    ("news/#culture-leaders-meet-in-izmir", "2021-09-28"),
    ("events/resilient-city-training-2021/", "2021-09-27"),
    ("news/#resilient-city-training-program", "2021-09-27"),
    ("events/intermediary-cities-forum-2021/", "2021-09-22"),
    ("news/#world-forum-of-intermediary-cities", "2021-09-22"),
    ("news/#peer-learning-note-30", "2021-09-06"),  # undated in the source: the earliest date in the content
]
WETHE15_ALT = (
    "Banner for #IDPD2022 with photo and quote of UCLG Secretary General “United Cities and Local "
    "Governments is please to join the #WeThe15 Campaign and committed to inspire our membership around "
    "the world to take responsibility for making accessibility a reality”. Includes logo of UCLG as well "
    "as WeThe15 and Cities for All"
)


def _uri(value: object) -> bool:
    parts = urlsplit(str(value))
    return parts.scheme in {"http", "https", "mailto"} and bool(parts.netloc or parts.scheme == "mailto")


def _date_time(value: object) -> bool:
    text = str(value)
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", text):
        return False
    datetime.fromisoformat(text.replace("Z", "+00:00"))
    return True


# jsonschema ships no checker for "uri" and "date-time" without extra packages: these follow RFC 3986
# (absolute URIs, which is what JSON Feed's URLs must be) and RFC 3339.
FORMATS = jsonschema.FormatChecker()
FORMATS.checks("uri", raises=ValueError)(_uri)
FORMATS.checks("date-time", raises=ValueError)(_date_time)


def validate_json_feed(body: bytes) -> dict:
    """Parse a JSON Feed and hold it to the JSON Feed 1.1 schema, formats included; return it."""
    feed = json.loads(body)
    jsonschema.Draft7Validator(SCHEMA, format_checker=FORMATS).validate(feed)
    return feed


def feed_paths(name: str) -> list[str]:
    site = load_site(BUNDLED)
    return [path(route) for route in every_route(site) if route.format == name]


def test_every_variant_is_served_with_its_type_and_to_any_origin(client):
    paths = [p for name in MEDIA_TYPES for p in feed_paths(name)]
    assert len(paths) == 3 * 4 * 3  # formats × (root + three languages) × (all + two tags)
    for feed_path in paths:
        response = client.get(feed_path)
        assert response.status_code == 200, feed_path
        assert response.content_type == MEDIA_TYPES[feed_path.rsplit(".", 1)[1]], feed_path
        assert response.headers["Access-Control-Allow-Origin"] == "*", feed_path


@pytest.mark.parametrize("feed_path", ["/tags/nope/feed.atom", "/de/feed.rss", "/es/tags/nope/feed.json"])
def test_unknown_tag_or_language_is_404(client, feed_path):
    assert client.get(feed_path).status_code == 404


@pytest.mark.parametrize("name", ["atom", "rss"])
def test_every_xml_variant_parses_cleanly_and_links_to_itself(client, name):
    for feed_path in feed_paths(name):
        body = client.get(feed_path).data
        feed = feedparser.parse(body)
        assert feed.bozo == 0, (feed_path, feed.get("bozo_exception"))
        lang = feed_path.split("/")[1] if re.match(r"/(en|es|fr)/", feed_path) else "en"
        assert feed.feed.language == lang, feed_path
        selves = [link.href for link in feed.feed.links if link.rel == "self"]
        assert selves == [BASE + feed_path], feed_path
        assert feed.entries, feed_path
        for entry in feed.entries:
            assert entry.link.startswith(BASE + "/"), (feed_path, entry.link)


def test_every_json_variant_is_valid_json_feed_1_1_and_links_to_itself(client):
    for feed_path in feed_paths("json"):
        feed = validate_json_feed(client.get(feed_path).data)
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["feed_url"] == BASE + feed_path
        assert feed["items"], feed_path


@pytest.mark.parametrize("name", ["atom", "rss", "json"])
def test_the_example_has_ten_entries_newest_first_with_honest_dates(client, name):
    entries = _entries(client.get(f"/feed.{name}").data, name)
    assert [(entry["id"], entry["published"][:10]) for entry in entries] == [
        (f"{BASE}/{item}", day) for item, day in EXPECTED
    ]
    assert sum("/events/" in entry["id"] for entry in entries) == 4
    assert sum("/news/#" in entry["id"] for entry in entries) == 6
    if name != "rss":  # RSS items have no "last changed" date
        # The bundled history records every item as unchanged since it was published.
        assert [entry["updated"] for entry in entries] == [entry["published"] for entry in entries]
    for entry in entries:
        assert entry["link"].startswith(BASE + "/")


def test_ids_are_the_same_in_every_language_and_links_follow_the_language(client):
    english = _entries(client.get("/feed.atom").data, "atom")
    spanish = _entries(client.get("/es/feed.atom").data, "atom")
    assert [entry["id"] for entry in spanish] == [entry["id"] for entry in english]
    assert spanish[1]["link"] == f"{BASE}/es/events/culturopolis-2022/"
    assert english[1]["link"] == f"{BASE}/events/culturopolis-2022/"


def test_events_carry_their_dates_place_and_calendar(client):
    atom = feedparser.parse(client.get("/feed.atom").data)
    forum = next(entry for entry in atom.entries if entry.id.endswith("/intermediary-cities-forum-2021/"))
    assert forum.summary.startswith("5–8 October 2021 · Kütahya, Turkey\n\n")
    assert forum.published == "2021-09-22T00:00:00+00:00"  # announced, not the forum's first day
    calendars = [link for link in forum.links if link.rel == "related" and link.type == "text/calendar"]
    assert [link.href for link in calendars] == [f"{BASE}/events/intermediary-cities-forum-2021.ics"]
    assert forum.ev_startdate == "2021-10-05" and forum.ev_enddate == "2021-10-08"
    assert forum.ev_location == "Kütahya, Turkey"

    body = client.get("/es/feed.rss").data
    forum = next(
        entry for entry in feedparser.parse(body).entries if entry.id.endswith("/intermediary-cities-forum-2021/")
    )
    assert forum.summary.startswith("5–8 de octubre de 2021 · Kütahya, Turkey")
    guids = {guid.text: guid.get("isPermaLink") for guid in etree.fromstring(body).iter("guid")}
    assert guids[f"{BASE}/events/intermediary-cities-forum-2021/"] == "true"  # a page that exists, in every language

    summit = validate_json_feed(client.get("/feed.json").data)["items"][3]
    assert summit["_event"] == {
        "start": "2021-09-09",
        "end": "2021-09-11",
        "all_day": True,
        "timezone": None,
        "location": "Izmir, Turkey",
        "online": True,
        "online_url": None,
        "status": "confirmed",
        "ics_url": f"{BASE}/events/culture-summit-2021.ics",
    }
    assert summit["summary"].startswith("9–11 September 2021 · Izmir, Turkey · Online")


@pytest.mark.parametrize(
    ("lang", "label"),
    [("", "accesibility"), ("/en", "accesibility"), ("/es", "accesibilidad"), ("/fr", "accesibility")],
)
def test_the_accessibility_tag_is_labelled_in_each_language(client, lang, label):
    atom = feedparser.parse(client.get(f"{lang}/tags/accessibility/feed.atom").data)
    assert [entry.id for entry in atom.entries] == [f"{BASE}/news/#wethe15-adds-uclg"]
    scheme = f"{BASE}{'' if lang == '/en' else lang}/tags/"  # the default language's pages have no prefix
    assert [(tag.term, tag.scheme) for tag in atom.entries[0].tags] == [(label, scheme)]
    rss = feedparser.parse(client.get(f"{lang}/tags/accessibility/feed.rss").data)
    assert [tag.term for tag in rss.entries[0].tags] == [label]
    json_feed = validate_json_feed(client.get(f"{lang}/tags/accessibility/feed.json").data)
    assert json_feed["items"][0]["tags"] == [label]
    assert json_feed["title"].endswith(label)


def test_feeds_link_to_the_full_archive(client):
    atom = feedparser.parse(client.get("/es/feed.atom").data)
    related = [link for link in atom.feed.links if link.rel == "related"]
    assert [(link.href, link.type) for link in related] == [(f"{BASE}/es/news/", "text/html")]
    rss = etree.fromstring(client.get("/feed.rss").data)
    archive = rss.find(f"channel/{ATOM_NS}link[@rel='related']")
    assert archive is not None and archive.get("href") == f"{BASE}/news/"
    assert validate_json_feed(client.get("/fr/feed.json").data)["_archive"]["url"] == f"{BASE}/fr/news/"


def test_the_wethe15_banner_description_stays_in_the_json_feed_while_it_has_no_file(client):
    item = validate_json_feed(client.get("/feed.json").data)["items"][0]
    assert item["_image"] == {"alt": WETHE15_ALT}
    assert "image" not in item  # no file, no address: nothing is invented


@pytest.fixture
def banner_app(tmp_path, make_app):
    """The bundled example, with a file for the WeThe15 banner."""
    content = tmp_path / "events.yaml"
    text = BUNDLED.read_text(encoding="utf-8")
    text = text.replace(
        "    image:\n      alt: >-\n        Banner",
        "    image:\n      src: images/wethe15.png\n      alt: >-\n        Banner",
    )
    assert "src: images/wethe15.png" in text
    content.write_text(text, encoding="utf-8")
    shutil.copy(BUNDLED.with_name("events.history.json"), tmp_path / "events.history.json")
    (tmp_path / "images").mkdir()
    shutil.copy(CONTENT / "images" / "congress.png", tmp_path / "images" / "wethe15.png")  # any PNG will do
    return make_app(events=content)


def test_the_wethe15_banner_and_its_description_reach_every_format(banner_app):
    client = banner_app.test_client()
    url = f"{BASE}/images/wethe15.png"
    atom_body = client.get("/feed.atom").data
    atom = feedparser.parse(atom_body)
    assert atom.bozo == 0
    banner = atom.entries[0]
    assert [(link.href, link.type) for link in banner.links if link.rel == "enclosure"] == [(url, "image/png")]
    assert f'alt="{WETHE15_ALT}"' in banner.content[0].value
    media = etree.fromstring(atom_body).find(f"{ATOM_NS}entry/{MEDIA_NS}content")
    assert media is not None and media.get("url") == url
    assert media.findtext(f"{MEDIA_NS}description") == WETHE15_ALT

    rss_body = client.get("/feed.rss").data
    rss = feedparser.parse(rss_body)
    assert rss.bozo == 0
    enclosure = etree.fromstring(rss_body).find("channel/item/enclosure")
    assert enclosure is not None and dict(enclosure.attrib) == {"url": url, "length": "0", "type": "image/png"}
    assert etree.fromstring(rss_body).findtext(f"channel/item/{MEDIA_NS}content/{MEDIA_NS}description") == WETHE15_ALT
    assert f'alt="{WETHE15_ALT}"' in rss.entries[0].content[0].value

    item = validate_json_feed(client.get("/feed.json").data)["items"][0]
    assert item["image"] == url and item["_image"] == {"alt": WETHE15_ALT, "url": url}
    assert f'alt="{WETHE15_ALT}"' in item["content_html"]


def test_every_page_advertises_the_feeds_of_its_language_and_tag(client):
    """Autodiscovery: a reader given any page's address finds the matching feeds (embeds excepted: iframes)."""
    site = load_site(BUNDLED)
    pages = [r for r in every_route(site) if r.spec.media_type.startswith("text/html") and r.format != "embed"]
    assert len(pages) > 20
    advertised = set()
    for route in pages:
        page = client.get(path(route)).get_data(as_text=True)
        links = dict(re.findall(r'<link rel="alternate" type="([^"]+)"[^>]*href="([^"]+)"', page))
        prefix = f"{BASE}{'' if route.lang == 'en' else '/' + route.lang}{f'/tags/{route.tag}' if route.tag else ''}"
        expected = {MEDIA_TYPES[name].split(";")[0]: f"{prefix}/feed.{name}" for name in MEDIA_TYPES}
        assert {kind: links.get(kind) for kind in expected} == expected, path(route)
        advertised.update(expected.values())
    for url in advertised:
        assert client.get(url.removeprefix(BASE)).status_code == 200, url


def test_feed_updated_is_the_latest_change_not_the_clock(client):
    atom = feedparser.parse(client.get("/feed.atom").data)
    assert atom.feed.updated == "2022-12-02T00:00:00+00:00"
    forum = feedparser.parse(client.get("/tags/intermediary-cities/feed.atom").data)
    assert forum.feed.updated == "2021-09-22T00:00:00+00:00"  # its own entries' latest change
    assert str(datetime.now(UTC).year) not in client.get("/feed.rss").get_data(as_text=True)


def _entries(body: bytes, name: str) -> list[dict[str, str]]:
    """id, link, published and updated (RFC 3339, UTC) of each entry, as a reader sees them."""
    if name == "json":
        items = validate_json_feed(body)["items"]
        return [
            {
                "id": item["id"],
                "link": item["url"],
                "published": item["date_published"].replace("Z", "+00:00"),
                "updated": item["date_modified"].replace("Z", "+00:00"),
            }
            for item in items
        ]
    feed = feedparser.parse(body)
    assert feed.bozo == 0, feed.get("bozo_exception")

    def stamp(parsed: object) -> str:
        return datetime(*parsed[:6], tzinfo=UTC).isoformat()  # type: ignore[index]

    return [
        {
            "id": entry.id,
            "link": entry.link,
            "published": stamp(entry.published_parsed),
            "updated": stamp(entry.updated_parsed) if name == "atom" else "",
        }
        for entry in feed.entries
    ]
