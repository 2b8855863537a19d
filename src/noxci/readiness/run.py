"""One readiness run: gather, score, and write the outputs.

This is the only module here that does I/O; scoring and rendering stay pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from noxci import console, fsutil
from noxci.clock import utc_now
from noxci.config import JOBS, Config, read_pyproject
from noxci.digest import Tree
from noxci.errors import ReportError
from noxci.github import GitHubSettings
from noxci.gitinfo import git_info
from noxci.publish.actions import pr_number
from noxci.readiness.cihistory import Fetcher, resolve_ci_history
from noxci.readiness.collect import Loaded, expected_sessions, load_reports
from noxci.readiness.document import ReadinessDocument, read_document
from noxci.readiness.history import (
    HistoryEntry,
    append_entry,
    preflight_runs,
    read_history,
)
from noxci.readiness.model import CiRun, JobRow, security_keys
from noxci.readiness.scoring import COMPONENT_JOBS, score
from noxci.render.badge import badge
from noxci.render.html import html_dashboard
from noxci.render.markdown import dashboard, step_summary

__all__ = ["Options", "readiness"]

# Every job is shown in the table, even when no component needs it.
_TABLE_JOBS = tuple(JOBS)


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
    if not path.exists():
        return None
    try:
        return read_document(path)
    except ReportError as exc:
        console.warn(f"ignoring the cache: {exc}")
        return None


def _project_name(config: Config) -> str:
    name = read_pyproject(config.root).get("project", {}).get("name")
    return str(name) if name else config.root.name


def _write(
    config: Config,
    doc: ReadinessDocument,
    history: Sequence[HistoryEntry],
    env: Mapping[str, str],
) -> None:
    out = config.readiness_dir
    fsutil.atomic_write_json(out / "readiness.json", doc.to_dict())
    fsutil.atomic_write_json(out / "badge.json", badge(doc))
    fsutil.atomic_write_text(out / "README.md", dashboard(doc, history))
    fsutil.atomic_write_text(out / "index.html", html_dashboard(doc, history))
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(step_summary(doc) + "\n")


def readiness(
    config: Config, env: Mapping[str, str], options: Options
) -> ReadinessDocument:
    """Score the project as its reports and CI history stand; write the outputs."""
    tree = Tree(config.root)
    needed = {
        job
        for name, jobs in COMPONENT_JOBS.items()
        if config.readiness.weights[name] > 0
        for job in jobs
    }
    loaded = load_reports(config, sorted(needed), tree)
    rows = [_row(e) for e in _table_entries(config, loaded, tree)]
    history_path = config.readiness_dir / "history.jsonl"
    entries, bad = read_history(history_path)
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
        project=_project_name(config),
        commit=git.commit,
        branch=git.branch,
        context=options.context,
        cache_hits=sum(1 for row in rows if row.cached),
        pull_request=pr_number(None, env),
    )
    if options.write:
        if options.context == "preflight" or git.branch == config.default_branch:
            entry = HistoryEntry(
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
                duration_s=(
                    options.duration_s if options.context == "preflight" else None
                ),
            )
            append_entry(history_path, entry, limit=config.readiness.history_limit)
            entries.append(entry)
        _write(config, doc, entries, env)
    return doc
