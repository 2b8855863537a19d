"""``interrogate -v``: docstring coverage, read from its summary table."""

from __future__ import annotations

import re
from dataclasses import dataclass

from noxci.parsers import ParseError, relative_path

__all__ = ["DocstringCoverage", "parse_interrogate"]

_HEADER = re.compile(r"^=+ Coverage for (?P<dir>.+?) =+$")
_ROW = re.compile(
    r"^\|\s*(?P<name>[^|]+?)\s*\|\s*(?P<total>\d+)\s*\|\s*(?P<miss>\d+)\s*\|"
    r"\s*(?P<cover>\d+)\s*\|\s*[\d.]+%\s*\|$"
)


@dataclass(frozen=True, kw_only=True)
class DocstringCoverage:
    """How many documentable items there are and how many have docstrings."""

    total: int
    documented: int
    missing_by_file: dict[str, int]


def parse_interrogate(text: str, root: str) -> DocstringCoverage:
    """Parse the verbose summary; its TOTAL row must be present."""
    base = ""
    files: dict[str, int] = {}
    for line in text.splitlines():
        header = _HEADER.match(line.strip())
        if header:
            base = header.group("dir")
            continue
        row = _ROW.match(line.strip())
        if not row:
            continue
        name = row.group("name")
        if name == "TOTAL":
            return DocstringCoverage(
                total=int(row.group("total")),
                documented=int(row.group("cover")),
                missing_by_file={k: v for k, v in files.items() if v},
            )
        files[relative_path(base.rstrip("/") + "/" + name, root)] = int(
            row.group("miss")
        )
    raise ParseError("interrogate: no TOTAL row in its output")
