"""/events.json, the structured events for partner scripts: it holds to its own JSON Schema (served at
/schemas/events-v1.json, checked with jsonschema, formats included), and its facts agree with the model
and, for occurrences, with an independent reader of the calendar (recurring-ical-events on /calendar.ics)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import icalendar
import jsonschema
import pytest
import recurring_ical_events
from test_feeds import FORMATS as FORMAT_CHECKER

from calfeed.content import read_content

from conftest import BUNDLED, CONTENT

RICH = [BUNDLED, CONTENT / "ics-every-field.yaml", CONTENT / "ics-weekly-with-exceptions.yaml"]


def _validated(client, url: str) -> dict:
    schema = json.loads(client.get("/schemas/events-v1.json").data)
    jsonschema.Draft202012Validator.check_schema(schema)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    document = json.loads(response.data)
    jsonschema.Draft202012Validator(schema, format_checker=FORMAT_CHECKER).validate(document)
    assert document["$schema"] == schema["$id"]
    return document


@pytest.mark.parametrize("content", RICH, ids=lambda path: path.name)
def test_events_json_holds_to_its_schema_in_every_variant(make_app, content):
    client = make_app(content).test_client()
    site, _ = read_content(content)
    assert site is not None
    document = _validated(client, "/events.json")
    assert [event["id"] for event in document["events"]] == [event.id for event in site.events]
    for lang in site.calendar.languages:
        assert _validated(client, f"/{lang}/events.json")["language"] == lang
    for tag in site.tag_ids:
        tagged = _validated(client, f"/tags/{tag}/events.json")
        assert tagged["tag"]["id"] == tag
        assert [event["id"] for event in tagged["events"]] == [e.id for e in site.events if tag in e.tags]


def test_events_json_carries_every_field_of_a_rich_event(make_app):
    client = make_app(CONTENT / "ics-every-field.yaml").test_client()
    event = next(e for e in _validated(client, "/es/events.json")["events"] if e["id"] == "assembly-2030")
    assert event["title"] == "Asamblea General" and event["titles"]["en"] == "General Assembly"
    assert (event["all_day"], event["start"], event["end"]) == (True, "2030-05-06", "2030-05-08")
    assert event["location"]["name"] == "Palacio de Congresos" and event["location"]["lat"] == 41.3726
    assert event["attendance"] == "mixed" and event["online_url"] == "https://stream.example.org/assembly"
    assert {"id": "culture", "label": "Cultura", "url": "https://agenda.example.org/es/tags/culture/"} in event["tags"]
    assert event["image"] == {"url": "https://agenda.example.org/images/assembly.png", "alt": "The assembly hall"}
    assert event["organizer"] == {"name": "Secretariat, World Office", "email": "events@example.org"}
    assert event["status"] == "tentative"
    assert event["ics_url"] == "https://agenda.example.org/es/events/assembly-2030.ics"
    assert event["page_url"] == "https://agenda.example.org/es/events/assembly-2030/"
    assert event["occurrences"] == [{"start": "2030-05-06", "end": "2030-05-08", "cancelled": False}]


def test_timed_events_give_offsets_and_zone(make_app):
    client = make_app(CONTENT / "ics-weekly-with-exceptions.yaml").test_client()
    call = next(e for e in _validated(client, "/events.json")["events"] if e["id"] == "weekly-call")
    assert (call["start"], call["timezone"], call["all_day"]) == ("2021-03-15T18:00:00+01:00", "Europe/Berlin", False)
    starts = [(o["start"], o["cancelled"]) for o in call["occurrences"]]
    assert ("2021-03-29T18:00:00+02:00", False) in starts  # summer time: same wall clock, new offset
    assert ("2021-03-22T18:00:00+01:00", True) in starts  # an `except` date, listed as cancelled


@pytest.mark.parametrize("content", RICH, ids=lambda path: path.name)
def test_occurrences_agree_with_an_independent_reader_of_the_calendar(make_app, content):
    client = make_app(content).test_client()
    document = _validated(client, "/events.json")
    calendar = icalendar.Calendar.from_ical(client.get("/calendar.ics").data)
    expected: dict[str, set[object]] = {}
    for component in recurring_ical_events.of(calendar).between(date(1900, 1, 1), date(2100, 1, 1)):
        uid = str(component["UID"]).split("@")[0]
        expected.setdefault(uid, set()).add(_instant(component.decoded("DTSTART")))
    for event in document["events"]:
        listed = {_instant(_parse(o["start"])) for o in event["occurrences"] if not o["cancelled"]}
        assert listed == expected.get(event["id"], set()), event["id"]


def test_the_schema_is_at_a_stable_address_and_shared(client):
    response = client.get("/schemas/events-v1.json")
    assert json.loads(response.data)["$id"].endswith("/schemas/events-v1.json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/es/schemas/events-v1.json").status_code == 404  # one schema, not one per language


def _parse(text: str) -> date | datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text else date.fromisoformat(text)


def _instant(moment: date | datetime) -> object:
    return moment.astimezone(UTC) if isinstance(moment, datetime) else moment
