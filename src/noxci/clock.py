"""The one way noxci writes a timestamp: UTC, ISO 8601, seconds, ``Z``."""

from __future__ import annotations

import datetime as dt

__all__ = ["utc_now"]


def utc_now() -> str:
    """Now, e.g. ``2026-11-27T10:00:00Z``."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
