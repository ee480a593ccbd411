"""Images kept beside the content (``src: images/…``): read with their size, served, exported, shown with
width, height, alt text and lazy loading, and a clear warning when a file is missing or not allowed."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image as Pillow

from calfeed import export
from calfeed.cli import main
from calfeed.content import read_content
from calfeed.images import SUFFIXES as IMAGE_TYPES
from calfeed.settings import Settings

from conftest import CONTENT, TEMPLATES

KINDS = CONTENT / "html-kinds.yaml"
CONGRESS = CONTENT / "images" / "congress.png"

EVENT = """\
calendar:
  title: Images
  url: https://agenda.example.org/
  timezone: Europe/Brussels
events:
  - id: fair
    title: Spring fair
    start: 2031-05-01
    location: Park
    image: {{src: {src}, alt: Stalls in the park}}
"""


def content_with(tmp_path: Path, src: str, files: dict[str, bytes] | None = None) -> Path:
    (tmp_path / "images").mkdir(parents=True, exist_ok=True)
    for name, data in (files or {}).items():
        (tmp_path / "images" / name).write_bytes(data)
    events = tmp_path / "events.yaml"
    events.write_text(EVENT.format(src=src), encoding="utf-8")
    return events


def images_on(page: bytes) -> list[dict[str, str]]:
    return [dict(image.attrib) for image in lxml_html.fromstring(page.decode()).xpath("//img")]


def test_a_local_image_is_served_with_its_bytes_and_type(make_app):
    client = make_app(KINDS).test_client()
    response = client.get("/images/congress.png")
    assert response.status_code == 200
    assert response.content_type == "image/png"
    assert response.data == CONGRESS.read_bytes()
    assert client.get("/images/nothing.png").status_code == 404
    assert client.get("/es/images/congress.png").status_code == 404  # one file for every language


def test_pages_show_it_with_its_size_alt_text_and_lazy_loading_in_lists(make_app):
    client = make_app(KINDS).test_client()
    with Pillow.open(CONGRESS) as image:
        width, height = image.size  # Pillow, read here independently of calfeed
    on_page = images_on(client.get("/es/events/hybrid-congress-2031/").data)
    assert {"width": str(width), "height": str(height), "alt": "El palacio de congresos"}.items() <= on_page[0].items()
    assert on_page[0]["src"] == "https://agenda.example.org/images/congress.png"
    assert "loading" not in on_page[0]  # at the top of its own page: loaded at once
    for listing in ("/archive/2031/", "/tags/housing/", "/embed/"):
        found = [image for image in images_on(client.get(listing).data) if image["src"].endswith("congress.png")]
        assert found, listing
        assert found[0]["loading"] == "lazy" and found[0]["width"] == str(width), listing


def test_a_missing_image_is_a_located_warning_and_is_not_shown(tmp_path, runner, monkeypatch):
    events = content_with(tmp_path, "images/fair.jpg")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["check", "events.yaml"])
    assert result.exit_code == 0, result.output
    assert "events.yaml:10:18: events[0].image.src: warning: image file images/fair.jpg not found" in result.output
    assert runner.invoke(main, ["check", "--strict", "events.yaml"]).exit_code == 1
    site, _ = read_content(events)
    assert site is not None and site.events[0].image is not None
    assert site.events[0].image.src is None  # described, not shown: no page links to a file that is not there
    assert site.events[0].image.alt.get("en", "en") == "Stalls in the park"


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("images/../events.yaml", "is not a local image name"),
        ("images/sub/fair.jpg", "is not a local image name"),
        ("images/fair.svg", "is not a local image name"),
        ("images/fake.png", "is not an image Pillow can read"),
        ("images/dangling.png", "not found"),  # a link to nothing
    ],
)
def test_only_real_images_directly_in_the_images_folder_are_read(tmp_path, src, message):
    events = content_with(tmp_path, src, {"fake.png": b"not an image"})
    os.symlink(tmp_path / "nowhere.png", tmp_path / "images" / "dangling.png")
    site, problems = read_content(events)
    assert site is not None and site.images == {}
    assert [problem.severity for problem in problems] == ["warning"]
    assert message in problems[0].message and problems[0].field == "events[0].image.src"


def test_a_link_to_an_image_elsewhere_in_the_content_folder_is_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(CONGRESS, elsewhere / "congress.png")
    events = content_with(tmp_path, "images/linked.png")
    os.symlink(elsewhere / "congress.png", tmp_path / "images" / "linked.png")
    site, problems = read_content(events)
    assert site is not None and not problems
    assert site.images["linked.png"].data == CONGRESS.read_bytes()


def test_an_image_behind_a_link_leading_out_of_the_content_folder_is_an_error(tmp_path):
    outside = tmp_path / "outside.png"
    shutil.copy(CONGRESS, outside)
    events = content_with(tmp_path / "content", "images/outside.png")
    os.symlink(outside, tmp_path / "content" / "images" / "outside.png")
    site, problems = read_content(events)
    assert site is None
    assert [(problem.severity, problem.field, problem.line) for problem in problems] == [
        ("error", "events[0].image.src", 10)
    ]
    assert "symbolic link leading out of the content folder" in problems[0].message


def test_the_export_copies_local_images_and_pages_link_them(tmp_path):
    out = tmp_path / "site"
    export.build(out, Settings(events=str(KINDS), templates=str(TEMPLATES)), today=date(2031, 1, 1))
    assert (out / "images/congress.png").read_bytes() == CONGRESS.read_bytes()
    page = lxml_html.fromstring((out / "archive/2031/index.html").read_text(encoding="utf-8"))
    sources = [image.get("src") for image in page.xpath("//img")]
    assert "../../images/congress.png" in sources or any(s.endswith("/images/congress.png") for s in sources)


def test_changing_an_image_file_makes_a_new_content_version(tmp_path):
    events = content_with(tmp_path, "images/fair.png", {"fair.png": CONGRESS.read_bytes()})
    first, _ = read_content(events)
    Pillow.new("RGB", (10, 20), (1, 2, 3)).save(tmp_path / "images" / "fair.png")
    second, _ = read_content(events)
    assert first is not None and second is not None
    assert first.version != second.version
    assert second.events[0].image is not None and (second.events[0].image.width, second.events[0].image.height) == (
        10,
        20,
    )


@pytest.mark.parametrize(("suffix", "media_type"), sorted(IMAGE_TYPES.items()))
def test_every_kind_of_image_has_its_type_and_the_caching_headers(tmp_path, make_app, suffix, media_type):
    image = Pillow.new("RGB", (30, 20), (200, 100, 50))
    image.save(tmp_path / "picture", format={"jpg": "JPEG"}.get(suffix, suffix.upper()))
    events = content_with(tmp_path, f"images/fair.{suffix}", {f"fair.{suffix}": (tmp_path / "picture").read_bytes()})
    client = make_app(events).test_client()
    response = client.get(f"/images/fair.{suffix}")
    assert response.status_code == 200 and response.content_type == media_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in response.headers["Cache-Control"]
    assert client.get(f"/images/fair.{suffix}", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert images_on(client.get("/events/fair/").data)[0]["width"] == "30"


@pytest.mark.parametrize(
    ("suffix", "media_type"), [("webp", "image/webp"), ("avif", "image/avif"), ("JPG", "image/jpeg")]
)
def test_a_remote_image_has_the_same_media_type_in_the_calendar_and_the_feeds(tmp_path, make_app, suffix, media_type):
    # one table (calfeed.images), whatever the machine's /etc/mime.types holds: Python's lacks webp before 3.13
    events = content_with(tmp_path, f"https://cdn.example.org/fair.{suffix}?w=800")
    client = make_app(events).test_client()
    calendar = client.get("/calendar.ics").data.decode().replace("\r\n ", "")
    assert f"ATTACH;FMTTYPE={media_type}:https://cdn.example.org/fair.{suffix}?w=800" in calendar
    assert f'type="{media_type}"' in client.get("/feed.atom").data.decode()
    assert f'type="{media_type}"' in client.get("/feed.rss").data.decode()
