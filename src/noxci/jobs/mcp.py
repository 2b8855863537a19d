"""The ``mcp`` job: the seed's "MCP dry run" of every server in ``[tool.noxci.mcp]``.

Each server runs with the session venv on its PATH (so ``python -m yourpkg``
is the project's), within its own time budget; see :mod:`noxci.mcpcheck`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from noxci.jobconfig import JobConfig, build_settings, option
from noxci.jobs.base import JobContext, Outcome
from noxci.mcpcheck import McpServerSpec, SafeTool, ServerCheck, dry_run
from noxci.report import Finding, Severity, Status

__all__ = ["Settings", "run"]

_SESSION = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"}
_SAFE_TOOL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "arguments": {
            "type": "object",
            "description": "Sample arguments for the call.",
        },
        "expect-keys": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Keys the structured result must have.",
        },
    },
}
_SERVER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "command": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string"},
            "description": "The command line that starts the server on stdio.",
        },
        "url": {
            "type": "string",
            "pattern": "^https?://",
            "description": "A running server's streamable HTTP endpoint (instead of command).",
        },
        "env": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Extra environment for the server process.",
        },
        "timeout": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 86400,
            "description": "Seconds the whole dry run of this server may take.",
        },
        "safe-tools": {
            "type": "array",
            "items": _SAFE_TOOL,
            "description": "Tools that may be called in CI, with sample arguments.",
        },
    },
}


def _servers(items: Sequence[Any]) -> tuple[McpServerSpec, ...]:
    return tuple(
        build_settings(
            McpServerSpec,
            {
                **item,
                "safe-tools": tuple(
                    build_settings(SafeTool, tool)
                    for tool in item.get("safe-tools", [])
                ),
            },
        )
        for item in items
    )


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.mcp]``."""

    servers: tuple[McpServerSpec, ...] = option(
        (),
        {"type": "array", "items": _SERVER},
        "MCP servers to dry-run: started, initialized, listed, validated, safe tools called, shut down.",
        convert=_servers,
    )
    allow_sessions: tuple[str, ...] = option(
        ("lint", "typecheck", "tests", "docs", "security", "build", "readiness"),
        {"type": "array", "items": _SESSION},
        "Sessions `noxci mcp`'s run_session tool may run.",
    )
    run_timeout: float = option(
        1800.0,
        {"type": "number", "exclusiveMinimum": 0, "maximum": 86400},
        "Seconds a session started by run_session may take.",
    )


def run(ctx: JobContext) -> Outcome:
    """Dry-run every configured server."""
    import anyio

    cfg = ctx.settings(Settings)
    if not cfg.servers:
        return Outcome(
            status=Status.SKIPPED, summary="no MCP servers in [tool.noxci.mcp] servers"
        )
    env = ctx.tool_env()
    checks: list[ServerCheck] = []
    for spec in cfg.servers:
        checks.append(anyio.run(lambda spec=spec: dry_run(spec, cwd=ctx.root, env=env)))  # type: ignore[misc]
    findings = [
        Finding(
            tool="mcp",
            rule=rule,
            severity=Severity.HIGH,
            message=f"{check.name}: {message}",
        )
        for check in checks
        for rule, message in check.problems
    ]
    ok = [c for c in checks if c.ok]
    tools = sum(len(c.tools) for c in checks)
    return Outcome(
        status=Status.PASSED if len(ok) == len(checks) else Status.FAILED,
        summary=(
            f"{len(ok)} of {len(checks)} MCP server(s) passed; {tools} tools, "
            f"{sum(c.safe_calls for c in checks)} safe calls, {len(findings)} finding(s)"
        ),
        metrics={
            "servers_total": len(checks),
            "servers_ok": len(ok),
            "tools_total": tools,
            "tools_invalid_schema": sum(c.invalid_schemas for c in checks),
            "safe_calls": sum(c.safe_calls for c in checks),
            "safe_calls_failed": sum(c.safe_failures for c in checks),
            "resources_total": sum(c.resources for c in checks),
            "prompts_total": sum(c.prompts for c in checks),
        },
        findings=findings,
        details={"servers": [c.to_dict() for c in checks]},
    )
