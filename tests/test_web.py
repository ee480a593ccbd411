"""The app serves the bundled example on every route of this milestone, in a form clients can read."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import feedparser
import icalendar


def test_agenda_lists_upcoming_news_and_past_events(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    headings = _headings(page)
    assert headings[0] == ("h1", "UCLG Events and News")
    # All the example content is in the past: the upcoming section says so, past events follow.
    assert "No upcoming events at the moment" in page
    assert [text for level, text in headings if level == "h2"] == [
        "Upcoming events",
        "Recent news",
        "Past events",
        "Events by year",
        "Subscribe",
    ]
    assert ("h3", "November 2022") in headings and ("h3", "September 2021") in headings
    assert "5–8 October 2021" in page
    assert "WeThe15 adds UCLG as its 19th partner" in page
    # A news post about an event links to it (in-site links are relative to the page).
    assert 'About: <a href="events/culture-summit-2021/" dir="auto">4th UCLG Culture Summit</a>' in page


def test_agenda_page_advertises_its_feeds(client):
    page = client.get("/").get_data(as_text=True)
    assert 'type="application/atom+xml"' in page and 'href="https://agenda.example.org/feed.atom"' in page
    assert 'type="text/calendar"' in page


def test_calendar_parses_and_carries_every_event(client):
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {
        "culture-summit-2021@agenda.example.org",
        "resilient-city-training-2021@agenda.example.org",
        "intermediary-cities-forum-2021@agenda.example.org",
        "culturopolis-2022@agenda.example.org",
    }
    forum = events["intermediary-cities-forum-2021@agenda.example.org"]
    assert forum.decoded("DTSTART") == date(2021, 10, 5)
    assert forum.decoded("DTEND") == date(2021, 10, 9)  # exclusive: the forum's last day is 8 October
    assert str(forum["LOCATION"]) == "Kütahya, Turkey"
    assert b"DTSTART;VALUE=DATE:20211005" in response.data
    assert str(calendar["X-WR-CALNAME"]) == "UCLG Events and News"


def test_calendar_lines_end_in_crlf_and_fold_at_75_octets(client):
    body = client.get("/calendar.ics").data
    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    assert all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75


def test_atom_feed_has_one_entry_per_news_post_and_event(client):
    response = client.get("/feed.atom")
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert len(feed.entries) == 10
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == 10
    assert all(entry.link.startswith("https://agenda.example.org/") for entry in feed.entries)
    wethe15 = next(entry for entry in feed.entries if entry.title == "WeThe15 adds UCLG as its 19th partner")
    assert wethe15.published_parsed[:3] == (2022, 12, 2)
    assert [tag.term for tag in wethe15.tags] == ["accesibility"]
    forum = next(entry for entry in feed.entries if entry.id.endswith("/events/intermediary-cities-forum-2021/"))
    assert forum.summary.startswith("5–8 October 2021 · Kütahya, Turkey")
    # Dated by the news post that announced it (22 September 2021), not by its own start.
    assert forum.updated_parsed[:3] == (2021, 9, 22)


def test_rss_feed_parses_with_the_same_entries(client):
    response = client.get("/feed.rss")
    assert response.content_type == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert len(feed.entries) == 10
    atom = feedparser.parse(client.get("/feed.atom").data)
    assert [entry.id for entry in feed.entries] == [entry.id for entry in atom.entries]


def test_outputs_are_identical_across_two_apps(make_app):
    first, second = make_app().test_client(), make_app().test_client()
    for path in ("/calendar.ics", "/feed.atom", "/feed.rss", "/"):
        assert first.get(path).data == second.get(path).data, path


def test_unknown_path_is_a_404_page_without_traceback(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_healthz_reports_the_content_version(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["version"] == app.extensions["calfeed.store"].current.site.version


def test_broken_content_serves_503_listing_the_problems_in_a_preview(make_app, tmp_path):
    broken = tmp_path / "events.yaml"
    broken.write_text(
        "calendar:\n  title: T\n  url: https://x.example/\nevents:\n  - id: a\n    title: A\n    start: 2021-02-30\n"
    )
    client = make_app(broken, CALFEED_SHOW_PROBLEMS="1").test_client()  # as `calfeed serve` sets it
    response = client.get("/calendar.ics")
    assert response.status_code == 503
    assert f"{broken}:7:12: events[0].start: 2021-02-30 is not a real date" in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503


def _headings(page: str) -> list[tuple[str, str]]:
    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[tuple[str, str]] = []
            self.current: str | None = None

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in ("h1", "h2", "h3", "h4"):
                self.current = tag
                self.found.append((tag, ""))

        def handle_endtag(self, tag: str) -> None:
            if tag == self.current:
                self.current = None

        def handle_data(self, data: str) -> None:
            if self.current:
                level, text = self.found[-1]
                self.found[-1] = (level, (text + data).strip())

    collector = Collector()
    collector.feed(page)
    return collector.found
