"""Gather the reports the score needs, and say what is wrong with each.

A report counts only when it is present, readable, schema-valid, from a job
that ran to a verdict, and fresh: its inputs digest equals the one the
current tree gives for that job. The commit is shown, but the digest decides
(a report from another commit with identical inputs is fresh).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from noxci.clock import utc_now
from noxci.config import JOBS, Config
from noxci.digest import DigestError, Tree, job_files
from noxci.errors import ReportError
from noxci.readiness.model import Problem
from noxci.report import Report, Status, read_report

__all__ = ["Loaded", "expected_sessions", "load_reports"]


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
    """The session names that write job ``job``'s reports."""
    if job == "tests" and len(config.python) > 1:
        return [f"tests-{version}" for version in config.python]
    return [job]


def _freshness(config: Config, report: Report, tree: Tree) -> Problem | None:
    if report.job not in JOBS:
        return Problem(
            subject=report.session,
            kind="stale",
            message=f"freshness unknown: no inputs are configured for job {report.job!r}",
        )
    cfg = config.job(report.job)
    try:
        files, count = job_files(
            tree,
            include=cfg.digest_globs,
            exclude=cfg.inputs_exclude,
            skip_dirs=config.output_dirs,
        )
    except DigestError as exc:
        return Problem(
            subject=report.session, kind="stale", message=f"freshness unknown: {exc}"
        )
    if (files, count) != (report.inputs.files, report.inputs.file_count):
        commit = (report.git.commit or "unknown commit")[:12]
        return Problem(
            subject=report.session,
            kind="stale",
            message=(
                f"the job's inputs changed since this report was made "
                f"(at {commit}); re-run `nox -s {report.session}`"
            ),
        )
    if report.inputs.args:
        return Problem(
            subject=report.session,
            kind="stale",
            message=(
                f"made with session arguments ({' '.join(report.inputs.args)}), so not "
                f"the CI job; re-run `nox -s {report.session}` without them"
            ),
        )
    if cfg.cache == "daily" and report.inputs.salt not in _recent_days():
        return Problem(
            subject=report.session,
            kind="stale",
            message=(
                f"made on {report.inputs.salt or 'an unknown day'}, and this job is "
                f"re-run daily (new advisories); re-run `nox -s {report.session}`"
            ),
        )
    return None


def _recent_days() -> set[str]:
    """Today and yesterday (UTC): a daily job's report made just before midnight still counts."""
    today = datetime.fromisoformat(utc_now().replace("Z", "+00:00"))
    return {day.strftime("%Y-%m-%d") for day in (today, today - timedelta(days=1))}


def _load_one(config: Config, session: str, job: str, tree: Tree) -> Loaded:
    path = config.reports_dir / f"{session}.json"
    if not path.exists():
        missing = Problem(
            subject=session,
            kind="missing",
            message=f"no {path.name}; run `nox -s {session}`",
        )
        return Loaded(session=session, job=job, report=None, problem=missing)
    try:
        report = read_report(path)
    except ReportError as exc:
        kind = (
            "unreadable"
            if "not valid JSON" in str(exc) or "cannot read" in str(exc)
            else "invalid"
        )
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
        problem = _freshness(config, report, tree)
    return Loaded(session=session, job=job, report=report, problem=problem)


def load_reports(
    config: Config, jobs: Iterable[str], tree: Tree | None = None
) -> Mapping[str, list[Loaded]]:
    """Each job's expected sessions, loaded and checked."""
    tree = tree or Tree(config.root)
    return {
        job: [
            _load_one(config, session, job, tree)
            for session in expected_sessions(config, job)
        ]
        for job in jobs
    }
