"""A job's report for GitHub Actions: its step summary and its annotations.

Pure: the job pipeline sends them (:func:`noxci.runjob.run_job`). GitHub
shows 10 error and 10 warning annotations per step; more are cut, and the
summary says how many there were.
"""

from __future__ import annotations

from noxci.render.common import code, md
from noxci.report import Finding, Report, Status

__all__ = ["MAX_ANNOTATIONS", "job_summary", "workflow_commands"]

MAX_ANNOTATIONS = 10  # per kind and step, as GitHub shows them
_SHOWN = 20


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(kind: str, finding: Finding) -> str:
    where = []
    if finding.path:
        where.append(f"file={_property(finding.path)}")
        if finding.line:
            where.append(f"line={finding.line}")
    where.append(f"title={_property(f'{finding.tool} {finding.rule}')}")
    return f"::{kind} {','.join(where)}::{_data(finding.message)}"


def workflow_commands(report: Report) -> list[str]:
    """Workflow commands for the findings: errors when the job failed and blocks, else warnings."""
    kind = "error" if report.status is Status.FAILED and report.blocking else "warning"
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    worst = sorted(report.findings, key=lambda f: order[f.severity.value])
    lines = [_annotation(kind, f) for f in worst[:MAX_ANNOTATIONS]]
    if report.status is Status.ERROR and report.error:
        lines.insert(
            0, f"::error title={_property(report.session)}::{_data(report.error)}"
        )
    return lines


def job_summary(report: Report) -> str:
    """The job's section of the step summary: verdict, summary, the first findings."""
    icon = {Status.PASSED: "✅", Status.FAILED: "❌", Status.ERROR: "💥"}.get(
        report.status, "⏭️"
    )
    cached = " (cached)" if report.cached else ""
    lines = [
        f"### {icon} {md(report.session)}: {report.status.value}{cached}",
        "",
        md(
            (
                report.error
                if report.status is Status.ERROR and report.error
                else report.summary
            ),
            1000,
        ),
        "",
    ]
    if report.findings:
        lines += ["| where | rule | message |", "|---|---|---|"]
        for finding in report.findings[:_SHOWN]:
            where = (
                f"{finding.path}:{finding.line}" if finding.line else finding.path or ""
            )
            lines.append(
                f"| {code(where) if where else ''} | {code(finding.rule)} | {md(finding.message, 200)} |"
            )
        if len(report.findings) > _SHOWN:
            lines += [
                "",
                f"… and {len(report.findings) - _SHOWN} more (see the report artifact)",
            ]
        lines.append("")
    return "\n".join(lines)
