"""The one place noxci writes human-facing messages.

Messages go to stderr as ``noxci > ...``; under GitHub Actions, warnings and
errors also become ``::warning::`` / ``::error::`` annotations. Every line
passes through :func:`redact` so that registered secrets never appear.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TextIO

__all__ = [
    "error",
    "info",
    "quiet_libraries",
    "redact",
    "redact_data",
    "register_env_secrets",
    "register_secret",
    "warn",
]

# Libraries whose debug logs would print URLs (and so hosts, tokens in
# query strings) if a host application turned logging up, as nox does.
_CHATTY = (
    "urllib3",
    "requests",
    "github",
    "slack_sdk",
    "httpx",
    "httpcore",
    "sqlalchemy",
    "asyncio",
)

_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    """Never print ``value`` (a token, a webhook URL, a DSN password)."""
    if value and len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def redact_data(data: object) -> object:
    """A JSON-like value with every string in it redacted (keys included)."""
    if not _SECRETS:
        return data
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {redact_data(k): redact_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [redact_data(v) for v in data]
    return data


# Environment variables that hold secrets, by name: GitHub masks the same.
_SECRET_NAMES = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "WEBHOOK_URL")


def register_env_secrets(env: Mapping[str, str]) -> None:
    """Register the values of secret-looking variables and the passwords in URLs."""
    from urllib.parse import urlsplit

    for name, value in env.items():
        if any(name.upper().endswith(s) for s in _SECRET_NAMES) and len(value) >= 8:
            register_secret(value)
        if "://" in value and "@" in value:
            try:
                password = urlsplit(value).password
            except ValueError:
                continue
            if password:
                register_secret(password)


def quiet_libraries() -> None:
    """Keep third-party loggers at WARNING, whatever the host configured."""
    import logging

    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)


def _emit(
    prefix: str, message: str, annotation: str | None, stream: TextIO | None
) -> None:
    out = stream or sys.stderr
    line = redact(message)
    out.write(f"{prefix}{line}\n")
    if annotation and os.environ.get("GITHUB_ACTIONS") == "true":
        # Annotations must be one line: GitHub escapes newlines as %0A.
        escaped = line.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        out.write(f"::{annotation}::{escaped}\n")
    out.flush()


def info(message: str, *, stream: TextIO | None = None) -> None:
    """Tell the user what is happening."""
    _emit("noxci > ", message, None, stream)


def warn(message: str, *, stream: TextIO | None = None) -> None:
    """Something went wrong but the run goes on."""
    _emit("noxci > warning: ", message, "warning", stream)


def error(message: str, *, stream: TextIO | None = None) -> None:
    """Something went wrong and the run stops."""
    _emit("noxci > error: ", message, "error", stream)
