"""`nox -s preflight` and `nox -s readiness` for real on a fixture project."""

from __future__ import annotations

import json

from noxci.readiness.document import read_document
from noxci.readiness.model import Gate
from tests.integration.conftest import Project


def test_preflight_prints_the_table_even_when_lint_fails(project: Project) -> None:
    project.write("src/sample/extra.py", '"""Extra."""\n\nimport os\n')
    done = project.nox("-s", "preflight")
    assert done.returncode == 8  # the gate's: blocking job lint failed
    out = done.stdout + done.stderr
    assert "noxci readiness: sessions" in out
    assert (
        "preflight failed: lint failed; the readiness gate: a blocking job failed"
        in out
    )
    doc = read_document(project.root / ".noxci" / "readiness" / "readiness.json")
    rows = {row.session: row.status for row in doc.result.jobs}
    assert rows == {
        "lint": "failed",
        "typecheck": "passed",
        "tests": "passed",
        "docs": "passed",
        "security": "passed",
        "build": "passed",
    }
    assert doc.result.problems == []
    assert doc.result.gate is Gate.BLOCKING_JOB
    assert doc.result.message == "gate failed: blocking job lint failed"
    assert doc.context == "preflight"
    assert [run.conclusion for run in doc.result.ci.runs] == ["failure"]
    assert (
        (project.root / ".noxci" / "readiness" / "README.md")
        .read_text()
        .startswith("# Release readiness: sample")
    )
    history = (
        (project.root / ".noxci" / "readiness" / "history.jsonl")
        .read_text()
        .splitlines()
    )
    assert len(history) == 1
    took = json.loads(history[0])["duration_s"]  # the jobs' wall time
    assert took > 0
    assert doc.result.ci.runs[0].duration_s == took
    assert (
        "| 1 timed runs |"
        in (project.root / ".noxci" / "readiness" / "README.md").read_text()
    )


def test_readiness_names_a_deleted_report_and_exits_2(project: Project) -> None:
    assert project.nox("-s", "lint", "docs").returncode == 0
    (project.root / "reports" / "lint.json").unlink()
    done = project.nox("-s", "readiness")
    assert done.returncode == 2  # the gate's own exit code, through nox
    assert (
        "gate failed: incomplete data: ci-history (missing), tests (missing), security (missing), lint (missing)"
        in done.stderr
    )
    assert "readiness failed: incomplete data (exit 2)" in done.stderr


def test_readiness_commit_only_on_the_default_branch_and_only_when_changed(project: Project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import git

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project.root, "push", "-q", str(remote), "HEAD:refs/heads/main")
    env = {"NOXCI_READINESS_REMOTE": str(remote)}
    assert project.nox("-s", "lint").returncode == 0
    done = project.nox("-s", "readiness", "--", "--commit", env=env)
    assert "readiness/ committed and pushed to main" in done.stderr
    assert (
        git(remote, "log", "-1", "--format=%s", "main").strip()
        == "readiness: update the dashboard [skip ci]"
    )
    assert (
        git(remote, "show", "--stat", "--format=", "main")
        .split("\n")[0]
        .strip()
        .startswith("readiness/")
    )
    # Scoring again on another branch commits nothing.
    git(project.root, "checkout", "-q", "-b", "feature")
    done = project.nox("-s", "readiness", "--", "--commit", "--no-write", env=env)
    assert "readiness/ not committed: 'feature' is not 'main'" in done.stderr
