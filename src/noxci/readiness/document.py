"""``readiness.json``: a scored result with where and when it was made.

Everything downstream (the dashboard, the PR comment, the badge, the
readiness service) is rendered from this document, never from raw reports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noxci.errors import ReportError
from noxci.readiness.model import (
    Band,
    CiHistory,
    CiRun,
    Component,
    Gate,
    JobRow,
    Problem,
    ReadinessResult,
)

__all__ = ["ReadinessDocument", "latest_path", "read_document", "validate_document"]

SCHEMA_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class ReadinessDocument:
    """A :class:`ReadinessResult` plus its provenance."""

    result: ReadinessResult
    generated_at: str
    project: str
    commit: str | None
    branch: str | None
    context: str  # ci, preflight or local
    cache_hits: int = 0
    pull_request: int | None = None
    repository_url: str | None = None

    def commit_url(self, sha: str | None) -> str | None:
        """The page of commit ``sha``, when the repository is known."""
        if (
            not sha
            or not self.repository_url
            or not re.fullmatch(r"[0-9a-f]{7,40}", sha)
        ):
            return None
        return f"{self.repository_url.rstrip('/')}/commit/{sha}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as ``readiness.schema.json`` describes it."""
        r = self.result
        return {
            "schema_version": SCHEMA_VERSION,
            "generated_at": self.generated_at,
            "project": self.project,
            "commit": self.commit,
            "branch": self.branch,
            "context": self.context,
            "score": r.score,
            "band": r.band.value,
            "threshold": r.threshold,
            "gate": {
                "status": r.gate.value,
                "exit_code": r.gate.exit_code,
                "message": r.message,
            },
            "components": [c.to_dict() for c in r.components],
            "ci": {
                "source": r.ci.source,
                "fetched_at": r.ci.fetched_at,
                "warnings": list(r.ci.warnings),
                "runs": [run.to_dict() for run in r.ci.runs],
            },
            "jobs": [job.to_dict() for job in r.jobs],
            "flaky": list(r.flaky),
            "security_findings": [dict(f) for f in r.security_findings],
            "cache": {"hits": self.cache_hits, "total": len(r.jobs)},
            "pull_request": self.pull_request,
            "repository_url": self.repository_url,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReadinessDocument:
        """Build from a schema-valid JSON form."""
        ci = data["ci"]
        result = ReadinessResult(
            score=float(data["score"]),
            band=Band(data["band"]),
            gate=Gate(data["gate"]["status"]),
            threshold=float(data["threshold"]),
            message=data["gate"]["message"],
            components=[
                Component(
                    name=c["name"],
                    label=c["label"],
                    weight=float(c["weight"]),
                    score=float(c["score"]),
                    detail=c["detail"],
                    sessions=tuple(c["sessions"]),
                    minimum=c["minimum"],
                    problems=tuple(Problem(**p) for p in c["problems"]),
                )
                for c in data["components"]
            ],
            jobs=[JobRow(**job) for job in data["jobs"]],
            ci=CiHistory(
                source=ci["source"],
                fetched_at=ci["fetched_at"],
                runs=tuple(CiRun.from_dict(run) for run in ci["runs"]),
                warnings=tuple(ci["warnings"]),
            ),
            flaky=tuple(data["flaky"]),
            security_findings=tuple(data["security_findings"]),
        )
        return cls(
            result=result,
            generated_at=data["generated_at"],
            project=data["project"],
            commit=data["commit"],
            branch=data["branch"],
            context=data["context"],
            cache_hits=data["cache"]["hits"],
            pull_request=data.get("pull_request"),
            repository_url=data.get("repository_url"),
        )


def validate_document(data: Any, where: str) -> ReadinessDocument:
    """Check ``data`` against the readiness schema; one-line error otherwise."""
    from noxci.schema import validation_errors

    errors = validation_errors("readiness", data)
    if errors:
        raise ReportError(f"{where}: not a valid readiness result: {errors[0]}")
    return ReadinessDocument.from_dict(data)


def read_document(
    path: Path, *, root: Path | None = None, limit: int | None = None
) -> ReadinessDocument:
    """Read (through :mod:`noxci.safefile`) and validate ``readiness.json``."""
    from noxci import safefile

    return validate_document(
        safefile.read_json(path, root=root, limit=limit), str(path)
    )


def latest_path(readiness_dir: Path, local_dir: Path) -> Path:
    """The newer of the local and the committed ``readiness.json``."""
    local, committed = local_dir / "readiness.json", readiness_dir / "readiness.json"
    if not local.exists():
        return committed
    if not committed.exists() or local.stat().st_mtime >= committed.stat().st_mtime:
        return local
    return committed
