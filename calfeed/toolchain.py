"""What shapes an output's bytes besides calfeed's own files and the content: the Python that runs it, the
libraries installed beside calfeed (icalendar, feedgen, Jinja, Markdown, nh3, Babel, brotli…), zlib, and the
zone database's files for the zones the content names.

`calfeed build` keeps the outputs of the previous build whose fingerprints did not change
(`calfeed.fingerprints`); this digest is part of every fingerprint, so an upgraded library or a new release
of the zone database (new offsets for a zone's future dates) makes every output again once, as a full build
would, instead of keeping files the old ones wrote.

Taking in too much is safe (an output made again keeps its file when its bytes did not change), so the
libraries are told apart by the names of every distribution installed where calfeed's are (``name-1.2.dist-info``
folders, listed once: a few hundredths of a millisecond, where asking `importlib.metadata` for each version
takes 15 ms), not by a list of those that matter that would fall out of date.
"""

from __future__ import annotations

import os
import sys
import zlib
import zoneinfo
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import icalendar
import jinja2
import yaml

from .render.fragments import digest as _digest

_ANCHORS = (icalendar, jinja2, yaml)  # where these are installed, so is what an output is made with


def digest(zones: Iterable[str | None]) -> bytes:
    """The digest of the toolchain (see the module's docstring), with the zone files of `zones` (IANA keys;
    None: no zone)."""
    parts: list[bytes | str] = [sys.version, zlib.ZLIB_RUNTIME_VERSION, *installed()]
    for key in sorted({key for key in zones if key}):
        parts += [key, zone_file(key)]
    return _digest(parts)


def installed() -> list[str]:
    """The names of the distributions installed in the folders calfeed's libraries are imported from, sorted:
    each holds its name and version (``icalendar-6.1.0.dist-info``)."""
    folders = {Path(module.__file__).resolve().parent.parent for module in _ANCHORS if module.__file__}
    names: set[str] = set()
    for folder in folders:
        try:
            names.update(name for name in os.listdir(folder) if name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return sorted(names)


def zone_file(key: str) -> bytes:
    """The bytes `zoneinfo` reads for the zone `key`: its file on `zoneinfo.TZPATH`, else the `tzdata`
    package's (b"" if neither has it, or `key` is no zone key)."""
    if not key or key.startswith(("/", "\\")) or ".." in key.split("/") or "\0" in key:
        return b""
    for folder in zoneinfo.TZPATH:
        file = os.path.join(folder, key)
        if os.path.isfile(file):
            try:
                with open(file, "rb") as handle:
                    return handle.read()
            except OSError:
                return b""
    try:
        return resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).read_bytes()
    except (ModuleNotFoundError, OSError, ValueError):
        return b""
