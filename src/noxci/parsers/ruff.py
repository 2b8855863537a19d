"""``ruff check --output-format json`` and ``ruff format --check``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from noxci import safefile
from noxci.parsers import ParseError, relative_path
from noxci.report import Finding, Severity

__all__ = ["RuffResult", "parse_ruff_check", "parse_ruff_format"]

# Pyflakes (F), syntax/IO errors (E9) and pylint errors (PLE) point at code
# that is broken, not merely untidy; other plugins merely share the F prefix.
_HIGH = ("F", "E9", "PLE")
_NOT_PYFLAKES = ("FA", "FBT", "FIX", "FLY", "FURB")


@dataclass(frozen=True, kw_only=True)
class RuffResult:
    """Ruff's findings and how many it could fix itself."""

    findings: tuple[Finding, ...]
    fixable: int


def _severity(code: str) -> Severity:
    if code.startswith(_HIGH) and not code.startswith(_NOT_PYFLAKES):
        return Severity.HIGH
    if code.startswith("S"):  # flake8-bandit
        return Severity.MEDIUM
    return Severity.LOW


def parse_ruff_check(text: str, root: str) -> RuffResult:
    """Parse ruff's JSON array of diagnostics."""
    try:
        items = safefile.loads(text or "[]")
    except json.JSONDecodeError as exc:
        raise ParseError(f"ruff: output is not JSON ({exc})") from None
    if not isinstance(items, list):
        raise ParseError("ruff: expected a JSON array of diagnostics")
    findings: list[Finding] = []
    fixable = 0
    for item in items:
        try:
            code = item.get("code") or "syntax-error"
            location = item.get("location") or {}
            findings.append(
                Finding(
                    tool="ruff",
                    rule=code,
                    severity=_severity(code) if item.get("code") else Severity.HIGH,
                    message=str(item["message"]),
                    path=relative_path(item["filename"], root),
                    line=location.get("row"),
                )
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ParseError(f"ruff: unexpected diagnostic shape ({exc!r})") from None
        if item.get("fix") and item["fix"].get("applicability") == "safe":
            fixable += 1
    return RuffResult(findings=tuple(findings), fixable=fixable)


def parse_ruff_format(text: str, root: str) -> Sequence[str]:
    """The files ``ruff format --check --output-format json`` would reformat."""
    try:
        items = safefile.loads(text or "[]")
        names = {relative_path(item["filename"], root) for item in items}
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ParseError(f"ruff format: unexpected output ({exc!r})") from None
    return sorted(names)
