"""Every setting calfeed reads, with its environment variable and default, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .content import MAX_BYTES


class SettingsError(ValueError):
    """A setting has a value calfeed cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """calfeed's settings. Each field is read from the environment variable ``CALFEED_<NAME>``."""

    events: str = "events.yaml"
    """CALFEED_EVENTS: the content, one YAML file or a folder of them."""

    templates: str = ""
    """CALFEED_TEMPLATES: the site's Jinja templates; empty means ``templates/`` beside the content."""

    reload_interval: float = 2.0
    """CALFEED_RELOAD_INTERVAL: seconds between checks for changed content files; 0 turns reloading off."""

    max_bytes: int = MAX_BYTES
    """CALFEED_MAX_BYTES: the most content (all files together) calfeed will read."""

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
        return cls(**values)

    def templates_path(self) -> Path:
        """The templates folder: as set, else ``templates/`` in the folder that holds the content.

        Raises `SettingsError` if that folder has no ``agenda.html``.
        """
        folder = Path(self.templates) if self.templates else Path(self.events).resolve().parent / "templates"
        if not (folder / "agenda.html").is_file():
            where = "CALFEED_TEMPLATES" if self.templates else f"the default, templates/ beside {self.events}"
            raise SettingsError(
                f"no agenda.html in {folder} ({where}); set CALFEED_TEMPLATES or --templates "
                "to the site's templates folder"
            )
        return folder
