"""An event's words as plain text are the same in every output without markup: one function gives them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from calfeed.content import load_site
from calfeed.render import jsonld
from calfeed.render.ics import plain_description
from calfeed.render.text import google_event, plain_text

from conftest import BUNDLED, CONTENT


def test_calendar_google_link_and_json_ld_say_the_same_plain_text():
    checked = 0
    for path in (BUNDLED, CONTENT / "ics-every-field.yaml", CONTENT / "html-kinds.yaml"):
        site = load_site(path)
        default = site.calendar.default_language
        for event in site.events:
            for lang in site.calendar.languages:
                words = plain_text(event, lang, default)
                if not words:
                    continue
                assert not any("**" in word or "](" in word for word in words), words  # Markdown made text
                calendar = plain_description(event, lang, default)
                assert calendar.startswith("\n\n".join(words))
                details = parse_qs(urlsplit(google_event(site, event, lang, "https://x.example/")).query)["details"]
                assert details == ["\n\n".join([*words, "https://x.example/"])]
                assert jsonld.event(site, event, lang)["description"] == words[0]
                checked += 1
    assert checked > 10
