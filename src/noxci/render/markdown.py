"""Markdown: the dashboard (``readiness/README.md``) and the step summary.

Every text that came from a tool, a test or a file goes through
:func:`~noxci.render.common.md`, the one escape.
"""

from __future__ import annotations

from collections.abc import Sequence

from noxci.readiness.document import ReadinessDocument
from noxci.readiness.model import EXCLUDED
from noxci.readiness.trend import Trend, WeekMean
from noxci.render.common import (
    age,
    code,
    duration,
    label,
    md,
    short_sha,
    sparkline,
)

__all__ = ["dashboard", "step_summary", "weekly_lines"]

_GATE = {
    "passed": "✅ passed",
    "below-threshold": "❌ failed (below threshold)",
    "blocking-job": "❌ failed (a blocking job failed)",
    "incomplete": "❌ failed (incomplete data)",
}


def weekly_lines(weeks: Sequence[WeekMean]) -> list[str]:
    """``2026-W48: 97.10 over 4 run(s)``, newest first."""
    return [f"{w.week}: {w.mean:.2f} over {w.runs} run(s)" for w in weeks]


def _headline(doc: ReadinessDocument) -> list[str]:
    r = doc.result
    when = doc.generated_at.replace("T", " ").replace("Z", " UTC")
    return [
        f"**Score {r.score:.2f} / 100 · {r.band.value}** ({r.band.verdict}) · "
        f"gate {_GATE[r.gate.value]} (threshold {r.threshold:g})",
        "",
        f"Commit {_commit(doc, doc.commit)} on {code(doc.branch or 'unknown')}, scored {md(when)} ({md(doc.context)}).",
        "",
        f"> {md(r.message, 2000)}",
        "",
    ]


def _components(doc: ReadinessDocument) -> list[str]:
    lines = [
        "| Component | Weight | Score | Weighted | Detail |",
        "|---|---:|---:|---:|---|",
    ]
    for c in doc.result.components:
        minimum = f" (min {c.minimum:g})" if c.minimum is not None else ""
        lines.append(
            f"| {md(label(c))} | {c.weight:g}% | {c.score:.2f}{minimum} | {c.weighted:.2f} | {md(c.detail)} |"
        )
    lines.append(f"| **Total** | 100% | | **{doc.result.score:.2f}** | |")
    return [*lines, ""]


def _problems(doc: ReadinessDocument) -> list[str]:
    problems = doc.result.problems
    if not problems:
        return []
    return [
        "## Incomplete data",
        "",
        "Each of these scores its component 0 until it is fixed:",
        "",
        *[f"- {code(p.subject)} ({md(p.kind)}): {md(p.message)}" for p in problems],
        "",
    ]


def _ci(doc: ReadinessDocument, limit: int) -> list[str]:
    ci = doc.result.ci
    fetched = (
        f", fetched {ci.fetched_at} ({age(ci.fetched_at, doc.generated_at)} old)"
        if ci.fetched_at
        else ""
    )
    lines = [
        "## CI history",
        "",
        f"Source: **{md(ci.source)}**{md(fetched)}. Runs that ended "
        f"{', '.join(sorted(EXCLUDED))} are left out of the pass rate.",
        "",
    ]
    lines += [f"- ⚠️ {md(w)}" for w in ci.warnings]
    if ci.warnings:
        lines.append("")
    if not ci.runs:
        return [*lines, "No completed runs.", ""]
    lines += [
        "| Run | Conclusion | Commit | Started | Duration |",
        "|---|---|---|---|---|",
    ]
    for run in ci.runs[:limit]:
        label = f"[{run.id}]({_url(run.url)})" if run.url else str(run.id)
        lines.append(
            f"| {label} | {md(run.conclusion)} | {_commit(doc, run.head_sha)} | {md(run.created_at)} | {duration(run.duration_s)} |"
        )
    return [*lines, ""]


def _url(url: str) -> str:
    """A link target from a CI run: https only, and no Markdown in it."""
    if not url.startswith("https://"):
        return "#"
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _commit(doc: ReadinessDocument, sha: str | None) -> str:
    """A commit's short SHA, linked to its page when the repository is known."""
    url = doc.commit_url(sha)
    return f"[{code(short_sha(sha))}]({url})" if url else code(short_sha(sha))


def _trend(doc: ReadinessDocument, trend: Trend, limit: int) -> list[str]:
    history = trend.history
    if not history:
        return ["## Trend", "", "No history yet.", ""]
    recent = history[-20:]
    lines = [
        "## Trend",
        "",
        f"`{sparkline([e.score for e in recent])}` last {len(recent)} scores, oldest first "
        f"({recent[0].score:.1f} → {recent[-1].score:.1f})",
        "",
        "| Scored | Where | Commit | Score | Band | Gate |",
        "|---|---|---|---:|---|---|",
    ]
    for e in reversed(history[-limit:]):
        lines.append(
            f"| {md(e.generated_at)} | {md(e.context)} | {_commit(doc, e.commit)} | {e.score:.2f} | {md(e.band)} | {md(e.gate)} |"
        )
    lines += ["", "Week over week (mean score per ISO week, newest first):", ""]
    lines += [f"- {line}" for line in weekly_lines(trend.weekly)[:8]]
    return [*lines, ""]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _monitoring(trend: Trend) -> list[str]:
    m = trend.monitoring
    return [
        "## CI health",
        "",
        "| Measure | Value | Over |",
        "|---|---:|---|",
        f"| CI pass rate (rolling) | {_percent(m.pass_rate)} | {md(m.pass_rate_detail)} |",
        f"| Average CI run time | {duration(m.average_build_s)} | {m.builds_timed} timed runs |",
        f"| Cache hit rate | {_percent(m.cache_hit_rate)} | {m.cache_hits} of {m.cache_total} session results reused over the last {m.runs_counted} scored runs |",
        f"| Flaky-test frequency | {_percent(m.flaky_frequency)} | runs with a flaky test, last {m.runs_counted} scored runs; {m.flaky_now} flaky now |",
        f"| Security issues | {m.security_issues} | high and medium findings now |",
        "",
    ]


def _jobs(doc: ReadinessDocument) -> list[str]:
    if not doc.result.jobs:
        return []
    lines = [
        "## Sessions",
        "",
        "| Session | Status | Blocking | Duration | Summary |",
        "|---|---|---|---:|---|",
    ]
    for job in doc.result.jobs:
        cached = " (cached)" if job.cached else ""
        lines.append(
            f"| {code(job.session)} | {md(job.status)}{cached} | {'yes' if job.blocking else 'no'} | "
            f"{duration(job.duration_s)} | {md(job.summary)} |"
        )
    return [*lines, ""]


def _weights(doc: ReadinessDocument) -> str:
    parts = [f"{c.weight / 100:.2f}·{md(label(c))}" for c in doc.result.components]
    return "Score = " + " + ".join(parts)


def dashboard(doc: ReadinessDocument, trend: Trend) -> str:
    """``readiness/README.md``: what GitHub shows for the folder."""
    lines = [
        f"# Release readiness: {md(doc.project)}",
        "",
        "<!-- Generated by `noxci readiness` from readiness.json and history.jsonl; do not edit. -->",
        "",
        *_headline(doc),
        *_components(doc),
        *_problems(doc),
        *_monitoring(trend),
        *_ci(doc, 10),
        *_trend(doc, trend, 10),
        *_jobs(doc),
        f"{_weights(doc)} (the weights configured); see noxci's docs/scoring.md.",
        "",
    ]
    return "\n".join(lines)


def step_summary(doc: ReadinessDocument) -> str:
    """The short form appended to ``$GITHUB_STEP_SUMMARY``."""
    return "\n".join(
        [
            "## Release readiness",
            "",
            *_headline(doc),
            *_components(doc),
            *_problems(doc),
        ]
    )
