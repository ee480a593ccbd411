"""Content stays in its folder, and the public sees no paths or content text when it has problems."""

from __future__ import annotations

import io
import json
import shutil
import urllib.error
import urllib.request

import pytest
from PIL import Image as Pillow
from PIL.PngImagePlugin import PngInfo
from test_wsgi import run_gunicorn

from calfeed.cli import main
from calfeed.content import read_content

from conftest import BUNDLED

MARKER = "SECRET_MARKER_8d1f"
VALID = (
    "calendar:\n  title: T\n  url: https://x.example/\n"
    "events:\n  - id: a\n    title: A\n    start: 2030-01-01\n    online: true\n"
)


@pytest.fixture
def linked_out(tmp_path):
    """A content folder holding a valid file and a link to a file outside it that holds a marker."""
    secret = tmp_path / "private" / ".env"
    secret.parent.mkdir()
    secret.write_text(f"API_KEY={MARKER}\n", encoding="utf-8")
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "events.yaml").write_text(VALID, encoding="utf-8")
    (folder / "partner.yaml").symlink_to(secret)
    return folder


def test_a_link_out_of_the_content_folder_is_refused_and_never_read(linked_out, runner):
    site, problems = read_content(linked_out)
    assert site is None
    assert [(p.file, p.severity) for p in problems] == [(str(linked_out / "partner.yaml"), "error")]
    assert "symbolic link leading out of the content folder" in problems[0].message
    assert MARKER not in str(problems) and "private" not in str(problems)
    checked = runner.invoke(main, ["check", str(linked_out)])
    assert checked.exit_code == 1 and MARKER not in checked.output and "partner.yaml" in checked.stderr


def test_a_valid_yaml_file_outside_is_not_published(tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("news:\n  - id: injected\n    title: Injected\n    date: 2030-01-01\n", encoding="utf-8")
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "events.yaml").write_text(VALID, encoding="utf-8")
    (folder / "news.yaml").symlink_to(outside)
    site, problems = read_content(folder)
    assert site is None and [p.file for p in problems] == [str(folder / "news.yaml")]


def test_links_that_stay_inside_the_folder_are_followed(tmp_path):
    folder = tmp_path / "content"
    (folder / "real").mkdir(parents=True)
    (folder / "real" / "events.yml").write_text(VALID, encoding="utf-8")
    (folder / "events.yaml").symlink_to(folder / "real" / "events.yml")
    site, problems = read_content(folder / "real")
    assert site is not None
    site, problems = read_content(folder)
    # the same file twice: read through the link too, so its id is a duplicate (a located problem, not a leak)
    assert site is None and all(p.file.startswith(str(folder)) for p in problems)
    assert any("duplicate event id 'a'" in p.message for p in problems)


def _fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_public_healthz_and_503_page_show_no_path_and_no_content(linked_out, tmp_path):
    with run_gunicorn(linked_out, tmp_path / "gunicorn.log", workers=1, up=504) as base:
        for url in ("/", "/calendar.ics", "/healthz"):
            status, text = _fetch(base + url)
            assert status == 503, url
            for secret in (MARKER, str(tmp_path), "partner.yaml", "API_KEY", "/private"):
                assert secret not in text, (url, secret)
        status, text = _fetch(base + "/healthz")
        assert set(json.loads(text)) == {"status", "version", "time"}
    # the problem is in the log, for the people who run the server
    assert "partner.yaml" in (tmp_path / "gunicorn.log").read_text(errors="replace")


def test_a_refused_edit_shows_stale_but_no_details(make_app, tmp_path):
    events = tmp_path / "events.yaml"
    shutil.copy(BUNDLED, events)
    app = make_app(events)
    client, store = app.test_client(), app.extensions["calfeed.store"]
    events.write_text(events.read_text(encoding="utf-8") + f"\nbogus_{MARKER}: 1\n", encoding="utf-8")
    store.refresh()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "stale"
    assert MARKER not in response.get_data(as_text=True) and str(tmp_path) not in response.get_data(as_text=True)
    detailed = make_app(events, CALFEED_SHOW_PROBLEMS="1").test_client().get("/healthz").get_data(as_text=True)
    assert MARKER in detailed and str(events) in detailed


def _png_with(text: str) -> bytes:
    """A real PNG image whose tEXt chunk holds `text`: served as it is when it is a local image."""
    info = PngInfo()
    info.add_text("Comment", text)
    data = io.BytesIO()
    Pillow.new("RGB", (4, 4)).save(data, "PNG", pnginfo=info)
    return data.getvalue()


# A history file that is read quotes the bad value in its problem: what a link leading out would disclose.
SECRET_HISTORY = json.dumps({"event:a": {"hash": "h", "sequence": MARKER, "modified": "2030-01-01T00:00:00Z"}})


def _site_linking(tmp_path, kind: str, target_folder) -> object:
    """A content folder whose image (`kind` "image"), images/ folder ("images") or history file ("history") is a
    link into `target_folder`, which holds the marker; returns the content file."""
    target_folder.mkdir(parents=True, exist_ok=True)
    (target_folder / "photo.png").write_bytes(_png_with(MARKER))
    (target_folder / "history.json").write_text(SECRET_HISTORY, encoding="utf-8")
    folder = tmp_path / "content"
    folder.mkdir(exist_ok=True)
    if kind == "images":
        (folder / "images").symlink_to(target_folder)
    else:
        (folder / "images").mkdir()
    events = folder / "events.yaml"
    events.write_text(VALID + "    image: {src: images/photo.png, alt: A photo}\n", encoding="utf-8")
    if kind == "image":
        (folder / "images" / "photo.png").symlink_to(target_folder / "photo.png")
    elif kind == "history":
        (folder / "images" / "photo.png").write_bytes(_png_with("harmless"))
        (folder / "events.history.json").symlink_to(target_folder / "history.json")
    return events


@pytest.mark.parametrize("kind", ["image", "images", "history"])
def test_an_image_or_history_behind_a_link_leading_out_is_refused_and_never_read(tmp_path, make_app, runner, kind):
    events = _site_linking(tmp_path, kind, tmp_path / "private")
    site, problems = read_content(events)
    assert site is None and MARKER not in str(problems)
    [problem] = [p for p in problems if p.severity == "error"]
    assert "symbolic link leading out of" in problem.message
    if kind != "history":
        assert (problem.file, problem.line, problem.field) == (str(events), 9, "events[0].image.src")
    else:
        assert problem.file == str(events.with_name("events.history.json"))
    checked = runner.invoke(main, ["check", str(events)])
    assert checked.exit_code == 1 and MARKER not in checked.output
    for show in ("0", "1"):  # never read, so not even the private details have it
        client = make_app(events, CALFEED_SHOW_PROBLEMS=show).test_client()
        for url in ("/", "/calendar.ics", "/healthz", "/events/a/", "/images/photo.png"):
            response = client.get(url)
            assert response.status_code in (503, 404) and MARKER.encode() not in response.data, (url, show)


@pytest.mark.parametrize("kind", ["image", "images", "history"])
def test_the_same_files_linked_from_inside_the_folder_are_read(tmp_path, make_app, runner, kind):
    """The counterpart: the marker does show when the link stays inside, so the test above can fail."""
    events = _site_linking(tmp_path, kind, tmp_path / "content" / "shared")
    if kind != "history":
        assert MARKER.encode() in make_app(events).test_client().get("/images/photo.png").data
    else:
        assert MARKER in runner.invoke(main, ["check", str(events)]).output
