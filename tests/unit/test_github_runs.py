"""PyGithub against a fake GitHub API on 127.0.0.1 (no built-in delays)."""

from __future__ import annotations

from pathlib import Path

import pytest

from noxci.config import Config
from noxci.errors import NetworkError
from noxci.github import GitHubSettings, fetch_ci_runs
from noxci.readiness.run import Options, readiness
from tests.fakes.github_api import REPO, GitHubState, make_run
from tests.fakes.server import FakeServer, Fault
from tests.readiness_helpers import passing_set, write_project

RUNS_PATH = f"/repos/{REPO}/actions/workflows/ci.yml/runs"


def _settings(server: FakeServer, **kw: object) -> GitHubSettings:
    values: dict[str, object] = {
        "token": "ghs_secret123",
        "repository": REPO,
        "api_url": server.url,
        "pause": 0.0,
        "backoff": 0.0,
        "per_page": 5,
        "timeout": 2.0,
    }
    values.update(kw)
    return GitHubSettings(**values)  # type: ignore[arg-type]


def test_pages_until_enough_completed_runs(
    github: tuple[FakeServer, GitHubState],
) -> None:
    server, state = github
    # newest first: 6 cancelled, then 12 alternating; the 10 counted span 4 pages of 5
    state.runs = [make_run(100 - i, "cancelled") for i in range(6)] + [
        make_run(90 - i, "success" if i % 2 else "failure") for i in range(12)
    ]
    state.runs.append(make_run(1, "success", branch="feature"))
    runs = fetch_ci_runs(_settings(server), workflow="ci.yml", branch="main", limit=10)
    assert len(runs) == 16
    assert sum(r.conclusion != "cancelled" for r in runs) == 10
    pages = [
        r.query.get("page", ["1"])[0] for r in server.requests if r.path == RUNS_PATH
    ]
    assert pages == ["1", "2", "3", "4"]
    first = server.requests[0]
    assert first.query["branch"] == ["main"]
    assert first.query["status"] == ["completed"]
    assert first.headers["authorization"] == "token ghs_secret123"
    assert runs[6].duration_s == 300.0
    assert all(r.branch == "main" for r in runs)


def test_a_502_is_retried(github: tuple[FakeServer, GitHubState]) -> None:
    server, state = github
    state.runs = [make_run(i, "success") for i in range(3)]
    server.fault(Fault("GET", RUNS_PATH, status=502))
    runs = fetch_ci_runs(_settings(server), workflow="ci.yml", branch="main", limit=10)
    assert len(runs) == 3
    assert len(server.requests) == 2


def test_rate_limit_403_is_a_network_error_without_the_token(
    github: tuple[FakeServer, GitHubState],
) -> None:
    server, _ = github
    server.fault(
        Fault(
            "GET",
            RUNS_PATH,
            status=403,
            body={"message": "API rate limit exceeded for installation ID 1."},
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"},
        )
    )
    with pytest.raises(NetworkError) as info:
        fetch_ci_runs(_settings(server), workflow="ci.yml", branch="main", limit=10)
    assert str(info.value).startswith(
        "GitHub API rate limit exceeded; it asked to wait "
    )
    assert str(info.value).endswith(" s, more than network-max-wait (10 s)")
    assert len(server.requests) == 1  # no waiting for the reset, no retry storm


def test_timeout_is_a_network_error(github: tuple[FakeServer, GitHubState]) -> None:
    server, _ = github
    for _ in range(4):
        server.fault(Fault("GET", RUNS_PATH, status=200, body={}, delay=2.5))
    with pytest.raises(NetworkError, match=r"GitHub API unreachable \("):
        fetch_ci_runs(
            _settings(server, timeout=1.0, retries=1),
            workflow="ci.yml",
            branch="main",
            limit=10,
        )


@pytest.fixture
def project(tmp_path: Path) -> Config:
    config = write_project(tmp_path)
    passing_set(config)
    return config


@pytest.mark.parametrize("failure", ["rate-limit", "timeout", "refused"])
def test_api_failure_falls_back_to_the_cache(
    github: tuple[FakeServer, GitHubState],
    project: Config,
    failure: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, state = github
    state.runs = [
        make_run(i, "success" if i % 5 else "failure") for i in range(30, 0, -1)
    ]
    first = readiness(
        project,
        {},
        Options(
            now="2026-11-27T10:00:00Z",
            github=_settings(server, per_page=100),
            context="ci",  # CI caches GitHub's runs in the committed readiness/
        ),
    )
    assert first.result.ci.source == "github"
    assert first.result.component("ci").score == 80.0
    settings = _settings(server, timeout=1.0, retries=0)
    if failure == "rate-limit":
        server.fault(
            Fault(
                "GET",
                RUNS_PATH,
                status=403,
                body={"message": "API rate limit exceeded"},
                headers={
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": "4102444800",
                },
            )
        )
    elif failure == "timeout":
        server.fault(Fault("GET", RUNS_PATH, status=200, body={}, delay=2.5))
    else:
        settings = _settings(server, api_url="http://127.0.0.1:9", retries=0)
    second = readiness(
        project, {}, Options(now="2026-11-27T12:00:00Z", github=settings)
    )
    assert second.result.ci.source == "cache"
    assert (
        second.result.component("ci").score == 80.0
    )  # never better than the data says
    assert second.result.ci.warnings
    err = capsys.readouterr().err
    assert "CI pass rate from GitHub runs cached 2 h ago" in err
    assert "ghs_secret123" not in err
