"""One sticky PR comment: found by its marker and its author, edited in place.

A POST that fails with a 5xx or a dropped connection may still have created
the comment, so before posting again the comment is looked up again: a retry
edits, never duplicates. Extra copies left by older tools are deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from noxci import console, netretry
from noxci.errors import NetworkError
from noxci.github import (
    GitHubSettings,
    describe_failure,
    github_client,
    github_failure,
)
from noxci.render.comment import MARKER

if TYPE_CHECKING:
    from github.Issue import Issue
    from github.IssueComment import IssueComment

__all__ = ["CommentForbidden", "CommentResult", "upsert_comment"]

DEFAULT_AUTHOR = "github-actions[bot]"


class CommentForbidden(NetworkError):
    """The token may not comment (a fork's read-only token)."""


@dataclass(frozen=True, kw_only=True)
class CommentResult:
    """What happened to the comment."""

    action: str  # created or updated
    comment_id: int
    url: str | None


def _ours(issue: Issue, author: str) -> list[IssueComment]:
    """Noxci's comments on the pull request, oldest first."""
    found = [
        c
        for c in issue.get_comments()
        if MARKER in (c.body or "") and c.user.login == author
    ]
    return sorted(found, key=lambda c: c.id)


class _Gone(Exception):
    """A comment another run deleted while this one used it: look again."""


def upsert_comment(
    settings: GitHubSettings,
    pr: int,
    body: str,
    *,
    author: str = DEFAULT_AUTHOR,
    expect_head_sha: str | None = None,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> CommentResult:
    """Create or edit the readiness comment on pull request ``pr``.

    Concurrent runs end with exactly one comment: after posting, the
    comments are listed again and the oldest of noxci's is kept (edited to
    this body), the others deleted. Attempts are made under the one retry
    policy (:mod:`noxci.netretry`).
    """
    from github import GithubException

    body = console.redact(body)
    repo = github_client(settings).get_repo(settings.repository)
    policy = settings.policy(attempts=attempts, sleep=sleep)
    if expect_head_sha is not None:
        # The PR number came from an artifact a fork could write: make sure it
        # names the pull request whose CI run produced the artifact.
        head = netretry.call(
            lambda: repo.get_pull(pr).head.sha, policy=policy, classify=github_failure
        )
        if head != expect_head_sha:
            raise CommentForbidden(
                f"pull request #{pr} is at {head[:12]}, not at the CI run's {expect_head_sha[:12]}"
            )
    issue = repo.get_issue(pr)

    def edit(found: list[IssueComment], action: str = "updated") -> CommentResult:
        keep, *extra = found
        try:
            keep.edit(body)
        except GithubException as exc:
            if exc.status == 404:
                raise _Gone from None
            raise
        for duplicate in extra:
            try:
                duplicate.delete()
            except GithubException as exc:
                if exc.status != 404:  # already deleted by another run
                    raise
        return CommentResult(action=action, comment_id=keep.id, url=keep.html_url)

    def attempt() -> CommentResult:
        # Each attempt looks the comment up again: a POST that failed may
        # still have created it, and then the retry edits it.
        try:
            found = _ours(issue, author)
            if found:
                return edit(found)
            created = issue.create_comment(body)
            # Another run may have posted at the same moment: keep the oldest.
            found = _ours(issue, author)
            if len(found) > 1:
                action = "created" if found[0].id == created.id else "updated"
                return edit(found, action)
        except _Gone:
            raise netretry.Failure(
                "the comment was deleted by another run", transient=True
            ) from None
        except GithubException as exc:
            if exc.status == 403:
                raise CommentForbidden(
                    f"{describe_failure(exc)} (a fork's token cannot comment)"
                ) from None
            raise
        return CommentResult(
            action="created", comment_id=created.id, url=created.html_url
        )

    return netretry.call(attempt, policy=policy, classify=github_failure)
