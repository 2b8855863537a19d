"""One error hierarchy; only ``main()`` and the nox glue turn it into exits.

Every message is one line that says what is wrong and what to do about it.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "IncompleteDataError",
    "NetworkError",
    "NoxciError",
    "ReportError",
    "ToolError",
]


class NoxciError(Exception):
    """A failure the user can act on; ``return_code`` is the process exit code."""

    return_code = 1


class ConfigError(NoxciError):
    """``[tool.noxci]`` (or a command line) holds something noxci cannot use."""

    return_code = 2


class ReportError(NoxciError):
    """A report file is missing, unreadable or does not match its schema."""

    return_code = 2


class IncompleteDataError(NoxciError):
    """The readiness gate lacks data it needs; it fails closed."""

    return_code = 2


class ToolError(NoxciError):
    """A tool is missing, crashed, or timed out."""

    return_code = 1


class NetworkError(NoxciError):
    """A network peer still failed after the retries."""

    return_code = 1
