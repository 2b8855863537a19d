"""Gather a readiness run's evidence and score it: reports, history, CI runs.

This is the first half of a readiness run (:mod:`noxci.readiness.run`): it
reads, it scores, and it writes nothing. The result is a
:class:`ReadinessDocument` plus the history line the run would add.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from noxci import console
from noxci.clock import utc_now
from noxci.config import Config
from noxci.digest import Tree
from noxci.errors import IncompleteDataError, ReportError
from noxci.ghactions import pr_number
from noxci.github import GitHubSettings
from noxci.gitinfo import git_info
from noxci.readiness.cihistory import Fetcher, resolve_ci_history
from noxci.readiness.collect import Loaded, expected_sessions, load_reports
from noxci.readiness.document import ReadinessDocument, read_document
from noxci.readiness.history import HistoryEntry, preflight_runs, read_history
from noxci.readiness.model import CiRun, JobRow, security_keys
from noxci.readiness.scoring import needed_jobs, score
from noxci.registry import JOBS
from noxci.safefile import MissingFile

__all__ = ["Evaluation", "Options", "evaluate"]

# Every checking job is shown in the table, even when no component needs it.
_TABLE_JOBS = tuple(spec.name for spec in JOBS if not spec.changes_files)


@dataclass(frozen=True, kw_only=True)
class Options:
    """How this run was asked for."""

    context: str = "local"  # ci, preflight or local
    write: bool = True
    now: str = field(default_factory=utc_now)
    duration_s: float | None = None  # the preflight's job phase, wall time
    jobs_failed: bool = (
        False  # the preflight's job run failed (whatever the reports say)
    )
    github: GitHubSettings | None = None
    fetch: Fetcher | None = None


def _row(entry: Loaded) -> JobRow:
    report = entry.report
    if report is None:
        status = (
            "missing"
            if entry.problem and entry.problem.kind == "missing"
            else "invalid"
        )
        message = entry.problem.message if entry.problem else ""
        return JobRow(
            session=entry.session,
            job=entry.job,
            status=status,
            blocking=True,
            cached=False,
            duration_s=None,
            summary=message,
        )
    summary = (
        report.summary
        if entry.problem is None
        else f"{report.summary} [{entry.problem.message}]"
    )
    return JobRow(
        session=entry.session,
        job=entry.job,
        status=report.status.value,
        blocking=report.blocking,
        cached=report.cached,
        duration_s=report.duration_s,
        summary=summary,
    )


def _table_entries(
    config: Config, loaded: Mapping[str, list[Loaded]], tree: Tree
) -> list[Loaded]:
    """Scored sessions, plus other jobs whose reports exist."""
    entries = [e for job in _TABLE_JOBS if job in loaded for e in loaded[job]]
    optional = [job for job in _TABLE_JOBS if job not in loaded]
    present = {p.stem for p in config.reports_dir.glob("*.json")}
    extra = {
        job: sessions
        for job in optional
        if (sessions := [s for s in expected_sessions(config, job) if s in present])
    }
    for job, found in load_reports(config, extra, tree).items():
        entries += [e for e in found if e.session in extra[job]]
    return entries


def _cache(config: Config) -> ReadinessDocument | None:
    path = config.readiness_dir / "readiness.json"
    try:
        return read_document(path, root=config.root, limit=config.max_file_size)
    except MissingFile:
        return None
    except ReportError as exc:
        console.warn(f"ignoring the cache: {exc}")
        return None


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """A scored run, and what it adds to the history."""

    doc: ReadinessDocument
    history: list[HistoryEntry]  # as read, oldest first
    entry: HistoryEntry | None  # the line this run adds, when it is recorded


def evaluate(config: Config, env: Mapping[str, str], options: Options) -> Evaluation:
    """Score the project as its reports and CI history stand; write nothing."""
    tree = Tree(config.root)
    loaded = load_reports(config, needed_jobs(config.readiness), tree)
    rows = [_row(e) for e in _table_entries(config, loaded, tree)]
    history_path = config.readiness_dir / "history.jsonl"
    try:
        entries, bad = read_history(
            history_path, root=config.root, max_bytes=config.max_file_size
        )
    except ReportError as exc:
        # Scoring without it could pass on a lost failing run, and writing
        # would replace it: stop, and leave the file as it is.
        raise IncompleteDataError(
            f"{exc}; the readiness history cannot be read, so the gate fails "
            "closed and leaves it as it is"
        ) from None
    for number in bad[:5]:
        console.warn(f"{history_path}: line {number} is unreadable and was skipped")
    git = git_info(config.root, env)
    # A run passed when every blocking job passed *now*: a scored report that
    # is stale or invalid, or a job run that failed before it could write its
    # report (the old one is still there), is a failed run.
    jobs_ok = (
        not options.jobs_failed
        and all(row.status == "passed" for row in rows if row.blocking)
        and all(e.problem is None for found in loaded.values() for e in found)
    )
    local: list[CiRun] = preflight_runs(entries)
    if options.context == "preflight":
        current = CiRun(
            id=len(entries) + 1,
            conclusion="success" if jobs_ok else "failure",
            created_at=options.now,
            head_sha=git.commit,
            branch=git.branch,
            event="preflight",
            duration_s=options.duration_s,
        )
        local = [current, *local]
    ci = resolve_ci_history(
        config,
        env,
        now=options.now,
        cache=_cache(config),
        local_runs=local,
        local_ok=not bad,
        github=options.github,
        **({"fetch": options.fetch} if options.fetch else {}),
    )
    for warning in ci.warnings:
        console.warn(warning)
    result = score(config=config.readiness, loaded=loaded, ci=ci, jobs=rows)
    doc = ReadinessDocument(
        result=result,
        generated_at=options.now,
        project=config.project_name,
        commit=git.commit,
        branch=git.branch,
        context=options.context,
        cache_hits=sum(1 for row in rows if row.cached),
        pull_request=pr_number(None, env),
    )
    recorded = options.context == "preflight" or git.branch == config.default_branch
    entry = (
        HistoryEntry(
            generated_at=options.now,
            commit=git.commit,
            branch=git.branch,
            context=options.context,
            score=result.score,
            band=result.band.value,
            gate=result.gate.value,
            components={c.name: c.score for c in result.components},
            jobs_ok=jobs_ok,
            cache_hits=doc.cache_hits,
            jobs=len(rows),
            flaky=len(result.flaky),
            security_keys=security_keys(result),
            duration_s=options.duration_s if options.context == "preflight" else None,
        )
        if recorded
        else None
    )
    return Evaluation(doc=doc, history=entries, entry=entry)
