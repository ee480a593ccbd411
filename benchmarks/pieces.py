"""The pages and indexes an incremental `calfeed build` renders after a one-event edit, with and without the
pieces kept between builds: one worker's CPU per kind of output.

Generates ``benchmarks/load.py``'s content (stamped, as editors commit it), renders in a forked process the
outputs that show the middle event (the agendas, embeds, tag pages and this month's page of its views, the
month page of its month, the archive pages of its year, the search indexes), keeping their pieces as a build
does (`calfeed.render.fragments.Lasting`); edits that event's title (`build.edit_one_event`) and renders the
same outputs again in fresh forked processes: given no pieces ("whole": every entry and row made, as
before they were kept) and given the first process's ("joined": only the edited event's made). Each process
compiles the templates and freezes the collector before it is timed (a worker does both once, whatever it
renders); the best of ``--repeat`` runs counts. Checks that both give the same bytes.

Run from the repository root::

    .venv/bin/python benchmarks/pieces.py                 # 1,000 and 10,000 events
    .venv/bin/python benchmarks/pieces.py --sizes 10000 --repeat 5
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import build as build_benchmark  # noqa: E402  benchmarks/build.py: stamping and the one-event edit
import load as load_benchmark  # noqa: E402  benchmarks/load.py: its content generator (a script's folder is on sys.path)

from calfeed.formats import View
from calfeed.model import Event, Site
from calfeed.render import FORMATS, PATH_FREE, fragments
from calfeed.render.html import make_environment
from calfeed.routes import Route, every_route, path
from calfeed.store import read_version

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TODAY = load_benchmark.FIRST_DAY + timedelta(days=load_benchmark.SPAN_DAYS // 2)
KINDS = ("archive", "search", "agenda", "embed", "tags", "month-now", "month")

_SITE: Site | None = None
_LASTING: fragments.Lasting | None = None


def _routes(site: Site, event: Event) -> list[Route]:
    """The outputs of `KINDS` that show `event`, once per distinct bytes (as the build renders them)."""
    year, month = str(event.first_day.year), f"{event.first_day.year:04d}-{event.first_day.month:02d}"
    chosen: dict[tuple[object, ...], Route] = {}
    for route in every_route(site):
        if route.format not in KINDS or (route.tag is not None and route.tag not in event.tags):
            continue
        if route.item not in (None, year if route.format == "archive" else month):
            continue
        key = (route.format, route.lang, route.tag, route.item, route.format in PATH_FREE or route.prefixed)
        chosen.setdefault(key, route)
    return list(chosen.values())


def _render(job: tuple[list[Route], dict[bytes, bytes] | None]) -> tuple[dict[str, float], list[bytes], dict]:
    """In a forked process: compile the templates, then render `routes` given `stored` pieces (None: keep
    none); CPU seconds per kind, the bodies, the pieces made."""
    routes, stored = job
    assert _SITE is not None and _LASTING is not None
    environment = make_environment(TEMPLATES)
    environment.auto_reload = False
    _LASTING.stored = stored or {}
    fragments.keep(environment, _LASTING)
    for name in environment.list_templates():
        if name.endswith(".html"):
            environment.get_template(name)
    gc.freeze()  # as a build's worker: what is made so far (the content, the pieces given) is never collected
    seconds: dict[str, float] = {}
    bodies = []
    for route in routes:
        day = TODAY if route.spec.daily else date.min
        view = View(route.lang, day, route.tag, route.item, path(route), environment)
        started = time.process_time()
        bodies.append(FORMATS[route.format].render(_SITE, view))
        seconds[route.format] = seconds.get(route.format, 0.0) + time.process_time() - started
    return seconds, bodies, _LASTING.take()[1]


def _fork(routes: list[Route], stored: dict[bytes, bytes] | None) -> tuple[dict[str, float], list[bytes], dict]:
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_render, ((routes, stored),))


def _load(content: Path) -> Site:
    """The content as a build's parent holds it: read, and every item's digest made (before the workers fork)."""
    global _SITE, _LASTING
    published, problems = read_version(content)
    if published is None:
        raise SystemExit(f"generated content has problems: {problems[:3]}")
    _SITE, _LASTING = published.site, fragments.Lasting()
    for item in (*_SITE.events, *_SITE.news):
        _LASTING.digests(_SITE)(item)
    return _SITE


def run(n_events: int, repeat: int) -> list[tuple[str, int, float, float]]:
    """Per kind: outputs, best CPU seconds whole, best CPU seconds joined."""
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "events.yaml"
        load_benchmark.write_content(content, n_events)
        build_benchmark.step_stamp(str(content))
        site = _load(content)
        middle = len(site.events) // 2
        routes = _routes(site, site.events[middle])
        _, _, made = _fork(routes, None)
        number = int(site.events[middle].id.rsplit("-", 1)[1])
        build_benchmark.edit_one_event(content, number)
        site = _load(content)
        best: dict[str, list[float]] = {}
        for _ in range(repeat):
            whole, whole_bodies, _ = _fork(routes, None)
            joined, joined_bodies, _ = _fork(routes, made)
            if whole_bodies != joined_bodies:
                raise SystemExit("pieces kept between builds changed the bytes")
            for kind in whole:
                found = best.setdefault(kind, [float("inf"), float("inf")])
                found[0], found[1] = min(found[0], whole[kind]), min(found[1], joined[kind])
    counts = {kind: sum(1 for route in routes if route.format == kind) for kind in best}
    return [(kind, counts[kind], *best[kind]) for kind in KINDS if kind in best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated event counts (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts (default 3)")
    args = parser.parse_args()
    head = f"{'events':>8}  {'output':<10} {'count':>5}  {'whole ms':>9}  {'joined ms':>9}"
    print(f"{head}  {'each whole':>10}  {'each joined':>11}")
    for n_events in (int(size) for size in args.sizes.split(",")):
        total = [0.0, 0.0]
        for kind, count, whole, joined in run(n_events, args.repeat):
            total[0], total[1] = total[0] + whole, total[1] + joined
            print(
                f"{n_events:>8,}  {kind:<10} {count:>5}  {whole * 1000:>9.1f}  {joined * 1000:>9.1f}"
                f"  {whole * 1000 / count:>10.1f}  {joined * 1000 / count:>11.1f}",
                flush=True,
            )
        print(f"{n_events:>8,}  {'total':<10} {'':>5}  {total[0] * 1000:>9.1f}  {total[1] * 1000:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
