"""Gather the reports the score needs, and say what is wrong with each.

A report counts only when it is present, readable, schema-valid, from a job
that ran to a verdict, and fresh under the readiness staleness policy
(:data:`noxci.staleness.READINESS`): its inputs equal the ones the current
tree gives for that job. The commit is shown, but the inputs decide (a
report from another commit with identical inputs is fresh).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from noxci.config import Config
from noxci.digest import DigestError, Tree
from noxci.errors import ReportError
from noxci.readiness.model import Problem
from noxci.registry import JobSpec, job_spec
from noxci.report import Report, Status, read_report
from noxci.safefile import FileProblem, MissingFile
from noxci.staleness import READINESS, current_inputs, stale_reason

__all__ = ["Loaded", "expected_sessions", "load_one", "load_reports"]


@dataclass(frozen=True, kw_only=True)
class Loaded:
    """One expected session: its report if usable, else the problem."""

    session: str
    job: str
    report: Report | None
    problem: Problem | None

    @property
    def usable(self) -> bool:
        """Whether the report may be scored."""
        return self.report is not None and self.problem is None


def expected_sessions(config: Config, job: str) -> list[str]:
    """The session names that write job ``job``'s reports.

    A job whose parts are combined (the tests of several Pythons, or split
    into shards) is scored by its combined report, named after the job.
    """
    spec = job_spec(job)
    sessions = spec.sessions(config.python)
    if spec.combines and (len(sessions) > 1 or _shards(config, spec) != 1):
        return [job]
    return sessions


def _how_to_make(config: Config, session: str, job: str) -> str:
    """The command that writes ``session``'s report."""
    sessions = job_spec(job).sessions(config.python)
    if session == job and sessions != [job]:
        # The combined report: the parts, then the combine (preflight does both).
        return (
            f"run `nox -s {job}` then `nox -s {sessions[0]} -- --combine`, "
            "or `nox -s preflight`"
        )
    if session == job and _shards(config, job_spec(job)) != 1:
        return f"run `nox -s {job}` (it combines its shards), or `nox -s preflight`"
    return f"run `nox -s {session}`"


def _shards(config: Config, spec: JobSpec) -> int | str:
    from noxci.configschema import settings_class

    return getattr(config.settings(spec.name, settings_class(spec)), "shards", 1)


def _freshness(
    config: Config, report: Report, tree: Tree, args: tuple[str, ...]
) -> Problem | None:
    try:
        current = current_inputs(
            config, report.job, python=report.inputs.python, args=args, tree=tree
        )
    except DigestError as exc:
        return Problem(
            subject=report.session, kind="stale", message=f"freshness unknown: {exc}"
        )
    reason = stale_reason(report, current, READINESS)
    if reason is None:
        return None
    return Problem(subject=report.session, kind="stale", message=reason)


def load_one(
    config: Config, session: str, job: str, tree: Tree, args: tuple[str, ...] = ()
) -> Loaded:
    """Session ``session``'s report, checked; ``args``: the arguments it must have run with."""
    path = config.reports_dir / f"{session}.json"
    try:
        report = read_report(path, root=config.root, limit=config.max_file_size)
    except MissingFile:
        missing = Problem(
            subject=session,
            kind="missing",
            message=f"no {path.name}; {_how_to_make(config, session, job)}",
        )
        return Loaded(session=session, job=job, report=None, problem=missing)
    except ReportError as exc:
        kind = "unreadable" if isinstance(exc, FileProblem) else "invalid"
        return Loaded(
            session=session,
            job=job,
            report=None,
            problem=Problem(subject=session, kind=kind, message=str(exc)),
        )
    problem: Problem | None = None
    if report.job != job or report.session != session:
        problem = Problem(
            subject=session,
            kind="invalid",
            message=f"{path.name} holds {report.session!r} ({report.job}), not {session!r}",
        )
    elif report.status is Status.SKIPPED:
        problem = Problem(
            subject=session, kind="skipped", message="the session was skipped"
        )
    elif report.status is Status.ERROR:
        problem = Problem(
            subject=session, kind="error", message=f"the job errored: {report.error}"
        )
    else:
        problem = _freshness(config, report, tree, args)
    return Loaded(session=session, job=job, report=report, problem=problem)


def load_reports(
    config: Config, jobs: Iterable[str], tree: Tree | None = None
) -> Mapping[str, list[Loaded]]:
    """Each job's expected sessions, loaded and checked."""
    tree = tree or Tree(config.root)
    return {
        job: [
            load_one(config, session, job, tree)
            for session in expected_sessions(config, job)
        ]
        for job in jobs
    }
