"""Gather a readiness run's evidence and score it: reports, history, CI runs.

This is the first half of a readiness run (:mod:`noxci.readiness.run`): it
reads, it scores, and it writes nothing. The result is a
:class:`ReadinessDocument` plus the history line the run would add.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from noxci import console
from noxci.clock import utc_now
from noxci.config import Config
from noxci.digest import Tree
from noxci.errors import IncompleteDataError, ReportError
from noxci.ghactions import pr_number, repository_url
from noxci.github import GitHubSettings
from noxci.gitinfo import git_info
from noxci.readiness.cihistory import Fetcher, resolve_ci_history
from noxci.readiness.collect import Loaded, expected_sessions, load_reports
from noxci.readiness.document import ReadinessDocument, read_document
from noxci.readiness.history import (
    HistoryEntry,
    preflight_runs,
    read_history,
    run_key,
)
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
    update: bool = False  # write the committed readiness/ although not in CI

    def out_dir(self, config: Config) -> Path:
        """Where this run writes: the committed readiness/ in CI (or asked), else the ignored local one."""
        if self.context == "ci" or self.update:
            return config.readiness_dir
        return config.local_readiness_dir


def _history(config: Config, options: Options) -> tuple[list[HistoryEntry], bool]:
    """The committed history, plus the local one a local run writes; whether all was readable."""
    paths = [config.readiness_dir / "history.jsonl"]
    if options.out_dir(config) != config.readiness_dir:
        paths.append(options.out_dir(config) / "history.jsonl")
    entries: dict[tuple[str, str | None, str], HistoryEntry] = {}
    readable = True
    for path in paths:
        try:
            found, bad = read_history(
                path, root=config.root, max_bytes=config.max_file_size
            )
        except ReportError as exc:
            # Scoring without it could pass on a lost failing run, and writing
            # would replace it: stop, and leave the file as it is.
            raise IncompleteDataError(
                f"{exc}; the readiness history cannot be read, so the gate "
                "fails closed and leaves it as it is"
            ) from None
        for number in bad[:5]:
            where = (
                f"line {number}" if number > 0 else f"line {-number} of HEAD's version"
            )
            console.warn(f"{path}: {where} is unreadable and was skipped")
        readable = readable and not bad
        entries.update({e.identity: e for e in found if e.identity not in entries})
    return sorted(entries.values(), key=lambda e: e.generated_at), readable


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
        # An errored report's summary that already says its error: said once.
        if entry.problem is None
        or (
            entry.problem.kind == "error"
            and bool(report.error)
            and str(report.error) in report.summary
        )
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


def _outcome(
    rows: Sequence[JobRow],
    loaded: Mapping[str, Sequence[Loaded]],
    *,
    jobs_failed: bool,
) -> str:
    """success, failure, or errored: a job errored and nothing else went wrong.

    A run passed when every blocking job passed *now*: a scored report that
    is stale or invalid, or a job run that failed before it could write its
    report (the old one is still there), is a failed run. Only when every
    problem is a job's own ``error`` (its install failed, a service was
    unreachable) and no blocking job failed is the run ``errored``, which
    the pass rate leaves out.
    """
    problems = [e.problem for found in loaded.values() for e in found if e.problem]
    if (
        not jobs_failed
        and not problems
        and all(row.status == "passed" for row in rows if row.blocking)
    ):
        return "success"
    failed = any(row.status == "failed" and row.blocking for row in rows)
    errored = any(row.status == "error" for row in rows)
    if errored and not failed and all(p.kind == "error" for p in problems):
        return "errored"
    return "failure"


def _blocking_failures(table: Sequence[Loaded]) -> list[str]:
    """The blocking jobs whose reports stand for this tree and did not pass."""
    return [
        e.session
        for e in table
        if e.report is not None
        and e.report.blocking
        and e.report.status.value in {"failed", "error"}
        and (e.problem is None or e.problem.kind == "error")
    ]


def _run_inputs(config: Config, table: Sequence[Loaded], tree: Tree) -> str:
    """The files every job reads now, digested: equal for a re-run that changed nothing."""
    import hashlib
    import uuid

    from noxci.digest import DigestError
    from noxci.staleness import current_inputs

    parts = []
    for entry in sorted(table, key=lambda e: e.session):
        try:
            files = current_inputs(config, entry.job, python="", tree=tree).files
        except DigestError:
            files = uuid.uuid4().hex  # unknown: a run of its own
        parts.append(f"{entry.session}={files}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


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
    table = _table_entries(config, loaded, tree)
    rows = [_row(e) for e in table]
    entries, readable = _history(config, options)
    git = git_info(config.root, env)
    outcome = _outcome(rows, loaded, jobs_failed=options.jobs_failed)
    run_inputs = _run_inputs(config, table, tree)
    local: list[CiRun] = preflight_runs(
        [
            e
            for e in entries
            if e.run_key != run_key("preflight", git.commit, run_inputs)
        ]
        if options.context == "preflight"
        else entries
    )
    if options.context == "preflight":
        current = CiRun(
            id=len(entries) + 1,
            conclusion={"success": "success", "errored": "errored"}.get(
                outcome, "failure"
            ),
            created_at=options.now,
            head_sha=git.commit,
            branch=git.branch,
            event="preflight",
            duration_s=options.duration_s,
        )
        local = [current, *local]
    ci = resolve_ci_history(
        config,
        options.github or GitHubSettings.from_env(env, network=config.network),
        now=options.now,
        cache=_cache(config),
        local_runs=local,
        local_ok=readable,
        **({"fetch": options.fetch} if options.fetch else {}),
    )
    for warning in ci.warnings:
        console.warn(warning)
    result = score(
        config=config.readiness,
        loaded=loaded,
        ci=ci,
        jobs=rows,
        blocking_failed=_blocking_failures(table),
    )
    doc = ReadinessDocument(
        result=result,
        generated_at=options.now,
        project=config.project_name,
        commit=git.commit,
        branch=git.branch,
        context=options.context,
        cache_hits=sum(1 for row in rows if row.cached),
        pull_request=pr_number(None, env),
        repository_url=repository_url(config, env),
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
            outcome=outcome,
            inputs=run_inputs,
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
