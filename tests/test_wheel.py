"""calfeed as a user installs it: the wheel, in a fresh virtual environment, run from empty folders.

The wheel is built from a copy of the sources (no build isolation: the test venv's setuptools) and
installed with ``pip --no-index`` into a new venv outside the repository. Its dependencies come from a
wheelhouse repacked from this test venv's installed files, so the test needs no network and installs
exactly the versions the other tests ran with.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from test_wsgi import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "README.md", "calfeed", "templates"]
EVENTS = """\
calendar:
  title: Neighbourhood events
  url: https://events.example.org/
events:
  - id: street-party
    title: Street party
    start: 2030-06-21
    location: Elm Street
news:
  - id: party-announced
    title: The street party is on
    date: 2026-05-01
    events: [street-party]
"""


def dependency_closure(name: str) -> list[metadata.Distribution]:
    """`name`'s installed runtime dependencies, recursively (extras left out)."""
    found: dict[str, metadata.Distribution] = {}
    todo = [name]
    while todo:
        for text in metadata.distribution(todo.pop()).requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            key = canonicalize_name(requirement.name)
            if key not in found:
                found[key] = metadata.distribution(requirement.name)
                todo.append(requirement.name)
    return list(found.values())


def repack(distribution: metadata.Distribution, folder: Path) -> Path:
    """Write an installed distribution back out as a wheel pip can install (its files in site-packages,
    its dist-info with a fresh RECORD; scripts are made again by pip from entry_points.txt)."""
    info = next(file for file in distribution.files or [] if file.name == "WHEEL").parent
    lines = (distribution.read_text("WHEEL") or "").splitlines()
    tags = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")]
    parts = [sorted({tag.split("-")[i] for tag in tags}) for i in range(3)]
    name = re.sub(r"[-_.]+", "_", distribution.metadata["Name"])
    wheel = folder / f"{name}-{distribution.version}-{'-'.join('.'.join(part) for part in parts)}.whl"
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as archive:
        for file in distribution.files or []:
            posix = file.as_posix()
            if posix.startswith("..") or "__pycache__" in posix or file.name in ("RECORD", "INSTALLER", "REQUESTED"):
                continue
            if file.name == "direct_url.json":
                continue
            data = Path(str(file.locate())).read_bytes()
            archive.writestr(posix, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            writer.writerow([posix, f"sha256={digest}", len(data)])
        writer.writerow([f"{info}/RECORD", "", ""])
        archive.writestr(f"{info}/RECORD", record.getvalue())
    return wheel


def run(command: list[str] | str, cwd: Path, env: dict[str, str], **options: object) -> subprocess.CompletedProcess:
    finished = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, shell=isinstance(command, str)
    )
    assert finished.returncode == 0, f"{command} failed:\n{finished.stdout}\n{finished.stderr}"
    return finished


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str], str]]:
    """A fresh venv with the calfeed wheel installed; yields its bin folder, an environment for running
    its commands, and what building the wheel printed."""
    base = tmp_path_factory.mktemp("wheel")
    source, dist, house = base / "source", base / "dist", base / "wheelhouse"
    for part in SOURCES:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / part, source / part)
    dist.mkdir()
    house.mkdir()
    build = run(
        [sys.executable, "-c", "import sys, setuptools.build_meta as b; b.build_wheel(sys.argv[1])", str(dist)],
        source,
        {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONWARNINGS": "always"},
    )
    for distribution in dependency_closure("calfeed"):
        repack(distribution, house)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    wheel = next(dist.glob("calfeed-*.whl"))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CALFEED_", "PYTHON", "VIRTUAL"))}
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-compile"]
    run([*pip, "--quiet", "--no-index", "--find-links", str(house), str(wheel)], base, env)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    yield venv / "bin", env, build.stdout + build.stderr


@pytest.fixture
def empty_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "events.yaml").write_text(EVENTS, encoding="utf-8")
    return folder


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read()


def test_the_wheel_builds_without_warnings(installed) -> None:
    _, _, printed = installed
    assert not [line for line in printed.splitlines() if re.search(r"warn", line, re.IGNORECASE)], printed


def test_the_installed_calfeed_checks_serves_and_builds_from_an_empty_folder(installed, empty_folder: Path) -> None:
    bin_folder, env, _ = installed
    assert not (bin_folder.parent / "lib").joinpath("calfeed").exists()  # nothing but the wheel's copy
    checked = run(["calfeed", "check"], empty_folder, env)
    assert checked.stdout == "events.yaml: ok: 1 event, 1 news post, languages en, 2026-05-01 to 2030-06-21\n"
    port = free_port()
    log = empty_folder.parent / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen(["calfeed", "serve", "--port", str(port)], cwd=empty_folder, env=env, stderr=sink)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server, log)
        for path in ("/", "/calendar.ics", "/feed.atom"):
            status, body = get(f"http://127.0.0.1:{port}{path}")
            assert status == 200, path
        assert f"webcal://127.0.0.1:{port}/calendar.ics".encode() in get(f"http://127.0.0.1:{port}/")[1]
    finally:
        server.terminate()
        server.wait(timeout=15)
    site = calfeed_build(empty_folder, env)
    assert (site / "events" / "street-party" / "index.html").is_file() and (site / "feed.atom").is_file()
    assert not (empty_folder / "templates").exists()


def calfeed_build(folder: Path, env: dict[str, str]) -> Path:
    run(["calfeed", "build", "site", "--today", "2030-01-01"], folder, env)
    return folder / "site"


def files(folder: Path) -> dict[str, bytes]:
    return {str(file.relative_to(folder)): file.read_bytes() for file in folder.rglob("*") if file.is_file()}


def test_one_overriding_template_changes_its_pages_only(installed, empty_folder: Path) -> None:
    _, env, _ = installed
    before = files(calfeed_build(empty_folder, env))
    (empty_folder / "templates").mkdir()
    (empty_folder / "templates" / "event.html").write_text(
        '{% extends "default:event.html" %}\n{% block main %}<p class="note">Bring a chair.</p>{{ super() }}'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    after = files(calfeed_build(empty_folder, env))
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    page = "events/street-party/index.html"
    assert b'<p class="note">Bring a chair.</p>' in after[page] and b"Street party" in after[page]
    # The event's page (at / and under /en/) and nothing else; _headers lists each file's ETag.
    # (.calfeed-build.json, the build's manifest, records the new fingerprints; .calfeed-build.pieces, the
    # pieces kept for the next build, is keyed by the templates too.)
    changed -= {".calfeed-build.json", ".calfeed-build.pieces"}
    assert {name.removesuffix(".gz").removesuffix(".br") for name in changed} - {"_headers"} == {page, f"en/{page}"}


def readme_production_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running in production", 1)[1]
    return re.search(r"```sh\n(.*?)\n```", section, re.DOTALL)[1].strip()  # type: ignore[index]


def test_the_readme_production_command_runs_as_written_from_an_empty_folder(installed, empty_folder: Path) -> None:
    _, env, _ = installed
    command = readme_production_command()
    assert command.startswith("CALFEED_EVENTS=/srv/content/events.yaml gunicorn "), command
    command = command.replace("/srv/content/events.yaml", shlex.quote(str(empty_folder / "events.yaml")))
    port = free_port()
    workdir = empty_folder.parent / "empty"
    workdir.mkdir()
    log = empty_folder.parent / "gunicorn.log"
    environ = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    with log.open("w") as sink:
        # The shell runs gunicorn as its child: a session of their own lets the whole group be stopped.
        server = subprocess.Popen(
            command, shell=True, cwd=workdir, env=environ, stdout=sink, stderr=sink, start_new_session=True
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server, log)
        assert get(f"http://127.0.0.1:{port}/")[0] == 200
        assert b"https://events.example.org/events/street-party/" in get(f"http://127.0.0.1:{port}/feed.atom")[1]
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the shell and gunicorn, master and workers
        server.wait(timeout=15)
