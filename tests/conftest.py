"""Shared test fixtures.

Content fixtures are small YAML files in tests/content/, named for what they exercise.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from calfeed.content import read_content
from calfeed.problems import Problem

CONTENT_DIR = Path(__file__).parent / "content"


@pytest.fixture
def content_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test inside tests/content/, so problems name files as an editor types them."""
    monkeypatch.chdir(CONTENT_DIR)
    return CONTENT_DIR


@pytest.fixture
def only_problem(content_dir: Path) -> Callable[[str], Problem]:
    """Read a file or folder of tests/content/ that must have exactly one error; return it."""

    def read(name: str) -> Problem:
        site, problems = read_content(name)
        assert len(problems) == 1, "\n".join(map(str, problems))
        assert problems[0].severity == "error", str(problems[0])
        assert site is None
        return problems[0]

    return read


# -- add further fixtures below ----------------------------------------------------------
