"""Real nox sessions on small fixture projects copied into a temporary git repo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from noxci.report import Report, read_report
from tests.conftest import DATA, PROJECTS, git


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in str(item.path):
            item.add_marker(pytest.mark.integration)


def _clean_env(
    extra: dict[str, str] | None = None, *, measured: bool = True
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # The outer pytest's own settings must not leak into the inner runs,
        # nor the outer noxci's (`preflight --no-cache` exports NOXCI_CACHE=0,
        # which would turn every cache test into a miss); COVERAGE_PROCESS_*
        # stays so noxci's code in nox is still measured, unless the run
        # imports another copy of noxci (which would count as other files).
        if not k.startswith(("PYTEST_", "NOX_", "GITHUB_", "NOXCI_"))
        and k not in {"CI", "PYTHONHASHSEED"}
        and (measured or not k.startswith("COVERAGE_"))
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


@dataclass
class Project:
    """A fixture project in a temporary git repository."""

    root: Path

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self) -> None:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", "change")

    def nox(
        self, *args: str, env: dict[str, str] | None = None, measured: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return self.run(sys.executable, "-m", "nox", *args, env=env, measured=measured)

    def run(
        self, *argv: str, env: dict[str, str] | None = None, measured: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in the project, as a user would."""
        return subprocess.run(
            list(argv),
            cwd=self.root,
            capture_output=True,
            text=True,
            env=_clean_env(env, measured=measured),
            timeout=600,
            check=False,
        )

    def venv_bin(self, session: str, tool: str) -> str:
        return str(self.root / ".nox" / session / "bin" / tool)

    def report(self, session: str) -> Report:
        return read_report(self.root / "reports" / f"{session}.json")

    def status(self) -> str:
        return git(self.root, "status", "--porcelain")


def make_project(tmp_path: Path, overlay: str | None = None) -> Project:
    """The base fixture, with ``projects/<overlay>`` copied over it, as a git repo."""
    root = tmp_path / "project"
    shutil.copytree(PROJECTS / "base", root)
    if overlay is not None:
        shutil.copytree(PROJECTS / overlay, root, dirs_exist_ok=True)
    shutil.copytree(DATA / "advisories", root / "advisories")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return Project(root)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path)


FIGURES = (
    "tests_total",
    "tests_passed",
    "tests_failed",
    "tests_errors",
    "tests_skipped",
    "tests_xfailed",
    "tests_flaky",
    "coverage_percent",
    "coverage_statements",
)


def verdict_figures(report: Report) -> dict[str, object]:
    """Everything a tests report's verdict rests on: to compare two ways of running."""
    return {
        "status": report.status,
        "failed": sorted(report.details["failed"]),
        "flaky": sorted(report.details["flaky"]),
        **{key: report.metrics[key] for key in FIGURES},
    }


def pyenv_versions() -> list[str]:
    """The CPython 3.10+ versions pyenv has installed, oldest first (none without pyenv)."""
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return []
    done = subprocess.run(
        [pyenv, "versions", "--bare", "--skip-aliases"],
        capture_output=True,
        text=True,
        check=False,
    )
    found = [v for v in done.stdout.split() if re.fullmatch(r"3\.(1\d)\.\d+", v)]
    return sorted(found, key=lambda v: tuple(map(int, v.split("."))))
