"""The job sessions, run for real by nox on fixture projects.

Every figure in a report is checked against the same tool run directly on
the same fixture, and no session may change a tracked file.
"""

from __future__ import annotations

import json
import re

from noxci.report import Status
from tests.integration.conftest import Project

UNCOVERED = "\n".join(
    ["", "", "def uncovered(x: int) -> int:", '    """Never called."""']
    + [f"    x += {i}" for i in range(40)]
    + ["    return x", ""]
)


def _pytest_summary(text: str) -> dict[str, int]:
    """Counts from pytest's own last line, e.g. '1 failed, 2 passed in 0.1s'."""
    line = text.strip().splitlines()[-1]
    return {
        word: int(n) for n, word in re.findall(r"(\d+) (\w+)", line) if word != "in"
    }


def _direct_coverage(project: Project) -> str:
    python = project.venv_bin("tests", "python")
    project.run(
        python,
        "-m",
        "coverage",
        "run",
        "--branch",
        "--source=src",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        env={"MARKER_DIR": str(project.root / ".nox")},
    )
    done = project.run(python, "-m", "coverage", "report", "--format=total")
    (project.root / ".coverage").unlink()
    return done.stdout.strip()


def test_clean_project_passes_every_job(project: Project) -> None:
    before = project.status()
    done = project.nox("-s", "lint", "typecheck", "tests", "docs", "build")
    assert done.returncode == 0, done.stdout + done.stderr
    for session in ("lint", "typecheck", "tests", "docs", "build"):
        report = project.report(session)
        assert report.status is Status.PASSED, (session, report.summary)
        assert report.git.branch == "main"
        assert report.git.commit is not None
    tests = project.report("tests")
    direct = _pytest_summary(
        project.run(
            project.venv_bin("tests", "pytest"), "-q", "-p", "no:cacheprovider"
        ).stdout
    )
    assert direct == {"passed": tests.metrics["tests_passed"]} == {"passed": 2}
    assert tests.metrics["coverage_percent"] == 100.0
    assert _direct_coverage(project) == "100"
    build = project.report("build")
    assert build.metrics["artifacts_count"] == 2
    assert sorted(a["kind"] for a in build.details["artifacts"]) == ["sdist", "wheel"]
    docs = project.report("docs")
    assert (
        docs.metrics["docstrings_total"],
        docs.metrics["docstrings_documented"],
    ) == (3, 3)
    assert project.status() == before, "a session changed the tree"


def test_lint_error_fails_lint_with_the_ruff_count(project: Project) -> None:
    project.write("src/sample/extra.py", '"""Extra."""\n\nimport os\nimport sys\n')
    done = project.nox("-s", "lint")
    assert done.returncode != 0
    assert "lint: failed: ruff: 2 finding(s)" in done.stderr
    report = project.report("lint")
    assert report.status is Status.FAILED
    direct = json.loads(
        project.run(
            project.venv_bin("lint", "ruff"), "check", "--output-format", "json"
        ).stdout
    )
    assert report.metrics["ruff_findings"] == len(direct) == 2
    assert {f.rule for f in report.findings} == {"F401"}
    assert (project.root / report.artifacts["ruff-sarif"]).is_file()
    sarif = json.loads((project.root / report.artifacts["ruff-sarif"]).read_text())
    assert len(sarif["runs"][0]["results"]) == 2
    # The findings are shown where they are, one line each.
    assert "src/sample/extra.py:3:8 F401 `os` imported but unused" in done.stderr
    # The user's own output flags give a second, displayed run; the report stays.
    done = project.nox("-s", "lint", "--", "--output-format", "concise")
    assert "cannot be used multiple times" not in done.stderr
    assert "src/sample/extra.py:3:8: F401" in done.stdout + done.stderr
    assert project.report("lint").metrics["ruff_findings"] == 2


def test_unformatted_file_fails_lint(project: Project) -> None:
    project.write("src/sample/ugly.py", '"""Ugly."""\n\n\ndef f( a,b ):\n  return a\n')
    done = project.nox("-s", "lint")
    assert done.returncode != 0
    report = project.report("lint")
    assert report.metrics["format_unformatted"] == 1
    assert report.details["unformatted"] == ["src/sample/ugly.py"]
    assert (
        (project.root / "src/sample/ugly.py")
        .read_text()
        .startswith('"""Ugly."""\n\n\ndef f( a,b )')
    )


def test_failing_test_fails_tests_with_pytest_counts(project: Project) -> None:
    project.write(
        "tests/test_bad.py", "def test_bad() -> None:\n    assert 1 + 1 == 3\n"
    )
    done = project.nox("-s", "tests")
    assert done.returncode != 0
    report = project.report("tests")
    assert report.status is Status.FAILED
    direct = _pytest_summary(
        project.run(
            project.venv_bin("tests", "pytest"), "-q", "-p", "no:cacheprovider"
        ).stdout
    )
    assert direct == {"failed": 1, "passed": 2}
    assert (report.metrics["tests_failed"], report.metrics["tests_passed"]) == (1, 2)
    assert report.metrics["rerun_rounds"] == 2  # it kept failing
    assert report.details["failed"] == ["tests/test_bad.py::test_bad"]
    [finding] = [f for f in report.findings if f.rule == "failed"]
    assert finding.path == "tests/test_bad.py"
    assert finding.line == 1
    assert finding.message == "tests/test_bad.py::test_bad: assert (1 + 1) == 3"


def test_flaky_test_passes_and_is_named(project: Project) -> None:
    project.write(
        "tests/test_flaky.py",
        "import os, pathlib\n\n\ndef test_flaky() -> None:\n"
        "    marker = pathlib.Path(os.environ['MARKER_DIR']) / 'seen'\n"
        "    if not marker.exists():\n"
        "        marker.write_text('x')\n"
        "        raise AssertionError('first run fails')\n",
    )
    marker_dir = project.root / ".nox"
    done = project.nox("-s", "tests", env={"MARKER_DIR": str(marker_dir)})
    assert done.returncode == 0, done.stderr
    report = project.report("tests")
    assert report.status is Status.PASSED
    assert report.metrics["tests_flaky"] == 1
    assert report.metrics["tests_passed"] == 3
    assert report.metrics["tests_failed"] == 0
    assert report.metrics["rerun_rounds"] == 1
    assert report.details["flaky"] == ["tests/test_flaky.py::test_flaky"]
    assert "1 flaky" in report.summary
    # The JUnit file agrees: a flaky failure, not a failure.
    junit = (project.root / report.artifacts["junit"]).read_text()
    assert 'failures="0"' in junit
    assert "<flakyFailure" in junit


def test_no_tests_at_all_is_an_error_naming_where_pytest_looked(
    project: Project,
) -> None:
    done = project.nox("-s", "tests", "--", "-k", "no_such_test")
    assert done.returncode != 0
    report = project.report("tests")
    assert report.status is Status.ERROR
    assert report.error is not None
    assert report.error.startswith("pytest collected no tests: it looked in")
    assert "with -k no_such_test" in report.error


def test_a_noxfile_session_noxci_also_registers_is_an_error(project: Project) -> None:
    noxfile = project.root / "noxfile.py"
    noxfile.write_text(
        "import nox\n\nimport noxci.sessions\n\n\n@nox.session\n"
        "def lint(session: nox.Session) -> None:\n    pass\n\n\n"
        "noxci.sessions.register()\n"
    )
    done = project.nox("-l")
    assert done.returncode == 4
    assert "the noxfile already has session(s) 'lint'" in done.stderr
    assert "noxci.sessions.register(lint=False)" in done.stderr


def test_coverage_below_minimum_fails(project: Project) -> None:
    with (project.root / "src/sample/__init__.py").open("a") as handle:
        handle.write(UNCOVERED)
    done = project.nox("-s", "tests")
    assert done.returncode != 0
    report = project.report("tests")
    assert report.status is Status.FAILED
    assert report.metrics["tests_failed"] == 0
    assert report.metrics["coverage_min"] == 80.0
    percent = report.metrics["coverage_percent"]
    assert isinstance(percent, float)
    assert percent < 80
    assert str(round(percent)) == _direct_coverage(project)
    assert any(f.rule == "coverage-min" for f in report.findings)


def test_posargs_reach_pytest(project: Project) -> None:
    done = project.nox("-s", "tests", "--", "-k", "add")
    assert done.returncode != 0  # one test measures too little code
    report = project.report("tests")
    assert report.metrics["tests_passed"] == 1
    assert report.inputs.args == ("-k", "add")


def test_missing_tool_is_error_never_passed(project: Project) -> None:
    with (project.root / "pyproject.toml").open("a") as handle:
        # a group without ruff, and no tools for noxci to add beside it
        handle.write('\n[tool.noxci.lint]\ngroup = "typecheck"\ntools = []\n')
    done = project.nox("-s", "lint")
    assert done.returncode != 0
    report = project.report("lint")
    assert report.status is Status.ERROR
    assert report.error is not None
    assert "ruff" in report.error
    assert "not installed in the session's virtualenv" in report.error


def test_bad_config_is_one_line_without_traceback(project: Project) -> None:
    with (project.root / "pyproject.toml").open("a") as handle:
        handle.write("\n[tool.noxci.typecheck]\nblockng = true\n")
    done = project.nox("-s", "typecheck")
    assert done.returncode != 0
    assert (
        "pyproject.toml: [tool.noxci.typecheck] has unknown key 'blockng'; did you mean 'blocking'?"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_stale_lock_gives_an_error_report(project: Project) -> None:
    text = (project.root / "pyproject.toml").read_text()
    (project.root / "pyproject.toml").write_text(
        text.replace("build = []", 'build = ["wheel"]')
    )
    done = project.nox("-s", "build")
    assert done.returncode != 0
    report = project.report("build")
    assert report.status is Status.ERROR
    assert report.error is not None
    assert "uv.lock is out of date" in report.error
    assert project.status() == " M pyproject.toml\n", "uv.lock must never be rewritten"


def test_fmt_fixes_what_it_can_and_says_which_files_it_changed(
    project: Project,
) -> None:
    project.write(
        "src/sample/messy.py",
        '"""Messy."""\n\nimport sys\nimport os\n\n\ndef f( x ):\n    return x+1\n',
    )
    project.commit()
    assert project.nox("-s", "lint").returncode != 0
    done = project.nox("-s", "fmt")
    assert done.returncode == 0, done.stderr
    assert "fmt: rewrote src/sample/messy.py" in done.stderr
    report = project.report("fmt")
    assert report.details["changed"] == ["src/sample/messy.py"]
    assert report.metrics == {"files_changed": 1, "ruff_findings": 0}
    assert (
        "def f(x):\n    return x + 1\n"
        in (project.root / "src" / "sample" / "messy.py").read_text()
    )
    assert project.nox("-s", "lint").returncode == 0  # what fmt leaves, lint passes
    project.write("src/sample/messy.py", '"""Messy."""\n\n\ndef g():\n    return y\n')
    done = project.nox("-s", "fmt")
    assert done.returncode == 1  # F821 cannot be fixed: it stays, and says so
    assert "1 finding(s) ruff cannot fix" in done.stderr
