"""The MCP dry run of one server, with the official SDK's client.

Start the server (stdio) or connect (streamable HTTP), initialize, list its
tools, resources and prompts, check every tool's input (and output) schema
is valid JSON Schema, call the tools marked safe with their sample arguments
and check the results, and shut down, all within the server's time budget.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["McpServerSpec", "SafeTool", "ServerCheck", "dry_run"]


@dataclass(frozen=True, kw_only=True)
class SafeTool:
    """A tool the MCP dry run may call, with sample arguments."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    expect_keys: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class McpServerSpec:
    """An MCP server to dry-run."""

    name: str
    command: tuple[str, ...] = ()
    url: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 60.0
    safe_tools: tuple[SafeTool, ...] = ()


_STDERR_LINES = 3


@dataclass(kw_only=True)
class ServerCheck:
    """What the dry run of one server found."""

    name: str
    ok: bool = False
    phase: str = "starting"
    tools: list[str] = field(default_factory=list)
    resources: int = 0
    prompts: int = 0
    invalid_schemas: int = 0
    safe_calls: int = 0
    safe_failures: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (rule, message)

    def problem(self, rule: str, message: str) -> None:
        """Record a finding."""
        self.problems.append((rule, message))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, for the report's details."""
        return {
            "name": self.name,
            "ok": self.ok,
            "phase": self.phase,
            "tools": self.tools,
            "resources": self.resources,
            "prompts": self.prompts,
            "problems": [{"rule": r, "message": m} for r, m in self.problems],
        }


def _schema_error(schema: Any) -> str | None:
    import jsonschema

    if not isinstance(schema, dict):
        return "not a JSON object"
    try:
        cls = jsonschema.validators.validator_for(
            schema, default=jsonschema.Draft202012Validator
        )
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"{exc.message} (at {'/'.join(str(p) for p in exc.absolute_path) or 'the top'})"
    return None


def _text(result: Any) -> str:
    parts = [getattr(item, "text", "") for item in getattr(result, "content", []) or []]
    return " ".join(p for p in parts if p)[:300] or "no message"


def _flatten(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


@contextlib.asynccontextmanager
async def _transport(
    spec: McpServerSpec, cwd: Path, env: Mapping[str, str], errlog: Any
) -> AsyncIterator[Any]:
    if spec.url:
        from mcp.client.streamable_http import streamable_http_client

        async with streamable_http_client(spec.url) as streams:
            yield streams
        return
    from mcp import StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(
        command=spec.command[0],
        args=list(spec.command[1:]),
        env={**env, **spec.env},
        cwd=str(cwd),
    )
    async with stdio_client(params, errlog=errlog) as streams:
        yield streams


async def _list(session: Any, init: Any, check: ServerCheck) -> dict[str, Any]:
    from mcp.types import PaginatedRequestParams

    check.phase = "listing tools"
    tools: dict[str, Any] = {}
    cursor = None
    while True:
        page = await session.list_tools(
            params=PaginatedRequestParams(cursor=cursor) if cursor else None
        )
        tools.update({tool.name: tool for tool in page.tools})
        cursor = page.next_cursor
        if not cursor:
            break
    check.tools = sorted(tools)
    if init.capabilities.resources is not None:
        check.phase = "listing resources"
        check.resources = len((await session.list_resources()).resources)
    if init.capabilities.prompts is not None:
        check.phase = "listing prompts"
        check.prompts = len((await session.list_prompts()).prompts)
    return tools


def _check_schemas(tools: Mapping[str, Any], check: ServerCheck) -> None:
    for name, tool in sorted(tools.items()):
        for kind, schema in (
            ("input", tool.input_schema),
            ("output", tool.output_schema),
        ):
            if schema is None and kind == "output":
                continue
            error = _schema_error(schema)
            if error:
                check.invalid_schemas += 1
                check.problem(
                    "invalid-schema",
                    f"tool {name}: its {kind} schema is not valid JSON Schema: {error}",
                )


def _result_problem(
    name: str, result: Any, expect: tuple[str, ...], output_schema: Any
) -> str | None:
    import jsonschema

    data = result.structured_content
    if result.is_error:
        return f"safe tool {name} returned an error: {_text(result)}"
    if expect and (not isinstance(data, dict) or not set(expect) <= set(data)):
        missing = sorted(set(expect) - set(data or {}))
        return f"safe tool {name}: the structured result lacks {', '.join(missing)}"
    if output_schema is not None:
        try:
            jsonschema.validate(data, output_schema)
        except jsonschema.ValidationError as exc:
            return (
                f"safe tool {name}: the result breaks its output schema: {exc.message}"
            )
    return None


async def _call_safe(
    session: Any, spec: McpServerSpec, tools: Mapping[str, Any], check: ServerCheck
) -> None:
    for safe in spec.safe_tools:
        check.phase = f"calling {safe.name}"
        if safe.name not in tools:
            check.safe_failures += 1
            check.problem(
                "missing-tool", f"safe tool {safe.name} is not offered by the server"
            )
            continue
        check.safe_calls += 1
        result = await session.call_tool(safe.name, dict(safe.arguments))
        failure = _result_problem(
            safe.name, result, safe.expect_keys, tools[safe.name].output_schema
        )
        if failure:
            check.safe_failures += 1
            check.problem("safe-call", failure)


async def _exercise(session: Any, spec: McpServerSpec, check: ServerCheck) -> None:
    check.phase = "initializing"
    init = await session.initialize()
    tools = await _list(session, init, check)
    _check_schemas(tools, check)
    await _call_safe(session, spec, tools, check)
    check.phase = "shutting down"


async def dry_run(
    spec: McpServerSpec, *, cwd: Path, env: Mapping[str, str]
) -> ServerCheck:
    """Dry-run ``spec``; every failure becomes a problem, never an exception."""
    import anyio
    from mcp import ClientSession

    check = ServerCheck(name=spec.name)
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as errlog:
        try:
            with anyio.fail_after(spec.timeout):
                async with (
                    _transport(spec, cwd, env, errlog) as (read, write),
                    ClientSession(
                        read, write, read_timeout_seconds=spec.timeout
                    ) as session,
                ):
                    await _exercise(session, spec, check)
            check.ok = not check.problems
            check.phase = "done"
        except TimeoutError:
            check.problem(
                "timeout", f"timed out after {spec.timeout:g}s while {check.phase}"
            )
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            inner = _flatten(exc)
            errlog.seek(0)
            tail = [
                line.strip() for line in errlog.read().splitlines() if line.strip()
            ][-_STDERR_LINES:]
            said = f"; it said: {' | '.join(tail)}" if tail else ""
            check.problem(
                "crash",
                f"failed while {check.phase}: {type(inner).__name__}: {inner}{said}"[
                    :600
                ],
            )
    return check
