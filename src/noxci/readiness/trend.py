"""What the history says: the baseline, the weekly means and the CI health figures.

Computed once per readiness run from ``history.jsonl`` and the result; the
renderers only format it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from noxci.clock import parse_time
from noxci.readiness.document import ReadinessDocument
from noxci.readiness.history import HistoryEntry

__all__ = ["Monitoring", "Trend", "WeekMean", "trend"]

WINDOW = 10


@dataclass(frozen=True, kw_only=True)
class WeekMean:
    """The mean score of one ISO week."""

    week: str  # 2026-W48
    mean: float
    runs: int


@dataclass(frozen=True, kw_only=True)
class Monitoring:
    """The seed's CI health figures; each is None when there is nothing to compute it from."""

    pass_rate: float | None
    pass_rate_detail: str
    average_build_s: float | None
    builds_timed: int
    cache_hit_rate: float | None
    cache_hits: int
    cache_total: int
    runs_counted: int
    flaky_frequency: float | None
    flaky_now: int
    security_issues: int


@dataclass(frozen=True, kw_only=True)
class Trend:
    """Everything the renderers show besides the result itself."""

    history: Sequence[HistoryEntry]  # oldest first
    weekly: Sequence[WeekMean]  # newest first
    monitoring: Monitoring
    baseline: HistoryEntry | None  # the default branch's latest CI score
    branch_scores: Sequence[float]  # the default branch's CI scores, oldest first


def _baseline(history: Sequence[HistoryEntry], branch: str) -> HistoryEntry | None:
    """The newest score of the default branch (never of a PR or a laptop)."""
    for entry in reversed(history):
        if entry.branch == branch and entry.context == "ci":
            return entry
    return None


def _weekly(history: Sequence[HistoryEntry]) -> list[WeekMean]:
    weeks: dict[str, list[float]] = {}
    for entry in history:
        when = parse_time(entry.generated_at)
        if when is not None:
            year, week, _ = when.isocalendar()
            weeks.setdefault(f"{year}-W{week:02d}", []).append(entry.score)
    return [
        WeekMean(week=key, mean=sum(v) / len(v), runs=len(v))
        for key, v in sorted(weeks.items(), reverse=True)
    ]


def _monitoring(doc: ReadinessDocument, history: Sequence[HistoryEntry]) -> Monitoring:
    ci = doc.result.component("ci")
    durations = [
        r.duration_s for r in doc.result.ci.runs[:WINDOW] if r.duration_s is not None
    ]
    recent = list(history[-WINDOW:])
    hits = sum(e.cache_hits for e in recent)
    jobs = sum(e.jobs for e in recent)
    return Monitoring(
        pass_rate=None if ci.problems else ci.score,
        pass_rate_detail=ci.detail,
        average_build_s=sum(durations) / len(durations) if durations else None,
        builds_timed=len(durations),
        cache_hit_rate=100.0 * hits / jobs if jobs else None,
        cache_hits=hits,
        cache_total=jobs,
        runs_counted=len(recent),
        flaky_frequency=(
            100.0 * sum(1 for e in recent if e.flaky) / len(recent) if recent else None
        ),
        flaky_now=len(doc.result.flaky),
        security_issues=len(doc.result.security_findings),
    )


def trend(
    doc: ReadinessDocument, history: Sequence[HistoryEntry], default_branch: str
) -> Trend:
    """The trend of ``doc`` over ``history`` (oldest first)."""
    return Trend(
        history=tuple(history),
        weekly=tuple(_weekly(history)),
        monitoring=_monitoring(doc, history),
        baseline=_baseline(history, default_branch),
        branch_scores=tuple(
            e.score for e in history if e.branch == default_branch and e.context == "ci"
        ),
    )
