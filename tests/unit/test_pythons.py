"""Which Python the sessions run on, and a venv made with another one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from noxci.errors import ConfigError, ToolError
from noxci.pythons import choose_pythons, installed, venv_python
from noxci.uvtool import ensure_python, sync_group
from tests.conftest import FakeRunner


def _pyproject(root: Path, text: str) -> Path:
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "x"\nversion = "1"\n{text}'
    )
    return root


def _which(*found: str, shims: bool = False) -> Any:
    where = "/root/.pyenv/shims" if shims else "/usr/bin"

    def which(name: str, path: str | None = None) -> str | None:
        return f"{where}/{name}" if name.removeprefix("python") in found else None

    return which


def test_configured_python_wins(tmp_path: Path) -> None:
    _pyproject(
        tmp_path, 'requires-python = ">=3.12"\n[tool.noxci]\npython = ["3.13"]\n'
    )
    (tmp_path / ".python-version").write_text("3.12\n")
    choice = choose_pythons(tmp_path, {}, _which("3.12"))
    assert (choice.versions, choice.source) == (("3.13",), "[tool.noxci] python")


def test_python_version_file_comes_next(tmp_path: Path) -> None:
    _pyproject(tmp_path, 'requires-python = ">=3.10"\n')
    (tmp_path / ".python-version").write_text("# pinned\n3.12.1\n")
    assert choose_pythons(tmp_path, {}, _which()).versions == ("3.12",)
    (tmp_path / ".python-version").write_text("pypy3.10\n")
    with pytest.raises(ConfigError, match=r"\.python-version: 'pypy3\.10'"):
        choose_pythons(tmp_path, {}, _which())


def test_lowest_installed_python_that_requires_python_allows(tmp_path: Path) -> None:
    _pyproject(tmp_path, 'requires-python = ">=3.12,!=3.14.1"\n')
    choice = choose_pythons(tmp_path, {}, _which("3.10", "3.11", "3.13", "3.12"))
    assert choice.versions == ("3.12",)
    assert "lowest installed" in choice.source
    # Nothing installed fits: the lowest allowed, so the session says what it needs.
    missing = choose_pythons(tmp_path, {}, _which("3.11"))
    assert missing.versions == ("3.12",)
    assert "no such interpreter" in missing.source
    # A patch-level bound still admits its minor version.
    _pyproject(tmp_path, 'requires-python = ">=3.11.4"\n')
    assert choose_pythons(tmp_path, {}, _which("3.11")).versions == ("3.11",)


def test_no_requires_python_is_noxcis_default(tmp_path: Path) -> None:
    _pyproject(tmp_path, "")
    assert choose_pythons(tmp_path, {}, _which("3.10")).versions == ("3.11",)
    _pyproject(tmp_path, 'requires-python = "<3"\n')
    with pytest.raises(ConfigError, match="allows no Python"):
        choose_pythons(tmp_path, {}, _which())


def test_a_pyenv_shim_counts_only_for_a_selected_version(tmp_path: Path) -> None:
    which = _which("3.10", "3.12", shims=True)
    root = tmp_path / "pyenv"
    root.mkdir()
    (root / "version").write_text("3.12.1\n")
    env = {"PYENV_ROOT": str(root)}
    assert not installed("3.10", env, which)  # its shim fails: "command not found"
    assert installed("3.12", env, which)
    assert installed("3.10", {**env, "PYENV_VERSION": "3.10.13:3.12.1"}, which)


def test_a_venv_on_another_python_is_recreated(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text(
        "home = /usr/bin\nuv = 0.13.9\nversion_info = 3.11.7\n"
    )
    assert venv_python(venv) == "3.11"
    runner = FakeRunner([(0, "")])
    assert not ensure_python(tmp_path, venv, "3.11", env={}, runner=runner)
    assert ensure_python(tmp_path, venv, "3.12", env={}, runner=runner)
    argv, env = runner.calls[0]
    assert argv[1:] == ("venv", "--quiet", "--clear", "--python", "3.12", str(venv))
    assert env is not None
    assert env["UV_PYTHON_DOWNLOADS"] == "never"


def test_a_python_the_project_refuses_is_not_retried(tmp_path: Path) -> None:
    _pyproject(tmp_path, '[dependency-groups]\ntests = ["pytest"]\n')
    (tmp_path / "uv.lock").write_text("version = 1\n")
    runner = FakeRunner(
        [
            (
                2,
                "error: The requested interpreter resolved to Python 3.11.7, which is "
                "incompatible with the project's Python requirement: `>=3.12`",
            )
        ]
    )
    with pytest.raises(ToolError, match=r"set \[tool.noxci\] python"):
        sync_group(
            tmp_path,
            tmp_path / "v",
            "tests",
            install_project=True,
            env={},
            retries=3,
            runner=runner,
        )
    assert len(runner.calls) == 1
