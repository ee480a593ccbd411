"""The test suite itself: no test can reach the network."""

from __future__ import annotations

import socket

import pytest


def test_the_network_is_off_in_tests() -> None:
    with pytest.raises(OSError, match="tests may not use the network"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
