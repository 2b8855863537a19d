"""Small formatting helpers shared by the renderers, and the one Markdown escape."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from noxci.clock import age
from noxci.readiness.model import Component
from noxci.registry import component_label

__all__ = ["age", "code", "duration", "label", "md", "short_sha", "sparkline"]

_BARS = "▁▂▃▄▅▆▇█"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def md(text: str, limit: int = 300) -> str:
    """Text from a tool, a test or a file, made inert for Markdown (plain words).

    One line, no HTML, no links or images, no mentions, no emphasis, no
    table breaks, bounded length: what GitHub renders is what the text says.
    """
    text = _CONTROL.sub(" ", text)
    text = (
        text.replace("\\", "\\\\")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("`", "'")
        .replace("[", "\\[")
        .replace("]", "\\]")
        .replace("!", "\\!")
        .replace("@", "@\u200b")
        .replace("#", "\\#")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("~", "\\~")
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label(component: Component) -> str:
    """The component's label as noxci defines it, never as a file spelled it."""
    return component_label(component.name)


def code(text: str, limit: int = 200) -> str:
    """Untrusted text as a Markdown code span: shown literally, one line, bounded."""
    text = _CONTROL.sub(" ", text).replace("`", "'").replace("|", "\\|")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"`{text}`"


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
