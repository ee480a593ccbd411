"""The Flask app: routes that serve what the renderers made, and HTTP concerns."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, current_app, render_template
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, NotFound

from .render import FORMATS, View
from .render.html import make_environment
from .settings import Settings
from .store import ContentStore, Published

site = Blueprint("site", __name__)


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
    app = Flask(__name__, template_folder=templates)
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


@site.get("/")
def agenda() -> Response:
    return _serve("html")


@site.get("/calendar.ics")
def calendar() -> Response:
    return _serve("ics")


@site.get("/feed.atom")
def atom() -> Response:
    return _serve("atom")


@site.get("/feed.rss")
def rss() -> Response:
    return _serve("rss")


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
    output = FORMATS.get(name)
    if output is None:
        raise NotFound()
    site_ = published.site
    lang = site_.calendar.default_language
    today = datetime.now(ZoneInfo(site_.calendar.timezone)).date() if name == "html" else date.min
    key = (name, lang, today)
    body = published.rendered.get(key)
    if body is None:
        view = View(lang=lang, today=today, templates=current_app.extensions["calfeed.templates"])
        body = published.rendered[key] = output.render(site_, view)
    return Response(body, content_type=output.media_type)


def _published() -> Published:
    store: ContentStore = current_app.extensions["calfeed.store"]
    if store.current is None:
        raise NoContent()
    return store.current


def _no_content(error: NoContent) -> tuple[str, int]:
    store: ContentStore = current_app.extensions["calfeed.store"]
    problems = [str(problem) for problem in store.problems if problem.severity == "error"]
    return render_template(
        "error.html",
        status=503,
        title="No content to show yet",
        message="The content has problems; fix them and this page reloads with it.",
        problems=problems,
    ), 503


def _http_error(error: HTTPException) -> ResponseReturnValue:
    if error.code is None or error.code < 400:
        return error.get_response()
    return render_template(
        "error.html", status=error.code, title=error.name, message=error.description, problems=[]
    ), error.code
