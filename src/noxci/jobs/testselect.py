"""The tests job's side of incremental runs: prepare the selection, reuse, record.

:mod:`noxci.jobs.incremental` decides; this module gathers what it decides
from (the recorded state, the files now, the venv) and carries the decision
out around the pytest runs: the environment of ``noxci_select``, the reused
coverage data, the merged outcomes, and the new state.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from noxci import __version__, console, safefile
from noxci.cache import cache_enabled
from noxci.digest import DigestError, Tree, hash_value, job_file_hashes
from noxci.jobs import covcontexts, incremental
from noxci.jobs.base import JobContext
from noxci.jobs.incremental import Plan, State
from noxci.jobs.junit import add_reused
from noxci.parsers.pytest_log import EXIT_INTERRUPTED, RunLog
from noxci.venvs import distributions

__all__ = ["REUSED_DATA", "Selection", "prepare"]

REUSED_DATA = ".noxci-reused"  # suffix of the reused data file coverage combines
_DATA = "coverage.db"
_JUNIT = "junit.xml"
MAX_LISTED = 20  # changed files named in the report


@dataclass(frozen=True, kw_only=True)
class Selection:
    """What this run re-runs, and what it will record for the next."""

    plan: Plan
    state: State | None
    directory: Path
    key: Mapping[str, str]
    files: Mapping[str, str]
    record: bool  # save the state after this run (a whole suite, contexts on)
    root: Path
    static: str = ""  # the project's own static coverage context

    def env(self, work: Path, root: Path) -> dict[str, str]:
        """The environment ``noxci_select`` reads, for a run in ``work``."""
        env = {"NOXCI_COLLECTED": str(work / "collected.json"), "NOXCI_ROOT": str(root)}
        if self.record:
            env["NOXCI_CONTEXTS"] = "1"
        if self.plan.reuse:
            deselect = work / "deselect.txt"
            deselect.write_text(
                "".join(f"{t}\n" for t in sorted(self.plan.reuse)), encoding="utf-8"
            )
            env["NOXCI_DESELECT"] = str(deselect)
        return env

    def details(self, reused: int) -> dict[str, object]:
        """What the report says of the selection (``reused``: results taken over)."""
        return {
            "mode": "full" if self.plan.full else "incremental",
            "reason": self.plan.reason,
            "reused": reused,
            "changed": list(self.plan.changed[:MAX_LISTED]),
            "changed_count": len(self.plan.changed),
        }

    def shard_details(self, work: Path) -> dict[str, object]:
        """What ``noxci_select`` says of the shard this run ran (index, of, split)."""
        shard = _collected(work).get("shard")
        return dict(shard) if isinstance(shard, dict) else {}

    def reuse_coverage(self, data_file: Path, run: RunLog) -> None:
        """Put the reused tests' coverage data where ``coverage combine`` finds it."""
        if not self.plan.reuse or _interrupted(run):
            return
        target = data_file.with_name(data_file.name + REUSED_DATA)
        shutil.copyfile(self.directory / _DATA, target)
        covcontexts.keep_tests(target, self.plan.reuse, static=self.static)

    def finish(
        self, run: RunLog, flaky: list[str], work: Path, data_file: Path, junit: Path
    ) -> tuple[RunLog, int]:
        """The outcomes of the whole suite and how many were reused; record the state.

        The JUnit file gets the reused tests too, from the last run's copy.
        """
        collected = _collected(work)
        tests = collected.get("tests")
        tests = tests if isinstance(tests, dict) else {}
        merged, reused = run, []
        if _interrupted(run):
            # pytest stopped before running a test (a collection error): so
            # would a full run have; reuse nothing, and keep the last state.
            return run, 0
        if self.plan.reuse and self.state is not None:
            merged = incremental.merge(self.state, self.plan.reuse, run, tests)
            reused = [t for t in tests if t in self.plan.reuse and t not in run.tests]
            add_reused(junit, self.directory / _JUNIT, reused)
        if self.record and collected.get("contexts") is True and merged.finished:
            self.directory.mkdir(parents=True, exist_ok=True)
            # The old state goes first: interrupted between the copies below,
            # the next run finds no state (and runs in full), never new data
            # beside old outcomes.
            (self.directory / "state.json").unlink(missing_ok=True)
            shutil.copyfile(data_file, self.directory / _DATA)
            if junit.is_file():
                shutil.copyfile(junit, self.directory / _JUNIT)
            measured = covcontexts.executed_by(
                self.directory / _DATA, self.root, static=self.static
            )
            incremental.save_state(
                self.directory,
                State(
                    key=self.key,
                    files=self.files,
                    outcomes=merged.tests,
                    test_files={str(k): str(v) for k, v in tests.items()},
                    durations=merged.durations,
                    flaky=tuple(flaky),
                    shapes={
                        name: found
                        for name in measured
                        if (found := _shape(self.root, name)) is not None
                    },
                ),
            )
        return merged, len(reused)


def _shape(root: Path, name: str) -> incremental.Shape | None:
    """The :class:`~noxci.jobs.incremental.Shape` of a project's Python file now."""
    if not name.endswith(".py"):
        return None
    try:
        text = safefile.read_text(root / name, root=root)
    except safefile.FileProblem:
        return None
    return incremental.shape(text)


def _lines(
    data: Path, root: Path, name: str, static: str
) -> dict[str, set[int]] | None:
    try:
        return covcontexts.lines_by_test(data, root, name, static=static)
    except covcontexts.Unusable:
        return None


def _interrupted(run: RunLog) -> bool:
    return run.exitstatus == EXIT_INTERRUPTED


def _collected(work: Path) -> dict[str, object]:
    try:
        data = json.loads((work / "collected.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _key(ctx: JobContext) -> dict[str, str]:
    """What must be as it was for earlier results to be reused (besides the files)."""
    versions = {
        dist: ctx.version(dist, venv_only=True) or "-"
        for dist in ("pytest", "coverage", "pytest-xdist")
    }
    packages = (
        hashlib.sha256("\0".join(distributions(ctx.venv)).encode()).hexdigest()
        if ctx.venv
        else ""
    )
    # The environment variables the job reads (PYTHONHASHSEED, ...), hashed.
    env = {
        f"env {name}": hash_value(ctx.env.get(name, "\0unset"))
        for name in ctx.job_config.env
    }
    return {
        "python": ctx.python,
        "noxci": __version__,
        "packages": packages,
        **versions,
        **env,
    }


def _forced(
    ctx: JobContext,
    *,
    enabled: bool,
    args: list[str],
    full: bool,
    shard: tuple[int, int] | None,
) -> str | None:
    """Why every test must run this time, or None."""
    if shard is not None:
        return "shard {} of {} runs its share of the suite in full".format(*shard)
    if not enabled:
        return "incremental runs are off ([tool.noxci.tests] incremental)"
    if args:
        return "session arguments choose the tests"
    if full:
        return "asked for (--full)"
    if not cache_enabled(ctx.job_config, ctx.env):
        return "the cache is off (--no-cache, NOXCI_CACHE=0): every result is made anew"
    return incremental.ci_full_run(ctx.env, ctx.config.default_branch)


def prepare(
    ctx: JobContext,
    *,
    enabled: bool,
    args: list[str],
    full: bool,
    static: str,
    shard: tuple[int, int] | None = None,
) -> Selection:
    """The selection for this run (a full run whenever reuse could be wrong).

    A shard neither reuses nor records: it runs part of the suite.
    """
    directory = incremental.state_dir(ctx.root, ctx.session)
    # Recording per-test contexts costs about a tenth of the run. A CI runner
    # starts from a clean checkout: it records only where its workflow keeps
    # the state between runs (the directory is there).
    ci = ctx.env.get("CI", "").lower() in {"1", "true", "yes"}
    record = enabled and not args and shard is None and (not ci or directory.is_dir())
    forced = _forced(ctx, enabled=enabled, args=args, full=full, shard=shard)
    cfg = ctx.job_config
    try:
        files = job_file_hashes(
            Tree(ctx.root),
            include=cfg.digest_globs,
            exclude=cfg.inputs_exclude,
            skip_dirs=ctx.config.output_dirs,
        )
    except DigestError as exc:
        files, forced = {}, forced or f"the tree cannot be read: {exc}"
        record = False
    key = _key(ctx)
    state = touched = None
    if not forced:
        state = incremental.load_state(
            directory, root=ctx.root, limit=ctx.config.max_file_size
        )
        try:
            touched = covcontexts.executed_by(
                directory / _DATA, ctx.root, static=static
            )
        except covcontexts.Unusable:
            touched = None
        known = set(state.test_files) if state is not None else set()
        if touched is not None and any(t - known for t in touched.values()):
            touched = None  # contexts that are not test ids: not noxci's naming
    plan = incremental.plan(
        state,
        key=key,
        files=files,
        touched=touched,
        forced=forced,
        shape_now=lambda name: _shape(ctx.root, name),
        lines_of=lambda name: _lines(directory / _DATA, ctx.root, name, static),
    )
    if plan.reuse:
        console.info(
            f"{ctx.session}: incremental: {len(plan.reuse)} test(s) reused, the "
            f"rest run ({plan.reason}); `nox -s {ctx.session} -- --full` runs all"
        )
    elif enabled:
        console.info(f"{ctx.session}: every test runs: {plan.reason}")
    return Selection(
        plan=plan,
        state=state,
        directory=directory,
        key=key,
        files=files,
        record=record,
        root=ctx.root,
        static=static,
    )
