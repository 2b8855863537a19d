"""An incremental tests run gives the verdict and the coverage a full run gives.

On a fixture project (two modules, a test that measures a subprocess), the
tests session runs in full once; then, in turn, one function, one test,
the lock and the config are edited. After each edit the session runs
incrementally (or in full, where it must), then again with ``--full``, and
the two reports agree on every figure of the verdict.
"""

from __future__ import annotations

from pathlib import Path

from noxci.report import Report, Status
from tests.integration.conftest import Project, make_project, verdict_figures


def _both(project: Project) -> tuple[Report, Report]:
    """The session as a developer runs it, then in full."""
    done = project.nox("-s", "tests")
    assert done.returncode in {0, 1}, done.stderr[-3000:]
    quick = project.report("tests")
    done = project.nox("-s", "tests", "--", "--full")
    assert done.returncode in {0, 1}, done.stderr[-3000:]
    full = project.report("tests")
    assert full.details["incremental"]["mode"] == "full"
    assert verdict_figures(quick) == verdict_figures(full)
    return quick, full


def _edit(project: Project, name: str, old: str, new: str) -> None:
    path = project.root / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_incremental_runs_equal_full_runs(tmp_path: Path) -> None:
    project = make_project(tmp_path, "incremental")
    done = project.nox("-s", "tests")
    assert done.returncode == 0, done.stderr[-3000:]
    first = project.report("tests")
    assert (
        first.details["incremental"]["reason"] == "no earlier complete run is recorded"
    )
    assert first.metrics["tests_total"] == 7

    # One function: only the test that ran it runs; it now fails.
    _edit(
        project, "src/sample/shapes.py", "return 3.14 * radius", "return 3.0 * radius"
    )
    quick, _ = _both(project)
    assert quick.details["incremental"]["mode"] == "incremental"
    assert quick.details["incremental"]["changed"] == ["src/sample/shapes.py"]
    # Only the test that ran circle_area runs again: no line moved, so the
    # other tests of the module keep their results (and test_sample's and
    # test_words' four).
    assert quick.metrics["tests_reused"] == 6
    assert quick.status is Status.FAILED
    assert quick.details["failed"] == ["tests/test_shapes.py::test_circle"]
    # The JUnit file describes the whole suite, as the report does.
    junit = (project.root / "reports" / "tests.junit.xml").read_text()
    assert junit.count("<testcase") == 7

    # One test: its module runs again, with the failing test (always re-run).
    _edit(
        project, "src/sample/shapes.py", "return 3.0 * radius", "return 3.14 * radius"
    )
    _edit(
        project,
        "tests/test_words.py",
        "def test_count() -> None:",
        'def test_count_one() -> None:\n    assert count("x") == 1\n\n\ndef test_count() -> None:',
    )
    quick, _ = _both(project)
    assert quick.details["incremental"]["mode"] == "incremental"
    assert quick.metrics["tests_total"] == 8
    assert quick.status is Status.PASSED

    # Outside a function body (what every importer sees): every test runs.
    _edit(
        project,
        "src/sample/words.py",
        "from __future__ import annotations\n",
        "from __future__ import annotations\n\nSEPARATOR = None\n",
    )
    quick, _ = _both(project)
    assert quick.details["incremental"]["mode"] == "full"
    assert (
        "src/sample/words.py changed outside its function bodies"
        in quick.details["incremental"]["reason"]
    )

    # The lock and the config reach every test: both runs are full.
    lock = project.root / "uv.lock"
    lock.write_text(lock.read_text() + "\n")
    quick, _ = _both(project)
    assert quick.details["incremental"]["reason"] == "uv.lock changed"
    _edit(
        project,
        "pyproject.toml",
        "reruns-delay = 0.0",
        "reruns-delay = 0.0\nreruns = 1",
    )
    quick, _ = _both(project)
    assert quick.details["incremental"]["reason"] == "pyproject.toml changed"
