"""What can be wrong with content, in words an editor can act on, and where.

While content is read, each problem is `Pending`: a file and the path of the value it
concerns. `Problems` collects them (`FileProblems` for the file being read); lines and
columns are looked up afterwards, only for the paths that failed (`calfeed.content`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]  # ("events", 3, "end")
MAX_PROBLEMS = 1000  # stop looking after this many errors (warnings are not counted)

# What a terminal or a log would act on rather than show: C0 and C1 controls (a CR rewrites the line, an ESC
# starts a colour or cursor sequence), line and paragraph separators, bidirectional marks, embeddings,
# overrides and isolates (which reorder what follows them), and lone surrogates (which cannot be printed).
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
QUOTED_CHARS = 100  # a value quoted in a message ('…') shows at most this many characters
FIELD_CHARS, MESSAGE_CHARS = 300, 2000  # and a field path or a whole message at most these
_LONG_QUOTE = re.compile(f"'([^']{{{QUOTED_CHARS}}})[^']+'")


def shown(text: str, most: int = MESSAGE_CHARS) -> str:
    """`text` as a problem shows it: quoted values cut to `QUOTED_CHARS` characters, the whole to about `most`
    (its middle left out), and `escaped`: a hostile value never floods a terminal or a log, nor acts on it."""
    text = _LONG_QUOTE.sub(lambda match: f"'{match[1]}…'", text)
    if len(text) > most:
        text = f"{text[: most // 2]} … {text[-most // 2 :]}"
    return escaped(text)


def escaped(text: str) -> str:
    """`text` with every character `UNPRINTABLE` matches written as Python would (``\\r``, ``\\x1b``,
    ``\\u202e``), so a problem never moves a terminal's cursor, colours it, or splits a log line."""
    return UNPRINTABLE.sub(lambda match: _escape(match[0]), text)


def _escape(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def format_path(path: Path) -> str:
    """Return ``events[3].end`` for ``("events", 3, "end")``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the content, located as precisely as the source allows.

    `line` and `column` are 1-based. `severity` is "error" or "warning"; warnings
    only fail ``calfeed check --strict``.
    """

    file: str
    line: int | None
    column: int | None
    field: str
    message: str
    severity: str = "error"

    def __post_init__(self) -> None:  # content quoted in a message or a field is shown, never acted on
        object.__setattr__(self, "message", shown(self.message))
        object.__setattr__(self, "field", shown(self.field, FIELD_CHARS))

    def __str__(self) -> str:
        where = shown(self.file, FIELD_CHARS)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        label = "" if self.severity == "error" else f"{self.severity}: "
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {label}{self.message}"


class ContentError(Exception):
    """The content cannot be published; `problems` says every reason found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.report())

    def report(self, limit: int = 200) -> str:
        """Return one problem per line, at most `limit` of them, then a count of the rest."""
        lines = [str(problem) for problem in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Pending:
    """A problem before its line and column are looked up."""

    file: str
    path: Path
    message: str
    at_key: bool = False
    severity: str = "error"
    other: tuple[str, Path, bool] | None = None  # a second place to name ("first defined at …")


class TooMany(Exception):
    """Validation stops: too many problems to be useful."""


class Problems:
    """Every problem found while reading content, in the order found; raises `TooMany` at the
    `MAX_PROBLEMS`-th error (warnings never stop a read, however many there are)."""

    def __init__(self) -> None:
        self.pending: list[Pending] = []
        self.errors = 0  # errors among `pending`

    def add(self, pending: Pending) -> None:
        self.pending.append(pending)
        if pending.severity == "error":
            self.errors += 1
        if self.errors >= MAX_PROBLEMS:
            raise TooMany(f"stopped after {MAX_PROBLEMS} problems")

    def in_file(self, file: str) -> FileProblems:
        """The collector of problems found in `file`, which adds them here."""
        return FileProblems(file, self)


class FileProblems:
    """Records problems of one file (`file`) in `Problems`, by the path of the value each concerns."""

    __slots__ = ("all", "file")

    def __init__(self, file: str, problems: Problems) -> None:
        self.file = file
        self.all = problems

    def problem(
        self,
        path: Path,
        message: str,
        *,
        at_key: bool = False,
        severity: str = "error",
        other: tuple[str, Path, bool] | None = None,
    ) -> None:
        """Record that the value at `path` (its key, with `at_key`) is wrong; `other` names a second place."""
        self.all.add(Pending(self.file, path, message, at_key, severity, other))
