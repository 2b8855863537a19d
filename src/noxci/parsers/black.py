"""``black --check``.

Black has no machine-readable output, but its check mode prints one stable
``would reformat PATH`` line per file on stderr, and a summary ("1 file
would be reformatted, 4 files would be left unchanged.") that says how
many it checked; with no file at all it says "No Python files are present".
"""

from __future__ import annotations

import re

from noxci.parsers import ParseError, relative_path
from noxci.parsers.ruff import FormatResult

__all__ = ["parse_black_check"]

_WOULD = re.compile(r"(\d+) files? would be reformatted")
_UNCHANGED = re.compile(r"(\d+) files? would be left unchanged")
_FAILED = re.compile(r"(\d+) files? would fail to reformat")


def parse_black_check(stderr: str, root: str) -> FormatResult:
    """The files black would reformat, and how many it checked."""
    prefix = "would reformat "
    names = [
        relative_path(line[len(prefix) :].strip(), root)
        for line in stderr.splitlines()
        if line.startswith(prefix)
    ]
    counts = [
        int(match.group(1)) if (match := pattern.search(stderr)) else 0
        for pattern in (_WOULD, _UNCHANGED, _FAILED)
    ]
    if counts[0] != len(names):
        raise ParseError(
            f"black: its summary says {counts[0]} file(s) would be reformatted "
            f"but {len(names)} were named"
        )
    return FormatResult(unformatted=tuple(sorted(set(names))), checked=sum(counts))
