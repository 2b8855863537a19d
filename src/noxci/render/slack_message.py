"""Slack message texts (plain mrkdwn, built from the readiness JSON).

Slack reads ``<``, ``>`` and ``&`` as control characters (links, mentions),
so every text from a file is escaped as Slack's docs say.
"""

from __future__ import annotations

from noxci.readiness.document import ReadinessDocument
from noxci.render.common import label, short_sha

__all__ = ["readiness_alert", "slack_text"]


def slack_text(text: str) -> str:
    """``text`` shown literally in Slack mrkdwn (one line)."""
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def readiness_alert(doc: ReadinessDocument, run_url: str | None) -> str:
    """The message sent when the score is below the threshold."""
    r = doc.result
    parts = [
        f":rotating_light: *{slack_text(doc.project)}* release readiness is *{r.score:.2f}* "
        f"({r.band.value}), below the threshold {r.threshold:g}.",
        slack_text(r.message),
        " · ".join(f"{label(c)} {c.score:.1f}" for c in r.components),
        f"Commit {short_sha(doc.commit)} on {slack_text(doc.branch or 'unknown')}.",
    ]
    if run_url and run_url.startswith("https://"):
        parts.append(f"<{slack_text(run_url)}|Workflow run>")
    return "\n".join(parts)
