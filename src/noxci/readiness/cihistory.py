"""Where the CI pass rate comes from, in order of trust.

1. The GitHub API (PyGithub), when ``GITHUB_TOKEN`` and ``GITHUB_REPOSITORY``
   are set (``GITHUB_API_URL`` for GitHub Enterprise).
2. The runs cached in ``readiness/readiness.json``, if they came from GitHub.
3. The local preflight history (``history.jsonl``), plus the current
   preflight when there is one.

A failure of a source is a visible warning and a fall-back, never a crash
and never a better score. The result always names its source and age.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from noxci.config import Config
from noxci.errors import NetworkError
from noxci.github import GitHubSettings, fetch_ci_runs
from noxci.readiness.document import ReadinessDocument
from noxci.readiness.model import CiHistory, CiRun

__all__ = ["Fetcher", "resolve_ci_history"]

Fetcher = Callable[..., list[CiRun]]


def resolve_ci_history(
    config: Config,
    env: Mapping[str, str],
    *,
    now: str,
    cache: ReadinessDocument | None,
    local_runs: Sequence[CiRun],
    local_ok: bool,
    github: GitHubSettings | None = None,
    fetch: Fetcher = fetch_ci_runs,
) -> CiHistory:
    """Pick the first source that answers.

    ``local_ok`` is False when the local history is unreadable; it is then
    not trusted at all (a lost failing line would raise the pass rate).
    """
    warnings: list[str] = []
    settings = github or GitHubSettings.from_env(env, network=config.network)
    if settings is not None:
        try:
            runs = fetch(
                settings,
                workflow=config.readiness.workflow,
                branch=config.default_branch,
                limit=config.readiness.ci_runs,
            )
        except NetworkError as exc:
            warnings.append(f"{exc}; fell back to the next CI history source")
        else:
            return CiHistory(source="github", fetched_at=now, runs=tuple(runs))
    if (
        cache is not None
        and cache.result.ci.source in {"github", "cache"}
        and cache.result.ci.runs
    ):
        return CiHistory(
            source="cache",
            fetched_at=cache.result.ci.fetched_at,
            runs=tuple(cache.result.ci.runs),
            warnings=tuple(warnings),
        )
    if not local_ok:
        warnings.append(
            "history.jsonl has unreadable lines; the local history is not used"
        )
    elif local_runs:
        return CiHistory(
            source="preflight",
            fetched_at=now,
            runs=tuple(local_runs),
            warnings=tuple(warnings),
        )
    return CiHistory(source="none", fetched_at=None, warnings=tuple(warnings))
