"""The job pipeline: inputs, cache decision, install, run, report, verdict.

One straight line, and no nox in it: :mod:`noxci.sessions` builds a
:class:`Request` from a ``nox.Session``, calls :func:`run_job`, and ends the
session as the :class:`Verdict` says. Preflight uses :func:`cache_hit` to
conclude cached jobs without starting their workers: the same rule.
"""

from __future__ import annotations

import enum
import platform
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from noxci import __version__, byproducts, console, fsutil, installmark, proc
from noxci.cache import cache_enabled, reusable
from noxci.clock import utc_now
from noxci.config import Config
from noxci.digest import Tree
from noxci.errors import ExitCode, NoxciError, ReportError
from noxci.jobs import get_job, job_module
from noxci.jobs.base import Invocation, Job, JobContext, Outcome
from noxci.registry import job_spec
from noxci.report import (
    Environment,
    Finding,
    Inputs,
    Report,
    Status,
    read_report,
    write_report,
)
from noxci.safefile import MissingFile
from noxci.staleness import current_inputs

__all__ = [
    "Level",
    "Request",
    "Verdict",
    "cache_hit",
    "context",
    "execute",
    "install_group",
    "previous_report",
    "report_path",
    "run_job",
    "safe_inputs",
    "verdict",
]

MAX_FINDINGS = 500
Installer = Callable[[JobContext], str]


@dataclass(frozen=True, kw_only=True)
class Request:
    """One session run, as nox asked for it."""

    job: str
    session: str
    python: str
    posargs: tuple[str, ...] = ()
    venv: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)


class Level(enum.Enum):
    """How the session ends."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The session's end: a level, one line, and the exit code it stands for."""

    report: Report
    level: Level
    line: str
    exit_code: int


def verdict(report: Report) -> Verdict:
    """``session: status: summary``, and whether it ends the session."""
    line = f"{report.session}: {report.status.value}: {report.summary}"
    if report.status is Status.ERROR:
        return Verdict(
            report=report,
            level=Level.FAIL,
            line=f"{report.session}: error: {report.error}",
            exit_code=ExitCode.TOOL,
        )
    if report.status is Status.FAILED and report.blocking:
        return Verdict(
            report=report, level=Level.FAIL, line=line, exit_code=ExitCode.FAILED
        )
    if report.status is Status.FAILED:
        return Verdict(
            report=report, level=Level.WARN, line=f"{line} (non-blocking)", exit_code=0
        )
    return Verdict(report=report, level=Level.OK, line=line, exit_code=0)


def report_path(config: Config, session: str) -> Path:
    """Where session ``session`` writes its report."""
    return config.reports_dir / f"{session}.json"


def previous_report(config: Config, session: str) -> Report | None:
    """The session's last report, or None when there is none or it is corrupt."""
    path = report_path(config, session)
    try:
        return read_report(path, root=config.root, limit=config.max_file_size)
    except MissingFile:
        return None
    except ReportError as exc:
        console.warn(f"cache miss: {exc}")
        return None


def context(config: Config, request: Request, **extra: Any) -> JobContext:
    """The job's context, with its previous report."""
    return JobContext(
        config=config,
        job=request.job,
        session=request.session,
        python=request.python,
        posargs=request.posargs,
        venv=request.venv,
        env=request.env,
        previous=previous_report(config, request.session),
        **extra,
    )


def _unknown_inputs(python: str, args: Sequence[str]) -> Inputs:
    """Inputs that match nothing: used when the real ones cannot be read."""
    return Inputs(
        files=uuid.uuid4().hex * 2, file_count=0, python=python, args=tuple(args)
    )


def invocation(request: Request) -> Invocation:
    """The report, inputs and cache use of this run (the job's ``invocation``, if any)."""
    decide = getattr(job_module(request.job), "invocation", None)
    if decide is None:
        return Invocation(session=request.session, args=request.posargs)
    found: Invocation = decide(request.job, request.session, request.posargs)
    return found


def safe_inputs(
    ctx: JobContext, tree: Tree | None = None, *, args: Sequence[str] | None = None
) -> Inputs:
    """The job's inputs, or inputs that match nothing when they cannot be read.

    Unreadable inputs are never a cache hit and always a stale report.
    ``tree`` shares one listing and one hash per file between several jobs;
    ``args`` are the session arguments that count (all of them by default).
    """
    args = ctx.posargs if args is None else tuple(args)
    try:
        return current_inputs(
            ctx.config,
            ctx.job,
            python=ctx.python,
            args=args,
            env=ctx.env,
            tree=tree,
        )
    except NoxciError as exc:
        console.warn(
            f"inputs digest unavailable, so no cache and a stale report: {exc}"
        )
        return _unknown_inputs(ctx.python, args)


def cache_hit(
    ctx: JobContext, inputs: Inputs, *, log: Callable[[str], object]
) -> Report | None:
    """The previous report, marked cached and rewritten, when ``inputs`` are unchanged."""
    previous = ctx.previous
    if previous is None or not cache_enabled(ctx.job_config, ctx.env):
        return None
    hit = reusable(previous, inputs, session=ctx.session, job=ctx.job)
    if hit is None:
        return None
    gone = [name for name in hit.artifacts.values() if not (ctx.root / name).exists()]
    if gone:
        # A report restored without its files (a CI cache of the JSON alone,
        # a deleted dist/) cannot stand for a run: a combine needs them.
        log(f"{ctx.session}: not cached: {gone[0]} is gone")
        return None
    write_report(report_path(ctx.config, ctx.session), hit)
    log(
        f"{ctx.session}: cached (inputs {inputs.digest[:12]} unchanged since {hit.started_at}); "
        f"NOXCI_CACHE=0 runs it again"
    )
    return hit


def _cap(findings: Sequence[Finding]) -> Sequence[Finding]:
    if len(findings) <= MAX_FINDINGS:
        return findings
    # Keep the worst first so that a flood of style nits cannot hide an error.
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    return sorted(findings, key=lambda f: order[f.severity.value])[:MAX_FINDINGS]


def environment(env: Mapping[str, str], venv: Path | None = None) -> Environment:
    """The machine the job ran on, and the Python of its venv (else noxci's own)."""
    from noxci.pythons import venv_python

    python = (
        venv_python(venv, full=True) if venv else None
    ) or platform.python_version()
    return Environment(
        python=python,
        platform=f"{sys.platform}-{platform.machine()}",
        ci=env.get("CI", "").lower() in {"1", "true", "yes"},
        noxci=__version__,
    )


def execute(
    ctx: JobContext,
    job: Job,
    *,
    inputs: Inputs | None = None,
    installed: str | None = None,
) -> Report:
    """Run ``job`` and write its report; a :class:`NoxciError` becomes ``error``.

    ``installed`` says what the session installed, and from where; the
    report keeps it in ``details.installed``.
    """
    from noxci.gitinfo import git_info

    started = utc_now()
    clock = time.monotonic()
    inputs = inputs or safe_inputs(ctx)
    try:
        outcome = job(ctx)
    except NoxciError as exc:
        outcome = Outcome.errored(str(exc))
    report = Report(
        session=ctx.session,
        job=ctx.job,
        status=outcome.status,
        blocking=ctx.job_config.blocking,
        started_at=started,
        duration_s=round(time.monotonic() - clock, 3),
        summary=console.redact(outcome.summary),
        error=console.redact(outcome.error) if outcome.error else None,
        inputs=inputs,
        environment=environment(ctx.env, ctx.venv),
        git=git_info(ctx.root, ctx.env),
        tools=tuple(ctx.tools_run),
        metrics=dict(outcome.metrics),
        findings=tuple(_cap(outcome.findings)),
        artifacts=dict(outcome.artifacts),
        details={**outcome.details, **({"installed": installed} if installed else {})},
    )
    fsutil.ignored_dir(ctx.config.reports_dir)
    write_report(report_path(ctx.config, ctx.session), report)
    return report


def install_group(ctx: JobContext) -> str:
    """Install the job's dependency group into its venv; say what was installed."""
    from noxci.toxenv import tox_sections
    from noxci.uvtool import ensure_python, sync_group

    if ctx.venv is None:
        return "nothing: the session has no virtualenv"
    ensure_python(ctx.root, ctx.venv, ctx.python, env=ctx.env, runner=ctx.runner)
    cfg = ctx.job_config
    spec = job_spec(ctx.job)
    tools = getattr(job_module(ctx.job), "tools", None)
    more = getattr(job_module(ctx.job), "install_aliases", None)
    aliases = (*spec.aliases, *(more(ctx) if more else ()))
    sections = tox_sections(ctx.job, (cfg.group, *spec.aliases))
    needed = tools(ctx) if tools else cfg.tools
    what = {
        "group": cfg.group,
        "aliases": list(aliases),
        "tox": list(sections),
        "project": cfg.install_project,
        "tools": list(needed),
        "tools_only": spec.tools_only,
        "python": ctx.python,
    }
    key = installmark.install_key(ctx.root, ctx.venv, what)
    if (how := installmark.unchanged(ctx.venv, key)) is not None:
        return f"{how} (nothing changed since: not installed again)"
    how = sync_group(
        ctx.root,
        ctx.venv,
        cfg.group,
        aliases=aliases,
        tox_sections=sections,
        install_project=cfg.install_project,
        needed=needed,
        tools_only=spec.tools_only,
        env=ctx.env,
        retries=ctx.config.install_retries,
        runner=ctx.runner,
    )
    installmark.record(ctx.venv, installmark.install_key(ctx.root, ctx.venv, what), how)
    return how


def _print_findings(report: Report) -> None:
    from noxci.render.findings import finding_lines

    lines = finding_lines(report.findings)
    if lines:
        sys.stderr.write("".join(console.redact(line) + "\n" for line in lines))
        sys.stderr.flush()


def _publish(
    report: Report, env: Mapping[str, str], show: Callable[[Report], object]
) -> Verdict:
    """Show the findings; under GitHub Actions, annotations and a step summary."""
    show(report)
    if env.get("GITHUB_ACTIONS") == "true":
        from noxci import ghactions
        from noxci.render.jobreport import job_summary, workflow_commands

        ghactions.annotate(workflow_commands(report), env)
        ghactions.append_step_summary(job_summary(report), env)
    return verdict(report)


def run_job(
    config: Config,
    request: Request,
    *,
    install: Installer = install_group,
    log: Callable[[str], object] = console.info,
    runner: proc.Runner = proc.run,
    show: Callable[[Report], object] = _print_findings,
) -> Verdict:
    """Decide, install, run and report one job; the verdict says how the session ends.

    ``show`` prints the report's findings (the first 20, as
    ``path:line:col rule message``) before the verdict's line.
    """
    how = invocation(request)
    ctx = context(config, replace(request, session=how.session), runner=runner)
    inputs = safe_inputs(ctx, args=how.args)
    hit = cache_hit(ctx, inputs, log=log) if how.cache else None
    if hit is not None:
        return _publish(hit, ctx.env, show)
    # Installing or building the project may leave an egg-info behind.
    before = byproducts.untracked(ctx.root) if ctx.venv is not None else None
    try:
        report = _install_and_execute(ctx, inputs, install, log)
    finally:
        byproducts.hide_new(ctx.root, before)
    return _publish(report, ctx.env, show)


def _install_and_execute(
    ctx: JobContext,
    inputs: Inputs,
    install: Installer,
    log: Callable[[str], object],
) -> Report:
    installed = None
    if ctx.venv is not None:
        try:
            installed = install(ctx)
        except NoxciError as exc:
            reason = str(exc)
            return execute(ctx, lambda _ctx: Outcome.errored(reason), inputs=inputs)
        log(f"installed {installed}")
    return execute(ctx, get_job(ctx.job), inputs=inputs, installed=installed)
