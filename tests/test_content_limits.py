"""What one value or list may hold (calfeed/limits.py), and content that means harm: URLs with credentials,
bidirectional controls, news dated far ahead, control characters in what `calfeed check` prints."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from calfeed import limits
from calfeed.checks import BIDI, BREAK, CONTROL, FieldChecker
from calfeed.cli import main
from calfeed.content import read_content
from calfeed.problems import Problem, Problems

HEAD = "calendar:\n  title: Limits\n  url: https://agenda.example.org/\n"
EVENT = "events:\n  - id: fair\n    title: Fair\n    start: 2030-05-01\n    location: Ghent\n"


def problems_in(text: str, tmp_path: Path) -> tuple[object, list[Problem]]:
    file = tmp_path / "events.yaml"
    file.write_text(text, encoding="utf-8")
    return read_content(file)


def event_with(field: str) -> str:
    return HEAD + EVENT + "".join(f"    {line}\n" for line in field.splitlines())


# (what, the field as written under the event (or the whole file), the field path, its line, column, limit)
# Each is one over its limit; `at` is the same, at the limit, which passes.
TAGS, LANGS = limits.TAGS_PER_ITEM.most, limits.LANGUAGES.most
CODES = [f"e{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(LANGS + 1)]  # one language too many
DAYS = [str(date(2030, 5, 2) + timedelta(days=i)) for i in range(1001)]
OVER = [
    ("an event id", HEAD + f"events:\n  - id: {'a' * 101}\n    title: F\n    start: 2030-05-01\n    location: G\n",
     "events[0].id", 5, 9, limits.ID, 101),
    ("a news id", HEAD + f"news:\n  - id: {'n' * 101}\n    title: F\n", "news[0].id", 5, 9, limits.ID, 101),
    ("a tag", event_with(f"tags: [{'t' * 101}]"), "events[0].tags[0]", 9, 12, limits.ID, 101),
    ("a declared tag", HEAD + f"tags:\n  {'t' * 101}: T\n", "tags." + "t" * 101, 5, 3, limits.ID, 101),
    ("a title", event_with("").replace("title: Fair", f"title: {'T' * 301}"), "events[0].title", 6, 12,
     limits.TITLE, 301),
    ("a title in a language", event_with("").replace("title: Fair", f"title: {{en: {'T' * 301}}}"),
     "events[0].title.en", 6, 17, limits.TITLE, 301),
    ("the calendar's title", HEAD.replace("title: Limits", f"title: {'T' * 301}"), "calendar.title", 2, 10,
     limits.TITLE, 301),
    ("a tag label", HEAD + f"tags:\n  fair: {'L' * 101}\n", "tags.fair", 5, 9, limits.LABEL, 101),
    ("a place", event_with("").replace("location: Ghent", f"location: {'P' * 301}"), "events[0].location", 8, 15,
     limits.PLACE, 301),
    ("a place's address", event_with("").replace("location: Ghent", f"location: {{address: {'P' * 301}}}"),
     "events[0].location.address", 8, 25, limits.PLACE, 301),
    ("an organizer", event_with(f"organizer: {'O' * 301}"), "events[0].organizer", 9, 16, limits.ORGANIZER, 301),
    ("an organizer's email", event_with(f"organizer: {{email: {'e' * 250}@example.org}}"),
     "events[0].organizer.email", 9, 24, limits.EMAIL, 262),
    ("an alt text", event_with(f"image: {{alt: {'A' * 1001}}}"), "events[0].image.alt", 9, 18, limits.ALT, 1001),
    ("a URL", event_with(f"url: https://example.org/{'u' * 1981}"), "events[0].url", 9, 10, limits.URL, 2001),
    ("an image address", event_with(f"image: {{alt: A, src: https://example.org/{'u' * 1981}}}"),
     "events[0].image.src", 9, 26, limits.URL, 2001),
    ("a repeat rule", event_with("repeat: FREQ=WEEKLY;COUNT=04;BYMONTH=05" + ",5" * 235), "events[0].repeat", 9, 13,
     limits.RULE, 501),
    ("a source_uid", event_with(f"source_uid: {'s' * 1001}"), "events[0].source_uid", 9, 17, limits.SOURCE_UID,
     1001),
    ("tags on an event", event_with("tags: [" + ", ".join(f"t{i}" for i in range(TAGS + 1)) + "]"), "events[0].tags",
     9, 11, limits.TAGS_PER_ITEM, TAGS + 1),
    ("except dates", event_with("repeat: FREQ=DAILY;COUNT=2000\nexcept: [" + ", ".join(DAYS) + "]"),
     "events[0].except", 10, 13, limits.EXCEPTIONS, 1001),
    ("linked events", HEAD + EVENT + "news:\n  - id: post\n    title: P\n    events: [" + ", ".join(["fair"] * 101)
     + "]\n", "news[0].events", 12, 13, limits.LINKED, 101),
    ("languages", HEAD + "  languages: [" + ", ".join(CODES) + "]\n", "calendar.languages", 4, 14, limits.LANGUAGES,
     LANGS + 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "field", "line", "column", "limit", "found"),
    [pytest.param(*case[1:], id=case[0]) for case in OVER],
)
def test_a_value_over_its_limit_is_a_located_error_naming_the_limit(
    text: str, field: str, line: int, column: int, limit: limits.Limit, found: int, tmp_path: Path
) -> None:
    site, problems = problems_in(text, tmp_path)
    errors = [p for p in problems if p.severity == "error"]
    assert site is None
    assert [(p.line, p.column, p.field, p.message) for p in errors] == [(line, column, field, limit.message(found))]
    assert f"at most {limit.most:,} {limit.unit}" in str(errors[0])


@pytest.mark.parametrize(("text", "limit"), [pytest.param(case[1], case[5], id=case[0]) for case in OVER])
def test_a_value_at_its_limit_passes(text: str, limit: limits.Limit, tmp_path: Path) -> None:
    """The same files, each one unit shorter (a tag fewer, a character fewer): accepted."""
    at_limit = (
        text.replace("a" * 101, "a" * 100).replace("n" * 101, "n" * 100).replace("t" * 101, "t" * 100)
        .replace("T" * 301, "T" * 300).replace("L" * 101, "L" * 100).replace("P" * 301, "P" * 300)
        .replace("O" * 301, "O" * 300).replace("e" * 250, "e" * 242).replace("A" * 1001, "A" * 1000)
        .replace("u" * 1981, "u" * 1980).replace("COUNT=04", "COUNT=4")
        .replace("s" * 1001, "s" * 1000).replace(f", t{TAGS}]", "]").replace(", 2031-01-01]", "]")
        .replace(", fair]", "]").replace(f", {CODES[-1]}]", "]")
    )  # fmt: skip
    if limit is limits.EXCEPTIONS:
        at_limit = re.sub(r", [0-9-]+\]", "]", at_limit)
    site, problems = problems_in(at_limit, tmp_path)
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert site is not None


def test_tags_past_the_limit_in_all_are_one_error_at_the_first_one_too_many(tmp_path: Path) -> None:
    most = limits.TAGS.most
    full = most // 10  # events of 10 tags each that reach the limit; the next one's first tag is one too many
    tags = [", ".join(f"t{i}-{j}" for j in range(10)) for i in range(full + 1)]
    events = "".join(
        f"  - id: e{i}\n    title: E\n    start: 2030-05-01\n    location: G\n    tags: [{tags[i]}]\n"
        for i in range(full + 1)
    )
    site, problems = problems_in(HEAD + "events:\n" + events, tmp_path)
    assert site is None
    assert [(p.line, p.column, p.field) for p in problems] == [(9 + 5 * full, 12, f"events[{full}].tags[0]")]
    assert problems[0].message == (
        f"'t{full}-0' is one tag too many: the content has {most + 1} different tags "
        f"(expected at most {most} different tags in all)"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:secret@example.org/x", "'https://…@example.org/x'"),
        ("https://user@example.org/", "'https://…@example.org/'"),
        ("http://:secret@example.org/", "'http://…@example.org/'"),
        ("HTTPS://a%40b:c@example.org:8443/", "'HTTPS://…@example.org:8443/'"),
    ],
)
def test_a_url_with_credentials_is_refused_without_repeating_them(url: str, shown: str, tmp_path: Path) -> None:
    _, problems = problems_in(event_with(f"online: '{url}'"), tmp_path)
    assert [(p.line, p.column, p.field) for p in problems] == [(9, 13, "events[0].online")]
    assert problems[0].message.startswith(f"{shown} carries a user name or password before its host")
    assert "secret" not in str(problems[0]) and "user" not in problems[0].message.split(" carries")[0]


def test_an_at_sign_after_the_host_is_not_a_credential(tmp_path: Path) -> None:
    site, problems = problems_in(event_with("url: https://example.org/@team?by=a@b.org"), tmp_path)
    assert site is not None and problems == []


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200f", "\u200e", "\u061c"])
def test_a_bidirectional_control_is_a_located_warning(control: str, tmp_path: Path) -> None:
    site, problems = problems_in(event_with("").replace("title: Fair", f'title: "Fair {control}gpj.exe"'), tmp_path)
    assert site is not None  # published: a right-to-left text may need one
    assert [(p.line, p.column, p.field, p.severity) for p in problems] == [(6, 12, "events[0].title", "warning")]
    assert problems[0].message.startswith(f"contains the bidirectional control U+{ord(control):04X} at position 6")


def test_every_character_a_text_check_looks_for_is_reported_inside_printable_text() -> None:
    """`FieldChecker.string` looks for control characters, line breaks and bidi controls only in a text
    `str.isprintable` refuses: each one they match, amid printable words, is still a problem (or a warning)."""
    every = "".join(map(chr, range(0x110000)))
    sought = sorted({char for pattern in (CONTROL, BREAK, BIDI) for char in pattern.findall(every)})
    assert len(sought) > 2_000  # the surrogates alone are 2,048
    for char in sought:
        problems = Problems()
        FieldChecker(problems.in_file("events.yaml")).string(f"Fair {char} in Ghent", ("title",), one_line=True)
        [pending] = problems.pending
        assert re.search(f"U\\+{ord(char):04X}\\)? at position 6\\b", pending.message), pending.message


def test_a_news_post_dated_over_a_year_ahead_is_a_warning(tmp_path: Path) -> None:
    text = HEAD + "news:\n  - id: later\n    title: Later\n    date: 2099-01-01\n  - id: soon\n    title: Soon\n"
    site, problems = problems_in(text + "    date: 2000-01-01\n", tmp_path)
    assert site is not None
    assert [(p.line, p.column, p.field, p.severity) for p in problems] == [(7, 11, "news[0].date", "warning")]
    assert problems[0].message.startswith("2099-01-01 is more than a year ahead")


HOSTILE = "a\\rb\\nc\\x1b[2J\\x1b]0;owned\\x07\\u202ed\\x9b"  # as YAML escapes, in double quotes


@pytest.mark.parametrize(
    "field",
    [
        f'status: "{HOSTILE}"',
        f'online: "{HOSTILE}"',
        f'tags: ["{HOSTILE}"]',
        f'url: "https://example.org/{HOSTILE}"',
        f'"{HOSTILE}": 1',
        f'location: {{"{HOSTILE}": 1}}',
        f'repeat: "{HOSTILE}"',
        f'organizer: {{email: "{HOSTILE}"}}',
    ],
)
def test_messages_show_control_characters_escaped(field: str, runner, tmp_path: Path) -> None:
    text = HEAD + "events:\n  - id: fair\n    title: Fair\n    start: 2030-05-01\n    " + field + "\n"
    (tmp_path / "events.yaml").write_text(text, encoding="utf-8")
    _, problems = read_content(tmp_path / "events.yaml")
    result = runner.invoke(main, ["check", str(tmp_path / "events.yaml")])
    assert result.exit_code == 1
    printed = result.stderr
    assert not any(char in printed for char in "\r\x1b\x07\x9b\u202e"), repr(printed)
    assert printed.count("\n") == len(problems) + 1  # one line per problem and the summary: none was split
    assert "\\x1b" in printed or "U+001B" in printed


def test_a_value_quoted_in_a_message_is_cut(tmp_path: Path) -> None:
    _, problems = problems_in(event_with("").replace("start: 2030-05-01", f"start: {'9' * 1_000_000}"), tmp_path)
    assert len(problems) == 1 and len(str(problems[0])) < 500
    assert problems[0].message.startswith(f"'{'9' * 100}…' is not a date")


def test_the_google_link_stays_short_whatever_the_description(tmp_path: Path, make_app) -> None:
    words = " ".join(["Ünïcode wörds, é and ü"] * 850)  # 19,549 characters, most of them encoded as 3 to 6
    file = tmp_path / "events.yaml"
    file.write_text(event_with(f"summary: {json.dumps('A short summary.')}\ndescription: {json.dumps(words)}"))
    client = make_app(file).test_client()
    response = client.get("/events/fair/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    start = page.index("https://calendar.google.com/calendar/render?")
    link = page[start : page.index('"', start)].replace("&amp;", "&")
    assert len(link) <= limits.GOOGLE_LINK_CHARS
    details = parse_qs(urlsplit(link).query)["details"][0]
    assert details.startswith("A short summary.\n\nÜnïcode wörds, é and ü")
    assert details.endswith("…\n\nhttps://agenda.example.org/events/fair/")
    assert len(page) < 3 * len(words)  # the description once, the link a fraction of it


def test_build_names_a_file_it_cannot_write_and_why(runner, tmp_path: Path) -> None:
    content = tmp_path / "events.yaml"
    content.write_text(event_with(""), encoding="utf-8")
    outdir = tmp_path / ("x" * 250)  # a valid name, but not with the build's temporary suffix
    result = runner.invoke(main, ["build", str(outdir), str(content)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot write {outdir}: File name too long (expected shorter names: most file systems hold at most "
        f"255 bytes in each; {outdir} was left as it was)\n"
    )
