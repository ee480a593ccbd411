"""Addresses in every output are URIs: what editors paste (a host in other scripts, `é`, `<`, `"`) is carried
percent-encoded and in IDNA form, as a browser sends it; a description link without a scheme is shown as
text (each output would resolve it against a different page) and `check` warns about it."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from calfeed import limits
from calfeed.checks import FieldChecker
from calfeed.content import read_content
from calfeed.problems import Problems

from conftest import CONTENT

FILE = CONTENT / "uris-to-encode.yaml"
NOT_IN_A_URI = re.compile(r'[^\x21-\x7e]|[<>"{}|\\^`]')


@pytest.fixture
def client(make_app) -> FlaskClient:
    return make_app(FILE).test_client()


def test_every_address_in_the_outputs_is_a_uri(client: FlaskClient) -> None:
    page = client.get("/events/lesung/").get_data(as_text=True)
    for href in re.findall(r'(?:href|src)="([^"]*)"', page):
        assert not NOT_IN_A_URI.search(href.replace("&amp;", "&")), href
    assert 'href="https://meet.example/raum?a=1&amp;b=%3C2%3E"' in page
    calendar = client.get("/events/lesung.ics").data.decode()
    for line in calendar.replace("\r\n ", "").split("\r\n"):
        if line.startswith(("URL", "ATTACH", "IMAGE", "CONFERENCE")):
            assert line.isascii(), line
    assert "URL:https://xn--bcher-kva.example/caf%C3%A9?q=%22%C3%BC%22\r\n" in calendar
    assert "UID:lesung@xn--bcher-kva.example\r\n" in calendar
    rss = client.get("/feed.rss").get_data(as_text=True)
    assert '<enclosure url="https://cdn.example/b%C3%BCcher.png"' in rss
    assert "<link>https://xn--bcher-kva.example/agenda/events/lesung/</link>" in rss


def test_a_description_link_without_a_scheme_is_text_and_check_warns(client: FlaskClient) -> None:
    page = client.get("/events/lesung/").get_data(as_text=True)
    description = page.split('<div class="e-content description" dir="auto">', 1)[1].split("</div>", 1)[0]
    assert "See the programme, our site or " in description
    assert '<a href="https://shop.example/" rel="noopener noreferrer">the shop</a>' in description
    assert "programme.pdf" not in description and "<a rel" not in description
    site, problems = read_content(FILE, convert=True)
    assert site is not None
    assert [(p.line, p.field, p.severity) for p in problems] == [(15, "events[0].description", "warning")]
    assert "links to 'programme.pdf', an address without a scheme, shown as plain text" in problems[0].message


URL_SCHEMES = st.sampled_from(["https://", "http://"]) | st.sampled_from(
    ["HTTP://", "ftp://", "mailto:", "https:", "//", ""]
)
HOST_PARTS = st.sampled_from(["example", ".", "org", "-", "1", "xn--bcher-kva", "bücher", ":8080", ":x", ":", "@", "["])
HOST_PARTS |= st.sampled_from(["]", "[::1]", "user:pw@", "%41", " ", "_", "\t", "é"]) | st.text(max_size=2)
HOSTS = st.sampled_from(["example.org", "a", "-", "."]) | st.lists(HOST_PARTS, max_size=4).map("".join)
REST_PARTS = st.sampled_from(["/", "?", "#", "a", "%20", "%", " ", "\n", "é", "<", '"', "{", "|", "\\", "^", "`", "'"])
REST_PARTS |= st.sampled_from(["~", "_", "=", "&", "+", "[", "]", "@", ":", "!", "$", "(", ")", "*", ",", ";"])
REST_PARTS |= st.text(max_size=2)
RESTS = st.tuples(st.sampled_from(["/", "?", "#", ""]), st.lists(REST_PARTS, max_size=4).map("".join)).map("".join)
URLS = st.tuples(URL_SCHEMES, HOSTS, RESTS).map("".join)


@settings(max_examples=500, deadline=None)
@given(
    URLS,
    st.sampled_from([("http", "https"), ("http", "https", "mailto")]),
    st.booleans(),
)
def test_a_plain_address_is_taken_as_the_checks_take_it(text, schemes, relative):
    """`FieldChecker.url` takes an address written as nearly all are as it is, without urlsplit: the same
    address, and no problem, as its full checks give."""
    results = []
    for check in ("url", "checked_url"):
        problems = Problems()
        checker = FieldChecker(problems.in_file("events.yaml"))
        if check == "url":
            value = checker.url(text, ("url",), schemes, relative)
        elif (value := checker.string(text, ("url",), most=limits.URL)) is not None:
            value = checker.checked_url(value, ("url",), schemes, relative)
        results.append((value, problems.pending))
    assert results[0] == results[1]
