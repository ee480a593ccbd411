"""Tags an item lists but `tags:` does not declare: a warning with a suggestion, an error under --strict."""

from __future__ import annotations

from pathlib import Path

from calfeed.cli import main
from calfeed.content import read_content

from conftest import CONTENT

EXPECTED = "(expected a tag declared under tags:, or declare it there)"


def test_a_misspelled_tag_is_a_warning_that_suggests_the_declared_one(content_dir) -> None:
    site, problems = read_content("tag_misspelled.yaml")
    assert site is not None
    assert [str(problem) for problem in problems] == [
        "tag_misspelled.yaml:12:21: events[0].tags[1]: warning: unknown tag 'intermediary-cites' "
        f"(did you mean 'intermediary-cities'?) {EXPECTED}",
        "tag_misspelled.yaml:17:11: news[0].tags: warning: unknown tag 'intermediary-cites' "
        f"(did you mean 'intermediary-cities'?) {EXPECTED}",
    ]


def test_strict_check_fails_on_an_undeclared_tag(runner) -> None:
    result = runner.invoke(main, ["check", "--strict", str(CONTENT / "tag_misspelled.yaml")])
    assert result.exit_code == 1, result.output
    assert "2 problems found" in result.stderr
    assert runner.invoke(main, ["check", str(CONTENT / "tag_misspelled.yaml")]).exit_code == 0


def test_a_site_that_declares_no_tags_may_use_any(tmp_path: Path) -> None:
    events = tmp_path / "events.yaml"
    text = (CONTENT / "tag_misspelled.yaml").read_text(encoding="utf-8")
    events.write_text(text.replace("tags:\n  intermediary-cities: Intermediary Cities\n  culture: Culture\n", ""))
    site, problems = read_content(events)
    assert site is not None and problems == []


def test_tags_declared_in_another_file_count(tmp_path: Path) -> None:
    (tmp_path / "a-events.yaml").write_text(
        "calendar: {title: Agenda, url: 'https://agenda.example.org/'}\n"
        "events:\n  - {id: forum, title: Forum, start: 2021-10-05, location: Rabat, tags: [culture]}\n"
    )
    (tmp_path / "b-tags.yaml").write_text("tags:\n  culture: Culture\n")
    site, problems = read_content(tmp_path)
    assert site is not None and problems == []
