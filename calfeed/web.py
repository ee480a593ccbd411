"""The Flask app: routes that serve what the renderers made, and HTTP concerns."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, current_app
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from .render import FORMATS, View
from .render.html import make_environment
from .settings import Settings
from .store import ContentStore, Published

site = Blueprint("site", __name__)


def _rule(filename: str) -> str:
    """The URL path of a format's file name: index.html is the folder itself."""
    return "/" if filename == "index.html" else f"/{filename}"


class NoContent(Exception):
    """No version of the content has ever loaded without errors."""


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from ``CALFEED_*`` environment variables, then from `config`.

    `config` keys are the same names as the environment variables
    (``{"CALFEED_EVENTS": "tests/content/x.yaml", "CALFEED_RELOAD_INTERVAL": 0}``).
    The content is loaded before this returns; a broken first version is served
    as 503 pages listing its problems until an edit fixes it.
    """
    settings = Settings.from_mapping({**os.environ, **(config or {})})
    templates = settings.templates_path()
    app = Flask(__name__)
    app.config["CALFEED"] = settings
    store = ContentStore(settings.events, max_bytes=settings.max_bytes)
    store.refresh()
    if settings.reload_interval > 0:
        store.watch(settings.reload_interval)
    app.extensions["calfeed.store"] = store
    app.extensions["calfeed.templates"] = make_environment(templates)
    app.register_blueprint(site)
    app.register_error_handler(NoContent, _no_content)
    app.register_error_handler(HTTPException, _http_error)
    return app


@site.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    store: ContentStore = current_app.extensions["calfeed.store"]
    body = {
        "status": "ok" if store.current else "no valid content",
        "version": store.current.site.version if store.current else None,
        "problems": [str(problem) for problem in store.problems if problem.severity == "error"],
    }
    return body, 200 if store.current else 503


def _serve(name: str) -> Response:
    """Return format `name` of the current content, rendering it once per version, language and day."""
    published = _published()
    output = FORMATS[name]
    site_ = published.site
    lang = site_.calendar.default_language
    today = datetime.now(ZoneInfo(site_.calendar.timezone)).date() if name == "html" else date.min
    key = (name, lang, today)
    body = published.rendered.get(key)
    if body is None:
        view = View(lang=lang, today=today, templates=current_app.extensions["calfeed.templates"])
        body = published.rendered[key] = output.render(site_, view)
    return Response(body, content_type=output.media_type)


for _format in FORMATS.values():
    site.add_url_rule(_rule(_format.filename), _format.name, _serve, defaults={"name": _format.name})


def _published() -> Published:
    store: ContentStore = current_app.extensions["calfeed.store"]
    if store.current is None:
        raise NoContent()
    return store.current


def _no_content(error: NoContent) -> tuple[str, int]:
    store: ContentStore = current_app.extensions["calfeed.store"]
    problems = [str(problem) for problem in store.problems if problem.severity == "error"]
    message = "The content has problems. Once they are fixed, reload this page."
    return _error_page(503, "No content to show yet", message, problems)


def _http_error(error: HTTPException) -> ResponseReturnValue:
    if error.code is None or error.code < 400:
        return error.get_response()
    return _error_page(error.code, error.name, error.description or "", [])


def _error_page(status: int, title: str, message: str, problems: list[str]) -> tuple[str, int]:
    """Render the site's error.html: no traceback ever reaches a visitor."""
    templates = current_app.extensions["calfeed.templates"]
    page = templates.get_template("error.html").render(status=status, title=title, message=message, problems=problems)
    return page, status
