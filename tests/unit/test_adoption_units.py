"""noxci init, and the xdist coverage plugin, in process."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from noxci.cli import main
from noxci.errors import ExitCode


def _project(root: Path, extra: str = "") -> None:
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "x"\nversion = "1"\n{extra}'
    )


def test_init_writes_the_two_line_noxfile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path)
    assert main(["init", "--directory", str(tmp_path)]) == 0
    text = (tmp_path / "noxfile.py").read_text()
    assert "import noxci.sessions\n\nnoxci.sessions.register()\n" in text
    err = capsys.readouterr().err
    assert f"wrote {tmp_path / 'noxfile.py'}" in err
    assert "no uv.lock: sessions install unpinned" in err


def test_init_never_overwrites_a_noxfile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path)
    (tmp_path / "uv.lock").write_text("version = 1\n")
    (tmp_path / "noxfile.py").write_text("import nox\n")
    assert main(["init", "--directory", str(tmp_path)]) == 0
    assert (tmp_path / "noxfile.py").read_text() == "import nox\n"
    out, err = capsys.readouterr()
    assert "noxci.sessions.register()" in out
    assert "exists; to use noxci's sessions, add the import beside its imports" in err
    assert "no uv.lock" not in err


def test_init_again_sees_the_noxfile_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path)
    assert main(["init", "--directory", str(tmp_path)]) == 0
    written = (tmp_path / "noxfile.py").read_text()
    capsys.readouterr()
    assert main(["init", "--directory", str(tmp_path)]) == 0
    assert (tmp_path / "noxfile.py").read_text() == written
    out, err = capsys.readouterr()
    assert "already registers noxci's sessions" in err
    assert "exists; to use" not in err
    assert "register()" not in out


def test_init_refuses_a_bad_config_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path, "[tool.noxci]\npythn = ['3.11']\n")
    assert main(["init", "--directory", str(tmp_path)]) == ExitCode.CONFIG
    err = capsys.readouterr().err
    assert "unknown key 'pythn'" in err
    assert "did you mean 'python'" in err
    assert not (tmp_path / "noxfile.py").exists()


class _FakeCoverage:
    started: list[_FakeCoverage] = []  # noqa: RUF012

    def __init__(self, *, config_file: str, data_suffix: bool) -> None:
        self.config_file, self.data_suffix = config_file, data_suffix
        self.events: list[str] = []

    @staticmethod
    def current() -> Any:
        return None

    def start(self) -> None:
        self.events.append("start")
        _FakeCoverage.started.append(self)

    def stop(self) -> None:
        self.events.append("stop")

    def save(self) -> None:
        self.events.append("save")


def _load_plugin(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    import coverage

    for name in ("PYTEST_XDIST_WORKER", "NOXCI_COVERAGE_RC"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(coverage, "Coverage", _FakeCoverage)
    _FakeCoverage.started = []
    monkeypatch.delitem(sys.modules, "noxci.jobs.xdist_coverage", raising=False)
    return importlib.import_module("noxci.jobs.xdist_coverage")


def test_the_plugin_measures_an_xdist_worker_from_the_rc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plugin = _load_plugin(
        monkeypatch, PYTEST_XDIST_WORKER="gw0", NOXCI_COVERAGE_RC="/tmp/rc"
    )
    [cov] = _FakeCoverage.started
    assert (cov.config_file, cov.data_suffix) == ("/tmp/rc", True)
    # Saved as the worker's session ends: xdist may end the worker before
    # unconfigure, and its share of the coverage went missing.
    plugin.pytest_sessionfinish(None, 0)
    assert cov.events == ["start", "stop", "save"]
    plugin.pytest_unconfigure(None)  # saved once, however often pytest asks
    assert cov.events == ["start", "stop", "save"]


@pytest.mark.parametrize(
    "env",
    [{}, {"PYTEST_XDIST_WORKER": "gw0"}, {"NOXCI_COVERAGE_RC": "/tmp/rc"}],
)
def test_the_plugin_does_nothing_outside_a_worker(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    plugin = _load_plugin(monkeypatch, **env)
    assert _FakeCoverage.started == []
    plugin.pytest_unconfigure(None)


def test_the_plugin_leaves_a_running_coverage_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_FakeCoverage, "current", staticmethod(object))
    _load_plugin(monkeypatch, PYTEST_XDIST_WORKER="gw0", NOXCI_COVERAGE_RC="/tmp/rc")
    assert _FakeCoverage.started == []


def test_noxcis_directories_keep_out_of_setuptools_discovery(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """setuptools takes reports/ for a package of a flat layout it discovers (tabulate)."""
    from noxci.config import load_config

    _project(
        tmp_path,
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
    )
    (tmp_path / "jaraco" / "functools").mkdir(parents=True)
    config = load_config(tmp_path)
    assert config.reports_dir == tmp_path / ".noxci" / "reports"
    assert config.readiness_dir == tmp_path / ".readiness"
    assert main(["init", "--directory", str(tmp_path)]) == 0
    assert "noxci writes to .noxci/reports/ and .readiness/" in capsys.readouterr().err
    # Set by the project, they are kept, and init says they are in the way.
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.noxci]\nreports-dir = "out"\n', "utf-8"
    )
    assert load_config(tmp_path).reports_dir == tmp_path / "out"
    (tmp_path / "noxfile.py").unlink()
    assert main(["init", "--directory", str(tmp_path)]) == 0
    assert "would take out/ for packages" in capsys.readouterr().err
    # Packages named explicitly (or a src layout): the defaults.
    (tmp_path / "noxfile.py").unlink()
    _project(tmp_path, '[tool.setuptools]\npackages = ["jaraco.functools"]\n')
    assert load_config(tmp_path).reports_dir == tmp_path / "reports"
    assert main(["init", "--directory", str(tmp_path)]) == 0
    assert "setuptools" not in capsys.readouterr().err
