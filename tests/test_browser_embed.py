"""embed.js on a partner's page, in a real browser: a host page on another loopback origin (another port)
embeds the agenda twice with one ``<script>`` tag each; each iframe sizes itself to its content, follows the
host's width, obeys only its own frame's messages, and its links open in the top window.

The partner page has a strict Content-Security-Policy of its own, and the agenda's pages come with theirs
(``default-src 'none'``, scripts and styles from 'self' only, ``frame-ancestors``), so the embed view is
shown to need no inline script or style. Nothing is requested from anywhere but the two origins."""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ElementHandle, Frame, Page, Response
from playwright.sync_api import Error as BrowserError

from calfeed.export import build
from calfeed.settings import Settings

from conftest import BUNDLED, TEMPLATES
from test_browser_support import WSGIApp, bundled_app, chromium, needs_chromium, serving

pytestmark = needs_chromium

EMBED_POLICY = (  # what the server sends with embed pages (calfeed.http), and a static host should too
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' https: data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors *"
)
MESSAGE = "calfeed:embed-height"
TOLERANCE = 2  # px: the frame reports its height rounded up


def _host_app(site: str) -> Callable[[str], WSGIApp]:
    """A partner's site: one page with two embeds of the agenda at `site`, and a strict policy of its own."""
    page = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A partner city</title></head>
<body>
<h1>A partner city</h1>
<div id="all"><p>Our events with UCLG:</p><script src="{site}/embed.js" async></script></div>
<div id="tagged"><script src="{site}/embed.js" data-tag="intermediary-cities" data-lang="ES" async></script></div>
<p>The end of the partner's page.</p>
</body>
</html>
""".encode()
    origin = "/".join(site.split("/")[:3])
    policy = f"default-src 'none'; script-src {origin}; frame-src {origin}; style-src 'self'"

    def make(base: str) -> WSGIApp:
        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            if environ["PATH_INFO"] != "/":
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"not found"]
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Security-Policy", policy)]
            start_response("200 OK", headers)
            return [page]

        return app

    return make


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serving(bundled_app) as base:
        yield base


@pytest.fixture(scope="module")
def host(site: str) -> Iterator[str]:
    with serving(_host_app(site)) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@contextmanager
def _partner_page(browser: Browser, site: str, host: str) -> Iterator[Page]:
    """The host page at 1280 px, both embeds inserted; fails on requests elsewhere or policy violations."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    unprotected: list[str] = []  # agenda pages served without a Content-Security-Policy
    problems: list[str] = []
    context.on("request", lambda request: requests.append(request.url))

    def check_policy(response: Response) -> None:
        html = (response.headers.get("content-type") or "").startswith("text/html")
        if (
            html
            and response.url.startswith(f"{site}/")
            and "frame-ancestors" not in response.headers.get("content-security-policy", "")
        ):
            unprotected.append(response.url)

    context.on("response", check_policy)
    page = context.new_page()
    page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(host + "/")
    _until(page, "document.querySelectorAll('iframe').length === 2")
    yield page
    context.close()
    elsewhere = [url for url in requests if not url.startswith((f"{site}/", f"{host}/"))]
    assert not elsewhere, f"requests to third parties: {elsewhere}"
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not unprotected, f"served without a Content-Security-Policy: {unprotected}"


@pytest.fixture
def partner_page(browser: Browser, site: str, host: str) -> Iterator[Page]:
    with _partner_page(browser, site, host) as page:
        yield page


def _static_files(folder: Path, prefix: str) -> Callable[[str], WSGIApp]:
    """A plain static host serving `folder` under `prefix` ("/agenda"): files as they are, index.html for folders."""

    def make(base: str) -> WSGIApp:
        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            path = environ["PATH_INFO"]
            file = folder / path.removeprefix(f"{prefix}/")
            if path.endswith("/"):
                file = file / "index.html"
            if not path.startswith(f"{prefix}/") or ".." in path or not file.is_file():
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"not found"]
            media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            headers = [("Content-Type", f"{media_type}; charset=utf-8")]
            if media_type == "text/html":  # as docs/embed.md asks of a static host
                headers.append(("Content-Security-Policy", EMBED_POLICY))
            start_response("200 OK", headers)
            return [file.read_bytes()]

        return app

    return make


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``calfeed build`` of the bundled example (its embed files only), on a static host under /agenda/."""
    settings = Settings.from_mapping({"CALFEED_EVENTS": str(BUNDLED), "CALFEED_TEMPLATES": str(TEMPLATES)})
    out = tmp_path_factory.mktemp("export") / "site"
    build(
        out, settings, only=lambda route: route.format in {"embed", "embed-js", "embed-frame-js", "embed-css", "style"}
    )
    with serving(_static_files(out, "/agenda")) as base:
        yield f"{base}/agenda"


def _until(page: Page, condition: str, timeout: float = 5.0) -> None:
    """Wait until `condition` holds in `page`. (Not `wait_for_function`: it evaluates strings with eval(),
    which the partner page's policy refuses, as it should.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition):
        if time.monotonic() > deadline:
            pytest.fail(f"still not true after {timeout}s: {condition}")
        time.sleep(0.05)


def _frames(page: Page) -> list[ElementHandle]:
    return page.query_selector_all("iframe")


def _content(frame: ElementHandle) -> Frame:
    content = frame.content_frame()
    assert content is not None
    return content


def _heights(frame: ElementHandle) -> tuple[float, float]:
    """(the iframe's height on the host page, the height of the document inside it)."""
    box = frame.bounding_box()
    assert box is not None
    inner = _content(frame).evaluate("document.documentElement.getBoundingClientRect().height")
    return box["height"], inner


def _fits(frame: ElementHandle, timeout: float = 5.0) -> tuple[float, float]:
    """Wait until the iframe is as tall as its content; return both heights."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            outer, inner = _heights(frame)
        except (BrowserError, AssertionError):  # the frame may be between documents; keep waiting
            outer, inner = -1.0, 0.0
        if inner > 0 and abs(outer - inner) <= TOLERANCE:
            return outer, inner
        if time.monotonic() > deadline:
            pytest.fail(f"iframe {frame.get_attribute('src')} is {outer}px tall, its content {inner}px")
        time.sleep(0.05)


def test_each_script_tag_gets_its_own_iframe_after_it(partner_page, site):
    everything, tagged = _frames(partner_page)
    assert everything.get_attribute("src") == f"{site}/embed/"
    assert tagged.get_attribute("src") == f"{site}/es/tags/intermediary-cities/embed/"  # data-lang="ES": any case
    assert everything.get_attribute("title") == "UCLG Events and News"
    assert tagged.get_attribute("title") == "Intermediary Cities · UCLG Events and News"
    assert tagged.get_attribute("lang") == "en"  # the site's title has no Spanish: the English one, marked so
    for frame in (everything, tagged):
        assert frame.evaluate("f => f.previousElementSibling.tagName") == "SCRIPT"
        assert frame.evaluate("f => getComputedStyle(f).borderStyle") == "none"
    assert _content(tagged).evaluate("document.documentElement.lang") == "es"
    for frame in (everything, tagged):  # one h1, and every link leaves the frame for the top window
        content = _content(frame)
        assert content.locator("h1").count() == 1
        targets = content.evaluate("[...document.links].map(a => a.target || document.querySelector('base')?.target)")
        assert targets and set(targets) == {"_top"}


def test_iframes_fit_their_content_and_follow_the_host_width(partner_page):
    frames = _frames(partner_page)
    wide = [_fits(frame)[0] for frame in frames]
    assert wide[0] != wide[1]  # two agendas of different lengths, sized independently
    for frame in frames:  # as wide as the host's column, and no scrollbars inside
        assert frame.evaluate("f => f.getBoundingClientRect().width === f.parentElement.clientWidth")
        assert _content(frame).evaluate("document.scrollingElement.scrollHeight <= innerHeight + 1")

    partner_page.set_viewport_size({"width": 375, "height": 800})
    narrow = [_fits(frame)[0] for frame in frames]
    assert narrow[0] > wide[0], "a narrower host page makes the agenda taller"
    for frame in frames:
        assert _content(frame).evaluate("document.scrollingElement.scrollWidth <= innerWidth")

    partner_page.set_viewport_size({"width": 1280, "height": 800})
    assert [_fits(frame)[0] for frame in frames] == pytest.approx(wide, abs=TOLERANCE), "and shorter again"


def test_only_the_iframes_own_well_formed_messages_resize_it(partner_page):
    everything, tagged = _frames(partner_page)
    _fits(everything)
    before = everything.evaluate("f => f.style.height")
    # After embed.js has handled each message (its listener was added first), note the first iframe's height:
    # a forged height would show here even if the frame's own next message put it right again.
    partner_page.evaluate(
        """frame => { window.seen = [];
            addEventListener('message', event => window.seen.push([event.data, frame.style.height])); }""",
        everything,
    )
    forged = f"{{type: '{MESSAGE}', height: 7}}"
    partner_page.evaluate(f"window.postMessage({forged}, '*')")  # the host page itself: wrong origin and window
    _content(tagged).evaluate(f"parent.postMessage({forged}, '*')")  # the other embed: right origin, wrong window
    for payload in [  # the right window, malformed payloads
        f"{{type: '{MESSAGE}', height: '9'}}",
        f"{{type: '{MESSAGE}', height: NaN}}",
        f"{{type: '{MESSAGE}', height: Infinity}}",
        f"{{type: '{MESSAGE}', height: -5}}",
        f"{{type: '{MESSAGE}', height: 1e9}}",
        f"{{type: '{MESSAGE}'}}",
        "{type: 'other', height: 9}",
        "{height: 9}",
        f"'{MESSAGE}'",
        "[9]",
        "null",
    ]:
        _content(everything).evaluate(f"parent.postMessage({payload}, '*')")
    _content(everything).evaluate("parent.postMessage('done', '*')")  # delivered after the ones before it
    _until(partner_page, "window.seen.some(([data]) => data === 'done')")
    seen = partner_page.evaluate("window.seen")
    assert len(seen) >= 14
    assert {height for _, height in seen} == {before}, seen


def test_tab_reaches_every_link_inside_both_embeds(partner_page):
    frames = [_content(frame) for frame in _frames(partner_page)]
    visible = "[...document.links].filter(a => a.checkVisibility()).map(a => a.href)"  # not in closed <details>
    links = [set(frame.evaluate(visible)) for frame in frames]
    reached: list[set[str]] = [set(), set()]
    for _ in range(sum(map(len, links)) + 10):
        partner_page.keyboard.press("Tab")
        for frame, found in zip(frames, reached, strict=True):
            found.update(
                frame.evaluate(
                    "document.hasFocus() && document.activeElement.href ? [document.activeElement.href] : []"
                )
            )
        if reached == links:
            break
    assert reached == links


def test_links_open_in_the_top_window(partner_page, site):
    everything = _frames(partner_page)[0]
    link = _content(everything).locator("article a").first
    href = link.evaluate("a => a.href")
    assert href.startswith(f"{site}/events/")
    link.click()
    partner_page.wait_for_url(href)
    assert partner_page.main_frame.url == href


def test_a_static_export_embeds_itself_from_wherever_it_is_hosted(browser, static_site):
    """The iframe's address comes from the script's own src: here a static host's /agenda/ folder,
    while calendar.url still names the public site."""
    with serving(_host_app(static_site)) as static_host, _partner_page(browser, static_site, static_host) as page:
        everything, tagged = _frames(page)
        assert everything.get_attribute("src") == f"{static_site}/embed/"
        assert tagged.get_attribute("src") == f"{static_site}/es/tags/intermediary-cities/embed/"
        for frame in (everything, tagged):
            _fits(frame)


OPTIONS_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A partner with its own look</title></head>
<body>
<h1>A partner with its own look</h1>
<div class="{font}"><script src="{site}/embed.js" data-theme="{theme}" data-accent="{accent}" data-font="inherit"
  data-limit="2" data-bogus="1" async></script></div>
</body>
</html>
"""


def _options_host(site: str, theme: str, accent: str) -> Callable[[str], WSGIApp]:
    """A partner page whose embed asks for a theme, an accent colour, its own font (Georgia, from a same-origin
    stylesheet: the partner's strict policy allows no inline style either) and two events."""
    page = OPTIONS_PAGE.format(site=site, theme=theme, accent=accent, font="partner-font").encode()
    sheet = b".partner-font { font-family: Georgia, 'DejaVu Serif', serif; }"
    origin = "/".join(site.split("/")[:3])
    policy = f"default-src 'none'; script-src {origin}; frame-src {origin}; style-src 'self'"

    def make(base: str) -> WSGIApp:
        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            if environ["PATH_INFO"] == "/partner.css":
                start_response("200 OK", [("Content-Type", "text/css")])
                return [sheet]
            start_response(
                "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Security-Policy", policy)]
            )
            return [page.replace(b"</title>", b'</title><link rel="stylesheet" href="/partner.css">')]

        return app

    return make


@pytest.mark.parametrize(
    ("theme", "accent", "expected_bg"),
    [("dark", "#ffb347", "rgb(18, 18, 18)"), ("light", "#8a1c7c", "rgb(255, 255, 255)")],
)
def test_an_embed_with_options_has_the_partners_font_and_accent_and_still_sizes_itself(
    browser, site, theme, accent, expected_bg
):
    with serving(_options_host(site, theme, accent)) as host:
        context = browser.new_context(viewport={"width": 800, "height": 800}, color_scheme="light")
        warnings: list[str] = []
        page = context.new_page()
        page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
        page.goto(host + "/")
        _until(page, "document.querySelectorAll('iframe').length === 1")
        frame = _frames(page)[0]
        assert "theme=" + theme in (frame.get_attribute("src") or "")
        _fits(frame)
        inside = _content(frame)
        body = inside.evaluate("getComputedStyle(document.body).fontFamily")
        assert body.startswith("Georgia"), body
        assert inside.evaluate("getComputedStyle(document.body).backgroundColor") == expected_bg
        red, green, blue = (int(accent[i : i + 2], 16) for i in (1, 3, 5))
        link = inside.evaluate("getComputedStyle(document.querySelector('main h3 a')).color")
        assert link == f"rgb({red}, {green}, {blue})"
        shown = inside.evaluate("[...document.querySelectorAll('article.event')].filter(e => e.offsetParent).length")
        assert shown == 2
        assert not any("Content Security Policy" in warning for warning in warnings)
        context.close()


def test_an_unreadable_accent_is_refused_inside_the_frame(browser, site):
    with serving(_options_host(site, "light", "#ffff00")) as host:  # yellow on white: 1.07:1
        context = browser.new_context(viewport={"width": 800, "height": 800})
        page = context.new_page()
        page.goto(host + "/")
        _until(page, "document.querySelectorAll('iframe').length === 1")
        frame = _frames(page)[0]
        _fits(frame)
        link = _content(frame).evaluate("getComputedStyle(document.querySelector('main h3 a')).color")
        assert link == "rgb(11, 87, 208)"  # the agenda's own accent
        context.close()


def test_the_embeds_subscribe_offers_google_outlook_and_the_address(partner_page, site):
    inside = _content(_frames(partner_page)[0])
    inside.get_by_text("Other ways to subscribe").click()
    assert inside.get_by_role("link", name="Subscribe in Google Calendar").is_visible()
    assert inside.get_by_role("link", name="Subscribe in Outlook.com").is_visible()
    address = inside.get_by_label("Calendar address, to paste into any calendar app:")
    assert address.input_value() == f"{site}/calendar.ics"
