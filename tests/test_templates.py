"""calfeed's own templates serve by default; a site's folder replaces them one file at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from calfeed.settings import Settings, SettingsError
from calfeed.web import create_app

from conftest import BUNDLED

PAGES = ["/", "/news/", "/events/culture-summit-2021/", "/archive/2021/", "/style.css", "/embed/"]


def pages(events: Path, **config: str) -> dict[str, bytes]:
    app = create_app({"CALFEED_EVENTS": str(events), "CALFEED_TEMPLATES": "", "CALFEED_RELOAD_INTERVAL": "0", **config})
    client = app.test_client()
    answers = {path: client.get(path) for path in PAGES}
    assert {path: answer.status_code for path, answer in answers.items()} == dict.fromkeys(PAGES, 200)
    return {path: answer.data for path, answer in answers.items()}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The bundled example alone in a folder: no templates beside it."""
    events = tmp_path / "site" / "events.yaml"
    events.parent.mkdir()
    events.write_bytes(BUNDLED.read_bytes())
    return events


def test_without_a_templates_folder_the_defaults_serve(content: Path) -> None:
    served = pages(content)
    assert b'<h1 class="p-name" dir="auto">4th UCLG Culture Summit</h1>' in served["/events/culture-summit-2021/"]


def test_an_override_beside_the_content_replaces_one_page_and_can_extend_the_default(content: Path) -> None:
    before = pages(content)
    overrides = content.parent / "templates"
    overrides.mkdir()
    (overrides / "event.html").write_text(
        '{% extends "default:event.html" %}\n'
        '{% block main %}<p class="local-note">Registration closes a week before.</p>{{ super() }}{% endblock %}\n',
        encoding="utf-8",
    )
    after = pages(content)
    event = after["/events/culture-summit-2021/"]
    assert b'<p class="local-note">Registration closes a week before.</p>' in event
    assert b'<h1 class="p-name" dir="auto">4th UCLG Culture Summit</h1>' in event  # the default's block
    assert {path: body for path, body in after.items() if path != "/events/culture-summit-2021/"} == {
        path: body for path, body in before.items() if path != "/events/culture-summit-2021/"
    }


def test_calfeed_templates_names_the_override_folder(content: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "restyled"
    elsewhere.mkdir()
    (elsewhere / "style.css").write_text("body { color: rebeccapurple; }\n", encoding="utf-8")
    served = pages(content, CALFEED_TEMPLATES=str(elsewhere))
    assert served["/style.css"] == b"body { color: rebeccapurple; }"
    assert b'<h1 class="p-name" dir="auto">4th UCLG Culture Summit</h1>' in served["/events/culture-summit-2021/"]


def test_a_templates_setting_that_is_not_a_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"CALFEED_TEMPLATES='.*nope' is not a folder"):
        Settings(templates=str(tmp_path / "nope")).template_overrides()
