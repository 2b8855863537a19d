"""What every job shares: its context and its outcome.

A job is a function ``(JobContext) -> Outcome``. It runs tools through
``ctx.tool`` and parses their output; it never touches nox, so it is unit
testable with a fake runner. Turning an outcome into a report is the job
pipeline's work (:mod:`noxci.runjob`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from noxci import fsutil, proc
from noxci.config import Config
from noxci.errors import NoxciError, ToolError
from noxci.jobconfig import JobConfig
from noxci.report import Finding, Metric, Report, Status, ToolRun
from noxci.venvs import bin_dir, installed_version, site_packages

if TYPE_CHECKING:
    from noxci.toolargs import SplitArgs, ToolFlags

__all__ = ["Invocation", "Job", "JobContext", "Outcome"]

_J = TypeVar("_J", bound=JobConfig)
_COVERAGE_ENV = {
    "COVERAGE_PROCESS_START",
    "COVERAGE_PROCESS_CONFIG",
    "COVERAGE_RCFILE",
    "COVERAGE_FILE",
}


@dataclass(frozen=True, kw_only=True)
class Invocation:
    """What a session run's own flags make of it (a job's ``invocation`` decides).

    ``session``: the report it writes (a shard writes its own part);
    ``args``: the session arguments that count among its inputs (noxci's own
    flags such as ``--full`` do not: they change how, not what, is checked);
    ``cache``: whether an earlier report may answer.
    """

    session: str
    args: tuple[str, ...]
    cache: bool = True


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
    previous: Report | None = None  # this session's last report, when valid
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
        """The job's section of the config, as the job's own ``Settings`` type."""
        return self.config.settings(self.job, kind)

    def artifact(self, suffix: str) -> Path:
        """``reports/<session>.<suffix>``: where a raw tool output is kept."""
        return fsutil.ignored_dir(self.config.reports_dir) / f"{self.session}.{suffix}"

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
            env = proc.venv_env(bin_dir(self.venv), env)
            # Bytecode goes beside the venv, not into __pycache__ folders of
            # the project: a session never leaves untracked files behind.
            env.setdefault("PYTHONPYCACHEPREFIX", str(self.venv / "pycache"))
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
            local = bin_dir(self.venv) / args[0]
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
        places: list[Sequence[Path | str]] = []
        if self.venv is not None:
            places.append(site_packages(self.venv))
        if not (venv_only and self.venv):
            places.append(sys.path)
        for paths in places:
            version = installed_version(distribution, paths)
            if version is not None:
                return version
        return None

    def split_args(self, flags: ToolFlags) -> SplitArgs:
        """The session's arguments, split around the flags noxci owns (:mod:`noxci.toolargs`)."""
        from noxci import console
        from noxci.toolargs import split_args

        split = split_args(self.posargs, flags)
        if split.forbidden:
            console.warn(
                f"{self.session}: left out {' '.join(split.forbidden)}: a check session "
                f"never changes files{'; ' + flags.advice if flags.advice else ''}"
            )
        if split.dropped:
            then = (
                "it applies to a second run, for display"
                if flags.rerun
                else f"left out ({flags.advice})"
            )
            console.info(
                f"{self.session}: {' '.join(split.dropped)} shapes the output noxci reads: {then}"
            )
        return split

    def has(self, distribution: str) -> bool:
        """Whether ``distribution`` is installed in the session venv."""
        return self.version(distribution, venv_only=True) is not None


Job = Callable[[JobContext], Outcome]
