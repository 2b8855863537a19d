"""mypy's text output: one ``path:line:col: error: message  [code]`` line per error.

Text rather than ``--output json`` because it works with every mypy of
the last years (JSON needs 1.11) and because only the text output ends
with the summary that says how many files mypy checked: "Success: no
issues found in 8 source files", "Found 3 errors in 2 files (checked 8
source files)". The job runs mypy with ``--no-pretty --show-column-numbers
--show-error-codes --error-summary --no-color-output`` whatever the
project's config says, so each error is one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from noxci.parsers import ParseError, relative_path
from noxci.report import Finding, Severity

__all__ = ["MypyResult", "first_error", "parse_mypy"]

_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?:(?P<col>\d+):)?(?:\d+:\d+:)? "
    r"(?P<severity>error|warning|note): (?P<message>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$"
)
_SUCCESS = re.compile(r"^Success: no issues found in (\d+) source files?$")
_FOUND = re.compile(
    r"^Found (\d+) errors? in (\d+) files? \((?:checked (\d+) source files?|errors prevented further checking)\)$"
)


@dataclass(frozen=True, kw_only=True)
class MypyResult:
    """mypy's errors (notes are context, not counted) and what it checked.

    ``checked`` is None when mypy stopped before checking (a blocking error).
    """

    findings: tuple[Finding, ...]
    errors: int
    files_with_errors: int
    checked: int | None


def first_error(output: str, root: str) -> str | None:
    """``path:line: message`` of the first error line, when mypy stopped early."""
    for raw in output.splitlines():
        match = _LINE.match(raw.rstrip())
        if match and match.group("severity") == "error":
            path = relative_path(match.group("path"), root)
            return f"{path}:{match.group('line')}: {match.group('message')}"
    return None


def parse_mypy(stdout: str, root: str) -> MypyResult:
    """Parse mypy's output; its summary line must be there and agree with the errors."""
    findings: list[Finding] = []
    files: set[str] = set()
    summary: tuple[int, int, int | None] | None = None
    for raw in stdout.splitlines():
        line = raw.rstrip()
        success = _SUCCESS.match(line)
        if success:
            summary = (0, 0, int(success.group(1)))
            continue
        found = _FOUND.match(line)
        if found:
            checked = found.group(3)
            summary = (
                int(found.group(1)),
                int(found.group(2)),
                int(checked) if checked is not None else None,
            )
            continue
        match = _LINE.match(line)
        if match is None or match.group("severity") != "error":
            continue
        path = relative_path(match.group("path"), root)
        files.add(path)
        column = match.group("col")
        findings.append(
            Finding(
                tool="mypy",
                rule=match.group("code") or "error",
                severity=Severity.MEDIUM,
                message=match.group("message"),
                path=path,
                line=int(match.group("line")) or None,
                column=int(column) if column else None,
            )
        )
    if summary is None:
        raise ParseError("mypy: no summary line (Success: ... / Found N errors ...)")
    errors, with_errors, checked = summary
    if errors != len(findings):
        raise ParseError(
            f"mypy: its summary counts {errors} error(s) but {len(findings)} error line(s) were read"
        )
    return MypyResult(
        findings=tuple(findings),
        errors=errors,
        files_with_errors=with_errors or len(files),
        checked=checked,
    )
