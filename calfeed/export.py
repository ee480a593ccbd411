"""``calfeed build``: every route of the URL contract as static files, with the bytes the server sends.

Each route is rendered by the same `calfeed.http.Outputs` the server uses, so a file holds
exactly the body a request for its path gets (folders as ``index.html``), next to ``.gz`` and ``.br``
encodings for hosts that serve precompressed files. Two more files tell a static host the headers
calfeed would send: ``_headers`` (Netlify, Cloudflare Pages) and ``_nginx.conf`` (include it in a
``server`` block). Files carry the content's modification time, so a host's Last-Modified matches.

Pages that list upcoming events show the build day (today in the calendar's time zone): rebuild daily.
The build writes into a temporary folder beside OUTDIR and renames it into place only once it is
complete, so a failed build leaves the previous output as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .http import PREFLIGHT, Output, Outputs, Policy, today_in
from .problems import ContentError, Problem
from .render import FORMATS, Format
from .render.html import make_environment
from .routes import Route, every_route, path
from .settings import Settings
from .store import read_version

HOST_FILES = ("_headers", "_nginx.conf")  # instructions for the host, not pages: never served
PER_FILE = ("Content-Length", "ETag", "Last-Modified", "Vary", "Content-Encoding", "X-Content-Version")


@dataclass(frozen=True, slots=True)
class Built:
    """What a build wrote, and the warnings its content had."""

    outdir: Path
    routes: int
    files: int
    size: int  # bytes, all files together
    warnings: tuple[Problem, ...]


def build(
    outdir: str | os.PathLike[str],
    settings: Settings,
    *,
    today: date | None = None,
    only: Callable[[Route], bool] | None = None,
) -> Built:
    """Write the static site of `settings.events` to `outdir`, replacing what was there, and return a summary.

    `today` is the day pages show as "today" (default: the build day in the calendar's zone); `only` keeps
    the routes it accepts. Raises `ContentError` with every error if the content does not load, and lets a
    renderer's exception through; either way `outdir` is untouched.
    """
    published, problems = read_version(settings.events, max_bytes=settings.max_bytes, base_url=settings.base_url)
    if published is None:
        raise ContentError([problem for problem in problems if problem.severity == "error"])
    site = published.site
    policy = Policy.from_settings(settings)
    outputs = Outputs(0, make_environment(settings.template_overrides()), policy)  # each path once: keep none
    day = today or today_in(site.calendar.timezone)

    target = Path(outdir)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".building", dir=target.parent))
    try:
        written: list[tuple[str, Output]] = []
        for route in every_route(site):
            if only is None or only(route):
                url_path = path(route)
                output = outputs.render(published, route, day, url_path)
                _write_output(staging, url_path, output)
                written.append((url_path, output))
        _write(staging / "_headers", headers_file(written).encode(), published.modified)
        _write(staging / "_nginx.conf", nginx_conf(site.calendar.languages, policy).encode(), published.modified)
        staging.chmod(0o755)  # mkdtemp makes it private
        files = [file for file in staging.rglob("*") if file.is_file()]
        size = sum(file.stat().st_size for file in files)
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    warnings = tuple(problem for problem in problems if problem.severity != "error")
    return Built(target, len(written), len(files), size, warnings)


def file_for(url_path: str) -> str:
    """The file a URL path is written to, relative to the output folder: folders get index.html."""
    parts = url_path.lstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts[:-1]) or parts[-1] in (".", ".."):
        raise ValueError(f"not a path calfeed writes: {url_path!r}")
    return url_path.lstrip("/") + ("index.html" if url_path.endswith("/") else "")


def _write_output(root: Path, url_path: str, output: Output) -> None:
    file = root / file_for(url_path)
    _write(file, output.body, output.last_modified)
    for representation, suffix in ((output.gzip, ".gz"), (output.br, ".br")):
        if representation is not None:
            _write(file.with_name(file.name + suffix), representation.body, output.last_modified)


def _write(file: Path, data: bytes, modified: float) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(data)
    os.utime(file, (modified, modified))


def _replace(staging: Path, target: Path) -> None:
    """Put `staging` where `target` is: the old output moves aside, the new one in, then the old one goes."""
    if not target.exists():
        staging.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# -- what a static host needs to know ------------------------------------------------------------------------------


def headers_file(written: Iterable[tuple[str, Output]]) -> str:
    """A ``_headers`` file (Netlify, Cloudflare Pages): each path with the headers calfeed sends for it.

    Headers the host derives from the file itself (length, ETag, Last-Modified, encoding) are left to it.
    """
    lines = ["# calfeed build: the headers calfeed's server sends, per path (Netlify / Cloudflare Pages format)"]
    for url_path, output in written:
        lines.append(url_path)
        lines.extend(f"  {name}: {value}" for name, value in output.headers if name not in PER_FILE)
    return "\n".join(lines) + "\n"


def nginx_conf(languages: Iterable[str], policy: Policy) -> str:
    """An nginx snippet for a ``server`` block whose ``root`` is the export: types and headers per format."""
    langs = "|".join(re.escape(lang) for lang in languages)
    out = [
        "# calfeed build: serve this folder as calfeed would. Include it in a server block:",
        "#   server { listen 80; root /srv/calfeed/site; include /srv/calfeed/site/_nginx.conf; }",
        "index index.html;",
        "gzip_static on;  # the .gz files, for clients that accept gzip",
        "# brotli_static on;  # the .br files, where nginx has the brotli module (libnginx-mod-http-brotli-static)",
        "etag on;",
        "location ~ ^/_(?:headers|nginx\\.conf)$ { return 404; }",
    ]
    for spec in sorted(FORMATS.values(), key=lambda spec: spec.items is None):  # item patterns first
        out.append(f"location ~ {_location(spec, langs)} {{")
        out.append("    types { }")
        out.append(f"    default_type {_quote(spec.media_type)};")
        if spec.shared:  # a CORS preflight gets the server's 204 (nginx would answer 405)
            out.append("    if ($request_method = OPTIONS) {")
            for name, value in {**spec.headers, **PREFLIGHT}.items():
                out.append(f"        add_header {name} {_quote(value)};")
            out.append("        add_header Access-Control-Allow-Headers $http_access_control_request_headers;")
            out.append("        add_header Vary Access-Control-Request-Headers;")
            out.append(f'        add_header Cache-Control "public, max-age={PREFLIGHT["Access-Control-Max-Age"]}";')
            out.append("        return 204;")
            out.append("    }")
        example = Route(spec.name, "", tag=None, item="$item")
        for name, value in policy.headers(example).items():
            if name != "Content-Type":
                out.append(f"    add_header {name} {_quote(value)};")
        out.append("    add_header Vary Accept-Encoding;")
        out.append("}")
    return "\n".join(out) + "\n"


def _location(spec: Format, langs: str) -> str:
    """The regular expression of `spec`'s paths: language and tag prefixes, the item as $item."""
    prefix = f"(?:/(?:{langs}))?" if spec.localized else ""
    if spec.tagged:
        prefix += "(?:/tags/[^/]+)?"
    pattern = re.escape(spec.pattern).replace(re.escape("{item}"), "(?<item>[^/]+)")
    if spec.pattern.endswith("/"):
        pattern += "(?:index\\.html)?"
    return f'"^{prefix}{pattern}$"'


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
