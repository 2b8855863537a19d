"""A tiny threaded HTTP server on 127.0.0.1 with scripted answers.

Handlers get the request and return (status, headers, body); tests can queue
one-off faults (a 502, a 403, a stall) before the normal answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


Answer = tuple[int, dict[str, str], bytes]
Handler = Callable[[Request], Answer]


def json_answer(
    status: int, data: Any, headers: dict[str, str] | None = None
) -> Answer:
    return (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(data).encode(),
    )


@dataclass
class Fault:
    """A one-off answer for the next request matching ``method`` and ``path_prefix``."""

    method: str
    path_prefix: str
    status: int = 502
    body: Any = field(default_factory=lambda: {"message": "Bad Gateway"})
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    apply_after: bool = False  # do the real work, then answer with the fault
    raw: bytes | None = None  # the body as given, not as JSON (a malformed answer)


class FakeServer:
    """Routes by method and path prefix; records every request."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, str, Handler]] = []
        self.faults: list[Fault] = []
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.url = ""

    def route(self, method: str, prefix: str, handler: Handler) -> None:
        self.routes.append((method, prefix, handler))

    def fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def _take_fault(self, request: Request) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == request.method and request.path.startswith(
                    fault.path_prefix
                ):
                    self.faults.remove(fault)
                    return fault
        return None

    def handle(self, request: Request) -> Answer:
        with self.lock:
            self.requests.append(request)
        fault = self._take_fault(request)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.raw is not None:
            return fault.status, dict(fault.headers), fault.raw
        if fault is not None and not fault.apply_after:
            return json_answer(fault.status, fault.body, fault.headers)
        matches = [
            r
            for r in self.routes
            if r[0] == request.method and request.path.startswith(r[1])
        ]
        if not matches:
            return json_answer(404, {"message": "Not Found"})
        answer = max(matches, key=lambda r: len(r[1]))[2](request)
        if fault is not None:  # the work is done, but the client hears a failure
            return json_answer(fault.status, fault.body, fault.headers)
        return answer


@contextmanager
def serve(server: FakeServer) -> Iterator[FakeServer]:
    """Run ``server`` on a free loopback port for the duration of the block."""

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _dispatch(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            status, headers, body = server.handle(request)
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _dispatch

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
