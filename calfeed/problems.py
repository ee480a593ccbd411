"""What can be wrong with content, in words an editor can act on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]  # ("events", 3, "end")


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

    def __str__(self) -> str:
        where = self.file
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
