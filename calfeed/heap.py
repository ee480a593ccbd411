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
"""

from __future__ import annotations

import ctypes
import ctypes.util
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
