"""Serve an ASGI app with uvicorn, in the foreground or on a background thread.

The background form binds 127.0.0.1 on a free port first, so callers know
the URL before the server accepts, and shuts the server down on exit.
:func:`json_body` is how both services read a request body: refused by its
``Content-Length`` before any of it is read, never more than the limit read
from the stream, and parsed by the safe JSON reader.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["DRAIN_FACTOR", "BadBody", "bind", "json_body", "run_foreground", "serving"]

DRAIN_FACTOR = 4  # how much of an oversized body is read and dropped, per limit


class BadBody(Exception):
    """A request body the service refuses: ``status`` (400 or 413) and why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _drain(request: Request, most: int) -> None:
    """Read and drop up to ``most`` bytes, so that the client hears the 413.

    A client still sending when the connection closes sees a reset, not the
    answer; past ``most`` that is what an oversized body gets.
    """
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > most:
            return


async def json_body(request: Request, limit: int) -> Any:
    """The request's JSON body, at most ``limit`` bytes; :class:`BadBody` otherwise.

    A ``Content-Length`` over the limit is refused before any of the body
    is read (up to ``DRAIN_FACTOR`` times the limit is then read and dropped,
    never kept); without one, at most ``limit`` bytes are kept.
    """
    from noxci import safefile

    too_large = BadBody(413, f"request bodies are limited to {limit} bytes")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isascii() or not declared.isdigit() or len(declared) > 18:
            raise BadBody(400, "Content-Length is not a number of bytes")
        if int(declared) > limit:
            if int(declared) <= limit * DRAIN_FACTOR:
                await _drain(request, limit * DRAIN_FACTOR)
            raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            await _drain(request, limit * DRAIN_FACTOR)
            raise too_large
    try:
        return safefile.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadBody(400, f"the body is not UTF-8 (byte {exc.start})") from None
    except ValueError as exc:
        raise BadBody(400, f"not valid JSON: {exc}") from None


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0 picks a free one)."""
    sock = socket.socket(
        socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM
    )
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def _server(app: Any) -> Any:
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    return uvicorn.Server(config)


def run_foreground(app: Any, sock: socket.socket) -> None:
    """Serve until interrupted."""
    _server(app).run(sockets=[sock])


@contextlib.contextmanager
def serving(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` on a background thread; yield its base URL."""
    sock = bind(host, 0)
    server = _server(app)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
