"""GitHub through PyGithub: CI runs for the pass rate.

PyGithub's own retries are off (``retry=0``: its default waits out any
``Retry-After`` and rate-limit reset, 91 s for a ``Retry-After: 30``); each
call is wrapped in noxci's one retry policy (:mod:`noxci.netretry`), whose
waits are bounded by ``network-max-wait`` and ``network-budget``. Failures
become one-line :class:`~noxci.errors.NetworkError`s that never contain the
token.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from noxci import console, netretry
from noxci.config import NetworkLimits
from noxci.readiness.model import COUNTED, CiRun

if TYPE_CHECKING:
    from github import Github

__all__ = [
    "GitHubSettings",
    "describe_failure",
    "fetch_ci_runs",
    "github_call",
    "github_client",
    "github_failure",
]

DEFAULT_API = "https://api.github.com"
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class GitHubSettings:
    """Where and how to reach GitHub; read from the environment at the edge."""

    token: str
    repository: str
    api_url: str = DEFAULT_API
    timeout: float = 15.0
    retries: int = 2  # after the first attempt
    backoff: float = 0.5
    pause: float | None = None  # PyGithub's politeness delay; None keeps its default
    per_page: int = 100
    network: NetworkLimits = field(default_factory=NetworkLimits)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

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

    def policy(self, **overrides: Any) -> netretry.Policy:
        """The retry policy of every call to this GitHub."""
        values: dict[str, Any] = {
            "attempts": 1 + self.retries,
            "backoff": self.backoff,
            "sleep": self.sleep,
        }
        return netretry.policy(self.network, **{**values, **overrides})


def github_client(settings: GitHubSettings) -> Github:
    """A PyGithub client with a timeout and no retries of its own."""
    from github import Auth, Github

    extra: dict[str, Any] = {}
    if settings.pause is not None:
        extra = {
            "seconds_between_requests": settings.pause,
            "seconds_between_writes": settings.pause,
        }
    return Github(
        auth=Auth.Token(settings.token),
        base_url=settings.api_url.rstrip("/"),
        # No single request outlasts the whole call's budget.
        timeout=int(max(1, min(settings.timeout, settings.network.budget))),
        retry=0,  # noxci's policy retries (netretry), with bounded waits
        per_page=settings.per_page,
        lazy=True,  # no request until data is needed
        **extra,
    )


def github_failure(exc: Exception) -> netretry.Failure | None:
    """What a failed PyGithub call means (None: not a GitHub failure)."""
    import requests
    from github import (
        BadAttributeException,
        GithubException,
        RateLimitExceededException,
    )

    if isinstance(exc, GithubException):
        message = exc.data.get("message") if isinstance(exc.data, dict) else None
        failure = netretry.http_failure(
            "GitHub API", exc.status, exc.headers or {}, str(message or "")[:200]
        )
        if isinstance(exc, RateLimitExceededException):
            failure.what = "GitHub API rate limit exceeded"
        return failure
    if isinstance(exc, requests.RequestException):
        return netretry.Failure(
            f"GitHub API unreachable ({type(exc).__name__})", transient=True
        )
    if isinstance(
        exc, (BadAttributeException, ValueError, KeyError, TypeError, RecursionError)
    ):
        # PyGithub parses the body itself: a malformed, truncated or
        # over-deep answer surfaces as one of these.
        return netretry.Failure(
            f"GitHub API answered something that is not its JSON ({type(exc).__name__})",
            transient=False,
        )
    return None


def describe_failure(exc: Exception) -> str:
    """One line about a failed GitHub call, without secrets."""
    failure = github_failure(exc)
    return failure.what if failure else f"GitHub API call failed ({type(exc).__name__})"


def github_call(settings: GitHubSettings, attempt: Callable[[], T]) -> T:
    """``attempt()`` (PyGithub calls) under the retry policy."""
    return netretry.call(attempt, policy=settings.policy(), classify=github_failure)


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
    A retry starts the listing again from its first page.
    """

    def listing() -> list[CiRun]:
        found: list[CiRun] = []
        for run in _runs(settings, workflow, branch):
            found.append(run)
            if (
                sum(1 for r in found if r.conclusion in COUNTED) >= limit
                or len(found) >= 5 * limit
            ):
                break
        return found

    return github_call(settings, listing)
