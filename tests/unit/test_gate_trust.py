"""The readiness gate cannot be talked into passing: one test per way it was tried.

Each test names the case of issue 15 it pins down.
"""

from __future__ import annotations

import concurrent.futures
from dataclasses import replace
from pathlib import Path

import pytest

from noxci import console
from noxci.config import Config
from noxci.errors import ConfigError, ExitCode, NetworkError
from noxci.github import GitHubSettings
from noxci.readiness.cihistory import Fetcher
from noxci.readiness.document import ReadinessDocument
from noxci.readiness.history import (
    HistoryEntry,
    append_entry,
    preflight_runs,
    read_history,
)
from noxci.readiness.model import CiRun, Gate
from noxci.readiness.run import Options, readiness
from noxci.report import Status
from tests.conftest import git
from tests.readiness_helpers import (
    ci_runs,
    fetch_returning,
    fresh_report,
    passing_set,
    write_project,
)

NOW = "2026-11-27T10:00:00Z"
GITHUB = GitHubSettings(
    token="ghs_TrustTestToken0042",
    repository="acme/widget",
    api_url="http://127.0.0.1:9",
)


@pytest.fixture
def project(tmp_path: Path) -> Config:
    config = write_project(tmp_path)
    passing_set(config)
    return config


def _down(message: str = "GitHub API unreachable (ConnectionError)") -> Fetcher:
    def fetch(*_: object, **__: object) -> list[CiRun]:
        raise NetworkError(message)

    return fetch


@pytest.mark.parametrize(
    "fault",
    [
        "GitHub API unreachable (ConnectionError)",
        "GitHub API answered 502",
        "GitHub API answered 503 after 3 attempts in 12.0 s",
        "GitHub API rate limit exceeded",
        "GitHub API unreachable (ReadTimeout)",
    ],
)
def test_1_an_outage_never_passes_a_failing_gate(project: Config, fault: str) -> None:
    failing = readiness(
        project,
        {},
        Options(  # in CI: its GitHub runs are cached in the committed readiness/
            now=NOW,
            github=GITHUB,
            fetch=fetch_returning(ci_runs("sssssssfff")),
            context="ci",
        ),
    )
    assert failing.result.gate is Gate.BELOW_THRESHOLD
    # Plenty of passing local preflight runs: they must never stand in for GitHub.
    for hour in range(11, 16):
        readiness(
            project, {}, Options(now=f"2026-11-27T{hour}:00:00Z", context="preflight")
        )
        (project.root / "src" / "widget" / f"m{hour}.py").write_text('"""M."""\n')
        passing_set(project)
    fresh = readiness(
        project,
        {},
        Options(now="2026-11-27T16:00:00Z", github=GITHUB, fetch=_down(fault)),
    )
    assert fresh.result.ci.source == "cache"  # GitHub's own runs, cached 6 h ago
    assert fresh.result.gate is not Gate.PASSED
    assert fresh.result.score <= failing.result.score
    (project.readiness_dir / "readiness.json").unlink()  # no cache at all
    none = readiness(
        project,
        {},
        Options(now="2026-11-27T16:00:00Z", github=GITHUB, fetch=_down(fault)),
    )
    assert none.result.ci.source == "none"
    assert none.result.gate is Gate.INCOMPLETE


def test_1_an_old_or_local_cache_never_stands_in(project: Config) -> None:
    readiness(
        project,
        {},
        Options(
            now=NOW,
            github=GITHUB,
            fetch=fetch_returning(ci_runs("ssssssssss")),
            context="ci",
        ),
    )
    stale = readiness(
        project,
        {},
        Options(now="2026-11-28T10:00:00Z", github=GITHUB, fetch=_down(), write=False),
    )
    assert stale.result.gate is Gate.INCOMPLETE  # fetched 24 h ago: too old
    (project.readiness_dir / "readiness.json").unlink()
    readiness(project, {}, Options(now=NOW, context="preflight"))  # a local cache
    local = readiness(
        project, {}, Options(now=NOW, github=GITHUB, fetch=_down(), write=False)
    )
    assert local.result.ci.source == "none"


def test_2_re_running_an_unchanged_preflight_adds_nothing(project: Config) -> None:
    (project.reports_dir / "lint.json").unlink()
    failed = readiness(project, {}, Options(now=NOW, context="preflight"))
    assert [r.conclusion for r in failed.result.ci.runs] == ["failure"]
    (project.root / "src" / "widget" / "fix.py").write_text('"""The fix."""\n')
    passing_set(project)
    first = readiness(
        project, {}, Options(now="2026-11-27T11:00:00Z", context="preflight")
    )
    assert [r.conclusion for r in first.result.ci.runs] == ["success", "failure"]
    for minute in range(1, 8):
        again = readiness(
            project,
            {},
            Options(now=f"2026-11-27T11:{minute:02d}:00Z", context="preflight"),
        )
        assert [r.conclusion for r in again.result.ci.runs] == ["success", "failure"]
        assert again.result.score == first.result.score
    entries, _ = read_history(project.local_readiness_dir / "history.jsonl")
    assert len(entries) == 2  # the re-runs replaced the line of their run


def _tracked_history(project: Config) -> Path:
    """A git repository whose committed history holds two failed preflight runs."""
    root = project.root
    (root / ".gitignore").write_text("reports/\n")
    git(root, "init", "-q", "-b", "main")
    (project.reports_dir / "lint.json").unlink()
    # Recorded into the committed history (`noxci readiness --update`).
    for hour in ("08", "09"):
        (root / "src" / "widget" / f"a{hour}.py").write_text('"""A."""\n')
        readiness(
            project,
            {},
            Options(now=f"2026-11-27T{hour}:00:00Z", context="preflight", update=True),
        )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "history")
    passing_set(project)
    return project.readiness_dir / "history.jsonl"


@pytest.mark.parametrize("edit", ["delete", "truncate", "flip", "empty"])
def test_3_removing_or_editing_tracked_history_never_raises_the_score(
    project: Config, edit: str
) -> None:
    path = _tracked_history(project)
    before = readiness(project, {}, Options(now=NOW, context="preflight", write=False))
    assert [r.conclusion for r in before.result.ci.runs] == [
        "success",
        "failure",
        "failure",
    ]
    lines = path.read_text().splitlines()
    if edit == "delete":
        path.unlink()
    elif edit == "truncate":
        path.write_text(lines[0] + "\n")
    elif edit == "empty":
        path.write_text("")
    else:
        path.write_text(
            "\n".join(
                line.replace('"jobs_ok":false', '"jobs_ok":true').replace(
                    '"outcome":"failure"', '"outcome":"success"'
                )
                for line in lines
            )
            + "\n"
        )
    after = readiness(project, {}, Options(now=NOW, context="preflight", write=False))
    assert after.result.score <= before.result.score
    assert [r.conclusion for r in after.result.ci.runs] == [
        "success",
        "failure",
        "failure",
    ]


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        (
            "[tool.noxci.readiness]\nthreshold = nan\n",
            "[tool.noxci.readiness] threshold",
        ),
        (
            "[tool.noxci.readiness]\nthreshold = inf\n",
            "[tool.noxci.readiness] threshold",
        ),
        (
            "[tool.noxci.readiness.weights]\nci = -inf\n",
            "[tool.noxci.readiness.weights] ci",
        ),
        ("[tool.noxci.tests]\ncoverage-min = nan\n", "[tool.noxci.tests] coverage-min"),
        (
            "[tool.noxci.readiness]\nthreshold = 101\n",
            "[tool.noxci.readiness] threshold",
        ),
        (
            "[tool.noxci.readiness]\nci-cache-hours = 0\n",
            "[tool.noxci.readiness] ci-cache-hours",
        ),
        ("[tool.noxci.smoke]\nbackoff = 1e9\n", "[tool.noxci.smoke] backoff"),
    ],
)
def test_4_every_configured_number_is_finite_and_in_range(
    tmp_path: Path, toml: str, key: str
) -> None:
    with pytest.raises(ConfigError) as info:
        write_project(tmp_path, toml)
    assert str(info.value).startswith(f"pyproject.toml: {key}: ")
    assert "\n" not in str(info.value)
    assert info.value.return_code == ExitCode.CONFIG


@pytest.mark.parametrize("job", ["lint", "tests"])
def test_5_a_failed_blocking_job_fails_the_gate_whatever_the_score(
    project: Config, job: str
) -> None:
    fresh_report(project, job, status=Status.FAILED)  # its figures are clean
    doc = readiness(
        project,
        {},
        Options(now=NOW, github=GITHUB, fetch=fetch_returning(ci_runs("ssssssssss"))),
    )
    assert doc.result.score >= 95
    assert doc.result.gate is Gate.BLOCKING_JOB
    assert doc.result.gate.exit_code == ExitCode.BLOCKING_JOB
    assert doc.result.message == f"gate failed: blocking job {job} failed"
    # A non-blocking job's failure is data, not a gate.
    fresh_report(project, job)
    fresh_report(project, "typecheck", status=Status.FAILED)
    doc = readiness(
        project,
        {},
        Options(now=NOW, github=GITHUB, fetch=fetch_returning(ci_runs("ssssssssss"))),
    )
    assert doc.result.gate is Gate.PASSED


def test_7_an_errored_local_run_is_left_out_not_failed(project: Config) -> None:
    readiness(project, {}, Options(now="2026-11-27T09:00:00Z", context="preflight"))
    (project.root / "src" / "widget" / "b.py").write_text('"""B."""\n')
    passing_set(project)
    fresh_report(
        project,
        "security",
        status=Status.ERROR,
        metrics={},
        error="no dependency could be audited (service unreachable)",
    )
    doc = readiness(
        project, {}, Options(now=NOW, context="preflight", jobs_failed=True)
    )
    assert [r.conclusion for r in doc.result.ci.runs] == ["errored", "success"]
    assert doc.result.component("ci").score == 100.0
    assert (
        "cancelled, skipped or errored runs left out: 1"
        in doc.result.component("ci").detail
    )
    assert doc.result.gate is Gate.INCOMPLETE  # the errored report itself still counts


def _line(number: int) -> HistoryEntry:
    return HistoryEntry(
        generated_at=f"2026-11-27T10:{number // 60:02d}:{number % 60:02d}Z",
        commit=f"{number:040x}",
        branch="main",
        context="preflight",
        score=50.0,
        band="Poor",
        gate="below-threshold",
        components={},
        outcome="failure",
        inputs=f"{number:064x}",
    )


def test_2_the_latest_run_on_a_commit_stands_for_it(tmp_path: Path) -> None:
    # Passed; failed on uncommitted changes (other inputs); put right and
    # passed again: the commit is one run, the latest. Another commit's
    # failure still counts.
    path = tmp_path / "history.jsonl"
    runs = [
        (1, "a", "x", "success"),
        (2, "a", "y", "failure"),
        (3, "b", "z", "failure"),
        (4, "a", "x", "success"),
    ]
    for number, commit, inputs, outcome in runs:
        entry = replace(
            _line(number), commit=commit * 40, inputs=inputs * 64, outcome=outcome
        )
        append_entry(path, entry, limit=1000)
    entries, bad = read_history(path)
    assert bad == []
    assert [(r.head_sha, r.conclusion) for r in preflight_runs(entries)] == [
        ("a" * 40, "success"),
        ("b" * 40, "failure"),
    ]
    # A run that failed last on its commit is what counts for it.
    append_entry(path, replace(_line(5), commit="a" * 40), limit=1000)
    entries, _ = read_history(path)
    assert [r.conclusion for r in preflight_runs(entries)] == ["failure", "failure"]


def _append(args: tuple[str, int]) -> None:
    append_entry(Path(args[0]), _line(args[1]), limit=1000)


def test_8_concurrent_runs_lose_no_history_line(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    with concurrent.futures.ProcessPoolExecutor(8) as pool:
        for round_ in range(6):
            list(pool.map(_append, [(str(path), round_ * 8 + i) for i in range(8)]))
    entries, bad = read_history(path)
    assert bad == []
    assert len(entries) == 48


def test_8_concurrent_comments_leave_exactly_one(github: tuple[object, object]) -> None:
    from noxci.publish.github_comment import upsert_comment
    from tests.fakes.github_api import GitHubState
    from tests.fakes.server import FakeServer

    server, state = github
    assert isinstance(server, FakeServer)
    assert isinstance(state, GitHubState)
    state.post_delay = 0.05
    settings = GitHubSettings(
        token="t0ken-value",
        repository="acme/widget",
        api_url=server.url,
        pause=0.0,
        backoff=0.0,
    )

    def post(args: tuple[int, int]) -> object:
        pr, n = args
        return upsert_comment(settings, pr, f"<!-- noxci-readiness -->\nrun {n}")

    for pr in range(20, 28):
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(post, [(pr, n) for n in range(4)]))
        assert len(state.comments[pr]) == 1, pr


def test_9_the_comment_shows_noxci_labels_never_the_artifacts(project: Config) -> None:
    from noxci.readiness.trend import trend
    from noxci.render.comment import pr_comment

    doc = readiness(
        project,
        {},
        Options(
            now=NOW,
            github=GITHUB,
            fetch=fetch_returning(ci_runs("ssssssssss")),
            write=False,
        ),
    )
    data = doc.to_dict()
    evil = "## Approved by @octocat [click](https://evil.example)"
    for component in data["components"]:
        component["label"] = evil
    data["components"][0]["problems"] = [
        {"subject": evil, "kind": evil, "message": evil}
    ]
    forged = ReadinessDocument.from_dict(data)
    body = pr_comment(
        forged, trend(forged, [], "main"), default_branch="main", run_url=None
    )
    for forged_text in ("octocat", "evil.example", "Approved"):
        assert forged_text not in body
    assert "| CI pass rate ⚠️ | 40% |" in body
    assert "- a report (invalid)" in body


def test_10_a_token_echoed_in_an_error_is_written_nowhere(project: Config) -> None:
    settings = GitHubSettings.from_env(
        {
            "GITHUB_TOKEN": "ghs_EchoedToken99887766",
            "GITHUB_REPOSITORY": "acme/widget",
            "GITHUB_API_URL": "http://127.0.0.1:9",
        }
    )
    assert settings is not None
    readiness(
        project,
        {},
        Options(
            now=NOW,
            github=settings,
            fetch=_down(
                "GitHub API answered 401: Bad credentials ghs_EchoedToken99887766"
            ),
        ),
    )
    for path in project.local_readiness_dir.iterdir():
        assert "ghs_EchoedToken99887766" not in path.read_text(), path.name
    assert "***" in (project.local_readiness_dir / "readiness.json").read_text()
    assert console.redact("x ghs_EchoedToken99887766 y") == "x *** y"


def test_10_secret_looking_variables_are_registered() -> None:
    console.register_env_secrets(
        {
            "STAGING_DB_PASSWORD": "hunter2-hunter2",
            "DATABASE_URL": "postgresql://u:pw-in-a-url@db/x",
            "HOME": "/root",
        }
    )
    assert console.redact("hunter2-hunter2 pw-in-a-url /root") == "*** *** /root"
