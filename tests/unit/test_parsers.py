"""Every parser, fed real output captured from the real tools (tests/data/tool-output)."""

from __future__ import annotations

import json

import pytest

from noxci.parsers import ParseError
from noxci.parsers.bandit import parse_bandit
from noxci.parsers.black import parse_black_check
from noxci.parsers.coverage import parse_coverage_json
from noxci.parsers.flake8 import parse_flake8
from noxci.parsers.interrogate import parse_interrogate
from noxci.parsers.mypy import parse_mypy
from noxci.parsers.pip_audit import parse_pip_audit
from noxci.parsers.pipcheck import parse_pip_check
from noxci.parsers.pytest_log import merge_reruns, parse_report_log
from noxci.parsers.ruff import parse_ruff_check, parse_ruff_format
from noxci.report import Severity
from tests.conftest import TOOL_OUTPUT


def _read(name: str) -> str:
    return (TOOL_OUTPUT / name).read_text(encoding="utf-8")


def test_ruff_clean() -> None:
    result = parse_ruff_check(_read("ruff-clean.json"), "/tmp/fx")
    assert result.findings == ()
    assert result.fixable == 0


def test_ruff_findings() -> None:
    result = parse_ruff_check(_read("ruff-findings.json"), "/tmp/cap")
    assert [(f.rule, f.path, f.line, f.severity) for f in result.findings] == [
        ("F401", "src/pkg/mod.py", 1, Severity.HIGH),
        ("F401", "src/pkg/mod.py", 2, Severity.HIGH),
        ("F821", "src/pkg/mod.py", 6, Severity.HIGH),
    ]
    assert result.fixable == 2
    assert result.findings[2].message == "Undefined name `undefined_name`"


@pytest.mark.parametrize("text", ["not json", '{"a": 1}', '[{"code": "X"}]'])
def test_ruff_garbage_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="ruff"):
        parse_ruff_check(text, "/")


def test_ruff_crash_output_is_not_json() -> None:
    # What ruff prints when its config is broken (exit 2): no JSON at all.
    assert "ruff failed" in _read("ruff-crash.stderr")
    assert _read("ruff-crash.stdout") == ""


def test_ruff_check_json_is_the_same_shape_from_0_8_to_0_17() -> None:
    for version in ("0.8.6", "0.17.6"):
        result = parse_ruff_check(_read(f"ruff-{version}-check.json"), "/tmp/cap")
        assert result.findings, version
        for finding in result.findings:
            assert finding.path is not None
            assert finding.path.startswith("src/pkg/")
            assert finding.line is not None
            assert finding.line >= 1
            assert finding.column is not None
            assert finding.column >= 1


@pytest.mark.parametrize(
    ("version", "unformatted"),
    [
        ("0.1.6", ("src/pkg/ugly.py",)),  # "... files left unchanged"
        ("0.12.12", ("src/pkg/ugly.py",)),  # "Would reformat: PATH" up to 0.15
        ("0.17.6", ("README.md", "src/pkg/ugly.py")),  # --output-format concise
    ],
)
def test_ruff_format_check_text_of_old_and_new_ruffs(
    version: str, unformatted: tuple[str, ...]
) -> None:
    result = parse_ruff_format(_read(f"ruff-format-{version}.txt"), "/tmp/cap")
    assert result.unformatted == unformatted
    assert result.checked == len(unformatted) + 3
    clean = parse_ruff_format(_read(f"ruff-format-{version}-clean.txt"), "/tmp/cap")
    assert (clean.unformatted, clean.checked) == ((), 1)


def test_ruff_format_checked_nothing_and_disagreeing_output() -> None:
    assert parse_ruff_format("", "/").checked == 0  # "No Python files found" is stderr
    with pytest.raises(ParseError, match="summary says 2"):
        parse_ruff_format("Would reformat: x.py\n2 files would be reformatted\n", "/")


def test_flake8_findings_and_the_files_it_processed() -> None:
    result = parse_flake8(_read("flake8-7.3.0-findings.txt"), "/tmp/cap")
    assert result.files == 2
    assert [
        (f.rule, f.path, f.line, f.column, f.severity) for f in result.findings
    ] == [
        ("F401", "pkg/bad.py", 1, 1, Severity.HIGH),
        ("E225", "pkg/bad.py", 2, 2, Severity.LOW),
    ]
    # Without --benchmark's closing figures the run did not end.
    with pytest.raises(ParseError, match="total files processed"):
        parse_flake8("./a.py:1:1: F401 'os' imported but unused\n", "/")


def test_black() -> None:
    found = parse_black_check(_read("black-findings.stderr"), "/tmp/cap")
    assert (found.unformatted, found.checked) == (("src/pkg/ugly.py",), 2)
    clean = parse_black_check(_read("black-clean.stderr"), "/tmp/fx")
    assert clean.unformatted == ()
    assert clean.checked > 0
    # On a file black cannot parse (exit 123) the parseable files still count.
    crash = parse_black_check(_read("black-crash.stderr"), "/tmp/cap")
    assert (crash.unformatted, crash.checked) == (("src/pkg/ugly.py",), 3)
    nothing = "No Python files are present to be formatted. Nothing to do 😴\n"
    assert parse_black_check(nothing, "/").checked == 0


@pytest.mark.parametrize("name", ["2.4.1-errors", "1.10.1-errors", "2.4.1-error-end"])
def test_mypy_text_of_old_and_new_mypys(name: str) -> None:
    result = parse_mypy(_read(f"mypy-{name}.txt"), "/tmp/cap")
    assert result.errors == 2  # the reveal_type note is not an error
    assert (result.files_with_errors, result.checked) == (1, 4)
    assert [(f.rule, f.path, f.line, f.column) for f in result.findings] == [
        ("return-value", "src/pkg/typed.py", 2, 12),
        ("assignment", "src/pkg/typed.py", 7, 14),
    ]


def test_mypy_clean_syntax_and_garbage() -> None:
    clean = parse_mypy(_read("mypy-2.4.1-clean.txt"), "/")
    assert (clean.errors, clean.checked) == (0, 1)
    syntax = parse_mypy(_read("mypy-2.4.1-syntax.txt"), "/tmp/cap")
    assert syntax.findings[0].rule == "syntax"
    assert syntax.checked is None  # errors prevented further checking
    assert "unrecognized arguments" in _read("mypy-crash.stderr")
    with pytest.raises(ParseError, match="no summary"):
        parse_mypy("x.py:1:1: error: boom  [misc]\n", "/")
    with pytest.raises(ParseError, match="summary counts 3"):
        parse_mypy(
            "x.py:1:1: error: boom  [misc]\nFound 3 errors in 1 file (checked 1 source file)\n",
            "/",
        )


def test_pytest_log_counts_like_pytest_under_xdist() -> None:
    log = parse_report_log(_read("pytest-mixed-xdist.jsonl").splitlines())
    # pytest printed: 2 failed, 4 passed, 1 skipped, 1 xfailed, 1 xpassed, 2 errors
    assert dict(log.counts()) == {
        "passed": 4,
        "failed": 2,
        "skipped": 1,
        "errors": 2,
        "xfailed": 1,
        "xpassed": 1,
    }
    assert log.finished
    assert sorted(log.bad()) == [
        "tests/test_mix.py::test_fail",
        "tests/test_mix.py::test_flaky",
        "tests/test_mix.py::test_setup_error",
        "tests/test_mix.py::test_teardown_error",
    ]
    fail = log.locations["tests/test_mix.py::test_fail"]
    assert (fail.path, fail.line) == ("tests/test_mix.py", 11)
    assert fail.message == "AssertionError: one is not two"
    assert log.locations["tests/test_mix.py::test_setup_error"].message == (
        "RuntimeError: setup exploded"
    )


def test_rerun_merge_finds_flaky_and_does_not_double_count() -> None:
    first = parse_report_log(_read("pytest-mixed-xdist.jsonl").splitlines())
    rerun = parse_report_log(_read("pytest-rerun.jsonl").splitlines())
    merged, flaky = merge_reruns(first, [rerun])
    assert flaky == ["tests/test_mix.py::test_flaky"]
    # A naive count of first + rerun would say 6 passed; the flaky test is
    # one test that passed once, in the end.
    assert dict(merged.counts()) == {
        "passed": 5,
        "failed": 1,
        "skipped": 1,
        "errors": 2,
        "xfailed": 1,
        "xpassed": 1,
    }


def test_collection_errors_count_as_errors() -> None:
    log = parse_report_log(_read("pytest-collection-error.jsonl").splitlines())
    assert list(log.collection_errors) == ["tests/test_broken.py"]
    assert "nonexistent_module" in log.collection_errors["tests/test_broken.py"]
    assert log.counts()["errors"] == 3


def test_no_tests_is_zero_not_success() -> None:
    log = parse_report_log(_read("pytest-no-tests.jsonl").splitlines())
    assert sum(log.counts().values()) == 0
    assert log.exitstatus == 5


def test_truncated_report_log_is_a_parse_error() -> None:
    lines = _read("pytest-mixed-xdist.jsonl").splitlines()
    with pytest.raises(ParseError, match="line 3"):
        parse_report_log([*lines[:2], lines[2][:40]])


def test_coverage_totals() -> None:
    totals = parse_coverage_json(_read("coverage.json"))
    assert (totals.percent, totals.display, totals.precision) == (100.0, "100", 0)
    assert (totals.statements, totals.branches, totals.partial_branches) == (9, 4, 0)
    with pytest.raises(ParseError):
        parse_coverage_json('{"meta": {}}')


def test_interrogate_summary() -> None:
    full = parse_interrogate(_read("interrogate.txt"), "/tmp/fx")
    assert (full.total, full.documented, full.missing_by_file) == (3, 3, {})
    missing = parse_interrogate(_read("interrogate-missing.txt"), "/tmp/exp1")
    assert (missing.total, missing.documented) == (4, 0)
    assert missing.missing_by_file == {"src/pkg/__init__.py": 2, "src/pkg/bad.py": 2}
    with pytest.raises(ParseError, match="no TOTAL row"):
        parse_interrogate("E: No Python or Python-like files found", "/")


def test_bandit_findings_and_scan_errors() -> None:
    result = parse_bandit(_read("bandit-findings.json"), "/tmp/bcap")
    assert (result.high, result.medium, result.low, result.errors) == (0, 3, 0, 1)
    assert [(f.rule, f.path, f.line, f.severity.value) for f in result.findings] == [
        ("B301:blacklist", "pkg/mod.py", 5, "medium"),
        ("B307:blacklist", "pkg/mod.py", 9, "medium"),
        ("B104:hardcoded_bind_all_interfaces", "pkg/mod.py", 12, "medium"),
        ("scan-error", "pkg/syntax.py", None, "medium"),
    ]
    clean = parse_bandit(_read("bandit-clean.json"), "/tmp/bcap")
    assert (clean.findings, clean.errors) == ((), 0)
    with pytest.raises(ParseError, match="bandit"):
        parse_bandit('{"results": []}', "/")


def test_pip_audit_vulnerable() -> None:
    result = parse_pip_audit(_read("pip-audit-vulnerable.json"))
    assert (result.audited, result.unaudited) == (3, 0)
    assert result.advisories == (
        "PYSEC-2018-28",
        "PYSEC-2023-74",
        "PYSEC-2021-108",
        "PYSEC-2023-192",
        "PYSEC-2023-212",
        "PYSEC-2021-66",
    )
    assert (result.vulns, result.fixable) == (6, 6)


def test_pip_audit_fail_open_is_counted_as_unaudited() -> None:
    result = parse_pip_audit(_read("pip-audit-unaudited.json"))
    assert (result.audited, result.unaudited, result.vulns) == (0, 3, 0)
    assert (
        result.skip_reasons[0]
        == "Dependency not found on PyPI and could not be audited: requests (2.19.1)"
    )
    assert {f.rule for f in result.findings} == {"unaudited"}
    with pytest.raises(ParseError, match="pip-audit"):
        parse_pip_audit(_read("pip-audit-crash.stderr"))


def test_pip_check() -> None:
    problems = parse_pip_check(_read("uv-pip-check-broken.txt"))
    assert [p.message for p in problems] == [
        "The package `requests` requires `idna>=2.5,<4`, but `2.0` is installed",
        "The package `requests` requires `urllib3>=1.21.1,<3`, but it's not installed",
    ]
    assert (
        parse_pip_check(
            "Checked 53 packages in 9ms\nAll installed packages are compatible\n"
        )
        == []
    )


def test_durations_from_a_frozen_clock_count_nothing() -> None:
    def line(nodeid: str, duration: object) -> str:
        return json.dumps(
            {
                "$report_type": "TestReport",
                "nodeid": nodeid,
                "when": "call",
                "outcome": "passed",
                "duration": duration,
            }
        )

    log = parse_report_log(
        [line("t::a", 0.25), line("t::frozen", 1.3e9), line("t::back", -3.0)]
    )
    assert log.durations == {"t::a": 0.25, "t::frozen": 0.0, "t::back": 0.0}
    assert log.duration_s == 0.25
