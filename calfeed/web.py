"""The Flask app: routes that serve what the renderers made, and HTTP concerns."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, abort, current_app
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from .render import FORMATS, Format, View
from .render.html import make_environment
from .routes import path, resolve
from .settings import Settings
from .store import ContentStore, Published

site = Blueprint("site", __name__)


class LanguageConverter(BaseConverter):
    """A language tag ("es", "pt-BR"), so that /no-such-page is not taken for a language."""

    regex = r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-[A-Z]{2}|-[0-9]{3})?"


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
    app.url_map.converters["language"] = LanguageConverter
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


def _serve(name: str, lang: str | None = None, tag: str | None = None, item: str | None = None) -> Response:
    """Return one output of the current content, rendering it once per version, path and (for pages) day."""
    published = _published()
    site_ = published.site
    route = resolve(site_, name, lang, tag, item)
    if route is None:
        return _not_found(name)
    spec = route.spec
    today = datetime.now(ZoneInfo(site_.calendar.timezone)).date() if spec.daily else date.min
    url_path = path(route)
    key = (url_path, today)
    body = published.rendered.get(key)
    if body is None:
        view = View(
            lang=route.lang,
            today=today,
            tag=route.tag,
            item=route.item,
            path=url_path,
            templates=current_app.extensions["calfeed.templates"],
        )
        body = published.rendered[key] = spec.render(site_, view)
    response = Response(body, content_type=spec.media_type, headers=dict(spec.headers))
    if spec.download:
        response.headers["Content-Disposition"] = f'attachment; filename="{url_path.rsplit("/", 1)[-1]}"'
    return response


def _not_found(name: str) -> Response:
    """Unknown language, tag, event or year: a short plain message for files, the error page for pages."""
    if FORMATS[name].media_type.startswith("text/html"):
        abort(404)
    return Response("Not found: no such language, tag or event here.\n", 404, content_type="text/plain; charset=utf-8")


def _rules(spec: Format) -> list[str]:
    """The Flask rules of one format: its pattern, under /<lang>/ and /tags/<tag>/ where it has those."""
    base = spec.pattern.replace("{item}", "<item>")
    tags = ["", "/tags/<tag>"] if spec.tagged else [""]
    langs = ["", "/<language:lang>"] if spec.localized else [""]
    return [lang + tag + base for lang in langs for tag in tags]


for _spec in FORMATS.values():
    for _rule_text in _rules(_spec):
        site.add_url_rule(_rule_text, _spec.name, _serve, defaults={"name": _spec.name})


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
