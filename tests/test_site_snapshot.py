"""The whole static export of the bundled example, path by path, as a manifest of hashes (Pelican's golden site).

tests/golden/site.manifest lists every file `calfeed build` writes for the bundled events.yaml (built as on
2021-09-01, so pages show its upcoming events) with the SHA-256 of its bytes. Any change to any output (a
page, a feed, a calendar, a header of ``_headers``) changes a line of it, so the change shows in review.
When a change is meant, regenerate with

    CALFEED_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_site_snapshot.py

and commit the manifest with the change that caused it. The ``.gz`` and ``.br`` files are left out: their
bytes depend on the zlib and brotli versions installed, and tests/test_export.py checks that each decodes to
the file beside it.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

from calfeed import export
from calfeed.settings import Settings

from conftest import BUNDLED, TEMPLATES

MANIFEST = Path(__file__).parent / "golden" / "site.manifest"
DAY = date(2021, 9, 1)


def manifest(folder: Path) -> str:
    """One line per exported file, sorted by path: the SHA-256 of its bytes, two spaces, its path."""
    lines = []
    for file in sorted(folder.rglob("*")):
        if file.is_file() and file.suffix not in (".gz", ".br") and file.name not in export.BUILD_FILES:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
            lines.append(f"{digest}  {file.relative_to(folder).as_posix()}")
    return "\n".join(lines) + "\n"


def _paths(text: str) -> dict[str, str]:
    return {path: digest for digest, _, path in (line.partition("  ") for line in text.splitlines())}


def test_bundled_site_matches_its_manifest(tmp_path):
    export.build(tmp_path / "site", Settings(events=str(BUNDLED), templates=str(TEMPLATES)), today=DAY)
    built = manifest(tmp_path / "site")
    if os.environ.get("CALFEED_UPDATE_GOLDEN") == "1":
        MANIFEST.write_text(built, encoding="utf-8")
    assert MANIFEST.exists(), f"{MANIFEST} is missing: run CALFEED_UPDATE_GOLDEN=1 pytest {__file__}"
    now, before = _paths(built), _paths(MANIFEST.read_text(encoding="utf-8"))
    changes = [
        *(f"new: {path}" for path in sorted(now.keys() - before.keys())),
        *(f"gone: {path}" for path in sorted(before.keys() - now.keys())),
        *(f"changed: {path}" for path in sorted(now.keys() & before.keys()) if now[path] != before[path]),
    ]
    assert not changes, "the export changed; if that is meant, regenerate (see this file's doc):\n" + "\n".join(changes)


def test_manifest_names_a_change_of_one_page(tmp_path):
    """The manifest tells one changed byte in one file apart, by path."""
    folder = tmp_path / "site"
    (folder / "events").mkdir(parents=True)
    (folder / "index.html").write_bytes(b"<p>a</p>")
    (folder / "events" / "x.ics").write_bytes(b"BEGIN:VCALENDAR")
    (folder / "index.html.gz").write_bytes(b"ignored")
    first = _paths(manifest(folder))
    (folder / "events" / "x.ics").write_bytes(b"BEGIN:VCALENDAr")
    second = _paths(manifest(folder))
    assert set(first) == {"index.html", "events/x.ics"}
    assert first["index.html"] == second["index.html"] and first["events/x.ics"] != second["events/x.ics"]
