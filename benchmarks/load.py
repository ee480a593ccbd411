"""How long loading content takes, and how much memory: calfeed against plain PyYAML.

Generates realistic content files of 1,000, 10,000 and 100,000 events (with about one
news post per 10 events) in a temporary folder, then runs each measurement in a fresh
Python process so that its peak RSS is its own:

* calfeed: ``calfeed.content.read_content(path)``, end to end (read, parse, validate);
* CSafeLoader: ``yaml.load(text, Loader=yaml.CSafeLoader)`` on the same file's text;
* CSafeLoader no-GC: the same, with the cyclic garbage collector disabled during the load.

Run from the repository root::

    .venv/bin/python benchmarks/load.py                      # 1,000, 10,000 and 100,000 events
    .venv/bin/python benchmarks/load.py --sizes 1000,10000 --repeat 5
    .venv/bin/python benchmarks/load.py --profile 10000      # cProfile of read_content

Progress goes to stderr, the table to stdout. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from random import Random
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (1_000, 10_000, 100_000)
SLOW_SIZE = 100_000  # from this many events up, one run by default instead of three
SEED = 2021_09_09
FIRST_DAY = date(2021, 1, 4)
SPAN_DAYS = 6 * 365  # events spread over six years, whatever their number
EVENTS_PER_NEWS = 10
MODES = ("calfeed", "yaml", "yaml-nogc")

# -- realistic content ---------------------------------------------------------------------------------------------

LANGUAGES = ("en", "es", "fr")
TAGS = {  # id: (en, es, fr)
    "culture": ("Culture", "Cultura", "Culture"),
    "resilience": ("Resilience", "Resiliencia", "Résilience"),
    "accessibility": ("Accessibility", "Accesibilidad", "Accessibilité"),
    "intermediary-cities": ("Intermediary Cities", "Ciudades intermedias", "Villes intermédiaires"),
    "local-finance": ("Local finance", "Finanzas locales", "Finances locales"),
    "housing": ("Housing", "Vivienda", "Logement"),
    "climate": ("Climate", "Clima", "Climat"),
    "migration": ("Migration", "Migración", "Migration"),
    "gender-equality": ("Gender equality", "Igualdad de género", "Égalité des genres"),
    "public-space": ("Public space", "Espacio público", "Espace public"),
    "training": ("Training", "Formación", "Formation"),
    "peer-learning": ("Peer learning", "Aprendizaje entre pares", "Apprentissage entre pairs"),
}
TOPICS = (  # (tag, en, es, fr)
    ("culture", "cultural rights", "derechos culturales", "droits culturels"),
    ("resilience", "urban resilience", "resiliencia urbana", "résilience urbaine"),
    ("accessibility", "accessible cities", "ciudades accesibles", "villes accessibles"),
    ("intermediary-cities", "intermediary cities", "ciudades intermedias", "villes intermédiaires"),
    ("local-finance", "local finance", "finanzas locales", "finances locales"),
    ("housing", "the right to housing", "el derecho a la vivienda", "le droit au logement"),
    ("climate", "climate action", "acción climática", "action climatique"),
    ("migration", "migration and cities", "migración y ciudades", "migrations et villes"),
    ("gender-equality", "gender equality", "igualdad de género", "égalité des genres"),
    ("public-space", "public space", "espacio público", "espace public"),
)
KINDS = (  # (slug, en, es, fr)
    ("forum", "Forum", "Foro", "Forum"),
    ("workshop", "Workshop", "Taller", "Atelier"),
    ("training", "Training", "Formación", "Formation"),
    ("summit", "Summit", "Cumbre", "Sommet"),
    ("meeting", "Committee meeting", "Reunión del comité", "Réunion du comité"),
    (
        "peer-learning",
        "Peer learning session",
        "Sesión de aprendizaje entre pares",
        "Session d'apprentissage entre pairs",
    ),
)
VENUES = ("City Hall", "Congress Centre", "Cultural Centre", "University Campus", "Municipal Library", "Expo Hall")
# (slug, city, country, lat, lon, zone): zone None where the wall clock is Europe/Brussels's.
CITIES = (
    ("brussels", "Brussels", "Belgium", "50.8503", "4.3517", None),
    ("barcelona", "Barcelona", "Spain", "41.3874", "2.1686", None),
    ("lyon", "Lyon", "France", "45.7640", "4.8357", None),
    ("izmir", "Izmir", "Turkey", "38.4237", "27.1428", "Europe/Istanbul"),
    ("istanbul", "Istanbul", "Turkey", "41.0082", "28.9784", "Europe/Istanbul"),
    ("kutahya", "Kütahya", "Turkey", "39.4242", "29.9833", "Europe/Istanbul"),
    ("montreal", "Montréal", "Canada", "45.5019", "-73.5674", "America/Toronto"),
    ("bogota", "Bogotá", "Colombia", "4.7110", "-74.0721", "America/Bogota"),
    ("sao-paulo", "São Paulo", "Brazil", "-23.5558", "-46.6396", "America/Sao_Paulo"),
    ("mexico-city", "Mexico City", "Mexico", "19.4326", "-99.1332", "America/Mexico_City"),
    ("dakar", "Dakar", "Senegal", "14.7167", "-17.4677", "Africa/Dakar"),
    ("durban", "Durban", "South Africa", "-29.8587", "31.0218", "Africa/Johannesburg"),
    ("seoul", "Seoul", "South Korea", "37.5665", "126.9780", "Asia/Seoul"),
    ("sydney", "Sydney", "Australia", "-33.8688", "151.2093", "Australia/Sydney"),
)
TAG_IDS = sorted(TAGS)
PARTNERS = ("UCLG", "Metropolis", "UCLG-ASPAC", "UN-Habitat", "the Seoul Metropolitan Government", "Cities Alliance")


@dataclass(frozen=True, slots=True)
class EventInfo:
    """What a news post needs to know about an event it links to."""

    id: str
    last_day: date
    topic: int


@dataclass(frozen=True, slots=True)
class Content:
    path: Path
    events: int
    news: int
    megabytes: float


def write_content(path: Path, n_events: int, seed: int = SEED) -> Content:
    """Write a content file with `n_events` events and one news post per 10 of them.

    Deterministic for a given seed. Written as it is generated, so the memory of this
    process stays small: child processes inherit its peak RSS (see README.md).
    """
    rng = Random(seed)
    news_part = path.with_name(path.name + ".news-part")  # news: comes after events:, so it waits in a side file
    n_news = 0
    with path.open("w", encoding="utf-8") as out, news_part.open("w+", encoding="utf-8") as news:
        out.write(_header(n_events))
        out.write("\nevents:\n")
        block: list[EventInfo] = []
        for i in range(n_events):
            lines, info = _event(i, n_events, rng)
            _write_item(out, lines)
            block.append(info)
            if len(block) == EVENTS_PER_NEWS:
                _write_item(news, _news(n_news, block, rng))
                n_news += 1
                block = []
        news.seek(0)
        out.write("\nnews:\n")
        shutil.copyfileobj(news, out)
    news_part.unlink()
    return Content(path, n_events, n_news, path.stat().st_size / 1e6)


def _header(n_events: int) -> str:
    lines = [
        f"# Generated by benchmarks/load.py: {n_events:,} events, seed {SEED}.",
        "calendar:",
        "  title:",
        "    en: Events and News of Local Governments",
        "    es: Eventos y noticias de los gobiernos locales",
        "    fr: Événements et actualités des gouvernements locaux",
        "  description: Forums, trainings and meetings of cities and regions worldwide.",
        "  url: https://agenda.example.org/",
        "  timezone: Europe/Brussels",
        "  languages: [en, es, fr]",
        "",
        "tags:",
    ]
    for tag, (en, es, fr) in TAGS.items():
        lines += [f"  {tag}:", f"    en: {en}", f"    es: {es}", f"    fr: {fr}"]
    return "\n".join(lines) + "\n"


def _event(i: int, n: int, rng: Random) -> tuple[list[str], EventInfo]:
    topic_index = rng.randrange(len(TOPICS))
    tag, *topic = TOPICS[topic_index]
    kind_slug, *kind = KINDS[rng.randrange(len(KINDS))]
    city_slug, city, country, lat, lon, zone = CITIES[rng.randrange(len(CITIES))]
    first = FIRST_DAY + timedelta(days=i * SPAN_DAYS // n + rng.randrange(-3, 4))
    event_id = f"{tag}-{kind_slug}-{city_slug}-{first.year}-{i + 1:06d}"
    webinar = rng.random() < 0.05  # online only, times given in UTC
    online_only = webinar or rng.random() < 0.08
    where = "online" if online_only else city
    titles = [
        f"{kind[0]} on {topic[0]}, {where}",
        f"{kind[1]} sobre {topic[1]}, {where}",
        f"{kind[2]} : {topic[2]}, {where}",
    ]
    lines = [f"id: {event_id}", *_text("title", titles, rng)]

    shape = rng.random()
    if webinar:
        hour = rng.randrange(8, 18)
        lines += [f"start: {first}T{hour:02d}:00:00Z", f"end: {first}T{hour + 1:02d}:30:00Z"]
        last = first
    elif shape < 0.35:  # all-day, mostly over several days
        last = first + timedelta(days=rng.choice((0, 0, 1, 2, 2, 3, 4)))
        lines.append(f"start: {first}")
        if last != first or rng.random() < 0.5:
            lines.append(f"end: {last}")
    else:  # timed, on local wall-clock time
        # Hours 08:00-20:00 only: no zone used here changes its clocks then, so no
        # wall time falls in a DST gap (02:00-03:00 in Brussels in March) or fold.
        hour, minute = rng.randrange(8, 18), rng.choice((0, 0, 15, 30, 45))
        days = 1 if rng.random() < 0.1 else 0
        last = first + timedelta(days=days)
        end_hour = 17 if days else hour + rng.randrange(1, 4)
        sep = "T" if rng.random() < 0.3 else " "
        if zone and not online_only:
            lines.append(f"timezone: {zone}")
        lines += [f"start: {first}{sep}{hour:02d}:{minute:02d}", f"end: {last}{sep}{end_hour:02d}:{minute:02d}"]
        if rng.random() < 0.03:
            exception = first + timedelta(weeks=rng.randrange(1, 5))
            lines += ["repeat: FREQ=WEEKLY;COUNT=6", f"except: [{exception}{sep}{hour:02d}:{minute:02d}]"]

    if not online_only:
        lines += _location(rng, city, country, lat, lon)
    if online_only or rng.random() < 0.1:
        hybrid_without_link = not online_only and rng.random() < 0.5
        lines.append("online: true" if hybrid_without_link else f"online: https://meet.example.org/{event_id}")
    tags = [tag, *rng.sample(TAG_IDS, rng.randrange(0, 3))]
    lines.append(f"tags: [{', '.join(dict.fromkeys(tags))}]")
    if rng.random() < 0.6:
        lines.append(f"url: https://www.example.org/events/{first.year}/{event_id}")
    lines += _text("summary", _summaries(kind, topic, city, rng), rng, fold=True)
    if rng.random() < 0.05:
        lines += _description(topic[0], event_id)
    if rng.random() < 0.07:
        lines += [
            "image:",
            f"  src: https://media.example.org/events/{event_id}.jpg",
            f"  alt: Participants of the {kind[0].lower()} in {city}",
        ]
    status = rng.random()
    if status < 0.03:
        lines.append("status: cancelled")
    elif status < 0.05:
        lines.append("status: tentative")
    return lines, EventInfo(event_id, last, topic_index)


def _location(rng: Random, city: str, country: str, lat: str, lon: str) -> list[str]:
    lines = ["location:"]
    venue = rng.choice(VENUES)
    if rng.random() < 0.2:
        lines += ["  name:", f"    en: {venue} of {city}", f"    es: {venue} de {city}"]
    elif rng.random() < 0.75:
        lines.append(f"  name: {venue}")
    if rng.random() < 0.3:
        lines.append(f"  address: {rng.randrange(1, 200)} Main Street")
    lines += [f"  city: {city}", f"  country: {country}"]
    if rng.random() < 0.5:
        lines += [f"  lat: {lat}", f"  lon: {lon}"]
    return lines


def _summaries(kind: list[str], topic: list[str], city: str, rng: Random) -> list[str]:
    partner = rng.choice(PARTNERS)
    summaries = [
        f"{kind[0]} in {city} for local and regional governments working on {topic[0]}, coordinated by {partner}.",
        f"{kind[1]} en {city} para los gobiernos locales y regionales que trabajan en {topic[1]}, coordinado por "
        f"{partner}.",
        f"{kind[2]} à {city} pour les gouvernements locaux et régionaux qui travaillent sur {topic[2]}, coordonné "
        f"par {partner}.",
    ]
    if rng.random() < 0.5:
        more = (
            "Mayors, practitioners, researchers and civil society share what works.",
            "Alcaldes, técnicos, investigadores y sociedad civil comparten lo que funciona.",
            "Maires, praticiens, chercheurs et société civile partagent ce qui marche.",
        )
        summaries = [f"{summary} {sentence}" for summary, sentence in zip(summaries, more, strict=True)]
    return summaries


def _description(topic: str, event_id: str) -> list[str]:
    return [
        "description: |",
        "  ## Programme",
        "",
        "  - 09:00 Welcome by the host city",
        f"  - 10:00 Panel: what cities have learnt about {topic}",
        "  - 14:00 Working groups and *peer exchanges*",
        "",
        f"  Registration is open on [the event page](https://www.example.org/register/{event_id}).",
    ]


def _news(index: int, block: list[EventInfo], rng: Random) -> list[str]:
    linked = rng.sample(block, rng.choice((1, 1, 1, 2, 3)))
    topic = TOPICS[linked[0].topic]
    news_id = f"news-{index + 1:05d}-{topic[0]}"
    titles = [
        f"Cities share lessons on {topic[1]}",
        f"Las ciudades comparten lecciones sobre {topic[2]}",
        f"Les villes partagent leurs leçons sur {topic[3]}",
    ]
    published = max(info.last_day for info in linked) + timedelta(days=rng.randrange(1, 15))
    lines = [f"id: {news_id}", *_text("title", titles, rng), f"date: {published}", f"tags: [{topic[0]}]"]
    if rng.random() < 0.2:
        lines += ["image:", f"  alt: Participants during a session on {topic[1]}"]
    lines += _text(
        "summary",
        [
            f"Local and regional governments met to compare their policies on {topic[1]}: a report on the "
            "conversations, the commitments made, and the next steps for the network of cities.",
            f"Los gobiernos locales y regionales compararon sus políticas sobre {topic[2]}: un informe sobre los "
            "compromisos y los próximos pasos.",
            f"Les gouvernements locaux et régionaux ont comparé leurs politiques sur {topic[3]} : un compte rendu "
            "des engagements et des prochaines étapes.",
        ],
        rng,
        fold=True,
    )
    if rng.random() < 0.3:
        lines.append(f"url: https://www.example.org/news/{news_id}")
    lines.append(f"events: [{', '.join(info.id for info in linked)}]")
    return lines


def _text(key: str, by_language: list[str], rng: Random, *, fold: bool = False) -> list[str]:
    """A text field as editors write it: English only (half the time), or a mapping of 2 or 3 languages."""
    count = rng.choice((1, 1, 2, 3))
    if count == 1:
        return _scalar_lines(key, by_language[0], fold)
    lines = [f"{key}:"]
    for language, value in zip(LANGUAGES[:count], by_language, strict=False):
        lines += ["  " + line for line in _scalar_lines(language, value, fold)]
    return lines


def _scalar_lines(key: str, value: str, fold: bool) -> list[str]:
    if fold and len(value) > 70:
        return [f"{key}: >-", *("  " + line for line in _wrap(value))]
    if ": " in value or " #" in value:
        value = json.dumps(value, ensure_ascii=False)  # a JSON string is a double-quoted YAML scalar
    return [f"{key}: {value}"]


def _wrap(text: str, width: int = 72) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line]


def _write_item(out: TextIO, lines: list[str]) -> None:
    out.write(f"\n  - {lines[0]}\n")
    out.writelines(f"    {line}\n" if line else "\n" for line in lines[1:])


# -- one measurement, in its own process ----------------------------------------------------------------------------


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def measure(mode: str, path: str) -> dict[str, Any]:
    """Load `path` once the way `mode` says; return timings, peak RSS and what was loaded."""
    if mode == "calfeed":
        sys.path.insert(0, str(ROOT))  # this checkout's calfeed, installed or not
        from calfeed.content import read_content

        before = _peak_mb()
        start = time.perf_counter()
        site, problems = read_content(path)
        seconds = time.perf_counter() - start
        return {
            "seconds": seconds,
            "peak_mb": _peak_mb(),
            "before_mb": before,
            "events": len(site.events) if site else None,
            "news": len(site.news) if site else None,
            "errors": sum(p.severity == "error" for p in problems),
            "warnings": sum(p.severity != "error" for p in problems),
            "problems": [str(p) for p in problems[:10]],
        }
    import yaml

    if not getattr(yaml, "__with_libyaml__", False):
        raise SystemExit("PyYAML is built without libyaml: yaml.CSafeLoader is not available")
    text = Path(path).read_text(encoding="utf-8")
    before = _peak_mb()
    if mode == "yaml-nogc":
        gc.disable()
    start = time.perf_counter()
    data = yaml.load(text, Loader=yaml.CSafeLoader)
    seconds = time.perf_counter() - start
    gc.enable()
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "before_mb": before,
        "events": len(data["events"]),
        "news": len(data["news"]),
    }


def profile(path: str, top: int = 15) -> None:
    """Print cProfile's top functions of one read_content, by cumulative and by own time."""
    import cProfile
    import pstats

    sys.path.insert(0, str(ROOT))
    from calfeed.content import read_content

    profiler = cProfile.Profile()
    site, problems = profiler.runcall(read_content, path)
    print(f"read_content: {len(site.events) if site else 'no'} events, {len(problems)} problems")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    for order in ("cumulative", "tottime"):
        print(f"\n--- top {top} by {order} ---")
        stats.sort_stats(order).print_stats(top)


def run_child(*args: str) -> str:
    """Run this script in a fresh interpreter; return its stdout. Its peak RSS starts from this process's."""
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"benchmark child {' '.join(args)} failed:\n{completed.stderr}")
    return completed.stdout


# -- the benchmark ----------------------------------------------------------------------------------------------------


@dataclass
class Row:
    content: Content
    runs: int
    best: dict[str, float]  # mode: best seconds
    peak: dict[str, float]  # mode: highest peak RSS over the runs, MB
    before: dict[str, float]  # mode: RSS high-water mark just before the load, MB


def bench(content: Content, runs: int) -> Row:
    results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    for run in range(runs):
        for mode in MODES:  # interleaved, so drift in machine load spreads over all three
            result = json.loads(run_child("--child", mode, str(content.path)).splitlines()[-1])
            if mode == "calfeed":
                check_valid(content, result)
            elif (result["events"], result["news"]) != (content.events, content.news):
                raise SystemExit(
                    f"CSafeLoader read {result['events']} events and {result['news']} news "
                    f"from {content.path} (expected {content.events} and {content.news})"
                )
            results[mode].append(result)
            _progress(
                f"  {content.events:>7,} events, run {run + 1}/{runs}, {mode:<9}: "
                f"{result['seconds']:7.3f} s, peak {result['peak_mb']:6.1f} MB"
            )
    return Row(
        content,
        runs,
        best={mode: min(r["seconds"] for r in rs) for mode, rs in results.items()},
        peak={mode: max(r["peak_mb"] for r in rs) for mode, rs in results.items()},
        before={mode: max(r["before_mb"] for r in rs) for mode, rs in results.items()},
    )


def check_valid(content: Content, result: dict[str, Any]) -> None:
    """Stop the benchmark unless calfeed read the generated content cleanly and completely."""
    if result["errors"] or result["warnings"]:
        shown = "\n".join(result["problems"])
        raise SystemExit(
            f"GENERATED CONTENT DOES NOT VALIDATE: {result['errors']} errors, {result['warnings']} "
            f"warnings in {content.path}; the first ones:\n{shown}\n"
            "Fix the generator in benchmarks/load.py: the benchmark measures clean content."
        )
    if (result["events"], result["news"]) != (content.events, content.news):
        raise SystemExit(
            f"calfeed read {result['events']} events and {result['news']} news from {content.path} "
            f"(expected {content.events} and {content.news})"
        )


def print_table(rows: list[Row]) -> None:
    header = (
        "events",
        "file MB",
        "calfeed s",
        "calfeed peak MB",
        "CSafeLoader s",
        "CSafeLoader peak MB",
        "CSafeLoader no-GC s",
        "calfeed/CSafeLoader",
        "calfeed growth",
    )
    table = [header]
    previous: Row | None = None
    for row in rows:
        growth = "-"
        if previous is not None:
            growth = f"{row.best['calfeed'] / previous.best['calfeed']:.1f}x"
        table.append(
            (
                f"{row.content.events:,}",
                f"{row.content.megabytes:.1f}",
                f"{row.best['calfeed']:.3f}",
                f"{row.peak['calfeed']:.1f}",
                f"{row.best['yaml']:.3f}",
                f"{row.peak['yaml']:.1f}",
                f"{row.best['yaml-nogc']:.3f}",
                f"{row.best['calfeed'] / row.best['yaml']:.2f}",
                growth,
            )
        )
        previous = row
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))
    print()
    runs = ", ".join(f"{row.runs} for {row.content.events:,}" for row in rows)
    print(f"seconds: best of N runs ({runs}), each in a fresh process, wall clock (perf_counter), no tracemalloc.")
    print(
        "peak MB: the process's peak RSS (ru_maxrss), interpreter included; just before the load it was "
        f"{_span(row.before['calfeed'] for row in rows)} MB (calfeed, imported) and "
        f"{_span(row.before['yaml'] for row in rows)} MB (yaml, imported, text read)."
    )
    for before, after in pairwise(rows):
        print(
            f"calfeed time growth {before.content.events:,} -> {after.content.events:,} events: "
            f"{after.best['calfeed'] / before.best['calfeed']:.1f}x "
            f"(linear: {after.content.events / before.content.events:.0f}x)"
        )


def _span(values: Iterable[float]) -> str:
    ordered = sorted(values)
    low, high = ordered[0], ordered[-1]
    return f"{low:.0f}" if round(low) == round(high) else f"{low:.0f}-{high:.0f}"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time and measure loading content: calfeed against CSafeLoader.")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="comma-separated numbers of events (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        metavar="N",
        help=f"runs per measurement, best kept (default: 3, or 1 from {SLOW_SIZE:,} events)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="EVENTS",
        help="instead of the table, print a cProfile of read_content on this many events",
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(size.replace("_", "")) for size in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes: expected numbers like 1000,10000, got {args.sizes!r}")
    if any(size < EVENTS_PER_NEWS for size in args.sizes) or (args.repeat is not None and args.repeat < 1):
        parser.error(f"sizes must be at least {EVENTS_PER_NEWS} and --repeat at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    if args.child_profile:
        profile(args.child_profile)
        return
    with tempfile.TemporaryDirectory(prefix="calfeed-bench-") as folder:
        if args.profile:
            content = _generate(Path(folder), args.profile)
            print(run_child("--child-profile", str(content.path)), end="")
            return
        rows = []
        for size in args.sizes:
            content = _generate(Path(folder), size)
            runs = args.repeat or (1 if size >= SLOW_SIZE else 3)
            rows.append(bench(content, runs))
            content.path.unlink()
    print_table(rows)


def _generate(folder: Path, size: int) -> Content:
    start = time.perf_counter()
    content = write_content(folder / f"events-{size}.yaml", size)
    _progress(
        f"generated {content.events:,} events and {content.news:,} news posts: {content.megabytes:.1f} MB "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return content


if __name__ == "__main__":
    main()
