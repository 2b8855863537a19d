"""The ``docs`` job: documentation completeness.

Two measures: docstring coverage of the package, counted by interrogate
(honouring the project's ``[tool.interrogate]``), and the presence of the
required files (README, LICENSE, CHANGELOG by default). Zero documentable
items is an ``error`` naming where interrogate looked, never 100%.
"""

from __future__ import annotations

from dataclasses import dataclass

from noxci import fsutil
from noxci.errors import ToolError
from noxci.jobconfig import PATHS, JobConfig, option
from noxci.jobs.base import JobContext, Outcome
from noxci.parsers.interrogate import parse_interrogate
from noxci.precommit import pre_commit_hooks
from noxci.project import detect_packages, tool_table
from noxci.report import Finding, Severity, Status

__all__ = ["Settings", "run"]


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.docs]``."""

    paths: tuple[str, ...] = option(
        (),
        PATHS,
        "Packages whose docstrings are counted; empty means the paths the project's interrogate pre-commit hook names, else src/ or the package.",
    )
    required_files: tuple[str, ...] = option(
        ("README*", "LICENSE*", "CHANGELOG*"),
        PATHS,
        "Globs that must each match a file at the project root.",
    )
    fail_under: float = option(
        0.0,
        {"type": "number", "minimum": 0, "maximum": 100},
        "Docstring coverage below this percent fails the job.",
    )

    @property
    def digest_globs(self) -> tuple[str, ...]:
        """``inputs`` plus the required files: adding or deleting one changes the result."""
        return (*self.inputs, *self.required_files)


def docstring_paths(ctx: JobContext) -> list[str]:
    """``[tool.noxci.docs] paths``, else those the project's interrogate hook names, else the code.

    A project that runs interrogate from pre-commit on ``tests`` (structlog,
    with ``whitelist-regex = ["test_.*"]``) means its config for those paths.
    """
    cfg = ctx.settings(Settings)
    if cfg.paths:
        return list(cfg.paths)
    hook = pre_commit_hooks(ctx.root).get("interrogate")
    named = [
        p
        for p in (hook.paths if hook else ())
        if (ctx.root / p).is_dir() or p.endswith(".py")
    ]
    return named or detect_packages(ctx.root)


def _why_none(ctx: JobContext) -> str:
    table = tool_table(ctx.root, "interrogate")
    whitelist = table.get("whitelist-regex") or table.get("whitelist_regex")
    why = (
        f" (its [tool.interrogate] whitelist-regex {whitelist!r} counts only the names that match)"
        if whitelist
        else ""
    )
    return f"{why}; set [tool.noxci.docs] paths to the documented code"


def run(ctx: JobContext) -> Outcome:
    """Count docstrings and look for the required files."""
    cfg = ctx.settings(Settings)
    if not ctx.has("interrogate"):
        raise ToolError(
            f"interrogate is not installed; add it to the '{cfg.group}' dependency group"
        )
    missing_files = [
        pattern for pattern in cfg.required_files if not any(ctx.root.glob(pattern))
    ]
    out = ctx.artifact("interrogate.txt")
    paths = docstring_paths(ctx)
    done = ctx.tool(
        ["interrogate", "-v", "--no-color", "--fail-under", "0", *paths, *ctx.posargs]
    )
    fsutil.atomic_write_text(out, done.stdout)
    if done.returncode != 0:
        raise ToolError(f"interrogate exited {done.returncode}: {done.tail()}")
    docs = parse_interrogate(done.stdout, str(ctx.root))
    if docs.total == 0:
        raise ToolError(
            f"interrogate counted no documentable items in {', '.join(paths)}{_why_none(ctx)}"
        )
    percent = 100.0 * docs.documented / docs.total
    findings = [
        Finding(
            tool="interrogate",
            rule="docstring",
            severity=Severity.INFO,
            message=f"{count} item(s) without a docstring",
            path=path,
            line=None,
        )
        for path, count in sorted(docs.missing_by_file.items())
    ] + [
        Finding(
            tool="noxci",
            rule="required-file",
            severity=Severity.LOW,
            message=f"no file matches {pattern!r} at the project root",
            path=None,
            line=None,
        )
        for pattern in missing_files
    ]
    ok = percent >= cfg.fail_under and not missing_files
    return Outcome(
        status=Status.PASSED if ok else Status.FAILED,
        summary=(
            f"docstrings {docs.documented}/{docs.total} ({percent:.1f}%); "
            f"{len(cfg.required_files) - len(missing_files)}/{len(cfg.required_files)} required files"
        ),
        metrics={
            "docstrings_total": docs.total,
            "docstrings_documented": docs.documented,
            "docstring_coverage_percent": round(percent, 2),
            "required_files_total": len(cfg.required_files),
            "required_files_missing": len(missing_files),
        },
        findings=findings,
        artifacts={"interrogate": ctx.relative(out)},
        details={"missing_files": missing_files},
    )
