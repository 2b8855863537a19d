"""``bandit -f json``: findings by severity, and the files it could not parse."""

from __future__ import annotations

import json
from dataclasses import dataclass

from noxci import safefile
from noxci.parsers import ParseError, relative_path
from noxci.report import Finding, Severity

__all__ = ["BanditResult", "parse_bandit"]


@dataclass(frozen=True, kw_only=True)
class BanditResult:
    """Bandit's findings; ``errors`` are files it could not scan (never "clean")."""

    findings: tuple[Finding, ...]
    high: int
    medium: int
    low: int
    errors: int
    files: int = 0  # files scanned, from its per-file metrics


def parse_bandit(text: str, root: str) -> BanditResult:
    """Parse bandit's JSON report."""
    try:
        data = safefile.loads(text)
        results, errors = data["results"], data["errors"]
        metrics = data.get("metrics") or {}
        files = sum(1 for name in metrics if name != "_totals")
        findings = [
            Finding(
                tool="bandit",
                rule=f"{item['test_id']}:{item['test_name']}",
                severity=Severity(item["issue_severity"].lower()),
                message=f"{item['issue_text']} (confidence {item['issue_confidence'].lower()})",
                path=relative_path(item["filename"], root),
                line=int(item["line_number"]),
                column=(
                    int(item["col_offset"]) + 1
                    if isinstance(item.get("col_offset"), int)
                    else None
                ),
            )
            for item in results
        ]
        findings += [
            Finding(
                tool="bandit",
                rule="scan-error",
                severity=Severity.MEDIUM,
                message=f"not scanned: {item['reason']}",
                path=relative_path(item["filename"], root),
                line=None,
            )
            for item in errors
        ]
    except (
        json.JSONDecodeError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
    ) as exc:
        raise ParseError(f"bandit: unexpected output ({exc!r})") from None
    count = {
        s: sum(1 for r in results if r["issue_severity"].lower() == s)
        for s in ("high", "medium", "low")
    }
    return BanditResult(
        findings=tuple(findings), errors=len(errors), files=files, **count
    )
