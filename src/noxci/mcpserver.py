"""``noxci mcp``: the pipeline as an MCP server, for coding agents.

Tools (each with a JSON input schema and a structured result):

- ``list_sessions``: the noxfile's sessions, from ``nox -l --json``;
- ``run_session(name, args)``: run an allowed session with a timeout; refused
  for a session not in ``[tool.noxci.mcp] allow-sessions`` or a name that is
  not a plain session name;
- ``get_readiness``: the latest score, band, gate, components, what is missing;
- ``explain_gate``: why the gate fails, and the smallest changes that would pass;
- ``get_report(session)``: a session's validated report.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

# pydantic (under the MCP SDK) can only describe nested TypedDicts from
# typing_extensions on Python < 3.12.
from typing_extensions import TypedDict

from noxci import proc
from noxci.config import Config, find_root, load_config
from noxci.errors import NoxciError, ReportError
from noxci.jobs.mcp import Settings as McpSettings
from noxci.noxlist import in_place
from noxci.readiness.document import ReadinessDocument, latest_path, read_document
from noxci.readiness.model import Gate
from noxci.report import read_report
from noxci.safefile import MissingFile

__all__ = ["build_server", "explain", "main"]

SESSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
OUTPUT_TAIL = 40


class SessionInfo(TypedDict):
    """One nox session."""

    name: str
    description: str
    tags: list[str]
    python: str | None
    allowed: bool


class SessionList(TypedDict):
    """``list_sessions``'s result."""

    sessions: list[SessionInfo]


class RunResult(TypedDict):
    """``run_session``'s result."""

    session: str
    exit_code: int
    passed: bool
    report_status: str | None
    summary: str | None
    output_tail: list[str]


class ComponentInfo(TypedDict):
    """One component of the score."""

    name: str
    score: float
    weight: float
    detail: str


class Readiness(TypedDict):
    """``get_readiness``'s result."""

    available: bool
    score: float | None
    band: str | None
    gate: str | None
    message: str
    generated_at: str | None
    commit: str | None
    components: list[ComponentInfo]
    missing: list[str]


class Explanation(TypedDict):
    """``explain_gate``'s result."""

    gate: str
    passes: bool
    reasons: list[str]
    smallest_changes: list[str]


def explain(doc: ReadinessDocument) -> Explanation:
    """Why the gate fails, and the least that would make it pass."""
    r = doc.result
    reasons: list[str] = []
    changes: list[str] = []
    for problem in r.problems:
        reasons.append(f"{problem.subject}: {problem.kind}: {problem.message}")
        target = (
            "the CI history"
            if problem.subject == "ci-history"
            else f"nox -s {problem.subject}"
        )
        changes.append(
            f"re-run {target} so that it reports fresh, valid data ({problem.kind} now)"
        )
    for c in r.components:
        if c.below_minimum and c.minimum is not None:
            reasons.append(
                f"{c.label} is {c.score:.2f}, below its minimum {c.minimum:g}"
            )
            changes.append(
                f"raise {c.label} by {c.minimum - c.score:.2f} points (to {c.minimum:g})"
            )
    gap = r.threshold - r.score
    if gap > 0 and not r.problems:
        reasons.append(
            f"the score {r.score:.2f} is {gap:.2f} below the threshold {r.threshold:g}"
        )
        options = []
        for c in r.components:
            if c.weight <= 0:
                continue
            needed = gap * 100 / c.weight
            if c.score + needed <= 100:
                options.append(
                    (
                        needed,
                        f"raise {c.label} from {c.score:.2f} to {c.score + needed:.2f} "
                        f"(+{needed:.2f}; weight {c.weight:g}%)",
                    )
                )
        options.sort()
        changes += [text for _, text in options] or [
            "no single component can close the gap: raise several"
        ]
    return Explanation(
        gate=r.gate.value,
        passes=r.gate is Gate.PASSED,
        reasons=reasons,
        smallest_changes=changes,
    )


def _mcp(cfg: Config) -> McpSettings:
    return cfg.settings("mcp", McpSettings)


def _run_session(root: Path, cfg: Config, name: str, extra: list[str]) -> RunResult:
    if not SESSION_NAME.match(name):
        raise ToolError(
            f"refused: {name!r} is not a session name (letters, digits, _ . - only)"
        )
    if name not in _mcp(cfg).allow_sessions:
        raise ToolError(
            f"refused: {name!r} is not in [tool.noxci.mcp] allow-sessions "
            f"({', '.join(_mcp(cfg).allow_sessions)})"
        )
    if any("\0" in a or "\n" in a for a in extra):
        raise ToolError("refused: arguments may not contain NUL or newlines")
    argv = [sys.executable, "-m", "nox", "-s", name, *(["--", *extra] if extra else [])]
    try:
        done = proc.run(
            argv, cwd=root, timeout=_mcp(cfg).run_timeout, echo=False, env=in_place()
        )
    except NoxciError as exc:
        raise ToolError(str(exc)) from None
    status = summary = None
    try:
        report = read_report(
            cfg.reports_dir / f"{name}.json", root=cfg.root, limit=cfg.max_file_size
        )
        status, summary = report.status.value, report.summary
    except ReportError:
        pass  # not a job session, or it wrote no report: the exit code says it all
    output = (done.stdout + done.stderr).splitlines()[-OUTPUT_TAIL:]
    return RunResult(
        session=name,
        exit_code=done.returncode,
        passed=done.returncode == 0,
        report_status=status,
        summary=summary,
        output_tail=output,
    )


def _readiness_state(doc: ReadinessDocument | None) -> Readiness:
    if doc is None:
        return Readiness(
            available=False,
            score=None,
            band=None,
            gate=None,
            generated_at=None,
            commit=None,
            message="no readiness/readiness.json yet: run the readiness session",
            components=[],
            missing=[],
        )
    r = doc.result
    return Readiness(
        available=True,
        score=r.score,
        band=r.band.value,
        gate=r.gate.value,
        message=r.message,
        generated_at=doc.generated_at,
        commit=doc.commit,
        components=[
            ComponentInfo(name=c.name, score=c.score, weight=c.weight, detail=c.detail)
            for c in r.components
        ],
        missing=[f"{p.subject} ({p.kind}): {p.message}" for p in r.problems],
    )


def build_server(root: Path) -> MCPServer:
    """The MCP server for the project at ``root``."""
    app = MCPServer(
        "noxci",
        instructions=(
            "noxci runs this project's CI as nox sessions and scores release readiness. "
            "Use get_readiness and explain_gate before running sessions; run_session runs only allowed sessions."
        ),
    )

    def config() -> Config:
        try:
            return load_config(root)
        except NoxciError as exc:
            raise ToolError(str(exc)) from None

    def readiness_doc() -> ReadinessDocument | None:
        cfg = config()
        path = latest_path(cfg.readiness_dir, cfg.local_readiness_dir)
        try:
            return read_document(path, root=cfg.root, limit=cfg.max_file_size)
        except MissingFile:
            return None
        except ReportError as exc:
            raise ToolError(str(exc)) from None

    @app.tool()
    def list_sessions() -> SessionList:
        """List the project's nox sessions, their descriptions, and whether run_session may run them."""
        from noxci.noxlist import list_sessions as nox_sessions

        allowed = set(_mcp(config()).allow_sessions)
        try:
            sessions = nox_sessions(root)
        except NoxciError as exc:
            raise ToolError(str(exc)) from None
        return SessionList(
            sessions=[
                SessionInfo(
                    name=s.name,
                    description=s.description,
                    tags=list(s.tags),
                    python=s.python,
                    allowed=s.name in allowed,
                )
                for s in sessions
            ]
        )

    @app.tool()
    def run_session(name: str, args: list[str] | None = None) -> RunResult:
        """Run one allowed nox session (``nox -s NAME -- ARGS``) and return its verdict and report summary."""
        return _run_session(root, config(), name, list(args or []))

    @app.tool()
    def get_readiness() -> Readiness:
        """The latest readiness result: score, band, gate, components and what is missing."""
        return _readiness_state(readiness_doc())

    @app.tool()
    def explain_gate() -> Explanation:
        """Why the readiness gate fails (or passes), and the smallest changes that would make it pass."""
        doc = readiness_doc()
        if doc is None:
            return Explanation(
                gate="unknown",
                passes=False,
                reasons=["no readiness result yet"],
                smallest_changes=["run the readiness session (nox -s readiness)"],
            )
        return explain(doc)

    @app.tool()
    def get_report(session: str) -> dict[str, Any]:
        """A session's report (reports/<session>.json), validated against the report schema."""
        if not SESSION_NAME.match(session):
            raise ToolError(f"refused: {session!r} is not a session name")
        try:
            cfg = config()
            path = cfg.reports_dir / f"{session}.json"
            return read_report(path, root=cfg.root, limit=cfg.max_file_size).to_dict()
        except ReportError as exc:
            raise ToolError(str(exc)) from None

    return app


def main(directory: Path | None = None) -> None:
    """Serve the project at ``directory`` (default: here) over stdio."""
    build_server(find_root(directory or Path.cwd())).run()
