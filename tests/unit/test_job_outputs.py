"""What jobs show and write: findings lines, session arguments, JUnit."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from noxci.jobs.junit import junit_case, mark_flaky
from noxci.render.findings import finding_lines
from noxci.report import Finding, Severity
from noxci.toolargs import MYPY, PYTEST, RUFF_CHECK, split_args


def _finding(i: int, **kw: object) -> Finding:
    values: dict[str, object] = {
        "tool": "ruff",
        "rule": "F401",
        "severity": Severity.HIGH,
        "message": f"`os{i}` imported but unused\nmore",
        "path": "src/a.py",
        "line": i,
        "column": 3,
    }
    values.update(kw)
    return Finding(**values)  # type: ignore[arg-type]


def test_findings_are_shown_as_path_line_col_rule_message() -> None:
    findings = [_finding(i) for i in range(1, 26)]
    lines = finding_lines(findings)
    assert lines[0] == "src/a.py:1:3 F401 `os1` imported but unused"
    assert len(lines) == 21
    assert lines[-1] == "and 5 more"
    assert finding_lines([_finding(1, column=None)]) == [
        "src/a.py:1 F401 `os1` imported but unused"
    ]
    assert finding_lines([_finding(1, path=None, line=None, rule="unaudited")]) == [
        "unaudited `os1` imported but unused"
    ]
    assert finding_lines([]) == []


def test_session_arguments_merge_with_noxcis_flags() -> None:
    split = split_args(
        ["--output-format", "concise", "--select", "E", "src"], RUFF_CHECK
    )
    assert split.parsed == ("--select", "E", "src")  # the run noxci parses
    assert split.display == ("--output-format", "concise", "--select", "E", "src")
    assert split.dropped == ("--output-format", "concise")
    fix = split_args(["--fix", "--output-file=x.json", "-ox"], RUFF_CHECK)
    assert fix.forbidden == ("--fix",)  # a check session never changes files
    assert fix.display == ("--output-file=x.json", "-ox")
    assert fix.parsed == ()
    assert split_args(["--strict"], MYPY).display is None  # nothing to show twice
    junit = split_args(["--junitxml", "j.xml", "-k", "x"], PYTEST)
    assert (junit.parsed, junit.display) == (("-k", "x"), None)  # never run twice
    assert split_args(["--", "--fix"], RUFF_CHECK).parsed == ("--", "--fix")


def _pytest_junit(tmp_path: Path) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(
        "import pytest\n"
        "def test_ok(): pass\n"
        "class TestC:\n"
        "    @pytest.mark.parametrize('n', [1, 2])\n"
        "    def test_flaky(self, n): assert n == 2\n"
        "def test_broken(): assert False\n"
    )
    junit = tmp_path / "junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n0",
         "-o", "junit_family=xunit2", f"--junitxml={junit}", "tests"],
        cwd=tmp_path, capture_output=True, check=False,
    )  # fmt: skip
    return junit


def test_junit_agrees_with_the_report_on_flaky_tests(tmp_path: Path) -> None:
    junit = _pytest_junit(tmp_path)
    flaky = "tests/test_x.py::TestC::test_flaky[1]"
    assert junit_case(flaky) == ("tests.test_x.TestC", "test_flaky[1]")
    assert mark_flaky(junit, [flaky]) == 1
    suite = ET.parse(junit).getroot().find("testsuite")  # noqa: S314
    assert suite is not None
    assert suite.get("failures") == "1"  # test_broken still failed
    cases = {c.get("name"): [e.tag for e in c] for c in suite.iter("testcase")}
    assert cases["test_flaky[1]"] == ["flakyFailure"]
    assert cases["test_broken"] == ["failure"]
    assert mark_flaky(junit, []) == 0
