"""Files and YAML: bytes that are not text, YAML that is not plain data, inputs built to exhaust the loader."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from calfeed.content import load_site, read_content
from calfeed.model import Site
from calfeed.problems import ContentError

HEADER = b"calendar:\n  title: Test calendar\n  url: https://example.org/\n"
EVENT = b"events:\n  - id: board-meeting\n    title: %s\n    start: 2021-09-09\n    online: true\n"


def _where(problem):
    return problem.file, problem.line, problem.column, problem.field


def _only_problem(path: Path):
    site, problems = read_content(path)
    assert len(problems) == 1, "\n".join(map(str, problems))
    assert site is None
    return problems[0]


# -- YAML that is not plain data ---------------------------------------------------------------


def test_yaml_syntax_error_is_reported_where_the_parser_stopped(only_problem):
    problem = only_problem("yaml_syntax_error.yaml")  # title: [Board meeting   (never closed)
    assert _where(problem) == ("yaml_syntax_error.yaml", 7, 10, "")
    # libyaml and PyYAML's own parser word the problem differently; both say where the list began.
    assert problem.message.startswith("YAML syntax error: ")
    assert "(while parsing a flow sequence at line 6); the [ opened on line 6 is never closed" in problem.message


def test_duplicate_yaml_key_is_reported_at_the_second_one(only_problem):
    problem = only_problem("duplicate_key.yaml")
    assert _where(problem) == ("duplicate_key.yaml", 8, 5, "events[0].title")
    assert problem.message.startswith("duplicate key 'title' (expected each key once in a mapping")


def test_unknown_alias_is_reported(content_dir):
    site, problems = read_content("unknown_alias.yaml")  # location: *venue, with no &venue
    assert site is None
    alias = next(p for p in problems if "alias" in p.message)
    assert _where(alias) == ("unknown_alias.yaml", 8, 15, "events[0].location")
    assert alias.message == "unknown alias *venue (expected an anchor &venue above it)"


def test_explicit_python_tag_is_refused(only_problem):
    problem = only_problem("python_object_tag.yaml")
    assert _where(problem) == ("python_object_tag.yaml", 6, 12, "events[0].title")
    assert problem.message == "YAML tag !!python/object:os.system is not supported (expected plain values)"


def test_yes_stays_text(content_dir):
    (event,) = load_site("title_yes.yaml").events
    assert event.title.values == {"en": "Yes"}
    assert event.summary is not None and event.summary.values == {"en": "no"}


def test_merge_keys_share_fields_between_events(content_dir):
    september, october = load_site("merge_keys.yaml").events
    assert (september.id, september.start) == ("board-meeting-september", date(2021, 9, 9))
    assert (october.id, october.start) == ("board-meeting-october", date(2021, 10, 7))  # its own keys win
    assert october.title == september.title
    assert october.tags == ("board",) and october.online


# -- bytes that are not UTF-8 text ------------------------------------------------------------


def test_latin1_file_is_reported_at_the_first_bad_byte(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(HEADER + EVENT % "Café".encode("latin-1"))
    problem = _only_problem(path)
    assert _where(problem) == (str(path), 6, 15, "")
    assert problem.message == (
        "is not UTF-8: byte 0xE9 cannot start or continue a character (expected UTF-8 text; save the file as UTF-8)"
    )


def test_raw_control_byte_in_the_file_is_reported(tmp_path):
    path = tmp_path / "control_byte.yaml"
    path.write_bytes(HEADER + EVENT % b"Board\x01meeting")
    problem = _only_problem(path)
    assert _where(problem) == (str(path), 6, 17, "")
    assert problem.message.startswith("character U+0001 is not allowed here")
    assert problem.message.endswith("(expected printable text)")


@pytest.mark.parametrize("name", ["empty.yaml", "comments_only.yaml"])
def test_empty_file_is_reported(only_problem, name):
    problem = only_problem(name)
    assert _where(problem) == (name, None, None, "")
    assert problem.message == "is empty (expected a mapping with calendar:, events:, news: or tags:)"


def test_top_level_that_is_not_a_mapping_is_reported(only_problem):
    problem = only_problem("top_level_list.yaml")
    assert _where(problem) == ("top_level_list.yaml", 1, 1, "")
    assert problem.message == "top level is a list (expected a mapping with calendar:, events:, news: or tags:)"


# -- inputs built to exhaust the loader -------------------------------------------------------

# Runs in a child process, under a 2 GiB address-space limit where the platform has one:
# a loader that expanded aliases would fail there, not take the machine down with it.
_READ_AND_MEASURE = """
import json, sys, time, tracemalloc
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
except (ImportError, ValueError, OSError):
    pass
from calfeed.content import read_content
tracemalloc.start()
began = time.perf_counter()
site, problems = read_content(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - began, "peak_bytes": tracemalloc.get_traced_memory()[1],
                  "site": site is not None, "problems": [str(p) for p in problems]}))
"""


def _read_in_a_subprocess(path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _READ_AND_MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_billion_laughs_finishes_fast_and_reports(tmp_path):
    # Nine levels of nine aliases: 9**9 (387 million) strings if anything expanded it.
    lines = ['lol0: &lol0 "lol"']
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    outcome = _read_in_a_subprocess(path)
    assert outcome["seconds"] < 5
    assert outcome["peak_bytes"] < 20_000_000
    assert not outcome["site"]
    assert outcome["problems"] == [
        f"{path}:7:7: lol6: YAML aliases here expand to 597,871 values from 77 written (is this an alias bomb?); "
        "expected each anchor to be used a few times"
    ]


def test_billion_laughs_inside_fields_finishes_fast_and_reports(tmp_path):
    # The same bomb where the loader does look: tag labels, and an event's tags.
    lines = ["tags:", f"  lol1: &lol1 [{', '.join(['lol'] * 9)}]"]
    lines += [f"  lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(2, 10)]
    lines += [
        "events:",
        "  - id: board-meeting",
        "    title: Board meeting",
        "    start: 2021-09-09",
        "    online: true",
        "    tags: *lol9",
    ]
    path = tmp_path / "bomb_in_fields.yaml"
    path.write_bytes(HEADER + "\n".join(lines).encode() + b"\n")
    outcome = _read_in_a_subprocess(path)
    assert outcome["seconds"] < 5
    assert outcome["peak_bytes"] < 20_000_000
    assert not outcome["site"]
    assert outcome["problems"] == [
        f"{path}:10:9: tags.lol6: YAML aliases here expand to 597,871 values from 84 written (is this an alias "
        "bomb?); expected each anchor to be used a few times"
    ]


def test_aliases_that_fan_out_are_stopped_with_a_clear_message(tmp_path):
    # One event with a thousand tags, repeated by alias a thousand times: a million tags to check.
    tags = ", ".join(f"tag-{i}" for i in range(1000))
    event = "  - &meeting\n    id: board-meeting\n    title: Board\n    start: 2021-09-09\n    online: true\n"
    event += f"    tags: [{tags}]\n"
    path = tmp_path / "fan_out.yaml"
    path.write_bytes(HEADER + f"events:\n{event}".encode() + b"  - *meeting\n" * 1000)
    with pytest.raises(
        ContentError, match=r"YAML aliases here expand to 1,007,007 values from 2,026 written"
    ) as caught:
        load_site(path)
    (stop,) = caught.value.problems
    assert _where(stop) == (str(path), 5, 3, "events")


def test_content_over_max_bytes_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(HEADER + b"# " + b"x" * 5000 + b"\n")
    site, problems = read_content(path, max_bytes=1000)
    assert site is None
    (problem,) = problems
    assert _where(problem) == (str(path), None, None, "")
    assert problem.message.startswith("content is over 1,000 bytes (expected less;")


# -- one file or a folder -----------------------------------------------------------------------


def test_folder_of_yaml_files_is_merged(content_dir):
    site, problems = read_content("merged_folder")  # calendar.yaml, events.yaml, news.yaml
    assert problems == []
    assert site is not None
    assert site.calendar.title.values == {"en": "Merged calendar"}
    assert [(event.id, event.source) for event in site.events] == [("board-meeting", "merged_folder/events.yaml")]
    assert [(entry.id, entry.events, entry.source) for entry in site.news] == [
        ("board-report", ("board-meeting",), "merged_folder/news.yaml"),
    ]


def test_missing_path_is_reported(tmp_path):
    problem = _only_problem(tmp_path / "nope.yaml")
    assert _where(problem) == (str(tmp_path / "nope.yaml"), None, None, "")
    assert problem.message.startswith("no such file or folder")


def test_a_path_the_system_cannot_read_is_a_problem_not_a_traceback(tmp_path):
    path = tmp_path / ("x" * 300 + ".yaml")  # longer than any file system allows in one name
    site, problems = read_content(path)
    assert site is None
    (problem,) = problems
    assert problem.message == "cannot be read: File name too long (expected a readable file)"


def test_a_folder_named_like_a_file_is_read_as_a_folder(tmp_path):
    folder = tmp_path / "events.yaml"
    folder.mkdir()
    site, problems = read_content(folder)
    assert site is None
    assert [p.message for p in problems] == ["holds no .yaml or .yml files (expected at least one)"]


def test_a_read_builds_the_sites_indexes_once(tmp_path, monkeypatch):
    """Giving the site its history, version and images keeps the indexes it built (by id, tags, news about
    each event): at 10,000 events each build of them is ~30 ms of a reload, and a read made three."""
    file = tmp_path / "events.yaml"
    file.write_text(
        "calendar:\n  title: T\n  url: https://x.example/\n  timezone: UTC\n"
        "events:\n  - id: talk\n    title: Talk\n    start: 2024-01-10\n    online: true\n    tags: [cities]\n"
        "    image: {src: 'https://media.example.org/talk.jpg', alt: A talk}\n"
        "news:\n  - id: post\n    title: Post\n    date: 2023-12-01\n    events: [talk]\n",
        encoding="utf-8",
    )
    built = []
    index = Site.__post_init__
    monkeypatch.setattr(Site, "__post_init__", lambda site: built.append(site) or index(site))
    site, problems = read_content(file)
    assert site is not None and problems == [], problems
    assert len(built) == 1
    assert site.version and site.revisions  # given after the build, to the same indexes
    assert site.event("talk") is site.events[0] and site.news_about("talk") == site.news
    assert site.tag_ids == ("cities",)
