"""The ``mcp`` job: the seed's "MCP dry run" of every server in ``[tool.noxci.mcp]``.

Each server runs with the session venv on its PATH (so ``python -m yourpkg``
is the project's), within its own time budget; see :mod:`noxci.mcpcheck`.
"""

from __future__ import annotations

from noxci.config import McpConfig
from noxci.jobs.base import JobContext, Outcome
from noxci.mcpcheck import ServerCheck, dry_run
from noxci.report import Finding, Severity, Status

__all__ = ["run"]


def run(ctx: JobContext) -> Outcome:
    """Dry-run every configured server."""
    import anyio

    cfg = ctx.settings(McpConfig)
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
