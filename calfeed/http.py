"""HTTP for rendered outputs: one `Output` per route and content version, answered from memory.

A route of a content version is rendered once into an `Output`: the body, its
gzip and brotli encodings (computed once), a strong ETag from the bytes, a
Last-Modified, and the complete header list of each answer it can give (200 or
304, per encoding). Answering a request is then a dictionary lookup and a few
string comparisons: `answer()` picks the encoding, evaluates ``If-Match`` /
``If-Unmodified-Since`` (412) and ``If-None-Match`` / ``If-Modified-Since`` (304)
and returns precomputed headers. `Outputs` is the one cache of rendered outputs;
`Responder` answers from it in front of the Flask app, so the hot path never
enters Flask. Nothing here imports Flask; `calfeed build` renders
through an `Outputs` too, so the static export carries the same bytes and headers.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import math
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

import brotli
from cachetools import LRUCache
from werkzeug.http import http_date, parse_date

from . import gzip_chunks
from .formats import View
from .render import RENDERERS
from .routes import Route, path
from .settings import Settings
from .store import release_memory

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from jinja2 import Environment

    from .store import Published

Headers = tuple[tuple[str, str], ...]

COMPRESS_MIN = 512  # bytes: smaller bodies are sent as they are
# Bytes an output holds besides its bodies (its header lists, representations, ETags), counted in the cache
# budget: about 3.6 KB measured with tracemalloc over 3,000 outputs; uncounted, a worker whose cache held
# 244 MiB of bodies (12,000 small outputs) grew 40 MB past its budget.
OUTPUT_OVERHEAD = 4096
# Compression by size (benchmarks/README.md, "build.py"): brotli 9 and gzip 9 up to LARGE; above it brotli 9
# costs 3-6x brotli 8 (29 vs 5 ms on a 90 kB month page, 260 vs 112 ms on 2.4 MB) for 0.5-3.5 % fewer bytes,
# and gzip 9 twice gzip 6 for 2-4 %. Brotli's window is sized to the body: its default 4 MiB window made a
# 9 kB page take 20 ms instead of 0.8 ms, for the same bytes. It is at most 2 MiB (`BROTLI_WINDOW`): a wider one
# saved 0.03 % of events.json's 831 kB and 0.3 % of a calendar's 511 kB, at 10,000 events, for 18 % and 10 % more
# CPU (13-20 % for the six made again after every edit: page faults of the window's buffers, 44,000 -> 20,000).
# Past HUGE (the calendars and events.json documents of large sites, made again after every edit), brotli 6:
# 7.6 MB calendar 0.31 -> 0.18 s for 12 % more bytes (457 -> 511 kB), 19.5 MB events.json 0.58 -> 0.34 s (736 ->
# 831 kB), still smaller than gzip 6; brotli 5 is no faster there.
# Past HUGE too, gzip is made in chunks that an edit leaves alone (`calfeed.gzip_chunks`), so compressing the
# next version again takes the unchanged ones as they were: 19.5 MB events.json 143 -> 24 ms after an edit
# (benchmarks/compression.py), for 0.7 % more bytes than gzip 6 of the whole.
LARGE = 64 * 1024
HUGE = 1024 * 1024
BROTLI_QUALITY = 9
BROTLI_QUALITY_LARGE = 8
BROTLI_QUALITY_HUGE = 6
BROTLI_WINDOW = 21  # log2 of the widest window: 2 MiB (less 16 bytes)
GZIP_LEVEL = 9
GZIP_LEVEL_LARGE = 6
HTML_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' https: data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)
REFERRER_POLICY = "strict-origin-when-cross-origin"
# The answer to a CORS preflight (OPTIONS) for public data, besides Access-Control-Allow-Origin; the headers a
# script asks to send (Access-Control-Request-Headers) are allowed as asked: the data is read-only and public.
PREFLIGHT = {"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS", "Access-Control-Max-Age": "86400"}


@dataclass(frozen=True, slots=True)
class Policy:
    """How long caches keep outputs, and who may frame embed pages. Built from `Settings`."""

    max_age: int = 300
    stale_while_revalidate: int = 60
    stale_if_error: int = 86400
    embed_ancestors: str = "*"

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(settings.max_age, settings.stale_while_revalidate, settings.stale_if_error, settings.embed_ancestors)

    @property
    def cache_control(self) -> str:
        return (
            f"public, max-age={self.max_age}, stale-while-revalidate={self.stale_while_revalidate}, "
            f"stale-if-error={self.stale_if_error}"
        )

    def headers(self, route: Route) -> dict[str, str]:
        """Every header of `route`'s outputs except those that depend on the bytes: type, caching, security."""
        spec = route.spec
        headers = {"Content-Type": spec.media_type, **spec.headers}
        if spec.download:
            headers["Content-Disposition"] = f'attachment; filename="{path(route).rsplit("/", 1)[-1]}"'
        headers["Cache-Control"] = self.cache_control
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = REFERRER_POLICY
        if spec.media_type.startswith("text/html"):
            ancestors = self.embed_ancestors if route.spec.frameable else "'none'"
            headers["Content-Security-Policy"] = HTML_POLICY.format(ancestors=ancestors)
        return headers


@dataclass(frozen=True, slots=True)
class Representation:
    """One encoding of an output, with the full header lists of its 200 and 304 answers."""

    body: bytes
    etag: str  # quoted
    ok: Headers
    not_modified: Headers


@dataclass(frozen=True, slots=True)
class Output:
    """One route of one content version, ready to send."""

    body: bytes  # the identity encoding: what `calfeed build` writes
    media_type: str
    etag: str  # quoted, strong, from the bytes
    last_modified: float  # seconds since the epoch, whole
    expires: float  # when it must be rendered again (pages that depend on today: next midnight); inf if never
    version: str  # the content version it was rendered from
    identity: Representation
    gzip: Representation | None
    br: Representation | None
    tags: frozenset[str]  # every representation's entity tag, quoted: any of them validates a cache
    deferred: Mapping[str, str] | None = None  # rendered uncompressed (`Outputs.compress` will): its headers
    interim: Representation | None = None  # while deferred: the identity body for a client that accepts a coding
    gzip_index: bytes = b""  # how `gzip` was made in chunks (`calfeed.gzip_chunks.Chunked.index`); empty if not

    def representation(self, encoding: str) -> Representation:
        if encoding == "br" and self.br is not None:
            return self.br
        if encoding != "identity" and self.gzip is not None:
            return self.gzip
        if encoding != "identity" and self.interim is not None:
            return self.interim
        return self.identity

    @property
    def size(self) -> int:
        """The bytes it holds in memory, every encoding together, and its objects (`OUTPUT_OVERHEAD`)."""
        return OUTPUT_OVERHEAD + sum(len(r.body) for r in (self.identity, self.gzip, self.br) if r is not None)

    @property
    def headers(self) -> Headers:
        """The headers of a 200 in the identity encoding."""
        return self.identity.ok


def _gzip(body: bytes) -> bytes:
    return _gzipped(body)[0]


def _gzipped(
    body: bytes, known: Mapping[bytes, gzip_chunks.Piece] | gzip_chunks.ChunkCache | None = None
) -> tuple[bytes, gzip_chunks.Chunked | None]:
    """`body` gzipped, and past `HUGE` bytes how, in chunks (taking the compressed chunks `known` has)."""
    if len(body) > HUGE:
        chunked = gzip_chunks.compress(body, GZIP_LEVEL_LARGE, known)
        return chunked.data, chunked
    return gzip.compress(body, compresslevel=GZIP_LEVEL if len(body) <= LARGE else GZIP_LEVEL_LARGE, mtime=0), None


def _brotli(body: bytes) -> bytes:
    window = max(10, min(BROTLI_WINDOW, (len(body) + 15).bit_length()))  # 2**lgwin - 16 bytes: the body fits
    size = len(body)
    quality = BROTLI_QUALITY if size <= LARGE else BROTLI_QUALITY_LARGE if size <= HUGE else BROTLI_QUALITY_HUGE
    return brotli.compress(body, quality=quality, lgwin=window)


ENCODERS: Mapping[str, Callable[[bytes], bytes]] = {"gzip": _gzip, "br": _brotli}  # Content-Encoding: encoder


def encode(body: bytes) -> dict[str, bytes]:
    """`body` compressed as calfeed sends it ("gzip", "br"): none under `COMPRESS_MIN` bytes, and only the
    encodings smaller than the body. The server and `calfeed build` both compress this way (`make_output`)."""
    return _encode(body)[0]


def _encode(
    body: bytes, known: Mapping[bytes, gzip_chunks.Piece] | gzip_chunks.ChunkCache | None = None
) -> tuple[dict[str, bytes], bytes]:
    """`encode`, taking the compressed gzip chunks `known` has (`calfeed.gzip_chunks`), and the index of the
    gzip's chunks (empty when it was not made in chunks)."""
    if len(body) < COMPRESS_MIN:
        return {}, b""
    gzipped, chunked = _gzipped(body, known)
    encodings = {"gzip": gzipped, "br": _brotli(body)}
    if isinstance(known, gzip_chunks.ChunkCache) and chunked is not None:
        known.keep(chunked.chunks())
    index = chunked.index if chunked is not None and len(gzipped) < len(body) else b""
    return {coding: data for coding, data in encodings.items() if len(data) < len(body)}, index


def make_output(
    body: bytes,
    headers: Mapping[str, str],
    last_modified: float,
    expires: float,
    version: str,
    *,
    inline_up_to: float = math.inf,
    chunks: Mapping[bytes, gzip_chunks.Piece] | None = None,
) -> Output:
    """Wrap rendered `body` with `headers` (from `Policy.headers`): compress it once, derive ETags, build answers.

    The gzip of a body over `HUGE` bytes is made in chunks (`calfeed.gzip_chunks`): those `chunks` holds (by
    key: an earlier build's, `calfeed build` gives them) are taken as they are; without `chunks`, they are
    looked for, and kept, in the server's memory (`gzip_chunks.CHUNKS`). `Output.gzip_index` tells the chunks.

    A body over `inline_up_to` bytes is not compressed yet: only its identity encoding is made for now (with
    ``Vary: Accept-Encoding`` all the same, as the answer will vary), and `Outputs.compress` adds the others
    later, with the same identity answer. Meanwhile a client that accepts a coding is sent the identity body
    with ``Cache-Control: no-store`` (`Output.interim`), so that no shared cache keeps it as that coding's copy.
    """
    digest = hashlib.blake2b(body, digest_size=12).hexdigest()
    modified = float(math.floor(last_modified))
    fixed = (*headers.items(), ("Last-Modified", http_date(modified)), ("X-Content-Version", version))
    deferred = headers if len(body) > inline_up_to and len(body) >= COMPRESS_MIN else None
    known = gzip_chunks.CHUNKS if chunks is None else chunks
    encodings, index = _encode(body, known) if deferred is None else ({}, b"")
    vary = (("Vary", "Accept-Encoding"),) if encodings or deferred is not None else ()
    kept = {"Content-Type", "Last-Modified", "Content-Disposition"}  # not repeated on a 304

    def represent(data: bytes, coding: str) -> Representation:
        etag = f'"{digest}"' if coding == "identity" else f'"{digest}-{coding}"'
        coded = () if coding == "identity" else (("Content-Encoding", coding),)
        ok = (*fixed, *coded, *vary, ("ETag", etag), ("Content-Length", str(len(data))))
        not_modified = (*(h for h in fixed if h[0] not in kept), *vary, ("ETag", etag))
        return Representation(data, etag, ok, not_modified)

    identity = represent(body, "identity")
    gz = represent(encodings["gzip"], "gzip") if "gzip" in encodings else None
    br = represent(encodings["br"], "br") if "br" in encodings else None
    interim = None
    if deferred is not None:
        unstored = tuple((name, "no-store" if name == "Cache-Control" else value) for name, value in identity.ok)
        interim = Representation(body, identity.etag, unstored, identity.not_modified)
    tags = frozenset(r.etag for r in (identity, gz, br) if r is not None)
    media_type = headers.get("Content-Type", "application/octet-stream")
    return Output(
        body, media_type, identity.etag, modified, expires, version, identity, gz, br, tags, deferred, interim, index
    )


def render_output(
    published: Published,
    route: Route,
    today: date,
    templates: Environment,
    policy: Policy,
    url_path: str | None = None,
    *,
    inline_up_to: float = math.inf,
    chunks: Mapping[bytes, gzip_chunks.Piece] | None = None,
) -> Output:
    """Render `route` of `published` (served at `url_path`, its path) as it reads on `today` (for pages that
    depend on it): the server and `calfeed build` both call this (through `Outputs`), so they send the same
    bytes and headers.

    Last-Modified is the content files' latest change, or the start of `today` for pages that change with
    the day; such pages expire at the next midnight in the calendar's time zone.
    """
    site = published.site
    spec = route.spec
    url_path = url_path or path(route)
    day = today if spec.daily else date.min
    view = View(lang=route.lang, today=day, tag=route.tag, item=route.item, path=url_path, templates=templates)
    body = RENDERERS[route.format](site, view)
    modified, expires = published.modified, math.inf
    if spec.daily:
        zone = ZoneInfo(site.calendar.timezone)
        midnight = datetime.combine(today, datetime.min.time(), zone)
        modified = max(modified, midnight.timestamp())
        expires = (midnight + timedelta(days=1)).timestamp()
    headers = policy.headers(route)
    return make_output(body, headers, modified, expires, site.version, inline_up_to=inline_up_to, chunks=chunks)


class Shared(Protocol):
    """Another cache of rendered bytes whose size counts in an `Outputs` budget (the calendar's pieces)."""

    @property
    def size(self) -> int: ...

    def trim(self, most: int) -> None: ...


SHARED_PART = 4  # another cache (`Shared`) may hold up to a quarter of the budget; the outputs take the rest
# Once outputs of an eighth of the budget were evicted, the freed memory is handed back to the system
# (`store.release_memory`: glibc's malloc_trim, 0.1-0.3 s on a 500 MB heap, so at most every TRIM_EVERY
# seconds, in the cache's own thread). Without it a worker crawled through every route of 10,000 events held
# its budget again in freed memory.
TRIM_PART = 8
TRIM_EVERY = 10.0
TRIM = ("", "trim")  # the job of handing freed memory back, among the (version, path) jobs to compress
# With `Outputs.bound_resident`, outputs are also evicted while the process's resident memory is over its
# ceiling, but never below this part of the budget: memory outputs do not hold is not theirs to give back.
RESIDENT_FLOOR_PART = 4


class Outputs:
    """The one cache of rendered outputs: the server's, its warm-up's after a reload, and the export's.

    Outputs are kept by content version and URL path, up to `budget` bytes (every encoding counted; 0
    keeps none, as for `calfeed build`), the least recently used going first: outputs of a version no
    longer served are never asked for again and age out. What the `shared` caches of rendered bytes hold
    (the calendar's pieces, `render.ics.PIECES`) counts in the same budget: each is trimmed to a
    `SHARED_PART` of it, and the outputs make room for what they hold. `render` renders a path of a version
    once while other threads asking for it wait, then find it kept.
    """

    def __init__(self, budget: int, templates: Environment, policy: Policy, shared: Iterable[Shared] = ()) -> None:
        self.templates = templates
        self.policy = policy
        self.budget = budget
        self._shared = tuple(shared)
        self._kept: LRUCache[tuple[str, str], Output] = LRUCache(maxsize=budget, getsizeof=_size)
        self._lock = threading.Lock()  # guards _kept (cachetools caches are not thread-safe) and _rendering
        self._rendering: dict[str, threading.Lock] = {}  # per content version: one render at a time
        self._queue: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()  # for `_work`: see `_later`
        self._queued: set[tuple[str, str]] = set()  # in the queue or being done
        self._worker: threading.Thread | None = None
        self._freed = 0  # bytes evicted since the last trim was asked for
        self._resident: Callable[[], int] | None = None  # see `bound_resident`
        self._ceiling = 0  # the resident bytes `bound_resident` holds the process to
        self._shed = 0  # bytes evicted to get under the ceiling, not yet handed back by a trim

    def bound_resident(self, resident: Callable[[], int]) -> None:
        """Hold the process's resident memory (`resident()`, in bytes) within the budget above what it is now
        (a worker calls this once its content is loaded): whenever an output is kept, the least recently used
        outputs go while it is over, down to a `RESIDENT_FLOOR_PART` of the budget, and the memory they held is
        handed back soon after. So what rendering keeps besides its outputs (templates, locale data, memoised
        formatting) and what the allocator cannot hand back count in the budget too. Bytes evicted for this and
        not yet handed back count as gone, so one trim's wait does not empty the cache. Does nothing where
        `resident()` cannot be read (0)."""
        now = resident()
        if now > 0:
            with self._lock:
                self._resident, self._ceiling = resident, now + self.budget

    def get(self, version: str, url_path: str) -> Output | None:
        """The output kept for `url_path` of content `version`, or None (never rendered, evicted, expired)."""
        with self._lock:
            output = self._kept.get((version, url_path))
        return None if output is None or output.expires <= time.time() else output

    def render(
        self,
        published: Published,
        route: Route,
        today: date,
        url_path: str | None = None,
        *,
        inline_up_to: float = math.inf,
    ) -> Output:
        """The output of `route` (at `url_path`, its path) in `published` on `today`: kept, or rendered and kept
        (a body over `inline_up_to` bytes in the identity encoding only, until `compress` is called for it)."""
        url_path = url_path or path(route)
        version = published.site.version
        output = self.get(version, url_path)
        if output is not None:
            return output
        with self._lock:
            rendering = self._rendering.setdefault(version, threading.Lock())
            if len(self._rendering) > 4:  # versions come and go: forget the locks of old ones
                for old in list(self._rendering)[:-4]:
                    del self._rendering[old]
        with rendering:
            output = self.get(version, url_path)
            if output is None:
                output = render_output(
                    published, route, today, self.templates, self.policy, url_path, inline_up_to=inline_up_to
                )
                if not self._keep((version, url_path), output) and output.deferred is not None:
                    output = _compressed(output)  # not kept (over the budget): nothing would compress it later
        return output

    def _keep(self, key: tuple[str, str], output: Output, replacing: Output | None = None) -> bool:
        """Keep `output` (instead of `replacing`, if that is still kept), then drop the least recently used
        outputs until they fit in the budget with what the shared caches hold (trimmed to their part first).
        Whether `output` is kept."""
        for cache in self._shared:
            cache.trim(self.budget // SHARED_PART)
        with self._lock:
            if replacing is not None and self._kept.get(key) is not replacing:  # evicted or replaced meanwhile
                return False
            with contextlib.suppress(ValueError):  # larger than the budget: not kept
                self._kept[key] = output
            room = self.budget - sum(cache.size for cache in self._shared)
            while self._kept and self._kept.currsize > room:
                self._freed += _size(self._kept.popitem()[1])
            if self._freed > self.budget // TRIM_PART:  # hand the freed memory back, in the background
                self._freed = 0
                self._later(TRIM)
            if self._resident is not None:
                self._within_ceiling(self._resident)
            return key in self._kept

    def _within_ceiling(self, resident: Callable[[], int]) -> None:
        """Evict while the process's resident memory is over `_ceiling` (see `bound_resident`); under `_lock`."""
        over = resident() - self._shed - self._ceiling
        if over <= 0:
            return
        floor = self.budget // RESIDENT_FLOOR_PART
        while over > 0 and self._kept and self._kept.currsize > floor:
            size = _size(self._kept.popitem()[1])
            self._shed += size
            over -= size
        if self._shed:
            self._later(TRIM)

    def compress(self, version: str, url_path: str) -> None:
        """Add the compressed encodings to the output kept for `url_path` of `version`, if it lacks them."""
        with self._lock:
            output = self._kept.get((version, url_path))
        if output is not None and output.deferred is not None:
            self._keep((version, url_path), _compressed(output), replacing=output)

    def compress_soon(self, version: str, url_path: str) -> None:
        """`compress` the output of `url_path` of `version` in a thread of this cache's own, after the answer
        that rendered it (once however many requests ask)."""
        with self._lock:
            self._later((version, url_path))

    def _later(self, job: tuple[str, str]) -> None:
        """Queue `job` (a version and path to compress, or `TRIM`) for this cache's thread; under `_lock`."""
        if job in self._queued:
            return
        self._queued.add(job)
        if self._worker is None or not self._worker.is_alive():  # not started yet, or forked since
            self._worker = threading.Thread(target=self._work, name="calfeed-outputs", daemon=True)
            self._worker.start()
        self._queue.put(job)

    def _work(self) -> None:
        """This cache's thread: compresses outputs answered before they were, and gives freed memory back (at
        most every `TRIM_EVERY` seconds: a trim asked for sooner waits, while compressions go on)."""
        trimmed, due = -math.inf, None
        while True:
            try:
                job = self._queue.get(timeout=None if due is None else max(0.0, due - time.monotonic()))
            except queue.Empty:
                job = TRIM
            with self._lock:
                self._queued.discard(job)
            if job != TRIM:
                self.compress(*job)
            elif time.monotonic() < trimmed + TRIM_EVERY:
                due = trimmed + TRIM_EVERY
            else:
                with self._lock:
                    shed = self._shed
                release_memory()
                trimmed, due = time.monotonic(), None
                with self._lock:  # handed back now, or never: look at the memory again (another trim may follow)
                    self._shed -= shed
                    if self._resident is not None:
                        self._within_ceiling(self._resident)

    def retain(self, version: str) -> None:
        """Forget the outputs of every content version but `version` (the one now serving), freeing their memory."""
        with self._lock:
            for key in [key for key in self._kept if key[0] != version]:
                del self._kept[key]

    def paths(self, version: str) -> list[str]:
        """The paths kept for content `version`, in the order they were first rendered."""
        with self._lock:
            return [url_path for kept, url_path in self._kept if kept == version]

    @property
    def size(self) -> int:
        """The bytes kept, every encoding together (not counting what is kept elsewhere)."""
        return int(self._kept.currsize)


def _size(output: Output) -> int:
    return output.size


def _compressed(output: Output) -> Output:
    """`output` with every encoding (it was rendered with its compression deferred: `Output.deferred`)."""
    headers = output.deferred
    if headers is None:
        return output
    return make_output(output.body, headers, output.last_modified, output.expires, output.version)


def today_in(timezone: str) -> date:
    """Today's date in `timezone`: what pages that list upcoming events show."""
    return datetime.now(ZoneInfo(timezone)).date()


# -- answering a request ------------------------------------------------------------------------------------------

_ETAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')
_WEIGHT = re.compile(r"[ \t]*(\d+(?:\.\d+)?)[ \t]*", re.ASCII)  # as Werkzeug reads q (0 to 1 then)


@lru_cache(maxsize=512)  # clients send few distinct values
def accepted_encoding(header: str | None) -> str:
    """The best encoding `header` (an Accept-Encoding value) allows: "br", "gzip" or "identity".

    Brotli while the client accepts it, then gzip ("x-gzip" too), else identity, which is never refused.
    A coding listed with q=0 is refused even if "*" is accepted; an item whose weight is not a number
    from 0 to 1 is skipped, as Werkzeug skips it (tests/test_http_headers.py holds this to Werkzeug).
    """
    weights: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, params = part.partition(";")
        name, weight = name.strip().lower(), _weight(params)
        if name and weight is not None:
            weights[name] = max(weight, weights.get(name, weight))  # listed twice: its best weight counts
    star = weights.get("*", 0.0)
    for coding, names in (("br", ("br",)), ("gzip", ("gzip", "x-gzip"))):
        if next((weights[name] for name in names if name in weights), star) > 0:
            return coding
    return "identity"


def _weight(params: str) -> float | None:
    """The q parameter of an Accept-Encoding item (1 without one), or None if it is not a weight."""
    weight = 1.0
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "q" and value.strip(" \t"):  # "q=" is no weight, as for Werkzeug
            match = _WEIGHT.fullmatch(value)
            if match is None or float(match[1]) > 1:
                return None
            weight = float(match[1])
    return weight


def entity_tags(header: str, *, strong: bool = False) -> frozenset[str] | None:
    """The entity tags of an If-None-Match value, weak ones as strong ("*" → {"*"}); None if malformed.
    With `strong` (If-Match), weak tags are left out: they never match (RFC 9110 §8.8.3.2)."""
    if header.strip() == "*":
        return frozenset({"*"})
    tags, at = [], 0
    while at < len(header):
        match = _ETAG.match(header, at)
        if match is None:
            return None
        if not (strong and match[1]):
            tags.append(match[2])
        at = match.end()
    return frozenset(tags) if at else None


def precondition_failed(output: Output, environ: Mapping[str, Any]) -> bool:
    """Whether a GET or HEAD with these request headers must be answered 412 (RFC 9110 §13.2.2, steps 1-2).

    If-Match is compared strongly with every encoding's tag; If-Unmodified-Since counts only without it.
    A malformed tag list or date is ignored as if it were absent, as for `not_modified`.
    """
    match = environ.get("HTTP_IF_MATCH")
    if match is not None:
        tags = entity_tags(match, strong=True)
        if tags is not None:
            return "*" not in tags and tags.isdisjoint(output.tags)
    since = environ.get("HTTP_IF_UNMODIFIED_SINCE")
    if since is not None and (when := parse_date(since)) is not None:
        return output.last_modified > when.timestamp()
    return False


# A failed precondition: no body, and no cache keeps it (a shared cache that ignores If-Match would
# otherwise give it to every client).
PRECONDITION_FAILED = (
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Content-Length", "0"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
)


def not_modified(output: Output, environ: Mapping[str, Any]) -> bool:
    """Whether a GET or HEAD with these request headers may be answered 304 (RFC 9110 §13.2.2).

    If-None-Match is weakly compared with every encoding's tag; If-Modified-Since counts only without
    it. A malformed or future date, or a malformed tag list, is ignored as if it were absent.
    """
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        if match in output.tags:  # the usual case: the tag the client was given, sent back as it was
            return True
        tags = entity_tags(match)
        if tags is not None:
            return "*" in tags or not tags.isdisjoint(output.tags)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since is not None:
        when = parse_date(since)
        if when is not None:
            stamp = when.timestamp()
            return stamp <= time.time() and output.last_modified <= stamp
    return False


def answer(output: Output, environ: Mapping[str, Any]) -> tuple[str, Headers, bytes]:
    """Status line, headers and body for a GET (or HEAD: send no body) of `output`."""
    representation = output.representation(accepted_encoding(environ.get("HTTP_ACCEPT_ENCODING")))
    if precondition_failed(output, environ):
        return "412 Precondition Failed", (*PRECONDITION_FAILED, ("ETag", representation.etag)), b""
    if not_modified(output, environ):
        return "304 Not Modified", representation.not_modified, b""
    return "200 OK", representation.ok, representation.body


_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")
_ENCODED_SEPARATOR = re.compile(r"%(?:2f|5c)", re.IGNORECASE)  # an encoded "/" or "\\"
NOT_CANONICAL = (
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
)


def canonical(environ: Mapping[str, Any]) -> bool:
    """Whether the request's path is in its one canonical form, as sent (RAW_URI, REQUEST_URI) and decoded
    (PATH_INFO): no dot segments ("/x/../", "/./", "%2e%2e"), no empty segments ("//"), no encoded slash or
    backslash. Any other spelling of a path would let a shared cache that normalises paths (nginx's $uri)
    store the answer to one path under another: such requests get a 404 no cache keeps."""
    decoded = environ.get("PATH_INFO", "")
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "").partition("?")[0]
    if "://" in raw:  # the absolute form of a request target: its path
        raw = "/" + raw.split("://", 1)[1].partition("/")[2]
    for spelling in (decoded, raw):
        if "//" in spelling or "\\" in spelling or _DOT_SEGMENT.search(spelling):
            return False
    return _ENCODED_SEPARATOR.search(raw) is None


class Responder:
    """WSGI middleware: answers GET and HEAD for outputs already rendered, passes everything else on.

    A path not in its canonical form (`canonical`) is answered 404 with ``Cache-Control: no-store`` first.

    `lookup(path)` returns the current content version's `Output` for a path, or None (not rendered
    yet, expired, unknown); the app behind renders and stores it, and the next request is answered here.
    """

    def __init__(self, app: WSGIApplication, lookup: Callable[[str], Output | None]) -> None:
        self.app = app
        self.lookup = lookup

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not canonical(environ):
            start_response("404 Not Found", list(NOT_CANONICAL))
            return [b"Not found: this address is not written in its canonical form.\n"]
        method = environ["REQUEST_METHOD"]
        if method == "GET" or method == "HEAD":
            output = self.lookup(environ.get("PATH_INFO", ""))
            if output is not None:
                representation = output.representation(accepted_encoding(environ.get("HTTP_ACCEPT_ENCODING")))
                if precondition_failed(output, environ):
                    start_response("412 Precondition Failed", [*PRECONDITION_FAILED, ("ETag", representation.etag)])
                    return []
                if not_modified(output, environ):
                    start_response("304 Not Modified", list(representation.not_modified))
                    return []
                start_response("200 OK", list(representation.ok))
                return [representation.body] if method == "GET" else []
        return self.app(environ, start_response)
