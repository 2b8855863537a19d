"""Preflight: every CI job in parallel, then the readiness gate, as CI runs them.

Planning is pure: :func:`ci_sessions` reads the noxfile's sessions (nox's
registry, passed in as plain objects), and :func:`plan` concludes the jobs
whose inputs did not change from their cached reports, with the cache's own
rule (:func:`noxci.runjob.cache_hit`), so that no nox worker starts for
them. The rest run in one child ``nox -s ... -j auto``, so that a failing
job neither stops the others nor (as a failed ``requires=``) hides the
readiness table; then ``noxci readiness --preflight`` scores what the jobs
reported. Anything planning cannot model is left to the workers, which
decide as they always do: a doubt is never a hit.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noxci import console, proc
from noxci.config import Config, load_config
from noxci.digest import Tree
from noxci.errors import ExitCode, NoxciError, meaning
from noxci.noxlist import in_place
from noxci.report import Report, Status
from noxci.runjob import Request, cache_hit, context, safe_inputs, verdict

__all__ = ["NEUTRAL_OPTIONS", "Plan", "Result", "ci_sessions", "plan", "run"]

# nox options that change neither which sessions run, nor their names,
# Pythons or arguments: with only these, preflight may decide cache hits
# itself. With any other option it leaves every decision to the workers.
NEUTRAL_OPTIONS = frozenset(
    {
        "-R",
        "-r",
        "--reuse-existing-virtualenvs",
        "--no-reuse-existing-virtualenvs",
        "--no-install",
        "--install-only",
        "-x",
        "--stop-on-first-error",
        "--no-color",
        "--forcecolor",
        "--force-color",
    }
)


@dataclass(frozen=True, kw_only=True)
class Plan:
    """Which CI sessions are concluded from their caches, and what the child nox runs."""

    hits: tuple[Report, ...]
    selection: tuple[str, ...]  # nox's selection arguments; empty: nothing to run

    @property
    def blocking_failures(self) -> list[str]:
        """Cached reports that failed a blocking job, in words."""
        return [
            f"{r.session} failed (cached)"
            for r in self.hits
            if r.status is Status.FAILED and r.blocking
        ]


@dataclass(frozen=True, kw_only=True)
class Result:
    """How preflight ended."""

    exit_code: int
    message: str


def ci_sessions(
    registry: Mapping[str, Any], running: str
) -> dict[str, tuple[str, str]] | None:
    """Each ``ci``-tagged session as nox will name it, with its job and Python.

    None when nox would name or expand them in a way not modelled here
    (parametrized sessions, sessions without a virtualenv).
    """
    found: dict[str, tuple[str, str]] = {}
    for name, func in registry.items():
        if "ci" not in func.tags:
            continue
        if hasattr(func, "parametrize") or func.venv_backend == "none":
            return None
        python = func.python
        if isinstance(python, (list, tuple, set)):
            if not all(isinstance(v, str) for v in python):
                return None
            found.update({f"{name}-{v}": (name, v) for v in python})
        else:
            found[name] = (name, python if isinstance(python, str) else running)
    return found


def _hit(
    config: Config,
    session: str,
    job: str,
    python: str,
    env: Mapping[str, str],
    *,
    tree: Tree,
) -> Report | None:
    """The cache hit for ``session``, or None to leave it to its worker."""
    try:
        ctx = context(config, Request(job=job, session=session, python=python, env=env))
        if ctx.previous is None:
            return None
        return cache_hit(ctx, safe_inputs(ctx, tree), log=console.info)
    except (NoxciError, OSError):
        return None  # the worker decides, and reports the problem itself


def plan(
    config: Config | None,
    sessions: Mapping[str, tuple[str, str]] | None,
    args: Sequence[str],
    env: Mapping[str, str],
) -> Plan:
    """Conclude what the caches can; the rest go to the child nox."""
    everything = Plan(hits=(), selection=("-t", "ci"))
    if config is None or not sessions or any(a not in NEUTRAL_OPTIONS for a in args):
        return everything
    hits: list[Report] = []
    misses: list[str] = []
    tree = Tree(config.root)  # one listing of the project for every job
    for name, (job, python) in sessions.items():
        hit = _hit(config, name, job, python, env, tree=tree)
        if hit is None:
            misses.append(name)
        else:
            hits.append(hit)
            console.info(verdict(hit).line)
    return Plan(hits=tuple(hits), selection=("-s", *misses) if misses else ())


def _what_failed(root: Path, selection: Sequence[str]) -> list[str]:
    """The sessions whose fresh reports failed a blocking job or errored, in words."""
    from noxci.runjob import previous_report

    config = _config(root)
    if config is None:
        return []
    names = list(selection[1:]) if selection[:1] == ("-s",) else []
    if not names:
        names = [p.stem for p in sorted(config.reports_dir.glob("*.json"))]
    found = []
    for name in names:
        report = previous_report(config, name)
        if report is None:
            continue
        if report.status is Status.ERROR:
            # The whole error is in the table and the session's block above.
            error = str(report.error or "")
            short = error if len(error) <= 100 else error[:99].rstrip() + "…"
            found.append(f"{name} errored ({short})")
        elif report.status is Status.FAILED and report.blocking:
            found.append(f"{name} failed")
    return found


def _config(root: Path) -> Config | None:
    try:
        return load_config(root)
    except NoxciError:
        return None  # the workers report it, one line each


def _combine_session(root: Path, registry: Mapping[str, Any]) -> str | None:
    """The session that combines the tests of several Pythons, when there are several."""
    config = _config(root)
    if config is None:
        return None
    from noxci.registry import job_spec

    sessions = job_spec("tests").sessions(config.python)
    if len(sessions) < 2 or "tests" not in registry:  # nox registers it as "tests"
        return None
    return sessions[0]


def _gate(root: Path, argv: list[str]) -> int:
    """``noxci ARGV`` in this process, in ``root``: its exit code."""
    import contextlib
    import sys

    from noxci.cli import main

    with contextlib.chdir(root):
        code = main(argv)
    sys.stdout.flush()
    return code


def run(
    root: Path,
    *,
    noxfile: str,
    posargs: Iterable[str],
    env: Mapping[str, str],
    registry: Mapping[str, Any] | None = None,
    runner: Callable[..., proc.Completed] = proc.run,
    gate: Callable[[Path, list[str]], int] | None = None,
) -> Result:
    """Run the jobs (cached ones concluded here), then the gate; say how it ended.

    ``registry`` is nox's session registry (by default the running nox's).
    The gate is ``noxci readiness --preflight``, run in this process
    (``gate`` replaces it): a second Python would start and import noxci
    again, which was half of an unchanged preflight's time.
    """
    gate = gate or _gate
    if registry is None:
        import nox.registry

        registry = nox.registry.get()
    posargs = list(posargs)
    args = [a for a in posargs if a != "--no-cache"]
    env = {**env, **({"NOXCI_CACHE": "0"} if "--no-cache" in posargs else {})}
    started = time.monotonic()
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    decided = plan(_config(root), ci_sessions(registry, running), args, env)
    failed = decided.blocking_failures
    if decided.selection:
        argv = [sys.executable, "-m", "nox", "-f", noxfile, *decided.selection]
        jobs = runner(
            [*argv, "-j", "auto", *args], cwd=root, capture=False, env=in_place(env)
        )
        if jobs.returncode != 0:
            failed += _what_failed(root, decided.selection) or ["see the blocks above"]
    if (combine := _combine_session(root, registry)) is not None:
        # The tests of several Pythons make one report, as CI's combine job does.
        argv = [sys.executable, "-m", "nox", "-f", noxfile, "-s", combine]
        done = runner(
            [*argv, "--", "--combine"], cwd=root, capture=False, env=in_place(env)
        )
        if done.returncode != 0:
            failed.append(f"combining the tests failed (exit {done.returncode})")
    code = gate(
        root,
        [
            "readiness",
            "--preflight",
            "--duration",
            f"{time.monotonic() - started:.3f}",
            *(["--jobs-failed"] if failed else []),
        ],
    )
    reasons = ["; ".join(failed)] if failed else []
    if code != 0:
        reasons.append(f"the readiness gate: {meaning(code)} (see the table above)")
    if reasons:
        code = code or ExitCode.BLOCKING_JOB
        return Result(exit_code=code, message="preflight failed: " + "; ".join(reasons))
    return Result(
        exit_code=0,
        message="preflight passed: every blocking job passed and the readiness gate passed",
    )
