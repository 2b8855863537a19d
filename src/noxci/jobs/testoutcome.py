"""The tests job's outcome, from its figures: one shape for a run and for a combine.

A run (whole, incremental or a shard) and a combine of parts both reduce to
:class:`Figures`: the counts in pytest's categories, the flaky and failed
tests, the test findings and the coverage totals. :func:`outcome` makes the
status, the summary line and the metrics every tests report has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from noxci.jobs.base import Outcome
from noxci.jobs.testcov import below_minimum
from noxci.parsers.coverage import CoverageTotals
from noxci.parsers.pytest_log import CATEGORIES
from noxci.report import Finding, Metric, Severity, Status

__all__ = ["Figures", "coverage_finding", "outcome"]


@dataclass(frozen=True, kw_only=True)
class Figures:
    """What a run or a combine found."""

    counts: Mapping[str, int]  # pytest's categories
    flaky: Sequence[str]
    failed: Sequence[str]
    findings: Sequence[Finding]  # the tests' own (not coverage's)
    totals: CoverageTotals
    minimum: float
    duration_s: float
    details: Mapping[str, Any] = field(default_factory=dict)


def coverage_finding(totals: CoverageTotals, minimum: float) -> list[Finding]:
    """A finding when coverage is below the minimum (coverage's rounding)."""
    if not below_minimum(totals, minimum):
        return []
    return [
        Finding(
            tool="coverage",
            rule="coverage-min",
            severity=Severity.MEDIUM,
            message=f"coverage {totals.display}% is below the minimum {minimum:g}%",
            path=None,
            line=None,
        )
    ]


def outcome(
    figures: Figures,
    *,
    note: str = "",
    metrics: Mapping[str, Metric] | None = None,
    artifacts: Mapping[str, str] | None = None,
) -> Outcome:
    """The report's outcome: ``note`` ends the summary; ``metrics`` add to the common ones."""
    counts = {k: int(figures.counts.get(k, 0)) for k in CATEGORIES}
    total = sum(counts.values())
    totals, minimum = figures.totals, figures.minimum
    low = below_minimum(totals, minimum)
    parts = [
        f"{counts[k]} {k}"
        for k in ("passed", "failed", "errors", "skipped")
        if counts[k] or k == "passed"
    ]
    if figures.flaky:
        parts.append(f"{len(figures.flaky)} flaky")
    summary = ", ".join(parts) + f"; coverage {totals.display}% (min {minimum:g}%)"
    return Outcome(
        status=(
            Status.FAILED
            if counts["failed"] + counts["errors"] or low
            else Status.PASSED
        ),
        summary=summary + (f"; {note}" if note else ""),
        metrics={
            "tests_total": total,
            "tests_passed": counts["passed"],
            "tests_failed": counts["failed"],
            "tests_skipped": counts["skipped"],
            "tests_errors": counts["errors"],
            "tests_xfailed": counts["xfailed"],
            "tests_xpassed": counts["xpassed"],
            "tests_flaky": len(figures.flaky),
            "tests_duration_s": round(figures.duration_s, 3),
            "coverage_percent": round(totals.percent, 4),
            "coverage_min": minimum,
            "coverage_statements": totals.statements,
            "coverage_missing": totals.missing,
            "coverage_branches": totals.branches,
            "coverage_partial_branches": totals.partial_branches,
            **(metrics or {}),
        },
        findings=[*figures.findings, *coverage_finding(totals, minimum)],
        artifacts=dict(artifacts or {}),
        details={
            "flaky": list(figures.flaky),
            "failed": list(figures.failed),
            "coverage_display": totals.display,
            **figures.details,
        },
    )
