"""Huge bodies gzipped in chunks (`calfeed.gzip_chunks`): one gzip stream any decoder reads as the body, and
after an edit only the chunks around it are compressed again (the server keeps chunks in memory, a build takes
them from the previous build's .gz). Decoded by Python's gzip, Debian's gzip and zcat, curl and Chromium;
served by calfeed's server and by nginx (gzip_static)."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_export_incremental import DAY, _edit, _tree
from test_nginx import NGINX, run_nginx
from werkzeug.serving import make_server

from calfeed import export, gzip_chunks, http
from calfeed.settings import Settings
from calfeed.store import ContentStore

from conftest import BUNDLED, TEMPLATES
from test_browser_support import CHROMIUM, chromium


def _vevents(count: int, edited: int | None = None) -> bytes:
    """A calendar-like body: `count` events of a few hundred bytes, each its own; `edited` one reads longer."""
    lines = [b"BEGIN:VCALENDAR\r\n"]
    for n in range(count):
        summary = f"Workshop {n} on urban resilience" + (" (moved to the town hall)" if n == edited else "")
        lines.append(
            f"BEGIN:VEVENT\r\nUID:event-{n:05d}@agenda.example.org\r\nDTSTART:2024{n % 12 + 1:02d}{n % 28 + 1:02d}"
            f"T{n % 24:02d}0000Z\r\nSUMMARY:{summary}\r\nLOCATION:City Hall, {n * 7 % 1000} Main Street\r\n"
            f"DESCRIPTION:Session {n * 31 % 997} of the programme, room {n % 17}\r\nEND:VEVENT\r\n".encode()
        )
    return b"".join([*lines, b"END:VCALENDAR\r\n"])


class Counted:
    """Counts the chunks `gzip_chunks` compresses (rather than takes as they were)."""

    def __init__(self) -> None:
        self.made = 0
        self._deflate = gzip_chunks._deflate

    def __call__(self, chunk: memoryview, level: int, dictionary: memoryview) -> bytes:
        self.made += 1
        return self._deflate(chunk, level, dictionary)


@pytest.fixture
def counted(monkeypatch) -> Counted:
    counter = Counted()
    monkeypatch.setattr(gzip_chunks, "_deflate", counter)
    return counter


@pytest.fixture
def small_chunks(monkeypatch) -> None:
    """Bodies over 1 kB are gzipped in chunks of 150 bytes and more, cut after one line break in four, each
    chunk's compression referring back 128 bytes at most (so into the chunk before it alone, as 32 KiB do
    in chunks of 128 KiB): the small content of the tests is cut too."""
    monkeypatch.setattr(http, "HUGE", 1024)
    monkeypatch.setattr(gzip_chunks, "SMALLEST", 150)
    monkeypatch.setattr(gzip_chunks, "LARGEST", 2048)
    monkeypatch.setattr(gzip_chunks, "SPREAD", 4)
    monkeypatch.setattr(gzip_chunks, "DICTIONARY", 128)


def _one_member(data: bytes) -> bytes:
    """`data` decoded as exactly one gzip member (nothing after it), as zlib reads it."""
    decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    body = decoder.decompress(data) + decoder.flush()
    assert decoder.eof and decoder.unused_data == b""
    return body


fields = st.lists(st.binary(max_size=120).map(lambda field: field.replace(b"\n", b"").replace(b",", b"")), max_size=80)


@settings(max_examples=60, deadline=None)
@given(
    body=st.one_of(st.binary(max_size=3000), fields.map(b"\n".join), fields.map(b",".join)),
    other=st.binary(max_size=2000),
    smallest=st.integers(1, 300),
    spread=st.sampled_from([1, 2, 64]),
    window=st.sampled_from([1, 100, gzip_chunks.DICTIONARY]),
)
def test_a_body_gzipped_in_chunks_decodes_to_itself_whatever_it_holds(body, other, smallest, spread, window):
    """Any bytes (no line break at all, lines, a line of commas, empty), cut into many chunks, and compressed
    again with chunks of another body at hand: one gzip member that decodes to the body, the same bytes."""
    with (
        mock.patch.object(gzip_chunks, "SMALLEST", smallest),
        mock.patch.object(gzip_chunks, "LARGEST", smallest * 3),
        mock.patch.object(gzip_chunks, "SPREAD", spread),
        mock.patch.object(gzip_chunks, "DICTIONARY", window),
    ):
        chunked = gzip_chunks.compress(body, 6)
        assert gzip.decompress(chunked.data) == body == _one_member(chunked.data)
        assert sum(chunked.lengths) == len(chunked.data) - 10 - 2 - 8
        known = {**gzip_chunks.compress(other + body, 6).chunks(), **gzip_chunks.compress(body + other, 6).chunks()}
        assert gzip_chunks.compress(body, 6, known).data == chunked.data
        assert gzip_chunks.reusable(chunked.data, chunked.index) == chunked.chunks()


def test_gzip_and_zcat_read_a_huge_calendar_gzipped_in_chunks(tmp_path):
    body = _vevents(12_000)  # 3.4 MB
    assert len(body) > http.HUGE
    data = http.encode(body)["gzip"]
    assert len(gzip_chunks.cuts(body)) > 10
    file = tmp_path / "calendar.ics.gz"
    file.write_bytes(data)
    assert subprocess.run(["gzip", "--test", str(file)], check=False).returncode == 0
    assert subprocess.run(["zcat", str(file)], capture_output=True, check=True).stdout == body
    assert subprocess.run(["gzip", "-d", "-c", str(file)], capture_output=True, check=True).stdout == body
    assert gzip.decompress(data) == body


def test_an_edit_of_one_event_compresses_only_the_chunks_around_it_again(counted):
    before, after = _vevents(12_000), _vevents(12_000, edited=6_000)
    first = gzip_chunks.compress(before, 6)
    assert counted.made == len(first.keys) > 10
    counted.made = 0
    again = gzip_chunks.compress(after, 6, first.chunks())
    made = counted.made
    assert 1 <= made <= 2  # the edited event's chunk, and the next one (whose dictionary it is)
    assert again.data == gzip_chunks.compress(after, 6).data  # as if compressed from nothing
    assert gzip.decompress(again.data) == after
    same = [key for key in again.keys if key in first.keys]
    assert len(same) == len(again.keys) - made
    chunks = again.chunks()
    assert all(chunks[key] == first.chunks()[key] for key in same)  # the very bytes compressed before


def test_a_wrong_or_altered_earlier_gzip_gives_no_chunks():
    chunked = gzip_chunks.compress(_vevents(6_000), 6)
    assert gzip_chunks.reusable(chunked.data, chunked.index)
    altered = bytearray(chunked.data)
    altered[len(altered) // 2] ^= 1
    assert gzip_chunks.reusable(bytes(altered), chunked.index) == {}
    assert gzip_chunks.reusable(chunked.data[:-1], chunked.index) == {}
    assert gzip_chunks.reusable(chunked.data, chunked.index[:-3]) == {}
    assert gzip_chunks.reusable(gzip.compress(_vevents(6_000), 6), chunked.index) == {}


# -- the server -------------------------------------------------------------------------------------------------


@pytest.fixture
def content(tmp_path) -> Path:
    """A copy of the bundled content and its history, to edit."""
    for name in (BUNDLED.name, BUNDLED.name.replace(".yaml", ".history.json")):
        shutil.copy2(BUNDLED.with_name(name), tmp_path / name)
    return tmp_path / BUNDLED.name


@pytest.fixture
def served(content, small_chunks, monkeypatch, make_app) -> Iterator[tuple[str, Path, ContentStore]]:
    """calfeed's app on a loopback port (werkzeug's threaded server), serving a copy of the bundled content
    and its history, cut in small chunks; yields its base URL, the content file and the app's store."""
    monkeypatch.setattr(gzip_chunks, "CHUNKS", gzip_chunks.ChunkCache())
    app = make_app(content)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", content, app.extensions["calfeed.store"]
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _curl(url: str, *options: str) -> bytes:
    return subprocess.run(["curl", "--silent", "--fail", *options, url], capture_output=True, check=True).stdout


def _gzipped(url: str) -> bytes:
    """The gzip answer for `url`, once the server has compressed it (a huge body is sent as it is meanwhile)."""
    for _ in range(100):
        coded = _curl(url, "-H", "Accept-Encoding: gzip")
        if coded[:2] == b"\x1f\x8b":
            return coded
        time.sleep(0.05)
    raise AssertionError(f"{url} was never sent gzipped")


def test_curl_reads_the_servers_chunked_gzip_and_a_reload_compresses_only_the_edited_chunks(served, counted):
    base, content, store = served
    plain = _curl(base + "/calendar.ics", "-H", "Accept-Encoding: identity")
    coded = _gzipped(base + "/calendar.ics")
    chunks = len(gzip_chunks.cuts(plain))
    assert len(plain) > http.HUGE and chunks > 3 and counted.made == chunks
    assert _curl(base + "/calendar.ics", "--compressed") == plain == gzip.decompress(coded)

    text = content.read_text(encoding="utf-8")
    content.write_text(text.replace("title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit"))
    counted.made = 0
    assert store.refresh()  # renders and compresses the new version of what was asked for: the calendar
    edited = _curl(base + "/calendar.ics", "-H", "Accept-Encoding: identity")
    assert b"SUMMARY:The 4th UCLG Culture Summit" in edited and len(gzip_chunks.cuts(edited)) > 3
    assert 1 <= counted.made <= 3  # the edited event's chunk, the next one, and one more if a cut moved
    assert _curl(base + "/calendar.ics", "--compressed") == edited == gzip.decompress(_gzipped(base + "/calendar.ics"))
    assert counted.made <= 3


# -- calfeed build ---------------------------------------------------------------------------------------------


class Compressions:
    """Each gzip made in chunks: how many chunks it had, and how many it compressed (not taken as they were)."""

    def __init__(self, counter: Counted) -> None:
        self.counter = counter
        self.done: list[tuple[int, int]] = []
        self._compress = gzip_chunks.compress

    def __call__(self, body: bytes, level: int, known=None) -> gzip_chunks.Chunked:
        before = self.counter.made
        chunked = self._compress(body, level, known)
        self.done.append((len(chunked.keys), self.counter.made - before))
        return chunked


@pytest.fixture
def compressions(monkeypatch, counted) -> Compressions:
    recorder = Compressions(counted)
    monkeypatch.setattr(gzip_chunks, "compress", recorder)
    return recorder


def _build(events: Path, out: Path) -> dict[str, bytes]:
    """Build `events` into `out` in this process (so the chunks it compresses are counted here): its files."""
    export.build(out, Settings(events=str(events), templates=str(TEMPLATES)), today=DAY, processes=1)
    return {name: data for name, (data, _, _) in _tree(out).items()}


def test_an_incremental_build_takes_unchanged_chunks_from_the_previous_builds_gzip(
    content, tmp_path, small_chunks, compressions
):
    out = tmp_path / "site"
    first = _build(content, out)
    assert len(compressions.done) > 10 and all(made == chunks for chunks, made in compressions.done)
    compressions.done.clear()
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    edited = _build(content, out)
    done = list(compressions.done)
    assert edited == _build(content, tmp_path / "full")  # a full build's bytes
    # Each output that shows the edited event compresses the chunks that show it (200 bytes each here), and
    # the chunk after each: in all, a fifth of them; none of the larger ones is compressed whole.
    assert len(done) > 6 and all(made < chunks for chunks, made in done if chunks > 8), str(done)
    assert sum(made for _, made in done) < sum(chunks for chunks, _ in done) / 5
    for name in ("calendar.ics", "es/events.json", "events/culture-summit-2021/index.html"):
        assert edited[name + ".gz"] != first[name + ".gz"]
        assert gzip.decompress(edited[name + ".gz"]) == edited[name] != first[name]


def test_an_altered_gzip_of_the_previous_build_is_compressed_anew(content, tmp_path, small_chunks, compressions):
    out = tmp_path / "site"
    _build(content, out)
    file = out / "calendar.ics.gz"
    altered = bytearray(file.read_bytes())
    altered[len(altered) // 2] ^= 1  # (the calendar is only one of the outputs an edit makes again)
    file.write_bytes(bytes(altered))
    compressions.done.clear()
    _edit(content, "title: 4th UCLG Culture Summit", "title: The 4th UCLG Culture Summit")
    edited = _build(content, out)
    done = list(compressions.done)
    assert edited == _build(content, tmp_path / "full")
    assert gzip.decompress(edited["calendar.ics.gz"]) == edited["calendar.ics"]
    assert any(made == chunks > 3 for chunks, made in done)  # the calendar: none taken from the altered file
    assert sum(made for _, made in done) < sum(chunks for chunks, _ in done) / 2  # the others: as before


def test_nginx_serves_the_chunked_gzip_of_the_export_to_curl_and_chromium(tmp_path, small_chunks):
    if NGINX is None:
        pytest.skip("nginx is not installed (.ci/run installs Debian's nginx)")
    out = tmp_path / "site"
    export.build(out, Settings(events=str(BUNDLED), templates=str(TEMPLATES)))
    block = f"server {{ listen 127.0.0.1:{{port}}; root {out}; include {out}/_nginx.conf; }}"
    names = ("calendar.ics", "fr/events.json")
    with run_nginx(tmp_path / "nginx", block) as base:
        for name in names:
            plain = (out / name).read_bytes()
            assert len(plain) > http.HUGE and len(gzip_chunks.cuts(plain)) > 3
            coded = _curl(f"{base}/{name}", "-H", "Accept-Encoding: gzip", "--dump-header", str(tmp_path / "head"))
            assert "content-encoding: gzip" in (tmp_path / "head").read_text().lower()
            assert coded == (out / (name + ".gz")).read_bytes()  # gzip_static: the export's file
            assert _curl(f"{base}/{name}", "--compressed") == plain == gzip.decompress(coded)
        if not CHROMIUM.exists():
            return
        with chromium() as browser:
            page = browser.new_page()
            page.goto(f"{base}/fr/events.json")  # (a page of the site's origin that loads nothing else)
            for name in names:
                coding, text = page.evaluate(
                    "name => fetch('/' + name).then(r => r.text().then(t => [r.headers.get('content-encoding'), t]))",
                    name,
                )
                assert (coding, text) == ("gzip", (out / name).read_bytes().decode("utf-8"))
