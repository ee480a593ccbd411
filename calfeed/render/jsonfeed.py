"""Site -> JSON Feed 1.1 bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Site

if TYPE_CHECKING:
    from . import View


def render(site: Site, view: View) -> bytes:
    raise NotImplementedError("issue 4: JSON Feed 1.1")
