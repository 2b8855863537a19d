"""Slack through an incoming webhook (slack_sdk ``WebhookClient``).

The webhook URL comes only from the environment and is registered as a
secret, so no output can show it. slack_sdk's own retry handlers are off;
the send is wrapped in noxci's one retry policy (:mod:`noxci.netretry`):
connection errors, 5xx and 429 (after its ``Retry-After``, when that is at
most ``network-max-wait``) are retried. A message that still fails is a
warning and never changes a gate or a session's result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from noxci import console, netretry
from noxci.config import NetworkLimits
from noxci.errors import NetworkError

__all__ = ["WEBHOOK_ENV", "notify"]

WEBHOOK_ENV = "SLACK_WEBHOOK_URL"
PEER = "the Slack webhook"


def _quiet() -> logging.Logger:
    # slack_sdk logs every failure at ERROR (with the URL in some versions):
    # noxci prints its own one line instead.
    logger = logging.getLogger("noxci.slack_sdk")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
    return logger


def _failure(exc: Exception) -> netretry.Failure | None:
    if isinstance(exc, netretry.Answered):
        return netretry.http_failure(PEER, exc.status, exc.headers, exc.message)
    if isinstance(exc, OSError):  # URLError, timeouts, refused and reset connections
        return netretry.Failure(
            f"{PEER} is unreachable ({type(exc).__name__})", transient=True
        )
    return None


def notify(
    env: Mapping[str, str],
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    *,
    retries: int = 2,
    backoff: float = 0.5,
    network: NetworkLimits | None = None,
    sleep: Callable[[float], None] | None = None,
) -> bool:
    """Post ``text`` to the webhook in ``$SLACK_WEBHOOK_URL``; True when Slack took it."""
    from slack_sdk.webhook import WebhookClient

    url = env.get(WEBHOOK_ENV)
    if not url:
        console.info(f"Slack: {WEBHOOK_ENV} is not set; no message sent")
        return False
    console.register_secret(url)
    limits = network or NetworkLimits()
    timeout = int(max(1, min(10, limits.budget)))  # no request outlasts the budget
    client = WebhookClient(url, timeout=timeout, retry_handlers=[], logger=_quiet())

    def send() -> None:
        response = client.send(text=console.redact(text), blocks=blocks)
        if response.status_code != 200:
            body = (response.body or "").strip().splitlines()
            raise netretry.Answered(
                response.status_code,
                response.headers or {},
                body[0][:200] if body else "",
            )

    extra = {"sleep": sleep} if sleep else {}
    policy = netretry.policy(network, attempts=1 + retries, backoff=backoff, **extra)
    try:
        netretry.call(send, policy=policy, classify=_failure)
    except NetworkError as exc:
        console.warn(f"Slack notification failed: {exc}; the result is unchanged")
        return False
    console.info("Slack: notification sent")
    return True
