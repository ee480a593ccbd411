"""Content stays in its folder: whether a file is, or lies behind, a symbolic link leading out of one.

A partner's pull request may hold a link (``partner.yaml -> /srv/app/.env``, ``images/logo.png ->
/etc/…``); calfeed follows a link only while it stays inside the folder, and never reads what lies
outside. The content files (`content.py`), the images beside them (`images.py`) and the history file
(`history.py`) share this one rule and its message.
"""

from __future__ import annotations

from pathlib import Path


def leads_out(file: Path, folder: Path) -> bool:
    """Whether `file`, below `folder`, is or lies behind a symbolic link leading out of `folder` (or a loop
    of links). A file that does not exist leads nowhere: it is missing, not outside."""
    try:
        return not file.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop of links
        return True


def leading_out(folder: str = "the content folder") -> str:
    """The problem's message: "is a symbolic link leading out of the content folder (expected …)"."""
    return (
        f"is a symbolic link leading out of {folder} (expected a file inside the folder, "
        "or a link to one: calfeed reads nothing outside it)"
    )
