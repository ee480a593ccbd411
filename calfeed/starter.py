"""`calfeed init`: a commented starter events.yaml that passes `calfeed check`, and the schema beside it."""

from __future__ import annotations

import json
from pathlib import Path

from .schema import SCHEMA_FILE, content_schema

EVENTS_FILE = "events.yaml"

STARTER = f"""\
# yaml-language-server: $schema={SCHEMA_FILE}
#
# Your events and news, for calfeed. Check them with `calfeed check`, preview the
# site with `calfeed serve`; every key is described in calfeed's docs/content.md.
# The line above lets editors that read YAML schemas (VS Code with the YAML
# extension, and others using yaml-language-server) complete keys and flag
# mistakes while you type.

calendar:
  title: Our events                  # the calendar's name in subscribers' apps
  url: https://events.example.org/   # where the site will be published
  timezone: Europe/Brussels          # the zone of times written without an offset
  languages: [en]                    # the first is the default

# Labels for tags. Once tags are declared here, events and news may use only
# these: a typo is reported, with the closest declared tag.
tags:
  workshops: Workshops

events:
  - id: spring-workshop-2027         # lowercase letters, digits, hyphens; keep it once published
    title: Spring workshop
    start: 2027-03-15 10:00          # a date (2027-03-15) or a date and time
    end: 2027-03-15 16:00            # for an all-day event: its last day, inclusive
    location:
      name: Town hall
      city: Ghent
      country: Belgium
    tags: [workshops]
    summary: A day of hands-on sessions.
    description: |
      Markdown works here: **bold**, [links](https://events.example.org/) and lists.

news:
  - id: workshop-registration
    title: Registration for the spring workshop is open
    date: 2027-02-01
    events: [spring-workshop-2027]   # the events this post is about
    summary: "Places are limited: register by 1 March."   # quotes, because of the ': '
"""


class ExistsError(FileExistsError):
    """A file `calfeed init` would write is already there; nothing was written."""


def init(folder: str | Path) -> list[Path]:
    """Write ``events.yaml`` and ``calfeed.schema.json`` into `folder` (made if needed); return their paths.

    Raises `ExistsError` if either file exists: an editor's content is never overwritten.
    """
    target = Path(folder)
    files = {target / EVENTS_FILE: STARTER, target / SCHEMA_FILE: schema_text()}
    if existing := [path for path in files if path.exists()]:
        raise ExistsError(
            f"{existing[0]} already exists (expected a folder without {existing[0].name}; nothing written)"
        )
    target.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)


def schema_text() -> str:
    """The content schema as the JSON `calfeed schema` prints."""
    return json.dumps(content_schema(), indent=2, ensure_ascii=False) + "\n"
