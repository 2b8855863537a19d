"""``nox -s tests -- --combine``: the parts of a split suite, checked and made one report.

The parts are, for each configured Python's tests session, its shards
(``tests.shard-K-of-N``, every K of one N) or, where it ran whole, its own
report. Each must be present, fresh for the tree as it is, not errored and,
for shards, split the same way; anything else makes the combined report an
error that names the part, so the gate fails closed. The combined figures
are the parts' added up; its coverage is ``coverage combine`` of each
Python's shards, and with several Pythons the lowest of those.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from noxci.jobs import shards, testcov
from noxci.jobs.base import JobContext, Outcome
from noxci.jobs.shards import Part
from noxci.jobs.testoutcome import Figures, outcome
from noxci.parsers.coverage import CoverageTotals
from noxci.parsers.pytest_log import CATEGORIES
from noxci.registry import job_spec
from noxci.report import Finding, Report

__all__ = ["combine", "find_parts"]

_PART = re.compile(r"\.shard-(\d+)-of-(\d+)\.json$")
MAX_PROBLEMS = 3


def find_parts(ctx: JobContext) -> tuple[list[Part], list[str]]:
    """The parts each Python's session left, and what makes a set incomplete."""
    found: list[Part] = []
    problems: list[str] = []
    for session in job_spec(ctx.job).sessions(ctx.config.python):
        counts = {
            int(m.group(2))
            for path in ctx.config.reports_dir.glob(f"{session}.shard-*-of-*.json")
            if (m := _PART.search(path.name)) is not None
        }
        if not counts:
            found.append(Part(session=session, args=()))
            continue
        if len(counts) > 1:
            problems.append(
                f"{session}: shards of splits into {' and '.join(map(str, sorted(counts)))} "
                "are both in the reports directory; remove the older ones"
            )
            continue
        (total,) = counts
        found += [
            Part(
                session=shards.part_name(session, k, total),
                args=(shards.SHARD, f"{k}/{total}"),
                index=k,
                of=total,
            )
            for k in range(1, total + 1)
        ]
    return found, problems


def _figures(
    reports: list[Report], minimum: float
) -> tuple[Counter[str], list[str], list[str], list[Finding], float]:
    counts: Counter[str] = Counter()
    flaky: list[str] = []
    failed: list[str] = []
    findings: list[Finding] = []
    seconds = 0.0
    for report in reports:
        for category in CATEGORIES:
            key = "tests_errors" if category == "errors" else f"tests_{category}"
            value = report.metrics.get(key, 0)
            counts[category] += int(value) if isinstance(value, (int, float)) else 0
        flaky += list(report.details.get("flaky") or [])
        failed += list(report.details.get("failed") or [])
        findings += [f for f in report.findings if f.tool != "coverage"]
        value = report.metrics.get("tests_duration_s", 0.0)
        seconds += float(value) if isinstance(value, (int, float)) else 0.0
    return counts, flaky, failed, findings, seconds


def _as_it_is(ctx: JobContext) -> Outcome:
    """One Python, one shard: the whole run's report is the combined one, if it stands."""
    from noxci.digest import Tree
    from noxci.readiness.collect import load_one

    loaded = load_one(ctx.config, ctx.job, ctx.job, Tree(ctx.root))
    report = loaded.report
    if report is None or loaded.problem is not None:
        problem = loaded.problem
        reason = f"{problem.kind}: {problem.message}" if problem else "missing"
        return Outcome.errored(f"cannot combine the tests: {ctx.job}: {reason}")
    return Outcome(
        status=report.status,
        summary=report.summary,
        metrics=dict(report.metrics),
        findings=report.findings,
        artifacts=dict(report.artifacts),
        details=dict(report.details),
        error=report.error,
    )


def _integer(report: Report, key: str) -> int:
    value = report.metrics.get(key, 0)
    return int(value) if isinstance(value, (int, float)) else 0


def _lowest_coverage(
    ctx: JobContext,
    pythons: dict[str, list[Report]],
    rc: Callable[[Path], str],
) -> tuple[CoverageTotals, dict[str, str], dict[str, float]]:
    """Each Python's coverage (its shards' data combined); the lowest stands.

    Several Pythons run the whole suite each: their union would count a line
    only one version reaches as covered, so the figure is the lowest one's,
    and its JSON and XML are the artifacts (measured last).
    """
    measured: dict[str, tuple[CoverageTotals, dict[str, str]]] = {}
    with tempfile.TemporaryDirectory(prefix="noxci-combine-") as tmp:

        def measure(session: str) -> tuple[CoverageTotals, dict[str, str]]:
            where = Path(tmp) / session
            where.mkdir(exist_ok=True)
            data_file = where / ".coverage"
            rc_path = where / "coveragerc"
            rc_path.write_text(rc(data_file), encoding="utf-8")
            shards.coverage_data(ctx, pythons[session], data_file)
            return testcov.measure(ctx, rc_path)

        for session in pythons:
            measured[session] = measure(session)
        by_python = {name: round(got[0].percent, 4) for name, got in measured.items()}
        lowest = min(by_python, key=by_python.__getitem__)
        if lowest != list(measured)[-1]:  # its JSON and XML are the ones kept
            measured[lowest] = measure(lowest)
    totals, artifacts = measured[lowest]
    return totals, artifacts, by_python


def combine(ctx: JobContext, *, minimum: float, rc: Callable[[Path], str]) -> Outcome:
    """Check the parts and merge them (see the module docstring)."""
    wanted, problems = find_parts(ctx)
    if not problems and [p.session for p in wanted] == [ctx.job]:
        return _as_it_is(ctx)
    reports, bad = shards.check(ctx, wanted)
    problems += bad
    if problems:
        more = len(problems) - MAX_PROBLEMS
        text = "; ".join(problems[:MAX_PROBLEMS]) + (
            f"; and {more} more" if more > 0 else ""
        )
        return Outcome.errored(f"cannot combine the tests: {text}")
    counts, flaky, failed, findings, seconds = _figures(reports, minimum)
    durations = shards.merge_durations(ctx, reports)
    pythons: dict[str, list[Report]] = {}
    for part, report in zip(wanted, reports, strict=True):
        pythons.setdefault(part.session.partition(".shard-")[0], []).append(report)
    totals, artifacts, by_python = _lowest_coverage(ctx, pythons, rc)
    names = [part.session for part in wanted]
    note = f"combined from {len(names)} part(s)"
    if len(by_python) > 1:
        lowest = min(by_python, key=by_python.__getitem__)
        note += f"; coverage is the lowest Python's ({lowest})"
    return outcome(
        Figures(
            counts=counts,
            flaky=flaky,
            failed=failed,
            findings=findings,
            totals=totals,
            minimum=minimum,
            duration_s=seconds,
            details={"parts": names, "coverage_by_session": by_python},
        ),
        note=note,
        metrics={
            "parts": len(names),
            "tests_recorded_durations": len(durations),
            "rerun_rounds": max(_integer(r, "rerun_rounds") for r in reports),
            "workers": max(_integer(r, "workers") for r in reports),
        },
        artifacts={**artifacts, "durations": ctx.relative(shards.durations_file(ctx))},
    )
