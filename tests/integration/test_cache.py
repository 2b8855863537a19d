"""Result caching for real: unchanged inputs are not run again, and exactly
the sessions whose inputs changed are."""

from __future__ import annotations

from noxci.report import Status
from tests.integration.conftest import Project

SESSIONS = ("lint", "docs", "tests")


def _run(
    project: Project, *sessions: str, env: dict[str, str] | None = None
) -> dict[str, bool]:
    done = project.nox("-s", *sessions, env=env)
    assert done.returncode == 0, done.stderr
    return {s: project.report(s).cached for s in sessions}


def test_unchanged_inputs_are_not_run_again(project: Project) -> None:
    assert _run(project, *SESSIONS) == {"lint": False, "docs": False, "tests": False}
    first = {s: project.report(s) for s in SESSIONS}
    assert _run(project, *SESSIONS) == {"lint": True, "docs": True, "tests": True}
    again = {s: project.report(s) for s in SESSIONS}
    for s in SESSIONS:
        assert again[s].duration_s == first[s].duration_s  # the original run's duration
        assert again[s].metrics == first[s].metrics
    assert _run(project, "lint", env={"NOXCI_CACHE": "0"}) == {"lint": False}


def test_exactly_the_affected_sessions_run_again(project: Project) -> None:
    _run(project, *SESSIONS)
    project.write(
        "README.md", "# sample, now documented\n"
    )  # docs reads it; lint and tests do not
    assert _run(project, *SESSIONS) == {"lint": True, "docs": False, "tests": True}
    project.write("tests/test_more.py", "def test_more() -> None:\n    assert True\n")
    assert _run(project, *SESSIONS) == {"lint": False, "docs": False, "tests": False}
    assert project.report("tests").metrics["tests_passed"] == 3
    text = (project.root / "uv.lock").read_text()
    (project.root / "uv.lock").write_text(text + "\n")
    assert _run(project, *SESSIONS) == {"lint": False, "docs": False, "tests": False}
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "reruns-delay = 0.0", "reruns-delay = 0.0\nreruns = 1"
        )
    )
    assert _run(project, *SESSIONS) == {"lint": False, "docs": False, "tests": False}
    project.nox(
        "-s", "tests", "--", "-k", "add"
    )  # other arguments, other inputs (and too little coverage)
    assert project.report("tests").cached is False
    assert project.report("tests").metrics["tests_passed"] == 1


def test_a_cached_failure_stays_failed(project: Project) -> None:
    project.write("src/sample/extra.py", '"""Extra."""\n\nimport os\n')
    assert project.nox("-s", "lint").returncode != 0
    done = project.nox("-s", "lint")
    assert done.returncode != 0
    assert "lint: cached" in done.stderr
    report = project.report("lint")
    assert (report.cached, report.status) == (True, Status.FAILED)


def test_a_corrupt_cache_entry_is_a_miss(project: Project) -> None:
    _run(project, "lint")
    (project.root / "reports" / "lint.json").write_text('{"schema_version": 1, "trunc')
    done = project.nox("-s", "lint")
    assert done.returncode == 0, done.stderr
    assert "cache miss:" in done.stderr
    assert project.report("lint").cached is False


def test_another_commit_with_the_same_inputs_is_a_hit(project: Project) -> None:
    _run(project, "lint")
    project.write("docs/notes.md", "Not a lint input.\n")
    project.commit()
    assert _run(project, "lint") == {"lint": True}


def test_a_no_change_preflight_starts_no_job_worker(project: Project) -> None:
    first = project.nox("-s", "preflight")
    assert "Running session lint" in first.stdout + first.stderr
    first_score = _score(project)
    again = project.nox("-s", "preflight")
    out = again.stdout + again.stderr
    for session in ("lint", "typecheck", "tests", "docs", "security", "build"):
        assert f"noxci > {session}: cached (inputs" in out
        assert f"Running session {session}" not in out
        assert project.report(session).cached is True
    assert "noxci readiness: sessions" in out
    assert again.returncode == first.returncode, out
    assert _score(project) == first_score


def _score(project: Project) -> float:
    from noxci.readiness.document import read_document

    return read_document(
        project.root / ".noxci" / "readiness" / "readiness.json"
    ).result.score


def test_preflight_runs_only_the_changed_job(project: Project) -> None:
    project.nox("-s", "preflight")
    project.write("README.md", "# sample, now documented\n")  # only docs reads it
    again = project.nox("-s", "preflight")
    out = again.stdout + again.stderr
    assert "Running session docs" in out
    assert project.report("docs").cached is False
    assert "Running session lint" not in out
    assert project.report("lint").cached is True
    # An option preflight does not model leaves every decision to the workers,
    # which still reuse the unchanged reports themselves.
    again = project.nox("-s", "preflight", "--", "--verbose")
    out = again.stdout + again.stderr
    assert "Running session lint" in out
    assert "nox > lint: cached (inputs" in out
