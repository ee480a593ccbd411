"""What changed, and when: the memory that YAML alone does not have.

Calendar clients only take an edit when an event's ``SEQUENCE`` rises and its
``LAST-MODIFIED`` moves; feed readers re-show an entry whose ``updated`` moves.
So every event and news post has a `Revision`, kept in a small JSON file beside
the content (``events.yaml`` → ``events.history.json``) that ``calfeed stamp``
writes and editors commit with the YAML:

    {
      "event:culture-summit-2021": {"hash": "…", "sequence": 1, "modified": "2021-09-30T08:00:00Z",
                                    "published": "2021-09-28T00:00:00Z"},
      …
    }

How a revision is found, for each item:

- recorded, and its content hash matches: the recorded sequence and time;
- recorded, but the content changed since: sequence + 1, modified at the content
  file's mtime (never before the recorded time + 1 s) — the same in every worker
  and for every render, until ``calfeed stamp`` records it for good;
- not recorded: it appears now. Sequence 0, published and modified at its file's
  mtime, like an unstamped edit; ``calfeed stamp`` then records that time.

An item's publication (``published``: when it first appeared) is what feeds sort
and date it by (a news post with a ``date:`` is published on that date). It is
recorded once and never moves. A record written before calfeed kept it has none:
it keeps the date calfeed gave it then (`Site.published`), and ``stamp`` writes it.

Nothing here reads the clock, so two renders of one checkout are byte-identical.
See docs/history.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import symlinks
from .model import Event, NewsEntry, Revision, Site, item_key


@dataclass(frozen=True, slots=True)
class Record:
    hash: str
    sequence: int
    modified: datetime
    published: datetime | None = None  # when the item first appeared; None in records written before it was kept


class HistoryError(ValueError):
    """The history file exists but cannot be read as one."""


def history_path(content: str | os.PathLike[str]) -> Path:
    """Where the history of the content at `content` lives: ``events.yaml`` → ``events.history.json``,
    a folder ``content/`` → ``content.history.json`` beside it."""
    path = Path(content)
    return path.with_name((path.name if path.is_dir() else path.stem) + ".history.json")


def content_hash(raw: object) -> str:
    """A digest of what an item says in the YAML: its mapping as written, keys sorted.

    Taken from the YAML rather than the model, so a new calfeed version that adds
    a field to `Event` does not look like an edit of every event.
    """
    text = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def read(path: Path) -> dict[str, Record]:
    """Read a history file; a missing file is an empty history. One that is a symbolic link leading out of
    its folder is never read (`HistoryError`)."""
    data = read_bytes(path)
    return {} if data is None else parse(path, data)


def read_bytes(path: Path) -> bytes | None:
    """The bytes of the history file at `path`, None if there is none (`HistoryError` as `read`)."""
    if symlinks.leads_out(path, path.parent):
        raise HistoryError(f"{path} {symlinks.leading_out('its folder')}")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise HistoryError(f"{path}: not a calfeed history file ({error})") from error


def parse(path: Path, data: bytes) -> dict[str, Record]:
    """The records of the history file at `path` that holds `data` (`HistoryError` if it is not one)."""
    try:
        loaded = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HistoryError(f"{path}: not a calfeed history file ({error})") from error
    instants: dict[str, datetime] = {}  # most records share a few instants (those of `calfeed stamp` runs)

    def instant(text: object) -> datetime:
        if type(text) is not str:
            return _instant(text)
        if (known := instants.get(text)) is None:
            known = instants[text] = _instant(text)
        return known

    try:
        return {
            name: Record(
                hash=str(entry["hash"]),
                sequence=_sequence(entry["sequence"]),
                modified=instant(entry["modified"]),
                published=instant(entry["published"]) if "published" in entry else None,
            )
            for name, entry in loaded.items()
        }
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise HistoryError(f"{path}: not a calfeed history file ({error!r})") from error


def _sequence(value: object) -> int:
    """A recorded SEQUENCE: a whole number from 0 to 2**31 - 1 (RFC 5545's INTEGER), never a float or a bool."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**31:
        raise ValueError(f"sequence {value!r} is not a whole number from 0 to {2**31 - 1}")
    return value


_WRITTEN = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")  # as `write` writes


def _instant(text: object) -> datetime:
    """A recorded instant, as `datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")` reads it (in UTC): read directly
    when written as `write` writes it (strptime reads that the same, 20 times slower), else by strptime,
    whose ValueError or TypeError says what is wrong."""
    if type(text) is str and (match := _WRITTEN.fullmatch(text)):
        try:
            year, month, day, hour, minute, second = map(int, match.groups())
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            pass  # not a real instant (2021-02-30): strptime says so in its own words
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)  # type: ignore[arg-type]


def _fields(record: Record) -> dict[str, object]:
    fields: dict[str, object] = {"hash": record.hash, "sequence": record.sequence}
    fields["modified"] = f"{record.modified:%Y-%m-%dT%H:%M:%SZ}"
    if record.published is not None:
        fields["published"] = f"{record.published:%Y-%m-%dT%H:%M:%SZ}"
    return fields


def write(path: Path, records: Mapping[str, Record]) -> None:
    """Write `records` atomically, one item a line, sorted, so that git diffs stay readable."""
    lines = [f"  {json.dumps(name)}: " + json.dumps(_fields(record)) for name, record in sorted(records.items())]
    text = "{\n" + ",\n".join(lines) + "\n}\n" if lines else "{}\n"
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as file:
        file.write(text)
    os.replace(file.name, path)


def revise(
    items: Iterable[tuple[Event | NewsEntry, datetime]],
    digests: Mapping[str, str],
    records: Mapping[str, Record],
    mtimes: Mapping[str, datetime],
) -> tuple[dict[str, Revision], dict[str, Record]]:
    """Return each item's revision, and the records that ``calfeed stamp`` would write.

    `items` pairs each item with its publication by the content alone (`Site.published` without a
    history), which a record written before publications were kept falls back to; `digests` maps an
    item's key to its `content_hash`; `mtimes` maps a content file name (an item's `source`) to its
    modification time.
    """
    revisions: dict[str, Revision] = {}
    stamped: dict[str, Record] = {}
    for item, baseline in items:
        name = item_key(item)
        digest = digests[name]
        record = records.get(name)
        if record is None:  # it appears now: dated, like an unstamped edit, by its file's time
            appeared = mtimes.get(item.source, baseline)
            revision = Revision(0, appeared, digest, appeared)
        elif record.hash == digest:
            revision = Revision(record.sequence, record.modified, digest, record.published or baseline)
        else:
            edited = max(mtimes.get(item.source, record.modified), record.modified + timedelta(seconds=1))
            revision = Revision(record.sequence + 1, edited, digest, record.published or baseline)
        revisions[name] = revision
        stamped[name] = Record(digest, revision.sequence, revision.modified, revision.published)
    return revisions, stamped


def changed(old: Record, new: Record) -> bool:
    """Whether `new` records something `old` does not: an edit, or an item's first appearance. A record
    from before publications were kept, which only gains the publication it already had, has not."""
    return old != new and not (old.published is None and old == Record(new.hash, new.sequence, new.modified))


def file_mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(int(path.stat().st_mtime), tz=UTC)


def stamp(site: Site, content: str | os.PathLike[str]) -> int:
    """Record every item's current revision in the history file; return how many records changed.

    Records of items that were removed stay, so an id that comes back continues its sequence.
    """
    where = history_path(content)
    records = read(where)
    items: list[Event | NewsEntry] = [*site.events, *site.news]
    current = {
        item_key(item): Record(revision.digest, revision.sequence, revision.modified, revision.published)
        for item in items
        if (revision := site.revision(item)).digest
    }
    changed = sum(1 for name, record in current.items() if records.get(name) != record)
    if changed or not where.exists():
        write(where, {**records, **current})
    return changed
