"""Upload a readiness result to ``noxci serve`` (``POST .../runs``, bearer token).

The token comes only from ``$NOXCI_SERVE_TOKEN`` and is a registered secret.
The POST is retried under noxci's one retry policy (:mod:`noxci.netretry`):
connection failures, timeouts, 5xx and 429 are retried with bounded waits,
other answers are not (a retry after an answer lost on the way back may
store the run twice: a run shown twice is better than one lost). The answer is read through
the safe JSON reader, at most :data:`MAX_ANSWER` bytes. The result of an
upload never changes the gate.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from noxci import console, netretry, safefile
from noxci.config import NetworkLimits
from noxci.errors import NetworkError
from noxci.readiness.document import ReadinessDocument

__all__ = ["TOKEN_ENV", "upload"]

TOKEN_ENV = "NOXCI_SERVE_TOKEN"  # noqa: S105 - the variable's name, not a token
PEER = "the readiness service"
MAX_ANSWER = 64 * 1024  # the service answers a few hundred bytes


def _failure(exc: Exception) -> netretry.Failure | None:
    import requests

    if isinstance(exc, netretry.Answered):
        return netretry.http_failure(PEER, exc.status, exc.headers, exc.message)
    if isinstance(exc, requests.RequestException):
        return netretry.Failure(
            f"upload to {PEER} failed: {type(exc).__name__}", transient=True
        )
    return None


def _answer(response: Any) -> Any:
    """The answer's JSON, read at most MAX_ANSWER bytes (None when it is not JSON)."""
    raw = response.raw.read(MAX_ANSWER + 1, decode_content=True)
    try:
        return safefile.loads(raw[:MAX_ANSWER].decode("utf-8"))
    except ValueError:
        return None


def upload(
    base_url: str,
    doc: ReadinessDocument,
    env: Mapping[str, str],
    *,
    project: str | None = None,
    retries: int = 2,
    backoff: float = 0.5,
    timeout: float = 15.0,
    network: NetworkLimits | None = None,
    sleep: Callable[[float], None] | None = None,
) -> int:
    """POST ``doc``; return the stored run's id."""
    import requests

    token = env.get(TOKEN_ENV)
    if not token:
        raise NetworkError(
            f"no ${TOKEN_ENV}: the readiness service needs the project's upload token"
        )
    console.register_secret(token)
    name = project or doc.project
    url = f"{base_url.rstrip('/')}/api/v1/projects/{quote(name, safe='')}/runs"
    timeout = min(timeout, (network or NetworkLimits()).budget)
    body = console.redact(json.dumps(doc.to_dict()))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(session: requests.Session) -> Any:
        with session.post(
            url, data=body, timeout=timeout, headers=headers, stream=True
        ) as response:
            answer = _answer(response)
            if response.status_code == 201:
                return answer
            reason = answer.get("error", "") if isinstance(answer, dict) else ""
            raise netretry.Answered(
                response.status_code, response.headers, str(reason)[:200]
            )

    extra = {"sleep": sleep} if sleep else {}
    policy = netretry.policy(network, attempts=1 + retries, backoff=backoff, **extra)
    with requests.Session() as session:
        answer = netretry.call(lambda: post(session), policy=policy, classify=_failure)
    run_id = answer.get("id") if isinstance(answer, dict) else None
    if type(run_id) is not int:
        raise NetworkError(f"{PEER} answered 201 without the stored run's id")
    console.info(f"uploaded the readiness result of {name!r} (run {run_id})")
    return run_id
