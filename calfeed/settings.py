"""Every setting calfeed reads, with its environment variable and default, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .content import MAX_BYTES


class SettingsError(ValueError):
    """A setting has a value calfeed cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """calfeed's settings. Each field is read from the environment variable ``CALFEED_<NAME>``."""

    events: str = "events.yaml"
    """CALFEED_EVENTS: the content, one YAML file or a folder of them."""

    templates: str = ""
    """CALFEED_TEMPLATES: a folder of templates replacing calfeed's own one file at a time; empty means
    ``templates/`` beside the content, if there is one."""

    reload_interval: float = 2.0
    """CALFEED_RELOAD_INTERVAL: 0 turns reloading off; otherwise an edit is read a moment after file-system
    notifications report it, and, should none come, once two looks this many seconds apart see the same files."""

    reload_polling: int = 0
    """CALFEED_RELOAD_POLLING: 1 only looks at the files every CALFEED_RELOAD_INTERVAL seconds, without
    file-system notifications (calfeed does so by itself on NFS, SMB and other network file systems)."""

    prepare_seconds: float = 1.0
    """CALFEED_PREPARE_SECONDS: the most time a reloaded version spends rendering, before it serves, what an
    edit changes of the outputs the previous one was serving (its calendars, the edited events' pages); what
    is left renders on request, the other outputs it was serving right after the swap."""

    max_bytes: int = MAX_BYTES
    """CALFEED_MAX_BYTES: the most content (all files together) calfeed will read."""

    base_url: str = ""
    """CALFEED_BASE_URL: the public base URL to publish at instead of calendar.url (links, UIDs); empty keeps it."""

    max_age: int = 300
    """CALFEED_MAX_AGE: seconds browsers, proxies and CDNs may reuse an output without asking again."""

    stale_while_revalidate: int = 60
    """CALFEED_STALE_WHILE_REVALIDATE: seconds past max-age a cache may serve a stale copy while it refetches."""

    stale_if_error: int = 86400
    """CALFEED_STALE_IF_ERROR: seconds past max-age a cache may serve a stale copy when calfeed is down."""

    cache_bytes: int = 256 * 1024 * 1024
    """CALFEED_CACHE_BYTES: the most rendered output (all encodings) one worker keeps, least recently used out first
    (and under gunicorn, the resident memory a worker takes beyond its loaded content: `Outputs.bound_resident`)."""

    embed_ancestors: str = "*"
    """CALFEED_EMBED_ANCESTORS: who may frame /embed/ pages, a CSP frame-ancestors list ("*", "https://a.org")."""

    show_problems: int = 0
    """CALFEED_SHOW_PROBLEMS: 1 lists the content's problems (file paths, the text at fault) on 503 pages and in
    /healthz, as `calfeed serve` does; 0 shows the public only that the content is being fixed (the problems
    go to the log and to `calfeed check`). Set it to 1 only on a private network."""

    @classmethod
    def from_mapping(cls, environ: Mapping[str, Any]) -> Settings:
        """Return settings from ``CALFEED_*`` keys of `environ` (a mapping or os.environ), defaults elsewhere."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            key = f"CALFEED_{spec.name.upper()}"
            if key in environ:
                convert = {"float": float, "int": int}.get(str(spec.type), str)
                try:
                    values[spec.name] = convert(environ[key])
                except ValueError:
                    kind = {"float": "a number of seconds", "int": "a whole number"}[str(spec.type)]
                    raise SettingsError(f"{key}={environ[key]!r} is not {kind}") from None
                if convert is not str and values[spec.name] < 0:
                    raise SettingsError(f"{key}={environ[key]!r} is negative (expected 0 or more)")
        base_url = values.get("base_url", "")
        if base_url:
            parts = urlsplit(base_url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
                raise SettingsError(f"CALFEED_BASE_URL={base_url!r} is not an http:// or https:// URL")
            values["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
        ancestors = values.get("embed_ancestors", "*")
        if not ancestors.strip() or any(c in ancestors for c in ";,\r\n"):
            raise SettingsError(
                f"CALFEED_EMBED_ANCESTORS={ancestors!r} is not a frame-ancestors source list "
                "(space-separated origins, '*' or 'none')"
            )
        return cls(**values)

    def template_overrides(self) -> Path | None:
        """The site's templates folder, whose files replace calfeed's defaults one by one, or None.

        It is CALFEED_TEMPLATES when set (raises `SettingsError` if that is not a folder), else
        ``templates/`` beside the content when there is one; without either, the defaults serve alone.
        """
        if self.templates:
            folder = Path(self.templates)
            if not folder.is_dir():
                raise SettingsError(
                    f"CALFEED_TEMPLATES={self.templates!r} is not a folder (expected the site's templates folder, "
                    "holding the templates it changes; leave it unset to use calfeed's own)"
                )
            return folder
        beside = Path(self.events).resolve().parent / "templates"
        return beside if beside.is_dir() else None
