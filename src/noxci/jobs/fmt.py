"""The ``fmt`` session: apply ``ruff check --fix`` and the project's formatter.

The one session that changes files, and it says so: it lists every file it
rewrote. What ruff cannot fix is left as findings and fails the session, so
``nox -s fmt`` then ``nox -s lint`` passes whenever the tools can make it
pass. The formatter is the one the lint job checks with (black or ruff
format); a project that lints with flake8, which fixes nothing, is only
formatted. ``nox -s fmt -- ARGS`` passes ARGS to ``ruff check``.
"""

from __future__ import annotations

from noxci import console, safefile
from noxci.digest import list_files, select_files
from noxci.errors import ToolError
from noxci.jobconfig import JobConfig
from noxci.jobs.base import JobContext, Outcome
from noxci.jobs.lint import (
    RUFF_ERROR,
    choose_formatter,
    choose_linter,
    lint_settings,
    ruff_paths,
    tools,
)
from noxci.parsers.ruff import parse_ruff_check
from noxci.report import Finding, Status

__all__ = ["Settings", "run", "tools"]

# No keys of its own: the formatter and paths are the lint job's.
Settings = JobConfig


def _hashes(ctx: JobContext) -> dict[str, str]:
    cfg = ctx.job_config
    names = select_files(list_files(ctx.root), cfg.inputs, cfg.inputs_exclude)
    found = {}
    for name in names:
        path = ctx.root / name
        if path.is_file():
            found[name] = safefile.sha256_file(path)
    return found


def _ruff_fix(ctx: JobContext, paths: list[str]) -> tuple[Finding, ...]:
    """Apply ``ruff check --fix``; what it cannot fix."""
    out = ctx.artifact("ruff.json")
    fix = ctx.tool(
        [
            "ruff",
            "check",
            "--fix",
            "--output-format",
            "json",
            "--output-file",
            out,
            *ruff_paths(ctx, paths, list(ctx.posargs)),
            *ctx.posargs,
        ]
    )
    if fix.returncode >= RUFF_ERROR or not out.is_file():
        raise ToolError(f"ruff check --fix exited {fix.returncode}: {fix.tail()}")
    return parse_ruff_check(
        safefile.read_text(out, root=ctx.root, limit=ctx.config.max_file_size),
        str(ctx.root),
    ).findings


def run(ctx: JobContext) -> Outcome:
    """Fix, format, and list what changed."""
    paths = list(lint_settings(ctx).paths)
    before = _hashes(ctx)
    # flake8 fixes nothing: a project that lints with it only gets formatted.
    fixing = choose_linter(ctx) == "ruff"
    remaining = _ruff_fix(ctx, paths) if fixing else ()
    formatter = choose_formatter(ctx)
    if formatter != "none":
        argv = (
            ["black", *(paths or ["."])]
            if formatter == "black"
            else ["ruff", "format", *ruff_paths(ctx, paths, [])]
        )
        done = ctx.tool(argv)
        if done.returncode != 0:
            raise ToolError(f"{formatter} exited {done.returncode}: {done.tail()}")
    after = _hashes(ctx)
    changed = sorted(
        name for name, digest in after.items() if before.get(name) != digest
    )
    for name in changed:
        console.info(f"fmt: rewrote {name}")
    left = len(remaining)
    how = ", ".join(["ruff --fix"] * fixing + [formatter])
    return Outcome(
        status=Status.PASSED if left == 0 else Status.FAILED,
        summary=(
            f"changed {len(changed)} file(s) ({how}); {left} finding(s) ruff cannot fix"
        ),
        metrics={"files_changed": len(changed), "ruff_findings": left},
        findings=remaining,
        artifacts=(
            {"ruff-json": ctx.relative(ctx.artifact("ruff.json"))} if fixing else {}
        ),
        details={"changed": changed, "formatter": formatter},
    )
