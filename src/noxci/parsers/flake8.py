"""``flake8 --benchmark``: its findings, and how many files it checked.

flake8 has no machine-readable output of its own (without a plugin), but
its default format, ``PATH:LINE:COL: CODE message``, has not changed in
years, and ``--benchmark`` ends the output with ``N total files processed``.
A run without that line did not finish (a plugin or config error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from noxci.parsers import ParseError, relative_path
from noxci.report import Finding, Severity

__all__ = ["Flake8Result", "parse_flake8"]

_FINDING = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$"
)
_FILES = re.compile(r"^(\d+)\s+total files processed$", re.MULTILINE)
# pyflakes (F), syntax errors (E9) and undefined names point at broken code.
_HIGH = ("F", "E9")


@dataclass(frozen=True, kw_only=True)
class Flake8Result:
    """flake8's findings and the number of files it processed."""

    findings: tuple[Finding, ...]
    files: int


def parse_flake8(stdout: str, root: str) -> Flake8Result:
    """Parse flake8's default output with ``--benchmark``'s statistics."""
    files = _FILES.search(stdout)
    if files is None:
        raise ParseError("flake8: no 'total files processed' line: the run did not end")
    findings = tuple(
        Finding(
            tool="flake8",
            rule=match.group("code"),
            severity=(
                Severity.HIGH if match.group("code").startswith(_HIGH) else Severity.LOW
            ),
            message=match.group("message"),
            path=relative_path(match.group("path"), root),
            line=int(match.group("line")),
            column=int(match.group("col")),
        )
        for line in stdout.splitlines()
        if (match := _FINDING.match(line))
    )
    return Flake8Result(findings=findings, files=int(files.group(1)))
