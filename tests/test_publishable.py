"""Accepted ⇒ publishable: for generated content that `check` accepts, every route of the one-event site answers
200 within a second.

The content is built to reach the edges `check` guards: Markdown nested and bracketed just under and
over the limits of calfeed/descriptions.py, raw HTML, long lines and fields, odd Unicode (bidi
controls, combining marks, astral characters, zero-width and replacement characters), repeat rules
of every frequency with BY-parts, COUNT, UNTIL and except dates (some that barely occur), time zones
with odd offsets and transitions, all-day and multi-day events, news linking the event, and tags.
Refused content is skipped; a route listed by `routes.every_route` exists, so each must answer 200.
Month pages of a long series are sampled (first, last and a few between), not all walked.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from calfeed import descriptions
from calfeed.content import read_content
from calfeed.routes import every_route, path

ZONES = [
    "UTC",
    "Europe/Brussels",
    "Europe/Dublin",  # negative summer time in the zone database
    "America/St_Johns",  # -03:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # a half-hour change of the clocks
    "Pacific/Kiritimati",  # +14
    "Pacific/Apia",  # skipped a whole day in 2011
    "America/Sao_Paulo",
]
LANGUAGES = ["en", "fr", "ar", "pt-BR", "zh-Hant-TW"]
ODD = [
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u0301",  # combining acute
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\ufeff",  # byte-order mark
    "\ufffd",  # replacement character
    "\U0001f600",  # astral
    "\U00010348",  # Gothic letter (astral, not an emoji)
    "\u00a0",
    "\U000e0001",  # a language tag (format character)
    "\ue000",  # private use
    "&amp;",
    "<script>alert(1)</script>",
    "]]>",
    "{{ 7*7 }}",
    "\\",
    '"',
    "'",
]
SECONDS_PER_ROUTE = 1.0


def _text(min_size: int = 0, max_size: int = 60, odd: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    plain = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=min_size, max_size=max_size)
    return st.lists(plain | st.sampled_from(ODD + list(odd)), min_size=1, max_size=4).map("".join)


NUL_ISH = ("\x00", "\x1b", "\x85", "\ud800", "\u2028", "\n\t")  # refused in some fields or all: only in a summary


def _markdown_piece(draw: st.DrawFn) -> str:
    limit = descriptions.MAX_DEPTH
    depth = draw(st.sampled_from([1, 5, limit - 1, limit, limit + 1]))
    signs = draw(st.integers(1, 600))
    return draw(
        st.sampled_from(
            [
                "- " * depth + "item",
                "> " * depth + "quote",
                "1. " * depth + "numbered",
                "    " * min(depth, 12) + "- indented",
                "[ " * signs + "x",
                "![" * (signs // 2) + "y",
                "<a " * (signs // 3),
                "`" * signs,
                "[link](javascript:alert(1)) <img src=x onerror=alert(1)> <iframe src=//x.example>",
                "# Heading\n\n###### Six\n\nText",
                "```\ncode <b>\n```",
                "| a | b |\n|---|---|\n| 1 | 2 |",
                "<https://x.example/a?b=c&d=e>",
                "&#0; &#x110000; &unknown; &amp;",
                "word " * draw(st.integers(100, 3_900)),  # near the 20,000 characters
                "x" * draw(st.integers(1_000, 19_000)),  # one long line
                "* * *\n\n---\n\n___",
                "[a]: https://x.example/\n\n[a] [a][] [b][a]",
            ]
        )
    )


@st.composite
def markdown(draw: st.DrawFn) -> str:
    pieces = [_markdown_piece(draw) for _ in range(draw(st.integers(1, 3)))]
    pieces += draw(st.lists(_text(max_size=40), max_size=2))
    return "\n\n".join(pieces)


@st.composite
def rules(draw: st.DrawFn, all_day: bool) -> str:
    freq = draw(st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"]))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 12))}")
    by = {
        "BYDAY": st.sampled_from(["MO", "SU,SA", "1MO", "-1FR", "MO,TU,WE,TH,FR", "2TH", "53MO"]),
        "BYMONTHDAY": st.sampled_from(["1", "-1", "29", "30", "31", "15,-15", "28,29,30,31"]),
        "BYMONTH": st.sampled_from(["2", "1,7", "12", "2,4,6,9,11"]),
        "BYYEARDAY": st.sampled_from(["1", "-1", "60", "366", "100,200"]),
        "BYWEEKNO": st.sampled_from(["1", "53", "-1", "20"]),
        "BYSETPOS": st.sampled_from(["1", "-1", "2"]),
        "BYHOUR": st.sampled_from(["0", "9,17", "23"]),
        "BYMINUTE": st.sampled_from(["0", "30", "0,15,30,45"]),
        "BYSECOND": st.sampled_from(["0", "59"]),
    }
    for name in draw(st.lists(st.sampled_from(sorted(by)), unique=True, max_size=3)):
        parts.append(f"{name}={draw(by[name])}")
    end = draw(st.sampled_from(["", "count", "until"]))
    if end == "count":
        parts.append(f"COUNT={draw(st.sampled_from([1, 2, 10, 500, 9_999, 10_000]))}")
    elif end == "until":
        until = draw(st.sampled_from(["20300105", "20310101", "20990101", "21500101", "19800101"]))
        parts.append(f"UNTIL={until}" if all_day else f"UNTIL={until}T000000Z")
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(['MO', 'SU']))}")
    return ";".join(parts)


@st.composite
def sites(draw: st.DrawFn) -> str:
    """The YAML of a calendar with one event, and maybe news posts linking it."""
    languages = draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3, unique=True))

    def text(strategy: st.SearchStrategy[str]) -> object:
        if len(languages) == 1 or draw(st.booleans()):
            return draw(strategy)
        return {lang: draw(strategy) for lang in draw(st.lists(st.sampled_from(languages), min_size=1, unique=True))}

    tags = draw(st.lists(st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,6})?", fullmatch=True), max_size=3, unique=True))
    edges = st.sampled_from([date(1000, 1, 1), date(9997, 1, 1), date(9997, 12, 31), date(2011, 12, 29)])
    first = draw(st.dates(min_value=date(1970, 1, 1), max_value=date(2100, 12, 31)) | edges)
    all_day = draw(st.booleans())
    event: dict[str, object] = {"id": "event-" + draw(st.from_regex(r"[a-z0-9]{1,20}", fullmatch=True))}
    event["title"] = text(_text(min_size=1, max_size=draw(st.sampled_from([20, 300]))))
    if all_day:
        event["start"] = first.isoformat()
        if draw(st.booleans()):
            event["end"] = (first + timedelta(days=draw(st.sampled_from([0, 1, 6, 40, 400])))).isoformat()
    else:
        start = datetime.combine(first, datetime.min.time()) + timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))
        event["start"] = start.strftime("%Y-%m-%d %H:%M")
        if draw(st.booleans()):
            minutes = draw(st.sampled_from([0, 30, 90, 60 * 30, 60 * 24 * 9]))
            event["end"] = (start + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")
        if draw(st.booleans()):
            event["timezone"] = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        event["location"] = (
            draw(_text(min_size=1))
            if draw(st.booleans())
            else {"name": draw(_text(min_size=1)), "city": draw(_text(min_size=1)), "lat": -89.5, "lon": 179.9}
        )
    event["online"] = draw(st.sampled_from([True, False, "https://meet.example/x?a=1&b=<2>"]))
    if tags:
        event["tags"] = draw(st.lists(st.sampled_from(tags), min_size=1, unique=True))
    if draw(st.booleans()):
        event["url"] = draw(
            st.sampled_from(["https://x.example/" + "a" * 2000, "mailto:a@x.example", "https://x.example/é?q=\"'"])
        )
    if draw(st.booleans()):
        event["image"] = {"alt": draw(_text(min_size=1)), "src": "https://x.example/i.png"}
    if draw(st.booleans()):
        event["summary"] = text(_text(odd=NUL_ISH))
    if draw(st.booleans()):
        event["description"] = text(markdown())
    event["status"] = draw(st.sampled_from(["confirmed", "tentative", "cancelled"]))
    if draw(st.integers(0, 2)):
        event["repeat"] = draw(rules(all_day))
        if draw(st.booleans()):
            offsets = draw(st.lists(st.sampled_from([0, 1, 7, 14, 28, 365]), min_size=1, max_size=3, unique=True))
            event["except"] = [(first + timedelta(days=days)).isoformat() for days in offsets]
    news = []
    for n in range(draw(st.integers(0, 2))):
        entry: dict[str, object] = {"id": f"news-{n}", "title": text(_text(min_size=1))}
        if draw(st.booleans()):
            entry["date"] = draw(st.dates(min_value=date(1970, 1, 1), max_value=date(2100, 1, 1))).isoformat()
        entry["events"] = [event["id"]]
        if tags and draw(st.booleans()):
            entry["tags"] = tags[:1]
        if draw(st.booleans()):
            entry["summary"] = text(_text(max_size=draw(st.sampled_from([100, 5_000]))))
        news.append(entry)
    calendar: dict[str, object] = {
        "title": text(_text(min_size=1)),
        "url": "https://agenda.example.org/",
        "timezone": draw(st.sampled_from(ZONES)),
        "languages": languages,
    }
    content: dict[str, object] = {"calendar": calendar, "events": [event]}
    if tags and draw(st.booleans()):
        content["tags"] = {tag: text(_text(min_size=1)) for tag in tags}
    if news:
        content["news"] = news
    return _yaml(content)


def _yaml(value: object, indent: str = "") -> str:
    """`value` as block YAML with every string double-quoted (JSON's escapes are YAML's), so any text fits."""
    if isinstance(value, dict):
        return "".join(f"{indent}{key}:{_nested(item, indent)}" for key, item in value.items())
    if isinstance(value, list):
        return "".join(f"{indent}-{_nested(item, indent)}" for item in value)
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "backslashreplace").decode()  # "\ud800" stays escaped


def _nested(item: object, indent: str) -> str:
    return f"\n{_yaml(item, indent + '  ')}" if isinstance(item, dict | list) else f" {_yaml(item)}\n"


def _started_on_the_rule(yaml_text: str, problems: list) -> str:
    """`yaml_text` with the event moved (start and end) to the first date of its rule, when check names one."""
    first = re.compile(r"its first date, ([0-9: -]+)\)$")
    found = next((m for p in problems if p.field.endswith(".start") and (m := first.search(p.message))), None)
    was = re.search(r'(?m)^    start: "([^"]*)"$', yaml_text)
    if found is None or was is None:
        return yaml_text
    moved = datetime.fromisoformat(found[1]) - datetime.fromisoformat(was[1])

    def shifted(line: re.Match[str]) -> str:
        form = "%Y-%m-%d %H:%M:%S" if " " in line[2] else "%Y-%m-%d"  # a date stays a date
        return f'{line[1]}"{datetime.fromisoformat(line[2]) + moved:{form}}"'

    return re.sub(r'(?m)^(    (?:start|end): )"([^"]*)"$', shifted, yaml_text)


def _sampled(routes: list) -> list:
    """Every route, but at most the first, last and every 50th month page of one kind (a series may have hundreds)."""
    months = [route for route in routes if route.format == "month"]
    kept = set(map(id, months[::50] + months[-1:]))
    return [route for route in routes if route.format != "month" or id(route) in kept]


def _one_event(**fields: object) -> str:
    """A regression example: the YAML of a calendar whose one event has `fields` (beside an id, title and start)."""
    event = {"id": "x", "title": "X", "start": "2030-01-07", "online": True, **fields}
    return _yaml({"calendar": {"title": "T", "url": "https://agenda.example.org/"}, "events": [event]})


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(sites())
@example(_one_event(repeat="FREQ=MONTHLY;BYDAY=53MO;BYMONTH=2,4,6,9,11;BYMONTHDAY=-1"))  # IndexError in dateutil
@example(_one_event(repeat="FREQ=DAILY;BYDAY=1MO;BYMONTH=2"))  # the same, through check's yearly probe
@example(_one_event(start="9997-12-31", repeat="FREQ=WEEKLY"))  # events.json and month pages: past date.max
@example(_one_event(start="9997-12-31 23:00", timezone="Pacific/Kiritimati"))
@example(_one_event(start="2030-12-31", end="2031-01-01", repeat="FREQ=YEARLY;COUNT=9000"))  # its last day: 10000
@example(_one_event(start="1000-01-01", end="5000-01-01", repeat="FREQ=YEARLY;COUNT=3"))  # 4,000 years long
def test_every_route_of_accepted_content_answers_200_within_a_second(make_app, yaml_text):
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "events.yaml"
        file.write_text(yaml_text, encoding="utf-8")
        site, problems = read_content(file)
        if site is None and (moved := _started_on_the_rule(yaml_text, problems)) != yaml_text:
            file.write_text(moved, encoding="utf-8")  # the start its rule gives (check names it), not refused
            site, problems = read_content(file)
        if site is None:  # refused: the property says nothing about it
            note(f"refused: {[str(p) for p in problems if p.severity == 'error'][:3]}")
            return
        client = make_app(file).test_client()
        for route in _sampled(list(every_route(site))):
            url = path(route)
            began = time.process_time()  # CPU time: what the route costs, however busy the machine is
            response = client.get(url)
            took = time.process_time() - began
            assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:500])
            assert took < SECONDS_PER_ROUTE, (url, took)
