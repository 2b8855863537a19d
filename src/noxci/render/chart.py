"""The trend chart: scores over time (SVG), with the gate drawn in.

The x axis is time, not the run number: runs a week apart are a week apart.
Two sizes are drawn, a wide one and a narrow one with fewer, larger labels;
the page's CSS shows the one that fits, so the labels stay readable on a
phone. Each point links to its commit when the repository is known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from noxci.clock import parse_time
from noxci.readiness.history import HistoryEntry
from noxci.render.common import short_sha

__all__ = ["trend_svg"]

_MAX_POINTS = 60


def _ticks(start: dt.datetime, end: dt.datetime, count: int) -> list[dt.datetime]:
    if end <= start:
        return [start]
    step = (end - start) / (count - 1)
    return [start + step * i for i in range(count)]


def _label(when: dt.datetime, span: dt.timedelta) -> str:
    return when.strftime("%H:%M" if span < dt.timedelta(days=2) else "%b %d")


def trend_svg(
    history: Sequence[HistoryEntry],
    *,
    threshold: float,
    commit_url: str | None = None,
    width: int = 960,
    height: int = 220,
    font: int = 11,
    ticks: int = 6,
) -> str:
    """A line chart of the scores against time; ``commit_url`` is ``.../commit/`` or None."""
    timed = [(parse_time(e.generated_at), e) for e in history[-_MAX_POINTS:]]
    points = [(when, e) for when, e in timed if when is not None]
    if not points:
        return (
            f'<svg role="img" aria-label="no history yet" viewBox="0 0 {width} 60" width="100%">'
            f'<text x="8" y="36" font-size="{font + 3}">No history yet.</text></svg>'
        )
    pad_left, pad = 4 * font, 2 * font + 12
    lo = min(80.0, *(e.score for _, e in points)) // 10 * 10
    start, end = points[0][0], points[-1][0]
    span = max(end - start, dt.timedelta(seconds=1))

    def x(when: dt.datetime) -> float:
        return pad_left + (when - start) / span * (width - pad_left - pad)

    def y(score: float) -> float:
        return pad + (100 - score) / (100 - lo) * (height - 2 * pad)

    grid = "".join(
        f'<line x1="{pad_left}" x2="{width - pad}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eaeef2"/>'
        f'<text x="2" y="{y(v) + font / 3:.1f}" font-size="{font}" fill="#57606a">{v:g}</text>'
        for v in range(int(lo), 101, 5 if 100 - lo <= 30 else 10)
    )
    axis = "".join(
        f'<text x="{x(when):.1f}" y="{height - 4}" font-size="{font}" fill="#57606a" '
        f'text-anchor="{"start" if i == 0 else "end" if i == ticks - 1 else "middle"}">'
        f"{escape(_label(when, span))}</text>"
        for i, when in enumerate(_ticks(start, end, ticks))
    )
    line = " ".join(f"{x(when):.1f},{y(e.score):.1f}" for when, e in points)
    dots = []
    for when, e in points:
        colour = "#1a7f37" if e.gate == "passed" else "#cf222e"
        title = f"{e.generated_at} {short_sha(e.commit)}: {e.score:.2f} ({e.gate})"
        dot = (
            f'<circle cx="{x(when):.1f}" cy="{y(e.score):.1f}" r="{max(3, font // 3)}" '
            f'fill="{colour}"><title>{escape(title)}</title></circle>'
        )
        if commit_url and e.commit:
            dot = f'<a href="{escape(commit_url + e.commit)}">{dot}</a>'
        dots.append(dot)
    gate = (
        f'<line x1="{pad_left}" x2="{width - pad}" y1="{y(threshold):.1f}" y2="{y(threshold):.1f}" '
        f'stroke="#cf222e" stroke-dasharray="6 4"/>'
        f'<text x="{width - pad}" y="{y(threshold) - 4:.1f}" font-size="{font}" fill="#cf222e" '
        f'text-anchor="end">gate {threshold:g}</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="readiness score over time" '
        f'viewBox="0 0 {width} {height}" width="100%">{grid}{gate}{axis}'
        f'<polyline points="{line}" fill="none" stroke="#0969da" stroke-width="2"/>{"".join(dots)}</svg>'
    )
