"""``mypy --output json``: one JSON object per line."""

from __future__ import annotations

import json
from dataclasses import dataclass

from noxci import safefile
from noxci.parsers import ParseError, relative_path
from noxci.report import Finding, Severity

__all__ = ["MypyResult", "parse_mypy"]


@dataclass(frozen=True, kw_only=True)
class MypyResult:
    """mypy's errors (notes are attached context, not counted)."""

    findings: tuple[Finding, ...]
    errors: int
    files_with_errors: int


def parse_mypy(stdout: str, root: str) -> MypyResult:
    """Parse mypy's JSON lines; non-JSON lines (summaries) are ignored."""
    findings: list[Finding] = []
    files: set[str] = set()
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            item = safefile.loads(line)
            severity = item["severity"]
            path = relative_path(item["file"], root)
            message = str(item["message"])
            line_no = item.get("line")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ParseError(f"mypy: unexpected output line ({exc!r})") from None
        if severity != "error":
            continue
        files.add(path)
        findings.append(
            Finding(
                tool="mypy",
                rule=item.get("code") or "error",
                severity=Severity.MEDIUM,
                message=message,
                path=path,
                line=line_no if isinstance(line_no, int) and line_no >= 0 else None,
            )
        )
    return MypyResult(
        findings=tuple(findings), errors=len(findings), files_with_errors=len(files)
    )
