"""Shared test fixtures.

Content fixtures are small YAML files in tests/content/, named for what they exercise.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from calfeed import yamlread
from calfeed.content import read_content
from calfeed.problems import Problem
from calfeed.web import create_app

CONTENT = Path(__file__).parent / "content"  # the content fixtures
BUNDLED = Path(__file__).parent.parent / "events.yaml"  # the example content shipped with calfeed
TEMPLATES = Path(__file__).parent.parent / "templates"  # the site's templates, wherever the content is


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that reaches past this machine: tests must not depend on the network."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if isinstance(host, str):
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise OSError(f"tests may not use the network (tried {address})")
        real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)


# -- content validation (tests/test_content_*.py) -----------------------------------------


@pytest.fixture
def content_dir(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test inside tests/content/, so problems name files as an editor types them."""
    monkeypatch.chdir(CONTENT)
    return CONTENT


@pytest.fixture
def only_problem(content_dir: Path) -> Callable[[str], Problem]:
    """Read a file or folder of tests/content/ that must have exactly one error; return it."""

    def read(name: str) -> Problem:
        site, problems = read_content(name)
        assert len(problems) == 1, "\n".join(map(str, problems))
        assert problems[0].severity == "error", str(problems[0])
        assert site is None
        return problems[0]

    return read


# The YAML parsers calfeed may run on: libyaml's (when PyYAML was built with it) and PyYAML's own.
PARSERS = [pytest.param(yaml.BaseLoader, id="pure-python")]
if hasattr(yaml, "CBaseLoader"):
    PARSERS.append(pytest.param(yaml.CBaseLoader, id="libyaml"))


@pytest.fixture
def items_parsed(monkeypatch) -> list[bytes]:
    """The text of every item parsed alone from now on (`yamlread.parse_plain`: the items of
    `yamlchunks`; a skeleton starts at column 0)."""
    parsed: list[bytes] = []
    parse_plain = yamlread.parse_plain
    monkeypatch.setattr(yamlread, "parse_plain", lambda file, data: parsed.append(data) or parse_plain(file, data))
    return parsed


@pytest.fixture(params=PARSERS)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> object:
    """Run the test once with each YAML parser."""
    monkeypatch.setattr(yamlread, "_Parser", request.param)
    return request.param


# -- the app and the command line ----------------------------------------------------------


@pytest.fixture
def make_app() -> Callable[..., Flask]:
    """`make_app(events=BUNDLED, **config)`: an app on that content, reloading off unless asked for."""

    def make(events: Path = BUNDLED, **config: object) -> Flask:
        settings = {
            "CALFEED_EVENTS": str(events),
            "CALFEED_TEMPLATES": str(TEMPLATES),
            "CALFEED_RELOAD_INTERVAL": "0",
            **config,
        }
        app = create_app(settings)
        app.config["TESTING"] = True
        return app

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
