"""``calfeed import``: events from any iCalendar source into calfeed's YAML (docs/import.md).

`source` reads the file or URL and parses it (icalendar); `convert` turns each VEVENT into calfeed's
fields; `yamlfile` merges them into the target file, editing only what changes. Before anything is
written, the new file is read by calfeed's own reader: the import either leaves a file that passes
``calfeed check``, or says which source event could not be expressed, and why, and writes nothing.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..content import collector_paused, read_content
from .convert import Conversion, convert, main_zone
from .source import MAX_BYTES, TIMEOUT, SourceError, parse_calendar, read_source
from .yamlfile import Loader, Plan, merge

DEFAULT_URL = "http://127.0.0.1:8000/"  # the calendar.url of a new file: the preview server's address

__all__ = ["ImportFailed", "Result", "SourceError", "import_events"]


class ImportFailed(Exception):
    """The import cannot be done as asked; `lines` say why (which source event, what is wrong)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


@dataclass
class Result:
    plan: Plan
    diff: str  # a unified diff of the file, for --dry-run
    written: bool


def import_events(
    source: str,
    into: str | os.PathLike[str],
    *,
    tag: str | None = None,
    dry_run: bool = False,
    url: str = DEFAULT_URL,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
) -> Result:
    """Import every event of `source` into the YAML file `into`; raise `SourceError` or `ImportFailed`."""
    target = Path(into)
    if target.is_dir():
        raise ImportFailed([f"{target}: is a folder (expected one YAML file, e.g. {target / 'imported.yaml'})"])
    try:
        before = target.read_text(encoding="utf-8") if target.exists() else ""
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFailed([f"{target}: cannot read it: {error}"]) from None
    root, settings = _calendar_settings(before, target)
    conversion, section = _convert(source, settings, tag, url, max_bytes, timeout)
    with collector_paused():  # merging makes no cycles either (40% of the merge of 10,000 events)
        plan = merge(before, root, conversion.events, conversion.tags, section)
        changed = plan.text != before
        if changed:  # an unchanged file is not checked: nothing is written then
            _validate(plan, target, source)
    diff = ""
    if dry_run:
        old, new = before.splitlines(keepends=True), plan.text.splitlines(keepends=True)
        diff = "".join(difflib.unified_diff(old, new, str(target), str(target)))
    elif changed:
        _write(target, plan.text)
    return Result(plan, diff, changed and not dry_run)


def _convert(
    source: str, settings: dict[str, str], tag: str | None, url: str, max_bytes: int, timeout: float
) -> tuple[Conversion, dict[str, Any]]:
    """The source's events, and the calendar section a new file gets. The parsed source is dropped on return,
    so that the rest of the import does not drag its objects through every garbage collection."""
    calendar = parse_calendar(read_source(source, max_bytes=max_bytes, timeout=timeout), source)
    zone = settings.get("timezone") or (main_zone(calendar) if not settings else None) or "UTC"
    conversion = convert(calendar, zone=str(zone), tag=tag)
    if conversion.problems:
        raise ImportFailed([f"{source}: {problem}" for problem in conversion.problems] + [_NOTHING_WRITTEN])
    return conversion, _new_calendar(calendar, conversion, url)


_NOTHING_WRITTEN = "nothing was written"


def _calendar_settings(text: str, target: Path) -> tuple[Any, dict[str, str]]:
    """The file parsed once (libyaml, positions kept for `merge`), and its calendar's scalar settings."""
    try:
        root = yaml.compose(text, Loader=Loader) if text.strip() else None
    except yaml.YAMLError as error:
        raise ImportFailed([f"{target}: is not valid YAML, so nothing can be merged into it: {error}"]) from None
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise ImportFailed([f"{target}: expected a mapping with calendar:, events:, … at the top"])
    for key, value in root.value if root is not None else []:
        if key.value == "calendar" and isinstance(value, yaml.MappingNode):
            return root, {k.value: v.value for k, v in value.value if isinstance(v, yaml.ScalarNode)}
    return root, {}


def _new_calendar(calendar: Any, conversion: Conversion, url: str) -> dict[str, Any]:
    """The calendar section of a new file: the source's name and zone, and `url` (to be set by the editor)."""
    title = " ".join(str(calendar.get("X-WR-CALNAME") or calendar.get("NAME") or "Imported events").split())
    return {"title": title or "Imported events", "url": url, "timezone": conversion.zone}


def _validate(plan: Plan, target: Path, source: str) -> None:
    """Read the new text with calfeed's own reader; errors name the source event they come from."""
    with tempfile.TemporaryDirectory(prefix="calfeed-import-") as folder:
        candidate = Path(folder) / (target.name if target.suffix in (".yaml", ".yml") else "events.yaml")
        candidate.write_text(plan.text, encoding="utf-8")
        _, problems = read_content(candidate)
    errors = [problem for problem in problems if problem.severity == "error"]
    if not errors:
        return
    lines = []
    for problem in errors:
        where = _source_event(plan, problem.field)
        message = f"{problem.field}: {problem.message}" if problem.field else problem.message
        lines.append(f"{source}: {where}: {message}" if where else f"{target}: {message}")
    raise ImportFailed([*lines, _NOTHING_WRITTEN])


def _source_event(plan: Plan, field: str) -> str | None:
    if not field.startswith("events["):
        return None
    index = int(field[len("events[") :].split("]", 1)[0])
    found = plan.positions.get(index)
    return found.name if found is not None else None


def _write(target: Path, text: str) -> None:
    """Replace the file in one step, so a reader (the preview server) never sees half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o777)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
