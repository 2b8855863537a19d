"""Parsers: each turns one tool's own machine-readable output into figures.

A parser never runs a tool, never scores and never renders. Output it cannot
understand raises :class:`ParseError`, which makes the report an ``error``.
"""

from __future__ import annotations

from noxci.errors import ToolError

__all__ = ["ParseError", "relative_path"]


class ParseError(ToolError):
    """A tool's output was not what its documented format promises."""


def relative_path(path: str, root: str) -> str:
    """``path`` relative to ``root`` when it lies inside it, with / separators."""
    from pathlib import PurePath

    pure = PurePath(path)
    try:
        return pure.relative_to(root).as_posix()
    except ValueError:
        return pure.as_posix()
