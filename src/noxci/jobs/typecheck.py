"""The ``typecheck`` job: mypy, with the error count recorded.

Non-blocking by default (the seed's "warnings OK"): errors make the report
``failed`` but do not fail the session. ``nox -s typecheck -- ARGS`` passes
ARGS to mypy.
"""

from __future__ import annotations

from dataclasses import dataclass

from noxci import fsutil
from noxci.errors import ToolError
from noxci.jobconfig import PATHS, JobConfig, option
from noxci.jobs.base import JobContext, Outcome
from noxci.parsers.mypy import parse_mypy
from noxci.project import detect_packages, tool_table
from noxci.report import Status

__all__ = ["Settings", "run", "typecheck_paths"]


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.typecheck]``."""

    paths: tuple[str, ...] = option(
        (),
        PATHS,
        "Paths to type-check; empty means mypy's own `files` setting, else src/ or the package.",
    )


MYPY_CRASH = 2


def typecheck_paths(ctx: JobContext) -> list[str]:
    """Configured paths, else mypy's own ``files`` (by passing none), else the code."""
    cfg = ctx.settings(Settings)
    if cfg.paths:
        return list(cfg.paths)
    if tool_table(ctx.root, "mypy").get("files") or (ctx.root / "mypy.ini").is_file():
        return []
    return detect_packages(ctx.root)


def run(ctx: JobContext) -> Outcome:
    """Run mypy with JSON output and count its errors."""
    out = ctx.artifact("mypy.jsonl")
    done = ctx.tool(["mypy", "--output", "json", *typecheck_paths(ctx), *ctx.posargs])
    fsutil.atomic_write_text(out, done.stdout)
    if done.returncode >= MYPY_CRASH:
        # A blocking error (a syntax error, a bad flag): mypy gave no verdict.
        try:
            first = parse_mypy(done.stdout, str(ctx.root)).findings[:1]
        except ToolError:
            first = ()
        where = (
            f"{first[0].path}:{first[0].line}: {first[0].message}"
            if first
            else done.tail()
        )
        raise ToolError(f"mypy stopped with exit {done.returncode}: {where}")
    result = parse_mypy(done.stdout, str(ctx.root))
    if done.returncode == 1 and result.errors == 0:
        raise ToolError(f"mypy exited 1 but reported no errors: {done.tail()}")
    return Outcome(
        status=Status.PASSED if result.errors == 0 else Status.FAILED,
        summary=f"mypy: {result.errors} error(s) in {result.files_with_errors} file(s)",
        metrics={
            "mypy_errors": result.errors,
            "mypy_files_with_errors": result.files_with_errors,
        },
        findings=result.findings,
        artifacts={"mypy-json": ctx.relative(out)},
    )
