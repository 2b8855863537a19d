"""One exit code per class of failure, as docs/troubleshooting.md lists them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from noxci import proc
from noxci.cli import main
from noxci.errors import ExitCode, meaning
from tests.fakes.github_api import REPO, GitHubState
from tests.fakes.server import FakeServer, Fault
from tests.readiness_helpers import passing_set, write_project

ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_table_is_the_enum() -> None:
    text = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\d+) \| ([^|]+?) \|", text, flags=re.MULTILINE))
    assert {int(k): v for k, v in rows.items()} == {
        code.value: code.meaning for code in ExitCode
    }
    assert meaning(42) == "exit 42"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = write_project(tmp_path)
    passing_set(config)
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "CI", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_a_bad_command_line_is_a_configuration_error(project: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["readiness", "--no-such-flag"])
    assert exc.value.code == ExitCode.CONFIG


def test_a_bad_config_is_4(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "w"\n[tool.noxci.readiness]\nthreshold = nan\n'
    )
    assert main(["config", "check"]) == ExitCode.CONFIG


def test_an_invalid_input_file_is_5(project: Path) -> None:
    bad = project / "readiness.json"
    bad.write_text("{ not json")
    assert main(["comment", "--from", str(bad), "--dry-run"]) == ExitCode.INPUT


def test_a_tool_failure_is_6(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(argv: Any, **_: Any) -> proc.Completed:
        return proc.Completed(
            argv=tuple(argv), returncode=1, stdout="", stderr="boom", duration_s=0.0
        )

    monkeypatch.setattr(proc, "run", broken)
    assert main(["ide"]) == ExitCode.TOOL  # nox -l failed


def test_a_comment_that_cannot_be_posted_is_7(
    project: Path,
    github: tuple[FakeServer, GitHubState],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from noxci.config import load_config
    from noxci.readiness.run import Options, readiness

    server, _ = github
    readiness(load_config(project), {}, Options(context="local"))
    server.fault(Fault("GET", f"/repos/{REPO}/issues/9/comments", status=404, body={}))
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken-value")
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    assert main(["comment", "--pr", "9"]) == ExitCode.NETWORK


def test_a_bug_is_3_and_interrupted_is_130(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from noxci.commands import ide

    def crash(_: Any) -> int:
        raise RuntimeError("oops")

    def interrupt(_: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(ide, "run", crash)
    assert main(["ide"]) == ExitCode.BUG
    assert "this is a bug" in capsys.readouterr().err
    monkeypatch.setattr(ide, "run", interrupt)
    assert main(["ide"]) == ExitCode.INTERRUPTED


def test_preflight_with_a_failed_job_and_a_passing_gate_is_8(tmp_path: Path) -> None:
    from noxci.preflight import run

    calls: list[tuple[str, ...]] = []

    def runner(argv: Any, **_: Any) -> proc.Completed:
        calls.append(tuple(argv))
        code = 1 if "nox" in argv else 0  # the jobs fail, the gate passes
        return proc.Completed(
            argv=tuple(argv), returncode=code, stdout="", stderr="", duration_s=0.0
        )

    def gate(root: Path, argv: list[str]) -> int:
        calls.append(tuple(argv))
        return 0  # the gate passes

    result = run(
        tmp_path,
        noxfile="noxfile.py",
        posargs=[],
        env={},
        registry={},
        runner=runner,
        gate=gate,
    )
    assert result.exit_code == ExitCode.BLOCKING_JOB
    assert result.message == "preflight failed: see the blocks above"
    assert calls[0][-4:] == ("-t", "ci", "-j", "auto")
    assert calls[1][:2] == ("readiness", "--preflight")
    assert "--jobs-failed" in calls[1]
