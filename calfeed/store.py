"""The content being served: the last good version, swapped whole when the files change.

A `ContentStore` loads the content path, keeps the last version that loaded
without errors, and reloads when a file changes. A broken edit is logged with the
same messages as `calfeed check` and leaves the last good version serving.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import watcher
from .content import MAX_BYTES, content_files, read_content
from .history import history_path
from .images import image_files
from .model import Site
from .problems import Problem
from .reuse import Reuse
from .yamlchunks import Memo

log = logging.getLogger("calfeed")


@dataclass(frozen=True, slots=True)
class Published:
    """One content version: the site as served, and when its files last changed (seconds since the epoch,
    whole: its outputs' Last-Modified). What is rendered from it is kept by `calfeed.http.Outputs`."""

    site: Site
    modified: float = 0.0


def read_version(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_BYTES,
    base_url: str = "",
    memos: dict[str, Memo] | None = None,
) -> tuple[Published | None, list[Problem]]:
    """The content at `path` as published at `base_url`, or None if it has errors; with every problem.
    `calfeed build` reads content this way, with the previous build's `memos` (`calfeed.parsememo`: only
    the items whose text is not there are parsed; renewed in place); `ContentStore` does the same, watching
    the files."""
    site, problems = read_content(path, max_bytes=max_bytes, memos=memos)
    after = _signature(Path(path))
    return None if site is None else Published(with_base_url(site, base_url), _modified(after)), problems


def _read(
    path: Path, max_bytes: int, base_url: str, reuse: Reuse | None = None
) -> tuple[Published | None, list[Problem], Any]:
    """`read_version`, and the files' signature once read (for noticing a change made while reading).
    With `reuse`, unchanged items are the previous read's objects (calfeed/reuse.py)."""
    site, problems = read_content(path, max_bytes=max_bytes, reuse=reuse)
    after = _signature(path)
    published = None if site is None else Published(with_base_url(site, base_url), _modified(after))
    return published, problems, after


def with_base_url(site: Site, base_url: str) -> Site:
    """`site` as published at `base_url` (CALFEED_BASE_URL) instead of its calendar.url; "" keeps it."""
    if not base_url or base_url == site.calendar.url:
        return site
    return replace(site, calendar=replace(site.calendar, url=base_url))


def _modified(signature: Any) -> float:
    return float(max((mtime for _, mtime, _ in signature or ()), default=0) // 1_000_000_000)


# Called with (new, old, stop) before a reloaded version replaces the current one (web.py renders its
# outputs): it should return once `stop()` is true (a newer edit was seen, or the time for it is spent), and
# may return what to do once the new version serves (compress what it rendered, free the old one's outputs),
# called with a `stop()` that is true once a newer edit is seen.
Stop = Callable[[], bool]
Finish = Callable[[Stop], None]
Prepare = Callable[[Published, Published, Stop], Finish | None]
LOOK_EVERY = 0.1  # seconds between looks at the files while a version is being prepared


class ContentStore:
    """The content at `path` as served: `current`, replaced whole by `refresh` or the watcher (`watch`).

    A reloaded version serves after `prepare` (at most `prepare_seconds` of it, then the rest renders on
    request), unless a newer edit was seen meanwhile: then it is dropped unserved and the newer files
    are read. So a slow version never holds up a later edit, and a version older than the files it has
    seen never goes live.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_bytes: int = MAX_BYTES,
        base_url: str = "",
        prepare_seconds: float = 1.0,
    ) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.base_url = base_url
        self.prepare_seconds = prepare_seconds
        self.current: Published | None = None  # replaced whole, never mutated in place
        self.problems: tuple[Problem, ...] = ()  # of the latest attempt
        self.last_error: str | None = None  # the first error of the latest attempt that failed, until one succeeds
        self.prepare: Prepare | None = None
        self._seen: object = None  # the files' signature the last complete read saw
        self._pending: object = None  # a change seen by polling, loaded once the files stop changing
        self._lock = threading.Lock()
        self._reuse = Reuse()  # unchanged items stay the same objects from one version to the next
        self._stop = threading.Event()

    def refresh(self, *, settle: bool = False) -> bool:
        """Load the content if its files changed since the last look; return True if a new version is serving.

        With `settle`, a change is only loaded once two looks in a row see the same files, so that a
        file being written (an editor saving, a git checkout) is not read half-written. Without it (a
        notification said the writes paused), a read during which the files changed is dropped, and so is
        a version whose files changed while it was prepared: the next look reads them again.
        """
        with self._lock:
            signature = _signature(self.path)
            if signature == self._seen:
                self._pending = None
                return False
            if settle and signature != self._pending:
                self._pending = signature
                return False
            self._pending = None
            return self._load(signature)

    def _load(self, signature: object) -> bool:
        published, problems, after = _read(self.path, self.max_bytes, self.base_url, self._reuse)
        if after != signature and self.current is not None:  # written meanwhile: maybe read half-written
            log.info("content files changed while being read: reading them again")
            self._seen = None
            return False
        self._seen = signature if after == signature else None  # the first load serves anyway, and reads again
        self._report(published, problems)
        if published is None or (self.current is not None and self.current.site.version == published.site.version):
            return False
        site, superseded = published.site, _Superseded(self.path, signature)
        finish = self._prepare(published, superseded)
        if superseded(now=True):
            log.info("content version %s was superseded before it served: reading the newer files", site.version)
            self._seen = None
            return False
        self.current = published
        log.info("serving content version %s: %s", site.version, counted(site))
        if finish is not None:
            finish(superseded)
        release_memory()
        return True

    def _prepare(self, published: Published, superseded: _Superseded) -> Finish | None:
        """Run `prepare` until it is done, a newer edit is seen, or `prepare_seconds` are spent."""
        if self.prepare is None or self.current is None:
            return None
        deadline = time.monotonic() + self.prepare_seconds
        try:
            return self.prepare(published, self.current, lambda: time.monotonic() >= deadline or superseded())
        except Exception:  # a renderer's bug: log it whole; the path will fail (500) when requested
            log.exception("rendering content version %s in advance failed", published.site.version)
            return None

    def _report(self, published: Published | None, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        errors = [problem for problem in problems if problem.severity == "error"]
        self.last_error = str(errors[0]) if errors else (None if published is not None else "no content")
        for problem in problems:
            (log.error if problem.severity == "error" else log.warning)("%s", problem)
        if published is None:
            if self.current is None:
                log.error("no valid content yet: fix the problems above")
            else:
                log.error("keeping content version %s: fix the problems above", self.current.site.version)

    def watch(self, interval: float, *, polling: bool = False) -> threading.Thread:
        """Reload in a daemon thread, for as long as the process lives (or until `close`): a moment after
        file-system notifications say the content was written, and every `interval` seconds once two looks
        agree (only the latter with `polling`, on network file systems, or without notifications)."""

        def changed(notified: bool) -> None:
            try:
                self.refresh(settle=not notified)
            except Exception:  # a bug in loading must not stop reloading for the life of the process
                log.exception("reloading %s failed", self.path)

        thread = threading.Thread(
            target=watcher.watch,
            args=(self.path, interval, changed, self._stop, polling),
            name="calfeed-watch",
            daemon=True,
        )
        thread.start()
        return thread

    def close(self) -> None:
        """Stop the watcher (within a second or so)."""
        self._stop.set()


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None (another C library, another system)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def release_memory() -> None:
    """Hand the memory a replaced version held back to the system. Python frees its objects and outputs
    at once, but glibc keeps freed small blocks in its heap: after a crawl of every route at 1,000 events a
    worker stayed at 374 MB after a reload, and went down to 135 MB with `malloc_trim` (its cache then
    held 5 MB of the new version's outputs)."""
    if _TRIM is not None:
        _TRIM(0)


class _Superseded:
    """Whether the files at `path` changed since they had `signature` (looked at every `LOOK_EVERY` s at most)."""

    def __init__(self, path: Path, signature: object) -> None:
        self.path, self.signature = path, signature
        self.looked, self.changed = time.monotonic(), False

    def __call__(self, *, now: bool = False) -> bool:
        if not self.changed and (now or time.monotonic() - self.looked >= LOOK_EVERY):
            self.changed = _signature(self.path) != self.signature
            self.looked = time.monotonic()
        return self.changed


def _signature(path: Path) -> Any:
    """What changes when any content file is edited, added or removed (mtime and size of each)."""
    try:
        files = [*content_files(path), history_path(path), *image_files(path)]
        return tuple((str(file), (stat := file.stat()).st_mtime_ns, stat.st_size) for file in files if file.exists())
    except OSError:
        return None


def counted(site: Site) -> str:
    """What a content version holds, for the log: "1 event, 2 news posts"."""
    counts = ((len(site.events), "event"), (len(site.news), "news post"))
    return ", ".join(f"{count} {noun}{'' if count == 1 else 's'}" for count, noun in counts)
