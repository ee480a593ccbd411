"""The bad-content suite: broken and hostile content, each case with its verdict.

Cases are files (or folders of files) under tests/bad/<category>/, and each category's expected.txt gives
every case's verdict (accepted or rejected) and every problem `calfeed check` must report, in order, as
it prints them (file:line:column: field: message; a line of expected.txt is a prefix of the problem).
The cases too big to keep as files (`GENERATED`, the size category and a symbolic link) are written here.

For each case: `read_content` reports exactly those problems and never raises; `calfeed check` agrees,
within 2 s and 200 MB (each run in a process of its own, forked from one that has imported calfeed, so
its peak memory is its own); a live server keeps serving the last good bytes, with the same ETags, after
each rejected case is saved over its content; and `calfeed build` leaves an existing export untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from calfeed.cli import main
from calfeed.content import read_content
from calfeed.problems import Problem

BAD = Path(__file__).parent / "bad"
SECONDS, MEGABYTES = 2.0, 200  # what one `calfeed check` may take, per case


@dataclass(frozen=True)
class Case:
    category: str
    name: str
    what: str
    accepted: bool
    expected: tuple[str, ...]  # each problem as printed, relative to the case's folder: a prefix of it
    write: Callable[[Path], Path] | None = None  # a generated case: writes it under a folder, returns its path

    @property
    def id(self) -> str:
        return f"{self.category}/{self.name}"

    def path(self, generated: Path) -> Path:
        """Where the case is: in tests/bad/, or (generated) written once under `generated`."""
        if self.write is None:
            return BAD / self.category / self.name
        if (generated, self.id) not in WRITTEN:
            folder = generated / self.category
            folder.mkdir(parents=True, exist_ok=True)
            WRITTEN[generated, self.id] = self.write(folder)
        return WRITTEN[generated, self.id]


WRITTEN: dict[tuple[Path, str], Path] = {}  # generated cases, once per folder


def from_files() -> list[Case]:
    cases = []
    for expected in sorted(BAD.glob("*/expected.txt")):
        for block in expected.read_text(encoding="utf-8").split("## ")[1:]:
            heading, verdict, *lines = block.strip("\n").split("\n")
            name, what = heading.split(": ", 1)
            cases.append(Case(expected.parent.name, name, what, verdict == "accepted", tuple(lines)))
    return cases


HEAD = "calendar:\n  title: Bad content\n  url: https://agenda.example.org/\n"
EVENT = "  - id: e{i}\n    title: Event {i}\n    start: 2030-05-01\n    location: Ghent\n"


def event(*lines: str) -> str:
    return HEAD + "events:\n" + EVENT.format(i=0) + "".join(f"    {line}\n" for line in lines)


def file(name: str, text: str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        (folder / name).write_text(text, encoding="utf-8")
        return folder / name

    return write


def linked_out(folder: Path) -> Path:
    """A content folder whose partner.yaml is a link to a file outside it (holding a secret)."""
    (folder / "outside.txt").write_text("SECRET=calfeed-marker-7f3a\n", encoding="utf-8")
    content = folder / "linked-out"
    content.mkdir()
    (content / "events.yaml").write_text(event(), encoding="utf-8")
    (content / "partner.yaml").symlink_to(folder / "outside.txt")
    return content


UNKNOWN = "".join(f"    k{i}: x\n" for i in range(1100))
TAGS = "".join(
    f"  - id: e{i}\n    title: E\n    start: 2030-05-01\n    location: G\n    tags: [t{i}a, t{i}b]\n"
    for i in range(251)
)
DAYS = ["2030-05-02"] * 1001
UNPLACED = "".join(f"  - id: e{i}\n    title: E\n    start: 2030-05-01\n" for i in range(1200))
GENERATED = [
    Case("ids-and-files", "linked-out", "a file linking out of the folder to a secret", False,
         ("partner.yaml: is a symbolic link leading out of the content folder",), linked_out),
    Case("size", "description-20001.yaml", "a description of 20,001 characters", False,
         ("9:18: events[0].description: is 20,001 characters long (expected at most 20,000",),
         file("description-20001.yaml", event("description: " + "word " * 4000 + "x"))),
    Case("size", "title-1mb.yaml", "a title of a million characters: the message quotes 100", False,
         ("6:12: events[0].title: has 1,000,000 characters (expected at most 300 characters in a title)",),
         file("title-1mb.yaml", event().replace("Event 0", "T" * 1_000_000))),
    Case("size", "tags-10000.yaml", "10,000 tags on one event", False,
         ("9:11: events[0].tags: has 10,000 tags (expected at most 20 tags per event or news post)",),
         file("tags-10000.yaml", event("tags: [" + ", ".join(f"t{i}" for i in range(10_000)) + "]"))),
    Case("size", "tags-502.yaml", "502 different tags over 251 events", False,
         ("259:12: events[50].tags[0]: 't50a' is one tag too many: the content has 101 different tags",),
         file("tags-502.yaml", HEAD + "events:\n" + TAGS)),
    Case("size", "nested-lists.yaml", "500 nested list markers in a description", False,
         ("9:18: events[0].description: nests lists or quotes 500 deep",),
         file("nested-lists.yaml", event("description: '" + "- " * 500 + "x'"))),
    Case("size", "brackets.yaml", "8,000 unclosed [ in a description", False,
         ("9:18: events[0].description: has a paragraph",),
         file("brackets.yaml", event("description: '" + "[ " * 8000 + "'"))),
    Case("size", "languages-21.yaml", "21 languages", False,
         ("4:14: calendar.languages: has 21 languages (expected at most 10 languages in a calendar)",),
         file("languages-21.yaml", HEAD + "  languages: [" + ", ".join(f"e{chr(97 + i)}" for i in range(21)) + "]\n")),
    Case("size", "except-1001.yaml", "1,001 except dates", False,
         ("10:13: events[0].except: has 1,001 dates (expected at most 1,000 dates per event)",),
         file("except-1001.yaml", event("repeat: FREQ=DAILY;COUNT=2000", "except: [" + ", ".join(DAYS) + "]"))),
    Case("size", "unknown-keys-1100.yaml", "1,100 unknown keys: the check stops after 1,000 errors", False,
         ("1:1: stopped after 1000 problems", *(f"{9 + i}:5: events[0].k{i}: unknown field" for i in range(1000))),
         file("unknown-keys-1100.yaml", event() + UNKNOWN)),
    Case("size", "unplaced-1200.yaml", "1,200 events without a place: 1,200 warnings, still published", True,
         tuple(f"{5 + 3 * i}:5: events[{i}]: warning: has no location" for i in range(1200)),
         file("unplaced-1200.yaml", HEAD + "events:\n" + UNPLACED)),
    Case("size", "long-key.yaml", "a key of 2,000 characters", False,
         ("9:2005: YAML syntax error: could not find expected ':'",),
         file("long-key.yaml", event("k" * 2000 + ": x"))),
]  # fmt: skip
CASES = from_files() + GENERATED


def test_the_suite_has_at_least_80_cases_in_every_category() -> None:
    categories = {case.category for case in CASES}
    assert categories == {
        "syntax", "types", "dates-and-zones", "ids-and-files", "urls-and-images", "text-and-encodings",
        "injection", "rules", "size",
    }  # fmt: skip
    assert len(CASES) >= 80 and len({case.id for case in CASES}) == len(CASES)
    for expected in BAD.glob("*/expected.txt"):
        named = {case.name for case in CASES if case.category == expected.parent.name and case.write is None}
        assert {path.name for path in expected.parent.iterdir()} - {"expected.txt"} == named, "a case without verdict"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")


def shown(problem: Problem | str, root: Path, case: Path) -> str:
    """A problem as printed, with paths relative to the case's folder (a lone file: without its name)."""
    text = str(problem).replace(f"{root}/", "")
    return text.removeprefix(f"{case.name}:").lstrip(" ") if case.is_file() else text


def root_of(case: Path) -> Path:
    return case.parent if case.is_file() else case


def assert_reported(case: Case, lines: list[str]) -> None:
    assert len(lines) == len(case.expected), "\n".join(lines[:20])
    for line, expected in zip(lines, case.expected, strict=True):
        assert line.startswith(expected), f"{line}\n    expected: {expected}"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_problem_is_reported_located_and_quickly(case: Case, generated: Path) -> None:
    path = case.path(generated)
    started = time.perf_counter()
    site, problems = read_content(path)  # never raises: a traceback fails the test
    elapsed = time.perf_counter() - started
    assert (site is not None) == case.accepted
    assert_reported(case, [shown(problem, root_of(path), path) for problem in problems])
    assert elapsed < SECONDS
    for problem in problems:  # located where the content is: only whole-file problems lack a line
        assert problem.line is not None or problem.field == "", problem


CHECKER = """
import json, os, sys, time, traceback
from calfeed.cli import main
results = {}
for path in json.load(sys.stdin):
    sys.stdout.flush()
    read, write = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.dup2(write, 1)
        os.dup2(write, 2)
        try:
            main(["check", path])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 70
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    os.close(write)
    output = b""
    while chunk := os.read(read, 1 << 16):
        output += chunk
    os.close(read)
    _, status, usage = os.wait4(pid, 0)
    results[path] = {
        "code": os.waitstatus_to_exitcode(status),
        "output": output.decode("utf-8", "replace"),
        "seconds": time.perf_counter() - started,
        "megabytes": usage.ru_maxrss / 1024,
    }
json.dump(results, sys.stdout)
"""


@pytest.fixture(scope="module")
def checked(generated: Path) -> dict[str, dict[str, object]]:
    """`calfeed check` on every case, each in a process of its own."""
    paths = [str(case.path(generated)) for case in CASES]
    run = subprocess.run(
        [sys.executable, "-c", CHECKER], input=json.dumps(paths), capture_output=True, text=True, check=True
    )
    return json.loads(run.stdout)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_calfeed_check_reports_the_same_within_2_s_and_200_mb(case: Case, generated: Path, checked) -> None:
    path = case.path(generated)
    result = checked[str(path)]
    output = str(result["output"])
    assert "Traceback" not in output
    assert result["code"] == (0 if case.accepted else 1), output[-2000:]
    printed = output.splitlines()[:-1]  # the last line sums up
    assert_reported(case, [shown(line, root_of(path), path) for line in printed])
    assert float(result["seconds"]) < SECONDS  # type: ignore[arg-type]
    assert float(result["megabytes"]) < MEGABYTES  # type: ignore[arg-type]


REJECTED = [case for case in CASES if not case.accepted]
GOOD = (
    HEAD
    + "events:\n  - id: fair\n    title: Fair\n    start: 2030-05-01\n    location: Ghent\n"
    + "news:\n  - id: post\n    title: Post\n    date: 2020-04-01\n    events: [fair]\n"
)
ROUTES = ("/", "/calendar.ics", "/feed.atom", "/events/fair/", "/news/")


def replace_content(folder: Path, case: Path, tick: int) -> None:
    """Make `folder` hold just the case's files, as an editor's save would (every file's time moves on)."""
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    if case.is_file():
        shutil.copyfile(case, folder / "events.yaml")
    else:
        shutil.copytree(case, folder, symlinks=True, dirs_exist_ok=True)
    for child in folder.rglob("*"):
        if not child.is_symlink():
            os.utime(child, ns=(tick, tick))


def test_a_live_server_keeps_the_last_good_bytes_for_every_rejected_case(make_app, generated: Path, tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "events.yaml").write_text(GOOD, encoding="utf-8")
    app = make_app(content)
    client, store = app.test_client(), app.extensions["calfeed.store"]
    good = {route: client.get(route) for route in ROUTES}
    assert all(response.status_code == 200 for response in good.values())
    tick = time.time_ns()
    for number, case in enumerate(REJECTED):
        replace_content(content, case.path(generated), tick + number * 1_000_000_000)
        assert not store.refresh(), case.id
        assert client.get("/healthz").get_json()["status"] == "stale", case.id
        for route, before in good.items():
            after = client.get(route)
            assert (after.status_code, after.headers["ETag"]) == (200, before.headers["ETag"]), (case.id, route)
            assert after.data == before.data, (case.id, route)
            revalidated = client.get(route, headers={"If-None-Match": before.headers["ETag"]})
            assert revalidated.status_code == 304, (case.id, route)


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file and folder under `folder`: its bytes' hash and its modification time."""
    digest = {
        path: hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "" for path in folder.rglob("*")
    }
    return {str(path.relative_to(folder)): (digest[path], path.stat().st_mtime_ns) for path in sorted(digest)}


def test_build_leaves_an_existing_export_untouched_for_every_rejected_case(runner, generated: Path, tmp_path):
    content, site = tmp_path / "content", tmp_path / "site"
    content.mkdir()
    (content / "events.yaml").write_text(GOOD, encoding="utf-8")
    built = runner.invoke(main, ["build", str(site), str(content), "--today", "2030-01-01"])
    assert built.exit_code == 0, built.output
    before, neighbours = snapshot(site), sorted(tmp_path.iterdir())
    for number, case in enumerate(REJECTED):
        replace_content(content, case.path(generated), time.time_ns() + number)
        result = runner.invoke(main, ["build", str(site), str(content), "--today", "2030-01-01"])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (case.id, result.output[-500:])
        assert result.output.endswith(f"{site} was left as it was.\n"), case.id
        assert snapshot(site) == before, case.id
        assert sorted(tmp_path.iterdir()) == neighbours, case.id  # no temporary folder left beside it


ACCEPTED = [case for case in CASES if case.accepted and case.category != "size"]


@pytest.mark.parametrize("case", ACCEPTED, ids=[case.id for case in ACCEPTED])
def test_an_accepted_case_is_served_and_shows_hostile_text_as_text(case: Case, make_app, generated: Path) -> None:
    client = make_app(case.path(generated)).test_client()
    for route in ("/", "/calendar.ics", "/feed.atom", "/feed.rss", "/events/fair/", "/events/fair.ics"):
        assert client.get(route).status_code == 200, route
    for route in ("/", "/events/fair/"):  # the pages show the text people wrote, as text
        page = client.get(route).get_data(as_text=True)
        assert not re.search(r"<script>alert|<[^>]*\sonerror=", page), route
        if case.name == "template-syntax.yaml":
            assert "{{ config }} {% raw %}" in page  # as written, never run as a template
        if case.name == "script-in-title.yaml":
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
