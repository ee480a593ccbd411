"""New items reach feed readers: an item is published when it first appeared, not at the content's oldest date.

A site of 60 items (40 events, 20 news posts) is stamped; then an event nobody announces is added. Before
and after `calfeed stamp` it is the newest entry of every feed that holds it (Atom, RSS and JSON Feed, in
every language, and its tag's), dated at the time its file was written; every older item keeps its id and
its dates. Feeds are read back with feedparser, calendars not at all: this is about what readers show.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from calfeed.cli import main
from calfeed.content import load_site
from calfeed.history import history_path
from calfeed.routes import every_route, path

from conftest import BUNDLED

ADDED_AT = datetime(2026, 11, 30, 9, 15, 42, tzinfo=UTC)  # when the editor saved the new event
STAMPED_AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # a later touch (a checkout), after the stamp
NEW = "https://agenda.example.org/events/new-workshop/"
NEW_EVENT = """
  - id: new-workshop
    title: {en: A new workshop, es: Un taller nuevo, fr: Un nouvel atelier}
    start: 2027-02-10
    location: Town hall
    tags: [talks]
"""


def _site(events: int = 40, news: int = 20) -> str:
    lines = [
        "calendar:",
        "  title: Sixty items",
        "  url: https://agenda.example.org/",
        "  languages: [en, es, fr]",
        "events:",
    ]
    for i in range(events):
        lines += [
            f"  - id: event-{i:02d}",
            f"    title: Event {i}",
            f"    start: 2020-{1 + i // 28:02d}-{1 + i % 28:02d}",
            "    location: Town hall",
            f"    tags: [{'talks' if i % 2 else 'walks'}]",
        ]
    lines.append("news:")
    for i in range(news):
        lines += [
            f"  - id: post-{i:02d}",
            f"    title: Post {i}",
            f"    date: 2021-{1 + i // 28:02d}-{1 + i % 28:02d}",
            f"    events: [event-{i:02d}]",
        ]
    return "\n".join(lines) + "\n"


def _stamp(content: Path) -> None:
    result = CliRunner().invoke(main, ["stamp", str(content)])
    assert result.exit_code == 0, result.output


def _touch(content: Path, when: datetime) -> None:
    os.utime(content, (when.timestamp(), when.timestamp()))


def _feeds(make_app, content: Path, tag: str = "talks") -> dict[str, list[tuple[str, datetime]]]:
    """Every feed of the whole site and of `tag` (the new event's): (entry id, published), newest first."""
    client = make_app(events=content).test_client()
    site = load_site(content)
    found = {}
    for route in every_route(site):
        if route.format in ("atom", "rss", "json") and route.tag in (None, tag):
            response = client.get(path(route))
            assert response.status_code == 200, path(route)
            if route.format == "json":  # feedparser reads Atom and RSS; JSON Feed is plain JSON
                items = json.loads(response.data)["items"]
                found[path(route)] = [(item["id"], _instant(item["date_published"])) for item in items]
            else:
                parsed = feedparser.parse(response.data)
                found[path(route)] = [
                    (entry.id, datetime(*entry.published_parsed[:6], tzinfo=UTC)) for entry in parsed.entries
                ]
    assert len(found) == 3 * 2 * 4  # three formats, the whole site and its tag, in en/es/fr and at the root
    return found


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    file = tmp_path / "events.yaml"
    file.write_text(_site(), encoding="utf-8")
    _touch(file, datetime(2021, 3, 1, tzinfo=UTC))
    _stamp(file)
    return file


def test_a_new_event_is_the_newest_entry_of_every_feed_before_and_after_stamp(make_app, content: Path):
    before = _feeds(make_app, content)
    text = content.read_text(encoding="utf-8")
    content.write_text(text.replace("news:\n", NEW_EVENT.lstrip("\n") + "news:\n", 1), encoding="utf-8")
    _touch(content, ADDED_AT)

    added = _feeds(make_app, content)
    for feed, entries in added.items():
        assert entries[0] == (NEW, ADDED_AT), feed  # first, dated when its file was written
        _keep_their_dates(before[feed], entries[1:], feed)

    _stamp(content)
    recorded = json.loads(history_path(content).read_text(encoding="utf-8"))["event:new-workshop"]
    assert recorded["published"] == recorded["modified"] == "2026-11-30T09:15:42Z"
    _touch(content, STAMPED_AT)  # once stamped, the file's time no longer matters
    assert _feeds(make_app, content) == added


def _keep_their_dates(old: list[tuple[str, datetime]], new: list[tuple[str, datetime]], feed: str) -> None:
    """Every older entry still in the feed has its id and date, in its order (the oldest may drop off)."""
    assert new == old[: len(new)], feed
    assert len(new) >= min(len(old), 49), feed


def test_a_history_from_before_publications_were_kept_keeps_every_date(make_app, tmp_path: Path):
    """The bundled example's history records the dates the earlier rule gave; without them, the same dates."""
    content = tmp_path / "events.yaml"
    shutil.copy(BUNDLED, content)
    shutil.copy(history_path(BUNDLED), history_path(content))
    _touch(content, ADDED_AT)  # a fresh checkout: the file's time must not date anything
    recorded = _feeds(make_app, content, tag="accessibility")
    records = json.loads(history_path(content).read_text(encoding="utf-8"))
    assert all("published" in record for record in records.values())
    older = {name: {k: v for k, v in record.items() if k != "published"} for name, record in records.items()}
    history_path(content).write_text(json.dumps(older), encoding="utf-8")
    assert _feeds(make_app, content, tag="accessibility") == recorded
    result = CliRunner().invoke(main, ["check", str(content)])
    assert result.exit_code == 0 and "changed since" not in result.output, result.output
