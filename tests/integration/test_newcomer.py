"""A newcomer's first hour: the README's "Using noxci in a project", literally.

In a new home directory with nothing but uv and the machine's Pythons on
PATH, the README's two lines are run as written, with noxci's git URL
pointing at a clone of this working tree (GitHub is not reachable from the
tests): ``uv tool install nox --with-executables-from "noxci @ git+..."``,
then ``noxci init --github && nox -s preflight`` in the user's project, a git
repository. Two projects that have never seen noxci: one without uv.lock
(``adopt``), one with uv.lock and ``requires-python >= 3.12`` (``modern``).
Both install from the package index, so the test skips when it cannot be
reached.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from noxci.report import Status, read_report
from noxci.uvtool import find_uv
from tests.conftest import PROJECTS, assert_linters_pass, git
from tests.integration.conftest import pyenv_versions
from tests.integration.test_adoption import INDEX, _unreachable

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_lines() -> tuple[str, str]:
    """The two commands of the README's "Using noxci in a project"."""
    section = README.split("## Using noxci in a project", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    install, adopt = block.strip().splitlines()
    return install, adopt


def _sh(
    env: dict[str, str], cwd: Path, command: str, timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in a POSIX shell, as a user types it."""
    return subprocess.run(
        ["sh", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def user(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A user's shell after the README's first line: nox and noxci on PATH."""
    reason = _unreachable(INDEX)
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("newcomer")
    clone = base / "noxci"  # what github.com/noxci/noxci would serve
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    for name in ("pyproject.toml", "README.md", "noxfile.py"):
        shutil.copy2(ROOT / name, clone / name)
    shutil.rmtree(clone / "src")
    shutil.copytree(
        ROOT / "src", clone / "src", ignore=shutil.ignore_patterns("__pycache__")
    )
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "--allow-empty", "-m", "the working tree, as tested")

    home = base / "home"
    (home / "uv-bin").mkdir(parents=True)
    (home / "uv-bin" / "uv").symlink_to(find_uv())
    venv_bin = str(Path(sys.prefix) / "bin")
    path = [p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "PYTEST_",
                "NOX_",
                "NOXCI_",
                "GITHUB_",
                "COVERAGE_",
                "VIRTUAL_ENV",
                "UV_",
                "XDG_",
            )
        )
        and k not in {"CI", "PYTHONPATH"}
    }
    cache = subprocess.run(
        [find_uv(), "cache", "dir"], capture_output=True, text=True, check=True
    )
    env |= {
        "HOME": str(home),
        "PATH": os.pathsep.join(
            [str(home / ".local" / "bin"), str(home / "uv-bin"), *path]
        ),
        "UV_CACHE_DIR": cache.stdout.strip(),  # HOME moved; the machine's cache did not
        "UV_PYTHON_DOWNLOADS": "never",  # this machine cannot download Pythons
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "NO_COLOR": "1",
    }
    (home / ".gitconfig").write_text(
        "[user]\n\tname = New User\n\temail = new@example.com\n"
    )
    if pyenv := pyenv_versions():
        # A pyenv user with several Pythons selects them all (`pyenv global
        # 3.11.7 3.12.1`), or only the first one's shims run.
        env["PYENV_VERSION"] = ":".join(pyenv)
    for key in ("UV_INDEX_URL", "UV_DEFAULT_INDEX"):  # where the index is mirrored
        if key in os.environ:
            env[key] = os.environ[key]
    service = os.environ.get("NOXCI_VULN_SERVICE", "")
    if service.startswith("osv-dir:"):  # OSV itself may be unreachable: the mirror
        env["NOXCI_VULN_SERVICE"] = f"osv-dir:{Path(service[8:]).resolve()}"
    install, _ = _readme_lines()
    assert '"noxci @ git+https://github.com/noxci/noxci"' in install
    done = _sh(
        env,
        home,
        install.replace("git+https://github.com/noxci/noxci", f"git+{clone.as_uri()}"),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert {"nox", "noxci"} <= {p.name for p in (home / ".local" / "bin").iterdir()}
    env["NOXCI_ORIGIN"] = f"git+{clone.as_uri()}"  # for the assertions only
    return env


def _has_python(minimum: tuple[int, int]) -> bool:
    """Whether the user's shell can run a CPython >= ``minimum``."""
    return any(
        shutil.which(f"python3.{minor}") for minor in range(minimum[1], 16)
    ) or any(tuple(map(int, v.split(".")[:2])) >= minimum for v in pyenv_versions())


def _project(name: str, where: Path, env: dict[str, str]) -> Path:
    """The user's project: a git repository, with a uv.lock where it has one."""
    if name == "modern" and not _has_python((3, 12)):
        pytest.skip("no Python 3.12 or newer on this machine; the project needs one")
    project = where / name
    shutil.copytree(PROJECTS / name, project)
    assert not (project / "noxfile.py").exists()
    if name == "modern":
        locked = _sh(env, project, "uv lock")
        assert locked.returncode == 0, locked.stderr
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "the project before noxci")
    return project


@pytest.mark.parametrize("name", ["adopt", "modern"])
def test_the_readme_followed_literally(
    user: dict[str, str], tmp_path: Path, name: str
) -> None:
    project = _project(name, tmp_path, user)
    _, adopt = _readme_lines()
    init, preflight = adopt.removeprefix("cd your-project && ").split(" && ")
    assert (init, preflight) == ("noxci init --github", "nox -s preflight")

    done = _sh(user, project, init)
    assert done.returncode == 0, done.stderr
    noxfile = (project / "noxfile.py").read_text()
    block = noxfile.split("# ///\n", 1)[0]
    assert f'"noxci @ {user["NOXCI_ORIGIN"]}"' in block  # where noxci came from
    assert "which CI cannot install" in done.stderr  # a file URL: said so
    assert ("no uv.lock" in done.stderr) == (name == "adopt")
    workflows = sorted(p.name for p in (project / ".github" / "workflows").iterdir())
    assert "ci.yml" in workflows
    # The user commits what init wrote, as they would.
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "adopt noxci")

    # Plain nox: the tool install's, and one with nothing else installed,
    # which installs noxci from the noxfile's PEP 723 block.
    jobs = ["lint", "typecheck", "tests", "docs", "security", "build", "workflows"]
    for command in ("nox -l", "uvx --from nox==2026.10.20 nox -l"):
        listed = _sh(user, project, command)
        assert listed.returncode == 0, (command, listed.stderr[-2000:])
        for session in [*jobs, "preflight"]:
            assert re.search(rf"^[-*] {session} ", listed.stdout, re.MULTILINE), (
                command,
                session,
            )
        assert "Traceback" not in listed.stderr

    done = _sh(user, project, preflight)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert "gate passed" in out
    reports = project / "reports"
    statuses = {
        p.stem: read_report(p).status
        for p in reports.glob("*.json")
        if "." not in p.stem
    }
    assert statuses == dict.fromkeys(jobs, Status.PASSED), {
        p.stem: read_report(p).summary
        for p in reports.glob("*.json")
        if "." not in p.stem
    }
    tests = read_report(reports / "tests.json")
    assert tests.metrics["tests_passed"] == 3
    if name == "modern":
        # requires-python >= 3.12: the sessions ran on a 3.12 or newer.
        assert tuple(int(x) for x in tests.environment.python.split(".")[:2]) >= (3, 12)
        # The groups, pinned by the lock.
        assert tests.details["installed"].startswith("the 'tests' group from uv.lock")
    dashboard = project / ".noxci" / "readiness" / "index.html"
    assert dashboard.is_file()
    assert str(dashboard.relative_to(project)) in out  # it says where

    # Nothing the user must clean up or commit.
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""

    # The workflows init wrote pass zizmor (pedantic) and actionlint.
    assert_linters_pass(project / ".github" / "workflows", len(workflows))
