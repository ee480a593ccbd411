"""`calfeed build`: the static export holds, route by route, the bytes and headers the server sends."""

from __future__ import annotations

import gzip
import shutil
from datetime import date
from pathlib import Path

import brotli
import pytest
from werkzeug.http import parse_date

from calfeed import export
from calfeed.cli import main
from calfeed.content import read_content
from calfeed.problems import ContentError
from calfeed.render import FORMATS, PATH_FREE
from calfeed.routes import Route, every_route, path
from calfeed.settings import Settings

from conftest import BUNDLED, TEMPLATES

SETTINGS = Settings(events=str(BUNDLED), templates=str(TEMPLATES))


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "site"
    export.build(out, SETTINGS)
    return out


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    files = (f for f in folder.rglob("*") if f.is_file())
    return {str(f.relative_to(folder)): (f.read_bytes(), f.stat().st_mtime_ns) for f in files}


def test_every_route_is_written_with_the_bytes_the_server_sends(site_dir, client):
    site, _ = read_content(BUNDLED)
    expected = {*export.HOST_FILES, *export.BUILD_FILES} - {export.DELTA}  # a first build's pieces: a base alone
    kinds = set()
    for route in every_route(site):
        url = path(route)
        response = client.get(url)
        assert response.status_code == 200, url
        file = site_dir / export.file_for(url)
        assert file.read_bytes() == response.data, url
        expected.add(export.file_for(url))
        for suffix, decode in ((".gz", gzip.decompress), (".br", brotli.decompress)):
            encoded = file.with_name(file.name + suffix)
            if encoded.exists():
                assert decode(encoded.read_bytes()) == response.data, encoded
                expected.add(export.file_for(url) + suffix)
        # A static host dates the file as calfeed dates the output.
        assert file.stat().st_mtime == parse_date(response.headers["Last-Modified"]).timestamp(), url
        kinds.add(route.format)
    assert kinds == {name for name in FORMATS if not name.startswith("image-")}  # no images: tests/test_images.py
    assert {str(f.relative_to(site_dir)) for f in site_dir.rglob("*") if f.is_file()} == expected
    assert (site_dir / "index.html").exists() and (site_dir / "events/culture-summit-2021/index.html").exists()


def test_export_has_every_month_page_and_each_languages_search_index(site_dir):
    """Every month with events and the month either side, for the site and each tag, in each language, with
    this month's page, and one search index per language: what the month view and the search box link to."""
    site, _ = read_content(BUNDLED)
    for prefix in ("", "en/", "es/", "fr/"):
        for tag in (None, *site.tag_ids):
            folder = site_dir / prefix / (f"tags/{tag}/" if tag else "") / "month"
            written = sorted(path.name for path in folder.iterdir() if path.is_dir())
            assert written == list(FORMATS["month"].items_of(site, tag)), (prefix, tag)
            assert (folder / "index.html").is_file()
    assert sorted(path.name for path in (site_dir / "month").iterdir() if path.is_dir())[:2] == ["2021-08", "2021-09"]
    for prefix in ("", "en/", "es/", "fr/"):
        assert (site_dir / f"{prefix}search.json").is_file() and (site_dir / f"{prefix}tags/index.html").is_file()


def test_headers_file_says_what_the_server_sends(site_dir, client):
    blocks: dict[str, dict[str, str]] = {}
    for line in (site_dir / "_headers").read_text(encoding="utf-8").splitlines():
        if line.startswith("/"):
            current = blocks.setdefault(line, {})
        elif line.startswith("  "):
            name, _, value = line.strip().partition(": ")
            current[name] = value
    site, _ = read_content(BUNDLED)
    assert set(blocks) == {path(route) for route in every_route(site)}
    for url, headers in blocks.items():
        response = client.get(url)
        sent = {name: value for name, value in response.headers.items() if name not in export.PER_FILE}
        sent.pop("Date", None)
        assert headers == sent, url


def test_nginx_snippet_has_a_location_per_format(site_dir):
    conf = (site_dir / "_nginx.conf").read_text(encoding="utf-8")
    for spec in FORMATS.values():
        assert f'default_type "{spec.media_type}"' in conf
    assert 'add_header Content-Disposition "attachment; filename=\\"$item.ics\\""' in conf
    assert "gzip_static on;" in conf


def test_a_broken_content_build_leaves_the_previous_output_untouched(site_dir, tmp_path, runner):
    out = tmp_path / "site"
    shutil.copytree(site_dir, out)
    before = _snapshot(out)
    broken = tmp_path / "events.yaml"
    broken.write_text(BUNDLED.read_text(encoding="utf-8").replace("start: 2021-10-05", "start: 2021-10-32"))
    with pytest.raises(ContentError, match="2021-10-32 is not a real date"):
        export.build(out, Settings(events=str(broken), templates=str(TEMPLATES)))
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.yaml", "site"]  # no half-built folder left

    result = runner.invoke(main, ["build", str(out), str(broken), "--templates", str(TEMPLATES)])
    assert result.exit_code == 1, result.output
    assert "events.yaml:" in result.output and "left as it was" in result.output
    assert _snapshot(out) == before


def test_a_build_that_fails_while_writing_leaves_the_previous_output_untouched(site_dir, tmp_path, monkeypatch):
    out = tmp_path / "site"
    shutil.copytree(site_dir, out)
    (out / export.MANIFEST).unlink()  # without it, the build renders and writes every output again
    before = _snapshot(out)
    real, calls = export._write_output, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) > 5:
            raise RuntimeError("disk full, say")
        return real(*args, **kwargs)

    monkeypatch.setattr(export, "_write_output", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        export.build(out, SETTINGS)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_build_command_replaces_the_output(tmp_path, runner):
    out = tmp_path / "site"
    out.mkdir()
    for name in ("stale.html", *export.HOST_FILES):  # an older build: no manifest, the host files every build writes
        (out / name).write_text("from an older build")
    result = runner.invoke(main, ["build", str(out), str(BUNDLED), "--templates", str(TEMPLATES)])
    assert result.exit_code == 0, result.output
    assert "routes" in result.output
    assert not (out / "stale.html").exists() and (out / "calendar.ics").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_build_never_replaces_a_folder_holding_the_content_or_other_files(tmp_path, runner):
    """A build replaces OUTDIR whole: into the content's own folder (or one above it) it deleted events.yaml,
    into a folder of other files it deleted them."""
    content = tmp_path / "site" / "events.yaml"
    content.parent.mkdir()
    content.write_bytes(BUNDLED.read_bytes())
    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.txt").write_text("precious")
    for outdir, words in [
        (content.parent, f"{content.parent} holds {content}, which the build reads: it would be deleted"),
        (tmp_path, f"{tmp_path} holds {content}, which the build reads"),
        (other, f"{other} holds files that are no earlier build (thesis.txt): they would be deleted"),
    ]:
        result = runner.invoke(main, ["build", str(outdir), str(content), "--templates", str(TEMPLATES)])
        assert result.exit_code == 1, result.output
        assert words in result.output and "Traceback" not in result.output
    assert content.read_bytes() == BUNDLED.read_bytes() and (other / "thesis.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents", "site"]  # no staging folder left


def test_build_day_decides_what_is_upcoming(tmp_path):
    export.build(tmp_path / "2021", SETTINGS, today=date(2021, 9, 1), only=lambda r: r.format == "agenda")
    export.build(tmp_path / "2030", SETTINGS, today=date(2030, 1, 1), only=lambda r: r.format == "agenda")
    assert (tmp_path / "2021/index.html").read_bytes() != (tmp_path / "2030/index.html").read_bytes()
    assert not (tmp_path / "2021/feed.atom").exists()


def test_paths_cannot_leave_the_output_folder():
    assert export.file_for("/es/tags/culture/") == "es/tags/culture/index.html"
    for bad in ("/../etc/passwd", "/a/../../b", "/a//b"):
        with pytest.raises(ValueError):
            export.file_for(bad)


def test_outputs_rendered_once_for_two_paths_are_those_the_server_sends_alike(client):
    """`PATH_FREE` formats are rendered once for the root and the default language's prefix: the server sends
    them the same bytes at both; every other format differs between the two somewhere (its own address)."""
    site, _ = read_content(BUNDLED)
    alike: dict[str, bool] = {}
    for route in every_route(site):
        if route.spec.localized and not route.prefixed:
            prefixed = path(Route(route.format, route.lang, True, route.tag, route.item))
            same = client.get(path(route)).data == client.get(prefixed).data
            alike[route.format] = alike.get(route.format, True) and same
    assert {name for name, same in alike.items() if same} == PATH_FREE


def test_the_build_shares_its_routes_among_processes_with_the_bytes_of_one(tmp_path):
    """Two processes render disjoint routes: the same files, bytes and dates as one process."""
    export.build(tmp_path / "one", SETTINGS, today=date(2021, 9, 1), processes=1)
    export.build(tmp_path / "two", SETTINGS, today=date(2021, 9, 1), processes=2)
    one, two = _snapshot(tmp_path / "one"), _snapshot(tmp_path / "two")
    assert one == two and len(one) > 100
