"""A local Slack incoming-webhook endpoint: it records payloads and answers
``ok`` (200), or a scripted 429/500 first."""

from __future__ import annotations

from tests.fakes.server import Answer, FakeServer, Request

PATH = "/services/T000/B000/XXXXSECRETXXXX"


def install(server: FakeServer, received: list[dict[str, object]]) -> str:
    """Register the webhook; return its path."""

    def hook(request: Request) -> Answer:
        received.append(request.json())
        return 200, {"Content-Type": "text/plain"}, b"ok"

    server.route("POST", PATH, hook)
    return PATH
