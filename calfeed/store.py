"""The content being served: the last good version, swapped whole when the files change.

A `ContentStore` loads the content path, keeps the last version that loaded
without errors, and reloads when a file changes. A broken edit is logged with the
same messages as `calfeed check` and leaves the last good version serving.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .content import MAX_BYTES, content_files, read_content
from .history import history_path
from .model import Site
from .problems import Problem

log = logging.getLogger("calfeed")


@dataclass(frozen=True)
class Published:
    """One content version and the outputs rendered from it so far."""

    site: Site
    rendered: dict[tuple[object, ...], bytes] = field(default_factory=dict, compare=False)


class ContentStore:
    def __init__(self, path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.current: Published | None = None  # replaced whole, never mutated in place
        self.problems: tuple[Problem, ...] = ()  # of the latest attempt
        self._seen: object = None
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        """Load the content if its files changed since the last look; return True if a new version is serving."""
        with self._lock:
            signature = self._signature()
            if signature == self._seen:
                return False
            self._seen = signature
            site, problems = read_content(self.path, max_bytes=self.max_bytes)
            self.problems = tuple(problems)
            for problem in problems:
                (log.error if problem.severity == "error" else log.warning)("%s", problem)
            if site is None:
                if self.current is None:
                    log.error("no valid content yet: fix the problems above")
                else:
                    log.error("keeping content version %s: fix the problems above", self.current.site.version)
                return False
            if self.current is not None and self.current.site.version == site.version:
                return False
            self.current = Published(site)
            log.info(
                "serving content version %s: %d events, %d news posts", site.version, len(site.events), len(site.news)
            )
            return True

    def watch(self, interval: float) -> threading.Thread:
        """Check for changes every `interval` seconds in a daemon thread, for as long as the process lives."""

        def loop() -> None:
            while True:
                time.sleep(interval)
                self.refresh()

        thread = threading.Thread(target=loop, name="calfeed-watch", daemon=True)
        thread.start()
        return thread

    def _signature(self) -> object:
        """What changes when any content file is edited, added or removed (mtime and size of each)."""
        try:
            files = [*content_files(self.path), history_path(self.path)]
            return tuple(
                (str(file), (stat := file.stat()).st_mtime_ns, stat.st_size) for file in files if file.exists()
            )
        except OSError:
            return None
