"""What jobs show and write: findings lines, session arguments."""

from __future__ import annotations

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
