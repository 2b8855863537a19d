"""Adding a job is one module and one registry line: proved on a copy of noxci.

The copy gets a throwaway job, ``pyright``, and nothing else; the job then
shows in ``nox -l``, ``noxci config check``, the CI matrix, its own session
and report, and the readiness table.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import noxci
from tests.conftest import git
from tests.integration.conftest import Project

SRC = Path(noxci.__file__).parent
JOB_MODULE = '''"""A throwaway job for the registry test."""

from noxci.jobconfig import JobConfig
from noxci.jobs.base import JobContext, Outcome
from noxci.report import Status

Settings = JobConfig


def run(ctx: JobContext) -> Outcome:
    """Check nothing, loudly."""
    return Outcome(status=Status.PASSED, summary="pyright: 0 error(s) in 3 file(s)", metrics={"files": 3})
'''
REGISTRY_LINE = '    JobSpec(name="pyright", description="Type check with pyright (a throwaway job).", blocking=False),\n'


def _copy_with_pyright(target: Path) -> list[str]:
    """noxci's source with the job added; the paths the change touched."""
    copy = target / "noxci"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "jobs" / "pyright.py").write_text(JOB_MODULE, encoding="utf-8")
    registry = copy / "registry.py"
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("JOBS: tuple"))
    end = next(i for i in range(start, len(lines)) if lines[i] == ")\n")
    lines.insert(end, REGISTRY_LINE)
    registry.write_text("".join(lines), encoding="utf-8")
    return ["jobs/pyright.py (new)", "registry.py (+1 line)"]


def test_a_new_job_is_one_module_and_one_registry_line(tmp_path: Path) -> None:
    touched = _copy_with_pyright(tmp_path / "src")
    assert len(touched) == 2
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "widget"\nversion = "1"\n', encoding="utf-8"
    )
    (root / "noxfile.py").write_text(
        "import noxci.sessions\n\nnoxci.sessions.register()\n", encoding="utf-8"
    )
    git(root, "init", "-q", "-b", "main")
    project = Project(root)
    env = {
        "PYTHONPATH": str(tmp_path / "src"),
        "NOX_SCRIPT_MODE": "none",
        "COLUMNS": "200",
    }

    listed = project.nox(
        "-l", "--json", "-k", "not matches_nothing", env=env, measured=False
    )
    assert listed.returncode == 0, listed.stderr
    sessions = {s["session"]: s for s in json.loads(listed.stdout)}
    assert sessions["pyright"]["description"] == (
        "Type check with pyright (a throwaway job)."
    )
    assert sessions["pyright"]["tags"] == ["ci"]

    check = project.run(
        sys.executable, "-m", "noxci", "config", "check", env=env, measured=False
    )
    assert check.returncode == 0, check.stderr
    assert "pyright" in json.loads(check.stdout)["jobs"]
    (root / "pyproject.toml").write_text(
        '[project]\nname = "widget"\nversion = "1"\n[tool.noxci.pyright]\nblockng = true\n',
        encoding="utf-8",
    )
    bad = project.run(
        sys.executable, "-m", "noxci", "config", "check", env=env, measured=False
    )
    assert bad.returncode == 4
    assert (
        "[tool.noxci.pyright] has unknown key 'blockng'; did you mean 'blocking'?"
        in bad.stderr
    )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "widget"\nversion = "1"\n', encoding="utf-8"
    )

    matrix = project.nox("-s", "matrix", env=env, measured=False)
    assert matrix.returncode == 0, matrix.stderr
    entries = json.loads(matrix.stdout.strip().splitlines()[-1])["include"]
    assert {
        "session": "pyright",
        "python": "3.11",
        "timeout": 15,
        "sarif": "",
        "shard": "",
        "part": "pyright",
    } in entries

    ran = project.nox("-s", "pyright", env=env, measured=False)
    assert ran.returncode == 0, ran.stderr
    assert "pyright: passed: pyright: 0 error(s) in 3 file(s)" in ran.stderr
    assert project.report("pyright").metrics == {"files": 3}

    table = project.run(
        sys.executable,
        "-m",
        "noxci",
        "readiness",
        "--no-write",
        env=env,
        measured=False,
    )
    assert table.returncode == 2  # nothing else ran: incomplete data
    assert "pyright" in table.stdout
    assert "0 error(s) in 3 file(s)" in table.stdout
