from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pytest

from noxci import console, fsutil, proc
from noxci.errors import ToolError


def test_run_returns_code_and_output(tmp_path: Path) -> None:
    done = proc.run(
        [
            sys.executable,
            "-c",
            "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)",
        ],
        cwd=tmp_path,
        echo=False,
    )
    assert done.returncode == 3
    assert done.stdout == "out\n"
    assert done.stderr == "err\n"
    assert done.tail() == "err"
    assert done.duration_s >= 0


def test_run_passes_env_and_cwd(tmp_path: Path) -> None:
    done = proc.run(
        [sys.executable, "-c", "import os; print(os.getcwd(), os.environ['X'])"],
        cwd=tmp_path,
        env={"X": "42", "PATH": "/usr/bin:/bin"},
        echo=False,
    )
    assert done.stdout.split() == [str(tmp_path), "42"]


def test_missing_command_is_a_tool_error(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="no-such-tool-xyz: command not found"):
        proc.run(["no-such-tool-xyz"], cwd=tmp_path, echo=False)


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "grandchild-survived"
    grandchild = tmp_path / "grandchild.py"
    grandchild.write_text(
        f"import time\ntime.sleep(2)\nopen({str(marker)!r}, 'w').close()\n",
        encoding="utf-8",
    )
    parent = tmp_path / "parent.py"
    parent.write_text(
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, {str(grandchild)!r}])\n"
        "time.sleep(30)\n",
        encoding="utf-8",
    )
    start = time.monotonic()
    with pytest.raises(ToolError, match=r"timed out after 0.5s"):
        proc.run([sys.executable, str(parent)], cwd=tmp_path, timeout=0.5, echo=False)
    assert time.monotonic() - start < 10
    time.sleep(2.5)
    assert not marker.exists(), "the grandchild outlived the timeout"


def test_echo_goes_through_console(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proc.run([sys.executable, "-c", "pass"], cwd=tmp_path)
    assert "noxci > $ " in capsys.readouterr().err


def test_venv_env_activates(tmp_path: Path) -> None:
    env = proc.venv_env(tmp_path / "bin", {"PATH": "/usr/bin", "PYTHONHOME": "/x"})
    assert env["PATH"].split(":")[0] == str(tmp_path / "bin")
    assert env["VIRTUAL_ENV"] == str(tmp_path)
    assert "PYTHONHOME" not in env


def test_dumps_refuses_nan() -> None:
    with pytest.raises(ValueError, match="Out of range float values"):
        fsutil.dumps({"x": float("nan")})


def test_redaction_and_annotations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    console.register_secret("s3cr3t-token")
    console.register_secret("ab")  # too short to be a secret; ignored
    out = io.StringIO()
    console.warn("token s3cr3t-token leaked\nsecond line", stream=out)
    text = out.getvalue()
    assert "s3cr3t-token" not in text
    assert "noxci > warning: token *** leaked" in text
    assert "::warning::token *** leaked%0Asecond line" in text
    out = io.StringIO()
    console.info("ab is fine", stream=out)
    assert out.getvalue() == "noxci > ab is fine\n"
