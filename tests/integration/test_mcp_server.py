"""`noxci mcp` with the official SDK client, on a fixture project."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from noxci.config import load_config
from noxci.github import GitHubSettings
from noxci.readiness.run import Options, readiness
from noxci.registry import job_spec
from noxci.report import read_report
from tests.integration.conftest import Project, make_project
from tests.readiness_helpers import ci_runs, fetch_returning, fresh_report


@pytest.fixture
def scored(tmp_path: Path) -> Project:
    project = make_project(tmp_path)
    config = load_config(project.root)
    for job in ("lint", "typecheck", "tests", "docs"):
        fresh_report(config, job)
    # No security report: the gate is incomplete, which explain_gate must say.
    readiness(
        config,
        {},
        Options(
            github=GitHubSettings(token="t", repository="a/b"),
            fetch=fetch_returning(ci_runs("ssssssssss")),
        ),
    )
    return project


def _call_all(root: Path, calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "noxci", "mcp", "--directory", str(root)],
            env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
            cwd=str(root),
        )
        results: dict[str, Any] = {}
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            results["tools"] = await session.list_tools()
            for index, (name, arguments) in enumerate(calls):
                results[f"{index}:{name}"] = await session.call_tool(name, arguments)
        return results

    return anyio.run(main)


def test_every_tool_against_the_fixture(scored: Project) -> None:
    config = load_config(scored.root)
    results = _call_all(
        scored.root,
        [
            ("list_sessions", {}),
            ("get_readiness", {}),
            ("explain_gate", {}),
            ("get_report", {"session": "lint"}),
            ("run_session", {"name": "docs"}),
            ("run_session", {"name": "lock"}),
            ("run_session", {"name": "lint; rm -rf /"}),
            ("get_report", {"session": "../etc/passwd"}),
        ],
    )
    tools = {tool.name: tool for tool in results["tools"].tools}
    assert set(tools) == {
        "list_sessions",
        "run_session",
        "get_readiness",
        "explain_gate",
        "get_report",
    }
    assert all(tool.input_schema["type"] == "object" for tool in tools.values())
    assert tools["run_session"].input_schema["required"] == ["name"]

    sessions = results["0:list_sessions"].structured_content["sessions"]
    by_name = {s["name"]: s for s in sessions}
    assert {
        "lint",
        "typecheck",
        "tests",
        "docs",
        "security",
        "build",
        "smoke",
        "readiness",
        "preflight",
    } <= set(by_name)
    assert (by_name["lint"]["allowed"], by_name["preflight"]["allowed"]) == (
        True,
        False,
    )
    assert by_name["lint"]["description"] == job_spec("lint").description

    state = results["1:get_readiness"].structured_content
    document = (config.local_readiness_dir / "readiness.json").read_text()
    assert state["available"] is True
    assert f'"score": {state["score"]}' in document
    assert state["gate"] == "incomplete"
    assert state["missing"] == [
        "security (missing): no security.json; run `nox -s security`"
    ]

    why = results["2:explain_gate"].structured_content
    assert why["passes"] is False
    assert why["reasons"] == [
        "security: missing: no security.json; run `nox -s security`"
    ]
    assert why["smallest_changes"] == [
        "re-run nox -s security so that it reports fresh, valid data (missing now)"
    ]

    assert (
        results["3:get_report"].structured_content
        == read_report(config.reports_dir / "lint.json").to_dict()
    )

    ran = results["4:run_session"].structured_content
    assert (ran["session"], ran["exit_code"], ran["passed"], ran["report_status"]) == (
        "docs",
        0,
        True,
        "passed",
    )
    assert ran["summary"] == read_report(config.reports_dir / "docs.json").summary

    for key, expected in (
        ("5:run_session", "refused: 'lock' is not in [tool.noxci.mcp] allow-sessions"),
        ("6:run_session", "refused: 'lint; rm -rf /' is not a session name"),
        ("7:get_report", "refused: '../etc/passwd' is not a session name"),
    ):
        result = results[key]
        assert result.is_error
        assert expected in result.content[0].text
