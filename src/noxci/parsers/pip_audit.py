"""``pip-audit -f json``: vulnerable and unauditable dependencies, counted apart.

pip-audit "fails open": when its service cannot answer, it skips each
dependency with a ``skip_reason`` and still exits 0. Those are counted as
unaudited, never as clean.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from noxci import safefile
from noxci.parsers import ParseError
from noxci.report import Finding, Severity

__all__ = ["AuditResult", "merge_audits", "parse_pip_audit"]


@dataclass(frozen=True, kw_only=True)
class AuditResult:
    """What pip-audit found."""

    findings: tuple[Finding, ...]
    audited: int
    unaudited: int
    vulns: int
    fixable: int
    advisories: tuple[str, ...]
    skip_reasons: tuple[str, ...]


def parse_pip_audit(text: str) -> AuditResult:
    """Parse pip-audit's JSON output."""
    try:
        deps = safefile.loads(text)["dependencies"]
        findings: list[Finding] = []
        advisories: list[str] = []
        skips: list[str] = []
        audited = fixable = 0
        for dep in deps:
            name = dep["name"]
            if dep.get("skip_reason"):
                skips.append(str(dep["skip_reason"]))
                findings.append(
                    Finding(
                        tool="pip-audit",
                        rule="unaudited",
                        severity=Severity.MEDIUM,
                        message=f"{name}: {dep['skip_reason']}",
                    )
                )
                continue
            audited += 1
            for vuln in dep.get("vulns", []):
                fixes = list(vuln.get("fix_versions") or [])
                fixable += bool(fixes)
                advisories.append(vuln["id"])
                aliases = ", ".join(sorted(vuln.get("aliases") or []))
                fix = f"fixed in {', '.join(fixes)}" if fixes else "no fix yet"
                findings.append(
                    Finding(
                        tool="pip-audit",
                        rule=vuln["id"],
                        severity=Severity.HIGH,
                        message=f"{name} {dep['version']}: {vuln['id']}{f' ({aliases})' if aliases else ''}, {fix}",
                    )
                )
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ParseError(f"pip-audit: unexpected output ({exc!r})") from None
    return AuditResult(
        findings=tuple(findings),
        audited=audited,
        unaudited=len(skips),
        vulns=len(advisories),
        fixable=fixable,
        advisories=tuple(advisories),
        skip_reasons=tuple(skips),
    )


def merge_audits(results: list[AuditResult]) -> AuditResult:
    """One result from the audits of several requirements files."""
    return AuditResult(
        findings=tuple(f for r in results for f in r.findings),
        audited=sum(r.audited for r in results),
        unaudited=sum(r.unaudited for r in results),
        vulns=sum(r.vulns for r in results),
        fixable=sum(r.fixable for r in results),
        advisories=tuple(a for r in results for a in r.advisories),
        skip_reasons=tuple(s for r in results for s in r.skip_reasons),
    )
