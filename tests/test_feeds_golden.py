"""The bundled example's feeds, byte for byte, so that a change of output shows in review.

feedgen has known gaps (it drops an entry link's attributes but href, it keeps one
enclosure per RSS item); a library upgrade that changes what the feeds say must show
up as a diff of these files, not slip through. When a change is meant, regenerate with

    CALFEED_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_feeds_golden.py

and review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from calfeed.content import load_site
from calfeed.render import FORMATS, View

from conftest import BUNDLED

GOLDEN = Path(__file__).parent / "golden"
VARIANTS = [(lang, name) for lang in ("en", "es") for name in ("atom", "rss", "json")]


@pytest.mark.parametrize(("lang", "name"), VARIANTS)
def test_bundled_feed_matches_its_golden_file(lang, name):
    feed_path = f"/feed.{name}" if lang == "en" else f"/{lang}/feed.{name}"
    body = FORMATS[name].render(load_site(BUNDLED), View(lang, path=feed_path))
    golden = GOLDEN / f"feed-{lang}.{name}"
    if os.environ.get("CALFEED_UPDATE_GOLDEN") == "1":
        golden.write_bytes(body)
    assert golden.exists(), f"{golden} is missing: run CALFEED_UPDATE_GOLDEN=1 pytest {__file__}"
    assert body == golden.read_bytes(), f"{golden.name} changed: if that is meant, regenerate (see this file's doc)"
