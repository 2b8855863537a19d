"""The project's own tool versions, and what each job installs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from noxci.toolpins import locked_versions, resolve_tools
from noxci.uvtool import sync_group
from tests.conftest import FakeRunner


def _pyproject(root: Path, text: str) -> Path:
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "x"\nversion = "1"\n{text}'
    )
    return root


_LOCK = """version = 1
[[package]]
name = "Ruff"
version = "0.15.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "mypy"
version = "1.10.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "mypy"
version = "1.19.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "x"
version = "1"
source = { editable = "." }
"""


def test_the_projects_own_tool_versions_win(tmp_path: Path) -> None:
    _pyproject(
        tmp_path,
        '[project.optional-dependencies]\ndev = ["black==24.1.0", "pytest<8", '
        "\"coverage>=7; python_version<'3.11'\", \"coverage>=7.20; python_version>='3.11'\"]\n"
        '[dependency-groups]\ndocs = ["interrogate>=1.5"]\n',
    )
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.4.10\n"
        "    hooks: [{id: ruff}]\n  - repo: https://github.com/econchick/interrogate\n"
        "    rev: 1.7.0\n    hooks: [{id: interrogate, args: [-v, tests]}]\n"
    )
    tools = ["ruff==0.17.6", "black==26.10.1", "pytest==9.2.0", "coverage==7.17.5",
             "interrogate==1.7.0", "bandit==1.9.4"]  # fmt: skip
    pins = {
        p.name: (p.requirement, p.source)
        for p in resolve_tools(tmp_path, tools, "3.11")
    }
    assert pins == {
        "ruff": ("ruff==0.4.10", ".pre-commit-config.yaml"),
        "black": ("black==24.1.0", "the [dev] extra"),
        "pytest": ("pytest<8", "the [dev] extra"),  # noxci's 9.2 is outside the range
        "coverage": ("coverage>=7.20", "the [dev] extra"),  # the marker for 3.11
        "interrogate": ("interrogate==1.7.0", ".pre-commit-config.yaml"),
        "bandit": ("bandit==1.9.4", "noxci's pin"),
    }
    assert resolve_tools(tmp_path, ["coverage==7.17.5"], "3.10")[0].requirement == (
        "coverage==7.17.5"  # noxci's pin lies in the 3.10 range
    )
    (tmp_path / "uv.lock").write_text(_LOCK)
    assert locked_versions(tmp_path) == {"ruff": "0.15.2", "mypy": "1.19.1"}
    [ruff, mypy] = resolve_tools(tmp_path, ["ruff==0.17.6", "mypy==2.4.1"], "3.11")
    assert (ruff.requirement, ruff.source) == ("ruff==0.15.2", "uv.lock")
    assert mypy.requirement == "mypy==1.19.1"


def _installs(
    root: Path, group: str, needed: tuple[str, ...], **kw: Any
) -> tuple[str, list[tuple[str, ...]]]:
    from noxci.registry import job_spec
    from noxci.toxenv import tox_sections

    runner = FakeRunner([(0, "")])
    aliases = job_spec(group).aliases
    how = sync_group(
        root,
        root / "venv",
        group,
        env={},
        retries=1,
        needed=needed,
        aliases=aliases,
        tox_sections=tox_sections(group, (group, *aliases)),
        runner=runner,
        **kw,
    )
    return how, [argv for argv, _ in runner.calls]


def test_the_docs_job_installs_interrogate_not_a_sphinx_group(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[dependency-groups]\ndocs = ["sphinx", "furo"]\n')
    (tmp_path / "uv.lock").write_text(_LOCK)
    how, calls = _installs(
        tmp_path,
        "docs",
        ("interrogate==1.7.0",),
        install_project=False,
        tools_only=True,
    )
    assert calls == [calls[0]]
    assert calls[0][1:3] == ("pip", "install")
    assert calls[0][-1] == "interrogate==1.7.0"
    assert how == "the job's tools: interrogate==1.7.0 (noxci's pin)"
    # An extra named docs is for Sphinx too.
    _pyproject(tmp_path, '[project.optional-dependencies]\ndoc = ["sphinx"]\n')
    how, calls = _installs(
        tmp_path,
        "docs",
        ("interrogate==1.7.0",),
        install_project=False,
        tools_only=True,
    )
    assert calls[0][-1] == "interrogate==1.7.0"
    assert "extra" not in how
    # A group of nothing but the tool is the project's pin: it is synced.
    _pyproject(tmp_path, '[dependency-groups]\ndocs = ["interrogate==1.6.0"]\n')
    how, calls = _installs(
        tmp_path,
        "docs",
        ("interrogate==1.7.0",),
        install_project=False,
        tools_only=True,
    )
    assert calls[0][1:6] == (
        "sync",
        "--locked",
        "--no-default-groups",
        "--group",
        "docs",
    )


def test_an_extra_brings_its_own_tools_and_a_lock_pins_it(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[project.optional-dependencies]\ntest = ["pytest<8"]\n')
    how, calls = _installs(
        tmp_path,
        "tests",
        ("pytest==9.2.0", "pytest-xdist==3.8.0"),
        install_project=True,
    )
    assert calls[0][-3:] == ("pytest-xdist>=3.8.0", "-e", ".[test]")  # no pytest>=9.2
    assert "[test] extra" in how
    (tmp_path / "uv.lock").write_text(_LOCK)
    how, calls = _installs(tmp_path, "tests", ("pytest==9.2.0",), install_project=True)
    assert calls[0][1:6] == (
        "sync",
        "--locked",
        "--no-default-groups",
        "--extra",
        "test",
    )
    assert how.startswith("the [test] extra from uv.lock")


def test_an_extra_that_lists_the_jobs_tool_is_its_extra(tmp_path: Path) -> None:
    """idna keeps pytest, hypothesis and mypy in an extra named all."""
    _pyproject(
        tmp_path,
        '[project.optional-dependencies]\ncli = ["click"]\n'
        'all = ["mypy>=1.11", "pytest>=8", "hypothesis"]\n',
    )
    how, calls = _installs(
        tmp_path, "tests", ("pytest==9.2.0", "coverage==7.17.5"), install_project=True
    )
    assert calls[0][-3:] == ("coverage>=7.17.5", "-e", ".[all]")
    assert "[all] extra" in how
    how, calls = _installs(
        tmp_path, "typecheck", ("mypy==2.4.1",), install_project=True
    )
    assert calls[0][-2:] == ("-e", ".[all]")
    # A group that lists it comes first; a job that does not install the
    # project (lint) takes nothing of it.
    _pyproject(tmp_path, '[dependency-groups]\ndev = ["pytest", "hypothesis"]\n')
    how, calls = _installs(tmp_path, "tests", ("pytest==9.2.0",), install_project=True)
    assert calls[0][-4:] == ("--group", "dev", "-e", ".")
    _pyproject(tmp_path, '[dependency-groups]\ndev = ["ruff", "pytest"]\n')
    how, calls = _installs(tmp_path, "lint", ("ruff==0.17.6",), install_project=False)
    assert calls[0][-1] == "ruff==0.17.6"
    assert how.startswith("the job's tools")


def test_mypy_gets_what_its_pre_commit_hook_installs_beside_it(
    tmp_path: Path,
) -> None:
    """hepunits' mypy hook adds pint; without it, mypy finds import-not-found."""
    _pyproject(tmp_path, "")
    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        "  - repo: https://github.com/pre-commit/mirrors-mypy\n"
        '    rev: "v2.3.1"\n'
        "    hooks:\n"
        "      - id: mypy\n"
        "        additional_dependencies: [pint<0.25.1]\n"
    )
    how, calls = _installs(
        tmp_path, "typecheck", ("mypy==2.4.1",), install_project=True
    )
    assert calls[0][-4:] == ("mypy==2.3.1", "pint<0.25.1", "-e", ".")
    assert "pint<0.25.1 (the mypy hook's additional_dependencies)" in how
    # A group of the job's own is what it installs: the hook adds nothing to it.
    _pyproject(tmp_path, '[dependency-groups]\ntyping = ["mypy"]\n')
    how, calls = _installs(
        tmp_path, "typecheck", ("mypy==2.4.1",), install_project=True
    )
    assert not any("pint<0.25.1" in call for call in calls)


def test_mypy_that_checks_the_tests_gets_the_tests_group(tmp_path: Path) -> None:
    """pyproject-metadata's mypy checks tests/, which import pytest."""
    from noxci.config import load_config
    from noxci.jobs.base import JobContext
    from noxci.jobs.typecheck import install_aliases

    def aliases() -> tuple[str, ...]:
        ctx = JobContext(
            config=load_config(tmp_path), job="typecheck", session="t", python="3.11"
        )
        return install_aliases(ctx)

    group = '[dependency-groups]\ntest = ["pytest>=7"]\n'
    _pyproject(tmp_path, group + '[tool.mypy]\nfiles = ["pkg", "tests"]\n')
    assert aliases() == ("tests", "test", "testing")
    runner = FakeRunner([(0, "")])
    sync_group(
        tmp_path,
        tmp_path / "venv",
        "typecheck",
        env={},
        retries=1,
        needed=("mypy==2.4.1",),
        aliases=("typing", "mypy", *aliases()),
        install_project=True,
        runner=runner,
    )
    assert runner.calls[0][0][-4:] == ("--group", "test", "-e", ".")
    # mypy on the package alone needs nothing of the tests.
    _pyproject(tmp_path, group + '[tool.mypy]\nfiles = ["pkg"]\n')
    assert aliases() == ()


def test_a_tox_based_project_gets_its_tox_envs_deps(tmp_path: Path) -> None:
    """itsdangerous keeps freezegun in requirements/tests.txt, named by tox.ini."""
    _pyproject(tmp_path, "")
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "tests.txt").write_text(
        "# via pip-compile\nfreezegun==1.5.1\npytest==8.3.3  # pinned\n"
    )
    (tmp_path / "tox.ini").write_text(
        "[testenv]\n"
        "deps = -r {toxinidir}/requirements/tests.txt\n"
        "    py38: backports.zoneinfo\n"
        "commands = pytest {posargs}\n"
        "[testenv:typing]\n"
        "deps = mypy==1.13.0\n"
    )
    tests = ("pytest==9.2.0", "coverage==7.17.5")
    how, calls = _installs(tmp_path, "tests", tests, install_project=True)
    assert calls[0][-5:] == (
        "-r",
        "requirements/tests.txt",
        "coverage>=7.17.5",
        "-e",
        ".",
    )
    assert "tox's [testenv]" in how
    how, calls = _installs(
        tmp_path, "typecheck", ("mypy==2.4.1",), install_project=True
    )
    assert calls[0][-3:] == ("mypy==1.13.0", "-e", ".")
    # A group of the job's own comes first.
    _pyproject(tmp_path, '[dependency-groups]\ntests = ["pytest"]\n')
    how, calls = _installs(tmp_path, "tests", tests, install_project=True)
    assert "tox" not in how


def test_noxcis_pins_give_way_on_an_older_python(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[project.optional-dependencies]\ndev = ["pytest<9"]\n')
    # uv 0.13's words, wrapped where it wraps them: "satisfy" ends a line.
    too_new = (
        "error: No solution found when resolving dependencies:\n"
        "  cause: Because the current Python version (3.10.13) does not satisfy\n"
        "  Python>=3.11 and coverage>=7.17.5 depends on Python>=3.11, we can\n"
        "  conclude that coverage>=7.17.5 cannot be used.\n"
    )
    runner = FakeRunner([(1, too_new), (0, "")])
    how = sync_group(
        tmp_path,
        tmp_path / "venv",
        "tests",
        env={},
        retries=3,
        needed=("pytest==9.2.0", "coverage==7.17.5"),
        install_project=True,
        runner=runner,
    )
    assert len(runner.calls) == 2  # a pin that needs a newer Python is not retried
    # The dev extra lists pytest: it is the job's; coverage fills the gap.
    assert runner.calls[1][0][-3:] == ("coverage", "-e", ".[dev]")
    assert "[dev] extra and noxci's tools (coverage)" in how
