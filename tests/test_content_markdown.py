"""Descriptions Python-Markdown cannot bear are refused by `check`, located; those just inside the limits render."""

from __future__ import annotations

import json
import time
from pathlib import Path

import markdown
import pytest

from calfeed import descriptions
from calfeed.cli import main
from calfeed.content import read_content
from calfeed.routes import every_route, path

HEAD = "calendar:\n  title: T\n  url: https://x.example/\n  timezone: UTC\n"
EVENT = (
    "events:\n  - id: talk\n    title: Talk\n    start: 2030-01-10T10:00\n    online: true\n    description: {text}\n"
)


def _write(folder: Path, description: str) -> Path:
    """An events.yaml whose one event has `description`, as a block scalar (its key on line 10)."""
    block = "|\n" + "".join(f"      {line}\n" for line in description.split("\n"))
    file = folder / "events.yaml"
    file.write_text(HEAD + EVENT.format(text=block.rstrip("\n")), encoding="utf-8")
    return file


HOSTILE = {
    "nested list markers": "- " * 1_000 + "x",  # RecursionError inside Python-Markdown
    "nested quotes": "> " * 1_000 + "x",
    "unclosed brackets": "[ " * 8_000,  # quadratic: 30 s before the limits
    "unclosed images": "![" * 8_000,
    "unclosed tags": "<a " * 5_000,
    "too long": "word " * 5_000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_check_refuses_a_description_beyond_the_limits_with_its_place(tmp_path, runner, name):
    file = _write(tmp_path, HOSTILE[name])
    began = time.perf_counter()
    checked = runner.invoke(main, ["check", str(file)])
    assert time.perf_counter() - began < 2
    assert checked.exit_code != 0
    assert checked.exception is None or isinstance(checked.exception, SystemExit)
    assert "Traceback" not in checked.output and "RecursionError" not in checked.output
    assert f"{file}:10:" in checked.output and "description" in checked.output
    assert "expected" in checked.output


def test_each_language_is_located_on_its_own_key(tmp_path):
    file = tmp_path / "events.yaml"
    file.write_text(
        HEAD.replace("timezone: UTC\n", "timezone: UTC\n  languages: [en, fr]\n")
        + EVENT.format(text=f"\n      en: Fine\n      fr: '{'- ' * 600}x'"),
        encoding="utf-8",
    )
    site, problems = read_content(file)
    assert site is None
    [problem] = [p for p in problems if p.severity == "error"]
    assert (problem.line, problem.field) == (13, "events[0].description.fr")
    assert "nests lists or quotes 600 deep" in problem.message


JUST_INSIDE = [
    "- " * descriptions.MAX_DEPTH + "x",
    "> " * descriptions.MAX_DEPTH + "x",
    "[ " * 499 + "x",  # 999 characters times 499 signs: just under MAX_SCAN
    ("A paragraph with a [link](https://x.example/) or two. " * 6 + "\n\n") * 60,  # 19,680 characters
]


@pytest.mark.parametrize("text", JUST_INSIDE, ids=["lists", "quotes", "brackets", "long"])
def test_a_description_just_inside_the_limits_renders_every_route(tmp_path, make_app, text):
    file = _write(tmp_path, text)
    site, problems = read_content(file)
    assert site is not None, problems
    client = make_app(file).test_client()
    began = time.perf_counter()
    for route in every_route(site):
        assert client.get(path(route)).status_code == 200, path(route)
    assert time.perf_counter() - began < 5


def test_a_description_the_converter_fails_on_is_named_by_check_and_served_as_plain_text(
    tmp_path, runner, make_app, monkeypatch, caplog
):
    """No text within the limits is known to make Python-Markdown fail; should one, `calfeed check` names it
    (file, line, field), while reading it for the server and the export converts nothing, and every
    output shows it as one escaped paragraph: never a 500."""
    convert = markdown.Markdown.convert

    def failing(self, source):
        if "Unlucky" in source:
            raise IndexError("pop from empty list")
        return convert(self, source)

    monkeypatch.setattr(markdown.Markdown, "convert", failing)
    file = _write(tmp_path, "Unlucky <b>text</b> & more\n\n- a list")
    checked = runner.invoke(main, ["check", str(file)])
    assert checked.exit_code == 1, checked.output
    assert "Traceback" not in checked.output
    assert f"{file}:10:" in checked.output and "description" in checked.output
    assert "cannot be converted from Markdown (IndexError); simplify it" in checked.output
    site, problems = read_content(file)
    assert site is not None and problems == []
    client = make_app(file).test_client()
    for route in every_route(site):
        assert client.get(path(route)).status_code == 200, path(route)
    page = client.get("/events/talk/").get_data(as_text=True)
    assert "Unlucky &lt;b&gt;text&lt;/b&gt; &amp; more" in page
    assert "could not be converted from Markdown (IndexError)" in caplog.text


def test_reading_content_converts_no_markdown_and_check_converts_each_description(tmp_path, runner, monkeypatch):
    converted: list[str] = []
    convert = markdown.Markdown.convert
    monkeypatch.setattr(markdown.Markdown, "convert", lambda self, text: converted.append(text) or convert(self, text))
    file = _write(tmp_path, "## Programme\n\n1. one\n2. two")  # not plain: plain_markdown would convert it
    file.write_text(file.read_text() + "    summary: A summary is plain text in every output.\n", encoding="utf-8")
    site, problems = read_content(file)
    assert site is not None and problems == []
    assert converted == []
    checked = runner.invoke(main, ["check", str(file)])
    assert checked.exit_code == 0, checked.output
    assert converted == ["## Programme\n\n1. one\n2. two\n"]  # as YAML reads the block: with its last line break


@pytest.mark.parametrize("markers", ["> ", "- ", "1. ", "* "])
def test_a_one_line_text_nested_too_deep_is_refused_and_one_just_inside_is_not(tmp_path, markers):
    limit = descriptions.MAX_DEPTH
    for depth, refused in ((limit, False), (limit + 1, True)):
        text = markers * depth + "x"
        file = tmp_path / "events.yaml"
        file.write_text(HEAD + EVENT.format(text="ok") + f"    summary: {json.dumps(text)}\n", encoding="utf-8")
        site, problems = read_content(file)
        if not refused:
            assert site is not None and problems == [], problems
            continue
        [problem] = problems
        assert (problem.line, problem.field) == (11, "events[0].summary")
        assert problem.message.startswith(f"nests lists or quotes {depth} deep on its line 1")
