"""docs/adoption.md followed literally, and noxci on a real project from PyPI.

Both install from the package index (the guide's `uv tool install`, the
sessions' tools); the second also downloads an sdist from pypi.org. Each
skips, saying why, when what it needs cannot be reached.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from noxci.report import Status, read_report
from noxci.uvtool import find_uv
from tests.conftest import PROJECTS

ROOT = Path(__file__).resolve().parents[2]
INDEX = os.environ.get("UV_INDEX_URL", "https://pypi.org/simple")


def _unreachable(url: str) -> str | None:
    """Why ``url``'s host cannot be reached, or None."""
    parts = urlparse(url)
    if parts.scheme == "file":
        return None
    try:
        socket.create_connection(
            (parts.hostname or "", parts.port or 443), timeout=5
        ).close()
    except OSError as exc:
        return f"{parts.hostname} cannot be reached ({exc}): this test needs the package index"
    return None


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Step 1 of the guide: `uv tool install nox --with-executables-from noxci`.

    The environment returned is a user's shell afterwards: nox and noxci from
    the tool install, uv, and Python; not this repository's .venv.
    """
    reason = _unreachable(INDEX)
    if reason:
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("user")
    uv_dir = home / "uv-bin"
    uv_dir.mkdir()
    (uv_dir / "uv").symlink_to(find_uv())
    venv_bin = str(Path(sys.prefix) / "bin")
    path = [p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "NOX_", "GITHUB_", "COVERAGE_", "VIRTUAL_ENV"))
        and k not in {"CI", "PYTHONPATH"}
    }
    env |= {
        "HOME": str(home),
        "UV_TOOL_DIR": str(home / "tools"),
        "UV_TOOL_BIN_DIR": str(home / "bin"),
        "UV_PYTHON_DOWNLOADS": "never",
        "NO_COLOR": "1",
        "PATH": os.pathsep.join([str(home / "bin"), str(uv_dir), *path]),
    }
    # HOME moved; the machine's uv cache did not.
    cache = subprocess.run(
        [find_uv(), "cache", "dir"], capture_output=True, text=True, check=True
    )
    env["UV_CACHE_DIR"] = cache.stdout.strip()
    python = shutil.which("python3.11", path=env["PATH"]) or sys.executable
    done = subprocess.run(
        ["uv", "tool", "install", "--python", python, "nox",
         "--with-executables-from", f"noxci @ {ROOT.as_uri()}"],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert {"nox", "noxci"} <= {p.name for p in (home / "bin").iterdir()}
    return env


def _sh(env: dict[str, str], cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_the_adoption_guide_followed_literally(
    shell: dict[str, str], tmp_path: Path
) -> None:
    project = tmp_path / "mini"
    shutil.copytree(PROJECTS / "adopt", project)
    assert not (project / "noxfile.py").exists()
    assert not (project / "uv.lock").exists()

    # Step 2: noxci init writes the two-line noxfile and says there is no lock.
    init = _sh(shell, project, "noxci", "init")
    assert init.returncode == 0, init.stderr
    assert "noxci.sessions.register()" in (project / "noxfile.py").read_text()
    assert "no uv.lock" in init.stderr
    written = (project / "noxfile.py").read_text()
    again = _sh(shell, project, "noxci", "init")  # never overwrites
    assert again.returncode == 0
    assert (project / "noxfile.py").read_text() == written
    assert "already registers noxci's sessions" in again.stderr

    # Step 3: the sessions, then preflight.
    listed = _sh(shell, project, "nox", "-l")
    assert listed.returncode == 0, listed.stderr
    jobs = ["lint", "typecheck", "tests", "docs", "security", "build"]
    for name in [*jobs, "preflight"]:
        assert re.search(rf"^[-*] {name} ", listed.stdout, re.MULTILINE), name
    done = _sh(shell, project, "nox", "-s", "preflight")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "installing the project's [test] extra and noxci's tools" in out
    assert "gate passed" in out

    reports = project / "reports"
    statuses = {
        p.stem: read_report(p).status
        for p in reports.glob("*.json")
        if "." not in p.stem  # SESSION.json; SESSION.TOOL.json are artifacts
    }
    assert statuses == dict.fromkeys(jobs, Status.PASSED)
    lint = read_report(reports / "lint.json")
    # No black anywhere in the project: the format check is ruff format, of its
    # 4 modules, the noxfile and (as `ruff format --check` does) its Markdown.
    assert "ruff: 0 of 7 file(s) to reformat" in lint.summary
    security = read_report(reports / "security.json")
    assert security.metrics["packages_required"] == 0  # no dependencies at all

    # The figures equal the project's own tools run directly, in the same venv.
    tests = read_report(reports / "tests.json")
    assert tests.metrics["tests_passed"] == 3
    venv = project / ".nox" / "tests" / "bin"
    direct = _sh(shell, project, str(venv / "coverage"), "run", "-m", "pytest", "-q")
    assert direct.returncode == 0, direct.stdout
    assert "3 passed" in direct.stdout
    total = _sh(shell, project, str(venv / "coverage"), "report", "--format=total")
    assert tests.details["coverage_display"] == total.stdout.strip() == "100"
    measured = json.loads((reports / "tests.coverage.json").read_text())["files"]
    assert any(
        name.startswith("tests") for name in measured
    )  # its config measures tests


PYPI = "https://pypi.org/simple"


def test_a_real_project_from_pypi_gives_the_figures_its_own_tools_give(
    shell: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reason = _unreachable(PYPI)
    if reason:
        pytest.skip(reason)
    spec = importlib.util.spec_from_file_location(
        "adoption", ROOT / "benchmarks" / "adoption.py"
    )
    assert spec is not None
    assert spec.loader is not None
    adoption = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "adoption", adoption)  # its dataclasses need it
    spec.loader.exec_module(adoption)
    [case] = [c for c in adoption.CASES if c.name == "itsdangerous"]
    ours, theirs = adoption.compare(case, tmp_path, env=shell)
    assert ours["tests"]["passed"] > 0
    assert ours == theirs
