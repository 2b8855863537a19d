"""The MCP dry run against fixture servers: good, crashing, hanging, bad
schema, failing safe tool. Each is a real process spoken to over stdio."""

from __future__ import annotations

import sys

import pytest

from noxci.jobs import get_job
from noxci.jobs.base import JobContext
from noxci.report import Report, Status
from noxci.runjob import execute
from tests.conftest import DATA, MakeConfig

SERVERS = DATA / "mcp"


def _dry_run(
    make_config: MakeConfig, server: str, safe: str = "", timeout: float = 30
) -> Report:
    command = f'["{sys.executable}", "{SERVERS / server}"]'
    config = make_config(f"""
[tool.noxci.mcp]
servers = [{{ name = "{server}", command = {command}, timeout = {timeout}, safe-tools = [{safe}] }}]
""")
    return execute(
        JobContext(config=config, job="mcp", session="mcp", python="3.11"),
        get_job("mcp"),
    )


def _messages(report: Report) -> list[str]:
    return [f.message for f in report.findings]


def test_good_server_passes(make_config: MakeConfig) -> None:
    report = _dry_run(
        make_config,
        "good.py",
        '{ name = "add", arguments = { a = 2, b = 3 }, expect-keys = ["total"] }',
    )
    assert report.status is Status.PASSED, _messages(report)
    assert report.metrics == {
        "servers_total": 1,
        "servers_ok": 1,
        "tools_total": 2,
        "tools_invalid_schema": 0,
        "safe_calls": 1,
        "safe_calls_failed": 0,
        "resources_total": 1,
        "prompts_total": 1,
    }
    assert report.details["servers"][0]["tools"] == ["add", "shout"]


def test_crash_on_start_is_a_named_finding(make_config: MakeConfig) -> None:
    report = _dry_run(make_config, "crash.py")
    assert report.status is Status.FAILED
    [message] = _messages(report)
    assert message.startswith("crash.py: failed while initializing: ")
    assert "fatal: DATABASE_URL is not set" in message


def test_hanging_server_times_out(make_config: MakeConfig) -> None:
    report = _dry_run(make_config, "hang.py", timeout=3)
    assert report.status is Status.FAILED
    assert _messages(report) == ["hang.py: timed out after 3s while initializing"]
    assert report.findings[0].rule == "timeout"


def test_invalid_tool_schema_is_named(make_config: MakeConfig) -> None:
    report = _dry_run(make_config, "bad_schema.py")
    assert report.status is Status.FAILED
    assert report.metrics["tools_invalid_schema"] == 1
    [message] = _messages(report)
    assert message.startswith(
        "bad_schema.py: tool broken: its input schema is not valid JSON Schema: "
    )
    assert "properties/x/type" in message


def test_failing_safe_tool_is_named(make_config: MakeConfig) -> None:
    report = _dry_run(make_config, "tool_error.py", '{ name = "status" }')
    assert report.status is Status.FAILED
    assert _messages(report) == [
        "tool_error.py: safe tool status returned an error: Error executing tool status: the backend is unreachable"
    ]


def test_missing_safe_tool_and_wrong_result_shape(make_config: MakeConfig) -> None:
    report = _dry_run(
        make_config,
        "good.py",
        '{ name = "nope" }, { name = "add", arguments = { a = 1, b = 1 }, expect-keys = ["sum"] }',
    )
    assert sorted(_messages(report)) == [
        "good.py: safe tool add: the structured result lacks sum",
        "good.py: safe tool nope is not offered by the server",
    ]


def test_no_servers_is_skipped(make_config: MakeConfig) -> None:
    report = execute(
        JobContext(config=make_config(""), job="mcp", session="mcp", python="3.11"),
        get_job("mcp"),
    )
    assert report.status is Status.SKIPPED


@pytest.mark.parametrize("server", ["good.py"])
def test_unknown_command_is_a_crash(make_config: MakeConfig, server: str) -> None:
    config = make_config(
        '[tool.noxci.mcp]\nservers = [{ name = "x", command = ["no-such-binary-xyz"] }]\n'
    )
    report = execute(
        JobContext(config=config, job="mcp", session="mcp", python="3.11"),
        get_job("mcp"),
    )
    assert report.status is Status.FAILED
    assert report.findings[0].rule == "crash"


def test_explain_below_threshold_names_the_cheapest_fix(
    make_config: MakeConfig,
) -> None:
    from noxci.mcpserver import explain
    from noxci.readiness.document import ReadinessDocument
    from noxci.readiness.model import CiHistory
    from noxci.readiness.scoring import score
    from tests.readiness_helpers import ci_runs
    from tests.unit.test_scoring import _loaded

    config = make_config("")
    ci = CiHistory(
        source="github", fetched_at="x", runs=tuple(ci_runs("sssssssfff"))
    )  # 70
    result = score(
        config=config.readiness,
        loaded=_loaded({"tests": {"coverage_percent": 90.0}}),
        ci=ci,
    )
    doc = ReadinessDocument(
        result=result,
        generated_at="2026-11-27T10:00:00Z",
        project="w",
        commit=None,
        branch=None,
        context="ci",
    )
    # 0.4*70 + 0.3*90 + 20 + 10 = 85: five points short
    why = explain(doc)
    assert why["reasons"] == ["the score 85.00 is 5.00 below the threshold 90"]
    # coverage would need 106.67; security and quality are at 100 already
    assert why["smallest_changes"] == [
        "raise CI pass rate from 70.00 to 82.50 (+12.50; weight 40%)"
    ]
    assert all(
        "Security" not in change for change in why["smallest_changes"]
    )  # already at 100
