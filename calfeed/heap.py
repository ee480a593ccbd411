"""The C heap of a long-running server process: glibc's malloc tuned so that memory freed by a cache that
renders and evicts outputs all day goes back to the system.

glibc keeps what a process frees for its next allocations: per thread, up to 8 heaps ("arenas") per CPU,
and (by default) every block under a threshold that grows to the largest block freed so far (a 7.6 MB
calendar: then every body is carved from the heap and freed in the middle of it). A worker that crawled
every route of 10,000 events held twice its cache budget that way (benchmarks/serving.py --memory).
`tune` caps the arenas and fixes the threshold, so large bodies are mapped apart and unmapped when freed;
`store.release_memory` (glibc's `malloc_trim`) hands back what is freed in the middle of the heap, which
`http.Outputs` asks for after it has evicted a good part of its budget. Elsewhere (another C library) these
do nothing.

What is freed does not all go back: memory freed in partly used pages and in Python's own small-object
arenas stays with the process, and rendering keeps more than outputs (compiled templates, locale data,
memoised formatting). So `http.Outputs.bound_resident` holds the process's resident memory (`resident`) to
its budget above what it was once the content was loaded, by evicting outputs, as a worker is measured.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENAS = 2  # a worker's threads share two heaps (glibc's default: 8 per CPU)
MAPPED_FROM = 128 * 1024  # bytes: larger blocks are mapped apart, and unmapped when freed (glibc's initial value)


def _mallopt() -> Callable[[int, int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return None


def tune() -> bool:
    """Cap the heaps and fix the mapping threshold for this process (see above); whether glibc took it."""
    mallopt = _mallopt()
    if mallopt is None:
        return False
    return bool(mallopt(M_ARENA_MAX, ARENAS)) and bool(mallopt(M_MMAP_THRESHOLD, MAPPED_FROM))


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident() -> int:
    """This process's resident set size in bytes (Linux's /proc/self/statm), or 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0
