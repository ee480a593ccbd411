"""``calfeed build``: every route of the URL contract as static files, with the bytes the server sends.

Each route is rendered by the same `calfeed.http.render_output` the server uses, so a file holds exactly
the body a request for its path gets (folders as ``index.html``), next to ``.gz`` and ``.br`` encodings for
hosts that serve precompressed files. Two more files tell a static host the headers calfeed would send:
``_headers`` (Netlify, Cloudflare Pages) and ``_nginx.conf`` (include it in a ``server`` block). Files carry
the content's modification time, so a host's Last-Modified matches.

Lean and fast: each output is written as soon as it is rendered (memory holds one output per process, not
the site); outputs that are the same bytes at two paths (`calfeed.render.PATH_FREE`: the root and the
default language's prefix) are rendered and compressed once and written twice, as copies; the routes are
shared among processes forked from the one that loaded the content (one per CPU). They fork as soon as what they
render from is in (the content, the previous build's manifest and pieces): while they make their templates ready
and render the outputs that show many items (calendars, feeds, agendas, indexes), the parent fingerprints the
other routes and checks the files of unchanged outputs. Each batch is given to them longest first (by the
previous build's sizes), so that they end together.

Incremental: the build records in `MANIFEST` each output's fingerprint (`calfeed.fingerprints`: what it
is made from) and a digest of its files. A build into a folder that holds such a manifest renders only
the outputs whose fingerprint changed and writes only files whose bytes changed; every other file stays
as it is (bytes and modification time), so rsync or a CDN upload sends only what changed. A file left
alone keeps the date of the build that wrote it; one deleted since is written again. The host files are
made again only when what they show changes (`Manifest.host_key`).
The outputs that list every event (calendars, ``events.json``), which any event's edit changes, are joined
from pieces the previous build saved in `STATE` (`calfeed.buildstate`): only the edited event's are made again.
The content is read with the previous build's parse of each item, kept in `MEMO` (`calfeed.parsememo`): only
the edited items are parsed again.

Pages that list upcoming events show the build day (today in the calendar's time zone): rebuild daily.
A full build writes into a temporary folder beside OUTDIR and renames it into place only once it is
complete; an incremental one writes its changed files there, and moves them into OUTDIR (and deletes
the files of outputs gone) only once every output is made. Either way a failed build leaves the previous
output as it was. Rebuilding a whole tree of hard links and deleting the old one cost more than rendering
what changed: 1.6 ms per folder removed on a shared VM, 40,000 folders for 10,000 events.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.metadata
import json
import multiprocessing
import multiprocessing.pool
import os
import re
import shutil
import sys
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from itertools import chain, compress, islice, pairwise, repeat
from operator import is_not, not_
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import buildstate, gzip_chunks, parsememo
from .content import collector_paused
from .fingerprints import KEY, Fingerprints
from .http import PREFLIGHT, Output, Policy, render_output, today_in
from .model import Site
from .problems import ContentError, Problem
from .render import FORMATS, PATH_FREE, Format, fragments, i18n
from .render.html import default_templates, make_environment
from .routes import Route, path, routes_and_paths
from .settings import Settings
from .store import Published, read_version

if TYPE_CHECKING:
    from jinja2 import Environment

    from .yamlchunks import Memo

HOST_FILES = ("_headers", "_nginx.conf")  # instructions for the host, not pages: never served
MANIFEST = ".calfeed-build.json"  # what the previous build wrote, for the next one: never served
MANIFEST_VERSION = 2
STATE = buildstate.STATE  # pieces of the largest outputs, for the next build: never served
DELTA = buildstate.DELTA  # what changed in them since `STATE` was written: the same
MEMO = parsememo.MEMO  # each item's text and what it parses to, for the next build: never served
BUILD_FILES = (MANIFEST, STATE, DELTA, MEMO)
PER_FILE = ("Content-Length", "ETag", "Last-Modified", "Vary", "Content-Encoding", "X-Content-Version")
SUFFIXES = {"gzip": ".gz", "br": ".br"}


@dataclass(frozen=True, slots=True)
class Built:
    """What a build wrote, and the warnings its content had."""

    outdir: Path
    routes: int
    files: int
    size: int  # bytes, all files together
    warnings: tuple[Problem, ...]
    rendered: int = 0  # outputs rendered (the others' fingerprints had not changed)
    written: int = 0  # files written (the others kept from the previous build, bytes and dates)
    pieces: int = 0  # pieces of the largest outputs made (the others taken from the previous build)


class Entry(NamedTuple):
    """One output in the manifest: its fingerprint, a digest of all its files' bytes (16 bytes each: of the body's
    ETag, itself a digest of the body, and of the encodings' bytes), their sizes (a tuple: 84,000 of them are read
    and written by every build of 10,000 events)."""

    fingerprint: bytes
    digest: bytes
    sizes: tuple[int, int, int]  # body, .gz, .br (0: no such file)


class Manifest(NamedTuple):
    """What a build recorded for the next one (`MANIFEST`): its outputs by URL path (in the order of their
    paths), and `host_key` over what the host files are made from; the file's bytes (`raw`), and the number and
    bytes of the files its outputs have (`totals`), from which the next manifest is patched (`_patched`)."""

    entries: dict[str, Entry]
    host_key: bytes = b""
    raw: bytes = b""
    totals: tuple[int, int] = (0, 0)


class Job(NamedTuple):
    """Outputs with the same bytes, rendered once: the route of the first, every path, what they were."""

    route: Route
    paths: tuple[str, ...]
    fingerprint: bytes
    previous: tuple[Entry | None, ...]


@dataclass(slots=True)
class _Same:
    """Outputs whose fingerprints did not change: as jobs, and (an incremental build's, all but a few) in bulk, as
    routes with their paths and previous entries, where whole jobs are (a `PATH_FREE` route's other paths too)."""

    jobs: list[Job]
    routes: list[Route] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    before: list[Entry | None] = field(default_factory=list)

    def extend(self, other: _Same) -> None:
        self.jobs += other.jobs
        self.routes += other.routes
        self.paths += other.paths
        self.before += other.before


@dataclass(frozen=True, slots=True)
class _Work:
    """What every process renders from: set before the workers fork, so they share it without pickling."""

    published: Published
    templates: Environment
    policy: Policy
    today: date
    staging: Path  # where files are written: the whole new tree, or (in place) only the changed files
    previous: Path  # the previous build (its files are linked when their bytes have not changed)
    in_place: bool = False  # an incremental build: unchanged files stay where they are, not linked


@dataclass(frozen=True, slots=True)
class Done:
    """What rendering one job did: its manifest entries, files written, and the lasting pieces
    (`calfeed.render.fragments.Lasting`) it used and made."""

    entries: dict[str, Entry]
    written: int
    used: set[bytes]
    made: dict[bytes, bytes]


_WORK: _Work | None = None


def build(
    outdir: str | os.PathLike[str],
    settings: Settings,
    *,
    today: date | None = None,
    only: Callable[[Route], bool] | None = None,
    processes: int | None = None,
) -> Built:
    """Write the static site of `settings.events` to `outdir`, replacing what was there, and return a summary.

    `today` is the day pages show as "today" (default: the build day in the calendar's zone); `only` keeps
    the routes it accepts; `processes` render (default: one per CPU). When `outdir` holds an earlier build,
    only what changed is rendered and written (see the module's docstring); the result is the same bytes.
    Raises `ContentError` with every error if the content does not load, and lets a renderer's exception
    through; either way `outdir` is untouched.
    """
    reading = buildstate.Reading(Path(outdir))  # the previous build's pieces, while the content is read
    with collector_paused():  # (the content's objects all survive: a collection would only look at them)
        memos = parsememo.load(Path(outdir))  # each item's parse by the previous build, renewed by the read
        published, problems = read_version(
            settings.events, max_bytes=settings.max_bytes, base_url=settings.base_url, memos=memos
        )
        if published is None:
            raise ContentError([problem for problem in problems if problem.severity == "error"])
        gc.freeze()  # the content's objects are never garbage: no collection scans them again (nor in the workers)
    try:
        return _build(published, problems, settings, Path(outdir), today, only, processes, reading, memos)
    finally:
        gc.unfreeze()


def _build(
    published: Published,
    problems: list[Problem],
    settings: Settings,
    target: Path,
    today: date | None,
    only: Callable[[Route], bool] | None,
    processes: int | None,
    reading: buildstate.Reading,
    memos: dict[str, Memo],
) -> Built:
    site = published.site
    policy = Policy.from_settings(settings)
    overrides = settings.template_overrides()
    day = today or today_in(site.calendar.timezone)
    _check_outdir(target, settings, overrides)
    target.parent.mkdir(parents=True, exist_ok=True)
    before, lasting, fingerprints, state_key, routes, paths, base = _prepare(site, overrides, target, reading, only)
    previous = before.entries
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent))
    _FOLDERS.clear()
    in_place = bool(previous) and target.is_dir()
    work = _Work(published, _templates(overrides, lasting), policy, day, staging, target, in_place)
    try:
        heavy, same = _plan(routes, paths, fingerprints, work, previous, items=False)  # (the workers' first jobs)
        with _Renderers(work, processes or os.cpu_count() or 1) as renderers:  # forked: they render while we plan
            renderers.render(heavy)
            light, unchanged = _plan(routes, paths, fingerprints, work, previous, items=True)
            renderers.render(light)
            same.extend(unchanged)
            host_key = fragments.digest([fingerprints.shared, repr(policy), "\n".join(paths)])
            del paths
            kept = before.host_key == host_key
            written, size = _host_files(routes, site.calendar.languages, policy, work, kept)
            memo = _memo(memos)  # (while the workers render, rather than before they fork)
            entries, fresh, rendered, count, used, made = _make(same, work, renderers)
        pieces, written = len(made), written + count
        state, state_files, gone = _save_state(lasting.stored, used, made, work, state_key, base)
        memo_size = _save_memo(memo, work)
        del used, made  # the pieces are saved: free them before the manifest is made
        lasting.stored = {}
        with collector_paused():
            patched = _patched(entries, host_key, before, fresh)
            manifest, (files, sizes) = patched or _manifest(entries, host_key, previous)
            stale = [*_stale(previous, entries, fresh), *gone] if in_place else []
        _keep_or_write(target / MANIFEST, staging / MANIFEST, manifest, published.modified, link=not in_place)
        files += len(HOST_FILES) + 1 + state_files + (memo_size > 0)
        size += sizes + len(manifest) + state + memo_size
        if in_place:
            _commit(staging, target, stale)
        else:
            staging.chmod(0o755)  # mkdtemp makes it private
            _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    warnings = tuple(problem for problem in problems if problem.severity != "error")
    return Built(target, len(routes), files, size, warnings, rendered, written, pieces)


class _Prepared(NamedTuple):
    previous: Manifest  # the previous build's
    lasting: fragments.Lasting  # the pieces it kept, if they are of this build's key
    fingerprints: Fingerprints  # with every item's digest made
    state_key: bytes  # the key of the pieces this build keeps (`_state_key`)
    routes: list[Route]  # the build's (those `only` accepts)
    paths: list[str]  # their URL paths
    base: buildstate.Base | None  # the pieces file `lasting` holds those of (and a delta's): None if unused


def _prepare(
    site: Site,
    overrides: Path | None,
    target: Path,
    reading: buildstate.Reading,
    only: Callable[[Route], bool] | None,
) -> _Prepared:
    """What the build needs before its workers fork (they share it, copy-on-write): the previous build's manifest,
    its pieces (if of this build's key), every item's digest (the parent's fingerprints and the workers' pieces use
    them: made once, here, rather than again in each worker), the routes and their paths (listed after the fork,
    competing with the workers and copying the shared pages whose objects it counts references to, they took
    twice as long, and the workers' first jobs waited for them)."""
    with collector_paused():  # (objects that all survive the build: none to collect)
        before = read_manifest(target)
        lasting = fragments.Lasting()
        templates = [folder for folder in (overrides, default_templates()) if folder is not None]
        digests = lasting.digests(site)
        fingerprints = Fingerprints(site, templates, digests)
        state_key = _state_key(fingerprints)
        for event in site.events:
            digests(event)
        for entry in site.news:
            digests(entry)
        stored = reading.pieces(state_key)  # (waited for even if not used: the workers are forked without its thread)
        base = None
        if before.entries:
            lasting.stored, base = stored, reading.base
            lasting.lost = not lasting.stored  # then every output is rendered again, and makes its pieces
        del stored
        routes, paths = routes_and_paths(site)
        if only is not None:
            chosen = list(map(only, routes))
            routes, paths = list(compress(routes, chosen)), list(compress(paths, chosen))
    return _Prepared(before, lasting, fingerprints, state_key, routes, paths, base)


def _plan(
    routes: list[Route],
    paths: list[str],
    fingerprints: Fingerprints,
    work: _Work,
    previous: Mapping[str, Entry],
    *,
    items: bool,
) -> tuple[list[Job], _Same]:
    """Fingerprint the routes that show one item (`items`: event, month and archive pages, an event's calendar) or
    those that show many (calendars, feeds, agendas, indexes), at `paths`: their jobs whose outputs changed, and the
    outputs that did not (none when the previous build's pieces were lost: then every output is made again,
    see `fragments.Lasting.lost`). The build fingerprints the heavy ones before its workers fork, so they start
    on them at once, and the others while they render: then, in place, the unchanged outputs (all but a few) are
    found in bulk, and only the routes that share a key (`fingerprints.KEY`) with a changed one made into jobs."""
    lasting = fragments.lasting(work.templates)
    again = lasting is not None and lasting.lost
    with collector_paused():  # hundreds of thousands of tuples that all survive the build: none to collect
        chosen = [(route.item is not None) is items for route in routes]
        routes, paths = list(compress(routes, chosen)), list(compress(paths, chosen))
        keys = list(map(KEY, routes))
        prints = fingerprints.many(routes, keys, work.today)
        before = list(map(previous.get, paths))
        if again:
            return _jobs(routes, paths, prints, before), _Same([])
        if not work.in_place:  # (each kept file linked into the new tree, job by job)
            changed, unchanged = _split(_jobs(routes, paths, prints, before))
            return changed, _Same(unchanged)
        same = [entry is not None and entry.fingerprint == made for entry, made in zip(before, prints, strict=True)]
        changed_keys = set(compress(keys, map(not_, same)))
        touched = list(map(changed_keys.__contains__, keys))  # (with their jobs' other paths)
        jobs = _jobs(
            compress(routes, touched), compress(paths, touched), compress(prints, touched), compress(before, touched)
        )
        kept = list(map(not_, touched))
        changed, unchanged = _split(jobs)
        bulk = _Same(unchanged, list(compress(routes, kept)), list(compress(paths, kept)), list(compress(before, kept)))
        return changed, bulk


def _split(jobs: list[Job]) -> tuple[list[Job], list[Job]]:
    """`jobs` whose outputs changed, and those whose did not (`_unchanged`), each in their order."""
    changed: list[Job] = []
    unchanged: list[Job] = []
    for job in jobs:
        (unchanged if _unchanged(job) else changed).append(job)
    return changed, unchanged


def _host_files(
    routes: list[Route], languages: Iterable[str], policy: Policy, work: _Work, kept: bool
) -> tuple[int, int]:
    """Write `HOST_FILES` into `work.staging` (or keep them): the files written, their bytes. They are made
    before the outputs, so that the text of ``_headers`` (38 MB at 10,000 events) is freed before the pieces
    the workers make arrive (the build's peak memory). When what they are made from (the paths, the policy,
    calfeed's code and the settings: the manifest's `Manifest.host_key`) is the previous build's (`kept`),
    they are that build's files, not made again."""
    if kept and work.in_place:
        try:
            return 0, sum(os.stat(work.previous / name).st_size for name in HOST_FILES)
        except OSError:  # lost: make them again
            pass
    written = size = 0
    for name in HOST_FILES:
        text = headers_file(routes, policy) if name == "_headers" else nginx_conf(languages, policy)
        data = text.encode()
        del text
        modified = work.published.modified
        written += _keep_or_write(work.previous / name, work.staging / name, data, modified, link=not work.in_place)
        size += len(data)
    return written, size


class OutdirInUse(Exception):
    """OUTDIR holds what a build would delete: the content it reads, or files that are no earlier build."""


def _check_outdir(target: Path, settings: Settings, overrides: Path | None) -> None:
    """Raise `OutdirInUse` unless `target` is missing, empty, or an earlier build (its manifest, or the host
    files every build writes) holding none of the content: a build replaces the whole folder."""
    if not target.is_dir():
        return
    folder = target.resolve()
    for source in (Path(settings.events), overrides):
        if source is not None and (folder == source.resolve() or folder in source.resolve().parents):
            raise OutdirInUse(
                f"{target} holds {source}, which the build reads: it would be deleted, as a build replaces the "
                f"whole folder (expected another folder, like {target / 'site'})"
            )
    if (target / MANIFEST).is_file() or all((target / name).is_file() for name in HOST_FILES):
        return
    if found := sorted(child.name for child in target.iterdir()):
        shown = ", ".join(found[:3]) + (", …" if len(found) > 3 else "")
        raise OutdirInUse(
            f"{target} holds files that are no earlier build ({shown}): they would be deleted, as a build "
            "replaces the whole folder (expected a new or empty folder, or one calfeed built)"
        )


def _templates(overrides: Path | None, lasting: fragments.Lasting) -> Environment:
    """The build's Jinja environment: templates read once (no check of each file's date on every page),
    pieces that many pages share kept (`calfeed.render.fragments`), and `lasting` ones."""
    templates = make_environment(overrides)
    templates.auto_reload = False
    fragments.keep(templates, lasting)
    return templates


def _state_key(fingerprints: Fingerprints) -> bytes:
    """The key of the pieces kept between builds: the format of the file, calfeed's version, and what every
    output shows of the site but its clock (`Fingerprints.shared`: code, templates, settings, tags, images)."""
    try:
        version = importlib.metadata.version("calfeed")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover  (run from a checkout never installed)
        version = "unknown"
    return fragments.digest([str(buildstate.VERSION), version, fingerprints.shared])


def _memo(memos: dict[str, Memo]) -> bytes | None:
    """The file of `memos` (each content item's parse, `calfeed.parsememo`) for the next build; None if the
    previous build's holds the same. `memos` are emptied: the content's YAML values are not kept while rendering."""
    memo = None if parsememo.unchanged(memos) else parsememo.dumped(memos)
    memos.clear()
    return memo


def _save_memo(memo: bytes | None, work: _Work) -> int:
    """Save `memo`, each content item's parse (`calfeed.parsememo`), for the next build in `work.staging` (None:
    the previous build's holds the same, kept as it is) and return the file's size (0: none)."""
    previous = work.previous / MEMO
    if memo is None:
        if not previous.is_file():
            return 0
        if not work.in_place:
            os.link(previous, work.staging / MEMO)
        return previous.stat().st_size
    _write(work.staging / MEMO, memo, work.published.modified)
    return len(memo)


def _save_state(
    stored: Mapping[bytes, fragments.Piece],
    used: set[bytes],
    made: dict[bytes, bytes],
    work: _Work,
    key: bytes,
    base: buildstate.Base | None,
) -> tuple[int, int, list[str]]:
    """Save the lasting pieces for the next build in `work.staging` (`calfeed.buildstate`: what changed since
    `base`, the previous build's base file, which stays as it is, or a new base) and return the bytes and number
    of the pieces files the build has, and those of the previous build to delete (in place). Kept: every piece
    this build used, and the previous build's pieces of groups (a kind of piece in a language) it used none of;
    so pieces of events gone or edited, or of other days, are dropped once their group is made again."""
    unused = stored.keys() - used
    found = _groups_used({k[: fragments.GROUP] for k in unused}, used, made, base)
    drop = {k for k in unused if k[: fragments.GROUP] in found}
    new = {piece_key: piece for piece_key, piece in made.items() if piece_key in used}
    before = [name for name in (STATE, DELTA) if os.path.isfile(work.previous / name)]
    if not drop and not made and base is not None and STATE in before:
        names = before  # the same pieces: the same files
    elif len(drop) == len(stored) and not new:
        names = []
    else:
        if base is not None:  # (`stored` is the pieces read with it)
            written = buildstate.save_edit(work.staging, key, stored, drop, new, base)
        else:  # (no base was read: no pieces either)
            written = buildstate.save(work.staging, key, {k: p for k, p in stored.items() if k not in drop} | new)
        if written is not None:
            os.utime(work.staging / written, (work.published.modified, work.published.modified))
        names = [STATE, DELTA] if written == DELTA else [STATE]  # (a base left as it is: the previous build's)
    size = 0
    for name in names:
        file = work.staging / name
        if not file.exists():  # the previous build's
            if work.in_place:
                file = work.previous / name
            else:
                os.link(work.previous / name, file)
        size += file.stat().st_size
    return size, len(names), [name for name in before if name not in names]


def _groups_used(
    groups: set[bytes], used: set[bytes], made: Mapping[bytes, bytes], base: buildstate.Base | None
) -> set[bytes]:
    """Those of `groups` (of pieces not used) that the build used a piece of: one it made, one the previous build's
    delta added, or one of the base, found by bisection in its keys (in order) and mostly the first one looked at."""
    found = {k[: fragments.GROUP] for k in chain(made, base.added if base is not None else ()) if k in used}
    ordered = list(base.pieces) if base is not None and groups - found else []
    for group in groups - found:
        for piece_key in islice(ordered, bisect_left(ordered, group), None):
            if piece_key[: fragments.GROUP] != group:
                break
            if piece_key in used:
                found.add(group)
                break
    return found & groups


def _jobs(
    routes: Iterable[Route], paths: Iterable[str], prints: Iterable[bytes], before: Iterable[Entry | None]
) -> list[Job]:
    """One job per group of routes with the same bytes (a `PATH_FREE` format's root and prefixed routes; each
    other route alone), in the order of `routes`: its paths (`paths`, one per route), fingerprint (`prints`, the
    same for the routes of one job), previous entries (`before`)."""
    jobs: list[Job] = []
    shared: dict[tuple[str, str, str | None, str | None], int] = {}  # PATH_FREE routes: their job, by key
    for route, url_path, fingerprint, entry in zip(routes, paths, prints, before, strict=True):
        if route.format in PATH_FREE:
            key = (route.format, route.lang, route.tag, route.item)
            at = shared.get(key)
            if at is not None:
                job = jobs[at]
                jobs[at] = job._replace(paths=(*job.paths, url_path), previous=(*job.previous, entry))
                continue
            shared[key] = len(jobs)
        jobs.append(Job(route, (url_path,), fingerprint, (entry,)))
    return jobs


def _make(
    same: _Same, work: _Work, renderers: _Renderers
) -> tuple[dict[str, Entry], list[str], int, int, set[bytes], dict[bytes, bytes]]:
    """Every job's files in `work.staging`: `same` (outputs whose fingerprints did not change) kept (or linked) from
    the previous build while `renderers` render the others, and rendered too if a file of theirs was lost. The
    manifest's entries, the paths of those rendered (every other entry is the previous build's, the very object),
    outputs rendered, files written, and the lasting pieces used and made."""
    entries, lost = _kept(same, work)
    renderers.render(lost)
    gc.freeze()  # the plan's objects (routes, jobs) all survive the build: no collection here scans them again
    written, used, made = 0, set(), {}
    fresh: list[str] = []
    for done in renderers.results():
        entries.update(done.entries)
        fresh += done.entries
        written += done.written
        used |= done.used
        made.update(done.made)
    return entries, fresh, renderers.count, written, used, made


def _kept(same: _Same, work: _Work) -> tuple[dict[str, Entry], list[Job]]:
    """The entries of `same`'s outputs, kept (or linked) from the previous build, and the jobs of those that lost a
    file there (whose entries the rendering gives)."""
    entries: dict[str, Entry] = {}
    lost = []
    for job in same.jobs:
        if _keep(job, work):
            entries.update(zip(job.paths, job.previous, strict=True))  # type: ignore[arg-type]
        else:
            lost.append(job)
    if not same.paths:
        return entries, lost
    entries.update(zip(same.paths, same.before, strict=True))  # type: ignore[arg-type]
    there = _present(work.previous, same.paths)
    if not all(there):  # the jobs of the outputs whose body is gone (with their other paths)
        keys = list(map(KEY, same.routes))
        gone = set(compress(keys, map(not_, there)))
        touched = list(map(gone.__contains__, keys))  # (with their jobs' other paths)
        before: list[Entry] = list(compress(same.before, touched))  # type: ignore[arg-type]
        prints = [entry.fingerprint for entry in before]
        jobs = _jobs(compress(same.routes, touched), compress(same.paths, touched), prints, before)
        missing = set(compress(same.paths, map(not_, there)))
        lost += [job for job in jobs if not missing.isdisjoint(job.paths)]
    return entries, lost


def _present(folder: Path, paths: list[str]) -> list[bool]:
    """Whether the body of each output at `paths` is still in `folder` (its encodings are taken on trust: one look
    per output): whether its name is there, looked up relative to the folder without a `stat` result (84,000 of them
    at 10,000 events: 0.27 s of CPU as `os.path.isfile`, 0.17 s so; a listing of each folder costs more)."""
    names = [url_path[1:] + "index.html" if url_path[-1] == "/" else url_path[1:] for url_path in paths]
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return list(map(partial(os.access, dir_fd=descriptor), names, repeat(os.F_OK)))
    finally:
        os.close(descriptor)


def _unchanged(job: Job) -> bool:
    """Whether the previous build made each of `job`'s paths, with the same fingerprint."""
    for entry in job.previous:
        if entry is None or entry.fingerprint != job.fingerprint:
            return False
    return True


def _keep(job: Job, work: _Work) -> bool:
    """Keep (in place) or link `job`'s unchanged files from the previous build; False if one is missing."""
    try:
        if work.in_place:  # each output's body is there (its encodings are taken on trust: one stat per output)
            for url_path in job.paths:  # (paths the previous manifest holds: checked when it was read)
                if not os.path.isfile(f"{work.previous}{url_path}{'index.html' if url_path[-1] == '/' else ''}"):
                    return False
            return True
        for url_path, entry in zip(job.paths, job.previous, strict=True):
            _reuse(work, file_for(url_path), entry)  # type: ignore[arg-type]
    except FileNotFoundError:  # the previous build's folder lost a file: make it again
        return False
    return True


class _Renderers:
    """Renders jobs in `processes` processes forked from this one as the context is entered, so they share what
    is made by then without pickling it (`_WORK`: the content, the templates, the stored pieces), or in this one
    when `processes` is 1. Jobs are taken in the order they are given (`render`), each call's longest first,
    while this process goes on planning; `results` waits for what they did."""

    def __init__(self, work: _Work, processes: int) -> None:
        self.work, self.processes = work, processes
        self.count = 0  # jobs given
        self._pool: multiprocessing.pool.Pool | None = None
        self._pending: list[Iterable[Done]] = []

    def __enter__(self) -> _Renderers:
        global _WORK
        _WORK = self.work
        if self.processes > 1:
            gc.freeze()  # objects made so far are never collected in the workers: their pages stay shared
            self._pool = multiprocessing.get_context("fork").Pool(self.processes, initializer=_warm)
        return self

    def __exit__(self, *exc: object) -> None:
        global _WORK
        if self._pool is not None:
            self._pool.terminate()  # (`build` unfreezes what was frozen once it is done)
        _WORK = None

    def render(self, jobs: list[Job]) -> None:
        """Render `jobs` after those given before, longest first by the previous build's sizes (so the workers
        end together); those of about the same cost in chunks, when there are many."""
        if not jobs:
            return
        self.count += len(jobs)
        jobs = sorted(jobs, key=_cost, reverse=True)
        if self._pool is None:
            self._pending.append(map(_render_job, jobs))  # rendered as `results` asks
            return
        chunk = max(1, min(32, len(jobs) // (64 * self.processes)))  # one at a time but for thousands of jobs
        self._pending.append(self._pool.imap_unordered(_render_job, jobs, chunksize=chunk))

    def results(self) -> Iterator[Done]:
        """What each job did, as it is done; a worker's exception is raised here."""
        for pending in self._pending:
            yield from pending


def _cost(job: Job) -> int:
    """How long `job` takes to render, as far as this build can tell: the previous build's size of its body."""
    before = job.previous[0]
    return before.sizes[0] if before is not None else 0


def _warm() -> None:
    """Make ready in a new worker, while the parent still plans, what its first jobs would otherwise wait for:
    the templates compiled, each language's catalog and locale data loaded."""
    assert _WORK is not None, "_warm runs in a worker of _Renderers"
    templates = _WORK.templates
    for name in templates.list_templates():
        if not name.startswith("default:"):  # (a default an override extends is compiled when it is used)
            try:
                templates.get_template(name)
            except Exception:  # (the job that uses it fails the same way, and says so)
                continue
    for lang in _WORK.published.site.calendar.languages:
        i18n.translations(lang)
        i18n.language_name(lang)


def _render_job(job: Job) -> Done:
    """Render `job` once and put its files at each of its paths: what it did."""
    work = _WORK
    assert work is not None, "_render_job runs inside _Renderers"
    lasting = fragments.lasting(work.templates)
    index_key = _gzip_index_key(job.paths[0])
    earlier = _earlier_gzip(work, job, lasting, index_key)
    output = render_output(
        work.published, job.route, work.today, work.templates, work.policy, job.paths[0], chunks=earlier
    )
    encodings = {coding: r.body for coding, r in (("gzip", output.gzip), ("br", output.br)) if r is not None}
    digest = hashlib.blake2b(output.etag.encode(), digest_size=16)  # (the body is hashed once, for its ETag)
    for coding in SUFFIXES:
        digest.update(b"\0" + coding.encode() + b"\0" + encodings.get(coding, b""))
    sizes = (len(output.body), len(encodings.get("gzip", b"")), len(encodings.get("br", b"")))
    entry = Entry(job.fingerprint, digest.digest(), sizes)
    written = 0
    for url_path, before in zip(job.paths, job.previous, strict=True):
        file = file_for(url_path)
        same = before is not None and before.digest == entry.digest
        if same and work.in_place:  # the previous build's files are these bytes: write only those lost since
            written += _write_output(work.staging, url_path, output, kept=work.previous)
            continue
        if same:
            try:
                _reuse(work, file, before)  # type: ignore[arg-type]
                continue
            except FileNotFoundError:
                pass
        written += _write_output(work.staging, url_path, output)
    used, made = lasting.take() if lasting is not None else (set(), {})
    if lasting is not None and output.gzip_index:  # for the next build: how its gzip was made
        used.add(index_key)
        if bytes(lasting.stored.get(index_key, b"")) != output.gzip_index:
            made[index_key] = output.gzip_index
    return Done(dict.fromkeys(job.paths, entry), written, used, made)


def _gzip_index_key(url_path: str) -> bytes:
    """The key of the lasting piece that tells how the gzip of `url_path` was made in chunks: a group of its
    own (`fragments.GROUP`), so a build that does not render the output keeps it."""
    return fragments.digest(["gzip index", url_path])[: fragments.GROUP] + fragments.digest(["gzip", url_path])


def _earlier_gzip(
    work: _Work, job: Job, lasting: fragments.Lasting | None, key: bytes
) -> dict[bytes, gzip_chunks.Piece]:
    """The compressed chunks of the gzip the previous build wrote for `job` (`calfeed.gzip_chunks`), by key:
    its ``.gz`` file, read through the index saved with the pieces; none if either is missing or they differ."""
    index = lasting.stored.get(key) if lasting is not None else None
    before = job.previous[0]
    if index is None or before is None or not before.sizes[1]:
        return {}
    try:
        data = (work.previous / (file_for(job.paths[0]) + SUFFIXES["gzip"])).read_bytes()
    except OSError:
        return {}
    return dict(gzip_chunks.reusable(data, index))


def file_for(url_path: str) -> str:
    """The file a URL path is written to, relative to the output folder: folders get index.html."""
    parts = url_path.lstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts[:-1]) or parts[-1] in (".", ".."):
        raise ValueError(f"not a path calfeed writes: {url_path!r}")
    return url_path.lstrip("/") + ("index.html" if url_path.endswith("/") else "")


def _write_output(root: Path, url_path: str, output: Output, kept: Path | None = None) -> int:
    """Write `output`'s body and encodings at `url_path` under `root`, but those `kept` holds (a folder with
    these very bytes); the number of files written."""
    name = file_for(url_path)
    count = 0
    for data, suffix in ((output.body, ""), *((r.body, s) for r, s in ((output.gzip, ".gz"), (output.br, ".br")) if r)):
        if kept is None or not os.path.isfile(kept / (name + suffix)):
            _write(root / (name + suffix), data, output.last_modified)
            count += 1
    return count


def _names(file: str, entry: Entry) -> list[str]:
    """`file` and its encodings, as `entry` lists them."""
    return [file] + [file + suffix for suffix, size in zip(SUFFIXES.values(), entry.sizes[1:], strict=True) if size]


def _reuse(work: _Work, file: str, entry: Entry) -> None:
    """Keep `file` and its encodings from the previous build: in place, check that they are there; else
    hard-link them into the new tree (a copy keeping the modification time where there are no hard links).
    Raises FileNotFoundError when one is missing."""
    if work.in_place:
        if not os.path.isfile(f"{work.previous}/{file}"):  # (its encodings are taken on trust: one stat per output)
            raise FileNotFoundError(work.previous / file)
        return
    for name in _names(file, entry):
        source, link = work.previous / name, work.staging / name
        _folder(link.parent)
        try:
            os.link(source, link)
        except FileNotFoundError:
            raise
        except OSError:  # no hard links here
            shutil.copy2(source, link)


def _keep_or_write(before: Path, file: Path, data: bytes, modified: float, *, link: bool) -> int:
    """Keep `before` (linked as `file` if `link`) if it holds `data`, else write `data` to `file`: the number
    of files written (0 or 1)."""
    try:
        if before.read_bytes() == data:
            if link:
                os.link(before, file)
            return 0
    except OSError:
        pass
    _write(file, data, modified)
    return 1


_FOLDERS: set[Path] = set()  # folders this process made or found during the build: no mkdir for each file


def _folder(folder: Path) -> None:
    if folder not in _FOLDERS:
        folder.mkdir(parents=True, exist_ok=True)
        _FOLDERS.add(folder)


def _write(file: Path, data: bytes, modified: float) -> None:
    _folder(file.parent)
    file.write_bytes(data)
    os.utime(file, (modified, modified))


def read_manifest(folder: Path) -> Manifest:
    """What the build in `folder` recorded (`manifest_bytes`); no outputs if there is none or it is unreadable
    (then everything is rendered, as for a first build)."""
    try:
        raw = (folder / MANIFEST).read_bytes()
        data = json.loads(raw)
        if data.get("version") != MANIFEST_VERSION:
            return Manifest({})
        paths, count = data["paths"], len(data["paths"])
        fingerprints, digests = bytes.fromhex(data["fingerprints"]), bytes.fromhex(data["digests"])
        sizes = _sizes(bytes.fromhex(data["sizes"]))
        host_key = bytes.fromhex(data["host"])
        if (len(fingerprints), len(digests), len(sizes), len(host_key)) != (16 * count, 16 * count, 3 * count, 16):
            return Manifest({})
        if not all(isinstance(url_path, str) and url_path.startswith("/") for url_path in paths):
            return Manifest({})
        text = "\n".join(paths) + "\n"
        if "//" in text or "\x00" in text or ("/." in text and any(part in text for part in _OUTSIDE)):  # `file_for`
            return Manifest({})
        if not all(before < after for before, after in pairwise(paths)):  # in order, each once
            return Manifest({})
        triples = iter(sizes)
        columns = _sixteens(fingerprints), _sixteens(digests), zip(triples, triples, triples, strict=True)
        rows = map(_entry, zip(*columns, strict=True))
        files = 3 * count - sizes[1::3].count(0) - sizes[2::3].count(0)
        return Manifest(dict(zip(paths, rows, strict=True)), host_key, raw, (files, sum(sizes)))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Manifest({})


_OUTSIDE = ("//", "/./", "/.\n", "/../", "/..\n", "\x00")  # an empty, "." or ".." part, a NUL: no path calfeed writes
_entry = partial(tuple.__new__, Entry)  # an Entry of its three fields as one tuple, made without a Python call
_SIZE = "Q" if array("Q").itemsize == 8 else "L"  # an 8-byte unsigned int


def _sixteens(data: bytes) -> list[bytes]:
    return [data[at : at + 16] for at in range(0, len(data), 16)]


def _sizes(data: bytes) -> array[int]:
    """Sizes as the manifest holds them: 8 bytes each, little-endian."""
    sizes = array(_SIZE)
    sizes.frombytes(data)
    if sys.byteorder != "little":  # pragma: no cover
        sizes.byteswap()
    return sizes


def manifest_bytes(
    entries: Mapping[str, Entry], host_key: bytes = b"", previous: Mapping[str, Entry] | None = None
) -> bytes:
    """The manifest of a build that wrote `entries` (`previous`: the last build's, whose order of paths is
    taken when they are the same), with `host_key`: JSON, each column in one string."""
    return _manifest(entries, host_key, previous)[0]


def _manifest(
    entries: Mapping[str, Entry], host_key: bytes, previous: Mapping[str, Entry] | None = None
) -> tuple[bytes, tuple[int, int]]:
    """`manifest_bytes`, and the files and bytes of the outputs it lists.

    A JSON object: the format's version, `Manifest.host_key` in hex, the URL paths in order, then one hex string
    per column, a row per path: the fingerprints and the digests (16 bytes each), the sizes (body, .gz, .br; 8
    bytes each, little-endian). Columns rather than 84,000 JSON objects: reading and writing them is a few
    hundredths of a second, not half a second each."""
    same = previous is not None and previous.keys() == entries.keys()
    paths = list(previous) if same else sorted(entries)  # type: ignore[arg-type]
    rows = [entries[url_path] for url_path in paths]
    sizes = array(_SIZE, chain.from_iterable(entry.sizes for entry in rows))
    files = len(rows) + sum(len(encoded) - encoded.count(0) for encoded in (sizes[1::3], sizes[2::3]))
    total = sum(sizes)
    if sys.byteorder != "little":  # pragma: no cover
        sizes.byteswap()
    document = {
        "version": MANIFEST_VERSION,
        "host": host_key.hex(),
        "paths": paths,
        "fingerprints": b"".join(entry.fingerprint for entry in rows).hex(),
        "digests": b"".join(entry.digest for entry in rows).hex(),
        "sizes": sizes.tobytes().hex(),
    }
    return json.dumps(document, separators=(",", ":")).encode() + b"\n", (files, total)


_COLUMNS = (b',"fingerprints":"', b'","digests":"', b'","sizes":"', b'"}\n')  # after the paths, in `_manifest`
_PLAIN = bytes(set(range(0x20, 0x7F)) - set(b'"\\'))  # what `json.dumps` writes as it is (else an escape)


def _paths_json(paths: Collection[str]) -> bytes:
    """The JSON of `paths` as `json.dumps` writes it, quickly for the usual paths (no character it escapes)."""
    text = "".join(paths)
    if not paths or not text.isascii() or text.encode().translate(None, _PLAIN):
        return json.dumps(list(paths), separators=(",", ":")).encode()
    return ('["' + '","'.join(paths) + '"]').encode()


def _paths_written(section: bytes, paths: Collection[str]) -> bool:
    """Whether `section`, the JSON that `paths` were read from, is what `_manifest` writes of them: at once when it
    has no escape nor other byte than ASCII, so that each string is written as its text is, and exactly their number
    of strings and the length of `_paths_json` (a space anywhere would add to it), else by comparing."""
    count = len(paths)
    if (
        count
        and section.isascii()
        and b"\\" not in section
        and section.count(b'"') == 2 * count
        and len(section) == sum(map(len, paths)) + 3 * count + 1
    ):
        return True
    return section == _paths_json(paths)


def _patched(
    entries: Mapping[str, Entry], host_key: bytes, before: Manifest, fresh: Collection[str] | None = None
) -> tuple[bytes, tuple[int, int]] | None:
    """`_manifest(entries, host_key, before.entries)`, made from the previous manifest's bytes when it lists the
    same paths and is byte for byte what `_manifest` writes (else None): the rows of the outputs made again are
    written over theirs, the others stay. A copy and a few patches, instead of 84,000 rows made anew.

    `fresh`: the paths whose entries may differ from `before`'s, when every other path of `entries` has the very
    entry `before` has (a build's: its outputs made again), so that only those are looked at (None: every path)."""
    previous, raw = before.entries, before.raw
    if not raw or not _same_paths(previous, entries, fresh):
        return None
    count = len(previous)
    head = b'{"version":%d,"host":"' % MANIFEST_VERSION
    columns = [len(raw) - len(_COLUMNS[3]) - 48 * count]  # where each column starts: sizes, digests, fingerprints
    for marker in _COLUMNS[2:0:-1]:
        columns.append(columns[-1] - len(marker) - 32 * count)
    sizes_at, digests_at, fingerprints_at = columns
    paths_at, paths_end = len(head) + 32 + len(b'","paths":'), fingerprints_at - len(_COLUMNS[0])
    ends = (paths_end, digests_at - len(_COLUMNS[1]), sizes_at - len(_COLUMNS[2]), len(raw) - len(_COLUMNS[3]))
    markers = zip(_COLUMNS, ends, strict=True)
    if (
        paths_end < paths_at
        or not raw.startswith(head)
        or raw[paths_at - len(b'","paths":') : paths_at] != b'","paths":'
        or any(raw[at : at + len(marker)] != marker for marker, at in markers)
        or any(raw.find(letter, max(fingerprints_at, 0)) >= 0 for letter in (b"A", b"B", b"C", b"D", b"E", b"F"))
        or not _paths_written(raw[paths_at:paths_end], previous)  # (hex: in lower case; the paths as written)
    ):
        return None
    data = bytearray(raw)
    data[len(head) : len(head) + 32] = host_key.hex().encode()
    files, total = before.totals
    if fresh is None:
        made_again = map(is_not, map(entries.__getitem__, previous), previous.values())  # (kept: the very entry)
        rows: Iterable[tuple[int, str]] = compress(enumerate(previous), made_again)
    else:  # the manifest's paths are in order (`read_manifest`): each one's row found by bisection
        ordered = list(previous)
        rows = [(bisect_left(ordered, url_path), url_path) for url_path in dict.fromkeys(fresh)]
        if any(row == len(ordered) or ordered[row] != url_path for row, url_path in rows):  # (not in order)
            return None
    for row, url_path in rows:
        old, new = previous[url_path], entries[url_path]
        if new == old:
            continue
        for at, width, value in (
            (fingerprints_at, 32, new.fingerprint.hex()),
            (digests_at, 32, new.digest.hex()),
            (sizes_at, 48, _sizes_hex(new.sizes)),
        ):
            data[at + width * row : at + width * (row + 1)] = value.encode()
        files += sum(map(bool, new.sizes[1:])) - sum(map(bool, old.sizes[1:]))
        total += sum(new.sizes) - sum(old.sizes)
    return bytes(data), (files, total)


def _same_paths(previous: Mapping[str, Entry], entries: Mapping[str, Entry], fresh: Collection[str] | None) -> bool:
    """Whether `entries` has the paths of `previous` (`fresh`: see `_patched`; the other paths of `entries` are
    then `previous`'s, so the same number of paths and each of `fresh` in `previous` tell)."""
    if fresh is None:
        return previous.keys() == entries.keys()
    return len(previous) == len(entries) and all(url_path in previous for url_path in fresh)


def _sizes_hex(sizes: Iterable[int]) -> str:
    column = array(_SIZE, sizes)
    if sys.byteorder != "little":  # pragma: no cover
        column.byteswap()
    return column.tobytes().hex()


def _stale(
    previous: Mapping[str, Entry], entries: Mapping[str, Entry], fresh: Collection[str] | None = None
) -> list[str]:
    """The files of the previous build that this one has not: routes gone, encodings no longer made (`fresh`: the
    paths whose entries may differ from `previous`'s, as for `_patched`; None: every path)."""
    stale: list[str] = []
    if fresh is None:
        looked_at: Iterable[str] = previous
    elif _same_paths(previous, entries, fresh):  # no route gone: only the outputs made again may have lost a file
        looked_at = sorted(set(fresh))
    else:
        looked_at = sorted(previous.keys() - entries.keys() | {url_path for url_path in fresh if url_path in previous})
    for url_path in looked_at:
        before = previous[url_path]
        now = entries.get(url_path)
        if now is not None and (now is before or [bool(s) for s in now.sizes] == [bool(s) for s in before.sizes]):
            continue  # the same files
        kept = set(_names(file_for(url_path), now)) if now is not None else set()
        stale += [name for name in _names(file_for(url_path), before) if name not in kept]
    return stale


def _commit(staging: Path, target: Path, stale: Iterable[str]) -> None:
    """Move the changed files in `staging` into `target` and delete `stale` files there (an incremental build).

    Everything that can fail (content, rendering, a full disk) has happened by now; what is left is renames.
    The manifest goes first and comes back last, so a crash in between means a full build next time.
    """
    manifest = staging / MANIFEST
    if manifest.exists():
        (target / MANIFEST).unlink(missing_ok=True)
    moves = [(file, target / file.relative_to(staging)) for file in sorted(staging.rglob("*")) if file.is_file()]
    moves = [(file, destination) for file, destination in moves if file != manifest]
    for folder in sorted({destination.parent for _, destination in moves}):
        folder.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(4) as threads:  # a replaced file's blocks are freed by the move: on every core
        for _ in threads.map(lambda move: os.replace(*move), moves):
            pass
    for name in stale:
        (target / name).unlink(missing_ok=True)
        for folder in (target / name).parents:  # an event's folder, once empty
            if folder == target or any(folder.iterdir()):
                break
            folder.rmdir()
    if manifest.exists():
        os.replace(manifest, target / MANIFEST)
    shutil.rmtree(staging, ignore_errors=True)


def _replace(staging: Path, target: Path) -> None:
    """Put `staging` where `target` is: the old output moves aside, the new one in, then the old one goes."""
    if not target.exists():
        staging.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# -- what a static host needs to know ------------------------------------------------------------------------------


def headers_file(routes: Iterable[Route], policy: Policy) -> str:
    """A ``_headers`` file (Netlify, Cloudflare Pages): each path with the headers calfeed sends for it.

    Headers the host derives from the file itself (length, ETag, Last-Modified, encoding) are left to it:
    what remains depends on the route alone (`Policy.headers`), so no output is needed to write it.
    """
    lines = ["# calfeed build: the headers calfeed's server sends, per path (Netlify / Cloudflare Pages format)"]
    by_format: dict[str, str] = {}  # the same for every route of a format but downloads (their file names)
    for route in routes:
        lines.append(path(route))
        block = by_format.get(route.format)
        if block is None:
            headers = policy.headers(route).items()
            block = "\n".join(f"  {name}: {value}" for name, value in headers if name not in PER_FILE)
            if not route.spec.download:
                by_format[route.format] = block
        if block:
            lines.append(block)
    return "\n".join(lines) + "\n"


def nginx_conf(languages: Iterable[str], policy: Policy) -> str:
    """An nginx snippet for a ``server`` block whose ``root`` is the export: types and headers per format."""
    langs = "|".join(re.escape(lang) for lang in languages)
    out = [
        "# calfeed build: serve this folder as calfeed would. Include it in a server block:",
        "#   server { listen 80; root /srv/calfeed/site; include /srv/calfeed/site/_nginx.conf; }",
        "index index.html;",
        "gzip_static on;  # the .gz files, for clients that accept gzip",
        "# brotli_static on;  # the .br files, where nginx has the brotli module (libnginx-mod-http-brotli-static)",
        "etag on;",
        "location ~ ^/(?:_headers|_nginx\\.conf|\\.calfeed-build\\.(?:json|pieces|delta|parse))$ { return 404; }",
    ]
    for spec in sorted(FORMATS.values(), key=lambda spec: spec.items is None):  # item patterns first
        out.append(f"location ~ {_location(spec, langs)} {{")
        out.append("    types { }")
        out.append(f"    default_type {_quote(spec.media_type)};")
        if spec.shared:  # a CORS preflight gets the server's 204 (nginx would answer 405)
            out.append("    if ($request_method = OPTIONS) {")
            for name, value in {**spec.headers, **PREFLIGHT}.items():
                out.append(f"        add_header {name} {_quote(value)};")
            out.append("        add_header Access-Control-Allow-Headers $http_access_control_request_headers;")
            out.append("        add_header Vary Access-Control-Request-Headers;")
            out.append(f'        add_header Cache-Control "public, max-age={PREFLIGHT["Access-Control-Max-Age"]}";')
            out.append("        return 204;")
            out.append("    }")
        example = Route(spec.name, "", tag=None, item="$item")
        for name, value in policy.headers(example).items():
            if name != "Content-Type":
                out.append(f"    add_header {name} {_quote(value)};")
        out.append("    add_header Vary Accept-Encoding;")
        out.append("}")
    return "\n".join(out) + "\n"


def _location(spec: Format, langs: str) -> str:
    """The regular expression of `spec`'s paths: language and tag prefixes, the item as $item."""
    prefix = f"(?:/(?:{langs}))?" if spec.localized else ""
    if spec.tagged:
        prefix += "(?:/tags/[^/]+)?"
    pattern = re.escape(spec.pattern).replace(re.escape("{item}"), "(?<item>[^/]+)")
    if spec.pattern.endswith("/"):
        pattern += "(?:index\\.html)?"
    return f'"^{prefix}{pattern}$"'


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
