"""Session arguments merged with the flags noxci sets itself.

``nox -s lint -- ARGS`` passes ARGS to the tool. Most go to the run noxci
parses, beside its own flags. Two kinds cannot:

- flags that choose the output noxci reads (ruff's ``--output-format`` and
  ``--output-file``, mypy's ``--output``, pytest's ``--junitxml``): given
  twice, ruff refuses to start and mypy or pytest write what noxci cannot
  read. They are left out of the parsed run; when the tool is cheap to run
  twice (ruff, mypy) it runs once more exactly as asked, for display only.
- flags that would change files in a check session (``ruff --fix``): left
  out everywhere, with a warning naming the session that does apply fixes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "FLAKE8",
    "MYPY",
    "PYTEST",
    "RUFF_CHECK",
    "RUFF_FORMAT",
    "SplitArgs",
    "ToolFlags",
    "split_args",
]


@dataclass(frozen=True, kw_only=True)
class ToolFlags:
    """A tool's flags that noxci owns: each maps to whether it takes a value."""

    output: Mapping[str, bool]
    forbidden: Mapping[str, bool]
    advice: str = ""
    rerun: bool = True  # run once more with the user's output flags


RUFF_CHECK = ToolFlags(
    output={
        "--output-format": True,
        "--output-file": True,
        "-o": True,
        "--statistics": False,
    },
    forbidden={
        "--fix": False,
        "--unsafe-fixes": False,
        "--fix-only": False,
        "--watch": False,
        "-w": False,
    },
    advice="`nox -s fmt` applies fixes",
)
FLAKE8 = ToolFlags(
    output={
        "--format": True,
        "--output-file": True,
        "-q": False,
        "--quiet": False,
        "--count": False,
        "--statistics": False,
    },
    forbidden={},
)
RUFF_FORMAT = ToolFlags(output={"--output-format": True}, forbidden={})
MYPY = ToolFlags(output={"--output": True, "-O": True}, forbidden={})
PYTEST = ToolFlags(
    output={"--junitxml": True, "--junit-xml": True, "--report-log": True},
    forbidden={},
    advice="the JUnit XML and report log are in the reports directory",
    rerun=False,
)


@dataclass(frozen=True, kw_only=True)
class SplitArgs:
    """The arguments for the parsed run, for a display run, and what was dropped."""

    parsed: tuple[str, ...]
    display: tuple[str, ...] | None
    dropped: tuple[str, ...]
    forbidden: tuple[str, ...]


def _take(args: Sequence[str], index: int, flags: Mapping[str, bool]) -> int:
    """How many items the flag at ``index`` spans (0 when it is not one of ``flags``)."""
    arg = args[index]
    name, eq, _ = arg.partition("=")
    if name in flags:
        return 1 if eq or not flags[name] else 2
    for flag, value in flags.items():
        if value and len(flag) == 2 and arg.startswith(flag) and len(arg) > 2:
            return 1  # -ofile
    return 0


def split_args(posargs: Sequence[str], flags: ToolFlags) -> SplitArgs:
    """Split ``posargs`` as the module docstring says."""
    parsed: list[str] = []
    display: list[str] = []
    dropped: list[str] = []
    forbidden: list[str] = []
    index = 0
    while index < len(posargs):
        if posargs[index] == "--":
            parsed += posargs[index:]
            display += posargs[index:]
            break
        span = _take(posargs, index, flags.forbidden)
        if span:
            forbidden += posargs[index : index + span]
            index += span
            continue
        span = _take(posargs, index, flags.output)
        if span:
            dropped += posargs[index : index + span]
            display += posargs[index : index + span]
            index += span
            continue
        parsed.append(posargs[index])
        display.append(posargs[index])
        index += 1
    return SplitArgs(
        parsed=tuple(parsed),
        display=tuple(display) if dropped and flags.rerun else None,
        dropped=tuple(dropped),
        forbidden=tuple(forbidden),
    )
