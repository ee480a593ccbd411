"""Mutated bytes of the bundled example never make `read_content` raise: a `Site`, or located problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from calfeed.content import read_content
from calfeed.model import Site

from conftest import BUNDLED

HISTORY = BUNDLED.with_name("events.history.json")
ORIGINALS = {"events.yaml": BUNDLED.read_bytes(), "events.history.json": HISTORY.read_bytes()}
# What YAML and JSON read specially, and bytes that are not UTF-8 or not allowed in content.
SPECIAL = [
    *(bytes([c]) for c in b":-?[]{},#&*!|>'\"%@`\t\n\r\\ "),
    b"\x00",
    b"\x7f",
    b"\xff",
    b"\xc3",  # a truncated two-byte sequence
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xef\xbb\xbf",  # a byte-order mark
    "\u202e".encode(),
    "\U0001f600".encode(),
    b"\n---\n",
    b"\n...\n",
    b"<<: *a",
    b"&a ",
    b"*a",
    b"!!python/object:os.system ",
    b"9999-99-99",
    b"2021-02-29",
    b"FREQ=SECONDLY",
]


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    """One of the example's files, changed by one to four byte-level edits."""
    name = draw(st.sampled_from(sorted(ORIGINALS)))
    data = bytearray(ORIGINALS[name])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        span = draw(st.integers(1, 64))
        kind = draw(st.sampled_from(["flip", "delete", "insert", "special", "duplicate", "truncate"]))
        if kind == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "delete":
            del data[at : at + span]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16) | st.text(max_size=8).map(str.encode))
        elif kind == "special":
            data[at:at] = draw(st.sampled_from(SPECIAL)) * draw(st.integers(1, 3))
        elif kind == "duplicate":
            data[at:at] = data[at : at + span * 8]
        elif kind == "truncate":
            del data[at:]
    return name, bytes(data)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
@example(("events.yaml", ORIGINALS["events.yaml"] + b"\n  - id: x\n    title: *nowhere\n"))
@example(("events.history.json", b'{"event:culture-summit-2021": []}'))
@example(("events.history.json", b'{"event:culture-summit-2021": {"hash": 1, "sequence": "x", "modified": 2}}'))
@example(("events.history.json", b"[1, 2]"))
@example(("events.history.json", b'{"a": {"hash": "h", "sequence": 1e400, "modified": "2021-01-01T00:00:00Z"}}'))
def test_mutated_example_is_read_or_refused_with_located_problems(folder, mutation):
    name, data = mutation
    for original, content in ORIGINALS.items():
        (folder / original).write_bytes(data if original == name else content)
    site, problems = read_content(folder / "events.yaml")
    errors = [problem for problem in problems if problem.severity == "error"]
    assert isinstance(site, Site) or errors
    assert (site is None) == bool(errors), problems
    for problem in problems:
        assert problem.file in (str(folder / "events.yaml"), str(folder / "events.history.json")), problem
        assert problem.message and "Traceback" not in problem.message
