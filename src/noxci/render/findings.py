"""A job's findings as terminal lines: ``path:line:col rule message``.

Editors and terminals turn ``path:line:col`` into a link. The first
:data:`LIMIT` findings are shown, then "and N more" (the report has them
all, up to its own cap). Pure: the caller prints.
"""

from __future__ import annotations

from collections.abc import Sequence

from noxci.report import Finding

__all__ = ["LIMIT", "finding_lines"]

LIMIT = 20


def _where(finding: Finding) -> str:
    if finding.path is None:
        return ""
    parts = [finding.path]
    if finding.line is not None:
        parts.append(str(finding.line))
        if finding.column is not None:
            parts.append(str(finding.column))
    return ":".join(parts) + " "


def finding_lines(findings: Sequence[Finding], *, limit: int = LIMIT) -> list[str]:
    """Up to ``limit`` findings, one line each, then how many more there are."""
    lines = []
    for finding in findings[:limit]:
        message = (
            finding.message.strip().splitlines()[0] if finding.message.strip() else ""
        )
        lines.append(f"{_where(finding)}{finding.rule} {message}".rstrip())
    if len(findings) > limit:
        lines.append(f"and {len(findings) - limit} more")
    return lines
