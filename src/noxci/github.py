"""GitHub through PyGithub: CI runs for the pass rate.

Network failures become one-line :class:`~noxci.errors.NetworkError`s that
never contain the token. Idempotent requests are retried with backoff on
5xx; POSTs are never retried by the transport (a retried POST can
duplicate a comment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from noxci import console
from noxci.errors import NetworkError
from noxci.readiness.model import COUNTED, CiRun

if TYPE_CHECKING:
    from github import Github

__all__ = ["GitHubSettings", "describe_failure", "fetch_ci_runs", "github_client"]

DEFAULT_API = "https://api.github.com"


@dataclass(frozen=True, kw_only=True)
class GitHubSettings:
    """Where and how to reach GitHub; read from the environment at the edge."""

    token: str
    repository: str
    api_url: str = DEFAULT_API
    timeout: float = 15.0
    retries: int = 3
    backoff: float = 0.5
    pause: float | None = None  # PyGithub's politeness delay; None keeps its default
    per_page: int = 100

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], **overrides: Any
    ) -> GitHubSettings | None:
        """Settings from ``GITHUB_TOKEN``, ``GITHUB_REPOSITORY`` and ``GITHUB_API_URL``."""
        token, repository = env.get("GITHUB_TOKEN"), env.get("GITHUB_REPOSITORY")
        if not token or not repository:
            return None
        console.register_secret(token)
        return cls(
            token=token,
            repository=repository,
            api_url=env.get("GITHUB_API_URL") or DEFAULT_API,
            **overrides,
        )


def github_client(settings: GitHubSettings) -> Github:
    """A PyGithub client with bounded retries and timeouts."""
    from github import Auth, Github
    from urllib3.util.retry import Retry

    retry = Retry(
        total=settings.retries,
        backoff_factor=settings.backoff,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD", "PATCH", "PUT", "DELETE"}),
        raise_on_status=False,
    )
    extra: dict[str, Any] = {}
    if settings.pause is not None:
        extra = {
            "seconds_between_requests": settings.pause,
            "seconds_between_writes": settings.pause,
        }
    return Github(
        auth=Auth.Token(settings.token),
        base_url=settings.api_url.rstrip("/"),
        timeout=int(max(1, settings.timeout)),
        retry=retry,
        per_page=settings.per_page,
        lazy=True,  # no request until data is needed
        **extra,
    )


def describe_failure(exc: Exception) -> str:
    """One line about a failed GitHub call, without secrets."""
    from github import GithubException, RateLimitExceededException

    if isinstance(exc, RateLimitExceededException):
        return "GitHub API rate limit exceeded"
    if isinstance(exc, GithubException):
        message = exc.data.get("message") if isinstance(exc.data, dict) else None
        return f"GitHub API answered {exc.status}" + (f": {message}" if message else "")
    return f"GitHub API unreachable ({type(exc).__name__})"


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _runs(settings: GitHubSettings, workflow: str, branch: str) -> Iterator[CiRun]:
    client = github_client(settings)
    repo = client.get_repo(settings.repository)
    for run in repo.get_workflow(workflow).get_runs(branch=branch, status="completed"):
        started, updated = run.run_started_at, run.updated_at
        yield CiRun(
            id=run.id,
            conclusion=run.conclusion or "unknown",
            created_at=_iso(run.created_at) or "",
            head_sha=run.head_sha,
            branch=run.head_branch,
            event=run.event,
            duration_s=(
                (updated - started).total_seconds() if started and updated else None
            ),
            url=run.html_url,
        )


def fetch_ci_runs(
    settings: GitHubSettings, *, workflow: str, branch: str, limit: int
) -> list[CiRun]:
    """The newest completed runs of ``workflow`` on ``branch``, until ``limit`` count.

    Excluded conclusions (cancelled, skipped) are kept in the list so that the
    output can say how many were left out; paging stops once enough counted.
    """
    import requests
    from github import GithubException

    found: list[CiRun] = []
    try:
        for run in _runs(settings, workflow, branch):
            found.append(run)
            if (
                sum(1 for r in found if r.conclusion in COUNTED) >= limit
                or len(found) >= 5 * limit
            ):
                break
    except (GithubException, requests.RequestException) as exc:
        raise NetworkError(describe_failure(exc)) from None
    return found
