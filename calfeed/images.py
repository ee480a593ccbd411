"""Image files kept beside the content: ``src: images/summit.jpg`` names ``<content folder>/images/summit.jpg``.

The content folder is the folder given to ``--events`` (or the folder of the file given). A local
image is read when the content is: its bytes go into the `Site` (the server serves them at
``/images/<name>`` and the export writes them, see `render.FORMATS`), and Pillow reads its width and
height, which pages write on ``<img>`` so that nothing moves while it loads. Only files directly in
``images/``, with a name of letters, digits, ``.``, ``_`` and ``-`` and one of `SUFFIXES`, are local
images; a path that leads anywhere else (``..``, a link out of the content folder: an error, see
`calfeed.symlinks`) is never read.
"""

from __future__ import annotations

import io
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as Pillow
from PIL import UnidentifiedImageError

from . import symlinks
from .model import LocalImage

FOLDER = "images"
# Media types by suffix, for every image address (local files, feed enclosures, calendar ATTACH):
# Python's own table, not the machine's /etc/mime.types (the same bytes on every machine), plus what
# it lacks here (webp and avif are missing before Python 3.13).
_TYPES = mimetypes.MimeTypes()
_TYPES.add_type("image/webp", ".webp")
_TYPES.add_type("image/avif", ".avif")
SUFFIXES = {  # what a local image may be, and the media type it is served as
    suffix: _TYPES.types_map[True][f".{suffix}"] for suffix in ("jpg", "jpeg", "png", "gif", "webp")
}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_BYTES = 20 * 1024 * 1024  # one image file; larger ones are refused (they are not for the web anyway)


@dataclass(frozen=True, slots=True)
class Unusable:
    """Why a local image cannot be shown (the file is missing, not an image, or not allowed)."""

    message: str
    refused: bool = False  # a link leading out of the content folder: an error, not a warning


def media_type(address: str) -> str | None:
    """The media type an image address's suffix names ("image/webp" for ".../a.WEBP?v=2"), or None."""
    return _TYPES.guess_type(address.split("?", 1)[0].split("#", 1)[0])[0]


def is_local(src: str) -> bool:
    """Whether an image address names a file beside the content: it starts with "images/"."""
    return src.startswith(f"{FOLDER}/")


def content_root(path: Path) -> Path:
    """The folder local images are in, below: the content folder, or the folder of the content file."""
    return path if path.is_dir() else path.parent


def image_files(path: Path) -> list[Path]:
    """Every file in the content's images/ folder (for the reload watcher); [] when there is none."""
    folder = content_root(path) / FOLDER
    return sorted(file for file in folder.iterdir() if file.is_file()) if folder.is_dir() else []


def read_image(root: Path, src: str) -> LocalImage | Unusable:
    """The local image `src` ("images/summit.jpg") of the content at `root`, with its size; or why not."""
    name = src.removeprefix(f"{FOLDER}/")
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not NAME.fullmatch(name) or suffix not in SUFFIXES:
        return Unusable(
            f"'{src}' is not a local image name (expected images/<name>.<{'|'.join(SUFFIXES)}>, "
            "letters, digits, '.', '_' and '-', directly in the images/ folder beside the content)"
        )
    file = root / FOLDER / name
    try:
        if symlinks.leads_out(file, root):
            return Unusable(f"image file {src} {symlinks.leading_out()}", refused=True)
        if not file.is_file():
            return Unusable(f"image file {src} not found (expected it at {file})")
        if file.stat().st_size > MAX_BYTES:
            return Unusable(f"image file {src} is over {MAX_BYTES // 1024 // 1024} MB (expected a web-sized image)")
        data = file.read_bytes()
    except OSError as error:
        return Unusable(f"image file {src} cannot be read: {error.strerror or error}")
    try:
        with Pillow.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return Unusable(f"image file {src} is not an image Pillow can read (expected {', '.join(SUFFIXES)})")
    return LocalImage(name, data, SUFFIXES[suffix], width, height)
