"""The docs are still true: their examples load, their output is real, every key and setting is documented.

docs/content.md marks its fenced blocks with an HTML comment on the line before:

* ```` ```yaml ```` with a top-level ``calendar:`` (or ``<!-- complete example -->``): must load without errors;
* any other ```` ```yaml ```` is a fragment: with a standard ``calendar:`` put in front, it must load too;
* ``<!-- rejected -->``: the block must produce at least one error;
* ``<!-- file: PATH -->``: a file of the next ```` ```console ```` example, not checked on its own;
* ```` ```console ```` starting with ``$ calfeed check …``: running that command on the files above it (or in
  the project folder, if there are none) prints exactly the rest of the block.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from calfeed import content
from calfeed.cli import main
from calfeed.content import read_content
from calfeed.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONTENT_DOC = DOCS / "content.md"
FRAGMENT_CALENDAR = """\
calendar:
  title: Example
  url: https://agenda.example.org/
  timezone: Europe/Brussels
  languages: [en, es, fr]
"""

_FENCE = re.compile(r"(?P<indent>\s*)```(?P<lang>[\w-]*)\s*")
_MARKER = re.compile(r"\s*<!--\s*(?P<marker>.*?)\s*-->\s*")


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    marker: str  # the HTML comment on the line before the fence, or ""
    line: int  # 1-based line of the opening fence

    @property
    def file(self) -> str | None:
        return self.marker.removeprefix("file:").strip() if self.marker.startswith("file:") else None

    @property
    def complete(self) -> bool:
        return self.marker == "complete example" or re.search(r"^calendar:", self.text, re.MULTILINE) is not None


def fenced_blocks(markdown: str) -> list[Block]:
    """Return every fenced block in `markdown`, dedented, with the marker comment just before it."""
    lines = markdown.splitlines()
    blocks = []
    marker = ""
    i = 0
    while i < len(lines):
        if (fence := _FENCE.fullmatch(lines[i])) is None:
            if lines[i].strip():
                marker = match["marker"] if (match := _MARKER.fullmatch(lines[i])) else ""
            i += 1
            continue
        indent = fence["indent"]
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), None)
        if end is None:
            raise ValueError(f"the fence on line {i + 1} is never closed")
        body = [line.removeprefix(indent) for line in lines[i + 1 : end]]
        blocks.append(Block(fence["lang"], "\n".join(body) + "\n", marker, i + 1))
        marker = ""
        i = end + 1
    return blocks


BLOCKS = fenced_blocks(CONTENT_DOC.read_text(encoding="utf-8"))
YAML = [block for block in BLOCKS if block.lang == "yaml" and block.file is None]


def errors_in(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    site, problems = read_content(path)
    errors = [str(problem) for problem in problems if problem.severity == "error"]
    assert errors or site is not None
    return errors


def check_examples() -> list[tuple[Block, dict[str, str]]]:
    """Pair each ``$ calfeed check`` console block with the ``file:`` blocks written since the previous one."""
    examples = []
    files: dict[str, str] = {}
    for block in BLOCKS:
        if block.file is not None:
            files[block.file] = block.text
        elif block.lang == "console" and block.text.startswith("$ calfeed check"):
            examples.append((block, files))
            files = {}
    return examples


def by_line(blocks: list[Block]) -> list[object]:
    return [pytest.param(block, id=f"content.md:{block.line}") for block in blocks]


@pytest.mark.parametrize("block", by_line([b for b in YAML if b.complete and b.marker != "rejected"]))
def test_complete_example_loads(block: Block, tmp_path: Path) -> None:
    assert errors_in(block.text, tmp_path) == []


@pytest.mark.parametrize("block", by_line([b for b in YAML if not b.complete and b.marker != "rejected"]))
def test_fragment_loads_after_a_calendar(block: Block, tmp_path: Path) -> None:
    assert errors_in(FRAGMENT_CALENDAR + block.text, tmp_path) == []


@pytest.mark.parametrize("block", by_line([b for b in YAML if b.marker == "rejected"]))
def test_rejected_example_is_rejected(block: Block, tmp_path: Path) -> None:
    text = block.text if block.complete else FRAGMENT_CALENDAR + block.text
    assert errors_in(text, tmp_path) != []


def test_docs_have_examples_of_every_kind() -> None:
    assert any(b.complete for b in YAML), "no complete example in docs/content.md"
    assert any(b.marker == "rejected" for b in YAML)
    assert len(check_examples()) >= 4, "docs/content.md should show calfeed check on several broken files"


@pytest.mark.parametrize(
    ("block", "files"), [pytest.param(block, files, id=f"content.md:{block.line}") for block, files in check_examples()]
)
def test_check_output_is_as_documented(
    block: Block, files: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    command, _, expected = block.text.partition("\n")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path if files else ROOT)
    monkeypatch.delenv("CALFEED_EVENTS", raising=False)
    result = runner.invoke(main, shlex.split(command.removeprefix("$ "))[1:])
    assert result.output == expected, f"docs/content.md:{block.line}: `{command}` now prints:\n{result.output}"


README_COMMANDS = [
    block for block in fenced_blocks((ROOT / "README.md").read_text(encoding="utf-8")) if block.lang == "console"
]


@pytest.mark.parametrize("block", [pytest.param(b, id=f"README.md:{b.line}") for b in README_COMMANDS])
def test_readme_output_is_what_the_command_prints(
    block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    """README's ``console`` examples run in the project folder, or in an empty one for commands that write."""
    command, _, expected = block.text.partition("\n")
    assert command.startswith("$ calfeed "), command
    arguments = shlex.split(command.removeprefix("$ "))[1:]
    monkeypatch.chdir(tmp_path if arguments[0] == "init" else ROOT)
    monkeypatch.delenv("CALFEED_EVENTS", raising=False)
    result = runner.invoke(main, arguments)
    assert result.output == expected, f"README.md:{block.line}: `{command}` now prints:\n{result.output}"


def test_readme_has_output_examples() -> None:
    assert {block.text.split()[2] for block in README_COMMANDS} >= {"check", "init"}


@pytest.mark.parametrize(
    "key",
    sorted(
        {
            *(key for keys in content.SCHEMA_KEYS.values() for key in keys),
        }
    ),
)
def test_every_schema_key_is_documented(key: str) -> None:
    assert f"`{key}`" in CONTENT_DOC.read_text(encoding="utf-8"), f"docs/content.md never mentions `{key}`"


def test_every_setting_is_documented() -> None:
    pages = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    text = "".join(page.read_text(encoding="utf-8") for page in pages if page.exists())
    missing = [name for spec in fields(Settings) if (name := f"CALFEED_{spec.name.upper()}") not in text]
    assert missing == [], f"settings not mentioned in README.md or docs/*.md: {', '.join(missing)}"


def test_bundled_events_yaml_validates() -> None:
    site, problems = read_content(ROOT / "events.yaml")
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert site is not None


def test_undated_news_dates_in_docs_are_the_rules() -> None:
    site, _ = read_content(ROOT / "events.yaml")
    assert site is not None
    undated = {entry.id: entry.date.isoformat() for entry in site.news if not entry.date_given}
    assert undated == {"culturopolis-2022": "2022-11-19", "peer-learning-note-30": "2021-09-06"}
    doc = CONTENT_DOC.read_text(encoding="utf-8")
    for day in undated.values():
        assert f"**{day}**" in doc


def test_the_limits_table_is_the_checkers() -> None:
    """docs/content.md's table of limits lists exactly calfeed/limits.py's, with the same numbers."""
    from calfeed import limits

    block = CONTENT_DOC.read_text(encoding="utf-8").split("<!-- limits -->", 1)[1].strip().split("\n\n", 1)[0]
    rows = [line.strip("|").split("|") for line in block.splitlines()[2:]]
    documented = [(field.strip(), most.strip()) for field, most in rows]
    assert documented == [(limit.field, f"{limit.most:,} {limit.unit}") for limit in (*limits.LIMITS, *limits.COUNTS)]
