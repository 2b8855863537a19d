"""Every install form docs/adoption.md gives works as written.

Each one installs nox with noxci's executables into a tool directory of its
own, and both commands then run. The index form needs noxci on an index, so
only the checkout, the wheel and the git URL (a local repository: GitHub is
not reachable from the tests) are run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from noxci.uvtool import find_uv
from tests.conftest import git

ROOT = Path(__file__).resolve().parents[2]
NOX = "nox==2026.10.20"


def _uv(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_uv(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """noxci as a checkout, a wheel and a git repository."""
    base = tmp_path_factory.mktemp("sources")
    checkout = base / "noxci"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(checkout)], check=True)
    # The working tree as it is (the tests run on uncommitted work too).
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        (checkout / name).write_bytes((ROOT / name).read_bytes())
    shutil.rmtree(checkout / "src")
    shutil.copytree(
        ROOT / "src", checkout / "src", ignore=shutil.ignore_patterns("__pycache__")
    )
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "--allow-empty", "-m", "as tested")
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    built = _uv(
        "build", "--wheel", "--out-dir", str(base / "dist"), env=env, cwd=checkout
    )
    assert built.returncode == 0, built.stderr[-800:]
    [wheel] = (base / "dist").glob("noxci-*.whl")
    return {
        "checkout": f"noxci @ file://{checkout}",
        "wheel": f"noxci @ file://{wheel}",
        "git": f"noxci @ git+file://{checkout}",
    }


def test_the_documented_forms_are_the_ones_tested() -> None:
    text = (ROOT / "docs" / "adoption.md").read_text(encoding="utf-8")
    forms = re.findall(r'--with-executables-from "(noxci @ [^"]+)"', text)
    assert [f.split(" @ ")[1].split("://")[0] for f in forms] == [
        "git+https",
        "file",
        "file",
    ]


@pytest.mark.parametrize("form", ["checkout", "wheel", "git"])
def test_uv_tool_install_with_executables_from(
    sources: dict[str, str], form: str, tmp_path: Path
) -> None:
    tools, bin_dir = tmp_path / "tools", tmp_path / "bin"
    env = {
        **os.environ,
        "UV_TOOL_DIR": str(tools),
        "UV_TOOL_BIN_DIR": str(bin_dir),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    done = _uv(
        "tool",
        "install",
        NOX,
        "--with-executables-from",
        sources[form],
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-800:]
    for command, expected in (("nox", "2026.10.20"), ("noxci", "noxci 0.")):
        ran = subprocess.run(
            [str(bin_dir / command), "--version"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert ran.returncode == 0, ran.stderr
        assert expected in ran.stdout + ran.stderr
