"""``coverage json``: the totals block."""

from __future__ import annotations

import json
from dataclasses import dataclass

from noxci import safefile
from noxci.parsers import ParseError

__all__ = ["CoverageTotals", "parse_coverage_json"]


@dataclass(frozen=True, kw_only=True)
class CoverageTotals:
    """Coverage's own totals; ``percent`` is what ``coverage report`` shows."""

    percent: float
    display: str
    statements: int
    missing: int
    branches: int
    partial_branches: int
    precision: int


def parse_coverage_json(text: str) -> CoverageTotals:
    """Parse ``coverage json`` output."""
    try:
        data = safefile.loads(text)
        totals = data["totals"]
        display = str(totals.get("percent_covered_display", ""))
        return CoverageTotals(
            percent=float(totals["percent_covered"]),
            display=display,
            statements=int(totals["num_statements"]),
            missing=int(totals["missing_lines"]),
            branches=int(totals.get("num_branches", 0)),
            partial_branches=int(totals.get("num_partial_branches", 0)),
            # The JSON does not state [report] precision; the display string shows it.
            precision=len(display.partition(".")[2]),
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ParseError(f"coverage json: unexpected output ({exc!r})") from None
