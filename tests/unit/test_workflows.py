"""The repository's own workflows, and the rules the workflows job applies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from noxci.config import load_config
from noxci.ide import pycharm_configuration, vscode_tasks, write_ide_files
from noxci.jobs.workflows import (
    MATRIX_SESSION,
    PINNED,
    RUN_STEP,
    ZIZMOR,
    Settings,
    parse_zizmor,
    thin_wrapper_findings,
)
from noxci.noxlist import NoxSession, in_place, list_sessions
from tests.conftest import DATA, TOOL_OUTPUT, actionlint, assert_linters_pass

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ALLOWED = load_config(ROOT).settings("workflows", Settings).allowed_actions


@pytest.fixture(scope="module")
def sessions() -> list[NoxSession]:
    return list_sessions(ROOT)


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def _on(workflow: dict[Any, Any]) -> Any:
    return workflow.get("on", workflow.get(True))


def test_the_expected_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == [
        "ci.yml",
        "pr-comment.yml",
        "staging-smoke-test.yml",
        "update-readiness.yml",
    ]
    assert (ROOT / ".github" / "dependabot.yml").is_file()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_step_is_a_thin_wrapper(path: Path, sessions: list[NoxSession]) -> None:
    workflow = _load(path)
    names = {s.name for s in sessions}
    assert (
        thin_wrapper_findings(path.name, workflow, sessions=names, allowed=ALLOWED)
        == []
    )
    assert workflow["permissions"] == {}
    for job_name, job in workflow["jobs"].items():
        assert "timeout-minutes" in job, job_name
        for step in job["steps"]:
            if "run" in step:
                match = RUN_STEP.match(" ".join(step["run"].split()))
                assert match is not None
                if match.group("session") == MATRIX_SESSION:
                    assert step["env"]["NOXCI_SESSION"] == "${{ matrix.session }}"
                else:
                    assert match.group("session") in names
            else:
                assert PINNED.match(step["uses"]), step["uses"]
                assert (
                    "persist-credentials" in step.get("with", {})
                    or "checkout" not in step["uses"]
                )


def test_the_workflows_are_generated_from_the_registry() -> None:
    from noxci.workflowgen import workflows

    expected = workflows(load_config(ROOT))
    assert sorted(expected) == [p.name for p in WORKFLOWS]
    for name, text in expected.items():
        committed = (ROOT / ".github" / "workflows" / name).read_text()
        assert committed == text, f"{name} drifted: run `noxci init --github`"


def test_ci_has_the_seed_graph_and_a_matrix_from_nox(
    sessions: list[NoxSession],
) -> None:
    ci = _load(ROOT / ".github" / "workflows" / "ci.yml")
    jobs = ci["jobs"]
    assert set(jobs) == {"plan", "jobs", "readiness", "mcp", "build"}
    assert ci["concurrency"] == {
        "group": "ci-${{ github.ref }}",
        "cancel-in-progress": True,
    }
    assert set(_on(ci)) == {"push", "pull_request"}
    assert jobs["jobs"]["strategy"]["matrix"] == (
        "${{ fromJSON(needs.plan.outputs.matrix) }}"
    )
    assert jobs["jobs"]["timeout-minutes"] == "${{ matrix.timeout }}"
    [plan_run] = [s["run"] for s in jobs["plan"]["steps"] if "run" in s]
    assert plan_run == "uv run --locked nox -s matrix"
    assert jobs["readiness"]["needs"] == ["jobs"]
    assert jobs["mcp"]["needs"] == ["jobs"]
    assert jobs["build"]["needs"] == ["readiness", "mcp"]
    timeouts = {n: j["timeout-minutes"] for n, j in jobs.items() if n != "jobs"}
    assert timeouts == {"plan": 5, "readiness": 10, "mcp": 20, "build": 15}
    downloads = [
        s
        for s in jobs["readiness"]["steps"]
        if "download-artifact" in s.get("uses", "")
    ]
    assert downloads[0]["with"]["pattern"] == "reports-*"


def test_the_matrix_is_the_ci_sessions_that_wait_for_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "nox", "-s", "matrix"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=in_place(),
    )
    matrix = json.loads(done.stdout.strip().splitlines()[-1])
    entries = {e["session"]: (e["python"], e["timeout"]) for e in matrix["include"]}
    assert entries == {
        "lint": ("3.11", 15),
        "typecheck": ("3.11", 15),
        "tests": ("3.11", 30),
        "docs": ("3.11", 15),
        "security": ("3.11", 15),
        "workflows": ("3.11", 15),
    }


def test_pr_comment_is_fork_safe() -> None:
    workflow = _load(ROOT / ".github" / "workflows" / "pr-comment.yml")
    assert list(_on(workflow)) == ["workflow_run"]
    [job] = workflow["jobs"].values()
    assert job["permissions"]["pull-requests"] == "write"
    checkout = job["steps"][0]
    assert "ref" not in checkout.get("with", {})  # the base branch, never the PR's head
    assert checkout["with"]["persist-credentials"] is False
    assert (
        "pull_request_target"
        not in (ROOT / ".github" / "workflows" / "pr-comment.yml").read_text()
    )


def test_update_and_smoke_triggers() -> None:
    workflow = _load(ROOT / ".github" / "workflows" / "update-readiness.yml")
    update = _on(workflow)
    assert "push" not in update  # never before CI has finished
    assert update["workflow_run"] == {
        "workflows": ["CI"],
        "types": ["completed"],
        "branches": ["main", "develop"],
    }
    [job] = workflow["jobs"].values()
    assert "github.event.workflow_run.event == 'push'" in job["if"]
    steps = job["steps"]
    assert steps[0]["with"]["ref"] == (
        "${{ github.event.workflow_run.head_sha || github.sha }}"
    )
    download = next(s for s in steps if "download-artifact" in s.get("uses", ""))
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    security = next(s for s in steps if s.get("run", "").endswith("-s security"))
    assert security["if"] == "github.event_name != 'workflow_run'"  # daily re-audit
    assert [c["cron"] for c in update["schedule"]] == ["0 9 * * *", "0 6 1 * *"]
    assert "workflow_dispatch" in update
    smoke = _load(ROOT / ".github" / "workflows" / "staging-smoke-test.yml")
    assert smoke["jobs"]["smoke"]["environment"] == "staging"
    assert [c["cron"] for c in _on(smoke)["schedule"]] == ["0 */4 * * *"]
    assert _on(smoke)["workflow_run"]["branches"] == ["main"]
    # A pull request from a branch named main must not start it with the secrets.
    condition = smoke["jobs"]["smoke"]["if"]
    assert "github.event.workflow_run.event == 'push'" in condition
    assert "github.event.workflow_run.head_branch == 'main'" in condition


def test_zizmor_finds_nothing_in_our_workflows() -> None:
    zizmor = Path(sys.executable).parent / "zizmor"
    done = subprocess.run(
        [str(zizmor), *ZIZMOR[1:], "--format", "json", str(ROOT / ".github")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


def test_the_bad_fixture_breaks_every_rule() -> None:
    workflow = yaml.safe_load((DATA / "workflows" / "bad" / "bad.yml").read_text())
    found = thin_wrapper_findings(
        "bad.yml", workflow, sessions={"lint"}, allowed=ALLOWED
    )
    assert sorted({f.rule for f in found}) == [
        "no-timeout",
        "pull-request-target",
        "thin-wrapper",
        "top-level-permissions",
        "unknown-session",
        "unpinned",
    ]
    zizmor = parse_zizmor(
        (TOOL_OUTPUT / "zizmor-bad.json").read_text(), "/x", Path("/x")
    )
    assert {f.rule for f in zizmor} >= {
        "template-injection",
        "unpinned-uses",
        "excessive-permissions",
        "dangerous-triggers",
    }
    [injection] = [f for f in zizmor if f.rule == "template-injection"]
    assert (injection.path, injection.line, injection.severity.value) == (
        "bad.yml",
        17,
        "high",
    )


def test_ide_files_follow_the_sessions_and_are_idempotent(
    tmp_path: Path, sessions: list[NoxSession]
) -> None:
    first = write_ide_files(tmp_path, sessions)
    contents = {p: p.read_text() for p in first}
    (tmp_path / ".run" / "nox_gone.run.xml").write_text("stale")
    second = write_ide_files(tmp_path, sessions)
    assert first == second
    assert {p: p.read_text() for p in second} == contents
    assert not (tmp_path / ".run" / "nox_gone.run.xml").exists()
    # No uv.lock there: the plain nox on PATH, never `uv run` (which would
    # fail, or create a .venv).
    tasks = json.loads(vscode_tasks(sessions, tmp_path))["tasks"]
    assert [t["label"] for t in tasks] == [f"nox: {s.name}" for s in sessions]
    assert (tasks[0]["command"], tasks[0]["args"]) == ("nox", ["-s", sessions[0].name])
    assert "options" not in tasks[0]
    xml = pycharm_configuration(sessions[0], tmp_path)
    assert 'type="ShConfigurationType"' in xml
    assert f'name="SCRIPT_TEXT" value="nox -s {sessions[0].name}"' in xml
    # Here uv.lock locks nox and noxci: through uv, without the script block's detour.
    ours = json.loads(vscode_tasks(sessions, ROOT))["tasks"]
    assert ours[0]["command"] == "uv"
    assert ours[0]["args"][:3] == ["run", "--locked", "nox"]
    assert ours[0]["options"]["env"] == {"NOX_SCRIPT_MODE": "none"}


def test_problem_matchers_read_noxci_and_mypy_lines() -> None:
    import re

    from noxci.ide import FINDING, MYPY

    finding = re.match(
        FINDING, "noxci > src/pkg/a.py:12:5 F401 'os' imported but unused"
    )
    assert finding is not None
    assert finding.groups() == (
        "src/pkg/a.py",
        "12",
        "5",
        "F401",
        "'os' imported but unused",
    )
    mypy = re.match(
        MYPY, 'src/pkg/a.py:3: error: Name "x" is not defined  [name-defined]'
    )
    assert mypy is not None
    assert mypy.groups() == (
        "src/pkg/a.py",
        "3",
        None,
        "error",
        'Name "x" is not defined',
        "name-defined",
    )


def test_committed_ide_files_are_up_to_date(sessions: list[NoxSession]) -> None:
    assert (ROOT / ".vscode" / "tasks.json").read_text() == vscode_tasks(
        sessions, ROOT
    ), "run `nox -s ide`"
    for session in sessions:
        path = ROOT / ".run" / f"nox_{session.name}.run.xml"
        assert path.read_text() == pycharm_configuration(
            session, ROOT
        ), "run `nox -s ide`"


def test_actionlint_finds_nothing_in_our_workflows() -> None:
    done = actionlint([ROOT / ".github" / "workflows" / "*.yml"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed lint checks" in done.stdout


def test_generated_workflows_without_uv_lock_use_uvx_and_pass_both_linters(
    tmp_path: Path,
) -> None:
    from noxci.workflowgen import workflows

    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "widget"\nversion = "1"\n[tool.noxci.smoke]\nattempts = 2\n'
    )
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in workflows(load_config(tmp_path)).items():
        (folder / name).write_text(text)
        data = _load(folder / name)
        runs = [
            s["run"] for j in data["jobs"].values() for s in j["steps"] if "run" in s
        ]
        assert runs
        assert all(r.startswith("uvx nox@2026.10.20 -s ") for r in runs), runs
        assert "NOX_SCRIPT_MODE" not in data.get(
            "env", {}
        )  # uvx needs the script block
        assert "cache-dependency-glob: pyproject.toml" in text
        assert (
            thin_wrapper_findings(
                name,
                data,
                sessions={
                    "lint",
                    "tests",
                    "matrix",
                    "readiness",
                    "comment",
                    "security",
                    "smoke",
                    "build",
                },
                allowed=ALLOWED,
            )
            == []
        )
    assert_linters_pass(folder, 4)


def test_the_workflows_job_is_for_workflows_that_run_noxci(tmp_path: Path) -> None:
    from noxci.registry import registered_jobs

    def names() -> set[str]:
        return {spec.name for spec in registered_jobs(tmp_path, {})}

    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(
        "jobs:\n  t:\n    steps:\n      - run: tox -e py\n"
    )
    assert "workflows" not in names()  # a project still on tox: not noxci's to judge
    assert "workflows" in {
        s.name for s in registered_jobs(tmp_path, {}, {"workflows": True})
    }
    (workflows / "nox.yaml").write_text(
        "jobs:\n  t:\n    steps:\n      - run: nox -s lint\n"
    )
    assert "workflows" in names()


def test_a_split_suite_gets_shard_entries_and_a_combine_job_that_pass_both_linters(
    tmp_path: Path,
) -> None:
    from noxci.workflowgen import matrix, workflows

    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "widget"\nversion = "1"\n[tool.noxci]\n'
        'python = ["3.11", "3.12"]\nreports-dir = "out/reports"\n'
        "[tool.noxci.tests]\nshards = 3\n"
    )
    config = load_config(tmp_path)
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in workflows(config).items():
        (folder / name).write_text(text)
    ci = _load(folder / "ci.yml")
    assert ci["jobs"]["readiness"]["needs"] == ["jobs", "combine"]
    combine = ci["jobs"]["combine"]
    assert combine["needs"] == ["jobs"]
    assert [s["run"] for s in combine["steps"] if "run" in s] == [
        "uvx nox@2026.10.20 -s tests-3.11 -- --combine"
    ]
    # The reports directory the project configured, everywhere.
    assert "out/reports/tests.durations.json" in (folder / "ci.yml").read_text()
    assert "path: reports" not in (folder / "ci.yml").read_text()
    entries = matrix(
        {
            "tests-3.11": ("tests", "3.11"),
            "tests-3.12": ("tests", "3.12"),
            "lint": ("lint", "3.11"),
        },
        shards=3,
    )["include"]
    assert [(e["session"], e["shard"], e["part"]) for e in entries] == [
        ("tests-3.11", "1/3", "tests-3.11.shard-1-of-3"),
        ("tests-3.11", "2/3", "tests-3.11.shard-2-of-3"),
        ("tests-3.11", "3/3", "tests-3.11.shard-3-of-3"),
        ("tests-3.12", "1/3", "tests-3.12.shard-1-of-3"),
        ("tests-3.12", "2/3", "tests-3.12.shard-2-of-3"),
        ("tests-3.12", "3/3", "tests-3.12.shard-3-of-3"),
        ("lint", "", "lint"),
    ]
    assert (
        thin_wrapper_findings(
            "ci.yml",
            ci,
            sessions={
                "lint",
                "tests-3.11",
                "tests-3.12",
                "matrix",
                "readiness",
                "build",
            },
            allowed=ALLOWED,
        )
        == []
    )
    assert_linters_pass(folder, len(list(folder.glob("*.yml"))))
