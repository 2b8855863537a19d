"""``readiness/badge.json``: a shields.io endpoint badge."""

from __future__ import annotations

from typing import Any

from noxci.readiness.document import ReadinessDocument
from noxci.readiness.model import Band, Gate

__all__ = ["badge"]

_COLORS = {
    Band.EXCELLENT: "brightgreen",
    Band.GOOD: "green",
    Band.FAIR: "yellow",
    Band.POOR: "red",
}


def badge(doc: ReadinessDocument) -> dict[str, Any]:
    """The endpoint JSON; incomplete data shows as such, in red."""
    r = doc.result
    if r.gate is Gate.INCOMPLETE:
        return {
            "schemaVersion": 1,
            "label": "readiness",
            "message": f"incomplete ({r.score:.1f})",
            "color": "red",
        }
    return {
        "schemaVersion": 1,
        "label": "readiness",
        "message": f"{r.score:.1f}/100 {r.band.value}",
        "color": _COLORS[r.band],
    }
