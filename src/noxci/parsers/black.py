"""``black --check``.

Black has no machine-readable output, but its check mode prints one stable
``would reformat PATH`` line per file on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence

from noxci.parsers import relative_path

__all__ = ["parse_black_check"]


def parse_black_check(stderr: str, root: str) -> Sequence[str]:
    """The files black would reformat."""
    prefix = "would reformat "
    return [
        relative_path(line[len(prefix) :].strip(), root)
        for line in stderr.splitlines()
        if line.startswith(prefix)
    ]
