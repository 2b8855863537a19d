"""The ``workflows`` job: hardened, thin GitHub workflows.

Two checks. zizmor (offline, no config, the pedantic persona) audits the
workflows for template injection, unpinned actions, excessive permissions,
dangerous triggers and the rest; its JSON decides and its SARIF is kept as
an artifact. noxci's own thin-wrapper rule then reads every workflow with a
YAML parser: each ``run:`` step is ``nox -s <session>`` (optionally through
``uv run --locked``) naming a session the noxfile really has, each ``uses:``
is an allowed setup/cache/artifact/SARIF action pinned by full commit SHA, the
workflow grants no permissions at the top, and every job has a timeout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noxci import safefile
from noxci.errors import ToolError
from noxci.jobconfig import PATHS, JobConfig, option
from noxci.jobs.base import JobContext, Outcome
from noxci.parsers import ParseError, relative_path
from noxci.report import Finding, Severity, Status

__all__ = [
    "MATRIX_SESSION",
    "RUN_STEP",
    "Settings",
    "parse_zizmor",
    "run",
    "thin_wrapper_findings",
]


@dataclass(frozen=True, kw_only=True)
class Settings(JobConfig):
    """``[tool.noxci.workflows]``."""

    paths: tuple[str, ...] = option(
        (".github/workflows",), PATHS, "Workflow directories or files to check."
    )
    allowed_actions: tuple[str, ...] = option(
        (
            "actions/checkout",
            "actions/setup-python",
            "astral-sh/setup-uv",
            "actions/cache",
            "actions/cache/restore",
            "actions/cache/save",
            "actions/upload-artifact",
            "actions/download-artifact",
            "github/codeql-action/upload-sarif",
        ),
        PATHS,
        "Actions a step may use (setup, checkout, cache and artifact actions); any other `uses:` breaks the thin-wrapper rule.",
    )


RUN_STEP = re.compile(
    r"^(uv run --locked nox|uvx nox@[0-9][0-9A-Za-z.+\-]*|nox) -s "
    r"(?P<session>[A-Za-z0-9][A-Za-z0-9_.\-]*|\"\$NOXCI_SESSION\")"
    r"(?P<shard> \$\{NOXCI_SHARD:\+-- --shard \"\$NOXCI_SHARD\"\})?( -- .*)?$"
)
# A matrix job names its session (and a tests shard) through these
# variables, set from the matrix `nox -s matrix` printed (never expanded
# inside `run:`).
MATRIX_SESSION = '"$NOXCI_SESSION"'
MATRIX_VALUE = "${{ matrix.session }}"
MATRIX_SHARD = "${{ matrix.shard }}"
PINNED = re.compile(r"^(?P<action>[^@\s]+)@[0-9a-f]{40}$")
_SEVERITY = {
    "High": Severity.HIGH,
    "Medium": Severity.MEDIUM,
    "Low": Severity.LOW,
    "Informational": Severity.INFO,
    "Unknown": Severity.INFO,
}


def parse_zizmor(text: str, root: str, base: Path) -> list[Finding]:
    """Zizmor's JSON findings (ignored ones left out)."""
    try:
        items = safefile.loads(text or "[]")
        findings = []
        for item in items:
            if item.get("ignored"):
                continue
            location = item["locations"][0]
            path = location["symbolic"]["key"]["Local"]["verbatim_path"]
            findings.append(
                Finding(
                    tool="zizmor",
                    rule=item["ident"],
                    severity=_SEVERITY.get(
                        item["determinations"]["severity"], Severity.INFO
                    ),
                    message=f"{item['desc']}: {location['symbolic'].get('annotation', '')}".rstrip(
                        ": "
                    ),
                    path=relative_path(str((base / path).resolve()), root),
                    line=int(location["concrete"]["location"]["start_point"]["row"])
                    + 1,
                )
            )
    except (json.JSONDecodeError, KeyError, TypeError, IndexError) as exc:
        raise ParseError(f"zizmor: unexpected output ({exc!r})") from None
    return findings


def _workflow_files(root: Path, paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for entry in paths:
        path = root / entry
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in {".yml", ".yaml"})
        elif path.is_file():
            files.append(path)
    return files


def _steps(workflow: Mapping[str, Any]) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    for job_name, job in (workflow.get("jobs") or {}).items():
        for number, step in enumerate((job or {}).get("steps") or [], 1):
            if isinstance(step, dict):
                yield str(job_name), number, step


def _workflow_rules(workflow: Mapping[Any, Any]) -> list[tuple[str, str]]:
    found = []
    triggers = workflow.get(
        "on", workflow.get(True)
    )  # YAML 1.1 reads a bare `on` as True
    if triggers == "pull_request_target" or (
        isinstance(triggers, dict) and "pull_request_target" in triggers
    ):
        found.append(
            (
                "pull-request-target",
                "pull_request_target runs with a write token on fork PRs",
            )
        )
    if workflow.get("permissions") != {}:
        found.append(
            ("top-level-permissions", "the workflow must start from `permissions: {}`")
        )
    for job_name, job in (workflow.get("jobs") or {}).items():
        if isinstance(job, dict) and "timeout-minutes" not in job:
            found.append(("no-timeout", f"job {job_name} has no timeout-minutes"))
        if isinstance(job, dict) and job.get("secrets") == "inherit":
            found.append(("secrets-inherit", f"job {job_name} passes every secret on"))
    return found


def _step_rules(
    workflow: Mapping[str, Any], sessions: set[str], allowed: tuple[str, ...]
) -> list[tuple[str, str]]:
    found = []
    for job_name, number, step in _steps(workflow):
        where = f"job {job_name}, step {number}"
        if "run" in step:
            command = " ".join(str(step["run"]).split())
            match = RUN_STEP.match(command)
            if match is None:
                found.append(
                    (
                        "thin-wrapper",
                        f"{where}: `run:` must be `nox -s <session>`, not {command[:80]!r}",
                    )
                )
            elif match.group("session") == MATRIX_SESSION:
                env = step.get("env") or {}
                if env.get("NOXCI_SESSION") != MATRIX_VALUE:
                    found.append(
                        (
                            "thin-wrapper",
                            f"{where}: $NOXCI_SESSION must be set to {MATRIX_VALUE} in the step's env",
                        )
                    )
                if match.group("shard") and env.get("NOXCI_SHARD") != MATRIX_SHARD:
                    found.append(
                        (
                            "thin-wrapper",
                            f"{where}: $NOXCI_SHARD must be set to {MATRIX_SHARD} in the step's env",
                        )
                    )
            elif match.group("session") not in sessions:
                found.append(
                    (
                        "unknown-session",
                        f"{where}: the noxfile has no session {match.group('session')!r}",
                    )
                )
        if "uses" in step:
            uses = str(step["uses"])
            pinned = PINNED.match(uses)
            if pinned is None:
                found.append(
                    ("unpinned", f"{where}: {uses} is not pinned by a full commit SHA")
                )
            elif pinned.group("action") not in allowed:
                found.append(
                    (
                        "thin-wrapper",
                        f"{where}: {pinned.group('action')} is not an allowed action",
                    )
                )
    return found


def thin_wrapper_findings(
    path: str, workflow: Any, *, sessions: set[str], allowed: tuple[str, ...]
) -> list[Finding]:
    """What breaks noxci's rules in one parsed workflow."""
    if not isinstance(workflow, dict):
        problems = [("not-a-workflow", "the file is not a YAML mapping")]
    else:
        problems = _workflow_rules(workflow) + _step_rules(workflow, sessions, allowed)
    return [
        Finding(
            tool="noxci", rule=rule, severity=Severity.HIGH, message=message, path=path
        )
        for rule, message in problems
    ]


# zizmor without network or a project config, at its strictest.
ZIZMOR = ("zizmor", "--offline", "--no-config", "--persona", "pedantic")


def run(ctx: JobContext) -> Outcome:
    """zizmor, then the thin-wrapper rule, over every workflow."""
    import yaml

    from noxci.noxlist import list_sessions

    cfg = ctx.settings(Settings)
    files = _workflow_files(ctx.root, cfg.paths)
    if not files:
        raise ToolError(f"no workflows in {', '.join(cfg.paths)}")
    targets = [ctx.relative(f) for f in files]
    json_out, sarif_out = ctx.artifact("zizmor.json"), ctx.artifact("zizmor.sarif")
    audit = ctx.tool([*ZIZMOR, "--format", "json", *targets])
    if not audit.stdout.strip().startswith("["):
        raise ToolError(f"zizmor exited {audit.returncode}: {audit.tail()}")
    json_out.write_text(audit.stdout, encoding="utf-8")
    zizmor = parse_zizmor(audit.stdout, str(ctx.root), ctx.root)
    sarif = ctx.tool(
        [*ZIZMOR, "--format", "sarif", *targets],
        record=False,
    )
    sarif_out.write_text(sarif.stdout, encoding="utf-8")
    sessions = {s.name for s in list_sessions(ctx.root)}
    rules: list[Finding] = []
    for path in files:
        try:
            text = safefile.read_text(
                path, root=ctx.root, limit=ctx.config.max_file_size
            )
            workflow = yaml.safe_load(text)
            safefile.check_nesting(workflow)
        except (yaml.YAMLError, ValueError) as exc:
            rules.append(
                Finding(
                    tool="noxci",
                    rule="yaml",
                    severity=Severity.HIGH,
                    message=f"not valid YAML: {exc}".splitlines()[0],
                    path=ctx.relative(path),
                )
            )
            continue
        rules += thin_wrapper_findings(
            ctx.relative(path), workflow, sessions=sessions, allowed=cfg.allowed_actions
        )
    count = {s: sum(1 for f in zizmor if f.severity is s) for s in Severity}
    return Outcome(
        status=Status.FAILED if zizmor or rules else Status.PASSED,
        summary=f"{len(files)} workflow(s): zizmor {len(zizmor)} finding(s), thin-wrapper rule {len(rules)} violation(s)",
        metrics={
            "workflows_total": len(files),
            "zizmor_findings": len(zizmor),
            "zizmor_high": count[Severity.HIGH],
            "zizmor_medium": count[Severity.MEDIUM],
            "zizmor_low": count[Severity.LOW] + count[Severity.INFO],
            "rule_violations": len(rules),
        },
        findings=[*zizmor, *rules],
        artifacts={
            "zizmor-json": ctx.relative(json_out),
            "zizmor-sarif": ctx.relative(sarif_out),
        },
        details={"workflows": targets, "sessions": sorted(sessions)},
    )
