"""The ``lint`` job: the project's linter plus a format check (black or ruff format).

The linter is ``ruff check``, or flake8 where the project lints with flake8
and not ruff (:mod:`noxci.linters`). Nothing is ever rewritten: ruff runs
with ``--no-fix`` and the formatters in check mode. ``nox -s lint -- ARGS``
passes ARGS to the linter (its output flags go to a second run, for
display: :mod:`noxci.toolargs`). A lint of no file at all is an ``error``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from noxci import console, fsutil
from noxci.errors import ToolError
from noxci.jobconfig import PATHS, JobConfig, option
from noxci.jobs.base import JobContext, Outcome
from noxci.parsers import ParseError
from noxci.parsers.black import parse_black_check
from noxci.parsers.flake8 import parse_flake8
from noxci.parsers.ruff import FormatResult, parse_ruff_check, parse_ruff_format
from noxci.precommit import pre_commit_hooks
from noxci.project import dependency_names, tool_table
from noxci.report import Finding, Severity, Status
from noxci.toolargs import FLAKE8, RUFF_CHECK
from noxci.venvs import requirement_name

__all__ = [
    "Settings",
    "choose_formatter",
    "choose_linter",
    "lint_settings",
    "ruff_paths",
    "run",
    "tools",
]


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.lint]``."""

    linter: str = option(
        "auto",
        {"enum": ["auto", "ruff", "flake8"]},
        "Linter: auto uses flake8 when the project configures or pre-commits flake8 and nothing of ruff; else ruff.",
    )
    formatter: str = option(
        "auto",
        {"enum": ["auto", "black", "ruff", "none"]},
        "Format checker: auto uses black when the project configures, depends on or pre-commits black; none when its pre-commit runs ruff without ruff-format; else ruff format.",
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
    """The project's formatter: black, ruff format, or none.

    black when the project configures or depends on black (or runs its
    pre-commit hook); none when its pre-commit runs ruff but not
    ``ruff-format`` and it has no ``[tool.ruff.format]`` (it lints with
    ruff and formats with nothing); else ruff format.
    """
    cfg = lint_settings(ctx)
    if cfg.formatter != "auto":
        return cfg.formatter
    hooks = pre_commit_hooks(ctx.root)
    if (
        tool_table(ctx.root, "black")
        or "black" in dependency_names(ctx.root)
        or "black" in hooks
    ):
        return "black"
    ruff = hooks.get("ruff")
    if (
        ruff is not None
        and "ruff-format" not in ruff.ids
        and "format" not in tool_table(ctx.root, "ruff")
    ):
        return "none"
    return "ruff"


def choose_linter(ctx: JobContext) -> str:
    """The project's linter: flake8 where it uses flake8 and not ruff, else ruff.

    A project that lints with flake8 (tabulate) never chose ruff's rules:
    ruff's defaults would fail it on findings its own linter does not make.
    """
    cfg = lint_settings(ctx)
    if cfg.linter != "auto":
        return cfg.linter
    from noxci.linters import uses_flake8, uses_ruff

    return "flake8" if uses_flake8(ctx.root) and not uses_ruff(ctx.root) else "ruff"


def tools(ctx: JobContext) -> list[str]:
    """The job's tools: the project's linter and formatter."""
    wanted = {choose_linter(ctx), choose_formatter(ctx)}
    return [tool for tool in ctx.job_config.tools if requirement_name(tool) in wanted]


def _version(ctx: JobContext, tool: str) -> tuple[int, ...]:
    text = ctx.version(tool) or "0"
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def _format_check(ctx: JobContext, formatter: str, paths: list[str]) -> FormatResult:
    root = str(ctx.root)
    if formatter == "black":
        done = ctx.tool(["black", "--check", "--no-color", *(paths or ["."])])
        if done.returncode not in {0, 1}:
            raise ToolError(f"black exited {done.returncode}: {done.tail()}")
        return parse_black_check(done.stderr, root)
    # ruff format has machine-readable output from 0.16 only; concise is one
    # line per file there, and older ruffs print "Would reformat: PATH".
    # From 0.16 it formats the Python in Markdown too: noxci counts what the
    # ruff installed checks, as `ruff format --check` run by hand does.
    new = _version(ctx, "ruff") >= (0, 16)
    concise = ["--output-format", "concise"] if new else []
    targets = ruff_paths(ctx, paths, [])
    done = ctx.tool(["ruff", "format", "--check", *concise, *targets], record=False)
    if done.returncode not in {0, 1}:
        raise ToolError(f"ruff format exited {done.returncode}: {done.tail()}")
    return parse_ruff_format(done.stdout, root)


def _checked_files(ctx: JobContext, args: list[str]) -> int:
    """How many files ruff lints: ``ruff check --show-files`` lists them."""
    done = ctx.tool(["ruff", "check", "--show-files", *args], record=False)
    if done.returncode != 0:
        raise ToolError(
            f"ruff check --show-files exited {done.returncode}: {done.tail()}"
        )
    return sum(1 for line in done.stdout.splitlines() if line.strip())


def ruff_paths(ctx: JobContext, paths: list[str], args: list[str]) -> list[str]:
    """What ruff checks: the configured paths, else those in ``args``, else ``.``.

    ruff finds the files under ``.`` by its own include and exclude settings
    either way; rather than leave the path out, it is named, since ruff 0.1
    stops with "Expected at least one path" when none is given.
    """
    if paths or any(
        not arg.startswith("-") and (ctx.root / arg).exists() for arg in args
    ):
        return paths
    return ["."]


def _where(paths: list[str]) -> str:
    return (
        ", ".join(paths)
        if paths
        else "the project root, as ruff's include and exclude settings say"
    )


def _sarif(ctx: JobContext, args: list[str], out: Path) -> dict[str, str]:
    """Write ruff's findings as SARIF: the artifact, or none from a ruff without SARIF.

    SARIF is for display (GitHub code scanning); ruff 0.1 cannot write it
    ("invalid value 'sarif'"), and then the job goes on without it.
    """
    done = ctx.tool(
        ["ruff", "check", "--no-fix", "--exit-zero", "--output-format", "sarif", *args],
        record=False,
    )
    if done.returncode != 0 and "invalid value 'sarif'" in done.stderr:
        console.info(f"{ctx.session}: ruff {ctx.version('ruff')} cannot write SARIF")
        out.unlink(missing_ok=True)
        return {}
    if done.returncode != 0:
        raise ToolError(f"ruff check (SARIF) exited {done.returncode}: {done.tail()}")
    fsutil.atomic_write_text(out, done.stdout)
    return {"ruff-sarif": ctx.relative(out)}


@dataclass(frozen=True, kw_only=True)
class _Linted:
    """What the linter found, with its metrics and artifacts for the report."""

    linter: str
    findings: tuple[Finding, ...]
    files: int
    metrics: dict[str, int]
    artifacts: dict[str, str]


def _ruff(ctx: JobContext, paths: list[str]) -> _Linted:
    split = ctx.split_args(RUFF_CHECK)
    targets = ruff_paths(ctx, paths, list(split.parsed))
    args = [*targets, *split.parsed]
    json_out, sarif_out = ctx.artifact("ruff.json"), ctx.artifact("ruff.sarif")
    check = ctx.tool(["ruff", "check", "--no-fix", "--output-format", "json", *args])
    if check.returncode >= RUFF_ERROR:
        raise ToolError(f"ruff check exited {check.returncode}: {check.tail()}")
    checked = _checked_files(ctx, args)
    fsutil.atomic_write_text(json_out, check.stdout)
    ruff = parse_ruff_check(check.stdout, str(ctx.root))
    if split.display is not None:
        ctx.tool(
            ["ruff", "check", "--no-fix", *targets, *split.display],
            capture=False,
            record=False,
        )
    return _Linted(
        linter="ruff",
        findings=ruff.findings,
        files=checked,
        metrics={
            "ruff_findings": len(ruff.findings),
            "ruff_fixable": ruff.fixable,
            "ruff_files_checked": checked,
        },
        artifacts={"ruff-json": ctx.relative(json_out), **_sarif(ctx, args, sarif_out)},
    )


def _flake8(ctx: JobContext, paths: list[str]) -> _Linted:
    """flake8 under the project's own config (its plugins come with it)."""
    split = ctx.split_args(FLAKE8)
    named = any(not a.startswith("-") for a in split.parsed)
    args = [*(paths or ([] if named else ["."])), *split.parsed]
    out = ctx.artifact("flake8.txt")
    done = ctx.tool(["flake8", "--format=default", "--benchmark", *args])
    fsutil.atomic_write_text(out, done.stdout + done.stderr)
    if done.returncode not in {0, 1}:
        raise ToolError(f"flake8 exited {done.returncode}: {done.tail()}")
    try:
        result = parse_flake8(done.stdout, str(ctx.root))
    except ParseError as exc:
        raise ToolError(f"{exc}: {done.tail()}") from None
    if split.display is not None:
        ctx.tool(["flake8", *args, *split.display], capture=False, record=False)
    return _Linted(
        linter="flake8",
        findings=result.findings,
        files=result.files,
        metrics={
            "flake8_findings": len(result.findings),
            "flake8_files_checked": result.files,
        },
        artifacts={"flake8": ctx.relative(out)},
    )


def run(ctx: JobContext) -> Outcome:
    """Run the linter and the format check; report findings and unformatted files."""
    paths = list(ctx.settings(Settings).paths)
    linter = choose_linter(ctx)
    lint = _flake8(ctx, paths) if linter == "flake8" else _ruff(ctx, paths)
    if lint.files == 0:
        raise ToolError(
            f"{linter} found no files to lint in {_where(paths)}; set [tool.noxci.lint] paths"
        )
    formatter = choose_formatter(ctx)
    fmt = (
        FormatResult(unformatted=(), checked=0)
        if formatter == "none"
        else _format_check(ctx, formatter, paths)
    )
    if formatter != "none" and fmt.checked == 0:
        raise ToolError(
            f"{formatter} found no files to check in {_where(paths)}; set [tool.noxci.lint] paths"
        )
    unformatted = list(fmt.unformatted)
    findings = list(lint.findings) + [
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
    ok = not lint.findings and not unformatted
    fmt_line = (
        "no format check"
        if formatter == "none"
        else f"{formatter}: {len(unformatted)} of {fmt.checked} file(s) to reformat"
    )
    return Outcome(
        status=Status.PASSED if ok else Status.FAILED,
        summary=f"{linter}: {len(lint.findings)} finding(s) in {lint.files} file(s); {fmt_line}",
        metrics={
            **lint.metrics,
            "format_unformatted": len(unformatted),
            "format_files_checked": fmt.checked,
        },
        findings=findings,
        artifacts=lint.artifacts,
        details={"linter": linter, "formatter": formatter, "unformatted": unformatted},
    )
