"""What the tests job reports beyond its counts: findings, and where it looked.

Split from :mod:`noxci.jobs.tests` so that the job module reads as the run.
"""

from __future__ import annotations

from collections.abc import Sequence

from noxci.jobs.base import JobContext
from noxci.parsers.pytest_log import BAD, RunLog
from noxci.project import tool_table
from noxci.report import Finding, Severity

__all__ = ["findings", "looked_in"]


def looked_in(ctx: JobContext) -> str:
    """Where pytest looked for tests, as its config says, for the no-tests error."""
    table = tool_table(ctx.root, "pytest")
    options = table.get("ini_options", table)
    where = options.get("testpaths") if isinstance(options, dict) else None
    files = options.get("python_files") if isinstance(options, dict) else None
    text = f"it looked in {where or 'the project root'}"
    if files:
        text += f" for files named {files}"
    args = " ".join(ctx.posargs)
    return (
        text
        + (f" with {args}" if args else "")
        + ("; check pytest's testpaths and python_files")
    )


def findings(log: RunLog, flaky: Sequence[str]) -> list[Finding]:
    """A finding per failed, errored or flaky test and per collection error."""
    found: list[Finding] = []
    for nodeid, categories in log.tests.items():
        bad = BAD & set(categories)
        if bad or nodeid in flaky:
            where = log.locations.get(nodeid)
            rule = (
                "flaky"
                if nodeid in flaky
                else ("failed" if "failed" in bad else "error")
            )
            message = f"{nodeid}: " + (
                "passed on re-run"
                if rule == "flaky"
                else (where.message if where else rule)
            )
            found.append(
                Finding(
                    tool="pytest",
                    rule=rule,
                    severity=Severity.LOW if rule == "flaky" else Severity.HIGH,
                    message=message,
                    path=where.path if where else None,
                    line=where.line if where else None,
                )
            )
    for nodeid, message in log.collection_errors.items():
        found.append(
            Finding(
                tool="pytest",
                rule="collection-error",
                severity=Severity.HIGH,
                message=f"{nodeid}: {message}",
                path=nodeid.split("::")[0],
                line=None,
            )
        )
    return found
