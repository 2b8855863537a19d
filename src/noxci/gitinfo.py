"""What git says about the working tree: informative, never decisive."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from noxci import proc
from noxci.errors import ToolError
from noxci.report import GitInfo

__all__ = ["git_info"]


def _git(root: Path, *args: str) -> str | None:
    try:
        done = proc.run(["git", *args], cwd=root, timeout=30, echo=False)
    except ToolError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_info(root: Path, env: Mapping[str, str]) -> GitInfo:
    """Commit, branch and dirtiness of ``root``; unknown parts are ``None``.

    Under GitHub Actions the branch comes from the event (a pull request's
    head branch, else the ref name), since checkouts there are detached;
    ``NOXCI_BRANCH`` names it where the event cannot (a ``workflow_run``
    workflow runs on the default branch's ref but scores the CI run's branch).
    """
    commit = _git(root, "rev-parse", "HEAD")
    branch = (
        env.get("NOXCI_BRANCH")
        or env.get("GITHUB_HEAD_REF")
        or env.get("GITHUB_REF_NAME")
        or None
    )
    if branch is None:
        name = _git(root, "rev-parse", "--abbrev-ref", "HEAD")
        branch = name if name and name != "HEAD" else None
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return GitInfo(
        commit=commit if commit and len(commit) >= 40 else None,
        branch=branch,
        dirty=None if status is None else bool(status),
    )
