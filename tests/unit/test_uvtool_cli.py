from __future__ import annotations

import json
from pathlib import Path

import pytest

from noxci.cli import main
from noxci.config import read_pyproject
from noxci.errors import ToolError
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
    read_pyproject.cache_clear()


def _sync(tmp_path: Path, runner: FakeRunner, sleeps: list[float]) -> str:
    _project(tmp_path)
    return sync_group(
        tmp_path,
        tmp_path / "venv",
        "tests",
        install_project=False,
        env={},
        retries=3,
        fallback=("pytest==9.2.0", "coverage==7.17.5"),
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
    assert main(["report", "validate", str(good), str(bad)]) == 2
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
    how = sync_group(
        tmp_path,
        tmp_path / "venv",
        "tests",
        install_project=True,
        env={},
        retries=1,
        fallback=("pytest==9.2.0",),
        runner=runner,
    )
    argv, _ = runner.calls[0]
    assert argv[1:3] == ("pip", "install")
    assert argv[-3:] == ("pytest==9.2.0", "-e", ".")
    assert how == "noxci's pinned tools (pytest==9.2.0): no 'tests' dependency group"
    assert f"warning: installing {how}" in capsys.readouterr().err


def test_group_without_a_lock_is_installed_unpinned(tmp_path: Path) -> None:
    _project(tmp_path, lock=False)
    runner = FakeRunner([(0, "")])
    how = sync_group(
        tmp_path,
        tmp_path / "venv",
        "tests",
        install_project=False,
        env={},
        retries=1,
        runner=runner,
    )
    assert runner.calls[0][0][-2:] == ("--group", "tests")
    assert how == "the 'tests' group, unpinned (no uv.lock)"
