"""Build projects with fresh reports on disk, for the readiness tests."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from noxci.config import Config, load_config
from noxci.readiness.cihistory import Fetcher
from noxci.readiness.model import CiRun
from noxci.report import Environment, Report, Status, write_report
from noxci.runjob import report_path
from noxci.staleness import current_inputs

PASSING: Mapping[str, Mapping[str, Any]] = {
    "lint": {"ruff_findings": 0, "ruff_fixable": 0, "format_unformatted": 0},
    "typecheck": {"mypy_errors": 0, "mypy_files_with_errors": 0},
    "tests": {
        "tests_total": 120,
        "tests_passed": 120,
        "tests_failed": 0,
        "tests_skipped": 0,
        "tests_errors": 0,
        "tests_xfailed": 0,
        "tests_xpassed": 0,
        "tests_flaky": 0,
        "tests_duration_s": 40.5,
        "rerun_rounds": 0,
        "workers": 2,
        "coverage_percent": 96.5,
        "coverage_min": 80.0,
        "coverage_statements": 2000,
        "coverage_missing": 70,
        "coverage_branches": 400,
        "coverage_partial_branches": 20,
    },
    "docs": {
        "docstrings_total": 50,
        "docstrings_documented": 50,
        "docstring_coverage_percent": 100.0,
        "required_files_total": 3,
        "required_files_missing": 0,
    },
    "security": {
        "bandit_high": 0,
        "bandit_medium": 0,
        "bandit_low": 0,
        "bandit_errors": 0,
        "vulns_total": 0,
        "vulns_fixable": 0,
        "packages_audited": 12,
        "packages_unaudited": 0,
        "pip_check_problems": 0,
    },
}
SCORED_JOBS = ("lint", "typecheck", "tests", "docs", "security")


def write_project(root: Path, noxci_toml: str = "") -> Config:
    """A small project: pyproject, a package, tests, README/LICENSE/CHANGELOG."""
    files = {
        "pyproject.toml": f'[project]\nname = "widget"\nversion = "1.0"\n\n{noxci_toml}',
        "src/widget/__init__.py": '"""Widget."""\n\nVALUE = 1\n',
        "tests/test_widget.py": "def test_value():\n    assert True\n",
        "README.md": "# widget\n",
        "LICENSE": "MIT\n",
        "CHANGELOG.md": "# Changelog\n",
        "uv.lock": "version = 1\n",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return load_config(root)


def fresh_report(
    config: Config,
    job: str,
    *,
    status: Status = Status.PASSED,
    metrics: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Report:
    """Write a report for ``job`` whose inputs match the tree as it is now."""
    report = Report(
        session=job,
        job=job,
        status=status,
        blocking=job in {"lint", "tests", "build"},
        started_at="2026-11-27T09:00:00Z",
        duration_s=2.5,
        summary=f"{job} summary",
        inputs=current_inputs(config, job, python="3.11"),
        environment=Environment(
            python="3.11.7", platform="linux-x86_64", ci=True, noxci="0.1.0"
        ),
        metrics=copy.deepcopy(dict(metrics if metrics is not None else PASSING[job])),
        **fields,
    )
    write_report(report_path(config, job), report)
    return report


def passing_set(config: Config) -> None:
    """Fresh, passing reports for every scored job."""
    for job in SCORED_JOBS:
        fresh_report(config, job)


def ci_runs(conclusions: str) -> list[CiRun]:
    """CI runs from a string: s=success, f=failure, c=cancelled, k=skipped, t=timed_out."""
    names = {
        "s": "success",
        "f": "failure",
        "c": "cancelled",
        "k": "skipped",
        "t": "timed_out",
    }
    return [
        CiRun(
            id=i,
            conclusion=names[c],
            created_at=f"2026-11-{1 + i % 27:02d}T10:00:00Z",
            head_sha=f"{i:040x}",
            branch="main",
            event="push",
            duration_s=300.0 + i,
        )
        for i, c in enumerate(conclusions)
    ]


def fetch_returning(runs: list[CiRun]) -> Fetcher:
    """A stand-in for the GitHub fetch, returning ``runs``."""

    def fetch(settings: object, **_: object) -> list[CiRun]:
        return list(runs)

    return fetch
