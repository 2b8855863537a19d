"""Publishing a readiness result: the PR comment and the Slack alert.

Neither can change a gate: failures are warnings, and a comment the token
may not post goes to the step summary instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from noxci import console
from noxci.config import Config
from noxci.errors import NetworkError
from noxci.github import GitHubSettings
from noxci.readiness.document import ReadinessDocument
from noxci.readiness.history import HistoryEntry
from noxci.readiness.model import Gate

__all__ = ["pr_number", "publish_comment", "run_url", "slack_alert"]


def pr_number(explicit: int | None, env: Mapping[str, str]) -> int | None:
    """The pull request: ``--pr``, else ``NOXCI_PR_NUMBER``, else the event payload."""
    if explicit is not None:
        return explicit
    if env.get("NOXCI_PR_NUMBER", "").isdigit():
        return int(env["NOXCI_PR_NUMBER"])
    event = env.get("GITHUB_EVENT_PATH")
    if event and Path(event).is_file():
        try:
            data = json.loads(Path(event).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        number = (data.get("pull_request") or {}).get("number") or data.get("number")
        return number if isinstance(number, int) else None
    return None


def run_url(explicit: str | None, env: Mapping[str, str]) -> str | None:
    """The workflow run's page, from ``--run-url`` or the Actions environment."""
    if explicit:
        return explicit
    if env.get("NOXCI_RUN_URL"):
        return env["NOXCI_RUN_URL"]
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        return (
            f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
        )
    return None


def publish_comment(
    doc: ReadinessDocument,
    history: Sequence[HistoryEntry],
    config: Config,
    env: Mapping[str, str],
    *,
    pr: int | None,
    url: str | None,
    github: GitHubSettings | None = None,
) -> str:
    """Post or edit the sticky comment; return what happened, in one line."""
    from noxci.publish.github_comment import (
        DEFAULT_AUTHOR,
        CommentForbidden,
        upsert_comment,
    )
    from noxci.render.comment import pr_comment

    body = pr_comment(doc, history, default_branch=config.default_branch, run_url=url)
    settings = github or GitHubSettings.from_env(env)
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
        summary = env.get("GITHUB_STEP_SUMMARY")
        if summary:
            with Path(summary).open("a", encoding="utf-8") as handle:
                handle.write(body + "\n")
        return "forbidden"
    except NetworkError as exc:
        console.warn(f"PR comment not posted: {exc}")
        return "failed"
    console.info(f"PR comment {result.action}: {result.url or result.comment_id}")
    return result.action


def slack_alert(
    doc: ReadinessDocument, env: Mapping[str, str], *, url: str | None
) -> bool:
    """Tell Slack when the gate did not pass; True when a message went out."""
    from noxci.publish.slack import notify
    from noxci.render.slack_message import readiness_alert

    if doc.result.gate is Gate.PASSED:
        console.info("Slack: the gate passed; nothing to send")
        return False
    return notify(env, readiness_alert(doc, url))
