"""Content written by mistake or in bad faith: a located problem, never a traceback or a refusal of valid content."""

from __future__ import annotations

from pathlib import Path

import pytest

from calfeed import export
from calfeed.cli import main
from calfeed.content import read_content
from calfeed.problems import MAX_PROBLEMS
from calfeed.settings import Settings

from conftest import TEMPLATES

HEAD = "calendar:\n  title: T\n  url: https://x.example/\n  timezone: {zone}\n"
EVENT = "  - id: e{n}\n    title: Event {n}\n    start: 2030-01-{day:02d}T10:00\n"


def _write(folder: Path, text: str) -> Path:
    file = folder / "events.yaml"
    file.write_text(text, encoding="utf-8")
    return file


def test_warnings_never_count_towards_the_problem_cap(tmp_path, runner, make_app):
    count = MAX_PROBLEMS + 5
    events = "".join(EVENT.format(n=n, day=n % 28 + 1) for n in range(count))  # no location: a warning each
    file = _write(tmp_path, HEAD.format(zone="UTC") + "events:\n" + events)
    site, problems = read_content(file)
    assert site is not None and len(site.events) == count
    assert len(problems) == count and {p.severity for p in problems} == {"warning"}

    checked = runner.invoke(main, ["check", str(file)])
    assert checked.exit_code == 0, checked.output
    assert f"ok: {count:,} events" in checked.stdout or f"ok: {count} events" in checked.stdout

    out = tmp_path / "site"
    export.build(out, Settings(events=str(file), templates=str(TEMPLATES)), only=lambda route: route.item is None)
    assert (out / "calendar.ics").read_bytes().count(b"BEGIN:VEVENT") == count

    client = make_app(file).test_client()
    assert client.get("/calendar.ics").status_code == 200


def test_errors_still_stop_at_the_cap(tmp_path):
    events = "".join(f"  - id: e{n}\n    title: E\n    start: 2030-02-30\n" for n in range(MAX_PROBLEMS + 50))
    site, problems = read_content(_write(tmp_path, HEAD.format(zone="UTC") + "events:\n" + events))
    assert site is None
    assert sum(p.severity == "error" for p in problems) == MAX_PROBLEMS + 1  # the last one says it stopped
    assert problems[-1].message.startswith(f"stopped after {MAX_PROBLEMS}") or any(
        p.message.startswith(f"stopped after {MAX_PROBLEMS}") for p in problems
    )


@pytest.mark.usefixtures("parser")
@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (
            HEAD.format(zone="UTC") + "events:\n  - id: a\n    title: A\n    start: 2030-01-01\n    tags: &l [a, *l]\n",
            (9, 18, "events[0].tags[1]"),
            "alias *l is inside &l itself",
        ),
        (
            HEAD.format(zone="UTC") + "events:\n  - &e\n    id: a\n    title: A\n    start: 2030-01-01\n    see: *e\n",
            (10, 10, "events[0].see"),
            "alias *e is inside &e itself",
        ),
        (
            HEAD.format(zone="America") + "events:\n  - id: a\n    title: A\n    start: 2030-01-01\n    online: true\n",
            (4, 13, "calendar.timezone"),
            "unknown time zone 'America'",
        ),
        (
            HEAD.format(zone="UTC") + "events:\n  - id: a\n    title: A\n    start: 2030-01-01\n    timezone: Europe\n",
            (9, 15, "events[0].timezone"),
            "unknown time zone 'Europe'",
        ),
    ],
    ids=["alias-in-its-list", "alias-in-its-mapping", "zone-folder", "event-zone-folder"],
)
def test_self_referencing_aliases_and_zone_folders_are_located_problems(tmp_path, runner, text, where, words):
    file = _write(tmp_path, text)
    site, problems = read_content(file)
    assert site is None
    found = [p for p in problems if words in p.message]
    assert found, problems
    assert (found[0].line, found[0].column, found[0].field) == where

    checked = runner.invoke(main, ["check", str(file)])
    assert checked.exit_code == 1
    assert "Traceback" not in checked.output and checked.exception is None or isinstance(checked.exception, SystemExit)
    assert f"{file}:{where[0]}:{where[1]}: {where[2]}: " in checked.stderr and words in checked.stderr
