"""``uv pip check``: one line per incompatibility."""

from __future__ import annotations

from noxci.report import Finding, Severity

__all__ = ["parse_pip_check"]


def parse_pip_check(output: str) -> list[Finding]:
    """Each ``The package ...`` line is a problem."""
    return [
        Finding(
            tool="uv", rule="pip-check", severity=Severity.MEDIUM, message=line.strip()
        )
        for line in output.splitlines()
        if line.startswith("The package ")
    ]
