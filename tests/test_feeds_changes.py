"""Feeds over time and at the edges: edits, repeat renders, the entry limit, hostile text, event details."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from calfeed.content import load_site
from calfeed.history import stamp
from calfeed.model import CalendarSettings, Event, Image, Location, NewsEntry, Site, Text
from calfeed.render import View
from calfeed.render.feeds import render_atom, render_rss
from calfeed.render.jsonfeed import render as render_json

from conftest import BUNDLED, CONTENT

RENDERERS = {"atom": render_atom, "rss": render_rss, "json": render_json}
EDITED = datetime(2024, 3, 5, 14, 30, tzinfo=UTC)


def _updated(body: bytes, name: str) -> dict[str, str]:
    """Each entry's id → when it last changed (Atom `updated`, JSON `date_modified`)."""
    if name == "json":
        return {item["id"]: item["date_modified"] for item in json.loads(body)["items"]}
    return {entry.id: entry.updated for entry in feedparser.parse(body).entries}


def _published(body: bytes, name: str) -> dict[str, str]:
    if name == "json":
        return {item["id"]: item["date_published"] for item in json.loads(body)["items"]}
    return {entry.id: entry.published for entry in feedparser.parse(body).entries}


@pytest.mark.parametrize("name", ["atom", "json"])
def test_editing_one_news_post_moves_its_updated_and_nothing_else(tmp_path, name):
    content = tmp_path / "events.yaml"
    shutil.copy(BUNDLED, content)
    shutil.copy(BUNDLED.with_name("events.history.json"), tmp_path / "events.history.json")
    assert stamp(load_site(content), content) == 0  # the editor's checkout: every item recorded as it is
    render = RENDERERS[name]
    view = View("en", path=f"/feed.{name}")
    before = render(load_site(content), view)

    text = content.read_text(encoding="utf-8")
    edited = text.replace(
        "further\n      strengthening the coalition", "further\n      strengthening, again, the coalition"
    )
    assert edited != text
    content.write_text(edited, encoding="utf-8")
    os.utime(content, (EDITED.timestamp(), EDITED.timestamp()))
    after = render(load_site(content), view)

    old, new = _updated(before, name), _updated(after, name)
    changed = {entry_id for entry_id in new if new[entry_id] != old[entry_id]}
    assert changed == {"https://agenda.example.org/news/#wethe15-adds-uclg"}
    assert new["https://agenda.example.org/news/#wethe15-adds-uclg"] in {
        "2024-03-05T14:30:00Z",
        "2024-03-05T14:30:00+00:00",
    }
    assert list(new) == list(old)  # same ids, same order: readers see an update, not a new entry
    assert _published(after, name) == _published(before, name)
    assert b"strengthening, again, the coalition" in after

    # `calfeed stamp` records the edit: the entry keeps its new time, and a second render agrees.
    stamp(load_site(content), content)
    os.utime(content, (EDITED.timestamp() + 3600, EDITED.timestamp() + 3600))  # a later touch is not an edit
    assert render(load_site(content), view) == after


@pytest.mark.parametrize("name", ["atom", "rss", "json"])
@pytest.mark.parametrize(("lang", "tag"), [("en", None), ("es", "accessibility"), ("fr", "intermediary-cities")])
def test_two_renders_are_byte_identical(name, lang, tag):
    view = View(lang, tag=tag, path="/feed." + name)
    first = RENDERERS[name](load_site(BUNDLED), view)
    second = RENDERERS[name](load_site(BUNDLED), view)
    assert first == second


@pytest.mark.parametrize("name", ["atom", "rss", "json"])
def test_the_limit_keeps_the_newest_entries(name):
    site = load_site(BUNDLED)
    site = replace(site, calendar=replace(site.calendar, feed_limit=3))
    body = RENDERERS[name](site, View("en", path=f"/feed.{name}"))
    ids = list(_published(body, name))
    assert ids == [
        "https://agenda.example.org/news/#wethe15-adds-uclg",
        "https://agenda.example.org/events/culturopolis-2022/",
        "https://agenda.example.org/news/#culturopolis-2022",
    ]


SETTINGS = CalendarSettings(
    title=Text({"en": "Test"}), url="https://agenda.example.org/", timezone="Europe/Brussels", languages=("en",)
)
XML_CHARS = st.characters(codec="utf-8")  # everything, control characters and U+FFFE included


def _carried(text: str) -> str:
    """`text` less what XML 1.0 cannot carry (and the C1 controls, which no text means)."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r"
        or ("\x20" <= c <= "\ud7ff" and not "\x7f" <= c <= "\x9f")
        or "\ue000" <= c <= "\ufffd"
        or c >= "\U00010000"
    )


@settings(max_examples=60, deadline=None)
@given(title=st.text(XML_CHARS, min_size=1, max_size=40), words=st.text(XML_CHARS, max_size=40))
def test_text_that_xml_cannot_carry_never_breaks_a_feed(title, words):
    """The loader rejects control characters; a hand-built Site can still hold them."""
    event = Event(
        id="a",
        title=Text({"en": title}),
        start=date(2021, 9, 9),
        end=date(2021, 9, 9),
        location=Location(name=Text({"en": words})),
        summary=Text({"en": words}),
        description=Text({"en": words}),
        image=Image(alt=Text({"en": words}), src="a.png"),
        tags=("t",),
    )
    news = NewsEntry(id="n", title=Text({"en": title}), date=date(2021, 9, 1), summary=Text({"en": words}))
    site = Site(calendar=SETTINGS, events=(event,), news=(news,), tags={"t": Text({"en": words or "t"})})
    for name in ("atom", "rss"):
        body = RENDERERS[name](site, View("en"))
        root = etree.fromstring(body)  # a strict XML parser: any stray control character fails here
        titles = [element.text or "" for element in root.iter("{http://www.w3.org/2005/Atom}title", "title")]
        assert (_carried(title) or "a") in titles  # nothing left of the title: the item id stands in
        assert feedparser.parse(body).bozo == 0
    feed = json.loads(render_json(site, View("en")))
    assert [item["title"] for item in feed["items"]] == [_carried(title) or "a", _carried(title) or "n"]


def test_a_cancelled_timed_hybrid_event_says_so_everywhere():
    site = load_site(CONTENT / "feed-events.yaml")
    atom_body = render_atom(site, View("es", path="/es/feed.atom"))
    atom = feedparser.parse(atom_body)
    assert atom.bozo == 0
    panel = atom.entries[0]
    assert panel.title == "Cancelado: Mesa redonda en Esmirna"
    assert panel.summary.startswith(
        "Cancelado: 9 de septiembre de 2021, 10:00–12:00 (Europe/Istanbul) · Ahmed Adnan Saygun Art Center, Izmir,"
        " Turkey · En línea"
    )
    assert panel.where["coordinates"] == (27.0686, 38.3925)  # GeoRSS, read back as (lon, lat)
    assert panel.ev_startdate == "2021-09-09T10:00:00+03:00" and panel.ev_enddate == "2021-09-09T12:00:00+03:00"
    assert panel.ev_organizer == "UCLG Culture Committee"
    related = {link.href: link.type for link in panel.links if link.rel == "related"}
    assert related["https://feeds.example.org/agenda/es/events/izmir-panel-2021.ics"] == "text/calendar"
    assert "https://example.org/izmir-panel" in related  # the event's own "read more" page
    html = panel.content[0].value
    assert "<script>" not in html and "alert" not in html  # the description's script is gone
    assert "<strong>opens</strong>" in html
    assert 'href="https://meet.example.org/izmir-panel"' in html

    untranslated = etree.fromstring(atom_body).findall("{http://www.w3.org/2005/Atom}entry")[1]
    title = untranslated.find("{http://www.w3.org/2005/Atom}title")
    assert title is not None and title.text == "Open day"
    assert title.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"  # not in the feed's language

    item = json.loads(render_json(site, View("es", path="/es/feed.json")))["items"][0]
    assert item["_event"] == {
        "start": "2021-09-09T10:00:00+03:00",
        "end": "2021-09-09T12:00:00+03:00",
        "all_day": False,
        "timezone": "Europe/Istanbul",
        "location": "Ahmed Adnan Saygun Art Center, Izmir, Turkey",
        "lat": 38.3925,
        "lon": 27.0686,
        "online": True,
        "online_url": "https://meet.example.org/izmir-panel",
        "status": "cancelled",
        "organizer": "UCLG Culture Committee",
        "ics_url": "https://feeds.example.org/agenda/es/events/izmir-panel-2021.ics",
    }
    assert item["external_url"] == "https://example.org/izmir-panel"
    assert item["url"] == "https://feeds.example.org/agenda/es/events/izmir-panel-2021/"


def test_a_news_post_with_its_own_address_links_there_but_keeps_a_local_id():
    site = load_site(CONTENT / "feed-events.yaml")
    rss = feedparser.parse(render_rss(site, View("en", path="/feed.rss")))
    post = next(entry for entry in rss.entries if "panel-announced" in entry.id)
    assert post.id == "https://feeds.example.org/agenda/news/#panel-announced"
    assert post.link == "https://example.org/news/panel-announced"
    assert post.published == "Sun, 01 Aug 2021 00:00:00 +0000"
