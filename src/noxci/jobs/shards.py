"""The tests job across runners: a shard of the suite, and the parts made one report.

``[tool.noxci.tests] shards = N`` (or ``"auto"``: enough shards of about
``shard-minutes`` each, from the durations recorded) splits the suite:

- ``nox -s tests -- --shard K/N`` runs shard K: ``noxci_select`` splits the
  collected tests by module, balanced by the durations the last combined run
  recorded (``reports/tests.durations.json``), and the run writes its *part*:
  ``reports/tests.shard-K-of-N.json``, its coverage data and its durations.
- ``nox -s tests -- --combine`` checks every part of every configured
  Python (present, fresh, not errored, split the same way) and merges them
  into ``reports/tests.json``: the counts added, the flaky and failed tests
  joined, the coverage data combined by ``coverage combine``. A part that is
  missing, stale, errored or split otherwise makes the combined report an
  error naming it: the gate fails closed.
- ``nox -s tests`` alone runs the N shards side by side as separate pytest
  processes (as many at once as there are CPUs) and combines them the same
  way: the computation CI does on N runners.

With several Pythons, each version's parts join the same combined report.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from noxci import fsutil, safefile
from noxci.digest import Tree
from noxci.errors import ConfigError
from noxci.jobs.base import Invocation, JobContext, Outcome
from noxci.jobs.junit import merge_junit
from noxci.jobs.pytestrun import PytestRun
from noxci.jobs.testoutcome import Figures, outcome
from noxci.parsers.coverage import CoverageTotals
from noxci.parsers.pytest_log import RunLog
from noxci.report import Report, Status

if TYPE_CHECKING:
    from noxci.jobs.testselect import Selection

__all__ = [
    "COMBINE",
    "SHARD",
    "Mode",
    "Part",
    "durations_file",
    "invocation",
    "parse",
    "part_name",
    "shard_count",
]

SHARD = "--shard"
COMBINE = "--combine"
FULL = "--full"
MAX_SHARDS = 256


@dataclass(frozen=True, kw_only=True)
class Mode:
    """What noxci's own flags of a tests session ask for."""

    full: bool = False
    shard: tuple[int, int] | None = None  # (K, N)
    combine: bool = False


@dataclass(frozen=True, kw_only=True)
class Part:
    """One report the combined report is made of, and the arguments it ran with."""

    session: str
    args: tuple[str, ...]
    index: int = 1
    of: int = 1


def _shard_spec(text: str) -> tuple[int, int]:
    index, slash, total = text.partition("/")
    try:
        k, n = int(index), int(total)
    except ValueError:
        k = n = 0
    if not slash or not 1 <= k <= n <= MAX_SHARDS:
        raise ConfigError(
            f"{SHARD} {text!r}: expected K/N with 1 <= K <= N <= {MAX_SHARDS}, e.g. {SHARD} 2/4"
        )
    return k, n


def parse(args: Sequence[str]) -> tuple[list[str], Mode]:
    """Pytest's arguments, and the mode noxci's own flags ask for."""
    rest: list[str] = []
    full = combine = False
    shard: tuple[int, int] | None = None
    items = list(args)
    while items:
        arg = items.pop(0)
        if arg == FULL:
            full = True
        elif arg == COMBINE:
            combine = True
        elif arg == SHARD:
            if not items:
                raise ConfigError(f"{SHARD} needs K/N, e.g. {SHARD} 2/4")
            shard = _shard_spec(items.pop(0))
        elif arg.startswith(SHARD + "="):
            shard = _shard_spec(arg.partition("=")[2])
        else:
            rest.append(arg)
    if combine and (shard or rest):
        raise ConfigError(f"{COMBINE} takes no other arguments")
    return rest, Mode(full=full, shard=shard, combine=combine)


def part_name(session: str, index: int, of: int) -> str:
    """The session name of shard ``index`` of ``of`` (its report's file name)."""
    return f"{session}.shard-{index}-of-{of}"


def invocation(job: str, session: str, posargs: Sequence[str]) -> Invocation:
    """The report a tests session writes, the arguments its inputs count, its cache use."""
    try:
        rest, mode = parse(posargs)
    except ConfigError:
        return Invocation(session=session, args=tuple(posargs))  # the run says why
    if mode.combine:
        return Invocation(session=job, args=(), cache=False)
    if mode.shard:
        k, n = mode.shard
        return Invocation(
            session=part_name(session, k, n),
            args=(SHARD, f"{k}/{n}", *rest),
            cache=not mode.full,
        )
    return Invocation(session=session, args=tuple(rest), cache=not mode.full)


def durations_file(ctx: JobContext) -> Path:
    """Where the durations the shards are balanced by are kept."""
    return ctx.config.reports_dir / f"{ctx.job}.durations.json"


def read_durations(path: Path, *, root: Path, limit: int) -> dict[str, float]:
    """Test ids and seconds, from a durations file (nothing when unreadable)."""
    try:
        data = safefile.read_json(path, root=root, limit=limit)
    except safefile.FileProblem:
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in data.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
    }


def shard_count(
    configured: int | str, minutes: float, durations: Mapping[str, float]
) -> int:
    """``shards``, or for ``auto`` enough of ``minutes`` each for the recorded durations."""
    if isinstance(configured, int):
        return configured
    total = sum(durations.values())
    return max(1, min(MAX_SHARDS, math.ceil(total / (minutes * 60))))


def check(ctx: JobContext, wanted: Sequence[Part]) -> tuple[list[Report], list[str]]:
    """The parts' reports, and what is wrong with any of them (one line each)."""
    from noxci.readiness.collect import load_one

    tree = Tree(ctx.root)
    reports: list[Report] = []
    problems: list[str] = []
    splits: dict[str, str] = {}
    for part in wanted:
        loaded = load_one(ctx.config, part.session, ctx.job, tree, part.args)
        what = (
            f"shard {part.index} of {part.of} ({part.session})"
            if part.of > 1
            else part.session
        )
        if loaded.report is None or loaded.problem is not None:
            problem = loaded.problem
            problems.append(
                f"{what}: {problem.kind}: {problem.message}" if problem else what
            )
            continue
        report = loaded.report
        data = report.artifacts.get("coverage-data")
        empty = bool(report.details.get("empty_shard"))
        if not empty and (data is None or not (ctx.root / data).is_file()):
            problems.append(
                f"{what}: its coverage data ({data or 'none recorded'}) is missing; "
                f"run it again"
            )
            continue
        shard = report.details.get("shard") or {}
        if part.of > 1:
            base = part.session.rsplit(".shard-", 1)[0]
            split = str(shard.get("split", ""))
            if splits.setdefault(base, split) != split or not split:
                problems.append(
                    f"{what}: split the suite otherwise than shard 1 (another "
                    f"durations file); run every shard again"
                )
                continue
        reports.append(report)
    return reports, problems


def merge_durations(ctx: JobContext, reports: Sequence[Report]) -> dict[str, float]:
    """The parts' recorded durations, one file for the next split."""
    merged: dict[str, float] = {}
    for report in reports:
        name = report.artifacts.get("durations")
        if name:
            merged.update(
                read_durations(
                    ctx.root / name, root=ctx.root, limit=ctx.config.max_file_size
                )
            )
    fsutil.atomic_write_json(durations_file(ctx), merged)
    return merged


def coverage_data(ctx: JobContext, reports: Sequence[Report], data_file: Path) -> None:
    """Copy each part's coverage data where ``coverage combine`` finds it."""
    for number, report in enumerate(reports):
        name = report.artifacts.get("coverage-data")
        if name and (ctx.root / name).is_file():
            shutil.copyfile(
                ctx.root / name, data_file.with_name(f"{data_file.name}.part{number}")
            )


def write_durations(path: Path, durations: Mapping[str, float]) -> None:
    """Write a durations file (sorted, for stable diffs)."""
    fsutil.atomic_write_text(path, json.dumps(dict(sorted(durations.items()))) + "\n")


def run_locally(
    runs: PytestRun, args: list[str], *, count: int, durations: Path, junit: Path
) -> RunLog:
    """The ``count`` shards as separate pytest processes, as many at a time as CPUs.

    The split is CI's; each shard writes its own report log and JUnit file,
    the coverage data goes to one directory, and the logs and JUnit files
    are merged: one run of the whole suite, computed as CI computes it.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    ctx = runs.ctx

    def shard(k: int) -> RunLog:
        env = {
            **runs.env,
            "NOXCI_SHARD": f"{k}/{count}",
            "NOXCI_DURATIONS": str(durations),
        }
        if (
            k > 1
        ):  # the first shard's collection stands for all (every shard collects all)
            env.pop("NOXCI_COLLECTED", None)
        part = ctx.artifact(f"junit-{k}.xml")
        return runs.once(
            ctx.artifact(f"pytest-{k}.jsonl"),
            [f"--junitxml={part}", "-o", "junit_family=xunit2", *args],
            0,
            first=True,
            env=env,
        )

    with ThreadPoolExecutor(max_workers=min(count, os.cpu_count() or 1)) as pool:
        logs = list(pool.map(shard, range(1, count + 1)))
    merge_junit(junit, [ctx.artifact(f"junit-{k}.xml") for k in range(1, count + 1)])
    return union(logs)


def union(logs: Sequence[RunLog]) -> RunLog:
    """The runs of disjoint parts of a suite as one run."""
    tests: dict[str, tuple[str, ...]] = {}
    errors: dict[str, str] = {}
    locations: dict[str, Any] = {}
    durations: dict[str, float] = {}
    for log in logs:
        tests.update(log.tests)
        errors.update(log.collection_errors)
        locations.update(log.locations)
        durations.update(log.durations)
    return RunLog(
        tests=tests,
        collection_errors=errors,
        locations=locations,
        duration_s=sum(log.duration_s for log in logs),
        durations=durations,
        finished=all(log.finished for log in logs),
        exitstatus=max((log.exitstatus or 0 for log in logs), default=0),
    )


def empty_part(
    shard: tuple[int, int], minimum: float, split: Mapping[str, object]
) -> Outcome:
    """A shard the split gave no test (more shards than modules): a part with nothing in it.

    ``split`` is what ``noxci_select`` said of the split, which the combine checks.
    """
    k, n = shard
    zero = CoverageTotals(
        percent=0.0,
        statements=0,
        missing=0,
        branches=0,
        partial_branches=0,
        precision=0,
        display="0",
    )
    figures = Figures(
        counts={},
        flaky=(),
        failed=(),
        findings=(),
        totals=zero,
        minimum=0.0,
        duration_s=0.0,
        details={"empty_shard": True, "shard": dict(split)},
    )
    done = outcome(figures, note=f"shard {k} of {n}: the split gave it no test")
    return Outcome(
        status=Status.PASSED,
        summary=f"shard {k} of {n}: the split gave it no test module",
        metrics={**done.metrics, "coverage_min": minimum},
        details=done.details,
    )


def keep_part(
    ctx: JobContext,
    *,
    mode: Mode,
    selection: Selection,
    data_file: Path,
    run: RunLog,
) -> dict[str, str]:
    """What a run keeps for combining and for the next split: its artifacts.

    A shard, or a session of one of several Pythons, keeps its coverage data
    and its durations; a whole run of the suite records the durations the
    next split is balanced by.
    """
    kept: dict[str, str] = {}
    if mode.shard is not None or len(ctx.config.python) > 1:
        data = ctx.artifact("coverage")
        shutil.copyfile(data_file, data)
        durations = ctx.artifact("durations.json")
        write_durations(durations, run.durations)
        kept = {
            "coverage-data": ctx.relative(data),
            "durations": ctx.relative(durations),
        }
    elif selection.plan.full:
        write_durations(durations_file(ctx), run.durations)
    return kept
