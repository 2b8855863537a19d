"""Unit tests must not reach the network: only loopback connections work."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.github_api import GitHubState, install
from tests.fakes.server import FakeServer, serve

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in {socket.AF_INET, socket.AF_INET6}:
        host = address[0]
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise OSError(f"unit tests may not connect to {host!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture
def github() -> Iterator[tuple[FakeServer, GitHubState]]:
    """A fake GitHub API on 127.0.0.1, and its state."""
    state = GitHubState()
    server = FakeServer()
    install(server, state)
    with serve(server):
        yield server, state
