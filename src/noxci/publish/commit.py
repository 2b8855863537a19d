"""Commit ``readiness/`` to the default branch, only when it changed.

For the scheduled update workflow. It pushes with ``$GITHUB_TOKEN``, whose
pushes never start workflows (and the message carries ``[skip ci]``), so the
update cannot loop. The token is a registered secret and the commands that
carry it are not echoed. ``$NOXCI_READINESS_REMOTE`` replaces the GitHub
remote (another forge, or a test's bare repository).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from noxci import console, proc
from noxci.config import Config
from noxci.errors import NetworkError, ToolError
from noxci.gitinfo import git_info

__all__ = ["MESSAGE", "commit_readiness"]

MESSAGE = "readiness: update the dashboard [skip ci]"
AUTHOR = ("-c", "user.name=noxci", "-c", "user.email=noxci@users.noreply.github.com")


def _git(config: Config, *args: str, echo: bool = True) -> proc.Completed:
    done = proc.run(["git", *args], cwd=config.root, timeout=120, echo=echo)
    if done.returncode != 0:
        raise ToolError(f"git {args[0]} failed: {console.redact(done.tail())}")
    return done


def _github_remote(env: Mapping[str, str]) -> str:
    token, repository = env.get("GITHUB_TOKEN"), env.get("GITHUB_REPOSITORY")
    if not token or not repository:
        raise NetworkError(
            "readiness/ committed locally but not pushed: no GITHUB_TOKEN and GITHUB_REPOSITORY"
        )
    console.register_secret(token)
    host = urlsplit(env.get("GITHUB_SERVER_URL", "https://github.com")).netloc
    return f"https://x-access-token:{token}@{host}/{repository}.git"


def commit_readiness(config: Config, env: Mapping[str, str]) -> str:
    """``committed``, or why not (``not-default-branch``, ``unchanged``)."""
    branch = git_info(config.root, env).branch
    if branch != config.default_branch:
        console.info(
            f"readiness/ not committed: {branch!r} is not {config.default_branch!r}"
        )
        return "not-default-branch"
    folder = config.readiness_dir.relative_to(config.root).as_posix()
    if not _git(config, "status", "--porcelain", "--", folder).stdout.strip():
        console.info("readiness/ unchanged: nothing to commit")
        return "unchanged"
    _git(config, "add", "--", folder)
    _git(
        config,
        *AUTHOR,
        "commit",
        "--quiet",
        "-m",
        MESSAGE,
        "--",
        folder,
    )
    remote = env.get("NOXCI_READINESS_REMOTE") or _github_remote(env)
    console.register_secret(remote)
    _git(config, "push", "--quiet", remote, f"HEAD:refs/heads/{branch}", echo=False)
    console.info(f"readiness/ committed and pushed to {branch}")
    return "committed"
