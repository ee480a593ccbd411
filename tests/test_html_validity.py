"""Every kind of page is valid HTML according to the Nu Html Checker (vnu), in several languages.

The checker is the `vnu-jar` npm package, run on Java: ``make test`` installs it and sets
``CALFEED_VNU`` to its jar. Without Java or the jar the test is skipped, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from calfeed.render.html import render_error_page

from conftest import CONTENT

ROOT = Path(__file__).parent.parent
DEFAULT_JAR = ROOT / ".cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar"

BUNDLED_PAGES = [
    "/",
    "/es/",
    "/fr/tags/intermediary-cities/",
    "/tags/accessibility/",
    "/events/culture-summit-2021/",
    "/es/events/resilient-city-training-2021/",
    "/fr/events/intermediary-cities-forum-2021/",
    "/news/",
    "/es/news/",
    "/archive/2021/",
    "/fr/archive/2022/",
    "/embed/",
    "/es/tags/intermediary-cities/embed/",
    "/month/2021-09/",  # the month view: multi-day events, in three languages, and one tag's
    "/es/month/2021-10/",
    "/fr/month/2022-11/",
    "/fr/tags/intermediary-cities/month/2021-10/",
    "/month/",  # this month: no events
    "/tags/",
    "/es/tags/",
    "/fr/tags/",
]
KINDS_PAGES = [
    "/",
    "/fr/",
    "/es/tags/housing/",
    "/events/timed-webinar-2031/",  # timed, online only, with a link
    "/es/events/timed-webinar-2031/",
    "/events/hybrid-congress-2031/",  # hybrid, image, Markdown description, related news
    "/fr/events/hybrid-congress-2031/",
    "/events/cancelled-forum-2031/",  # cancelled, timed over two days
    "/es/events/cancelled-forum-2031/",
    "/fr/events/tentative-retreat-2031/",
    "/events/online-course-2020/",  # online, no link
    "/fr/news/",
    "/es/archive/2031/",
    "/fr/embed/",
    "/archive/2020/",
    "/month/2031-06/",  # a multi-day event from May, a cancelled one over two days
    "/es/month/2031-12/",  # a tentative event into January
    "/fr/tags/",
]
REPEATING_PAGES = [
    "/",  # the series under upcoming or past (whichever today makes them), each with how it repeats
    "/es/",
    "/events/reading-group/",  # timed, weekly until June, two cancelled dates
    "/fr/events/market/",  # all-day, every two weeks, a cancelled date
    "/events/open-house/",  # endless, a cancelled date years ahead
    "/es/events/autumn-workshop/",  # over
    "/fr/archive/2026/",
    "/month/2026-03/",  # series: every occurrence, skipped ones cancelled, a change to summer time
    "/es/month/2026-02/",
    "/fr/tags/",
]


def vnu_jar() -> Path:
    jar = Path(os.environ.get("CALFEED_VNU") or DEFAULT_JAR)
    if shutil.which("java") is None:
        pytest.skip("the Nu Html Checker needs Java, and `java` is not on PATH")
    if not jar.is_file():
        pytest.skip(f"the Nu Html Checker is not installed: no {jar} (set CALFEED_VNU, or run `make test`)")
    return jar


def check(jar: Path, files: list[Path], *extra: str) -> list[str]:
    """Run vnu on `files`; return its errors as "file:line: message" strings."""
    run = subprocess.run(
        ["java", "-jar", str(jar), "--format", "json", "--exit-zero-always", *extra, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(run.stderr or run.stdout)
    return [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine', '?')}: {message['message']}"
        for message in report["messages"]
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]


def test_every_page_kind_is_valid_html(make_app, tmp_path):
    jar = vnu_jar()
    files: list[Path] = []
    for name, content, pages in (
        ("bundled", None, BUNDLED_PAGES),
        ("kinds", CONTENT / "html-kinds.yaml", KINDS_PAGES),
        ("repeating", CONTENT / "html-repeating.yaml", REPEATING_PAGES),
    ):
        app = make_app(content) if content else make_app()
        client = app.test_client()
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            files.append(tmp_path / f"{name}{path.replace('/', '_')}index.html")
            files[-1].write_bytes(response.data)
    not_found = app.test_client().get("/events/no-such-event/")
    assert not_found.status_code == 404
    (tmp_path / "error-404.html").write_bytes(not_found.data)
    files.append(tmp_path / "error-404.html")
    templates = app.extensions["calfeed.templates"]
    for lang in ("es", "fr"):
        page = render_error_page(
            templates, status=503, title="Service Unavailable", message="…", problems=["x"], lang=lang
        )
        (tmp_path / f"error-503-{lang}.html").write_text(page, encoding="utf-8")
        files.append(tmp_path / f"error-503-{lang}.html")
    errors = check(jar, files)
    assert errors == [], "\n".join(errors)


def test_stylesheets_are_valid_css(client, tmp_path):
    jar = vnu_jar()
    sheets = []
    for name in ("style.css", "embed.css"):
        sheets.append(tmp_path / name)
        sheets[-1].write_bytes(client.get(f"/{name}").data)
    errors = check(jar, sheets, "--css")
    assert errors == [], "\n".join(errors)
