"""Every link in every output of a static export lands somewhere: a file of the export, and an element
with the fragment's id (tests/linkcheck.py, an independent reader of pages, feeds and calendars)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from calfeed import export
from calfeed.content import read_content
from calfeed.routes import Links
from calfeed.settings import Settings

from conftest import BUNDLED, CONTENT, TEMPLATES
from linkcheck import find_misses, links

RICH = CONTENT / "linked-site.yaml"


def _build(tmp_path_factory: pytest.TempPathFactory, content: Path, today: date) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("export") / "site"
    export.build(out, Settings(events=str(content), templates=str(TEMPLATES)), today=today)
    site, _ = read_content(content)
    assert site is not None
    return out, site.calendar.url


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return _build(tmp_path_factory, BUNDLED, date(2026, 11, 30))


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return _build(tmp_path_factory, RICH, date(2026, 3, 1))  # the series runs, one event is past, two ahead


@pytest.mark.parametrize("export_of", ["bundled", "rich"])
def test_every_link_of_the_export_resolves(export_of: str, request: pytest.FixtureRequest) -> None:
    folder, base_url = request.getfixturevalue(export_of)
    misses = find_misses(folder, base_url)
    assert not misses, "\n".join(map(str, misses[:40]))


@pytest.mark.parametrize("export_of", ["bundled", "rich"])
def test_the_checker_reads_every_kind_of_output(export_of: str, request: pytest.FixtureRequest) -> None:
    """A checker that found nothing to check would pass too: every kind of link must have been seen."""
    folder, base_url = request.getfixturevalue(export_of)
    inside = [link for link in links(folder, base_url) if link.url.startswith(base_url)]
    kinds = {(Path(link.source).suffix, link.where) for link in inside}
    for kind in [
        (".html", "<a href>"),
        (".html", "<link href>"),
        (".html", "<script src>"),
        (".html", "JSON-LD url"),
        (".atom", "<link href>"),
        (".rss", "<link>"),
        (".json", "JSON Feed url"),
        (".json", "JSON Feed ics_url"),
        (".ics", "VEVENT URL"),
    ]:
        assert kind in kinds, kind
    fragments = [link for link in inside if "#news-" in link.url]
    assert {Path(link.source).suffix for link in fragments} >= {".html", ".atom", ".rss", ".json"}


NOT_SERVED = {*export.HOST_FILES, *export.BUILD_FILES}  # for the host and the next build


def test_the_server_answers_every_file_the_export_writes(rich: tuple[Path, str], make_app) -> None:
    """languages: [en, fr, pt-br, zh-Hant-TW]: one rule for the check and the router, one form (pt-BR)."""
    folder, _ = rich
    client = make_app(RICH).test_client()
    written = [
        file.relative_to(folder).as_posix()
        for file in folder.rglob("*")
        if file.is_file()
        and file.suffix not in (".gz", ".br")
        and file.name not in (*export.HOST_FILES, *export.BUILD_FILES)
    ]
    assert any(name.startswith("pt-BR/") for name in written) and any(
        name.startswith("zh-Hant-TW/") for name in written
    )
    for name in sorted(written):
        url = "/" + name.removesuffix("index.html")
        assert client.get(url).status_code == 200, url


def test_a_news_link_in_a_feed_names_the_post_on_the_news_page(rich: tuple[Path, str]) -> None:
    """The bug this checker was written for: feeds linked news/#<id>, the page's anchors are #news-<id>."""
    folder, base_url = rich
    feed = (folder / "pt-BR" / "feed.rss").read_text()
    assert f"<link>{base_url}pt-BR/news/#news-forum-report</link>" in feed
    assert 'id="news-forum-report"' in (folder / "pt-BR" / "news" / "index.html").read_text()


def test_a_broken_link_is_a_miss(tmp_path: Path) -> None:
    """The checker itself: a missing file, a missing id, a link into the site from a calendar."""
    base = "https://example.org/a/"
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "index.html").write_text(
        '<!doctype html><p id="here"><a href="../y/">y</a> <a href="#there">there</a> <a href="#here">ok</a>'
        ' <a href="https://example.org/b/">other site</a> <a href="/a/x/">root-relative</a>'
    )
    (tmp_path / "c.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20200101T000000Z\r\n"
        "URL:webcal://example.org/a/z.ics\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    found = sorted(str(miss) for miss in find_misses(tmp_path, base))
    assert found == [
        "c.ics: VEVENT URL webcal://example.org/a/z.ics: no file z.ics",
        "x/index.html: <a href> https://example.org/a/x/#there: no element with id 'there' in x/index.html",
        "x/index.html: <a href> https://example.org/a/y/: no file y/index.html",
    ]


def test_a_template_that_links_a_path_instead_of_an_output_is_told_so(rich: tuple[Path, str]) -> None:
    site, _ = read_content(RICH)
    assert site is not None
    with pytest.raises(LookupError, match=r"no output named 'news/' \(links name one of agenda, "):
        Links(site, "en", "/").link("news/")
