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


def _tree(root: Path, pyproject: str, *files: str) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(pyproject)
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    return root


def test_layouts_src_flat_namespace_and_modules(tmp_path: Path) -> None:
    from noxci.layout import detect_layout

    # A flat namespace package, named by the project (jaraco.functools).
    jaraco = _tree(
        tmp_path / "ns",
        '[project]\nname = "jaraco.functools"\n',
        "jaraco/functools/__init__.py",
        "test_functools.py",
        "tasks/__init__.py",
    )
    layout = detect_layout(jaraco)
    assert (layout.paths, layout.base, layout.namespace) == (
        ("jaraco/functools",),
        ".",
        True,
    )
    # A namespace package under src/: src is scanned, and marked namespace.
    src = _tree(tmp_path / "src", '[project]\nname = "a.b"\n', "src/a/b/__init__.py")
    assert detect_layout(src).paths == ("src",)
    assert detect_layout(src).namespace
    # The build config names the package; other package dirs are not code.
    hatch = _tree(
        tmp_path / "hatch",
        '[project]\nname = "x"\n[tool.hatch.build.targets.wheel]\npackages = ["lib/y"]\n',
        "lib/y/__init__.py",
        "helpers/__init__.py",
    )
    assert detect_layout(hatch).paths == ("lib/y",)
    # A single-module project.
    single = _tree(
        tmp_path / "one", '[project]\nname = "six"\n', "six.py", "test_six.py"
    )
    assert detect_layout(single).paths == ("six.py",)


def test_mypy_config_is_found_where_mypy_looks(tmp_path: Path) -> None:
    from noxci.layout import mypy_config

    root = _tree(tmp_path / "p", '[project]\nname = "x"\n')
    assert mypy_config(root).path is None
    (root / "setup.cfg").write_text("[mypy]\nfiles = src\n")
    assert mypy_config(root).path == "setup.cfg"
    assert mypy_config(root).names_targets
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.mypy]\nstrict = true\n'
    )
    assert mypy_config(root).path == "pyproject.toml"
    assert not mypy_config(root).names_targets
    (root / ".mypy.ini").write_text("[mypy]\npackages = x\n")
    assert (mypy_config(root).path, mypy_config(root).names_targets) == (
        ".mypy.ini",
        True,
    )


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
