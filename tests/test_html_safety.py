"""Hostile content renders inert: Markdown descriptions are sanitised, every other text is escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from conftest import CONTENT

HOSTILE = CONTENT / "html-xss.yaml"
PAGES = ["/", "/es/", "/events/hostile-2030/", "/es/events/hostile-2030/", "/news/", "/archive/2030/"]


@pytest.fixture
def hostile(make_app):
    return make_app(HOSTILE).test_client()


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes, as a browser's tokenizer sees them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("path", PAGES)
def test_no_script_handler_or_javascript_link_gets_through(hostile, path):
    elements = Elements(hostile.get(path).get_data(as_text=True)).found
    for tag, attrs in elements:
        if tag == "script":
            assert attrs.get("type") == "application/ld+json" or attrs.get("src") in (
                "script.js",
                "../script.js",
                "../../script.js",
                "../../../script.js",
            )
        assert not [name for name in attrs if name.startswith("on") or name == "style"], (tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (tag, attrs)
        assert not (tag == "img" and attrs.get("src") == "x")  # the injected image never becomes an element


def test_title_and_location_are_escaped_as_text(hostile):
    page = hostile.get("/events/hostile-2030/").get_data(as_text=True)
    assert (
        "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &lt;img src=x onerror=alert(&#39;title&#39;)&gt;" in page
    )
    assert "&lt;img src=x onerror=alert(&#39;place&#39;)&gt;" in page
    assert "&lt;a href=&#34;javascript:alert(&#39;place&#39;)&#34;&gt;Hall&lt;/a&gt;" in page
    assert "&lt;script&gt;alert(&#39;summary&#39;)&lt;/script&gt;" in page


def test_description_markdown_keeps_its_text_and_safe_links_only(hostile):
    page = hostile.get("/events/hostile-2030/").get_data(as_text=True)
    description = page.split('<div class="e-content description" dir="auto">', 1)[1].split("</div>", 1)[0]
    assert "Hello" in description and "styled" in description
    links = [attrs for tag, attrs in Elements(description).found if tag == "a"]
    assert links == []  # javascript: links dropped, their words kept as text (an <a> with rel and no href is invalid)
    assert "Click me" in description and "raw link" in description
    assert "<script" not in description and "onerror" not in description and "onclick" not in description
    assert "javascript:" not in description


def test_json_ld_cannot_close_its_script_element(hostile):
    page = hostile.get("/events/hostile-2030/").get_data(as_text=True)
    data = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data  # written as \\u003c and \\u003e
    assert "\\u003cscript\\u003e" in data


def test_hostile_news_is_escaped(hostile):
    page = hostile.get("/news/").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;news&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(&#39;news&#39;)&gt;" in page
