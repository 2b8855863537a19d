"""One error hierarchy with one exit code per class of failure.

Only ``main()`` and the nox glue turn errors into exits. Every message is
one line that says what is wrong and what to do about it. The codes are
listed in docs/troubleshooting.md; the readiness gate's own 0, 1 and 2 are
the design's (passed, below the threshold, incomplete data).
"""

from __future__ import annotations

import enum

__all__ = [
    "ConfigError",
    "ExitCode",
    "IncompleteDataError",
    "NetworkError",
    "NoxciError",
    "ReportError",
    "ToolError",
    "meaning",
]


class ExitCode(enum.IntEnum):
    """What a noxci command or session exits with."""

    OK = 0
    FAILED = 1  # a check failed: the gate's score, or a job's own verdict
    INCOMPLETE = 2  # the gate lacks data it needs (missing, stale, invalid ...)
    BUG = 3  # noxci crashed: a bug to report
    CONFIG = 4  # bad [tool.noxci] or command line
    INPUT = 5  # a file noxci was given is unreadable or invalid
    TOOL = 6  # a tool is missing, crashed or timed out; an install failed
    NETWORK = 7  # a network peer still failed after the retries
    BLOCKING_JOB = 8  # a blocking job failed: the gate fails whatever the score
    INTERRUPTED = 130

    @property
    def meaning(self) -> str:
        """A few words for messages."""
        return _MEANINGS[self]


_MEANINGS = {
    ExitCode.OK: "passed",
    ExitCode.FAILED: "a check failed",
    ExitCode.INCOMPLETE: "incomplete data",
    ExitCode.BUG: "a bug in noxci",
    ExitCode.CONFIG: "configuration error",
    ExitCode.INPUT: "unreadable or invalid input",
    ExitCode.TOOL: "a tool failed",
    ExitCode.NETWORK: "network failure",
    ExitCode.BLOCKING_JOB: "a blocking job failed",
    ExitCode.INTERRUPTED: "interrupted",
}


def meaning(code: int) -> str:
    """The meaning of an exit code, also for codes noxci does not define."""
    try:
        return ExitCode(code).meaning
    except ValueError:
        return f"exit {code}"


class NoxciError(Exception):
    """A failure the user can act on; ``return_code`` is the process exit code."""

    return_code: int = ExitCode.FAILED


class ConfigError(NoxciError):
    """``[tool.noxci]`` (or a command line) holds something noxci cannot use."""

    return_code = ExitCode.CONFIG


class ReportError(NoxciError):
    """A file noxci reads (a report, readiness.json) is missing, unreadable or invalid."""

    return_code = ExitCode.INPUT


class IncompleteDataError(NoxciError):
    """The readiness gate lacks data it needs; it fails closed."""

    return_code = ExitCode.INCOMPLETE


class ToolError(NoxciError):
    """A tool is missing, crashed, or timed out."""

    return_code = ExitCode.TOOL


class NetworkError(NoxciError):
    """A network peer still failed after the retries."""

    return_code = ExitCode.NETWORK
