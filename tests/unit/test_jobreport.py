"""A job's annotations and step summary under GitHub Actions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from noxci.render.jobreport import MAX_ANNOTATIONS, job_summary, workflow_commands
from noxci.report import Finding, Severity, Status
from tests.conftest import FakeRunner, MakeConfig, make_report

FINDINGS = tuple(
    Finding(
        tool="ruff",
        rule=f"F{400 + i}",
        severity=Severity.MEDIUM,
        message=f"'os' imported but unused, 50% of the time\nsecond line {i}",
        path="src/pkg, the module:a.py",
        line=i + 1,
    )
    for i in range(25)
)


def test_a_failed_blocking_job_annotates_errors_within_githubs_limit() -> None:
    report = make_report(
        status=Status.FAILED, findings=FINDINGS, summary="ruff: 25 finding(s)"
    )
    lines = workflow_commands(report)
    assert len(lines) == MAX_ANNOTATIONS == 10
    assert lines[0] == (
        "::error file=src/pkg%2C the module%3Aa.py,line=1,title=ruff F400::"
        "'os' imported but unused, 50%25 of the time%0Asecond line 0"
    )
    warned = workflow_commands(dataclasses.replace(report, blocking=False))
    assert warned[0].startswith("::warning file=")


def test_an_errored_job_says_why_first() -> None:
    report = make_report(status=Status.ERROR, error="ruff: not installed", metrics={})
    assert workflow_commands(report) == ["::error title=lint::ruff: not installed"]


def test_the_step_summary_shows_the_first_findings() -> None:
    report = make_report(
        status=Status.FAILED, findings=FINDINGS, summary="ruff: 25 finding(s)"
    )
    text = job_summary(report)
    assert text.startswith("### ❌ lint: failed\n\nruff: 25 finding(s)\n")
    assert text.count("| `src/pkg, the module:a.py:") == 20
    assert "… and 5 more (see the report artifact)" in text


def test_run_job_publishes_under_actions_only(
    make_config: MakeConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from noxci.report import write_report
    from noxci.runjob import Request, report_path, run_job

    config = make_config("")
    write_report(report_path(config, "lint"), make_report(findings=FINDINGS[:2]))
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    request = Request(job="lint", session="lint", python="3.11", env=env)
    # The report's inputs are not this tree's, so lint runs: ruff crashes.
    crash = FakeRunner([(2, "ruff: boom")])
    run_job(config, request, install=lambda ctx: "nothing", runner=crash)
    out = capsys.readouterr().out
    assert out.startswith("::error title=lint::ruff check exited 2")
    assert summary.read_text().startswith("### 💥 lint: error")
    quiet = dataclasses.replace(request, env={})
    run_job(config, quiet, install=lambda ctx: "nothing", runner=crash)
    assert capsys.readouterr().out == ""
