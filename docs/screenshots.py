"""The screenshots in docs/images/, taken with headless Debian chromium on the bundled example.

Run from the repository root after changing the pages' look::

    .venv/bin/python docs/screenshots.py

Each PNG is reduced to 64 colours with Pillow, so they stay small in git.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_browser_support import bundled_app, chromium, serving  # noqa: E402

IMAGES = ROOT / "docs" / "images"
SHOTS = [  # (file, path, width, height)
    ("month-1280.png", "/month/2021-09/", 1280, 1000),
    ("month-375.png", "/month/2021-09/", 375, 900),
    ("embed-themed.png", "/embed/?theme=dark&accent=%23ffb347&font=serif&limit=3", 520, 700),
]


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    with serving(bundled_app) as base, chromium() as browser:
        for name, path, width, height in SHOTS:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(base + path)
            page.screenshot(path=str(IMAGES / name))
            context.close()
    for name, *_ in SHOTS:
        image = Image.open(IMAGES / name).convert("RGB")
        image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(IMAGES / name, optimize=True)


if __name__ == "__main__":
    main()
