"""How long rendering each feed takes: calfeed's Atom, RSS and JSON Feed against a minimal writer.

Builds a `Site` in memory of 1,000 and 10,000 items (half events, half news posts, dated
over six years, with tags, places, summaries and a few images), with ``feed_limit`` set to
the number of items so that every item is written, then times, for each format:

* calfeed: the renderer the server uses (`render_atom`, `render_rss`, `jsonfeed.render`):
  sorting, dates in words (Babel), Markdown, feedgen and its extensions;
* minimal: a hand-written writer in this file that builds the same feed's bare bones (id,
  title, link, dates, plain summary) with string joins, `xml.sax.saxutils.escape` and
  `json.dumps`: a floor for what writing that many entries costs in Python.

It also times calfeed at the default ``feed_limit`` (the 50 newest of those items), which
is what the server renders. Each number is the best of ``--repeat`` runs (default 3). Run from the repository root::

    .venv/bin/python benchmarks/feeds.py
    .venv/bin/python benchmarks/feeds.py --sizes 1000 --repeat 5
"""

from __future__ import annotations

import sys
from pathlib import Path

# Import calfeed from this checkout, installed or not.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from random import Random  # noqa: E402
from xml.sax.saxutils import escape, quoteattr  # noqa: E402

from calfeed.model import (  # noqa: E402
    CalendarSettings,
    Event,
    Image,
    Location,
    NewsEntry,
    Site,
    Text,
    midnight_utc,
)
from calfeed.render import View  # noqa: E402
from calfeed.render.feeds import render_atom, render_rss  # noqa: E402
from calfeed.render.jsonfeed import render as render_json  # noqa: E402

CITIES = [("Izmir", "Turkey"), ("Kütahya", "Turkey"), ("Barcelona", "Spain"), ("Seoul", "South Korea")]
DEFAULT_LIMIT = 50  # calendar.feed_limit's default
TAGS = ("culture", "accessibility", "intermediary-cities", "resilience")


def make_site(items: int, seed: int = 4) -> Site:
    """A deterministic site of `items` items: half events, half news posts about them."""
    rng = Random(seed)
    calendar = CalendarSettings(
        title=Text({"en": "UCLG Events and News", "es": "Eventos y noticias de CGLU"}),
        url="https://agenda.example.org/",
        timezone="Europe/Brussels",
        languages=("en", "es", "fr"),
        feed_limit=items,
    )
    events, news = [], []
    for number in range(items // 2):
        first = date(2020, 1, 1) + timedelta(days=rng.randrange(6 * 365))
        city, country = rng.choice(CITIES)
        event_id = f"event-{number:05d}"
        events.append(
            Event(
                id=event_id,
                title=Text({"en": f"Forum {number} on local governments", "es": f"Foro {number}"}),
                start=first,
                end=first + timedelta(days=rng.randrange(4)),
                location=Location(city=city, country=country),
                tags=(rng.choice(TAGS),),
                summary=Text({"en": f"The {number}th forum of cities & regions, in {city}."}),
                image=Image(alt=Text({"en": f"Participants of forum {number}"}), src=f"images/{number}.jpg")
                if number % 10 == 0
                else None,
            )
        )
        news.append(
            NewsEntry(
                id=f"news-{number:05d}",
                title=Text({"en": f"Cities meet at forum {number}"}),
                date=first - timedelta(days=rng.randrange(60)),
                tags=(rng.choice(TAGS),),
                summary=Text({"en": f"News about forum {number}: <what> cities said & did."}),
                events=(event_id,),
            )
        )
    events.sort(key=lambda event: (event.first_day, event.id))
    news.sort(key=lambda entry: (-entry.date.toordinal(), entry.id))
    return Site(calendar=calendar, events=tuple(events), news=tuple(news))


# -- the minimal hand-written writer --------------------------------------------------------


def _minimal_entries(site: Site) -> list[tuple[str, str, str, str, str]]:
    """(id, title, link, RFC 3339 date, summary) of every item, newest first."""
    base = site.calendar.url
    rows = [
        (
            f"{base}news/#{n.id}",
            n.title.get("en", "en"),
            f"{base}news/#{n.id}",
            midnight_utc(n.date).isoformat(),
            n.summary.get("en", "en") if n.summary else "",
        )
        for n in site.news
    ]
    rows += [
        (
            f"{base}events/{e.id}/",
            e.title.get("en", "en"),
            f"{base}events/{e.id}/",
            midnight_utc(site.published(e)).isoformat(),
            e.summary.get("en", "en") if e.summary else "",
        )
        for e in site.events
    ]
    rows.sort(key=lambda row: (row[3], row[0]), reverse=True)
    return rows


def minimal_atom(site: Site) -> bytes:
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">']
    parts.append(
        f"<id>{escape(site.calendar.url)}</id><title>Feed</title><updated>{site.updated.isoformat()}</updated>"
    )
    for entry_id, title, link, stamp, summary in _minimal_entries(site):
        parts.append(
            f"<entry><id>{escape(entry_id)}</id><title>{escape(title)}</title><link href={quoteattr(link)}/>"
            f"<published>{stamp}</published><updated>{stamp}</updated><summary>{escape(summary)}</summary></entry>"
        )
    parts.append("</feed>\n")
    return "\n".join(parts).encode()


def minimal_rss(site: Site) -> bytes:
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Feed</title>']
    parts.append(f"<link>{escape(site.calendar.url)}</link><description>Feed</description>")
    for entry_id, title, link, stamp, summary in _minimal_entries(site):
        parts.append(
            f"<item><title>{escape(title)}</title><link>{escape(link)}</link><guid>{escape(entry_id)}</guid>"
            f"<pubDate>{stamp}</pubDate><description>{escape(summary)}</description></item>"
        )
    parts.append("</channel></rss>\n")
    return "\n".join(parts).encode()


def minimal_json(site: Site) -> bytes:
    items = [
        {"id": entry_id, "url": link, "title": title, "content_text": summary, "date_published": stamp}
        for entry_id, title, link, stamp, summary in _minimal_entries(site)
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Feed", "items": items}
    return json.dumps(feed, ensure_ascii=False, indent=2).encode()


# -- timing ---------------------------------------------------------------------------------


def best_of(repeat: int, render: Callable[[], bytes]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated item counts (default 1000,10000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    args = parser.parse_args(argv)
    view = {name: View("en", path=f"/feed.{name}") for name in ("atom", "rss", "json")}
    ours: dict[str, Callable[[Site], bytes]] = {
        "atom": lambda site: render_atom(site, view["atom"]),
        "rss": lambda site: render_rss(site, view["rss"]),
        "json": lambda site: render_json(site, view["json"]),
    }
    minimal: dict[str, Callable[[Site], bytes]] = {"atom": minimal_atom, "rss": minimal_rss, "json": minimal_json}
    print(f"{'items':>7} {'feed':<5} {'calfeed ms':>11} {'minimal ms':>11} {'ratio':>6} {'calfeed KiB':>12}")
    for size in (int(value) for value in args.sizes.split(",")):
        site = make_site(size)
        for name in ("atom", "rss", "json"):
            body = ours[name](site)  # warm caches (Babel locales, Markdown) once, as a running server has them
            slow = best_of(args.repeat, lambda name=name, site=site: ours[name](site))
            fast = best_of(args.repeat, lambda name=name, site=site: minimal[name](site))
            print(
                f"{size:>7,} {name:<5} {slow * 1000:>11.1f} {fast * 1000:>11.1f} {slow / fast:>6.1f} "
                f"{len(body) / 1024:>12,.0f}",
                flush=True,
            )
        served = replace(site, calendar=replace(site.calendar, feed_limit=DEFAULT_LIMIT))
        for name in ("atom", "rss", "json"):
            limited = best_of(args.repeat, lambda name=name, served=served: ours[name](served))
            print(f"{size:>7,} {name:<5} {limited * 1000:>11.1f}  (the {DEFAULT_LIMIT} newest: what a server renders)")


if __name__ == "__main__":
    main()
