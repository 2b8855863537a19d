"""The seed's "CI health monitoring" figures, from a result and its history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from noxci.readiness.document import ReadinessDocument
from noxci.readiness.history import HistoryEntry

__all__ = ["Monitoring", "monitoring"]

WINDOW = 10


@dataclass(frozen=True, kw_only=True)
class Monitoring:
    """Each figure is None when there is nothing to compute it from."""

    pass_rate: float | None
    pass_rate_detail: str
    average_build_s: float | None
    builds_timed: int
    cache_hit_rate: float | None
    cache_detail: str
    flaky_frequency: float | None
    flaky_now: int
    security_issues: int


def monitoring(doc: ReadinessDocument, history: Sequence[HistoryEntry]) -> Monitoring:
    """Rolling CI pass rate, average CI run time, cache hit rate, flaky frequency, security count."""
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
        cache_detail=f"{hits} of {jobs} session results reused over the last {len(recent)} scored runs",
        flaky_frequency=(
            100.0 * sum(1 for e in recent if e.flaky) / len(recent) if recent else None
        ),
        flaky_now=len(doc.result.flaky),
        security_issues=len(doc.result.security_findings),
    )
