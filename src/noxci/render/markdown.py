"""Markdown: the dashboard (``readiness/README.md``) and the step summary."""

from __future__ import annotations

from collections.abc import Sequence

from noxci.readiness.document import ReadinessDocument
from noxci.readiness.history import HistoryEntry
from noxci.readiness.model import EXCLUDED
from noxci.render.common import age, duration, parse_time, short_sha, sparkline
from noxci.render.monitoring import monitoring

__all__ = ["dashboard", "step_summary", "weekly"]

_GATE = {
    "passed": "✅ passed",
    "below-threshold": "❌ failed (below threshold)",
    "incomplete": "❌ failed (incomplete data)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _headline(doc: ReadinessDocument) -> list[str]:
    r = doc.result
    when = doc.generated_at.replace("T", " ").replace("Z", " UTC")
    return [
        f"**Score {r.score:.2f} / 100 · {r.band.value}** ({r.band.verdict}) · "
        f"gate {_GATE[r.gate.value]} (threshold {r.threshold:g})",
        "",
        f"Commit `{short_sha(doc.commit)}` on `{doc.branch or 'unknown'}`, scored {when} ({doc.context}).",
        "",
        f"> {r.message}",
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
            f"| {c.label} | {c.weight:g}% | {c.score:.2f}{minimum} | {c.weighted:.2f} | {_cell(c.detail)} |"
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
        *[f"- `{p.subject}` ({p.kind}): {_cell(p.message)}" for p in problems],
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
        f"Source: **{ci.source}**{fetched}. Runs that ended "
        f"{', '.join(sorted(EXCLUDED))} are left out of the pass rate.",
        "",
    ]
    lines += [f"- ⚠️ {_cell(w)}" for w in ci.warnings]
    if ci.warnings:
        lines.append("")
    if not ci.runs:
        return [*lines, "No completed runs.", ""]
    lines += [
        "| Run | Conclusion | Commit | Started | Duration |",
        "|---|---|---|---|---|",
    ]
    for run in ci.runs[:limit]:
        label = f"[{run.id}]({run.url})" if run.url else str(run.id)
        lines.append(
            f"| {label} | {run.conclusion} | `{short_sha(run.head_sha)}` | {run.created_at} | {duration(run.duration_s)} |"
        )
    return [*lines, ""]


def _trend(history: Sequence[HistoryEntry], limit: int) -> list[str]:
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
            f"| {e.generated_at} | {e.context} | `{short_sha(e.commit)}` | {e.score:.2f} | {e.band} | {e.gate} |"
        )
    lines += ["", "Week over week (mean score per ISO week, newest first):", ""]
    lines += [f"- {line}" for line in weekly(history)[:8]]
    return [*lines, ""]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _monitoring(doc: ReadinessDocument, history: Sequence[HistoryEntry]) -> list[str]:
    m = monitoring(doc, history)
    return [
        "## CI health",
        "",
        "| Measure | Value | Over |",
        "|---|---:|---|",
        f"| CI pass rate (rolling) | {_percent(m.pass_rate)} | {_cell(m.pass_rate_detail)} |",
        f"| Average CI run time | {duration(m.average_build_s)} | {m.builds_timed} timed runs |",
        f"| Cache hit rate | {_percent(m.cache_hit_rate)} | {m.cache_detail} |",
        f"| Flaky-test frequency | {_percent(m.flaky_frequency)} | runs with a flaky test, last {min(len(history), 10)} scored runs; {m.flaky_now} flaky now |",
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
            f"| `{job.session}` | {job.status}{cached} | {'yes' if job.blocking else 'no'} | "
            f"{duration(job.duration_s)} | {_cell(job.summary)} |"
        )
    return [*lines, ""]


def dashboard(
    doc: ReadinessDocument,
    history: Sequence[HistoryEntry],
    *,
    extra: Sequence[str] = (),
) -> str:
    """``readiness/README.md``: what GitHub shows for the folder."""
    lines = [
        f"# Release readiness: {doc.project}",
        "",
        "<!-- Generated by `noxci readiness` from readiness.json and history.jsonl; do not edit. -->",
        "",
        *_headline(doc),
        *_components(doc),
        *_problems(doc),
        *extra,
        *_monitoring(doc, history),
        *_ci(doc, 10),
        *_trend(history, 10),
        *_jobs(doc),
        "Score = 0.40·CI pass rate + 0.30·coverage + 0.20·security + 0.10·quality (weights as configured); "
        "see docs/scoring.md.",
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


def weekly(history: Sequence[HistoryEntry]) -> list[str]:
    """Week-over-week averages of the score (ISO weeks), newest first."""
    weeks: dict[str, list[float]] = {}
    for entry in history:
        when = parse_time(entry.generated_at)
        if when is not None:
            year, week, _ = when.isocalendar()
            weeks.setdefault(f"{year}-W{week:02d}", []).append(entry.score)
    return [
        f"{key}: {sum(v) / len(v):.2f} over {len(v)} run(s)"
        for key, v in sorted(weeks.items(), reverse=True)
    ]
