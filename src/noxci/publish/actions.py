"""Sending a rendered readiness result: the PR comment and the Slack alert.

They only send what a renderer made. Neither can change a gate: failures
are warnings, and what happened is returned in one word for the caller
(the readiness run, or ``noxci comment``) to act on.
"""

from __future__ import annotations

from collections.abc import Mapping

from noxci import console
from noxci.config import NetworkLimits
from noxci.errors import NetworkError
from noxci.github import GitHubSettings

__all__ = ["post_comment", "slack_alert"]


def post_comment(
    body: str,
    env: Mapping[str, str],
    *,
    pr: int | None,
    github: GitHubSettings | None = None,
    network: NetworkLimits | None = None,
) -> str:
    """Post or edit the sticky comment: ``created``, ``updated``, ``skipped``, ``forbidden`` or ``failed``."""
    from noxci.publish.github_comment import (
        DEFAULT_AUTHOR,
        CommentForbidden,
        upsert_comment,
    )

    settings = github or GitHubSettings.from_env(
        env, network=network or NetworkLimits()
    )
    if settings is None or pr is None:
        what = (
            "GITHUB_TOKEN and GITHUB_REPOSITORY"
            if settings is None
            else "a pull request number (--pr)"
        )
        console.warn(f"PR comment skipped: no {what}")
        return "skipped"
    try:
        result = upsert_comment(
            settings,
            pr,
            body,
            author=env.get("NOXCI_COMMENT_AUTHOR", DEFAULT_AUTHOR),
            expect_head_sha=env.get("NOXCI_EXPECT_HEAD_SHA") or None,
        )
    except CommentForbidden as exc:
        console.warn(f"PR comment not posted: {exc}; it is in the step summary instead")
        return "forbidden"
    except NetworkError as exc:
        console.warn(f"PR comment not posted: {exc}")
        return "failed"
    console.info(f"PR comment {result.action}: {result.url or result.comment_id}")
    return result.action


def slack_alert(
    text: str | None, env: Mapping[str, str], network: NetworkLimits | None = None
) -> bool:
    """Send the alert a renderer made (None when the gate passed); True when one went out."""
    from noxci.publish.slack import notify

    if text is None:
        console.info("Slack: the gate passed; nothing to send")
        return False
    return notify(env, text, network=network)
