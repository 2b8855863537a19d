"""The ``tests`` job: pytest in parallel, failures re-run, coverage measured.

How it runs, and why (see docs/design.md for the measurements):

1. One parallel pass (pytest-xdist) *without* pytest-rerunfailures: under
   xdist that plugin makes a blocking call per test and is 10-20x slower.
2. Only the failures are re-run, serially, up to ``reruns`` rounds after
   ``reruns-delay`` seconds. A test that fails first and passes later is
   flaky: it counts as passed and is named in the report.
3. The whole thing runs under ``coverage run`` (``pytest --cov`` under-counts
   packages pytest itself imports), and a small plugin
   (``noxci/jobs/xdist_coverage.py``) starts coverage in each xdist worker.
   The project's coverage config is used as it is, so the percent equals the
   one its own serial ``coverage run -m pytest`` gives.

Outcomes come from pytest's own ``--report-log``, never from counting JUnit
``<testcase>`` elements. ``nox -s tests -- ARGS`` passes ARGS to pytest.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from noxci.errors import ToolError
from noxci.jobconfig import PATHS, JobConfig, option
from noxci.jobs import testcov, testselect
from noxci.jobs import workers as worker_choice
from noxci.jobs.base import JobContext, Outcome
from noxci.jobs.junit import mark_flaky
from noxci.jobs.pytestrun import MAX_RERUN_IDS, PytestRun, install_plugins
from noxci.jobs.testcov import below_minimum
from noxci.jobs.testfindings import findings, looked_in
from noxci.parsers.pytest_log import (
    merge_reruns,
)
from noxci.report import Status
from noxci.toolargs import PYTEST

if TYPE_CHECKING:
    # Imported when the job runs: the config loads Settings for every command.
    from noxci.jobs import testselect

__all__ = [
    "Settings",
    "below_minimum",
    "choose_workers",
    "coverage_minimum",
    "coverage_rc",
    "run",
]


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.tests]``."""

    __test__ = False  # not a pytest test class

    workers: int | str = option(
        "auto",
        {
            "oneOf": [
                {"const": "auto"},
                {"type": "integer", "minimum": 0, "maximum": 1024},
            ]
        },
        "xdist workers: an integer (0 = serial) or auto (whichever of serial and one worker per CPU was measured faster; serial when the last run's tests took under serial-below-s).",
    )
    serial_below_s: float = option(
        5.0,
        {"type": "number", "minimum": 0, "maximum": 86400},
        "With workers = auto, run serially when the previous run's tests took less than this many seconds.",
    )
    reruns: int = option(
        2,
        {"type": "integer", "minimum": 0, "maximum": 10},
        "How many times failed tests are re-run (serially); a pass on re-run is reported as flaky.",
    )
    reruns_delay: float = option(
        1.0,
        {"type": "number", "minimum": 0, "maximum": 3600},
        "Seconds to wait before each re-run round.",
    )
    coverage_min: float | None = option(
        None,
        {"type": "number", "minimum": 0, "maximum": 100},
        "Minimum total coverage percent; unset means the project's coverage fail_under, else 80.",
    )
    branch: bool = option(
        True,
        {"type": "boolean"},
        "Measure branch coverage, unless the project's coverage config says otherwise.",
    )
    source: tuple[str, ...] = option(
        (),
        PATHS,
        "Coverage source packages or directories; empty means the project's coverage config, else src/ or the package.",
    )
    incremental: bool = option(
        True,
        {"type": "boolean"},
        "Re-run only the tests a change can reach and reuse the other results (full runs on CI's default branch, on schedule, with --full).",
    )
    hash_seed: str = option(
        "0",
        {"type": "string", "pattern": "^([0-9]+|random)$"},
        "PYTHONHASHSEED for the test run; fixed so that xdist workers collect the same tests.",
    )


MIN_COVERAGE_VERSION = (7, 10)  # the oldest coverage noxci supports


def _cfg(ctx: JobContext) -> Settings:
    return ctx.settings(Settings)


def coverage_minimum(ctx: JobContext) -> float:
    """The minimum for this job: its ``coverage-min``, else the project's ``fail_under``, else 80."""
    return testcov.coverage_minimum(ctx.root, _cfg(ctx).coverage_min)


def coverage_rc(ctx: JobContext, data_file: Path) -> str:
    """The coverage rc this job runs with (:func:`noxci.jobs.testcov.coverage_rc`)."""
    cfg = _cfg(ctx)
    return testcov.coverage_rc(
        ctx.root, branch=cfg.branch, source=cfg.source, data_file=data_file
    )


def choose_workers(
    ctx: JobContext, selection: testselect.Selection | None = None
) -> int:
    """Configured workers, or for ``auto`` the mode measured faster (:mod:`noxci.jobs.workers`).

    An incremental run whose tests took under ``serial-below-s`` last time
    runs serially: starting workers costs more than it saves there.
    """
    cfg = _cfg(ctx)
    if (
        cfg.workers == "auto"
        and selection is not None
        and selection.state is not None
        and selection.plan.reuse
    ):
        again = set(selection.state.outcomes) - selection.plan.reuse
        estimate = sum(selection.state.durations.get(t, 0.0) for t in again)
        if estimate < cfg.serial_below_s:
            return 0
    return worker_choice.choose(
        cfg.workers,
        ctx.previous,
        serial_below_s=cfg.serial_below_s,
        cpus=os.cpu_count(),
    )


def _check_tools(ctx: JobContext, workers: int) -> None:
    for dist in ("pytest", "coverage", "pytest-reportlog"):
        if not ctx.has(dist):
            raise ToolError(
                f"{dist} is not installed in the session; add it to the "
                f"'{_cfg(ctx).group}' dependency group"
            )
    if workers and not ctx.has("pytest-xdist"):
        raise ToolError(
            f"pytest-xdist is not installed; add it to the '{_cfg(ctx).group}' "
            "dependency group or set [tool.noxci.tests] workers = 0"
        )
    version = tuple(int(p) for p in (ctx.version("coverage") or "0.0").split(".")[:2])
    if version < MIN_COVERAGE_VERSION:
        raise ToolError(
            f"coverage {ctx.version('coverage')} is too old: noxci needs 7.10 or "
            "newer to measure xdist workers"
        )


def _own_flags(args: list[str]) -> tuple[list[str], bool]:
    """The session arguments for pytest, and whether ``--full`` was among them."""
    from noxci.jobs.incremental import FULL_FLAG

    full = FULL_FLAG in args
    return [a for a in args if a != FULL_FLAG], full


def run(ctx: JobContext) -> Outcome:
    """Run the test suite as described in the module docstring."""
    from noxci.jobs import testselect

    cfg = _cfg(ctx)
    args, full = _own_flags(list(ctx.split_args(PYTEST).parsed))
    selection = testselect.prepare(
        ctx,
        enabled=cfg.incremental,
        args=args,
        full=full,
        static=testcov.static_context(ctx.root),
    )
    count = choose_workers(ctx, selection)
    _check_tools(ctx, count)
    minimum = coverage_minimum(ctx)
    log_path = ctx.artifact("pytest.jsonl")
    junit = ctx.artifact("junit.xml")
    with tempfile.TemporaryDirectory(prefix="noxci-coverage-") as tmp:
        work = Path(tmp)
        data_file = work / ".coverage"
        rc = work / "coveragerc"
        rc.write_text(coverage_rc(ctx, data_file), encoding="utf-8")
        install_plugins(work)
        runs = PytestRun(
            ctx=ctx, rc=rc, hash_seed=cfg.hash_seed, env=selection.env(work, ctx.root)
        )
        clock = time.monotonic()
        first = runs.once(
            log_path,
            [f"--junitxml={junit}", "-o", "junit_family=xunit2", *args],
            count,
            first=True,
        )
        wall = time.monotonic() - clock
        reruns = runs.reruns(first, rounds=cfg.reruns, delay=cfg.reruns_delay)
        selection.reuse_coverage(data_file, first)
        totals, artifacts = testcov.measure(ctx, rc)
        merged, flaky = merge_reruns(first, reruns)
        mark_flaky(junit, flaky)
        merged, reused = selection.finish(merged, flaky, work, data_file, junit)
    counts = merged.counts()
    total = sum(counts.values())
    low = below_minimum(totals, minimum)
    failed = counts["failed"] + counts["errors"]
    parts = [
        f"{counts[k]} {k}"
        for k in ("passed", "failed", "errors", "skipped")
        if counts[k] or k == "passed"
    ]
    if flaky:
        parts.append(f"{len(flaky)} flaky")
    summary = ", ".join(parts) + f"; coverage {totals.display}% (min {minimum:g}%)"
    if not selection.plan.full:
        summary += f"; incremental: {total - reused} run, {reused} reused"
    if total == 0:
        raise ToolError(f"pytest ran no tests: {looked_in(ctx)}")
    return Outcome(
        status=Status.FAILED if failed or low else Status.PASSED,
        summary=summary,
        metrics={
            "tests_total": total,
            "tests_passed": counts["passed"],
            "tests_failed": counts["failed"],
            "tests_skipped": counts["skipped"],
            "tests_errors": counts["errors"],
            "tests_xfailed": counts["xfailed"],
            "tests_xpassed": counts["xpassed"],
            "tests_flaky": len(flaky),
            "tests_reused": reused,
            "tests_duration_s": round(merged.duration_s, 3),
            "tests_wall_s": round(wall, 3),
            "rerun_rounds": len(reruns),
            "workers": count,
            "coverage_percent": round(totals.percent, 4),
            "coverage_min": minimum,
            "coverage_statements": totals.statements,
            "coverage_missing": totals.missing,
            "coverage_branches": totals.branches,
            "coverage_partial_branches": totals.partial_branches,
        },
        findings=findings(merged, flaky, totals, minimum),
        artifacts={
            "junit": ctx.relative(junit),
            "pytest-log": ctx.relative(log_path),
            **{
                f"rerun{i}-log": ctx.relative(ctx.artifact(f"rerun{i}.jsonl"))
                for i in range(1, len(reruns) + 1)
            },
            **artifacts,
        },
        details={
            "flaky": flaky,
            "failed": [
                n for n, c in merged.tests.items() if {"failed", "errors"} & set(c)
            ],
            "coverage_display": totals.display,
            # An incremental run's time says nothing of the suite's.
            "timings": worker_choice.timings(
                ctx.previous, count if selection.plan.full else None, wall
            ),
            "reruns_skipped": len(first.bad()) > MAX_RERUN_IDS,
            "incremental": selection.details(reused),
        },
    )
