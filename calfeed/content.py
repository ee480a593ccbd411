"""From YAML files to a `Site`, or to every problem that stops one being published.

`read_content(path)` never raises for bad content: it returns the site (or None)
and the problems found, errors and warnings, each located by file, line, column
and field. `load_site(path)` is the same for callers that want an exception.
"""

from __future__ import annotations

import gc
import hashlib
import json
import operator
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path as FilePath
from typing import Any, cast

from . import descriptions, history, images, limits, symlinks, yamlchunks, yamlread
from .checks import IMAGE_KEYS, LOCATION_KEYS, FieldChecker, describe, did_you_mean
from .model import (
    CalendarSettings,
    Event,
    Image,
    LocalImage,
    NewsEntry,
    Site,
    Text,
)
from .problems import ContentError, Path, Pending, Problem, Problems, TooMany, format_path
from .reuse import Effects, Hashes, Item, Reading, Reuse
from .sections import CALENDAR_KEYS, EVENT_KEYS, NEWS_KEYS, ORGANIZER_KEYS, TOP_KEYS, Defaults, Ids, SectionReader
from .sections import calendar as read_calendar

MAX_BYTES = 100 * 1024 * 1024  # all content files together; override with CALFEED_MAX_BYTES

# Every key the schema accepts, by where it is written (docs/content.md documents each one).
SCHEMA_KEYS: dict[str, tuple[str, ...]] = {
    "top level": TOP_KEYS,
    "calendar": CALENDAR_KEYS,
    "events": EVENT_KEYS,
    "news": NEWS_KEYS,
    "location": LOCATION_KEYS,
    "image": IMAGE_KEYS,
    "organizer": ORGANIZER_KEYS,
}


def read_content(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_BYTES,
    reuse: Reuse | None = None,
    convert: bool = False,
    memos: dict[str, yamlchunks.Memo] | None = None,
) -> tuple[Site | None, list[Problem]]:
    """Read one YAML file, or every ``*.yaml``/``*.yml`` under a folder, merged.

    Returns ``(site, problems)``. `site` is None when any problem is an error.
    Problems can be: unreadable, empty, oversized or non-UTF-8 files; YAML syntax
    errors, duplicate keys, aliases and tags; unknown or missing fields and wrong
    types; impossible dates, unknown zones, local times that do not exist or are
    ambiguous, end before start; bad URLs, slugs and repeat rules; control
    characters; duplicate ids across files. Warnings (an event with no place, a
    news post with no date) come with a site.

    With `reuse` (kept from one read to the next, see calfeed/reuse.py), an item read from
    the same YAML as in the previous read is the very object that read made (and is not
    checked again if that read found no problem in it). With `memos` instead (each file's items by their
    text, as a read in another process left them: `calfeed.parsememo`), only the items whose text is not
    there are parsed; `memos` is renewed in place with this read's.

    Descriptions (Markdown) and summaries are held to the limits that keep a conversion quick; with
    `convert` (what `calfeed check` asks), each description is converted too, and one the converter
    fails on is a problem (the renderers show such a text as one escaped paragraph: see
    calfeed/descriptions.py).
    """
    with collector_paused():
        return _Reader(max_bytes, reuse, convert, memos).read(FilePath(path))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while content is built.

    Building allocates hundreds of thousands of dicts, lists and strings that all
    survive; the collector would scan them again and again for cycles that do not
    exist, which made a 100,000-event load 20-30% slower and grow faster than
    linearly. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_site(
    path: str | os.PathLike[str], *, strict: bool = False, max_bytes: int = MAX_BYTES, reuse: Reuse | None = None
) -> Site:
    """Return the site at `path`, or raise `ContentError` with every error (and warning, if `strict`)."""
    site, problems = read_content(path, max_bytes=max_bytes, reuse=reuse)
    fatal = problems if strict else [p for p in problems if p.severity == "error"]
    if site is None or fatal:
        raise ContentError(fatal or problems)
    return site


def content_files(path: FilePath) -> list[FilePath]:
    """Return the YAML files that make up the content at `path`, in a fixed order."""
    if path.is_dir():
        return sorted(
            file
            for file in path.rglob("*")
            if file.suffix in (".yaml", ".yml")
            and file.is_file()
            and not any(part.startswith(".") for part in file.relative_to(path).parts)
        )
    return [path]


class _Reader:
    """One read of the content: parses each file, reads its sections (`calfeed.sections`, whose checks
    tell `problems` what is wrong where), then checks what spans items and files."""

    def __init__(
        self,
        max_bytes: int,
        reuse: Reuse | None = None,
        convert: bool = False,
        memos: dict[str, yamlchunks.Memo] | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.reuse = reuse
        self.memos_before = reuse.memos if reuse is not None else memos  # None: each file is parsed whole
        self.memos_kept = memos  # renewed with this read's memos
        # what each item is read from, as a digest (`calfeed build`, which reads with `memos`, fingerprints every item)
        self.origins = Origins() if memos is not None and reuse is None else None
        self.hashes = Hashes()  # each item's history digest, as a previous read found it for the same value
        self.convert = convert  # convert each description too (`descriptions.failure`)
        self.reading = Reading(
            None, None, self.hashes
        )  # what it reuses of the previous read, once the calendar is read
        self.sources: dict[str, bytes] = {}  # each file's bytes, by name: its version, and where problems are
        self.memos: dict[str, yamlchunks.Memo] = {}  # each file's items by their text (with `reuse`)
        self.problems = Problems()
        self.ids = Ids()
        self.digests: dict[str, str] = {}  # "event:<id>" -> the hash of its YAML mapping, for the history
        self.tag_uses: list[tuple[str, Path, str]] = []  # (file, path, tag) of every tag an item lists
        self.image_uses: list[tuple[str, Path, str]] = []  # (file, path, src) of every image address
        self.tag_names: set[str] = set()  # every different tag, declared or used (see FieldChecker.counted_tag)
        self.today = datetime.now(UTC).date()  # only to warn about news dated far ahead

    # -- the whole read ------------------------------------------------------------

    def read(self, path: FilePath) -> tuple[Site | None, list[Problem]]:
        try:
            files = content_files(path) if path.exists() else None
        except OSError as error:
            return None, [_unreadable(path, error)]
        if files is None:
            return None, [
                Problem(str(path), None, None, "", "no such file or folder (expected a YAML file or a folder of them)")
            ]
        if not files:
            return None, [Problem(str(path), None, None, "", "holds no .yaml or .yml files (expected at least one)")]
        documents: list[tuple[str, dict[str, Any]]] = []
        located: list[Problem] = []
        if path.is_dir():  # a symbolic link may lead out of the folder: such a file is never read
            outside = {file for file in files if symlinks.leads_out(file, path)}
            located.extend(Problem(str(file), None, None, "", symlinks.leading_out()) for file in sorted(outside))
            files = [file for file in files if file not in outside]
        parsed = self.parse_files(files, documents, located)
        self.hand_over_memos()
        if not parsed:
            return None, located
        site = None
        try:
            site = self.validate(documents)
        except TooMany as stop:  # in the file of the last problem
            self.problems.pending.append(Pending(self.problems.pending[-1].file, (), str(stop)))
        for memo in self.memos.values():  # each item's digest, for the next read
            memo.digests = self.hashes.of(memo.items.values())
        history_problems: list[Problem] = []
        if any(p.severity == "error" for p in located) or self.problems.errors:
            site = None
        elif site is not None:
            site, history_problems = self.revise(site, path, files)
            if site is not None:
                self.warn_undated(site)
                if self.image_uses:
                    site = self.local_images(site, images.content_root(path))
                    if self.problems.errors:  # an image behind a link leading out
                        site = None
        self.reading.keep(good=site is not None)
        replaced = {(p.file, p.field) for p in located if p.field and p.message.startswith(yamlread.VALUE_REPLACED)}
        located.extend(p for p in self.locate() if (p.file, p.field) not in replaced)
        located.sort(key=lambda p: (p.file, p.line or 0, p.column or 0))
        return site, located + history_problems

    def hand_over_memos(self) -> None:
        """Give each file's items by their text (`yamlchunks`) to the next read, and take the history digests
        of those a previous read hashed."""
        if self.reuse is not None:
            self.reuse.memos = self.memos
        elif self.memos_kept is not None:
            self.memos_kept.clear()
            self.memos_kept.update(self.memos)
        for memo in self.memos.values():
            self.hashes.known.update(memo.digests)

    def warn_undated(self, site: Site) -> None:
        """A warning for each news post without a date, naming the date the rule in docs/content.md gave it."""
        for entry in site.news:
            if entry.date_given:
                continue
            file, id_path = self.ids.seen["news"][entry.id]
            if any(site.event(event_id) for event_id in entry.events):
                rule = "the last day of its latest linked event"
            else:
                rule = "when it first appeared: recorded by `calfeed stamp`, until then its file's time"
            self.problems.in_file(file).problem(
                id_path[:-1],
                f"has no date: dated {entry.date} by the rule in docs/content.md ({rule})",
                severity="warning",
            )

    def parse_files(
        self, files: list[FilePath], documents: list[tuple[str, dict[str, Any]]], located: list[Problem]
    ) -> bool:
        """Parse each file into `documents` (its name and top-level mapping), its problems into `located`;
        False if the files together are over `max_bytes` (nothing more is read)."""
        total = 0
        for file in files:
            try:
                total += file.stat().st_size
            except OSError as error:
                located.append(_unreadable(file, error))
                continue
            if total > self.max_bytes:
                message = (
                    f"content is over {self.max_bytes:,} bytes "
                    "(expected less; raise CALFEED_MAX_BYTES if it is meant to be this big)"
                )
                located.append(Problem(str(file), None, None, "", message))
                return False
            located.extend(self.parse_file(file, documents))
        return True

    def parse_file(self, file: FilePath, documents: list[tuple[str, dict[str, Any]]]) -> list[Problem]:
        """Read and parse one file; add its top-level mapping to `documents`; return its problems."""
        name = str(file)
        try:
            data = file.read_bytes()
        except OSError as error:
            return [_unreadable(file, error)]
        if problem := yamlread.decode_problem(name, data):
            return [problem]
        value, problems = self.parse(name, data)
        self.sources[name] = data
        expected = "(expected a mapping with calendar:, events:, news: or tags:)"
        if value is None and not problems:
            return [Problem(name, None, None, "", f"is empty {expected}")]
        if isinstance(value, dict):
            documents.append((name, value))
        elif value is not None:
            return [*problems, Problem(name, 1, 1, "", f"top level is {describe(value)} {expected}")]
        return problems

    def parse(self, name: str, data: bytes) -> tuple[Any, list[Problem]]:
        """`yamlread.parse`; with `reuse` or `memos`, the items whose text did not change since the previous
        read are not parsed again but are the values that read made (`yamlchunks`: the same result)."""
        if self.memos_before is None:
            return yamlread.parse(name, data)
        memo = self.memos[name] = self.memos_before.get(name) or yamlchunks.Memo()
        parsed = yamlchunks.parse(name, data, memo)
        if self.origins is not None:
            self.origins.saved(memo)
        return parsed

    def local_images(self, site: Site, root: FilePath) -> Site:
        """Read the image files the content names beside it (``src: images/…``, see calfeed/images.py): the
        site carries them and each image its size. One that cannot be used is a warning and is not shown
        (its description stays): a page never links to a file that is not there. One behind a link
        leading out of the content folder is an error, like such a content file."""
        found: dict[str, LocalImage] = {}
        unusable: set[str] = set()
        for file, where, src in self.image_uses:
            if not images.is_local(src) or src in unusable or src.removeprefix("images/") in found:
                continue
            read = images.read_image(root, src)
            if isinstance(read, images.Unusable):
                self.problems.in_file(file).problem(
                    where, read.message, severity="error" if read.refused else "warning"
                )
                unusable.add(src)
            else:
                found[read.name] = read

        def sized(image: Image | None) -> Image | None:
            if image is None or image.src is None or not images.is_local(image.src):
                return image
            local = found.get(image.src.removeprefix("images/"))
            if local is None:
                return replace(image, src=None)
            return replace(image, width=local.width, height=local.height)

        events = tuple(
            self.reading.sized(event, shown) if (shown := sized(event.image)) is not event.image else event
            for event in site.events
        )
        news = tuple(
            replace(entry, image=shown) if (shown := sized(entry.image)) is not entry.image else entry
            for entry in site.news
        )
        digest = hashlib.sha256(site.version.encode())
        for name, local in sorted(found.items()):
            digest.update(f"{name}\0".encode() + hashlib.sha256(local.data).digest())
        version = digest.hexdigest()[: len(site.version)]
        if all(map(operator.is_, events, site.events)) and all(map(operator.is_, news, site.news)):
            return site.restamped(version=version, images=found)  # no image sized: the same items, indexes kept
        return replace(site, events=events, news=news, images=found, version=version)

    def revise(self, site: Site, path: FilePath, files: list[FilePath]) -> tuple[Site | None, list[Problem]]:
        """Give each item its revision from the history file (see calfeed/history.py) and the site its version."""
        where = history.history_path(path)
        try:
            records, recorded = self.history(where)
            mtimes = {str(file): history.file_mtime(file) for file in files}
        except (history.HistoryError, OSError) as error:
            return None, [Problem(str(where), None, None, "", f"{error} (delete it to start a new history)")]
        everything: list[Event | NewsEntry] = [*site.events, *site.news]
        items = [(item, site.published(item)) for item in everything]  # by the content alone: the baselines
        revisions, stamped = history.revise(items, self.digests, records, mtimes)
        changed = sum(1 for name, record in stamped.items() if history.changed(records.get(name, record), record))
        problems = []
        if changed:
            message = (
                f"{changed} item{'s' if changed != 1 else ''} changed since the last `calfeed stamp` "
                f"(run it and commit {where.name}, so that every render dates the change the same way)"
            )
            problems.append(Problem(str(where), None, None, "", message, "warning"))
        if changed:  # unstamped edits and new items are dated by file times: a touch makes a new version
            recorded += repr(sorted(mtimes.items())).encode()
        site = site.restamped(version=self.version(files, recorded), revisions=revisions)
        return _date_unlinked(site), problems

    def history(self, where: FilePath) -> tuple[dict[str, history.Record], bytes]:
        """The records of the history file at `where` (the previous read's, if it holds the same bytes) and
        its bytes (none if it records nothing)."""
        data = history.read_bytes(where)
        if data is None:
            return {}, b""
        kept = self.reuse.history if self.reuse is not None else None
        if kept is not None and kept[0] == data:
            records = kept[1]
        else:
            records = history.parse(where, data)
            if self.reuse is not None:
                self.reuse.history = (data, records)
        return records, data if records else b""

    def version(self, files: list[FilePath], history_bytes: bytes = b"") -> str:

        digest = hashlib.sha256(history_bytes)
        for file in files:
            name = str(file)
            digest.update(f"{name}\0{len(self.sources[name])}\0".encode())
            digest.update(self.sources[name])
        return digest.hexdigest()[:16]

    def locate(self) -> list[Problem]:
        by_file: dict[str, list[tuple[Path, bool]]] = {}
        for pending in self.problems.pending:
            by_file.setdefault(pending.file, []).append((pending.path, pending.at_key))
            if pending.other:
                by_file.setdefault(pending.other[0], []).append(pending.other[1:])
        positions = {
            file: yamlread.locate(self.sources[file], targets)
            for file, targets in by_file.items()
            if file in self.sources
        }
        problems = []
        for pending in self.problems.pending:
            line, column = positions.get(pending.file, {}).get((pending.path, pending.at_key), (None, None))
            message = pending.message
            if pending.other:
                other_file, other_path, other_at_key = pending.other
                other_where = positions.get(other_file, {}).get((other_path, other_at_key))
                other_line = other_where[0] if other_where else None
                first = (
                    f"first defined at {other_file}:{other_line}" if other_line else f"first defined in {other_file}"
                )
                message = f"{message[:-1]}; {first})" if message.endswith(")") else f"{message} ({first})"
            problems.append(Problem(pending.file, line, column, format_path(pending.path), message, pending.severity))
        return problems

    def validate(self, documents: list[tuple[str, dict[str, Any]]]) -> Site | None:
        """Read every section of `documents` (file name, top-level mapping): the site, or None."""
        calendar, defaults = self.calendar(documents)
        self.reading = Reading(self.reuse, defaults, self.hashes)
        tags: dict[str, Text] = {}
        events: list[Event] = []
        for file, document in documents:
            reader = self.section_reader(file, defaults)
            self.read_tags(document, reader.check, tags)
            events += self.items(reader.check, document, "events", reader.event)
            self.keep_uses(reader.check)
        news: list[NewsEntry] = []
        for file, document in documents:
            reader = self.section_reader(file, defaults)
            news += self.items(reader.check, document, "news", reader.news)
            self.keep_uses(reader.check)
        if tags:
            self.undeclared_tags(tags)
        if calendar is None:
            return None
        news = _date_undated(news, {event.id: event for event in events})
        if self.problems.errors:  # nothing is dated: still say which
            for entry in news:
                if not entry.date_given:
                    file, id_path = self.ids.seen["news"][entry.id]
                    message = "has no date: its date follows the rule in docs/content.md"
                    self.problems.in_file(file).problem(id_path[:-1], message, severity="warning")
        events.sort(key=_event_order)
        news.sort(key=lambda entry: entry.id)
        news.sort(key=lambda entry: entry.date, reverse=True)
        origins = self.origins.made if self.origins is not None else {}
        return Site(
            calendar=calendar, events=tuple(events), news=tuple(news), tags=dict(sorted(tags.items())), origins=origins
        )

    def calendar(self, documents: list[tuple[str, dict[str, Any]]]) -> tuple[CalendarSettings | None, Defaults]:
        """The one calendar section of all the files, and the defaults it gives every item."""
        settings: CalendarSettings | None = None
        defaults = Defaults()
        calendar_at: tuple[str, Path, bool] | None = None
        for file, document in documents:
            problems = self.problems.in_file(file)
            FieldChecker(problems).unknown_keys(document, (), TOP_KEYS)
            if "calendar" not in document:
                continue
            if calendar_at:
                message = "is defined twice (expected one calendar: in all the files)"
                problems.problem(("calendar",), message, at_key=True, other=calendar_at)
                continue
            calendar_at = (file, ("calendar",), True)
            settings, defaults = read_calendar(document["calendar"], problems)
        if calendar_at is None and documents:
            message = "no calendar: section (expected calendar: with at least title and url, in one file)"
            self.problems.in_file(documents[0][0]).problem((), message)
        return settings, defaults

    def section_reader(self, file: str, defaults: Defaults) -> SectionReader:
        failure = descriptions.failure if self.convert else None  # `calfeed check` converts each description
        check = FieldChecker(
            self.problems.in_file(file), defaults.languages, self.tag_names, self.reading.trouble, failure
        )
        return SectionReader(check, self.ids, defaults.zone, self.today)

    def items(
        self, check: FieldChecker, document: dict[str, Any], key: str, read: Callable[[Any, Path], Item | None]
    ) -> list[Item]:
        """Read each item listed under `key` with `read` (the previous read's object if it is the same, see
        `reuse.Reading`); keep the hash of each one read, for the history."""
        kind = "event" if key == "events" else "news"
        items = []
        origins = self.origins
        origin = origins.of(kind, check.problems.file, self.reading.defaults) if origins is not None else None
        for raw, path in check.list_items(document, key):
            mark, kept = self.reading.recall(kind, check.problems.file, raw)
            if mark is not None and kept is not None and self.reading.replay(kept, mark, check, self.ids, path):
                item, digest = cast(Item, kept.item), kept.digest
            elif (read_item := self.read_item(check, raw, path, read, mark is not None)) is not None:
                item, digest = self.reading.remember(mark, raw, *read_item)
                if origin is not None:
                    origin(item, raw)
            else:
                continue
            items.append(item)
            self.digests[f"{kind}:{item.id}"] = digest
        return items

    def read_item(
        self, check: FieldChecker, raw: Any, path: Path, read: Callable[[Any, Path], Item | None], record: bool
    ) -> tuple[Item, Effects | None] | None:
        """Read one item with `read`: the item (None if it cannot be read) and, if that found no problem and
        `record` asks, what the read did besides (`reuse.Effects`, with paths below `path`), to do again
        instead next time."""
        pending, claimed = len(self.problems.pending), len(self.ids.claimed)
        tag_uses, image_uses, checked = len(check.tag_uses), len(check.image_uses), len(self.reading.checked)
        if (item := read(raw, path)) is None:
            return None
        if not record or len(self.problems.pending) > pending:
            return item, None
        below = len(path)
        effects = Effects(
            claims=tuple((kind, name, where[below:]) for kind, name, where in self.ids.claimed[claimed:]),
            tag_uses=tuple((where[below:], tag) for _, where, tag in check.tag_uses[tag_uses:]),
            image_uses=tuple((where[below:], src) for _, where, src in check.image_uses[image_uses:]),
            texts=tuple(self.reading.checked[checked:]),
        )
        return item, effects

    def read_tags(self, document: dict[str, Any], check: FieldChecker, tags: dict[str, Text]) -> None:
        """Add the tags `document` declares (id: label) to `tags`."""
        for tag, label, path in check.mapping_items(document, "tags"):
            if (
                check.slug(tag, path, at_key=True)
                and self.ids.first(check.problems, "tag", tag, path)
                and check.counted_tag(tag, path, True)
            ):
                label = check.line(label, path, limits.LABEL)
                tags[tag] = label or Text({check.languages[0]: tag})

    def keep_uses(self, check: FieldChecker) -> None:
        self.tag_uses += check.tag_uses
        self.image_uses += check.image_uses

    def undeclared_tags(self, declared: dict[str, Text]) -> None:
        """Warn about each tag an item lists that `tags:` does not declare: on a site that declares its
        tags, one that is not there is most likely a typo, which would silently start a new tag."""
        for file, path, tag in self.tag_uses:
            if tag not in declared:
                self.problems.in_file(file).problem(
                    path,
                    f"unknown tag '{tag}'{did_you_mean(tag, declared)} "
                    "(expected a tag declared under tags:, or declare it there)",
                    severity="warning",
                )


class Origins:
    """What each item of a read was made from, as a digest (`Site.origins`, which `render.fragments.ItemDigests`
    takes instead of writing the object out): an item read from YAML is made of its kind, its file, the calendar's
    languages and zone (`sections.Defaults`) and its YAML value (and calfeed's code, which every fingerprint holds),
    so two items of equal origins are equal. The value is taken as JSON (keys in the order written), the JSON
    `calfeed.parsememo` saved for the items whose text it holds. Only the very object the section reader made is
    in it: one made from it afterwards (an image sized, a date given by the rule) is another object, not in it."""

    def __init__(self) -> None:
        self.made: dict[int, tuple[Event | NewsEntry, bytes]] = {}
        self._json: dict[int, tuple[Any, bytes | memoryview]] = {}  # id(an item's YAML value) -> (it, its JSON)

    def saved(self, memo: yamlchunks.Memo) -> None:
        """Take the JSON the parse memo holds of `memo`'s items (the values it read back from it)."""
        for text, value in memo.items.items():
            if (saved := memo.saved.get(text)) is not None:
                self._json[id(value)] = (value, saved)

    def of(self, kind: str, file: str, defaults: object) -> Callable[[Event | NewsEntry, Any], None]:
        """A function recording that an item is what the section reader made of a YAML value (an item of `kind` in
        `file`, read with the calendar's `defaults`: `sections.Defaults`, whose repr names its languages and zone)."""
        prefix = hashlib.blake2b(repr((kind, file, defaults)).encode(), digest_size=16)
        made, known_json = self.made, self._json

        def add(item: Event | NewsEntry, raw: Any) -> None:
            known = known_json.get(id(raw))
            if known is not None and known[0] is raw:
                data: bytes | memoryview = known[1]
            else:
                data = json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
            hasher = prefix.copy()
            hasher.update(data)
            made[id(item)] = (item, hasher.digest())

        return add


def _date_undated(news: list[NewsEntry], events: dict[str, Event]) -> list[NewsEntry]:
    """Give undated news a date by the rule in docs/content.md.

    A post linked to events takes the last day of the latest of them (a report
    follows its event). Any other is dated when it first appeared, which the history
    says (`_date_unlinked`); until it is read, and for a `Site` without a history,
    it takes the earliest date in the content.
    """
    known = [entry.date for entry in news if entry.date_given] + [event.first_day for event in events.values()]
    earliest = min(known, default=date(1970, 1, 1))
    dated = []
    for entry in news:
        if not entry.date_given:
            linked = [events[event_id].last_day for event_id in entry.events if event_id in events]
            entry = replace(entry, date=max(linked, default=earliest))
        dated.append(entry)
    return dated


def _date_unlinked(site: Site) -> Site:
    """Date each undated post that links no event on the day it first appeared (its history's
    `published`), and order the news again: a post added today is today's, not the content's oldest."""
    news = [
        replace(entry, date=site.published(entry).date())
        if not entry.date_given and not any(site.event(event_id) for event_id in entry.events)
        else entry
        for entry in site.news
    ]
    if news == list(site.news):
        return site
    news.sort(key=lambda entry: entry.id)
    news.sort(key=lambda entry: entry.date, reverse=True)
    return replace(site, news=tuple(news))


def _unreadable(path: FilePath, error: OSError) -> Problem:
    return Problem(str(path), None, None, "", f"cannot be read: {error.strerror or error} (expected a readable file)")


def _event_order(event: Event) -> tuple[date, float, str]:
    start = event.start
    return event.first_day, start.timestamp() if isinstance(start, datetime) else float("-inf"), event.id
