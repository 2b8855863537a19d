"""What every job shares: its context, its outcome, and writing its report.

A job is a function ``(JobContext) -> Outcome``. It runs tools through
``ctx.tool`` and parses their output; it never touches nox, so it is unit
testable with a fake runner.
"""

from __future__ import annotations

import platform
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from noxci import __version__, console, proc
from noxci.clock import utc_now
from noxci.config import Config, JobConfig
from noxci.errors import NoxciError, ToolError
from noxci.report import (
    Environment,
    Finding,
    Inputs,
    Metric,
    Report,
    Status,
    ToolRun,
    write_report,
)

__all__ = [
    "Job",
    "JobContext",
    "Outcome",
    "execute",
    "job_inputs",
    "report_path",
    "safe_inputs",
]

MAX_FINDINGS = 500
_J = TypeVar("_J", bound=JobConfig)
_COVERAGE_ENV = {
    "COVERAGE_PROCESS_START",
    "COVERAGE_PROCESS_CONFIG",
    "COVERAGE_RCFILE",
    "COVERAGE_FILE",
}


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What a job found out."""

    status: Status
    summary: str
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    findings: Sequence[Finding] = ()
    artifacts: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None

    @classmethod
    def errored(cls, reason: str) -> Outcome:
        """The job could not run or a tool crashed: never a pass."""
        return cls(status=Status.ERROR, summary=f"error: {reason}", error=reason)


@dataclass(frozen=True, kw_only=True)
class JobContext:
    """Everything a job may use; ``env`` is the environment read at the edge."""

    config: Config
    job: str
    session: str
    python: str
    posargs: tuple[str, ...] = ()
    venv: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    runner: proc.Runner = proc.run
    tools_run: list[ToolRun] = field(default_factory=list)

    @property
    def root(self) -> Path:
        """The project directory."""
        return self.config.root

    @property
    def job_config(self) -> JobConfig:
        """The job's section of the config."""
        return self.config.job(self.job)

    def settings(self, kind: type[_J]) -> _J:
        """The job's section of the config, as the job's own config type."""
        cfg = self.config.job(self.job)
        if not isinstance(cfg, kind):
            raise TypeError(
                f"job {self.job!r} has {type(cfg).__name__}, not {kind.__name__}"
            )
        return cfg

    def artifact(self, suffix: str) -> Path:
        """``reports/<session>.<suffix>``: where a raw tool output is kept."""
        self.config.reports_dir.mkdir(parents=True, exist_ok=True)
        return self.config.reports_dir / f"{self.session}.{suffix}"

    def relative(self, path: Path) -> str:
        """``path`` relative to the project, for the report's artifacts."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def tool_env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment tools run in: the session venv activated."""
        # An outer coverage run (noxci testing itself) must not follow the
        # tools into their own processes.
        env = {k: v for k, v in self.env.items() if k not in _COVERAGE_ENV}
        if self.venv is not None:
            env = proc.venv_env(_bin_dir(self.venv), env)
        env.update(extra or {})
        return env

    def tool(
        self,
        argv: Sequence[str | Path],
        *,
        capture: bool = True,
        env: Mapping[str, str] | None = None,
        record: bool = True,
    ) -> proc.Completed:
        """Run a tool from the session venv, within the job's timeout."""
        args = [str(a) for a in argv]
        name = Path(args[0]).name
        if self.venv is not None and "/" not in args[0]:
            # A bare tool name must come from the session venv, never from
            # whatever PATH holds (nox's error_on_external_run, for noxci).
            local = _bin_dir(self.venv) / args[0]
            if not local.exists():
                if record:
                    self.tools_run.append(
                        ToolRun(name=name, version=None, exit_code=None)
                    )
                raise ToolError(
                    f"{name}: not installed in the session's virtualenv; add it to the "
                    f"'{self.job_config.group}' dependency group"
                )
            args[0] = str(local)
        try:
            done = self.runner(
                args,
                cwd=self.root,
                timeout=self.job_config.timeout,
                capture=capture,
                env=self.tool_env(env),
            )
        except NoxciError:
            if record:
                self.tools_run.append(
                    ToolRun(name=name, version=self.version(name), exit_code=None)
                )
            raise
        if record:
            self.tools_run.append(
                ToolRun(
                    name=name, version=self.version(name), exit_code=done.returncode
                )
            )
        return done

    def version(self, distribution: str, *, venv_only: bool = False) -> str | None:
        """The installed version of ``distribution``: in the venv, else beside noxci."""
        places = [[str(p) for p in _site_packages(self.venv)]] if self.venv else []
        if not (venv_only and self.venv):
            places.append(sys.path)
        for paths in places:
            for dist in metadata.distributions(path=paths):
                if _canonical(dist.metadata["Name"] or "") == _canonical(distribution):
                    return dist.version
        return None

    def has(self, distribution: str) -> bool:
        """Whether ``distribution`` is installed in the session venv."""
        return self.version(distribution, venv_only=True) is not None


Job = Callable[[JobContext], Outcome]


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _bin_dir(venv: Path) -> Path:
    return venv / ("Scripts" if sys.platform == "win32" else "bin")


def _site_packages(venv: Path) -> list[Path]:
    return sorted(venv.glob("lib/python*/site-packages")) + sorted(
        venv.glob("Lib/site-packages")
    )


def report_path(config: Config, session: str) -> Path:
    """Where session ``session`` writes its report."""
    return config.reports_dir / f"{session}.json"


def _unknown_inputs(python: str, args: Sequence[str]) -> Inputs:
    """Inputs that match nothing: used when the real ones cannot be read."""
    return Inputs(
        files=uuid.uuid4().hex * 2, file_count=0, python=python, args=tuple(args)
    )


def safe_inputs(ctx: JobContext) -> Inputs:
    """The job's inputs, or inputs that match nothing when they cannot be read.

    Unreadable inputs are never a cache hit and always a stale report.
    """
    try:
        return job_inputs(ctx)
    except NoxciError as exc:
        console.warn(
            f"inputs digest unavailable, so no cache and a stale report: {exc}"
        )
        return _unknown_inputs(ctx.python, ctx.posargs)


def job_inputs(ctx: JobContext) -> Inputs:
    """The job's inputs as the tree stands now (raises when unreadable)."""
    from noxci.digest import compute_inputs

    cfg = ctx.job_config
    return compute_inputs(
        ctx.root,
        include=cfg.digest_globs,
        exclude=cfg.inputs_exclude,
        skip_dirs=ctx.config.output_dirs,
        python=ctx.python,
        args=ctx.posargs,
        env_names=cfg.env,
        env=ctx.env,
        salt=utc_now()[:10] if cfg.cache == "daily" else "",
    )


def _cap(findings: Sequence[Finding]) -> Sequence[Finding]:
    if len(findings) <= MAX_FINDINGS:
        return findings
    # Keep the worst first so that a flood of style nits cannot hide an error.
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    return sorted(findings, key=lambda f: order[f.severity.value])[:MAX_FINDINGS]


def environment(env: Mapping[str, str]) -> Environment:
    """The machine noxci runs on."""
    return Environment(
        python=platform.python_version(),
        platform=f"{sys.platform}-{platform.machine()}",
        ci=env.get("CI", "").lower() in {"1", "true", "yes"},
        noxci=__version__,
    )


def execute(ctx: JobContext, job: Job, *, inputs: Inputs | None = None) -> Report:
    """Run ``job`` and write its report; a :class:`NoxciError` becomes ``error``."""
    from noxci.gitinfo import git_info

    started = utc_now()
    clock = time.monotonic()
    inputs = inputs or safe_inputs(ctx)
    try:
        outcome = job(ctx)
    except NoxciError as exc:
        outcome = Outcome.errored(str(exc))
    metrics = dict(outcome.metrics)
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
        environment=environment(ctx.env),
        git=git_info(ctx.root, ctx.env),
        tools=tuple(ctx.tools_run),
        metrics=metrics,
        findings=tuple(_cap(outcome.findings)),
        artifacts=dict(outcome.artifacts),
        details=dict(outcome.details),
    )
    write_report(report_path(ctx.config, ctx.session), report)
    return report
