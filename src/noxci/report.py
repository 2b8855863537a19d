"""The report contract: one JSON document per session run.

Models are frozen dataclasses; dicts exist only at the JSON edge
(:meth:`Report.to_dict` / :meth:`Report.from_dict`). Reports are validated
against the shipped schema both when written and when read.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from noxci import __version__, console, fsutil
from noxci.errors import ReportError

__all__ = [
    "SCHEMA_VERSION",
    "Environment",
    "Finding",
    "GitInfo",
    "Inputs",
    "Metric",
    "Report",
    "Severity",
    "Status",
    "ToolRun",
    "checksum",
    "read_report",
    "write_report",
]

SCHEMA_VERSION = 1

Metric = int | float | bool | str


class Status(enum.Enum):
    """How a session run ended."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"

    @property
    def final(self) -> bool:
        """Whether the job ran to a verdict (the only reports a cache may reuse)."""
        return self in {Status.PASSED, Status.FAILED}


class Severity(enum.Enum):
    """How much a finding matters."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One problem a tool reported."""

    tool: str
    rule: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``column`` only when known: older readers lack it)."""
        data: dict[str, Any] = {
            "tool": self.tool,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
            "line": self.line,
        }
        if self.column is not None:
            data["column"] = self.column
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Build from the JSON form (already schema-valid)."""
        return cls(
            tool=data["tool"],
            rule=data["rule"],
            severity=Severity(data["severity"]),
            message=data["message"],
            path=data["path"],
            line=data["line"],
            column=data.get("column"),
        )


@dataclass(frozen=True, kw_only=True)
class ToolRun:
    """A tool the session ran, its version and how it exited."""

    name: str
    version: str | None
    exit_code: int | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"name": self.name, "version": self.version, "exit_code": self.exit_code}


@dataclass(frozen=True, kw_only=True)
class GitInfo:
    """Where in history the report was made; informative, never decisive."""

    commit: str | None = None
    branch: str | None = None
    dirty: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"commit": self.commit, "branch": self.branch, "dirty": self.dirty}


@dataclass(frozen=True, kw_only=True)
class Inputs:
    """What a job read; its digest says whether two runs saw the same inputs."""

    files: str
    file_count: int
    python: str
    args: tuple[str, ...] = ()
    env: Mapping[str, str | None] = field(default_factory=dict)
    noxci: str = __version__
    salt: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "files": self.files,
            "file_count": self.file_count,
            "python": self.python,
            "args": list(self.args),
            "env": dict(self.env),
            "noxci": self.noxci,
            "salt": self.salt,
        }

    @property
    def digest(self) -> str:
        """sha256 over the canonical JSON of these inputs."""
        return hashlib.sha256(fsutil.canonical(self.to_dict()).encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Inputs:
        """Build from the JSON form."""
        return cls(
            files=data["files"],
            file_count=data["file_count"],
            python=data["python"],
            args=tuple(data["args"]),
            env=dict(data["env"]),
            noxci=data["noxci"],
            salt=data["salt"],
        )


@dataclass(frozen=True, kw_only=True)
class Environment:
    """The machine the session ran on."""

    python: str
    platform: str
    ci: bool
    noxci: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "python": self.python,
            "platform": self.platform,
            "ci": self.ci,
            "noxci": self.noxci,
        }


@dataclass(frozen=True, kw_only=True)
class Report:
    """One session run: its verdict, figures and findings."""

    session: str
    job: str
    status: Status
    blocking: bool
    started_at: str
    duration_s: float
    summary: str
    inputs: Inputs
    environment: Environment
    git: GitInfo = GitInfo()
    error: str | None = None
    cached: bool = False
    tools: Sequence[ToolRun] = ()
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    findings: Sequence[Finding] = ()
    artifacts: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def inputs_digest(self) -> str:
        """The digest of :attr:`inputs`."""
        return self.inputs.digest

    def as_cached(self) -> Report:
        """A copy marked as reused (the original duration is kept)."""
        return replace(self, cached=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as the schema describes it, redacted and sealed with its checksum."""
        data: dict[str, Any] = console.redact_data(self._content())  # type: ignore[assignment]
        data["checksum"] = checksum(data)
        return data

    def _content(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "session": self.session,
            "job": self.job,
            "status": self.status.value,
            "blocking": self.blocking,
            "cached": self.cached,
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 3),
            "summary": self.summary,
            "error": self.error,
            "git": self.git.to_dict(),
            "inputs_digest": self.inputs_digest,
            "inputs": self.inputs.to_dict(),
            "environment": self.environment.to_dict(),
            "tools": [tool.to_dict() for tool in self.tools],
            "metrics": dict(self.metrics),
            "findings": [finding.to_dict() for finding in self.findings],
            "artifacts": dict(self.artifacts),
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """Build from the JSON form; ``data`` must already be schema-valid."""
        return cls(
            session=data["session"],
            job=data["job"],
            status=Status(data["status"]),
            blocking=data["blocking"],
            cached=data["cached"],
            started_at=data["started_at"],
            duration_s=data["duration_s"],
            summary=data["summary"],
            error=data["error"],
            git=GitInfo(**data["git"]),
            inputs=Inputs.from_dict(data["inputs"]),
            environment=Environment(**data["environment"]),
            tools=tuple(ToolRun(**tool) for tool in data["tools"]),
            metrics=dict(data["metrics"]),
            findings=tuple(Finding.from_dict(item) for item in data["findings"]),
            artifacts=dict(data["artifacts"]),
            details=dict(data["details"]),
        )


def checksum(data: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of ``data`` without its ``checksum`` key."""
    content = {k: v for k, v in data.items() if k != "checksum"}
    return hashlib.sha256(fsutil.canonical(content).encode()).hexdigest()


def _check(data: Any, where: str) -> None:
    from noxci.schema import validation_errors

    errors = validation_errors("report", data)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ReportError(f"{where}: not a valid noxci report: {errors[0]}{more}")
    if data["checksum"] != checksum(data):
        raise ReportError(
            f"{where}: not a valid noxci report: its checksum does not match its "
            "content (the file was changed after it was written); re-run the session"
        )
    if data["inputs_digest"] != Inputs.from_dict(data["inputs"]).digest:
        raise ReportError(
            f"{where}: not a valid noxci report: inputs_digest does not match "
            "its inputs (the file was edited by hand or corrupted)"
        )


def write_report(path: Path, report: Report) -> None:
    """Validate ``report`` and write it atomically to ``path``.

    Temporary files that killed writers left beside it are removed first
    (:mod:`noxci.leftovers`).
    """
    from noxci.leftovers import remove_stale_temps

    data = report.to_dict()
    _check(data, str(path))
    remove_stale_temps(path.parent)
    fsutil.atomic_write_json(path, data)


def read_report(
    path: Path, *, root: Path | None = None, limit: int | None = None
) -> Report:
    """Read and validate a report; any problem is a one-line :class:`ReportError`.

    It is read through :mod:`noxci.safefile` (``root``: the project, which a
    symlink may not leave; ``limit``: ``max-file-size``).
    """
    from noxci import safefile

    data = safefile.read_json(path, root=root, limit=limit)
    if isinstance(data, dict) and data.get("schema_version") not in {SCHEMA_VERSION}:
        raise ReportError(
            f"{path}: schema_version {data.get('schema_version')!r} is not "
            f"{SCHEMA_VERSION}; re-run the session with this noxci"
        )
    _check(data, str(path))
    return Report.from_dict(data)
