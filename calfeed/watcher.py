"""Noticing that the content files changed: file-system notifications, with polling as the fallback.

`watch` calls back a moment after a content file is written, through the operating system's notifications
(inotify, FSEvents, ReadDirectoryChangesW, by the `watchfiles` library), and every `interval` seconds in any
case, so that a change a notification missed is still found by a look at the files. Notifications do not
reach a process on a network file system (NFS, SMB, sshfs) for writes made on another machine: there, and
when asked (CALFEED_RELOAD_POLLING), or when notifications cannot start (the system's watch limit), `watch`
only polls.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from .history import history_path
from .images import FOLDER, content_root

log = logging.getLogger("calfeed")

# File systems whose writes made elsewhere raise no notification here (types as /proc/self/mounts names them).
NETWORK = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "glusterfs", "lustre", "fuse.sshfs"}
)
QUIET_MS = 50  # a batch of notifications is handed over once the files were quiet this long


def watch(path: Path, interval: float, changed: Callable[[bool], None], stop: threading.Event, polling: bool) -> None:
    """Until `stop` is set, call `changed(True)` when a content file at `path` was written (once the
    writes pause), and `changed(False)` after `interval` seconds without one. Polls only, if `polling`,
    on a network file system, or when notifications cannot start."""
    if polling or on_network_filesystem(path):
        reason = "as asked" if polling else "on a network file system"
        log.info("looking for content changes every %s s (%s)", interval, reason)
        _poll(interval, changed, stop)
        return
    try:
        _notified(path, interval, changed, stop)
    except (OSError, RuntimeError) as error:  # e.g. the system's limit of watched folders is reached
        log.warning("file notifications unavailable (%s): looking for changes every %s s instead", error, interval)
        _poll(interval, changed, stop)


def _poll(interval: float, changed: Callable[[bool], None], stop: threading.Event) -> None:
    while not stop.wait(interval):
        changed(False)


def _notified(path: Path, interval: float, changed: Callable[[bool], None], stop: threading.Event) -> None:
    tick = min(interval, 1.0)  # the first look comes this soon after the watch is up
    while not stop.is_set():
        folders = watched_folders(path)
        batches = watchfiles.watch(
            *folders,
            watch_filter=content_filter(path),
            step=QUIET_MS,
            stop_event=stop,
            rust_timeout=max(1, round(tick * 1000)),
            yield_on_timeout=True,
            recursive=False,  # only these folders: the content's may sit in a large tree
            force_polling=False,
            raise_interrupt=False,
        )
        up, quiet = False, 0.0
        for batch in batches:
            quiet = 0.0 if batch else quiet + tick
            if batch or not up:  # a look once the watch is up also finds a write made before it was
                changed(True)
            elif quiet >= interval:
                changed(False)
                quiet = 0.0
            up = True
            if watched_folders(path) != folders:  # a folder came or went: watch the new set
                break


def watched_folders(path: Path) -> list[Path]:
    """The folders whose entries make the content at `path`: the one holding it (the file, or the history
    beside a folder), every folder inside a content folder, and the images/ folder."""
    folders = [path.parent]
    if path.is_dir():
        folders += [path, *(Path(root) / name for root, names, _ in os.walk(path) for name in names)]
    images = content_root(path) / FOLDER
    if images.is_dir() and images not in folders:
        folders.append(images)
    return [folder for folder in folders if folder.is_dir()]


def content_filter(path: Path) -> Callable[[watchfiles.Change, str], bool]:
    """Which notified paths concern the content at `path`: YAML files in it, its history, its images."""
    root = path.resolve() if path.is_dir() else None
    single = path.resolve() if root is None else None
    history = history_path(path).resolve()
    images = (content_root(path) / FOLDER).resolve()

    def concerns(_: watchfiles.Change, name: str) -> bool:
        file = Path(name).resolve()
        if file == history or file == single or file.parent == images:
            return True
        return root is not None and file.suffix in (".yaml", ".yml") and file.is_relative_to(root)

    return concerns


def on_network_filesystem(path: Path) -> bool:
    """Whether `path` is on a file system of `NETWORK` (read from /proc/self/mounts; False where there is none)."""
    try:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    where, kind = str(path.resolve()), ""
    best = -1
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = where == point or where.startswith(point.rstrip("/") + "/")
        if inside and len(point) > best:
            best, kind = len(point), fields[2]
    return kind in NETWORK
