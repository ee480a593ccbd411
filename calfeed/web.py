"""The Flask app: routes that serve what the renderers made, and HTTP concerns."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from . import gzip_chunks, languages
from .http import (
    HTML_POLICY,
    LARGE,
    PREFLIGHT,
    REFERRER_POLICY,
    Output,
    Outputs,
    Policy,
    Responder,
    answer,
    today_in,
)
from .render import FORMATS, Format, ics
from .render.html import make_environment, render_error_page
from .routes import Route, resolve
from .settings import Settings
from .store import ContentStore, Finish, Published, Stop

site = Blueprint("site", __name__)
log = logging.getLogger("calfeed")
WARM_LIMIT = 64  # outputs rendered before a reloaded version serves: the first paths the previous one served
# An output rendered on request is compressed before its first answer up to this size; a larger one is answered
# at once in the identity encoding and compressed right after (10,000 events: gzip and brotli of the 7.6 MB
# calendar take longer than rendering it from its pieces).
COMPRESS_INLINE_UP_TO = LARGE


class LanguageConverter(BaseConverter):
    """A language code in calfeed's one form ("es", "pt-BR", "zh-Hant-TW": `languages.PATTERN`, the rule
    the content check normalises to), so that /no-such-page is not taken for a language."""

    regex = languages.PATTERN


class NoContent(Exception):
    """No version of the content has ever loaded without errors."""


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from ``CALFEED_*`` environment variables, then from `config`.

    `config` keys are the same names as the environment variables
    (``{"CALFEED_EVENTS": "tests/content/x.yaml", "CALFEED_RELOAD_INTERVAL": 0}``).
    The content is loaded before this returns; a broken first version is served
    as 503 pages listing its problems until an edit fixes it. Each output is rendered
    on its first request and then answered from memory by `calfeed.http.Responder`
    until the content changes (or, for pages that show "upcoming", until midnight).
    """
    settings = Settings.from_mapping({**os.environ, **(config or {})})
    templates = settings.template_overrides()
    app = Flask(__name__)
    app.config["CALFEED"] = settings
    store = ContentStore(
        settings.events,
        max_bytes=settings.max_bytes,
        base_url=settings.base_url,
        prepare_seconds=settings.prepare_seconds,
    )
    store.refresh()
    policy = Policy.from_settings(settings)  # one budget for every rendered byte: outputs, calendar pieces, gzip chunks
    shared = (ics.PIECES, gzip_chunks.CHUNKS)
    outputs = Outputs(settings.cache_bytes, make_environment(templates), policy, shared=shared)
    store.prepare = partial(_warm, app, outputs)
    if settings.reload_interval > 0:
        store.watch(settings.reload_interval, polling=bool(settings.reload_polling))
    app.extensions["calfeed.store"] = store
    app.extensions["calfeed.outputs"] = outputs
    app.extensions["calfeed.templates"] = outputs.templates
    app.url_map.converters["language"] = LanguageConverter
    app.register_blueprint(site)
    app.register_error_handler(NoContent, _no_content)
    app.register_error_handler(HTTPException, _http_error)
    app.after_request(_secure)
    app.wsgi_app = Responder(app.wsgi_app, partial(_rendered, store, outputs))  # type: ignore[method-assign]
    return app


def _warm(app: Flask, outputs: Outputs, new: Published, old: Published, stop: Stop) -> Finish:
    """Before a reloaded version serves, render what an edit changes first: the calendars and the pages of
    the events that are new objects (edited or added, see calfeed/reuse.py) among the paths the version it
    replaces had rendered (the first `WARM_LIMIT`); stop as soon as `stop()` says so (a newer edit, or the
    time for this is spent: the rest renders on request). The returned function, run once the new version
    serves, forgets the old version's outputs, renders the other paths of those (a request for one meanwhile
    renders it itself), then compresses what was rendered, until a newer edit is seen. Outputs are rendered
    without compression. Runs in the watcher thread."""
    started = time.perf_counter()
    adapter = app.url_map.bind("localhost")
    today = today_in(new.site.calendar.timezone)
    edited = {event.id for event in new.site.events if old.site.event(event.id) is not event}
    first: list[tuple[str, Route]] = []
    later: list[tuple[str, Route]] = []
    for url_path in outputs.paths(old.site.version)[:WARM_LIMIT]:
        try:
            _, args = adapter.match(url_path, method="GET")
        except HTTPException:  # a redirect or an unknown path: nothing to render
            continue
        route = resolve(new.site, args["name"], args.get("lang"), args.get("tag"), args.get("item"))
        if route is not None:  # an event or tag may be gone
            changed = args["name"] == "calendar" or args.get("item") in edited
            (first if changed else later).append((url_path, route))
    rendered = _render(outputs, new, today, first, stop)
    log.info(
        "rendered %d of %d outputs of version %s in %.2f s before it serves (%d more after)",
        len(rendered),
        len(first),
        new.site.version,
        time.perf_counter() - started,
        len(later),
    )
    return partial(_settle, outputs, new, today, rendered, later)


def _render(outputs: Outputs, new: Published, today: date, routes: list[tuple[str, Route]], stop: Stop) -> list[str]:
    """Render `routes` (path, route) of `new` uncompressed, until `stop()`; return the paths rendered."""
    rendered = []
    for url_path, route in routes:
        if stop():
            break
        outputs.render(new, route, today, url_path, inline_up_to=0)
        rendered.append(url_path)
    return rendered


def _settle(
    outputs: Outputs, new: Published, today: date, rendered: list[str], later: list[tuple[str, Route]], stop: Stop
) -> None:
    """Once `new` serves: forget the outputs of the versions before it and the calendar pieces it cannot use,
    render `later` (what `_warm` left for after the swap), then compress what was rendered, until `stop()` (a
    newer edit: these outputs will not serve long)."""
    version = new.site.version
    outputs.retain(version)
    ics.PIECES.retain(new.site)
    rendered = [*rendered, *_render(outputs, new, today, later, stop)]
    for url_path in rendered:
        if stop():
            break
        outputs.compress(version, url_path)


def _rendered(store: ContentStore, outputs: Outputs, url_path: str) -> Output | None:
    """The current version's output at `url_path` if it was rendered and has not expired, else None."""
    published = store.current
    return None if published is None else outputs.get(published.site.version, url_path)


@site.get("/healthz")
def healthz() -> tuple[dict[str, Any], int, dict[str, str]]:
    """200 with the status, the content version serving and the time; 503 while no version ever loaded.

    "status" is "ok", "stale" (the latest edit was refused: the last good version serves) or "no valid
    content". The problems themselves (paths, content text) are added only with CALFEED_SHOW_PROBLEMS."""
    store: ContentStore = current_app.extensions["calfeed.store"]
    status = "no valid content" if store.current is None else "stale" if store.last_error else "ok"
    body: dict[str, Any] = {
        "status": status,
        "version": store.current.site.version if store.current else None,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if _show_problems():
        body["last_error"] = store.last_error
        body["problems"] = [str(problem) for problem in store.problems if problem.severity == "error"]
    return body, 200 if store.current else 503, {"Cache-Control": "no-store"}


def _show_problems() -> bool:
    settings: Settings = current_app.config["CALFEED"]
    return bool(settings.show_problems)


def _serve(name: str, lang: str | None = None, tag: str | None = None, item: str | None = None) -> Response:
    """Render one output of the current content on its first request; later ones are answered by `Responder`."""
    published = _published()
    outputs: Outputs = current_app.extensions["calfeed.outputs"]
    url_path = request.environ.get("PATH_INFO", "")
    output = outputs.get(published.site.version, url_path)
    if output is None:
        route = resolve(published.site, name, lang, tag, item)
        if route is None:
            return _not_found(name)
        today = today_in(published.site.calendar.timezone)
        output = outputs.render(published, route, today, url_path, inline_up_to=COMPRESS_INLINE_UP_TO)
        if output.deferred is not None:  # answered now, compressed right after
            outputs.compress_soon(published.site.version, url_path)
    status, headers, body = answer(output, request.environ)
    return Response(body, status=int(status[:3]), headers=list(headers))


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
    if not _show_problems():  # paths and content text stay in the log and in `calfeed check`
        problems = []
        message = "The content is being fixed. Please come back in a few minutes."
    return _error_page(503, "No content to show yet", message, problems)


def _http_error(error: HTTPException) -> ResponseReturnValue:
    if error.code is None or error.code < 400:
        return error.get_response()
    page, status = _error_page(error.code, error.name, error.description or "", [])
    return page, status, [(name, value) for name, value in error.get_headers() if name == "Allow"]  # 405


def _secure(response: Response) -> Response:
    """Headers every response needs; outputs carry theirs already, this completes error pages, redirects and
    /healthz."""
    headers = response.headers
    if "Location" in headers:  # a slash redirect: to the path alone, never to the Host the request named
        target = urlsplit(headers["Location"])
        headers["Location"] = target.path + (f"?{target.query}" if target.query else "")
    if request.method == "OPTIONS":
        _preflight(response)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", HTML_POLICY.format(ancestors="'none'"))
    if response.status_code in (404, 410):
        headers.setdefault("Cache-Control", "public, max-age=60")
    elif response.status_code >= 300:
        headers.setdefault("Cache-Control", "no-store")
    return response


def _preflight(response: Response) -> None:
    """Answer a CORS preflight for public data (calendars, feeds, JSON) with 204; HTML pages get no CORS."""
    spec = FORMATS.get(str((request.view_args or {}).get("name")))
    if response.status_code != 200 or spec is None or not spec.shared:
        return
    response.status_code = 204
    del response.headers["Content-Type"]
    response.headers.update(spec.headers)
    response.headers.update(PREFLIGHT)
    asked = request.headers.get("Access-Control-Request-Headers")
    if asked:
        response.headers["Access-Control-Allow-Headers"] = asked
    response.headers["Vary"] = "Access-Control-Request-Headers"
    response.headers["Cache-Control"] = f"public, max-age={PREFLIGHT['Access-Control-Max-Age']}"


def _error_page(status: int, title: str, message: str, problems: list[str]) -> tuple[str, int]:
    """Render the site's error.html in the language of the URL: no traceback ever reaches a visitor."""
    templates = current_app.extensions["calfeed.templates"]
    page = render_error_page(
        templates, status=status, title=title, message=message, problems=problems, lang=_request_language()
    )
    return page, status


def _request_language() -> str:
    """The language a URL asked for ("/fr/…"), else the site's default, else English."""
    store: ContentStore = current_app.extensions["calfeed.store"]
    if store.current is None:
        return "en"
    languages = store.current.site.calendar.languages
    first = request.path.strip("/").split("/", 1)[0]
    return first if first in languages else languages[0]
