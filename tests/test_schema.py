"""The content's JSON Schema agrees with `calfeed check`: what the checker accepts the schema accepts,
and what the schema can express (one value, one item at a time) it rejects too.

Files are read as an editor's YAML 1.2 reader types them (yaml-language-server: ``2021-09-09`` is
text, ``true`` and ``51.05`` are not) and validated with `jsonschema`, an independent validator.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from test_docs import FRAGMENT_CALENDAR, YAML, check_examples

from calfeed import content, limits, schema
from calfeed.cli import main
from calfeed.content import read_content
from calfeed.languages import normalise
from calfeed.problems import format_path
from calfeed.schema import SCHEMA_FILE, content_schema
from calfeed.starter import STARTER

from conftest import BUNDLED

VALIDATOR = jsonschema.Draft202012Validator(content_schema())


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader typing plain values by YAML 1.2's core schema, as editors do (PyYAML's own is
    YAML 1.1: dates become dates, yes/no booleans). Merge keys stay, as editors read them too."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _regex, _first in [
    ("bool", r"(?:true|True|TRUE|false|False|FALSE)", "tTfF"),
    ("int", r"[-+]?[0-9]+|0x[0-9a-fA-F]+", "-+0123456789"),
    (
        "float",
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        "-+.0123456789",
    ),
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("merge", r"<<", "<"),
]:
    Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_regex})$"), list(_first))


def as_editors_read(text: str) -> Any:
    return yaml.load(text, Loader=Yaml12Loader)  # noqa: S506 (a safe loader)


def schema_errors(text: str) -> list[str]:
    """Where the schema finds problems, as field paths ("events[0].id")."""
    return sorted({format_path(tuple(error.absolute_path)) for error in VALIDATOR.iter_errors(as_editors_read(text))})


def checker_errors(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = read_content(path)
    return [problem.field for problem in problems if problem.severity == "error"]


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(content_schema())


def test_the_schema_has_exactly_the_checkers_keys() -> None:
    schema = content_schema()
    defs = schema["$defs"]
    place = next(option for option in defs["event"]["properties"]["location"]["anyOf"] if "properties" in option)
    image = defs["event"]["properties"]["image"]
    organizer = next(o for o in defs["event"]["properties"]["organizer"]["anyOf"] if "properties" in o)
    found = {
        "top level": schema["properties"],
        "calendar": schema["properties"]["calendar"]["properties"],
        "events": defs["event"]["properties"],
        "news": defs["news"]["properties"],
        "location": place["properties"],
        "image": image["properties"],
        "organizer": organizer["properties"],
    }
    assert {where: tuple(keys) for where, keys in found.items()} == content.SCHEMA_KEYS


def test_the_bundled_content_validates() -> None:
    assert schema_errors(BUNDLED.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "block",
    [pytest.param(b, id=f"content.md:{b.line}") for b in YAML if not b.marker.startswith("rejected")],
)
def test_every_example_in_the_docs_validates(block) -> None:
    assert schema_errors(block.text if block.complete else FRAGMENT_CALENDAR + block.text) == []


@pytest.mark.parametrize(
    "block", [pytest.param(b, id=f"content.md:{b.line}") for b in YAML if b.marker.startswith("rejected")]
)
def test_the_rejected_examples_in_the_docs_are_rejected(block) -> None:
    assert schema_errors(block.text if block.complete else FRAGMENT_CALENDAR + block.text) != []


# What the checker finds that the schema cannot see: it needs the zone database, a real calendar, or
# other items and files. Each is matched against the checker's message.
BEYOND_THE_SCHEMA = {
    "does not exist in": "a clock change (the zone database)",
    "happens twice in": "a clock change (the zone database)",
    "is not a real date": "the length of a month",
    "offset on that day": "the zone's offset on a day (the zone database)",
    "duplicate event id": "other items",
    "is defined twice": "other files",
}


@pytest.mark.parametrize(
    ("block", "files"), [pytest.param(b, f, id=f"content.md:{b.line}") for b, f in check_examples()]
)
def test_the_documented_check_examples_agree_with_the_schema(block, files: dict[str, str], tmp_path: Path) -> None:
    """Each error `calfeed check` prints for a documented file is flagged by the schema at its field or
    the item holding it, unless it is one the schema cannot express; a file with no errors validates."""
    output = block.text.splitlines()[1:-1]
    for name, text in files.items():
        if any(part.startswith(".") for part in Path(name).parts):
            continue  # calfeed does not read it
        try:
            flagged = schema_errors(text)
        except yaml.YAMLError:  # the YAML itself is wrong (a syntax error, a tag): not data a schema sees
            continue
        errors = [line for line in output if line.startswith(f"{name}:") and ": warning: " not in line]
        missed = []
        for line in errors:
            field = line.split(": ", 2)[1] if line.count(": ") >= 2 else ""
            caught = any(field == where or field.startswith((f"{where}.", f"{where}[")) for where in flagged if where)
            if not caught and not any(words in line for words in BEYOND_THE_SCHEMA):
                missed.append(line)
        assert missed == [], f"the schema does not flag:\n{chr(10).join(missed)}\nit flags: {flagged}"
        if not errors:
            assert flagged == []


STARTER_EVENT = ("events", 0)
MUTATIONS = [  # (what, path to a mapping, key, new value or None to remove)
    ("a required key missing", STARTER_EVENT, "title", None),
    ("an unknown key", STARTER_EVENT, "titel", "Spring workshop"),
    ("an id that is not a slug", STARTER_EVENT, "id", "Spring Workshop"),
    ("a status that does not exist", STARTER_EVENT, "status", "postponed"),
    ("a URL with a scheme not allowed", STARTER_EVENT, "url", "javascript:alert(1)"),
    ("a URL with spaces", STARTER_EVENT, "url", "https://events.example.org/a page"),
    ("a date that is not a date", STARTER_EVENT, "start", "next Tuesday"),
    ("an all-day start with a timed end", STARTER_EVENT, "start", "2027-03-15"),
    ("a local start with an end at an offset", STARTER_EVENT, "end", "2027-03-15 16:00+01:00"),
    ("an end at UTC after a local start", STARTER_EVENT, "end", "2027-03-15T15:00Z"),
    ("except without repeat", STARTER_EVENT, "except", ["2027-03-22"]),
    ("a repeat every minute forever", STARTER_EVENT, "repeat", "FREQ=MINUTELY"),
    ("a repeat that is not an RRULE", STARTER_EVENT, "repeat", "every week"),
    ("a latitude out of range", (*STARTER_EVENT, "location"), "lat", 91.5),
    ("a latitude without a longitude", (*STARTER_EVENT, "location"), "lat", 51.05),
    ("a place with nothing about the place", STARTER_EVENT, "location", {"lat": 51.05, "lon": 3.72}),
    ("an image without alt text", STARTER_EVENT, "image", {"src": "images/workshop.jpg"}),
    ("a blank title", STARTER_EVENT, "title", "   "),
    ("a title with a control character", STARTER_EVENT, "title", "Spring\x07workshop"),
    ("an organizer email that is not one", STARTER_EVENT, "organizer", {"email": "events at example.org"}),
    ("a language code that is not one", ("calendar",), "languages", ["English"]),
    ("a refresh below a quarter hour", ("calendar",), "refresh_hours", 0.1),
    ("a news date with a time", ("news", 0), "date", "2027-02-01 10:00"),
    ("a tag that is not a slug", STARTER_EVENT, "tags", ["Work Shops"]),
    ("a title in a language code", STARTER_EVENT, "title", {"en": "Spring workshop"}),
    ("a repeat every week", STARTER_EVENT, "repeat", "FREQ=WEEKLY;COUNT=4"),
    ("an online event", STARTER_EVENT, "online", "https://meet.example.org/spring"),
    ("a place as one line", STARTER_EVENT, "location", "Town hall, Ghent"),
    # the limits (calfeed/limits.py): just over each, and just at it
    ("an id over 100 characters", ("news", 0), "id", "a" * 101),
    ("an id of 100 characters", ("news", 0), "id", "a" * 100),
    ("a title over 300 characters", STARTER_EVENT, "title", "T" * 301),
    ("a title of 300 characters in a language", STARTER_EVENT, "title", {"en": "T" * 300}),
    ("a title over 300 characters in a language", STARTER_EVENT, "title", {"en": "T" * 301}),
    ("a place's city over 300 characters", (*STARTER_EVENT, "location"), "city", "G" * 301),
    ("a place as a line over 300 characters", STARTER_EVENT, "location", "G" * 301),
    ("an organizer over 300 characters", STARTER_EVENT, "organizer", "O" * 301),
    ("an alt text over 1,000 characters", STARTER_EVENT, "image", {"alt": "A" * 1001}),
    ("a URL over 2,000 characters", STARTER_EVENT, "url", "https://events.example.org/" + "p" * 1974),
    ("a URL of 2,000 characters", STARTER_EVENT, "url", "https://events.example.org/" + "p" * 1973),
    ("a URL with a user and password", STARTER_EVENT, "url", "https://user:secret@events.example.org/"),
    ("a URL with a user", STARTER_EVENT, "online", "https://user@meet.example.org/"),
    ("a URL with an @ in its path", STARTER_EVENT, "url", "https://events.example.org/@team"),
    ("a tag too many", STARTER_EVENT, "tags", ["workshops"] * (limits.TAGS_PER_ITEM.most + 1)),
    ("as many tags as allowed", STARTER_EVENT, "tags", ["workshops"] * limits.TAGS_PER_ITEM.most),
    ("a repeat rule over 500 characters", STARTER_EVENT, "repeat", "FREQ=WEEKLY;COUNT=4" + ";BYHOUR=10" * 49),
    ("a tag label over 100 characters", ("tags",), "workshops", "W" * 101),
    ("a language too many", ("calendar",), "languages", [f"e{chr(97 + i)}" for i in range(limits.LANGUAGES.most + 1)]),
]


@pytest.mark.parametrize(("what", "where", "key", "value"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_the_schema_and_the_checker_agree_on_one_change_to_the_starter(
    what: str, where: tuple[Any, ...], key: str, value: Any, tmp_path: Path
) -> None:
    data = as_editors_read(STARTER)
    target = data
    for part in where:
        target = target[part]
    if value is None:
        del target[key]
    else:
        target[key] = value
    text = json.dumps(data)  # JSON is YAML: the checker reads exactly these values
    checker, schema = checker_errors(text, tmp_path), schema_errors(text)
    assert bool(checker) == bool(schema), f"{what}: the checker says {checker}, the schema {schema}"


def test_init_writes_a_starter_that_passes_check_and_the_schema(runner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["init", str(tmp_path / "agenda")])
    assert result.exit_code == 0, result.output
    events = tmp_path / "agenda" / "events.yaml"
    text = events.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_FILE}"
    assert {"calendar", "events", "news"} <= set(as_editors_read(text))
    checked = runner.invoke(main, ["check", str(events)])
    assert checked.exit_code == 0 and checked.stderr == "", checked.output  # not even a warning
    written = (tmp_path / "agenda" / SCHEMA_FILE).read_text(encoding="utf-8")
    assert written == runner.invoke(main, ["schema"]).stdout
    assert list(jsonschema.Draft202012Validator(json.loads(written)).iter_errors(as_editors_read(text))) == []


def test_init_never_overwrites(runner, tmp_path: Path) -> None:
    (tmp_path / "events.yaml").write_text("calendar: {title: Mine, url: 'https://mine.example.org/'}\n")
    result = runner.invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path / 'events.yaml'} already exists (expected a folder without events.yaml; nothing written)\n"
    )
    assert (tmp_path / "events.yaml").read_text().startswith("calendar: {title: Mine")
    assert not (tmp_path / SCHEMA_FILE).exists()


@pytest.mark.parametrize(
    "code", ["en", "pt-BR", "pt-br", "PT_br", "zh-Hant-TW", "es-419", " fr ", "eng", "e", "english", "pt-", "x-klingon"]
)
def test_the_schema_reads_language_codes_as_the_checker_does(code: str) -> None:
    assert (re.fullmatch(schema.LANGUAGE, code) is not None) == (normalise(code) is not None)
