"""Edits reach subscribers: SEQUENCE and LAST-MODIFIED move for the edited event, and only for it.

Each test works on a copy of the bundled example in a temporary folder, records its
history with `calfeed stamp`, edits the YAML, and reads the calendar the app serves.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from calfeed import history
from calfeed.cli import main
from calfeed.history import history_path

from conftest import BUNDLED

FORUM = "intermediary-cities-forum-2021@agenda.example.org"
SUMMIT = "culture-summit-2021@agenda.example.org"
CULTUROPOLIS = "culturopolis-2022@agenda.example.org"
EDITED_AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture
def content(fresh: Path) -> Path:
    """A copy of the bundled example with its history (every item's publication recorded)."""
    shutil.copy(history_path(BUNDLED), history_path(fresh))
    return fresh


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A copy of the bundled example without its history: every item appears for the first time."""
    path = tmp_path / "events.yaml"
    shutil.copy(BUNDLED, path)
    return path


def stamp(runner: CliRunner, content: Path) -> str:
    result = runner.invoke(main, ["stamp", str(content)])
    assert result.exit_code == 0, result.output
    return result.output


def edit(content: Path, old: str, new: str, when: datetime = EDITED_AT) -> None:
    text = content.read_text(encoding="utf-8")
    assert old in text
    content.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(content, (when.timestamp(), when.timestamp()))


def revisions(make_app, content: Path) -> dict[str, tuple[int, datetime, datetime]]:
    """(SEQUENCE, LAST-MODIFIED, DTSTAMP) of each event in the calendar a fresh app serves."""
    body = make_app(events=content).test_client().get("/calendar.ics").data
    return {
        str(e["UID"]): (int(e["SEQUENCE"]), e.decoded("LAST-MODIFIED"), e.decoded("DTSTAMP"))
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }


def test_stamp_writes_a_history_file_beside_the_content(runner: CliRunner, fresh: Path):
    content = fresh
    assert "stamped" in stamp(runner, content)
    history = json.loads(history_path(content).read_text())
    assert history_path(content).name == "events.history.json"
    assert {name for name in history if name.startswith("event:")} == {
        "event:culture-summit-2021",
        "event:resilient-city-training-2021",
        "event:intermediary-cities-forum-2021",
        "event:culturopolis-2022",
    }
    assert "up to date" in stamp(runner, content)  # nothing changed: nothing rewritten


def test_an_edit_moves_sequence_and_last_modified_of_that_event_only(make_app, runner: CliRunner, content: Path):
    stamp(runner, content)
    before = revisions(make_app, content)
    assert {sequence for sequence, _, _ in before.values()} == {0}
    edit(content, "in\n      Kütahya, Turkey.", "in\n      Kütahya, Turkey, from 09:00.")
    after = revisions(make_app, content)
    assert after[FORUM][0] == 1
    assert after[FORUM][1] == after[FORUM][2] == EDITED_AT  # the file's time, not the clock
    for uid in set(before) - {FORUM}:
        assert after[uid] == before[uid], uid
    assert revisions(make_app, content) == after  # the same in every render, before any stamp


def test_a_stamped_edit_keeps_its_revision_when_the_file_is_touched(make_app, runner: CliRunner, content: Path):
    stamp(runner, content)
    edit(content, "title: 4th UCLG Culture Summit", "title: 4th UCLG Culture Summit (Izmir)")
    assert "1 item stamped" in stamp(runner, content)
    stamped = revisions(make_app, content)
    assert stamped[SUMMIT][:2] == (1, EDITED_AT)
    later = datetime(2026, 5, 1, tzinfo=UTC)
    os.utime(content, (later.timestamp(), later.timestamp()))  # a checkout or touch changes no event
    assert revisions(make_app, content) == stamped
    edit(content, "(Izmir)", "(Izmir, Turkey)", when=later)
    assert revisions(make_app, content)[SUMMIT][:2] == (2, later)


def test_a_cancellation_is_an_edit_subscribers_receive(make_app, runner: CliRunner, content: Path):
    stamp(runner, content)
    edit(
        content, "  - id: culturopolis-2022\n    title:", "  - id: culturopolis-2022\n    status: cancelled\n    title:"
    )
    body = make_app(events=content).test_client().get("/calendar.ics").data
    [event] = [e for e in icalendar.Calendar.from_ical(body).walk("VEVENT") if str(e["UID"]) == CULTUROPOLIS]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1 and event.decoded("LAST-MODIFIED") == EDITED_AT


def test_an_event_that_comes_back_continues_its_sequence(make_app, runner: CliRunner, content: Path):
    stamp(runner, content)
    original = content.read_text(encoding="utf-8")
    block = original[original.index("  - id: culturopolis-2022") : original.index("news:")]
    link = "    events: [culturopolis-2022]\n"
    edit(content, block, "")
    edit(content, link, "")
    stamp(runner, content)  # the event is gone; its record stays
    assert CULTUROPOLIS not in revisions(make_app, content)
    edit(content, "news:", block.replace("Culturopolis:", "Culturopolis 2022:", 1) + "news:")
    assert revisions(make_app, content)[CULTUROPOLIS][0] == 1  # not 0: clients that kept it take the new one


def test_without_a_history_every_event_appears_at_its_files_time(make_app, fresh: Path):
    assert not history_path(fresh).exists()
    os.utime(fresh, (EDITED_AT.timestamp(), EDITED_AT.timestamp()))
    served = revisions(make_app, fresh)
    assert set(served.values()) == {(0, EDITED_AT, EDITED_AT)}


def _read_as_strptime_does(text: object) -> object:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        return type(error), str(error)


def _read_by_history(text: object) -> object:
    try:
        return history._instant(text)
    except (TypeError, ValueError) as error:
        return type(error), str(error)


INSTANT_PARTS = st.sampled_from(["2026", "0000", "0001", "9999", "-", "T", "t", ":", "Z", "z", " ", "00", "1", "12"])
INSTANT_PARTS |= st.sampled_from(["13", "23", "24", "29", "30", "31", "59", "60", "61", "02", "٣", "+01:00", ".5"])


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.builds(
            "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format,
            *(st.integers(0, most) for most in (9999, 13, 32, 25, 61, 62)),
        ),
        st.lists(INSTANT_PARTS, max_size=14).map("".join),
        st.integers() | st.none() | st.lists(st.integers(), max_size=1),
    )
)
def test_a_recorded_instant_reads_as_strptime_reads_it(text):
    """history.py reads the instants it writes without strptime (20 times faster): the same instant, or
    the same error, whatever the text."""
    assert _read_by_history(text) == _read_as_strptime_does(text)
