"""The `calfeed` command: check, stamp, serve, build. Each command parses options, calls one function, reports."""

from __future__ import annotations

import errno
import logging
import os
import re
import sys
from datetime import datetime

import click

from . import history, starter
from .content import read_content
from .model import Site
from .problems import ContentError, Problem
from .settings import Settings, SettingsError

DEFAULT_PATH = "events.yaml"


@click.group()
@click.version_option(package_name="calfeed")
def main() -> None:
    """Publish events and news from YAML as a calendar, feeds and an agenda."""


@main.command()
@click.argument("path", default=DEFAULT_PATH, envvar="CALFEED_EVENTS", type=click.Path())
@click.option("--strict", is_flag=True, help="Fail on warnings too (an event with no place, a post with no date).")
def check(path: str, strict: bool) -> None:
    """Check the content at PATH (a YAML file or a folder of them) and summarise it.

    Prints every problem as file:line:column: field: message, and exits 1 if
    any is an error (or, with --strict, a warning).
    """
    try:
        max_bytes = Settings.from_mapping(os.environ).max_bytes
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    site, problems = read_content(path, max_bytes=max_bytes, convert=True)
    for problem in problems:
        click.echo(str(problem), err=True)
    failing = [p for p in problems if strict or p.severity == "error"]
    if site is None or failing:
        click.echo(
            f"{path}: {_count(failing, 'problem')} found; nothing can be published until they are fixed.", err=True
        )
        sys.exit(1)
    click.echo(f"{path}: ok: {summary(site)}" + (f" ({_count(problems, 'warning')})" if problems else ""))


@main.command()
@click.argument("path", default=DEFAULT_PATH, envvar="CALFEED_EVENTS", type=click.Path())
def stamp(path: str) -> None:
    """Record which events and news posts changed, in the history file beside PATH.

    Commit the file (events.yaml -> events.history.json) with the YAML: it is how
    calendar clients get a rising SEQUENCE and feed readers a new `updated` for
    exactly the items that changed, the same in every render. See docs/history.md.
    """
    try:
        max_bytes = Settings.from_mapping(os.environ).max_bytes
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    site, problems = read_content(path, max_bytes=max_bytes)
    errors = [p for p in problems if p.severity == "error"]
    if site is None or errors:
        for problem in errors:
            click.echo(str(problem), err=True)
        click.echo(f"{path}: {_count(errors, 'problem')} found; nothing was stamped.", err=True)
        sys.exit(1)
    changed = history.stamp(site, path)
    where = history.history_path(path)
    click.echo(f"{where}: {_count(range(changed), 'item')} stamped" if changed else f"{where}: up to date")


@main.command()
@click.argument("path", default=DEFAULT_PATH, envvar="CALFEED_EVENTS", type=click.Path())
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--templates", default="", help="Templates replacing calfeed's own [default: templates/ beside PATH].")
@click.option(
    "--public-urls",
    is_flag=True,
    help="Link to calendar.url (or CALFEED_BASE_URL) as the published site does, not to this preview.",
)
def serve(path: str, host: str, port: int, templates: str, public_urls: bool) -> None:
    """Serve the content at PATH for preview, reloading it when a file changes.

    Links, feeds and calendars point at this preview's address, so clicking
    through stays here (--public-urls keeps the public ones). A broken edit is
    reported here and the last good version keeps being served.
    """
    from .web import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    config = {"CALFEED_EVENTS": path, "CALFEED_TEMPLATES": templates, "CALFEED_SHOW_PROBLEMS": "1"}
    if not public_urls and not os.environ.get("CALFEED_BASE_URL"):
        config["CALFEED_BASE_URL"] = preview_url(host, port)
    try:
        app = create_app(config)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Previewing {path} at {preview_url(host, port)}", err=True)
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def preview_url(host: str, port: int) -> str:
    """The address a browser reaches `calfeed serve` at: 127.0.0.1 (or ::1) for a wildcard address."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False))
@click.argument("path", default=DEFAULT_PATH, envvar="CALFEED_EVENTS", type=click.Path())
@click.option("--templates", default="", help="Templates replacing calfeed's own [default: templates/ beside PATH].")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day pages treat as today [default: the build day in the calendar's time zone].",
)
def build(outdir: str, path: str, templates: str, today: datetime | None) -> None:
    """Write every page, feed and calendar of PATH into OUTDIR as static files.

    The files hold the bytes `calfeed serve` and gunicorn send, with .gz/.br encodings,
    a _headers file and an nginx snippet (_nginx.conf) for the host; see docs/deploy.md.
    OUTDIR is replaced whole once the build is complete: a failed build leaves it as it was.
    It must be new, empty or an earlier build: a folder holding the content or other files is refused.
    Into an OUTDIR holding an earlier build, only the outputs whose inputs changed are rendered
    and only files whose bytes changed are written; the others stay as they were (dates too).
    Pages that list upcoming events show the build day, so rebuild daily.
    """
    from .export import OutdirInUse
    from .export import build as build_site

    overrides = {"CALFEED_EVENTS": path, **({"CALFEED_TEMPLATES": templates} if templates else {})}
    try:
        built = build_site(outdir, Settings.from_mapping({**os.environ, **overrides}), today=today and today.date())
    except (SettingsError, OutdirInUse) as error:
        raise click.ClickException(str(error)) from None
    except ContentError as error:
        click.echo(error.report(), err=True)
        click.echo(f"{path}: {_count(error.problems, 'problem')} found; {outdir} was left as it was.", err=True)
        sys.exit(1)
    except OSError as error:  # a file or folder of the output cannot be written
        raise click.ClickException(unwritten(error, outdir)) from None
    for problem in built.warnings:
        click.echo(str(problem), err=True)
    click.echo(
        f"{outdir}: {built.routes} routes, {built.files} files, {built.size / 1e6:.1f} MB"
        f" ({built.rendered} outputs rendered, {built.written} files written)"
    )


def unwritten(error: OSError, outdir: str) -> str:
    """What `calfeed build` says when writing fails: the file or folder, as it would have been named in
    OUTDIR (not in the temporary folder the build writes to first), the system's reason, and what to do."""
    where = os.fsdecode(error.filename) if error.filename is not None else outdir
    staging = re.escape(f".{os.path.basename(os.path.abspath(outdir))}.") + r"[^/]*\.building"
    where = re.sub(f"^(?:.*/)?{staging}", lambda _: outdir, where)
    expected = {
        errno.ENAMETOOLONG: "shorter names: most file systems hold at most 255 bytes in each",
        errno.ENOSPC: "free space on the disk",
        errno.EDQUOT: "free space on the disk",
    }.get(error.errno or 0, "a folder calfeed can write")
    return f"cannot write {where}: {error.strerror or error} (expected {expected}; {outdir} was left as it was)"


@main.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
def init(folder: str) -> None:
    """Start a calendar in FOLDER (default: here): a commented events.yaml that passes
    check, and calfeed.schema.json, which editors use to complete and check it as you type.

    Existing files are never overwritten.
    """
    try:
        events, schema_file = starter.init(folder)
    except starter.ExistsError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"{error.filename or folder}: {error.strerror or error}") from None
    click.echo(f"{events}: a starter calendar; edit it, then run: calfeed check {events}")
    click.echo(f"{schema_file}: its schema, for editors (named on the first line of {events.name})")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the content, for editors (VS Code's YAML extension and others).

    Save it beside events.yaml and name it on the file's first line:
    # yaml-language-server: $schema=calfeed.schema.json
    """
    click.echo(starter.schema_text(), nl=False)


@main.command("import")
@click.argument("source")
@click.option("--into", default=DEFAULT_PATH, show_default=True, type=click.Path(), help="The YAML file to merge into.")
@click.option("--tag", default=None, help="A tag id to add to every imported event (declared in tags:).")
@click.option("--dry-run", is_flag=True, help="Print what would change (a diff), and write nothing.")
@click.option("--url", default="http://127.0.0.1:8000/", show_default=True, help="calendar.url of a new file.")
@click.option("--timeout", default=30.0, show_default=True, type=float, help="Seconds to wait for a URL.")
@click.option("--max-bytes", default=64 * 1024 * 1024, show_default=True, type=int, help="Largest source accepted.")
def import_(source: str, into: str, tag: str | None, dry_run: bool, url: str, timeout: float, max_bytes: int) -> None:
    """Import the events of SOURCE (an .ics file or an http(s) URL) into a YAML file.

    Importing again updates the events it imported (known by their source UID) and never touches
    events written by hand. The result passes `calfeed check`, or nothing is written and the source
    events that could not be expressed are named. See docs/import.md.
    """
    from .importer import ImportFailed, SourceError, import_events

    if tag is not None and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", tag):
        raise click.BadParameter(
            f"'{tag}' is not a tag id (expected lowercase letters, digits and hyphens)", param_hint="--tag"
        )
    try:
        result = import_events(source, into, tag=tag, dry_run=dry_run, url=url, timeout=timeout, max_bytes=max_bytes)
    except SourceError as error:
        click.echo(f"{error}; {into} was left as it was.", err=True)
        sys.exit(1)
    except ImportFailed as error:
        for line in error.lines:
            click.echo(line, err=True)
        sys.exit(1)
    plan = result.plan
    if dry_run:
        click.echo(result.diff, nl=False)
    for event_id in plan.added:
        click.echo(f"{'would add' if dry_run else 'added'} {event_id}", err=True)
    for event_id in plan.updated:
        click.echo(f"{'would update' if dry_run else 'updated'} {event_id}", err=True)
    counts = f"{len(plan.added)} new, {len(plan.updated)} updated, {len(plan.unchanged)} unchanged"
    click.echo(f"{into}: {counts}{' (dry run: nothing written)' if dry_run else ''}", err=True)


def summary(site: Site) -> str:
    """Return "4 events, 6 news posts, languages en, es, fr, 2021-09-06 to 2022-12-02"."""
    days = [e.first_day for e in site.events] + [e.last_day for e in site.events] + [n.date for n in site.news]
    span = f", {min(days)} to {max(days)}" if days else ""
    return (
        f"{_count(site.events, 'event')}, {_count(site.news, 'news post')}, "
        f"languages {', '.join(site.calendar.languages)}{span}"
    )


def _count(items: tuple[object, ...] | list[Problem] | range, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
