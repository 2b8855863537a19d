"""Slack through an incoming webhook (slack_sdk ``WebhookClient``).

The webhook URL comes only from the environment and is registered as a
secret, so no output can show it. Connection errors, 429 and 5xx are
retried by slack_sdk's handlers; a message that still fails is a warning
and never changes a gate or a session's result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from noxci import console

__all__ = ["WEBHOOK_ENV", "notify"]

WEBHOOK_ENV = "SLACK_WEBHOOK_URL"


def _client(url: str, *, retries: int, backoff: float) -> Any:
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
        ServerErrorRetryHandler,
    )
    from slack_sdk.http_retry.builtin_interval_calculators import (
        BackoffRetryIntervalCalculator,
    )
    from slack_sdk.webhook import WebhookClient

    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return WebhookClient(
        url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(
                max_retry_count=retries, interval_calculator=interval
            ),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(
                max_retry_count=retries, interval_calculator=interval
            ),
        ],
    )


def notify(
    env: Mapping[str, str],
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    *,
    retries: int = 2,
    backoff: float = 0.5,
) -> bool:
    """Post ``text`` to the webhook in ``$SLACK_WEBHOOK_URL``; True when Slack took it."""
    url = env.get(WEBHOOK_ENV)
    if not url:
        console.info(f"Slack: {WEBHOOK_ENV} is not set; no message sent")
        return False
    console.register_secret(url)
    try:
        response = _client(url, retries=retries, backoff=backoff).send(
            text=console.redact(text), blocks=blocks
        )
    except Exception as exc:
        console.warn(
            f"Slack notification failed: {type(exc).__name__}; the result is unchanged"
        )
        return False
    if response.status_code != 200:
        console.warn(
            f"Slack notification failed: HTTP {response.status_code}; the result is unchanged"
        )
        return False
    console.info("Slack: notification sent")
    return True
