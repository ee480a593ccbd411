"""The embeddable agenda: a compact page for iframes and the script that inserts and sizes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Site

if TYPE_CHECKING:
    from . import View


def render_embed(site: Site, view: View) -> bytes:
    raise NotImplementedError("issue 5: the embeddable agenda")


def render_script(site: Site, view: View) -> bytes:
    raise NotImplementedError("issue 5: embed.js")
