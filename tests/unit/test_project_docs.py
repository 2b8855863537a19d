from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from noxci.docgen import config_reference
from noxci.errors import ExitCode
from noxci.project import coverage_config, dependency_names, detect_packages

ROOT = Path(__file__).resolve().parents[2]


def test_configuration_reference_matches_the_schema() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert (
        committed == config_reference()
    ), "docs/configuration.md drifted: run `noxci config reference > docs/configuration.md`"


def test_reference_lists_every_job_table() -> None:
    text = config_reference()
    for table in (
        "lint",
        "typecheck",
        "tests",
        "build",
        "docs",
        "readiness",
        "readiness.weights",
    ):
        assert f"## `[tool.noxci.{table}]`" in text
    assert "| `coverage-min` | number (>= 0, <= 100) | (unset) |" in text


def test_detect_packages(tmp_path: Path) -> None:
    assert detect_packages(tmp_path) == ["."]
    for name in ("tests", "docs", "pkg", ".hidden"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    assert detect_packages(tmp_path) == ["pkg"]
    (tmp_path / "src").mkdir()
    assert detect_packages(tmp_path) == ["src"]


def test_dependency_names_reads_every_place(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["Requests>=2", "attrs"]\n'
        "[project.optional-dependencies]\nfast = [\"ujson ; python_version<'4'\"]\n"
        '[dependency-groups]\nlint = ["Black==26.1", {include-group = "x"}]\n',
        encoding="utf-8",
    )
    assert dependency_names(tmp_path) == {"requests", "attrs", "ujson", "black"}


def test_coverage_config_lookup_order(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.coverage.run]\nbranch = true\nsource = ['a', 'b']\n", encoding="utf-8"
    )
    assert coverage_config(tmp_path) == {"run": {"branch": "True", "source": "\na\nb"}}
    (tmp_path / "setup.cfg").write_text(
        "[coverage:report]\nfail_under = 91\n", encoding="utf-8"
    )
    assert coverage_config(tmp_path) == {"report": {"fail_under": "91"}}
    (tmp_path / ".coveragerc").write_text("[run]\nsource = c\n", encoding="utf-8")
    assert coverage_config(tmp_path) == {"run": {"source": "c"}}


def test_python_dash_m_noxci() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "noxci", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.strip().startswith("noxci 0.")


def test_config_check_command(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.noxci.tests]\nrerun = 1\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "noxci", "config", "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == ExitCode.CONFIG
    assert done.stderr.strip() == (
        "noxci > error: pyproject.toml: [tool.noxci.tests] has unknown key 'rerun'; "
        "did you mean 'reruns'?"
    )
