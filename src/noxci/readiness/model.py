"""The readiness models: what the scorer takes and what it returns.

Frozen dataclasses with enums; ``to_dict``/``from_dict`` only at the JSON
edge (``readiness/readiness.json``, validated by ``readiness.schema.json``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "COUNTED",
    "EXCLUDED",
    "Band",
    "CiHistory",
    "CiRun",
    "Component",
    "Gate",
    "JobRow",
    "Problem",
    "ReadinessResult",
    "security_keys",
]

# Which run conclusions count towards the CI pass rate. success passes;
# cancelled, skipped, neutral and stale GitHub runs, and local preflight
# runs in which a job errored for an environment reason ("errored": an
# install failed, a service was unreachable), say nothing about the code
# and are left out (and the output says so); every other conclusion
# (failure, timed_out, startup_failure, action_required, or one GitHub adds
# later) counts as not passing.
PASSING = frozenset({"success"})
FAILING = frozenset({"failure", "timed_out", "startup_failure", "action_required"})
COUNTED = PASSING | FAILING
EXCLUDED = frozenset({"cancelled", "skipped", "neutral", "stale", "errored"})


class Band(enum.Enum):
    """The seed's bands, decided on the unrounded score."""

    EXCELLENT = "Excellent"
    GOOD = "Good"
    FAIR = "Fair"
    POOR = "Poor"

    @property
    def verdict(self) -> str:
        """The seed's one-line meaning of the band."""
        return {
            Band.EXCELLENT: "ship it",
            Band.GOOD: "minor improvements needed",
            Band.FAIR: "address issues",
            Band.POOR: "not ready for release",
        }[self]


class Gate(enum.Enum):
    """The gate's verdict; ``exit_code`` is what ``noxci readiness`` exits with."""

    PASSED = "passed"
    BELOW_THRESHOLD = "below-threshold"
    BLOCKING_JOB = "blocking-job"
    INCOMPLETE = "incomplete"

    @property
    def exit_code(self) -> int:
        """0 passed, 1 below threshold, 2 incomplete data, 8 a blocking job failed."""
        from noxci.errors import ExitCode

        return {
            Gate.PASSED: ExitCode.OK,
            Gate.BELOW_THRESHOLD: ExitCode.FAILED,
            Gate.BLOCKING_JOB: ExitCode.BLOCKING_JOB,
            Gate.INCOMPLETE: ExitCode.INCOMPLETE,
        }[self]


@dataclass(frozen=True, kw_only=True)
class Problem:
    """Why an input could not be trusted; each one scores its component 0."""

    subject: str  # a session name, or "ci-history"
    kind: (
        str  # missing, unreadable, invalid, stale, skipped, error, empty, out-of-range
    )
    message: str

    def to_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {"subject": self.subject, "kind": self.kind, "message": self.message}


@dataclass(frozen=True, kw_only=True)
class CiRun:
    """One completed run of the CI workflow."""

    id: int
    conclusion: str
    created_at: str
    head_sha: str | None = None
    branch: str | None = None
    event: str | None = None
    duration_s: float | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "id": self.id,
            "conclusion": self.conclusion,
            "created_at": self.created_at,
            "head_sha": self.head_sha,
            "branch": self.branch,
            "event": self.event,
            "duration_s": self.duration_s,
            "url": self.url,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CiRun:
        """Build from the JSON form."""
        return cls(
            id=int(data["id"]),
            conclusion=str(data["conclusion"]),
            created_at=str(data["created_at"]),
            head_sha=data.get("head_sha"),
            branch=data.get("branch"),
            event=data.get("event"),
            duration_s=data.get("duration_s"),
            url=data.get("url"),
        )


@dataclass(frozen=True, kw_only=True)
class CiHistory:
    """The CI runs used for the pass rate, and where they came from."""

    source: str  # github, cache, preflight, none
    fetched_at: str | None
    runs: Sequence[CiRun] = ()
    warnings: Sequence[str] = ()


@dataclass(frozen=True, kw_only=True)
class Component:
    """One weighted part of the score."""

    name: str
    label: str
    weight: float
    score: float
    detail: str
    sessions: Sequence[str] = ()
    problems: Sequence[Problem] = ()
    minimum: float | None = None

    @property
    def weighted(self) -> float:
        """The component's contribution to the total."""
        return self.weight * self.score / 100.0

    @property
    def below_minimum(self) -> bool:
        """Whether the component is under its configured minimum."""
        return self.minimum is not None and self.score < self.minimum

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "name": self.name,
            "label": self.label,
            "weight": self.weight,
            "score": round(self.score, 4),
            "weighted": round(self.weighted, 4),
            "detail": self.detail,
            "sessions": list(self.sessions),
            "minimum": self.minimum,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True, kw_only=True)
class JobRow:
    """One session's line in the readiness table."""

    session: str
    job: str
    status: str
    blocking: bool
    cached: bool
    duration_s: float | None
    summary: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "session": self.session,
            "job": self.job,
            "status": self.status,
            "blocking": self.blocking,
            "cached": self.cached,
            "duration_s": self.duration_s,
            "summary": self.summary,
        }


@dataclass(frozen=True, kw_only=True)
class ReadinessResult:
    """The scored state of the project: score, band, gate and why."""

    score: float
    band: Band
    gate: Gate
    threshold: float
    message: str
    components: Sequence[Component]
    jobs: Sequence[JobRow] = ()
    ci: CiHistory = field(
        default_factory=lambda: CiHistory(source="none", fetched_at=None)
    )
    flaky: Sequence[str] = ()
    security_findings: Sequence[Mapping[str, Any]] = ()

    @property
    def problems(self) -> list[Problem]:
        """Every problem of every component."""
        return [p for c in self.components for p in c.problems]

    def component(self, name: str) -> Component:
        """The component called ``name``."""
        return next(c for c in self.components if c.name == name)


def security_keys(result: ReadinessResult) -> tuple[str, ...]:
    """Stable identities of the security findings, to tell new ones from old."""
    keys = set()
    for finding in result.security_findings:
        # a file for bandit, the package name (the message's first word) otherwise
        where = finding.get("path") or str(finding.get("message", "")).split(" ")[0]
        keys.add(f"{finding.get('rule')}@{where}")
    return tuple(sorted(keys))
