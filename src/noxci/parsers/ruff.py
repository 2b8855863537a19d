"""``ruff check --output-format json`` and ``ruff format --check``.

The JSON of ``ruff check`` has kept its shape (``code``, ``message``,
``filename``, ``location``, ``fix``) from 0.1 to 0.17. ``ruff format`` has
no machine-readable output before 0.16, so its text is read instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from noxci import safefile
from noxci.parsers import ParseError, relative_path
from noxci.report import Finding, Severity

__all__ = ["FormatResult", "RuffResult", "parse_ruff_check", "parse_ruff_format"]

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
                    column=location.get("column"),
                )
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ParseError(f"ruff: unexpected diagnostic shape ({exc!r})") from None
        if item.get("fix") and item["fix"].get("applicability") == "safe":
            fixable += 1
    return RuffResult(findings=tuple(findings), fixable=fixable)


@dataclass(frozen=True, kw_only=True)
class FormatResult:
    """The files a format check would reformat, and how many it checked."""

    unformatted: tuple[str, ...]
    checked: int


_WOULD = re.compile(r"(\d+) files? would be reformatted")
# "already formatted"; ruff 0.1.6 said "left unchanged".
_ALREADY = re.compile(
    r"(\d+) files? (?:already formatted|(?:would be )?left unchanged)"
)
_CONCISE = re.compile(r"^(?P<path>.+?):\d+:\d+: unformatted: ")


def parse_ruff_format(stdout: str, root: str) -> FormatResult:
    """``ruff format --check``'s text: every ruff of the last years.

    Up to 0.15 it prints ``Would reformat: PATH``; from 0.16 noxci asks for
    ``--output-format concise``, ``PATH:LINE:COL: unformatted: ...``. Both
    end with the summary ("1 file would be reformatted, 4 files already
    formatted"), whose count must agree; no summary means no file was found.
    """
    names: list[str] = []
    for line in stdout.splitlines():
        if line.startswith("Would reformat: "):
            names.append(line.removeprefix("Would reformat: ").strip())
        elif match := _CONCISE.match(line):
            names.append(match.group("path"))
    would = _WOULD.search(stdout)
    already = _ALREADY.search(stdout)
    expected = int(would.group(1)) if would else 0
    if expected != len(names):
        raise ParseError(
            f"ruff format: its summary says {expected} file(s) would be reformatted "
            f"but {len(names)} were named"
        )
    unformatted = sorted({relative_path(name, root) for name in names})
    return FormatResult(
        unformatted=tuple(unformatted),
        checked=expected + (int(already.group(1)) if already else 0),
    )
