from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from noxci.cli import main
from noxci.errors import ExitCode, ToolError
from noxci.registry import job_spec
from noxci.report import write_report
from noxci.uvtool import sync_group
from tests.conftest import FakeRunner, make_report


def _project(root: Path, *, group: bool = True, lock: bool = True) -> None:
    groups = '[dependency-groups]\ntests = ["pytest"]\n' if group else ""
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "x"\nversion = "1"\n{groups}'
    )
    if lock:
        (root / "uv.lock").write_text("version = 1\n")


def _sync(tmp_path: Path, runner: FakeRunner, sleeps: list[float]) -> str:
    _project(tmp_path)
    return sync_group(
        tmp_path,
        tmp_path / "venv",
        "tests",
        install_project=False,
        env={},
        retries=3,
        runner=runner,
        sleep=sleeps.append,
    )


def test_sync_retries_with_backoff_then_succeeds(tmp_path: Path) -> None:
    runner = FakeRunner(
        [(2, "error: Request failed after 3 retries"), (2, "connection reset"), (0, "")]
    )
    sleeps: list[float] = []
    _sync(tmp_path, runner, sleeps)
    assert sleeps == [1.0, 2.0]
    argv, env = runner.calls[0]
    assert argv[1:6] == ("sync", "--locked", "--no-default-groups", "--group", "tests")
    assert "--no-install-project" in argv
    assert env is not None
    assert env["UV_PROJECT_ENVIRONMENT"] == str(tmp_path / "venv")
    assert env["UV_PYTHON_DOWNLOADS"] == "never"


def test_sync_gives_up_after_the_retries(tmp_path: Path) -> None:
    runner = FakeRunner([(2, "network down")] * 3)
    sleeps: list[float] = []
    with pytest.raises(
        ToolError,
        match=r"installing the 'tests' group from uv\.lock failed: uv sync exited 2: network down",
    ):
        _sync(tmp_path, runner, sleeps)
    assert len(runner.calls) == 3


def test_stale_lock_is_not_retried_and_says_what_to_do(tmp_path: Path) -> None:
    runner = FakeRunner(
        [
            (
                1,
                "error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided.",
            )
        ]
    )
    with pytest.raises(
        ToolError,
        match=r"uv.lock is out of date with pyproject.toml; run `nox -s lock`",
    ):
        _sync(tmp_path, runner, [])
    assert len(runner.calls) == 1


def test_cli_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "lint.json"
    write_report(good, make_report())
    assert main(["report", "validate", str(good)]) == 0
    assert f"{good}: valid (lint: passed)" in capsys.readouterr().err

    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1', encoding="utf-8")
    assert main(["report", "validate", str(good), str(bad)]) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert f"noxci > error: {bad}: not valid JSON" in err
    assert "1 of 2 report(s) invalid" in err
    assert "Traceback" not in err


def test_cli_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "noxci session report"


def test_cli_bug_path_is_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(_path: Path) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr("noxci.commands.report.read_report", boom)
    assert main(["report", "validate", "x.json"]) == 3
    assert "this is a bug" in capsys.readouterr().err


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("noxci ")


def test_without_the_group_noxci_installs_its_pinned_tools(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path, group=False)
    runner = FakeRunner([(0, "")])
    how = _install(tmp_path, "tests", needed=("pytest==9.2.0",), runner=runner)
    argv, _ = runner.calls[0]
    assert argv[1:3] == ("pip", "install")
    assert argv[-3:] == ("pytest==9.2.0", "-e", ".")
    assert how == "the job's tools: pytest==9.2.0 (noxci's pin)"
    assert len(runner.calls) == 1
    assert f"warning: installing {how}" in capsys.readouterr().err


def test_group_without_a_lock_is_installed_unpinned(tmp_path: Path) -> None:
    _project(tmp_path, lock=False)
    runner = FakeRunner([(0, "")])
    how = _install(tmp_path, "tests", install_project=False, runner=runner)
    assert runner.calls[0][0][-2:] == ("--group", "tests")
    assert how == "the 'tests' group, unpinned (no uv.lock)"


def _install(
    root: Path,
    group: str,
    *,
    runner: FakeRunner,
    venv: Path | None = None,
    install_project: bool = True,
    **options: Any,
) -> str:
    return sync_group(
        root,
        venv or root / "venv",
        group,
        aliases=job_spec(group).aliases,
        install_project=install_project,
        env={},
        retries=1,
        runner=runner,
        **options,
    )


def _installed(venv: Path, *names: str) -> None:
    site = venv / "lib" / "python3.11" / "site-packages"
    for name in names:
        info = site / f"{name.replace('-', '_')}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
        )


def test_an_extra_stands_in_for_a_missing_group(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\n'
        '[project.optional-dependencies]\ntesting = ["hypothesis"]\n'
    )
    runner = FakeRunner([(0, "")])
    how = _install(tmp_path, "tests", needed=("pytest==9.2.0",), runner=runner)
    assert runner.calls[0][0][-3:] == ("pytest>=9.2.0", "-e", ".[testing]")
    assert how.startswith("the project's [testing] extra and noxci's tools")


def test_a_group_is_found_by_its_usual_alias(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\n[dependency-groups]\ntyping = ["mypy"]\n'
    )
    (tmp_path / "uv.lock").write_text("version = 1\n")
    runner = FakeRunner([(0, "")])
    how = _install(tmp_path, "typecheck", runner=runner)
    assert runner.calls[0][0][4:6] == ("--group", "typing")
    assert how == "the 'typing' group from uv.lock"


def test_tools_the_group_lacks_are_installed_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path)
    venv = tmp_path / "venv"
    _installed(venv, "pytest", "Coverage")
    runner = FakeRunner([(0, ""), (0, "")])
    how = _install(
        tmp_path,
        "tests",
        venv=venv,
        install_project=False,
        needed=("pytest==9.2.0", "coverage==7.17.5", "pytest_reportlog==1.0.0"),
        runner=runner,
    )
    assert len(runner.calls) == 2
    assert runner.calls[1][0][1:3] == ("pip", "install")
    assert runner.calls[1][0][-1:] == ("pytest_reportlog==1.0.0",)
    assert how == (
        "the 'tests' group from uv.lock, plus pytest_reportlog==1.0.0 (noxci's pin)"
    )
    assert "the 'tests' group lacks pytest-reportlog" in capsys.readouterr().err


def test_nothing_is_added_when_the_group_has_every_tool(tmp_path: Path) -> None:
    _project(tmp_path)
    venv = tmp_path / "venv"
    _installed(venv, "pytest")
    runner = FakeRunner([(0, "")])
    _install(
        tmp_path,
        "tests",
        venv=venv,
        install_project=False,
        needed=("pytest>=9",),
        runner=runner,
    )
    assert len(runner.calls) == 1
