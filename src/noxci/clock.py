"""The one way noxci writes a timestamp (UTC, ISO 8601, seconds, ``Z``) and reads one."""

from __future__ import annotations

import datetime as dt

__all__ = ["age", "parse_time", "utc_now"]


def parse_time(text: str | None) -> dt.datetime | None:
    """An ISO 8601 timestamp (``Z`` allowed, naive means UTC), or None."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def utc_now() -> str:
    """Now, e.g. ``2026-11-27T10:00:00Z``."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def age(then: str | None, now: str) -> str:
    """How long before ``now`` ``then`` was, e.g. ``3 h``."""
    start, end = parse_time(then), parse_time(now)
    if start is None or end is None:
        return "unknown age"
    seconds = max(0.0, (end - start).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"
