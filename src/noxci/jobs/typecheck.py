"""The ``typecheck`` job: mypy, with the error count recorded.

Non-blocking by default (the seed's "warnings OK"): errors make the report
``failed`` but do not fail the session. mypy checking no file at all is an
``error``, never a pass. ``nox -s typecheck -- ARGS`` passes ARGS to mypy
(see :mod:`noxci.toolargs` for the output flags noxci keeps).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from noxci import console, fsutil
from noxci.errors import ToolError
from noxci.jobconfig import PATHS, JobConfig, option
from noxci.jobs.base import JobContext, Outcome
from noxci.layout import detect_layout, mypy_config
from noxci.parsers import ParseError
from noxci.parsers.mypy import first_error, parse_mypy
from noxci.report import Status
from noxci.toolargs import MYPY
from noxci.venvs import site_packages

__all__ = [
    "OUTPUT_FLAGS",
    "Settings",
    "expose_noxci",
    "install_aliases",
    "mypy_invocation",
    "run",
    "typecheck_paths",
]


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.typecheck]``."""

    paths: tuple[str, ...] = option(
        (),
        PATHS,
        "Paths to type-check; empty means what mypy's own config names (files, packages, modules), else the package directories.",
    )


MYPY_CRASH = 2
# One line per error and the summary, whatever the project's config says.
OUTPUT_FLAGS = (
    "--no-pretty",
    "--show-column-numbers",
    "--show-error-codes",
    "--error-summary",
    "--no-color-output",
)


def typecheck_paths(ctx: JobContext) -> list[str]:
    """Configured paths, else none when mypy's config names its targets, else the code."""
    cfg = ctx.settings(Settings)
    if cfg.paths:
        return list(cfg.paths)
    if mypy_config(ctx.root).names_targets:
        return []
    return list(detect_layout(ctx.root).paths)


_TEST_DIRS = ("tests", "test", "testing")


def _targets(ctx: JobContext) -> list[str]:
    """What mypy checks: the configured paths, mypy's own ``files``, else the code."""
    paths = typecheck_paths(ctx)
    if paths:
        return paths
    files = mypy_config(ctx.root).options.get("files", [])
    if isinstance(files, str):  # an ini file's comma-separated list
        files = files.replace("\n", ",").split(",")
    return [str(f).strip() for f in files if str(f).strip()]


def install_aliases(ctx: JobContext) -> tuple[str, ...]:
    """Further groups the session may install: the tests job's, when mypy checks the tests.

    pyproject-metadata's mypy config names ``tests``, whose modules import
    pytest; with mypy and the project alone, its 28 errors were nearly all
    import-not-found and untyped decorators.
    """
    from noxci.registry import job_spec

    checks = [Path(t).as_posix() for t in _targets(ctx)]
    tests = any(
        t == "." or any(t == d or t.startswith(f"{d}/") for d in _TEST_DIRS)
        for t in checks
    )
    if not tests:
        return ()
    return (ctx.config.job("tests").group, *job_spec("tests").aliases)


def mypy_invocation(ctx: JobContext) -> tuple[list[str], dict[str, str]]:
    """The arguments mypy gets before the session's, and the environment it needs.

    A namespace package (``jaraco/functools``, no ``jaraco/__init__.py``)
    needs ``--explicit-package-bases`` and its base on ``MYPYPATH``, else
    mypy names the module ``functools`` and stops on the standard library's.
    """
    paths = typecheck_paths(ctx)
    config = mypy_config(ctx.root)
    layout = detect_layout(ctx.root)
    flags: list[str] = []
    env: dict[str, str] = {}
    if paths and layout.namespace and not ctx.settings(Settings).paths:
        if str(config.options.get("explicit_package_bases", "")).lower() not in {
            "true",
            "1",
        }:
            flags.append("--explicit-package-bases")
        if layout.base != ".":
            env["MYPYPATH"] = layout.base
    return [*flags, *paths], env


def _what(ctx: JobContext, args: list[str]) -> str:
    named = [a for a in args if not a.startswith("-")]
    if named:
        return ", ".join(named)
    return f"as {mypy_config(ctx.root).path or 'its config'} says"


def expose_noxci(ctx: JobContext) -> bool:
    """Let mypy resolve ``import noxci`` in the noxfile, as it resolves ``import nox``.

    noxci runs beside nox, not in the session's venv; a project whose mypy
    checks noxfile.py would get import-not-found for the line noxci wrote.
    noxci ships py.typed: a ``.pth`` in the venv naming a directory that
    holds only a link to this noxci makes its types visible, and nothing
    else of nox's environment. True when it was added.
    """
    noxfile = ctx.root / "noxfile.py"
    if ctx.venv is None or not noxfile.is_file() or ctx.has("noxci"):
        return False
    if "import noxci" not in noxfile.read_text(encoding="utf-8", errors="replace"):
        return False
    import noxci

    holder = ctx.venv / "noxci-typing"
    link = holder / "noxci"
    target = Path(noxci.__file__).resolve().parent
    try:
        holder.mkdir(exist_ok=True)
        if link.is_symlink() and link.resolve() != target:
            link.unlink()  # another noxci made it
        if not link.exists():
            link.symlink_to(target, target_is_directory=True)
        for site in site_packages(ctx.venv):
            fsutil.atomic_write_text(site / "noxci-typing.pth", f"{holder}\n")
    except OSError as exc:
        console.warn(f"typecheck: cannot show noxci's types to mypy ({exc})")
        return False
    return True


def run(ctx: JobContext) -> Outcome:
    """Run mypy and count its errors and the files it checked."""
    out = ctx.artifact("mypy.txt")
    expose_noxci(ctx)
    args, env = mypy_invocation(ctx)
    split = ctx.split_args(MYPY)
    done = ctx.tool(["mypy", *args, *split.parsed, *OUTPUT_FLAGS], env=env)
    fsutil.atomic_write_text(out, done.stdout + done.stderr)
    if split.display is not None:
        ctx.tool(["mypy", *args, *split.display], env=env, capture=False, record=False)
    if done.returncode >= MYPY_CRASH:
        # A blocking error (a syntax error, a bad flag): mypy gave no verdict.
        where = first_error(done.stdout + done.stderr, str(ctx.root)) or done.tail()
        raise ToolError(f"mypy stopped with exit {done.returncode}: {where}")
    try:
        # mypy with install_types prints the errors of its second pass on stderr.
        result = parse_mypy(done.stdout + "\n" + done.stderr, str(ctx.root))
    except ParseError as exc:
        raise ToolError(
            f"{exc}; mypy exited {done.returncode}: {done.tail()}"
        ) from None
    if result.checked == 0:
        raise ToolError(
            f"mypy checked no files: it looked in {_what(ctx, args)}; "
            "set [tool.noxci.typecheck] paths or mypy's files"
        )
    if done.returncode == 1 and result.errors == 0:
        raise ToolError(f"mypy exited 1 but reported no errors: {done.tail()}")
    return Outcome(
        status=Status.PASSED if result.errors == 0 else Status.FAILED,
        summary=(
            f"mypy: {result.errors} error(s) in {result.files_with_errors} of "
            f"{result.checked} file(s) checked, {_what(ctx, args)}"
        ),
        metrics={
            "mypy_errors": result.errors,
            "mypy_files_with_errors": result.files_with_errors,
            "mypy_files_checked": result.checked or 0,
        },
        findings=result.findings,
        artifacts={"mypy-output": ctx.relative(out)},
    )
