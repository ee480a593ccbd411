"""The URL contract: which paths exist, and that unknown languages, tags and items are 404s."""

from __future__ import annotations

import pytest

from calfeed.content import load_site, read_content
from calfeed.routes import Links, every_route, path, routes_and_paths

from conftest import BUNDLED, CONTENT


def test_every_route_of_the_bundled_example_has_a_unique_path():
    site = load_site(BUNDLED)
    paths = [path(route) for route in every_route(site)]
    assert len(paths) == len(set(paths))
    for expected in (
        "/",
        "/calendar.ics",
        "/es/feed.atom",
        "/fr/tags/accessibility/feed.json",
        "/events/culture-summit-2021/",
        "/events/intermediary-cities-forum-2021.ics",
        "/archive/2021/",
        "/tags/intermediary-cities/embed/",
        "/embed.js",
        "/en/news/",
    ):
        assert expected in paths
    assert "/es/embed.js" not in paths  # one script for every language: it reads data-lang
    assert site.tag_ids == ("accessibility", "intermediary-cities")


def test_routes_listed_with_their_paths_are_every_route_at_its_path():
    """`calfeed build` lists the routes and their paths together (a path's beginning made once per format,
    language and tag): the same routes, in the same order, each at the path `path` gives it; on the bundled
    example and every content fixture that loads (languages, tags, news, repeating and all-day events)."""
    sites = [site for content in [BUNDLED, *sorted(CONTENT.glob("*.yaml"))] if (site := read_content(content)[0])]
    assert len(sites) > 20
    for site in sites:
        routes, paths = routes_and_paths(site)
        assert routes == list(every_route(site))
        assert paths == [path(route) for route in routes]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_addresses_made_together_are_each_one_s_address(lang):
    """`Links.urls` puts a route's address together once for many items: each is what `url` makes of it."""
    site = load_site(BUNDLED)
    links = Links(site, lang)
    for format, tag, items in (
        ("event", None, [event.id for event in site.events]),
        ("month", "accessibility", ["2021-10", "2022-01"]),
        ("archive", None, ["2021", "/2022", "", "a\0b"]),  # a leading slash or the marker: one at a time
    ):
        assert links.urls(format, items, tag=tag) == [links.url(format, tag=tag, item=item) for item in items]


@pytest.mark.parametrize(
    "url",
    [
        "/de/calendar.ics",  # a language the calendar does not have
        "/tags/no-such-tag/calendar.ics",
        "/events/no-such-event.ics",
        "/es/tags/no-such-tag/feed.rss",
    ],
)
def test_unknown_language_tag_or_event_is_a_short_plain_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert b"Not found" in response.data and len(response.data) < 200
