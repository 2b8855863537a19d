"""A suite split into shards, combined, equals the suite run whole.

On a fixture project with every kind of outcome (passed, failed, skipped,
xfailed, flaky) the tests run whole, then as 1, 2 and 4 shards the way CI
runs them (``--shard K/N`` each, then ``--combine``), then as 2 shards side
by side in one session (``shards = 2``). Every combined report has the
whole run's figures. A missing or stale shard fails the combine closed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from noxci.report import Status
from tests.integration.conftest import (
    Project,
    make_project,
    pyenv_versions,
    verdict_figures,
)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = make_project(tmp_path, "incremental")
    shards = Path(__file__).parents[1] / "data" / "projects" / "shards"
    project.write(
        "tests/test_mixed.py", (shards / "tests" / "test_mixed.py").read_text()
    )
    project.commit()
    return project


def _clear_parts(project: Project) -> None:
    for path in (project.root / "reports").glob("tests.shard-*"):
        path.unlink()


def test_shards_combined_equal_the_whole_run(project: Project) -> None:
    done = project.nox("-s", "tests", "--", "--full")
    assert done.returncode == 1, done.stderr[-3000:]  # test_fails fails
    whole = verdict_figures(project.report("tests"))
    assert whole["failed"] == ["tests/test_mixed.py::test_fails"]
    assert whole["flaky"] == ["tests/test_mixed.py::test_flaky"]
    assert (whole["tests_skipped"], whole["tests_xfailed"]) == (1, 1)

    for count in (1, 2, 4):
        _clear_parts(project)
        for k in range(1, count + 1):
            done = project.nox("-s", "tests", "--", "--shard", f"{k}/{count}")
            assert done.returncode in {0, 1}, done.stderr[-3000:]
            part = project.report(f"tests.shard-{k}-of-{count}")
            assert part.details["shard"]["of"] == count
        done = project.nox("-s", "tests", "--", "--combine")
        assert done.returncode == 1, done.stderr[-3000:]
        combined = project.report("tests")
        assert combined.metrics["parts"] == count
        assert verdict_figures(combined) == whole, count

    # The four parts, one missing: the combined report is an error naming it.
    (project.root / "reports" / "tests.shard-3-of-4.json").unlink()
    done = project.nox("-s", "tests", "--", "--combine")
    assert done.returncode == 6
    failed = project.report("tests")
    assert failed.status is Status.ERROR
    assert "shard 3 of 4 (tests.shard-3-of-4): missing" in (failed.error or "")

    # A part made before a change is stale.
    done = project.nox("-s", "tests", "--", "--shard", "3/4")
    project.write(
        "src/sample/words.py",
        '"""Changed."""\n\n\ndef count(text: str) -> int:\n    """Count."""\n    return len(text.split())\n',
    )
    done = project.nox("-s", "tests", "--", "--combine")
    assert done.returncode == 6
    assert "stale" in (project.report("tests").error or "")


def test_shards_side_by_side_in_one_session_equal_the_whole_run(
    project: Project,
) -> None:
    done = project.nox("-s", "tests", "--", "--full")
    whole = verdict_figures(project.report("tests"))
    text = (project.root / "pyproject.toml").read_text()
    project.write(
        "pyproject.toml", text.replace("workers = 0", "workers = 0\nshards = 2")
    )
    done = project.nox("-s", "tests")
    assert done.returncode == 1, done.stderr[-3000:]
    report = project.report("tests")
    assert report.metrics["shards"] == 2
    assert "2 shards side by side" in report.summary
    assert verdict_figures(report) == whole


def _pythons() -> dict[str, str]:
    """``PYENV_VERSION`` selecting every pyenv CPython, so each one's shims run."""
    found = pyenv_versions()
    return {"PYENV_VERSION": ":".join(found)} if found else {}


def test_several_pythons_combined_take_the_lowest_coverage(tmp_path: Path) -> None:
    # Each Python runs the whole suite: a line only 3.12 reaches is not
    # covered on 3.11, so the union of their data would overstate both.
    env = _pythons()
    for version in ("3.11", "3.12"):
        runs = shutil.which(f"python{version}") and subprocess.run(
            [f"python{version}", "-c", ""], env={**os.environ, **env}, check=False
        )
        if not runs or runs.returncode != 0:
            pytest.skip(f"needs Python {version} on PATH")
    project = make_project(tmp_path, "incremental")
    project.write(
        "src/sample/flavour.py",
        '"""Code each Python reaches differently."""\n\nimport sys\n\n\n'
        "def flavour() -> str:\n"
        '    """Which side of 3.12 this Python is on."""\n'
        "    if sys.version_info >= (3, 12):\n"
        '        return "new"\n'
        '    return "old"\n',
    )
    project.write(
        "tests/test_flavour.py",
        "from sample.flavour import flavour\n\n\n"
        "def test_flavour() -> None:\n"
        '    assert flavour() in {"new", "old"}\n',
    )
    text = (project.root / "pyproject.toml").read_text()
    project.write(
        "pyproject.toml",
        text.replace(
            "[tool.noxci.tests]",
            '[tool.noxci]\npython = ["3.11", "3.12"]\n\n[tool.noxci.tests]\n'
            "coverage-min = 50",
        ),
    )
    project.commit()
    done = project.nox("-s", "tests", "--", "--full", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    parts = {v: project.report(f"tests-{v}") for v in ("3.11", "3.12")}
    percents = {v: r.metrics["coverage_percent"] for v, r in parts.items()}
    done = project.nox("-s", "tests-3.11", "--", "--combine", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    combined = project.report("tests")
    assert combined.metrics["parts"] == 2
    assert combined.metrics["coverage_percent"] == min(percents.values())
    assert combined.details["coverage_by_session"] == {
        f"tests-{v}": p for v, p in percents.items()
    }
    assert combined.metrics["tests_passed"] == sum(
        int(r.metrics["tests_passed"]) for r in parts.values()
    )
    # The figure is one Python's: flavour() still misses a return, which
    # the union of both Pythons' data would count as covered.
    data = json.loads((project.root / combined.artifacts["coverage-json"]).read_text())
    flavour = next(v for k, v in data["files"].items() if k.endswith("flavour.py"))
    assert flavour["summary"]["missing_lines"] == 1
