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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from noxci.errors import ToolError
from noxci.jobconfig import PATHS, JobConfig, option
from noxci.jobs import testcov
from noxci.jobs import workers as worker_choice
from noxci.jobs.base import Invocation, JobContext, Outcome
from noxci.jobs.junit import mark_flaky
from noxci.jobs.pytestrun import MAX_RERUN_IDS, PytestRun, install_plugins
from noxci.jobs.testcov import below_minimum
from noxci.jobs.testfindings import findings, looked_in
from noxci.jobs.testoutcome import Figures, outcome
from noxci.parsers.pytest_log import BAD, merge_reruns
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
    "invocation",
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
    shards: int | str = option(
        1,
        {
            "oneOf": [
                {"const": "auto"},
                {"type": "integer", "minimum": 1, "maximum": 256},
            ]
        },
        "Split the suite into this many shards (whole test modules, balanced by recorded durations); auto: enough of shard-minutes each. CI runs each on its own runner; a local run runs them side by side.",
    )
    shard_minutes: float = option(
        10.0,
        {"type": "number", "exclusiveMinimum": 0, "maximum": 1440},
        "With shards = auto, the minutes of tests each shard should get.",
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


def invocation(job: str, session: str, posargs: Sequence[str]) -> Invocation:
    """The report, inputs and cache use of a run (``--shard``, ``--combine``, ``--full``)."""
    from noxci.jobs.shards import invocation as decide

    return decide(job, session, posargs)


def _split_durations(ctx: JobContext, work: Path) -> tuple[Path, dict[str, float]]:
    """A frozen copy of the durations the split reads, and what it holds."""
    from noxci.jobs import shards

    durations = shards.read_durations(
        shards.durations_file(ctx), root=ctx.root, limit=ctx.config.max_file_size
    )
    frozen = work / "durations.json"
    shards.write_durations(frozen, durations)
    return frozen, durations


def run(ctx: JobContext) -> Outcome:
    """Run the test suite (or a shard, or combine the parts) as the module docstring says."""
    from noxci.jobs import shards, testselect

    cfg = _cfg(ctx)
    args, mode = shards.parse(ctx.split_args(PYTEST).parsed)
    minimum = coverage_minimum(ctx)
    if mode.combine:
        from noxci.jobs.testcombine import combine

        return combine(ctx, minimum=minimum, rc=lambda data: coverage_rc(ctx, data))
    selection = testselect.prepare(
        ctx,
        enabled=cfg.incremental,
        args=args,
        full=mode.full,
        static=testcov.static_context(ctx.root),
        shard=mode.shard,
    )
    with tempfile.TemporaryDirectory(prefix="noxci-coverage-") as tmp:
        work = Path(tmp)
        frozen, durations = _split_durations(ctx, work)
        count = shards.shard_count(cfg.shards, cfg.shard_minutes, durations)
        local = count if mode.shard is None and selection.plan.full else 1
        workers = 0 if local > 1 else choose_workers(ctx, selection)
        _check_tools(ctx, workers)
        data_file = work / ".coverage"
        rc = work / "coveragerc"
        rc.write_text(coverage_rc(ctx, data_file), encoding="utf-8")
        install_plugins(work)
        env = selection.env(work, ctx.root)
        if mode.shard is not None:
            env |= {
                "NOXCI_SHARD": "{}/{}".format(*mode.shard),
                "NOXCI_DURATIONS": str(frozen),
            }
        runs = PytestRun(ctx=ctx, rc=rc, hash_seed=cfg.hash_seed, env=env)
        junit = ctx.artifact("junit.xml")
        clock = time.monotonic()
        if local > 1:
            first = shards.run_locally(
                runs, args, count=local, durations=frozen, junit=junit
            )
        else:
            first = runs.once(
                ctx.artifact("pytest.jsonl"),
                [f"--junitxml={junit}", "-o", "junit_family=xunit2", *args],
                workers,
                first=True,
            )
        wall = time.monotonic() - clock
        reruns = runs.reruns(first, rounds=cfg.reruns, delay=cfg.reruns_delay)
        if mode.shard is not None and mode.shard[0] > 1:
            # Every shard collects the whole suite: its collection errors are
            # the first shard's to report, once.
            first = replace(first, collection_errors={})
        if mode.shard is not None and not first.tests and not first.collection_errors:
            return shards.empty_part(mode.shard, minimum, selection.shard_details(work))
        selection.reuse_coverage(data_file, first)
        totals, artifacts = testcov.measure(ctx, rc)
        merged, flaky = merge_reruns(first, reruns)
        mark_flaky(junit, flaky)
        merged, reused = selection.finish(merged, flaky, work, data_file, junit)
        shard = selection.shard_details(work) if mode.shard else {}
        artifacts |= shards.keep_part(
            ctx,
            mode=mode,
            selection=selection,
            data_file=data_file,
            run=merged,
        )
    if not merged.tests and not merged.collection_errors:
        raise ToolError(f"pytest ran no tests: {looked_in(ctx)}")
    note = (
        f"incremental: {len(merged.tests) - reused} run, {reused} reused"
        if not selection.plan.full
        else (f"{local} shards side by side" if local > 1 else "")
    )
    if mode.shard is not None:
        note = "shard {} of {}".format(*mode.shard)
    return outcome(
        Figures(
            counts=merged.counts(),
            flaky=flaky,
            failed=[n for n, c in merged.tests.items() if BAD & set(c)],
            findings=findings(merged, flaky),
            totals=totals,
            # A shard's coverage is part of the suite's: the minimum is the
            # combined report's to apply.
            minimum=0.0 if mode.shard else minimum,
            duration_s=merged.duration_s,
            details={
                # An incremental run's time says nothing of the suite's.
                "timings": worker_choice.timings(
                    ctx.previous,
                    workers if selection.plan.full and local == 1 else None,
                    wall,
                ),
                "reruns_skipped": len(first.bad()) > MAX_RERUN_IDS,
                "incremental": selection.details(reused),
                **({"shard": shard} if mode.shard else {}),
            },
        ),
        note=note,
        metrics={
            "tests_reused": reused,
            "tests_wall_s": round(wall, 3),
            "rerun_rounds": len(reruns),
            "workers": workers,
            "shards": local if mode.shard is None else mode.shard[1],
        },
        artifacts={
            "junit": ctx.relative(junit),
            "pytest-log": ctx.relative(ctx.artifact("pytest.jsonl")),
            **{
                f"rerun{i}-log": ctx.relative(ctx.artifact(f"rerun{i}.jsonl"))
                for i in range(1, len(reruns) + 1)
            },
            **artifacts,
        },
    )
