"""Small formatting helpers shared by the renderers."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

__all__ = ["age", "duration", "parse_time", "short_sha", "sparkline"]

_BARS = "▁▂▃▄▅▆▇█"


def parse_time(text: str | None) -> dt.datetime | None:
    """An ISO 8601 timestamp (``Z`` allowed), or None."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


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


def duration(seconds: float | None) -> str:
    """``1m 05s`` style, or an em dash when unknown."""
    if seconds is None:
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{seconds:.1f}s"


def short_sha(sha: str | None) -> str:
    """The first 7 characters of a commit, or a dash."""
    return sha[:7] if sha else "—"


def sparkline(values: Sequence[float]) -> str:
    """One bar per score, from a floor to 100.

    The floor is the lowest score rounded down to ten, but never above 80
    (the Fair band): scores cluster near the top, and a 0..100 scale would
    draw them all as full bars, while stretching min..max would make a 0.5
    point wobble look like a collapse.
    """
    if not values:
        return ""
    floor = min(80.0, math.floor(min(values) / 10) * 10)
    span = 100.0 - floor
    top = len(_BARS) - 1
    return "".join(
        _BARS[max(0, min(top, int((v - floor) / span * len(_BARS))))] for v in values
    )
