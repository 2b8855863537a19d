"""The mechanics of the tests job's pytest runs: under coverage, with noxci's plugins.

:class:`PytestRun` holds what every run of one job shares (the coverage rc,
the hash seed, the environment of ``noxci_select``); :meth:`PytestRun.once`
runs pytest and reads its report log; :meth:`PytestRun.reruns` re-runs the
failures serially. Used by :mod:`noxci.jobs.tests` for a whole run or a
shard and by :mod:`noxci.jobs.shards` for the shards of a local run.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from noxci import safefile
from noxci.errors import ToolError
from noxci.jobs.base import JobContext
from noxci.jobs.testfindings import looked_in
from noxci.parsers.pytest_log import EXIT_INTERRUPTED, RunLog, parse_report_log

__all__ = [
    "MAX_RERUN_IDS",
    "RUN_ONCE",
    "SELECT_PLUGIN",
    "WORKER_PLUGIN",
    "PytestRun",
    "install_plugins",
]

MAX_RERUN_IDS = 200  # more failures than this is an outage, not flakiness
PYTEST_INTERNAL_ERROR = 3
PYTEST_USAGE_ERROR = 4
PYTEST_NO_TESTS = 5
WORKER_PLUGIN = "noxci_xdist_coverage"  # xdist_coverage.py, copied beside the rc
SELECT_PLUGIN = "noxci_select"  # pytest_select.py, copied beside it
# The first pass alone selects tests and records what it collected.
RUN_ONCE = frozenset({"NOXCI_DESELECT", "NOXCI_COLLECTED", "NOXCI_SHARD"})


def install_plugins(work: Path) -> None:
    """Copy noxci's pytest plugins where the run's PYTHONPATH finds them."""
    here = Path(__file__).parent
    shutil.copyfile(here / "xdist_coverage.py", work / f"{WORKER_PLUGIN}.py")
    shutil.copyfile(here / "pytest_select.py", work / f"{SELECT_PLUGIN}.py")


@dataclass(frozen=True, kw_only=True)
class PytestRun:
    """What the pytest runs of one job share."""

    ctx: JobContext
    rc: Path
    hash_seed: str
    env: Mapping[str, str] = field(default_factory=dict)

    def _env(self, env: Mapping[str, str]) -> dict[str, str]:
        extra = dict(env)
        if "PYTHONHASHSEED" not in self.ctx.env and self.hash_seed != "random":
            extra["PYTHONHASHSEED"] = self.hash_seed
        extra["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(self.rc.parent), self.ctx.env.get("PYTHONPATH", "")) if p
        )
        return extra

    def once(
        self,
        log: Path,
        args: list[str],
        workers: int,
        *,
        first: bool,
        env: Mapping[str, str] | None = None,
    ) -> RunLog:
        """One pytest run; a re-run that cannot even start leaves its tests failed."""
        ctx = self.ctx
        env = dict(self.env if env is None else env)
        argv = [
            "coverage",
            "run",
            f"--rcfile={self.rc}",
            "-m",
            "pytest",
            f"--report-log={log}",
            "-p",
            SELECT_PLUGIN,
        ]
        if ctx.has("pytest-rerunfailures"):
            argv += ["-p", "no:rerunfailures"]
        extra = self._env(env)
        if ctx.has("pytest-xdist"):
            argv += ["-n", str(workers), "-p", WORKER_PLUGIN]
            extra["NOXCI_COVERAGE_RC"] = str(self.rc)
        done = ctx.tool([*argv, *args], capture=False, env=extra)
        selecting = "NOXCI_DESELECT" in env or "NOXCI_SHARD" in env
        if done.returncode == PYTEST_NO_TESTS and first and not selecting:
            raise ToolError(f"pytest collected no tests: {looked_in(ctx)}")
        if done.returncode in {PYTEST_INTERNAL_ERROR, PYTEST_USAGE_ERROR} and first:
            raise ToolError(
                f"pytest exited {done.returncode} (internal or usage error); see its output above"
            )
        try:
            parsed = parse_report_log(
                safefile.iter_lines(log, root=ctx.root, limit=ctx.config.max_file_size)
            )
        except safefile.MissingFile:
            if not first:
                return RunLog(tests={}, collection_errors={})
            raise ToolError(
                f"pytest exited {done.returncode} without writing its report log"
            ) from None
        if (
            first
            and done.returncode == EXIT_INTERRUPTED
            and not parsed.collection_errors
        ):
            raise ToolError("pytest was interrupted; see its output above")
        if first and not parsed.finished:
            # Its counts would be those of the tests before the end: never a pass.
            raise ToolError(
                f"pytest exited {done.returncode} before its session finished "
                "(a test or a plugin ended the process?); see its output above"
            )
        return parsed

    def reruns(self, first: RunLog, *, rounds: int, delay: float) -> list[RunLog]:
        """Re-run the failures serially, up to ``rounds`` times (none past an outage)."""
        # Re-runs name their tests; they collect nothing for the state.
        env = {k: v for k, v in self.env.items() if k not in RUN_ONCE}
        done: list[RunLog] = []
        remaining = first.bad()
        if len(remaining) > MAX_RERUN_IDS:
            return done
        for number in range(1, rounds + 1):
            if not remaining:
                break
            time.sleep(delay)
            log = self.once(
                self.ctx.artifact(f"rerun{number}.jsonl"),
                remaining,
                0,
                first=False,
                env=env,
            )
            done.append(log)
            remaining = [n for n in remaining if n not in log.tests or n in log.bad()]
        return done
