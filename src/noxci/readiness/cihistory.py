"""Where the CI pass rate comes from. Nothing weaker ever stands in for GitHub.

- On GitHub (``GITHUB_TOKEN`` and ``GITHUB_REPOSITORY`` known; ``GITHUB_API_URL``
  for GitHub Enterprise), only GitHub's runs count. When GitHub cannot be
  reached after the retries, the runs cached in ``readiness/readiness.json``
  may stand in, but only when they came from GitHub and were fetched less
  than ``ci-cache-hours`` ago; the result says so, with their age.
  Otherwise the component is incomplete data: an outage never passes a
  failing gate, and local preflight runs never substitute for CI.
- Elsewhere (a laptop), fresh cached GitHub runs, else the local preflight
  history plus the current preflight.

The result always names its source, and where cached, when it was fetched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from noxci.clock import age, parse_time
from noxci.config import Config
from noxci.errors import NetworkError
from noxci.github import GitHubSettings, fetch_ci_runs
from noxci.readiness.document import ReadinessDocument
from noxci.readiness.model import CiHistory, CiRun

__all__ = ["Fetcher", "resolve_ci_history"]

Fetcher = Callable[..., list[CiRun]]


def _fresh_cache(
    cache: ReadinessDocument | None, now: str, max_hours: float
) -> CiHistory | None:
    """The cached GitHub runs when they are young enough to stand in."""
    if cache is None or cache.result.ci.source not in {"github", "cache"}:
        return None
    ci = cache.result.ci
    fetched, current = parse_time(ci.fetched_at), parse_time(now)
    if not ci.runs or fetched is None or current is None:
        return None
    hours = (current - fetched).total_seconds() / 3600
    if not 0 <= hours < max_hours:
        return None
    return CiHistory(
        source="cache",
        fetched_at=ci.fetched_at,
        runs=tuple(ci.runs),
        warnings=(
            f"CI pass rate from GitHub runs cached {age(ci.fetched_at, now)} ago "
            f"(fetched {ci.fetched_at}; they may stand in for {max_hours:g} h)",
        ),
    )


def _from_github(
    config: Config,
    settings: GitHubSettings,
    *,
    now: str,
    cache: ReadinessDocument | None,
    fetch: Fetcher,
) -> CiHistory:
    max_hours = config.readiness.ci_cache_hours
    try:
        runs = fetch(
            settings,
            workflow=config.readiness.workflow,
            branch=config.default_branch,
            limit=config.readiness.ci_runs,
        )
    except NetworkError as exc:
        cached = _fresh_cache(cache, now, max_hours)
        if cached is not None:
            return CiHistory(
                source=cached.source,
                fetched_at=cached.fetched_at,
                runs=cached.runs,
                warnings=(f"{exc}", *cached.warnings),
            )
        return CiHistory(
            source="none",
            fetched_at=None,
            warnings=(
                f"{exc}; no GitHub runs younger than {max_hours:g} h are cached, "
                "so the CI pass rate is unknown (local runs never stand in for CI)",
            ),
        )
    return CiHistory(source="github", fetched_at=now, runs=tuple(runs))


def resolve_ci_history(
    config: Config,
    settings: GitHubSettings | None,
    *,
    now: str,
    cache: ReadinessDocument | None,
    local_runs: Sequence[CiRun],
    local_ok: bool,
    fetch: Fetcher = fetch_ci_runs,
) -> CiHistory:
    """The runs the pass rate counts, by the rules in the module docstring.

    ``local_ok`` is False when the local history is unreadable; it is then
    not trusted at all (a lost failing line would raise the pass rate).
    """
    if settings is not None:
        return _from_github(config, settings, now=now, cache=cache, fetch=fetch)
    cached = _fresh_cache(cache, now, config.readiness.ci_cache_hours)
    if cached is not None:
        return cached
    if not local_ok:
        return CiHistory(
            source="none",
            fetched_at=None,
            warnings=(
                "history.jsonl has unreadable lines; the local history is not used",
            ),
        )
    if local_runs:
        return CiHistory(source="preflight", fetched_at=now, runs=tuple(local_runs))
    return CiHistory(source="none", fetched_at=None)
