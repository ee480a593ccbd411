"""An incremental build after the toolchain changed (a new release of the zone database, an upgraded library)
makes what a full build would make: the outputs the old one wrote are not kept."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from calfeed import export, toolchain
from calfeed.settings import Settings

CONTENT = """\
calendar:
  title: Forums
  url: https://agenda.example.org/
  timezone: Europe/Brussels
events:
  - id: summer-forum
    title: Summer forum
    start: 2030-07-01 10:00
    end: 2030-07-01 12:00
  - id: winter-forum
    title: Winter forum
    start: 2030-12-02 10:00
    end: 2030-12-02 12:00
    timezone: America/Sao_Paulo
"""


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(file.relative_to(folder)): file.read_bytes() for file in folder.rglob("*") if file.is_file()}


def _build(out: Path, content: Path, tzpath: Path | None = None) -> None:
    """`calfeed build` as a user runs it, in its own process (`PYTHONTZPATH`: where zoneinfo finds zones)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONTZPATH"}
    if tzpath is not None:
        env["PYTHONTZPATH"] = str(tzpath)
    argv = [str(Path(sys.executable).with_name("calfeed")), "build", str(out), str(content), "--today", "2030-01-15"]
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr


def _zone(calendar: bytes, tzid: str) -> str:
    """The VTIMEZONE of `tzid` in `calendar`: what tells a client the zone's offsets."""
    text = calendar.decode()
    begin = text.index(f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n")
    return text[begin : text.index("END:VTIMEZONE", begin)]


def test_a_new_zone_database_makes_the_calendars_again(tmp_path):
    content = tmp_path / "events.yaml"
    content.write_text(CONTENT, encoding="utf-8")
    out, full = tmp_path / "site", tmp_path / "full"
    _build(out, content)
    before = _tree(out)
    # The zone database changes Brussels' rules: its file is now another zone's (UTC+9 all year, no DST).
    tzpath = tmp_path / "zoneinfo"
    (tzpath / "Europe").mkdir(parents=True)
    (tzpath / "Europe" / "Brussels").write_bytes(toolchain.zone_file("Asia/Tokyo"))
    _build(out, content, tzpath)
    _build(full, content, tzpath)
    after = _tree(out)
    assert after == _tree(full)
    assert "TZOFFSETTO:+0200" in _zone(before["calendar.ics"], "Europe/Brussels")
    assert "TZOFFSETTO:+0900" in _zone(after["calendar.ics"], "Europe/Brussels")
    assert "TZOFFSETTO:+0200" not in _zone(after["calendar.ics"], "Europe/Brussels")
    assert _zone(before["calendar.ics"], "America/Sao_Paulo") == _zone(after["calendar.ics"], "America/Sao_Paulo")
    assert before["events/summer-forum.ics"] != after["events/summer-forum.ics"]


def test_an_upgraded_library_makes_every_output_again(tmp_path, monkeypatch):
    content = tmp_path / "events.yaml"
    content.write_text(CONTENT, encoding="utf-8")
    settings = Settings(events=str(content))
    out = tmp_path / "site"
    first = export.build(out, settings, today=date(2030, 1, 15))
    assert export.build(out, settings, today=date(2030, 1, 15)).rendered == 0
    upgraded = [name.replace("icalendar-", "icalendar-99.") for name in toolchain.installed()]
    assert upgraded != toolchain.installed()
    monkeypatch.setattr(toolchain, "installed", lambda: upgraded)
    again = export.build(out, settings, today=date(2030, 1, 15))
    assert again.rendered == first.rendered > 0
    assert again.written == 0  # the same bytes: every file kept as it was
