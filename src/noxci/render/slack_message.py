"""Slack message texts (plain mrkdwn, built from the readiness JSON)."""

from __future__ import annotations

from noxci.readiness.document import ReadinessDocument
from noxci.render.common import short_sha

__all__ = ["readiness_alert"]


def readiness_alert(doc: ReadinessDocument, run_url: str | None) -> str:
    """The message sent when the score is below the threshold."""
    r = doc.result
    parts = [
        f":rotating_light: *{doc.project}* release readiness is *{r.score:.2f}* ({r.band.value}), "
        f"below the threshold {r.threshold:g}.",
        r.message,
        " · ".join(f"{c.label} {c.score:.1f}" for c in r.components),
        f"Commit {short_sha(doc.commit)} on {doc.branch or 'unknown'}.",
    ]
    if run_url:
        parts.append(f"<{run_url}|Workflow run>")
    return "\n".join(parts)
