"""The ``lint`` job: ``ruff check`` plus a format check (black or ruff format).

Nothing is ever rewritten: ruff runs with ``--no-fix`` and the formatters in
check mode. ``nox -s lint -- ARGS`` passes ARGS to ``ruff check``.
"""

from __future__ import annotations

from dataclasses import dataclass

from noxci import safefile
from noxci.errors import ToolError
from noxci.jobconfig import PATHS, JobConfig, option
from noxci.jobs.base import JobContext, Outcome
from noxci.parsers.black import parse_black_check
from noxci.parsers.ruff import parse_ruff_check, parse_ruff_format
from noxci.project import dependency_names, tool_table
from noxci.report import Finding, Severity, Status
from noxci.venvs import requirement_name

__all__ = ["Settings", "choose_formatter", "lint_settings", "run", "tools"]


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.lint]``."""

    formatter: str = option(
        "auto",
        {"enum": ["auto", "black", "ruff", "none"]},
        "Format checker: auto uses black when the project configures or depends on black, else ruff format.",
    )
    paths: tuple[str, ...] = option(
        (),
        PATHS,
        "Paths to lint; empty means the tools' own configuration (or the project root).",
    )


RUFF_ERROR = 2
BLACK_ERROR = 123


def lint_settings(ctx: JobContext) -> Settings:
    """``[tool.noxci.lint]``, also for the ``fmt`` session, which follows it."""
    return ctx.config.settings("lint", Settings)


def choose_formatter(ctx: JobContext) -> str:
    """Black when the project uses black, else ruff format (or none)."""
    cfg = lint_settings(ctx)
    if cfg.formatter != "auto":
        return cfg.formatter
    if tool_table(ctx.root, "black") or "black" in dependency_names(ctx.root):
        return "black"
    return "ruff"


def tools(ctx: JobContext) -> list[str]:
    """The job's tools, less the formatter the project does not use."""
    formatter = choose_formatter(ctx)
    return [
        tool
        for tool in ctx.job_config.tools
        if requirement_name(tool) in {"ruff", formatter}
    ]


def _format_check(ctx: JobContext, formatter: str, paths: list[str]) -> list[str]:
    root = str(ctx.root)
    if formatter == "black":
        done = ctx.tool(["black", "--check", "--no-color", *(paths or ["."])])
        if done.returncode not in {0, 1}:
            raise ToolError(f"black exited {done.returncode}: {done.tail()}")
        return list(parse_black_check(done.stderr, root))
    done = ctx.tool(
        ["ruff", "format", "--check", "--output-format", "json", *paths], record=False
    )
    if done.returncode not in {0, 1}:
        raise ToolError(f"ruff format exited {done.returncode}: {done.tail()}")
    return list(parse_ruff_format(done.stdout, root))


def run(ctx: JobContext) -> Outcome:
    """Run ruff check and the format check; report findings and unformatted files."""
    paths = list(ctx.settings(Settings).paths)
    json_out, sarif_out = ctx.artifact("ruff.json"), ctx.artifact("ruff.sarif")
    check = ctx.tool(
        [
            "ruff",
            "check",
            "--no-fix",
            "--output-format",
            "json",
            "--output-file",
            json_out,
            *paths,
            *ctx.posargs,
        ]
    )
    if check.returncode >= RUFF_ERROR or not json_out.is_file():
        raise ToolError(f"ruff check exited {check.returncode}: {check.tail()}")
    ruff = parse_ruff_check(
        safefile.read_text(json_out, root=ctx.root, limit=ctx.config.max_file_size),
        str(ctx.root),
    )
    sarif = ctx.tool(
        [
            "ruff",
            "check",
            "--no-fix",
            "--exit-zero",
            "--output-format",
            "sarif",
            "--output-file",
            sarif_out,
            *paths,
            *ctx.posargs,
        ],
        record=False,
    )
    if sarif.returncode != 0:
        raise ToolError(f"ruff check (SARIF) exited {sarif.returncode}: {sarif.tail()}")

    formatter = choose_formatter(ctx)
    unformatted = [] if formatter == "none" else _format_check(ctx, formatter, paths)
    findings = list(ruff.findings) + [
        Finding(
            tool=formatter,
            rule="format",
            severity=Severity.LOW,
            message="file is not formatted",
            path=path,
            line=None,
        )
        for path in unformatted
    ]
    ok = not ruff.findings and not unformatted
    fmt = (
        "no format check"
        if formatter == "none"
        else f"{formatter}: {len(unformatted)} file(s) to reformat"
    )
    return Outcome(
        status=Status.PASSED if ok else Status.FAILED,
        summary=f"ruff: {len(ruff.findings)} finding(s); {fmt}",
        metrics={
            "ruff_findings": len(ruff.findings),
            "ruff_fixable": ruff.fixable,
            "format_unformatted": len(unformatted),
        },
        findings=findings,
        artifacts={
            "ruff-json": ctx.relative(json_out),
            "ruff-sarif": ctx.relative(sarif_out),
        },
        details={"formatter": formatter, "unformatted": unformatted},
    )
